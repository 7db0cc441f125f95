"""Tests for analytics.clv.mle: the shared maximum-likelihood helpers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import gammaln

from analytics.clv import mle
from analytics.clv.mle import MleResult, fit_mle, numerical_hessian, standard_errors


def _gamma_nll(data: np.ndarray) -> tuple:
    n, sum_x, sum_log_x = data.size, data.sum(), np.log(data).sum()

    def nll(z: np.ndarray) -> float:
        shape, rate = np.exp(z)
        return -float(n * (shape * np.log(rate) - gammaln(shape)) + (shape - 1.0) * sum_log_x - rate * sum_x)

    return nll, n


def test_fit_mle_recovers_gamma_parameters_within_standard_errors() -> None:
    rng = np.random.default_rng(7)
    data = rng.gamma(2.5, 1.0 / 4.0, size=4000)
    nll, _ = _gamma_nll(data)
    res = fit_mle(negative_log_likelihood=nll, initial_log_params=np.zeros(2), names=("k", "rate"))
    assert isinstance(res, MleResult)
    assert res.converged
    assert abs(res.params["k"] - 2.5) < 3 * res.std_errors["k"]
    assert abs(res.params["rate"] - 4.0) < 3 * res.std_errors["rate"]
    assert res.log_likelihood == pytest.approx(-nll(np.log([res.params["k"], res.params["rate"]])))
    assert res.covariance.shape == (2, 2)


def test_fit_mle_with_gradient_matches_without() -> None:
    """Exponential rate: MLE n/sum(x), standard error rate/sqrt(n) (analytic)."""
    rng = np.random.default_rng(3)
    data = rng.exponential(1.0 / 0.7, size=2000)
    n, total = data.size, data.sum()

    def nll(z: np.ndarray) -> float:
        lam = np.exp(z[0])
        return -float(n * np.log(lam) - lam * total)

    def grad(z: np.ndarray) -> np.ndarray:
        lam = np.exp(z[0])
        return np.array([-(n / lam - total) * lam])

    with_grad = fit_mle(
        negative_log_likelihood=nll, gradient=grad, initial_log_params=np.zeros(1), names=("l",)
    )
    without = fit_mle(negative_log_likelihood=nll, initial_log_params=np.zeros(1), names=("l",))
    mle = n / total
    for res in (with_grad, without):
        assert res.params["l"] == pytest.approx(mle, rel=1e-5)
        assert res.std_errors["l"] == pytest.approx(mle / np.sqrt(n), rel=1e-3)


def test_numerical_hessian_of_quadratic() -> None:
    a = np.array([[3.0, 1.0], [1.0, 2.0]])
    hess = numerical_hessian(lambda v: float(0.5 * v @ a @ v), np.array([0.3, -1.2]))
    np.testing.assert_allclose(hess, a, rtol=1e-5)
    se, cov = standard_errors(hess)
    np.testing.assert_allclose(cov, np.linalg.inv(a), rtol=1e-4)
    np.testing.assert_allclose(se, np.sqrt(np.diag(np.linalg.inv(a))), rtol=1e-4)


def test_standard_errors_nan_for_non_positive_variance() -> None:
    se, _ = standard_errors(np.array([[-1.0, 0.0], [0.0, 4.0]]))
    assert np.isnan(se[0])
    assert se[1] == pytest.approx(0.5)


def test_fit_mle_rejects_mismatched_names() -> None:
    with pytest.raises(ValueError):
        fit_mle(negative_log_likelihood=lambda z: 0.0, initial_log_params=np.zeros(3), names=("a",))


def test_a_newton_fit_that_cannot_converge_hands_its_best_point_to_the_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The optimum of (m - 2)^2 + 1/s lies at s -> infinity (as a BG/NBD's a and b do without
    drop-out heterogeneity): Newton cannot converge, and L-BFGS-B starts where it stopped."""

    def value_and_gradient(z: np.ndarray) -> tuple[float, np.ndarray]:
        m, s = np.exp(z)
        return float((m - 2.0) ** 2 + 1.0 / s), np.array([2.0 * (m - 2.0) * m, -1.0 / s])

    def natural_hessian(theta: np.ndarray) -> np.ndarray:
        return np.array([[2.0, 0.0], [0.0, 2.0 / theta[1] ** 3]])

    starts: list[np.ndarray] = []
    minimize = mle.optimize.minimize

    def spy(fun: object, x0: np.ndarray, **options: object) -> object:
        starts.append(np.array(x0))
        return minimize(fun, x0, **options)

    monkeypatch.setattr(mle.optimize, "minimize", spy)
    x0 = np.log([0.5, 1.0])
    res = fit_mle(
        negative_log_likelihood=lambda z: value_and_gradient(z)[0],
        value_and_gradient=value_and_gradient,
        natural_hessian=natural_hessian,
        initial_log_params=x0,
        names=("m", "s"),
    )
    assert len(starts) == 1
    assert value_and_gradient(starts[0])[0] < 1e-6 < value_and_gradient(x0)[0]
    assert res.params["m"] == pytest.approx(2.0, rel=1e-4) and res.params["s"] > 1e6

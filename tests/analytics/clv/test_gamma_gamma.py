"""Gamma-Gamma spend model: recovery on simulated data, closed forms vs integration, shrinkage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from analytics.clv.gamma_gamma import (
    GammaGammaFit,
    gamma_gamma_conditional_expected_spend,
    gamma_gamma_fit,
    gamma_gamma_log_likelihood,
)

TRUE = {"p": 6.0, "q": 4.0, "gamma": 15.0}


def simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Customers with x repeat transactions (some with none); z ~ Gamma(p, nu), nu ~ Gamma(q, gamma)."""
    rng = np.random.default_rng(seed)
    x = rng.poisson(2.5, n).astype(np.float64)
    nu = rng.gamma(TRUE["q"], 1.0 / TRUE["gamma"], n)
    m = np.zeros(n)
    for i in range(n):
        if x[i] > 0:
            m[i] = rng.gamma(TRUE["p"], 1.0 / nu[i], int(x[i])).mean()
    return x, m


@pytest.fixture(scope="module")
def fitted() -> tuple[GammaGammaFit, np.ndarray, np.ndarray]:
    x, m = simulate(4000, seed=20260523)
    return gamma_gamma_fit(frequency=x, monetary_value=m), x, m


def test_recovers_parameters_within_three_standard_errors(
    fitted: tuple[GammaGammaFit, np.ndarray, np.ndarray],
) -> None:
    fit, x, _m = fitted
    assert fit.converged
    assert fit.customers_used == int(np.sum(x > 0)) < x.size
    assert set(fit.params) == {"p", "q", "gamma"} == set(fit.std_errors)
    for name, truth in TRUE.items():
        se = fit.std_errors[name]
        assert np.isfinite(se) and se > 0
        assert abs(fit.params[name] - truth) < 3 * se, (name, fit.params[name], se)


def test_log_likelihood_matches_numerical_integration_over_nu(
    fitted: tuple[GammaGammaFit, np.ndarray, np.ndarray],
) -> None:
    """f(m | x) = int x Gamma(x m; p x, rate nu) Gamma(nu; q, rate gamma) dnu, checked per customer."""
    fit, x, m = fitted
    p, q, gamma = fit.params["p"], fit.params["q"], fit.params["gamma"]
    repeat = np.flatnonzero(x > 0)[:5]
    for i in repeat:

        def integrand(nu: float, i: int = i) -> float:
            return float(
                x[i]
                * stats.gamma.pdf(x[i] * m[i], a=p * x[i], scale=1.0 / nu)
                * stats.gamma.pdf(nu, a=q, scale=1.0 / gamma)
            )

        numeric, _err = integrate.quad(integrand, 0, np.inf, limit=200)
        closed = gamma_gamma_log_likelihood(fit.params, frequency=x[i : i + 1], monetary_value=m[i : i + 1])
        assert closed == pytest.approx(np.log(numeric), abs=1e-6)
    total = gamma_gamma_log_likelihood(fit, frequency=x, monetary_value=m)
    assert total == pytest.approx(fit.log_likelihood, rel=1e-9)


def test_conditional_spend_is_posterior_mean_by_integration() -> None:
    """E[M | x, m] = E[p / nu | x, m] with nu's posterior Gamma(q + p x, gamma + x m)."""
    params = {"p": 2.5, "q": 3.5, "gamma": 40.0}
    x, m = 3.0, 55.0
    post = stats.gamma(a=params["q"] + params["p"] * x, scale=1.0 / (params["gamma"] + x * m))
    numeric, _err = integrate.quad(lambda nu: params["p"] / nu * post.pdf(nu), 0, np.inf)
    assert float(gamma_gamma_conditional_expected_spend(params, x, m)) == pytest.approx(numeric, rel=1e-7)


def test_frequency_zero_gives_population_mean(
    fitted: tuple[GammaGammaFit, np.ndarray, np.ndarray],
) -> None:
    fit, _x, _m = fitted
    p, q, gamma = fit.params["p"], fit.params["q"], fit.params["gamma"]
    value = gamma_gamma_conditional_expected_spend(fit, 0, 123.0)
    assert float(value) == pytest.approx(p * gamma / (q - 1))
    assert fit.population_mean_spend == pytest.approx(p * gamma / (q - 1))


def test_requires_q_above_one() -> None:
    with pytest.raises(ValueError, match="q > 1"):
        gamma_gamma_conditional_expected_spend({"p": 1.0, "q": 0.9, "gamma": 1.0}, 2, 10.0)


def test_needs_repeat_customers() -> None:
    with pytest.raises(ValueError):
        gamma_gamma_fit(frequency=np.array([0.0, 0.0, 1.0]), monetary_value=np.array([0.0, 0.0, 5.0]))


@settings(max_examples=80, deadline=None)
@given(
    p=st.floats(0.05, 50),
    q=st.floats(1.01, 50),
    gamma=st.floats(0.01, 1e4),
    x=st.integers(1, 500),
    m=st.floats(0.01, 1e12),
)
def test_shrinkage_between_population_and_own_mean(
    p: float, q: float, gamma: float, x: int, m: float
) -> None:
    params = {"p": p, "q": q, "gamma": gamma}
    population = p * gamma / (q - 1)
    value = float(gamma_gamma_conditional_expected_spend(params, x, m))
    assert np.isfinite(value)
    lo, hi = min(population, m), max(population, m)
    assert lo * (1 - 1e-12) <= value <= hi * (1 + 1e-12)
    # more repeat transactions at the same mean move the estimate towards the customer's own mean
    more = float(gamma_gamma_conditional_expected_spend(params, 2 * x, m))
    assert abs(more - m) <= abs(value - m) * (1 + 1e-12)


def test_tends_to_own_mean_as_frequency_grows() -> None:
    params = {"p": 6.0, "q": 4.0, "gamma": 15.0}
    freqs = np.array([1, 10, 100, 10_000, 1_000_000], dtype=np.float64)
    values = gamma_gamma_conditional_expected_spend(params, freqs, np.full(freqs.size, 500.0))
    gaps = np.abs(values - 500.0)
    assert np.all(np.diff(gaps) < 0)
    assert gaps[-1] < 1e-3


def test_extreme_inputs_fit_without_nan() -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(1, 500, 300).astype(np.float64)
    x[:5] = 500
    m = rng.gamma(2.0, 1e9, 300)
    m[:3] = 1e15
    fit = gamma_gamma_fit(frequency=x, monetary_value=m)
    assert all(np.isfinite(v) and v > 0 for v in fit.params.values())
    assert np.isfinite(fit.log_likelihood)
    if fit.params["q"] > 1:
        spend = gamma_gamma_conditional_expected_spend(fit, x, m)
        assert np.all(np.isfinite(spend))

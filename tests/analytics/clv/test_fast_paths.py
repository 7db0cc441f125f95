"""The fast paths of the CLV fits give the same answers as the straightforward computations.

* BG/NBD family: the prepared objective (per-x special functions, per-value logs, cached terms)
  against the per-group reference ``bg_family_nll_and_grad``; its analytic Hessian against
  central differences of the gradient; the Newton fit against L-BFGS-B on the reference.
* Gamma-Gamma: the sufficient-statistics objective against the density summed per customer;
  analytic Hessian against differences; the Newton fit against L-BFGS-B on the plain nll.
* Grouping and RFM: against straightforward (sorting / per-customer loop) versions.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from scipy import optimize

from analytics.clv.bg_family import (
    NAMES,
    BgFamilyObjective,
    GroupedRfm,
    bg_family_nll_and_grad,
    default_initial,
    group_rfm,
)
from analytics.clv.bgnbd import bgnbd_fit
from analytics.clv.gamma_gamma import (
    GammaGammaObjective,
    _log_density,
    gamma_gamma_fit,
    gamma_gamma_log_likelihood,
)
from analytics.clv.mbgnbd import mbgnbd_fit
from analytics.clv.mle import _hessian_from_gradient, fit_mle
from analytics.clv.rfm import rfm_summary
from tests.analytics.clv.test_bgnbd import TRUE, simulate_bgnbd

BG = {"offsets_1": (0.0, 0.0), "offsets_2": (1.0, -1.0), "second_term_needs_repeat": True}
MBG = {"offsets_1": (0.0, 1.0), "offsets_2": (1.0, 0.0), "second_term_needs_repeat": False}


def _rfm_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BG/NBD customers on a day grid (t_x in whole days, T in whole weeks): many duplicates."""
    rng = np.random.default_rng(seed)
    T = rng.integers(26, 79, n).astype(np.float64)
    x, t_x = simulate_bgnbd(n, TRUE, T, rng)
    return x, np.floor(t_x * 7.0) / 7.0, T


@pytest.mark.parametrize("kind", [BG, MBG])
def test_prepared_objective_equals_reference(kind: dict) -> None:
    x, t_x, T = _rfm_data(3000, seed=1)
    data = group_rfm(frequency=x, recency=t_x, T=T)
    objective = BgFamilyObjective(data, **kind)
    for theta in ([0.5, 6.0, 1.5, 4.0], [0.2, 1.3, 0.7, 2.5], [3.0, 40.0, 4.0, 0.3]):
        z = np.log(theta)
        nll, grad = objective(z)
        ref_nll, ref_grad = bg_family_nll_and_grad(z, data, **kind)
        assert nll == pytest.approx(ref_nll, rel=1e-12)
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-9, atol=1e-9 * np.abs(ref_grad).max())
        numeric = _hessian_from_gradient(
            lambda t: bg_family_nll_and_grad(np.log(t), data, **kind)[1] / t, np.exp(z)
        )
        analytic = objective.natural_hessian(np.exp(z))
        np.testing.assert_allclose(analytic, analytic.T, rtol=0, atol=0)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6 * np.abs(numeric).max())


def _reference_bg_fit(data: GroupedRfm, kind: dict) -> tuple[np.ndarray, float, np.ndarray]:
    """The straightforward fit: L-BFGS-B on the reference nll, Hessian by differences."""
    res = fit_mle(
        negative_log_likelihood=lambda z: bg_family_nll_and_grad(z, data, **kind)[0],
        gradient=lambda z: bg_family_nll_and_grad(z, data, **kind)[1],
        initial_log_params=default_initial(data),
        names=NAMES,
    )
    return np.array([res.params[k] for k in NAMES]), res.log_likelihood, res.covariance


@pytest.mark.parametrize("kind", [BG, MBG])
def test_newton_fit_equals_reference_fit(kind: dict) -> None:
    x, t_x, T = _rfm_data(20_000, seed=2)
    data = group_rfm(frequency=x, recency=t_x, T=T)
    fit = bgnbd_fit if kind is BG else mbgnbd_fit
    fast = fit(frequency=x, recency=t_x, T=T)
    ref_params, ref_ll, ref_cov = _reference_bg_fit(data, kind)
    params = np.array([fast.params[k] for k in NAMES])
    se = np.array([fast.std_errors[k] for k in NAMES])
    assert fast.converged
    # Same optimum: the Newton fit is at least as high and within a sliver of an SE.
    assert fast.log_likelihood >= ref_ll - 1e-7 * abs(ref_ll)
    assert np.all(np.abs(params - ref_params) < 1e-2 * se)
    np.testing.assert_allclose(fast.covariance, ref_cov, rtol=1e-3, atol=1e-3 * np.abs(ref_cov).max())
    np.testing.assert_allclose(se, np.sqrt(np.diag(ref_cov)), rtol=1e-3)
    # And the reported log-likelihood is the reference one at the reported parameters.
    z = np.log(params)
    assert fast.log_likelihood == pytest.approx(-bg_family_nll_and_grad(z, data, **kind)[0], rel=1e-12)


def _gg_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.poisson(2.0, n).astype(np.float64)
    nu = rng.gamma(4.0, 1.0 / 15.0, n)
    m = np.where(x > 0, rng.gamma(6.0 * np.maximum(x, 1), 1.0 / (np.maximum(x, 1) * nu)), 0.0)
    return x, m


def _floats3(v: np.ndarray) -> tuple[float, float, float]:
    return float(v[0]), float(v[1]), float(v[2])


def test_gamma_gamma_objective_and_fit_equal_reference() -> None:
    x_all, m_all = _gg_data(8000, seed=3)
    keep = x_all > 0
    x, m = x_all[keep], m_all[keep]
    objective = GammaGammaObjective(x, m)
    for theta in ([6.0, 4.0, 15.0], [0.7, 1.5, 200.0]):
        z = np.log(theta)
        nll, grad = objective.value_and_gradient(z)
        assert -nll == pytest.approx(
            float(np.sum(_log_density(theta[0], theta[1], theta[2], x, m))), rel=1e-12
        )
        numeric_grad = optimize.approx_fprime(z, lambda v: objective.value_and_gradient(v)[0], 1e-7)
        np.testing.assert_allclose(grad, numeric_grad, rtol=1e-4, atol=1e-3)
        numeric = _hessian_from_gradient(
            lambda t: objective.value_and_gradient(np.log(t))[1] / t, np.asarray(theta)
        )
        np.testing.assert_allclose(objective.natural_hessian(np.asarray(theta)), numeric, rtol=1e-5)

    fast = gamma_gamma_fit(frequency=x_all, monetary_value=m_all)
    ref = fit_mle(
        negative_log_likelihood=lambda z: -float(np.sum(_log_density(*_floats3(np.exp(z)), x, m))),
        initial_log_params=np.log([1.0, 3.0, 2.0 * float(np.mean(m))]),
        names=("p", "q", "gamma"),
    )
    assert fast.converged
    assert fast.log_likelihood >= ref.log_likelihood - 1e-7 * abs(ref.log_likelihood)
    assert fast.log_likelihood == pytest.approx(
        gamma_gamma_log_likelihood(fast.params, frequency=x_all, monetary_value=m_all), rel=1e-12
    )
    for k in ("p", "q", "gamma"):
        assert abs(fast.params[k] - ref.params[k]) < 1e-2 * fast.std_errors[k]
        assert fast.std_errors[k] == pytest.approx(ref.std_errors[k], rel=1e-3)


def test_group_rfm_equals_sorting_every_row() -> None:
    rng = np.random.default_rng(4)
    for _ in range(50):
        n = int(rng.integers(1, 400))
        T = rng.choice([5.0, 7.0, 9.5], n)
        x = rng.integers(0, 4, n).astype(np.float64)
        # includes x = 0 rows with t_x > 0 (allowed input) next to the usual x = t_x = 0
        t_x = np.minimum(np.where(rng.random(n) < 0.3, 0.0, np.round(rng.random(n) * T)), T)
        got = group_rfm(frequency=x, recency=t_x, T=T)
        counts: dict[tuple[float, float, float], int] = defaultdict(int)
        for row in zip(x, t_x, T, strict=True):
            counts[row] += 1
        rows = sorted(counts)
        np.testing.assert_array_equal(got.x, [r[0] for r in rows])
        np.testing.assert_array_equal(got.t_x, [r[1] for r in rows])
        np.testing.assert_array_equal(got.T, [r[2] for r in rows])
        np.testing.assert_array_equal(got.weights, [counts[r] for r in rows])


def _rfm_by_loop(
    ids: np.ndarray, days: np.ndarray, amounts: np.ndarray, cal_end: int, obs_end: int
) -> dict[Any, tuple[float, float, float, float, float]]:
    """Per customer (frequency, recency, T, monetary, holdout days), written out directly."""
    per_day: dict[Any, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for c, d, a in zip(ids.tolist(), days.tolist(), amounts.tolist(), strict=True):
        if d <= obs_end:
            per_day[c][d] += a
    out: dict[Any, tuple[float, float, float, float, float]] = {}
    for c, spend in per_day.items():
        cal = sorted(d for d in spend if d <= cal_end)
        if not cal:
            continue
        x = len(cal) - 1
        repeat = sum(spend[d] for d in cal[1:])
        holdout = sum(1 for d in spend if d > cal_end)
        out[c] = (
            float(x),
            (cal[-1] - cal[0]) / 7,
            (cal_end - cal[0]) / 7,
            repeat / x if x else 0.0,
            float(holdout),
        )
    return out


@pytest.mark.parametrize("id_kind", ["compact", "sparse", "string"])
@pytest.mark.parametrize("split", [False, True])
def test_rfm_summary_equals_per_customer_loop(id_kind: str, split: bool) -> None:
    rng = np.random.default_rng(5)
    n = 3000
    raw = rng.integers(0, 300, n)
    ids = {"compact": raw + 1000, "sparse": raw * 10**12 - 7, "string": np.char.add("c", raw.astype(str))}[
        id_kind
    ]
    seconds = rng.integers(0, 200 * 86400, n)
    dates = np.datetime64("2025-01-01T00:00:00") + seconds.astype("timedelta64[s]")  # not day-typed
    amounts = np.round(rng.gamma(2.0, 20.0, n), 2)
    days = dates.astype("datetime64[D]").astype(np.int64)
    if split:
        cal, obs = np.datetime64("2025-04-01"), np.datetime64("2025-06-15")
        got = rfm_summary(
            customer_ids=ids, dates=dates, amounts=amounts, calibration_end=cal, observation_end=obs
        )
        cal_end, obs_end = int(cal.astype(np.int64)), int(obs.astype(np.int64))
    else:
        got = rfm_summary(customer_ids=ids, dates=dates, amounts=amounts)
        cal_end = obs_end = int(days.max())
    expected = _rfm_by_loop(ids, days, amounts, cal_end, obs_end)
    assert list(got.customer_ids) == sorted(expected)
    assert got.customer_ids.dtype == np.unique(ids).dtype
    rows = np.array([expected[c] for c in got.customer_ids.tolist()])
    np.testing.assert_array_equal(got.frequency, rows[:, 0])
    np.testing.assert_allclose(got.recency, rows[:, 1], rtol=1e-15)
    np.testing.assert_allclose(got.T, rows[:, 2], rtol=1e-15)
    np.testing.assert_allclose(got.monetary_value, rows[:, 3], rtol=1e-12, atol=1e-9)
    if split:
        assert got.frequency_holdout is not None
        np.testing.assert_array_equal(got.frequency_holdout, rows[:, 4])
    no_amounts = rfm_summary(customer_ids=ids, dates=dates)
    assert np.all(no_amounts.monetary_value == 0.0)


@pytest.mark.parametrize("hessian_ok", [True, False])
def test_fit_mle_newton_path_and_its_fallback(hessian_ok: bool) -> None:
    """Exponential rate: MLE n/sum(x), standard error rate/sqrt(n).  A Hessian that cannot be
    used (NaN) sends the fit back to L-BFGS-B, with the same answer."""
    data = np.random.default_rng(3).exponential(1.0 / 0.7, size=2000)
    n, total = data.size, float(data.sum())

    def value_and_gradient(z: np.ndarray) -> tuple[float, np.ndarray]:
        lam = float(np.exp(z[0]))
        return -(n * np.log(lam) - lam * total), np.array([-(n / lam - total) * lam])

    def natural_hessian(theta: np.ndarray) -> np.ndarray:
        return np.array([[n / theta[0] ** 2 if hessian_ok else np.nan]])

    res = fit_mle(
        negative_log_likelihood=lambda z: value_and_gradient(z)[0],
        value_and_gradient=value_and_gradient,
        natural_hessian=natural_hessian,
        initial_log_params=np.zeros(1),
        names=("l",),
    )
    assert res.converged
    assert res.params["l"] == pytest.approx(n / total, rel=1e-12 if hessian_ok else 1e-5)
    if hessian_ok:
        assert res.std_errors["l"] == pytest.approx((n / total) / np.sqrt(n), rel=1e-12)

"""Tests for analytics.clv.bgnbd (Fader, Hardie & Lee 2005)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import betaln, gammaln

from analytics.clv.bg_family import group_rfm
from analytics.clv.bgnbd import (
    bgnbd_conditional_expected_purchases,
    bgnbd_expected_purchases,
    bgnbd_fit,
    bgnbd_log_likelihood,
    bgnbd_p_alive,
)
from analytics.clv.hyp2f1 import safe_hyp2f1

TRUE = {"r": 0.5, "alpha": 6.0, "a": 1.5, "b": 4.0}


def simulate_bgnbd(
    n: int, params: dict[str, float], T: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Simulate (x, t_x) on (0, T]: exponential inter-purchase times, drop-out after each repeat."""
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    clock = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        clock = clock + rng.exponential(1.0 / lam)
        buy = alive & (clock <= T)
        x[buy] += 1
        t_x[buy] = clock[buy]
        alive = buy & (rng.random(n) >= p)
    return x, t_x


@pytest.fixture(scope="module")
def simulated() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20260123)
    T = rng.integers(26, 79, 4000).astype(np.float64)
    x, t_x = simulate_bgnbd(4000, TRUE, T, rng)
    return x, t_x, T


def test_parameter_recovery_within_three_standard_errors(simulated: tuple) -> None:
    x, t_x, T = simulated
    fit = bgnbd_fit(frequency=x, recency=t_x, T=T)
    assert fit.converged
    assert fit.n_customers == 4000
    for name, true in TRUE.items():
        se = fit.std_errors[name]
        assert np.isfinite(se) and se > 0
        assert abs(fit.params[name] - true) < 3 * se, (name, fit.params[name], se)
    assert fit.log_likelihood == pytest.approx(
        bgnbd_log_likelihood(fit.params, frequency=x, recency=t_x, T=T)
    )


def test_log_likelihood_matches_paper_formula_directly() -> None:
    r, alpha, a, b = TRUE.values()
    x = np.array([0.0, 1.0, 4.0, 12.0])
    t_x = np.array([0.0, 3.0, 20.0, 38.5])
    T = np.array([10.0, 30.0, 40.0, 39.0])
    base = np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha))
    term1 = np.exp(betaln(a, b + x) - betaln(a, b)) / (alpha + T) ** (r + x)
    term2 = np.where(
        x > 0,
        np.exp(betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b)) / (alpha + t_x) ** (r + x),
        0.0,
    )
    expected = float(np.sum(np.log(base * (term1 + term2))))
    got = bgnbd_log_likelihood(TRUE, frequency=x, recency=t_x, T=T)
    assert got == pytest.approx(expected, rel=1e-12)


def test_grouping_counts_duplicates() -> None:
    g = group_rfm(
        frequency=np.array([1.0, 1.0, 0.0]), recency=np.array([2.0, 2.0, 0.0]), T=np.array([5.0] * 3)
    )
    assert g.x.size == 2 and g.weights.sum() == 3
    with pytest.raises(ValueError):
        group_rfm(frequency=np.array([1.0]), recency=np.array([6.0]), T=np.array([5.0]))


def test_expected_purchases_against_simulation() -> None:
    rng = np.random.default_rng(11)
    T = np.full(200_000, 52.0)
    x, _ = simulate_bgnbd(200_000, TRUE, T, rng)
    expected = float(bgnbd_expected_purchases(TRUE, 52.0))
    assert x.mean() == pytest.approx(expected, abs=4 * x.std() / np.sqrt(x.size))


def test_expected_purchases_against_integration_over_p() -> None:
    """E[X(t)] = E_p[ (1/p) (1 - (alpha/(alpha+p t))^r) ] (FHL 2005, eq. 7 integrated over p)."""
    r, alpha, a, b = TRUE.values()
    t = 30.0

    def integrand(p: float) -> float:
        dens = np.exp((a - 1) * np.log(p) + (b - 1) * np.log1p(-p) - betaln(a, b))
        return float(dens * (1.0 - (alpha / (alpha + p * t)) ** r) / p)

    value, _ = quad(integrand, 0.0, 1.0, limit=200)
    assert float(bgnbd_expected_purchases(TRUE, t)) == pytest.approx(value, rel=1e-7)


def test_conditional_for_new_customer_equals_unconditional() -> None:
    ts = np.array([1.0, 10.0, 52.0, 200.0])
    np.testing.assert_allclose(
        bgnbd_conditional_expected_purchases(TRUE, ts, 0.0, 0.0, 0.0),
        bgnbd_expected_purchases(TRUE, ts),
        rtol=1e-12,
    )


def test_conditional_expectation_against_holdout_simulation() -> None:
    """Customers simulated over (0, 78]; the holdout (52, 78] count averaged over the customers
    with a given calibration history matches E[Y(26) | x, t_x, 52] on average."""
    rng = np.random.default_rng(5)
    n = 60_000
    x_all, _ = simulate_bgnbd(n, TRUE, np.full(n, 78.0), rng)
    rng = np.random.default_rng(5)
    x_cal, t_x = simulate_bgnbd(n, TRUE, np.full(n, 52.0), rng)
    holdout = x_all - x_cal
    predicted = bgnbd_conditional_expected_purchases(TRUE, 26.0, x_cal, t_x, np.full(n, 52.0))
    assert holdout.mean() == pytest.approx(predicted.mean(), abs=4 * holdout.std() / np.sqrt(n))


@settings(max_examples=60, deadline=None)
@given(
    r=st.floats(0.05, 5.0),
    alpha=st.floats(0.1, 50.0),
    a=st.floats(1.05, 5.0),
    b=st.floats(0.1, 20.0),
    t1=st.floats(0.0, 500.0),
    dt=st.floats(0.01, 500.0),
)
def test_expected_purchases_increasing_in_t(
    r: float, alpha: float, a: float, b: float, t1: float, dt: float
) -> None:
    params = {"r": r, "alpha": alpha, "a": a, "b": b}
    e1, e2 = bgnbd_expected_purchases(params, np.array([t1, t1 + dt]))
    assert np.isfinite(e1) and np.isfinite(e2)
    assert e2 >= e1 - 1e-9 * max(1.0, abs(e1))
    assert e1 >= -1e-12


@settings(max_examples=80, deadline=None)
@given(
    r=st.floats(0.05, 5.0),
    alpha=st.floats(0.1, 50.0),
    a=st.floats(1.05, 5.0),
    b=st.floats(0.1, 20.0),
    x=st.integers(0, 500),
    frac=st.floats(0.0, 1.0),
    T=st.floats(0.1, 1000.0),
)
def test_p_alive_and_conditional_are_finite_probabilities(
    r: float, alpha: float, a: float, b: float, x: int, frac: float, T: float
) -> None:
    params = {"r": r, "alpha": alpha, "a": a, "b": b}
    t_x = frac * T if x > 0 else 0.0
    p = bgnbd_p_alive(params, np.array([float(x)]), np.array([t_x]), np.array([T]))
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    if x == 0:
        assert p[0] == 1.0
    e = bgnbd_conditional_expected_purchases(
        params, np.array([1.0, 52.0]), np.array([float(x)]), np.array([t_x]), np.array([T])
    )
    assert np.all(np.isfinite(e)) and np.all(e >= -1e-9) and e[1] >= e[0] - 1e-9


def test_extreme_customer_no_overflow() -> None:
    x, t_x, T = np.array([500.0, 500.0]), np.array([1000.0, 10.0]), np.array([1000.0, 1000.0])
    p = bgnbd_p_alive(TRUE, x, t_x, T)
    e = bgnbd_conditional_expected_purchases(TRUE, 52.0, x, t_x, T)
    assert np.all(np.isfinite(p)) and np.all(np.isfinite(e))
    assert p[0] > 0.9 and p[1] < 1e-10
    ll = bgnbd_log_likelihood(TRUE, frequency=x, recency=t_x, T=T)
    assert np.isfinite(ll)
    fit = bgnbd_fit(
        frequency=np.array([500.0, 0.0, 3.0, 1.0, 0.0]),
        recency=np.array([990.0, 0.0, 30.0, 2.0, 0.0]),
        T=np.array([1000.0, 50.0, 60.0, 70.0, 1000.0]),
    )
    assert all(np.isfinite(v) for v in fit.params.values())


@pytest.mark.parametrize(
    ("a", "b", "c", "z"),
    [(1.0, 1.0, 101.0, 0.963), (3.95, 0.05, 4.05, 0.998), (0.5, 2.5, 3.7, 0.9), (-1.5, 2.5, 3.7, 0.9)],
)
def test_safe_hyp2f1_against_euler_integral(a: float, b: float, c: float, z: float) -> None:
    """Includes points where scipy's hyp2f1 alone returns inf or a negative value."""
    from scipy.special import gamma

    integral = quad(lambda t: t ** (b - 1) * (1 - t) ** (c - b - 1) * (1 - z * t) ** (-a), 0, 1, limit=200)[0]
    expected = gamma(c) / (gamma(b) * gamma(c - b)) * integral
    assert float(safe_hyp2f1(a, b, c, z)) == pytest.approx(expected, rel=1e-6)


def test_covariance_matches_standard_errors(simulated: tuple) -> None:
    x, t_x, T = simulated
    fit = bgnbd_fit(frequency=x, recency=t_x, T=T)
    assert fit.covariance.shape == (4, 4)
    np.testing.assert_allclose(
        np.sqrt(np.diag(fit.covariance)), [fit.std_errors[k] for k in fit.params], rtol=1e-12
    )

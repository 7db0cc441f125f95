"""Tests for analytics.clv.mbgnbd (Batislam, Denizel & Filiztekin 2007)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import betaln, gammaln

from analytics.clv.mbgnbd import (
    mbgnbd_conditional_expected_purchases,
    mbgnbd_expected_purchases,
    mbgnbd_fit,
    mbgnbd_log_likelihood,
    mbgnbd_p_alive,
)

TRUE = {"r": 0.5, "alpha": 6.0, "a": 1.5, "b": 4.0}


def simulate_mbgnbd(
    n: int, params: dict[str, float], T: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Like the BG/NBD, but the customer may also drop out right after the first purchase."""
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    clock = np.zeros(n)
    alive = rng.random(n) >= p
    while alive.any():
        clock = clock + rng.exponential(1.0 / lam)
        buy = alive & (clock <= T)
        x[buy] += 1
        t_x[buy] = clock[buy]
        alive = buy & (rng.random(n) >= p)
    return x, t_x


def test_parameter_recovery_within_three_standard_errors() -> None:
    rng = np.random.default_rng(77)
    T = rng.integers(26, 79, 5000).astype(np.float64)
    x, t_x = simulate_mbgnbd(5000, TRUE, T, rng)
    fit = mbgnbd_fit(frequency=x, recency=t_x, T=T)
    assert fit.converged
    for name, true in TRUE.items():
        se = fit.std_errors[name]
        assert np.isfinite(se) and se > 0
        assert abs(fit.params[name] - true) < 3 * se, (name, fit.params[name], se)
    assert fit.log_likelihood == pytest.approx(
        mbgnbd_log_likelihood(fit.params, frequency=x, recency=t_x, T=T)
    )


def test_log_likelihood_matches_formula_directly() -> None:
    r, alpha, a, b = TRUE.values()
    x = np.array([0.0, 1.0, 4.0])
    t_x = np.array([0.0, 3.0, 20.0])
    T = np.array([10.0, 30.0, 40.0])
    base = np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha))
    term1 = np.exp(betaln(a, b + x + 1) - betaln(a, b)) / (alpha + T) ** (r + x)
    term2 = np.exp(betaln(a + 1, b + x) - betaln(a, b)) / (alpha + t_x) ** (r + x)
    expected = float(np.sum(np.log(base * (term1 + term2))))
    assert mbgnbd_log_likelihood(TRUE, frequency=x, recency=t_x, T=T) == pytest.approx(expected)


def test_expected_purchases_against_simulation_and_integration() -> None:
    rng = np.random.default_rng(12)
    x, _ = simulate_mbgnbd(200_000, TRUE, np.full(200_000, 52.0), rng)
    expected = float(mbgnbd_expected_purchases(TRUE, 52.0))
    assert x.mean() == pytest.approx(expected, abs=4 * x.std() / np.sqrt(x.size))
    # E[X(t) | p] = (1-p)/p (1 - (alpha/(alpha + p t))^r), integrated over Beta(a, b)
    r, alpha, a, b = TRUE.values()

    def integrand(p: float) -> float:
        dens = np.exp((a - 1) * np.log(p) + (b - 1) * np.log1p(-p) - betaln(a, b))
        return float(dens * (1 - p) / p * (1.0 - (alpha / (alpha + p * 52.0)) ** r))

    assert expected == pytest.approx(quad(integrand, 0.0, 1.0, limit=200)[0], rel=1e-7)


def test_conditional_for_new_customer_equals_unconditional() -> None:
    ts = np.array([1.0, 10.0, 52.0])
    np.testing.assert_allclose(
        mbgnbd_conditional_expected_purchases(TRUE, ts, 0.0, 0.0, 0.0),
        mbgnbd_expected_purchases(TRUE, ts),
        rtol=1e-12,
    )


def test_conditional_expectation_against_holdout_simulation() -> None:
    n = 60_000
    rng = np.random.default_rng(9)
    x_all, _ = simulate_mbgnbd(n, TRUE, np.full(n, 78.0), rng)
    rng = np.random.default_rng(9)
    x_cal, t_x = simulate_mbgnbd(n, TRUE, np.full(n, 52.0), rng)
    predicted = mbgnbd_conditional_expected_purchases(TRUE, 26.0, x_cal, t_x, np.full(n, 52.0))
    holdout = x_all - x_cal
    assert holdout.mean() == pytest.approx(predicted.mean(), abs=4 * holdout.std() / np.sqrt(n))


@settings(max_examples=80, deadline=None)
@given(
    r=st.floats(0.05, 5.0),
    alpha=st.floats(0.1, 50.0),
    a=st.floats(1.05, 5.0),
    b=st.floats(0.1, 20.0),
    x=st.integers(0, 500),
    frac=st.floats(0.0, 1.0),
    T=st.floats(0.1, 1000.0),
    t1=st.floats(0.0, 300.0),
)
def test_properties(
    r: float, alpha: float, a: float, b: float, x: int, frac: float, T: float, t1: float
) -> None:
    params = {"r": r, "alpha": alpha, "a": a, "b": b}
    t_x = frac * T if x > 0 else 0.0
    p = mbgnbd_p_alive(params, np.array([float(x)]), np.array([t_x]), np.array([T]))
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    e = mbgnbd_conditional_expected_purchases(
        params, np.array([t1, t1 + 10.0]), np.array([float(x)]), np.array([t_x]), np.array([T])
    )
    assert np.all(np.isfinite(e)) and np.all(e >= -1e-9) and e[1] >= e[0] - 1e-9
    u = mbgnbd_expected_purchases(params, np.array([t1, t1 + 10.0]))
    assert np.all(np.isfinite(u)) and u[1] >= u[0] - 1e-9


def test_extreme_customer_no_overflow() -> None:
    x, t_x, T = np.array([500.0, 500.0]), np.array([1000.0, 10.0]), np.array([1000.0, 1000.0])
    assert np.all(np.isfinite(mbgnbd_p_alive(TRUE, x, t_x, T)))
    assert np.all(np.isfinite(mbgnbd_conditional_expected_purchases(TRUE, 52.0, x, t_x, T)))
    assert np.isfinite(mbgnbd_log_likelihood(TRUE, frequency=x, recency=t_x, T=T))

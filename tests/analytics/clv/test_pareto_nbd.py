"""Tests for analytics.clv.pareto_nbd (Schmittlein, Morrison & Colombo 1987; Fader & Hardie)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import gammaln

from analytics.clv.pareto_nbd import (
    pareto_nbd_conditional_expected_purchases,
    pareto_nbd_dert,
    pareto_nbd_expected_purchases,
    pareto_nbd_fit,
    pareto_nbd_log_likelihood,
    pareto_nbd_p_alive,
)

TRUE = {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 12.0}


def simulate_pareto_nbd(
    n: int, params: dict[str, float], T: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns (x, t_x, lifetime): Poisson purchases at rate lambda until min(lifetime, T)."""
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    mu = rng.gamma(params["s"], 1.0 / params["beta"], n)
    lifetime = rng.exponential(1.0 / mu)
    end = np.minimum(lifetime, T)
    x = rng.poisson(lam * end).astype(np.float64)
    t_x = np.where(x > 0, end * rng.random(n) ** (1.0 / np.maximum(x, 1.0)), 0.0)
    return x, t_x, lifetime


def _likelihood_by_quadrature(p: dict[str, float], x: float, t_x: float, T: float) -> float:
    """Fader & Hardie's note, written as an integral over the death time tau in (t_x, T]."""
    r, alpha, s, beta = p["r"], p["alpha"], p["s"], p["beta"]
    c = np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta))
    alive = 1.0 / ((alpha + T) ** (r + x) * (beta + T) ** s)
    dead = quad(
        lambda u: s * (alpha + u) ** -(r + x) * (beta + u) ** -(s + 1.0),
        t_x,
        T,
        epsabs=0.0,
        epsrel=1e-11,
    )[0]
    return float(np.log(c * (alive + dead)))


@pytest.mark.parametrize(
    "params",
    [
        TRUE,
        {"r": 0.55, "alpha": 12.0, "s": 0.6, "beta": 10.5},
        {"r": 2.0, "alpha": 3.0, "s": 1.0, "beta": 3.0},
    ],
)
def test_log_likelihood_both_hypergeometric_branches_match_quadrature(
    params: dict[str, float],
) -> None:
    rows = [(0.0, 0.0, 30.0), (3.0, 10.0, 30.0), (20.0, 29.0, 40.0), (2.0, 5.0, 5.5)]
    for x, t_x, T in rows:
        got = pareto_nbd_log_likelihood(
            params, frequency=np.array([x]), recency=np.array([t_x]), T=np.array([T])
        )
        assert got == pytest.approx(_likelihood_by_quadrature(params, x, t_x, T), rel=1e-9)


def test_parameter_recovery_within_three_standard_errors() -> None:
    rng = np.random.default_rng(2026)
    T = rng.uniform(30.0, 78.0, 5000)
    x, t_x, _ = simulate_pareto_nbd(5000, TRUE, T, rng)
    fit = pareto_nbd_fit(frequency=x, recency=t_x, T=T)
    assert fit.converged
    for name, true in TRUE.items():
        se = fit.std_errors[name]
        assert np.isfinite(se) and se > 0
        assert abs(fit.params[name] - true) < 3 * se, (name, fit.params[name], se)


def test_expected_purchases_against_simulation() -> None:
    rng = np.random.default_rng(4)
    x, _, _ = simulate_pareto_nbd(300_000, TRUE, np.full(300_000, 52.0), rng)
    expected = float(pareto_nbd_expected_purchases(TRUE, 52.0))
    assert x.mean() == pytest.approx(expected, abs=4 * x.std() / np.sqrt(x.size))


def test_p_alive_against_simulation() -> None:
    """Mean P(alive) over simulated customers equals the share actually alive at T."""
    rng = np.random.default_rng(8)
    n = 100_000
    T = np.full(n, 52.0)
    x, t_x, lifetime = simulate_pareto_nbd(n, TRUE, T, rng)
    p = pareto_nbd_p_alive(TRUE, x, t_x, T)
    alive = (lifetime > T).astype(np.float64)
    assert p.mean() == pytest.approx(alive.mean(), abs=4 * alive.std() / np.sqrt(n))
    # and within the customers with no repeat purchase
    zero = x == 0
    assert p[zero].mean() == pytest.approx(alive[zero].mean(), abs=0.01)


def test_dert_matches_discounted_integral_of_conditional_expectation() -> None:
    """DERT = integral of e^(-delta t) dE[Y(t)] = delta * integral of e^(-delta t) E[Y(t)] dt."""
    weekly = (1.10) ** (1 / 52) - 1.0
    delta = float(np.log1p(weekly))
    for x, t_x, T in [(0.0, 0.0, 50.0), (4.0, 30.0, 50.0), (10.0, 49.0, 52.0)]:
        dert = float(
            pareto_nbd_dert(TRUE, delta=delta, frequency=np.array(x), recency=np.array(t_x), T=np.array(T))
        )
        numeric = (
            delta
            * quad(
                lambda t, x=x, t_x=t_x, T=T: (
                    np.exp(-delta * t)
                    * float(
                        pareto_nbd_conditional_expected_purchases(
                            TRUE, t, np.array(x), np.array(t_x), np.array(T)
                        )
                    )
                ),
                0.0,
                np.inf,
                limit=500,
            )[0]
        )
        assert dert == pytest.approx(numeric, rel=1e-6)
    with pytest.raises(ValueError):
        pareto_nbd_dert(
            TRUE, delta=0.0, frequency=np.array([1.0]), recency=np.array([1.0]), T=np.array([2.0])
        )


@settings(max_examples=80, deadline=None)
@given(
    r=st.floats(0.05, 5.0),
    alpha=st.floats(0.1, 50.0),
    s=st.floats(0.05, 5.0),
    beta=st.floats(0.1, 50.0),
    x=st.integers(0, 500),
    frac=st.floats(0.0, 1.0),
    T=st.floats(0.1, 1000.0),
    t1=st.floats(0.0, 300.0),
)
def test_properties(
    r: float, alpha: float, s: float, beta: float, x: int, frac: float, T: float, t1: float
) -> None:
    params = {"r": r, "alpha": alpha, "s": s, "beta": beta}
    t_x = frac * T if x > 0 else 0.0
    xs, txs, Ts = np.array([float(x)]), np.array([t_x]), np.array([T])
    p = pareto_nbd_p_alive(params, xs, txs, Ts)
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    e = pareto_nbd_conditional_expected_purchases(params, np.array([t1, t1 + 10.0]), xs, txs, Ts)
    assert np.all(np.isfinite(e)) and np.all(e >= 0) and e[1] >= e[0] * (1 - 1e-12)
    u = pareto_nbd_expected_purchases(params, np.array([t1, t1 + 10.0]))
    assert np.all(np.isfinite(u)) and u[1] >= u[0] * (1 - 1e-12)
    d = pareto_nbd_dert(params, delta=0.002, frequency=xs, recency=txs, T=Ts)
    assert np.all(np.isfinite(d)) and np.all(d >= 0)
    ll = pareto_nbd_log_likelihood(params, frequency=xs, recency=txs, T=Ts)
    assert np.isfinite(ll)


def test_extreme_customer_no_overflow() -> None:
    x, t_x, T = np.array([500.0, 500.0]), np.array([1000.0, 10.0]), np.array([1000.0, 1000.0])
    p = pareto_nbd_p_alive(TRUE, x, t_x, T)
    assert np.all(np.isfinite(p)) and p[0] > 0.9 and p[1] < 1e-10
    assert np.all(np.isfinite(pareto_nbd_conditional_expected_purchases(TRUE, 52.0, x, t_x, T)))
    assert np.all(np.isfinite(pareto_nbd_dert(TRUE, delta=0.002, frequency=x, recency=t_x, T=T)))
    assert np.isfinite(pareto_nbd_log_likelihood(TRUE, frequency=x, recency=t_x, T=T))


@pytest.mark.parametrize("s", [0.05, 0.6, 1.0, 2.5, 4.999999999999999, 5.0])
@pytest.mark.parametrize("big_b", [1.0, 50.0, 1000.0])
def test_dert_hypergeometric_factor_against_quadrature(s: float, big_b: float) -> None:
    """(beta+T)^s delta^(s-1) U(s, s; delta(beta+T)) = E[1/(delta + mu)], mu ~ Gamma(s, beta+T),
    = int_0^inf e^(-delta u) ((beta+T)/(beta+T+u))^s du."""
    delta = 0.002
    params = {"r": 1.0, "alpha": 1.0, "s": s, "beta": big_b}
    # x = 0, t_x = T = 0: P(alive) = 1 and (r+x)/(alpha+T) = 1, so DERT is the factor itself.
    got = float(
        pareto_nbd_dert(params, delta=delta, frequency=np.array(0.0), recency=np.array(0.0), T=np.array(0.0))
    )
    numeric = quad(lambda u: np.exp(-delta * u) * (big_b / (big_b + u)) ** s, 0.0, np.inf, limit=500)[0]
    assert got == pytest.approx(numeric, rel=1e-7)

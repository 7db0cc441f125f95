"""Point values, draws and book intervals of :mod:`analytics.clv.value` (and the sBG contract value)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from analytics.clv.bgnbd import (
    bgnbd_conditional_expected_purchases,
    bgnbd_expected_purchases,
    bgnbd_p_alive,
)
from analytics.clv.value import (
    bgnbd_book_value,
    bgnbd_expected_cumulative,
    bgnbd_new_customer_value,
    bgnbd_value_draws,
    book_interval,
    log_covariance_from_natural,
    sbg_contract_value,
    sbg_value_draws,
)
from analytics.clv.value_quadrature import CHEBYSHEV_NODES, posterior_expectation

P = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
G = {"p": 6.0, "q": 4.0, "gamma": 15.0}
DISCOUNT = 0.1
DELTA = np.log1p(DISCOUNT) / 52.0


def _book(params: dict[str, float], x: float, t_x: float, T: float, discount: float = DISCOUNT) -> float:
    bv = bgnbd_book_value(
        params=params,
        spend_params=G,
        frequency=np.array([x]),
        recency=np.array([t_x]),
        T=np.array([T]),
        monetary=np.array([10.0]),
        annual_discount=discount,
    )
    return float(bv.discounted_transactions[0])


@pytest.mark.parametrize(
    ("params", "x", "t_x", "T"),
    [
        (P, 0, 0.0, 30.0),
        (P, 1, 20.0, 50.0),
        (P, 5, 40.0, 60.0),
        (P, 20, 80.0, 100.0),
        ({"r": 2.0, "alpha": 10.0, "a": 1.5, "b": 0.5}, 3, 10.0, 52.0),
        ({"r": 0.05, "alpha": 0.5, "a": 0.3, "b": 5.0}, 2, 5.0, 26.0),
    ],
)
def test_quadrature_matches_monte_carlo(params: dict[str, float], x: int, t_x: float, T: float) -> None:
    rng = np.random.default_rng(1)
    n = 2_000_000
    lam = rng.gamma(params["r"] + x, 1.0 / (params["alpha"] + T), n)
    p = rng.beta(params["a"], params["b"] + x, n)
    sample = lam / (p * lam + DELTA)
    per_alive = posterior_expectation(
        kind="discounted",
        params=(params["r"], params["alpha"], params["a"], params["b"]),
        x=np.array([float(x)]),
        s=np.array([DELTA * (params["alpha"] + T)]),
    )[0]
    assert abs(per_alive - sample.mean()) < 4.0 * sample.std() / np.sqrt(n)
    # and the quadrature itself is converged to far below the Monte Carlo error
    assert abs(per_alive - sample.mean()) / sample.mean() < 5e-3


def test_matches_brute_force_simulation_of_the_process() -> None:
    """Simulate alive / lambda / p from the posterior, then every future purchase and drop-out."""
    rng = np.random.default_rng(2)
    x, t_x, T, discount = 4, 30.0, 52.0, 0.5
    delta = np.log1p(discount) / 52.0
    expected = _book(P, x, t_x, T, discount)
    n = 200_000
    log_odds = np.log(P["a"] / (P["b"] + x - 1.0)) + (P["r"] + x) * np.log(
        (P["alpha"] + T) / (P["alpha"] + t_x)
    )
    alive = rng.random(n) < 1.0 / (1.0 + np.exp(log_odds))
    lam = rng.gamma(P["r"] + x, 1.0 / (P["alpha"] + T), n)
    p = rng.beta(P["a"], P["b"] + x, n)
    clock = np.zeros(n)
    total = np.zeros(n)
    going = alive.copy()
    for _ in range(5_000):
        if not going.any():
            break
        idx = np.flatnonzero(going)
        clock[idx] += rng.exponential(1.0 / lam[idx])
        total[idx] += np.exp(-delta * clock[idx])
        stop = (rng.random(idx.size) < p[idx]) | (delta * clock[idx] > 40.0)
        going[idx[stop]] = False
    assert not going.any()
    se = total.std() / np.sqrt(n)
    assert abs(total.mean() - expected) < 4.0 * se


def test_chebyshev_path_equals_direct_path() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, 2_000).astype(float)
    s = DELTA * (P["alpha"] + rng.uniform(0.5, 300.0, x.size))  # many distinct s -> interpolated
    assert np.unique(s).size > 6 * CHEBYSHEV_NODES
    fast = posterior_expectation(kind="discounted", params=(0.25, 4.0, 0.8, 2.5), x=x, s=s)
    direct = np.array(
        [
            posterior_expectation(
                kind="discounted", params=(0.25, 4.0, 0.8, 2.5), x=x[i : i + 1], s=s[i : i + 1]
            )[0]
            for i in range(0, x.size, 97)
        ]
    )
    np.testing.assert_allclose(fast[::97], direct, rtol=1e-8)


def test_book_value_fields_and_closed_forms() -> None:
    x = np.array([0.0, 2.0, 7.0, 30.0])
    t_x = np.array([0.0, 10.0, 50.0, 60.0])
    T = np.array([40.0, 40.0, 60.0, 61.0])
    m = np.array([0.0, 12.0, 20.0, 25.0])
    bv = bgnbd_book_value(
        params=P, spend_params=G, frequency=x, recency=t_x, T=T, monetary=m, annual_discount=0.1
    )
    np.testing.assert_allclose(
        bv.expected_transactions, bgnbd_conditional_expected_purchases(P, 52.0, x, t_x, T)
    )
    assert bv.expected_spend[0] == pytest.approx(6.0 * 15.0 / 3.0)
    np.testing.assert_allclose(bv.residual, bv.discounted_transactions * bv.expected_spend)
    assert bv.p_alive[0] == 1.0 and np.all(bv.p_alive <= 1.0)
    # the infinite-horizon discounted count exceeds a one-year undiscounted... only for long-lived
    # customers; it is always below the undiscounted count over a very long horizon
    long_run = bgnbd_conditional_expected_purchases(P, 52.0 * 300, x, t_x, T)
    assert np.all(bv.discounted_transactions < long_run)


def test_horizon_quadrature_matches_closed_form() -> None:
    x = np.array([0.0, 3.0, 12.0])
    T = np.array([30.0, 52.0, 80.0])
    quad = posterior_expectation(kind="horizon", params=(0.25, 4.0, 0.8, 2.5), x=x, s=52.0 / (4.0 + T))
    closed = bgnbd_conditional_expected_purchases(P, 52.0, x, T, T)
    np.testing.assert_allclose(quad * bgnbd_p_alive(P, x, T, T), closed, rtol=1e-6)


def test_a_equal_one_uses_quadrature_not_nan() -> None:
    near = {**P, "a": 1.0 + 1e-4}
    exact = {**P, "a": 1.0}
    args: dict[str, Any] = {
        "frequency": np.array([0.0, 3.0]),
        "recency": np.array([0.0, 20.0]),
        "T": np.array([30.0, 40.0]),
    }
    got = bgnbd_book_value(
        params=exact, spend_params=G, monetary=np.array([0.0, 9.0]), annual_discount=0.1, **args
    )
    ref = bgnbd_conditional_expected_purchases(near, 52.0, args["frequency"], args["recency"], args["T"])
    np.testing.assert_allclose(got.expected_transactions, ref, rtol=1e-3)
    cum = bgnbd_expected_cumulative(params=exact, birth_weeks=np.array([0.0]), weeks=np.array([10.0, 50.0]))
    np.testing.assert_allclose(cum, bgnbd_expected_purchases(near, np.array([10.0, 50.0])), rtol=1e-3)


def test_monotone_in_discount_rate() -> None:
    values = [_book(P, 3, 30.0, 52.0, d) for d in (0.02, 0.05, 0.1, 0.2, 0.5)]
    assert all(a > b for a, b in itertools.pairwise(values))


@pytest.mark.parametrize(
    "params",
    [
        P,
        {"r": 0.25, "alpha": 4.0, "a": 1e-9, "b": 2.5},
        {"r": 1e-9, "alpha": 4.0, "a": 0.8, "b": 2.5},
        {"r": 0.25, "alpha": 1e-6, "a": 0.8, "b": 1e-6},
        {"r": 50.0, "alpha": 1e4, "a": 200.0, "b": 1e5},
    ],
)
def test_extreme_inputs_stay_finite(params: dict[str, float]) -> None:
    x = np.array([0.0, 500.0, 500.0, 1.0, 0.0, 300.0])
    T = np.array([1e-3, 1.0, 5000.0, 5000.0, 0.0, 0.5])
    t_x = np.array([0.0, 0.9, 4999.0, 1.0, 0.0, 0.0])
    m = np.array([0.0, 0.0, 1e6, 0.0, 0.0, 5.0])
    bv = bgnbd_book_value(
        params=params, spend_params=G, frequency=x, recency=t_x, T=T, monetary=m, annual_discount=0.1
    )
    for arr in (bv.p_alive, bv.expected_transactions, bv.discounted_transactions, bv.residual):
        assert np.all(np.isfinite(arr)) and np.all(arr >= 0)
    draws = bgnbd_value_draws(
        params=params,
        covariance=None,
        spend_params=G,
        spend_covariance=None,
        frequency=x,
        recency=t_x,
        T=T,
        monetary=m,
        annual_discount=0.1,
        draws=50,
        rng=np.random.default_rng(0),
    )
    assert np.all(np.isfinite(draws)) and np.all(draws >= 0)


@settings(max_examples=60, deadline=None)
@given(
    r=st.floats(0.01, 20.0),
    alpha=st.floats(0.1, 200.0),
    a=st.floats(0.01, 20.0),
    b=st.floats(0.01, 50.0),
    x=st.integers(0, 400),
    T=st.floats(0.1, 400.0),
    frac=st.floats(0.0, 1.0),
    d=st.floats(0.001, 1.0),
)
def test_discounted_count_bounds(
    r: float, alpha: float, a: float, b: float, x: int, T: float, frac: float, d: float
) -> None:
    """0 <= value <= P(alive) E[lambda] / delta (no drop-out ever) and finite everywhere."""
    params = {"r": r, "alpha": alpha, "a": a, "b": b}
    t_x = T * frac if x > 0 else 0.0
    bv = bgnbd_book_value(
        params=params,
        spend_params=G,
        frequency=np.array([float(x)]),
        recency=np.array([t_x]),
        T=np.array([T]),
        monetary=np.array([5.0]),
        annual_discount=d,
    )
    delta = np.log1p(d) / 52.0
    value = float(bv.discounted_transactions[0])
    assert np.isfinite(value) and value >= 0
    assert value <= float(bv.p_alive[0]) * (r + x) / (alpha + T) / delta * (1 + 1e-6)


def test_draws_average_to_point_value_without_parameter_uncertainty() -> None:
    x = np.array([0.0, 2.0, 9.0])
    t_x = np.array([0.0, 30.0, 45.0])
    T = np.array([40.0, 52.0, 60.0])
    m = np.array([0.0, 14.0, 30.0])
    bv = bgnbd_book_value(
        params=P, spend_params=G, frequency=x, recency=t_x, T=T, monetary=m, annual_discount=0.1
    )
    draws = bgnbd_value_draws(
        params=P,
        covariance=np.empty((0, 0)),
        spend_params=G,
        spend_covariance=[],
        frequency=np.repeat(x, 20_000),
        recency=np.repeat(t_x, 20_000),
        T=np.repeat(T, 20_000),
        monetary=np.repeat(m, 20_000),
        annual_discount=0.1,
        draws=50,
        rng=np.random.default_rng(4),
    ).reshape(3, -1)
    se = draws.std(axis=1) / np.sqrt(draws.shape[1])
    assert np.all(np.abs(draws.mean(axis=1) - bv.residual) < 4.0 * se)


def test_draws_are_reproducible_and_shaped() -> None:
    kwargs: dict[str, Any] = {
        "params": P,
        "covariance": np.eye(4) * 0.01,
        "spend_params": G,
        "spend_covariance": np.eye(3) * 0.01,
        "frequency": np.array([0.0, 1.0, 4.0]),
        "recency": np.array([0.0, 3.0, 20.0]),
        "T": np.array([10.0, 20.0, 30.0]),
        "monetary": np.array([0.0, 5.0, 8.0]),
        "annual_discount": 0.1,
        "draws": 7,
    }
    one = bgnbd_value_draws(rng=np.random.default_rng(5), **kwargs)
    two = bgnbd_value_draws(rng=np.random.default_rng(5), **kwargs)
    assert one.shape == (3, 7)
    np.testing.assert_array_equal(one, two)


def test_new_customer_value() -> None:
    rng = np.random.default_rng(6)
    n = 2_000_000
    lam = rng.gamma(P["r"], 1.0 / P["alpha"], n)
    p = rng.beta(P["a"], P["b"], n)
    sample = lam / (p * lam + DELTA)
    value = bgnbd_new_customer_value(
        params=P, spend_params=G, first_purchase_margin=12.0, annual_discount=0.1
    )
    mean_spend = 6.0 * 15.0 / 3.0
    assert abs((value - 12.0) / mean_spend - sample.mean()) < 4.0 * sample.std() / np.sqrt(n)


def test_expected_cumulative_is_the_cohort_sum() -> None:
    births = np.array([0.0, 0.0, 3.5, 10.0, 20.0])
    weeks = np.array([0.0, 5.0, 15.0, 40.0])
    got = bgnbd_expected_cumulative(params=P, birth_weeks=births, weeks=weeks)
    want = [sum(float(bgnbd_expected_purchases(P, w - b)) for b in births if w > b) for w in weeks]
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert got[0] == 0.0


def test_book_interval_quantiles() -> None:
    draws = np.tile(np.arange(101, dtype=float), (3, 1))  # 3 customers, draws 0..100
    weights = sparse.csr_matrix(np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 1.0]]))
    mean, low, high = book_interval(weights=weights, draws=draws, level=0.9)
    np.testing.assert_allclose(mean, [50.0, 100.0])
    np.testing.assert_allclose(low, [5.0, 10.0])
    np.testing.assert_allclose(high, [95.0, 190.0])
    with pytest.raises(ValueError):
        book_interval(weights=weights, draws=draws, level=1.5)


def test_log_covariance_from_natural() -> None:
    cov = log_covariance_from_natural(
        params={"a": 2.0, "b": 4.0}, covariance=np.array([[0.4, 0.8], [0.8, 3.2]])
    )
    np.testing.assert_allclose(cov, [[0.1, 0.1], [0.1, 0.2]])
    assert log_covariance_from_natural(params={"a": 1.0}, covariance=np.empty((0, 0))).size == 0


def test_sbg_contract_value_matches_sum_and_draws() -> None:
    params = {"alpha": 0.7, "beta": 3.5}
    renewals = np.array([0, 3, 10, 2])
    active = np.array([True, True, True, False])
    weeks = np.array([4.0, 4.0, 52.0, 4.0])
    margin = np.array([100.0, 100.0, 1200.0, 100.0])
    cv = sbg_contract_value(
        params=params,
        renewals=renewals,
        active=active,
        period_weeks=weeks,
        margin_per_period=margin,
        annual_discount=0.1,
    )
    assert cv.p_renew[3] == 0.0 and cv.residual[3] == 0.0
    assert cv.p_renew[1] == pytest.approx(6.5 / 7.2)
    # direct sum: margin sum_{k>=1} S(n+k)/S(n) / (1+d_p)^k,
    # S(n+k)/S(n) = prod_j (beta+n+j-1)/(alpha+beta+n+j-1)
    for i in range(3):
        d_p = 1.1 ** (weeks[i] / 52.0) - 1.0
        k = np.arange(1, 3_000)
        ratio = np.cumprod(
            (params["beta"] + renewals[i] + k - 1) / (params["alpha"] + params["beta"] + renewals[i] + k - 1)
        )
        assert cv.residual[i] == pytest.approx(margin[i] * np.sum(ratio / (1 + d_p) ** k), rel=1e-8)
    draws = sbg_value_draws(
        params=params,
        covariance=None,
        renewals=np.repeat(renewals, 50_000),
        active=np.repeat(active, 50_000),
        period_weeks=np.repeat(weeks, 50_000),
        margin_per_period=np.repeat(margin, 50_000),
        annual_discount=0.1,
        draws=4,
        rng=np.random.default_rng(8),
    ).reshape(4, -1)
    se = draws.std(axis=1) / np.sqrt(draws.shape[1]) + 1e-12
    assert np.all(np.abs(draws.mean(axis=1) - cv.residual) <= 4.0 * se)

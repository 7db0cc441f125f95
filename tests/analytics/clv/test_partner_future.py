"""Future value of the customers a partner will still source (:mod:`analytics.clv.partner_future`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.clv.partner_future import (
    FutureValue,
    partner_future_draws,
    partner_future_value,
    partner_prior_from_rates,
)

SURV = {"alpha": 1.5, "beta": 6.0}
PERIOD = 13.0
DISCOUNT = 0.1
DELTA = np.log1p(DISCOUNT) / 52.0


def _value(**overrides: Any) -> FutureValue:
    kwargs: dict[str, Any] = {
        "survival_params": SURV,
        "period_weeks": PERIOD,
        "periods_survived": np.array([0, 4, 10, 3]),
        "active": np.array([True, True, True, False]),
        "sourced_customers": np.array([0, 5, 30, 8]),
        "tenure_weeks": np.array([0.0, 52.0, 130.0, 39.0]),
        "new_customer_value": np.array([200.0, 200.0, 150.0, 200.0]),
        "annual_discount": DISCOUNT,
        "prior_shape": 2.0,
        "prior_rate": 20.0,
    }
    kwargs.update(overrides)
    return partner_future_value(**kwargs)


def test_fields_against_direct_sums() -> None:
    fv = _value()
    np.testing.assert_allclose(fv.rate_per_week, [2 / 20, 7 / 72, 32 / 150, 10 / 59])
    assert fv.expected[3] == 0.0 and fv.expected_remaining_weeks[3] == 0.0
    assert fv.discounted_remaining_weeks[3] == 0.0
    z = np.exp(-DELTA * PERIOD)
    for i, n in enumerate([0, 4, 10]):
        k = np.arange(0, 5_000)
        # P(K > k | n) = S(n + k) / S(n) for the sBG
        ratio = np.concatenate(
            [
                [1.0],
                np.cumprod((SURV["beta"] + n + k[1:] - 1) / (SURV["alpha"] + SURV["beta"] + n + k[1:] - 1)),
            ]
        )
        want_disc = (1 - z) / DELTA * np.sum(ratio * z**k)
        assert fv.discounted_remaining_weeks[i] == pytest.approx(want_disc, rel=1e-8)
        assert fv.expected_remaining_weeks[i] == pytest.approx(
            PERIOD * (SURV["alpha"] + SURV["beta"] + n - 1) / 0.5
        )
    np.testing.assert_allclose(
        fv.expected, fv.rate_per_week * fv.discounted_remaining_weeks * np.array([200.0, 200.0, 150.0, 0.0])
    )


def test_heavy_tailed_lifetime_is_infinite_but_discounted_finite() -> None:
    fv = _value(survival_params={"alpha": 0.6, "beta": 2.0})
    assert np.all(np.isinf(fv.expected_remaining_weeks[:3]))
    assert np.all(np.isfinite(fv.discounted_remaining_weeks)) and np.all(np.isfinite(fv.expected))
    # discounting caps the remaining weeks at the perpetuity (1 - z)/delta / (1 - z) = 1/delta
    assert np.all(fv.discounted_remaining_weeks < 1.0 / DELTA)


def test_brute_force_simulation_of_a_partner() -> None:
    """Simulate theta, the sourcing rate, the remaining periods and every sourced customer."""
    rng = np.random.default_rng(21)
    n = 200_000
    periods, sourced, tenure = 4, 6, 52.0
    fv = _value(
        periods_survived=np.array([periods]),
        active=np.array([True]),
        sourced_customers=np.array([sourced]),
        tenure_weeks=np.array([tenure]),
        new_customer_value=np.array([1.0]),
        annual_discount=0.5,
    )
    delta = np.log1p(0.5) / 52.0
    theta = rng.beta(SURV["alpha"], SURV["beta"] + periods, n)
    lam = rng.gamma(2.0 + sourced, 1.0 / (20.0 + tenure), n)
    remaining = rng.geometric(theta) * PERIOD  # active for K periods, K >= 1
    # customers arrive as Poisson(lam) on (0, remaining): PV = sum exp(-delta t_j)
    count = rng.poisson(lam * remaining)
    u = rng.random(int(count.sum()))
    owner = np.repeat(np.arange(n), count)
    pv = np.bincount(owner, weights=np.exp(-delta * u * remaining[owner]), minlength=n)
    se = pv.std() / np.sqrt(n)
    assert abs(pv.mean() - fv.expected[0]) < 4.0 * se


def test_draws_average_to_point_value() -> None:
    fv = _value()
    draws = partner_future_draws(
        survival_params=SURV,
        covariance=None,
        period_weeks=PERIOD,
        periods_survived=np.repeat([0, 4, 10, 3], 50_000),
        active=np.repeat([True, True, True, False], 50_000),
        sourced_customers=np.repeat([0, 5, 30, 8], 50_000),
        tenure_weeks=np.repeat([0.0, 52.0, 130.0, 39.0], 50_000),
        new_customer_value=np.repeat([200.0, 200.0, 150.0, 200.0], 50_000),
        annual_discount=DISCOUNT,
        prior_shape=2.0,
        prior_rate=20.0,
        draws=4,
        rng=np.random.default_rng(3),
    ).reshape(4, -1)
    se = draws.std(axis=1) / np.sqrt(draws.shape[1]) + 1e-12
    assert np.all(np.abs(draws.mean(axis=1) - fv.expected) <= 4.0 * se)
    assert np.all(draws[3] == 0.0)


def test_prior_recovers_population() -> None:
    rng = np.random.default_rng(5)
    rate = rng.gamma(2.0, 1.0 / 20.0, 5_000)
    tenure = rng.uniform(13.0, 200.0, rate.size)
    sourced = rng.poisson(rate * tenure)
    shape, prior_rate = partner_prior_from_rates(sourced_customers=sourced, tenure_weeks=tenure)
    assert shape / prior_rate == pytest.approx(0.1, rel=0.05)
    assert shape == pytest.approx(2.0, rel=0.2)


def test_prior_fallbacks() -> None:
    shape, rate = partner_prior_from_rates(
        sourced_customers=np.array([3, 1]), tenure_weeks=np.array([10.0, 30.0])
    )
    assert shape == 0.5 and shape / rate == pytest.approx(4 / 40)
    shape, rate = partner_prior_from_rates(
        sourced_customers=np.zeros(3), tenure_weeks=np.array([10.0, 0.0, 5.0])
    )
    assert shape == 0.5 and np.isfinite(rate) and rate > 0
    # identical rates: no measurable heterogeneity -> strong but finite prior
    shape, rate = partner_prior_from_rates(sourced_customers=np.full(20, 10), tenure_weeks=np.full(20, 100.0))
    assert shape == pytest.approx(100.0) and shape / rate == pytest.approx(0.1)


@settings(max_examples=40, deadline=None)
@given(
    alpha=st.floats(0.05, 50.0),
    beta=st.floats(0.05, 200.0),
    n=st.integers(0, 500),
    d=st.floats(0.001, 2.0),
    period=st.floats(1.0, 104.0),
)
def test_discounted_weeks_between_one_period_and_perpetuity(
    alpha: float, beta: float, n: int, d: float, period: float
) -> None:
    fv = _value(
        survival_params={"alpha": alpha, "beta": beta},
        period_weeks=period,
        periods_survived=np.array([n]),
        active=np.array([True]),
        sourced_customers=np.array([1]),
        tenure_weeks=np.array([10.0]),
        new_customer_value=np.array([1.0]),
        annual_discount=d,
    )
    delta = np.log1p(d) / 52.0
    one_period = -np.expm1(-delta * period) / delta
    weeks = float(fv.discounted_remaining_weeks[0])
    assert one_period * (1 - 1e-9) <= weeks <= (1.0 / delta) * (1 + 1e-9)
    assert np.isfinite(fv.expected[0]) and fv.expected[0] >= 0

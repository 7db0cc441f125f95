"""Discount-rate conversions and discounted values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.clv.discount import (
    clv_from_expectations,
    clv_over_horizon,
    continuous_weekly_rate,
    discounted_value,
    period_rate,
    weekly_rate,
)


def test_weekly_rate_compounds_to_the_annual_rate() -> None:
    r = weekly_rate(0.10)
    assert r == pytest.approx(1.1 ** (1 / 52) - 1, rel=1e-12)
    assert (1 + r) ** 52 == pytest.approx(1.10, rel=1e-12)
    assert period_rate(0.10, 12) == pytest.approx(1.1 ** (1 / 12) - 1, rel=1e-12)
    assert period_rate(0.10, 1) == pytest.approx(0.10)
    assert weekly_rate(0.0) == 0.0


def test_continuous_weekly_rate() -> None:
    delta = continuous_weekly_rate(0.10)
    assert delta == pytest.approx(math.log(1.1) / 52)
    assert math.exp(52 * delta) == pytest.approx(1.1)
    # the continuous rate is the log of one plus the discrete weekly rate
    assert delta == pytest.approx(math.log1p(weekly_rate(0.10)))


def test_bad_rates() -> None:
    with pytest.raises(ValueError):
        weekly_rate(-1.0)
    with pytest.raises(ValueError):
        period_rate(0.1, 0)
    with pytest.raises(ValueError):
        continuous_weekly_rate(float("nan"))


def test_discounted_value() -> None:
    flows = np.array([100.0, 100.0, 100.0])
    expected = 100 / 1.1 + 100 / 1.1**2 + 100 / 1.1**3
    assert discounted_value(cash_flows=flows, rate=0.1) == pytest.approx(expected)
    assert discounted_value(cash_flows=flows, rate=0.1, start_period=0) == pytest.approx(expected * 1.1)
    assert discounted_value(cash_flows=np.array([]), rate=0.1) == 0.0


def test_clv_from_expectations() -> None:
    assert clv_from_expectations(expected_margin_per_transaction=12.5, dert=4.0) == 50.0


def test_horizon_clv_with_linear_expectation_is_an_annuity() -> None:
    rate = weekly_rate(0.10)
    lam = 0.3
    value = clv_over_horizon(
        expected_margin_per_transaction=20.0,
        expected_cumulative_transactions=lambda t: lam * t,
        horizon_weeks=104,
        weekly_discount_rate=rate,
    )
    annuity = (1 - (1 + rate) ** -104) / rate
    assert value == pytest.approx(20.0 * lam * annuity, rel=1e-10)
    # over a long horizon it approaches the perpetuity margin * lambda / r
    long = clv_over_horizon(
        expected_margin_per_transaction=20.0,
        expected_cumulative_transactions=lambda t: lam * t,
        horizon_weeks=200_000,
        weekly_discount_rate=rate,
    )
    assert long == pytest.approx(20.0 * lam / rate, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    annual=st.floats(0.0, 2.0),
    horizon=st.integers(0, 2000),
    lam=st.floats(0.0, 50.0),
)
def test_horizon_clv_is_finite_non_negative_and_increasing(annual: float, horizon: int, lam: float) -> None:
    def cum(t: np.ndarray) -> np.ndarray:
        return lam * np.sqrt(t)

    rate = weekly_rate(annual)
    shorter = clv_over_horizon(
        expected_margin_per_transaction=1.0,
        expected_cumulative_transactions=cum,
        horizon_weeks=horizon,
        weekly_discount_rate=rate,
    )
    longer = clv_over_horizon(
        expected_margin_per_transaction=1.0,
        expected_cumulative_transactions=cum,
        horizon_weeks=horizon + 10,
        weekly_discount_rate=rate,
    )
    assert np.isfinite(shorter) and 0 <= shorter <= longer * (1 + 1e-12) + 1e-12
    assert shorter <= lam * math.sqrt(horizon) * (1 + 1e-12) + 1e-12

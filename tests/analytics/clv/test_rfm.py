"""Tests for analytics.clv.rfm against a hand-computed log."""

from __future__ import annotations

import time

import numpy as np
import pytest

from analytics.clv.rfm import rfm_summary


def _d(*days: str) -> np.ndarray:
    return np.array(days, dtype="datetime64[D]")


# Customer "a": first 2026-01-01 (10), same day again (5) -> one purchase day of 15;
#   repeat days 2026-01-08 (20) and 2026-01-15 (30 + 10 same day = 40).
# Customer "b": one purchase 2026-01-05 (7).
# Customer "c": 2026-01-03 (1), 2026-01-31 (9) -- the second one after a calibration end.
# Customer "d": first purchase 2026-02-01, after the calibration end used below.
IDS = np.array(["a", "b", "a", "a", "c", "a", "c", "a", "d"])
DATES = _d(
    "2026-01-15",
    "2026-01-05",
    "2026-01-01",
    "2026-01-08",
    "2026-01-03",
    "2026-01-01",
    "2026-01-31",
    "2026-01-15",
    "2026-02-01",
)
AMOUNTS = np.array([30.0, 7.0, 10.0, 20.0, 1.0, 5.0, 9.0, 10.0, 4.0])


def test_hand_computed_summary_without_calibration() -> None:
    s = rfm_summary(customer_ids=IDS, dates=DATES, amounts=AMOUNTS)
    assert list(s.customer_ids) == ["a", "b", "c", "d"]
    np.testing.assert_allclose(s.frequency, [2, 0, 1, 0])
    np.testing.assert_allclose(s.recency, [14 / 7, 0, 28 / 7, 0])
    # observation end defaults to the last date: 2026-02-01
    np.testing.assert_allclose(s.T, [31 / 7, 27 / 7, 29 / 7, 0])
    np.testing.assert_allclose(s.monetary_value, [(20 + 40) / 2, 0, 9, 0])
    assert s.frequency_holdout is None and s.duration_holdout is None


def test_calibration_split() -> None:
    s = rfm_summary(
        customer_ids=IDS,
        dates=DATES,
        amounts=AMOUNTS,
        calibration_end=np.datetime64("2026-01-20"),
        observation_end=np.datetime64("2026-02-03"),
    )
    assert list(s.customer_ids) == ["a", "b", "c"]  # "d" starts after calibration
    np.testing.assert_allclose(s.frequency, [2, 0, 0])
    np.testing.assert_allclose(s.recency, [2, 0, 0])
    np.testing.assert_allclose(s.T, [19 / 7, 15 / 7, 17 / 7])
    np.testing.assert_allclose(s.monetary_value, [30, 0, 0])
    assert s.frequency_holdout is not None and s.duration_holdout is not None
    np.testing.assert_allclose(s.frequency_holdout, [0, 0, 1])
    np.testing.assert_allclose(s.duration_holdout, [14 / 7] * 3)


def test_observation_end_cuts_later_transactions_and_no_amounts() -> None:
    s = rfm_summary(customer_ids=IDS, dates=DATES, observation_end=np.datetime64("2026-01-10"))
    assert list(s.customer_ids) == ["a", "b", "c"]
    np.testing.assert_allclose(s.frequency, [1, 0, 0])
    np.testing.assert_allclose(s.T, [9 / 7, 5 / 7, 7 / 7])
    np.testing.assert_allclose(s.monetary_value, [0, 0, 0])


def test_integer_ids_and_bad_input() -> None:
    s = rfm_summary(customer_ids=np.array([5, 5, 2]), dates=_d("2026-01-01", "2026-01-02", "2026-01-01"))
    assert list(s.customer_ids) == [2, 5]
    np.testing.assert_allclose(s.frequency, [0, 1])
    with pytest.raises(ValueError):
        rfm_summary(customer_ids=np.array([1]), dates=_d("2026-01-01", "2026-01-02"))
    with pytest.raises(ValueError):
        rfm_summary(
            customer_ids=IDS,
            dates=DATES,
            calibration_end=np.datetime64("2026-03-01"),
            observation_end=np.datetime64("2026-02-01"),
        )


def test_million_transactions_is_fast() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    ids = rng.integers(0, 100_000, n)
    dates = np.datetime64("2024-01-01") + rng.integers(0, 730, n).astype("timedelta64[D]")
    amounts = rng.gamma(2.0, 50.0, n)
    start = time.perf_counter()
    s = rfm_summary(
        customer_ids=ids, dates=dates, amounts=amounts, calibration_end=np.datetime64("2025-06-30")
    )
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert s.frequency.size > 90_000
    assert np.all(s.recency <= s.T) and np.all(s.frequency >= 0)
    # totals: every calibration-period customer-day is the first day or a repeat day
    cal = dates <= np.datetime64("2025-06-30")
    pairs = np.unique(np.stack([ids[cal], dates[cal].astype(np.int64)]), axis=1).shape[1]
    assert int(s.frequency.sum()) + s.frequency.size == pairs

"""Discount rates and discounted values for CLV (design section 5: weeks, annual rate converted).

* ``weekly_rate(d) = (1 + d)^(1/52) - 1`` -- the discrete weekly rate equivalent to an annual rate;
* ``period_rate(d, m) = (1 + d)^(1/m) - 1`` for ``m`` periods a year;
* ``continuous_weekly_rate(d) = ln(1 + d) / 52`` -- the continuously compounded rate ``delta`` used by
  the Pareto/NBD DERT (Fader, Hardie & Lee 2005, "RFM and CLV"), where cash flows are discounted by
  ``exp(-delta t)``;
* ``discounted_value``: ``sum_i c_i / (1 + r)^(start_period + i)``;
* ``clv_from_expectations``: CLV = expected margin per transaction x DERT;
* ``clv_over_horizon``: CLV = margin x sum_{w=1}^{H} (E[X(w)] - E[X(w-1)]) / (1 + r)^w, with E[X(t)]
  the model's expected cumulative number of transactions by week ``t``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "clv_from_expectations",
    "clv_over_horizon",
    "continuous_weekly_rate",
    "discounted_value",
    "period_rate",
    "weekly_rate",
]

WEEKS_PER_YEAR = 52


def _check_annual(annual: float) -> float:
    annual = float(annual)
    if not np.isfinite(annual) or annual <= -1.0:
        raise ValueError("the annual discount rate must be finite and greater than -1")
    return annual


def period_rate(annual: float, periods_per_year: int) -> float:
    """Discrete per-period rate equivalent to ``annual``: ``(1 + annual)^(1/periods_per_year) - 1``."""
    annual = _check_annual(annual)
    if periods_per_year <= 0:
        raise ValueError("periods_per_year must be positive")
    return float(np.expm1(np.log1p(annual) / periods_per_year))


def weekly_rate(annual: float) -> float:
    """Discrete weekly rate: ``(1 + annual)^(1/52) - 1``."""
    return period_rate(annual, WEEKS_PER_YEAR)


def continuous_weekly_rate(annual: float) -> float:
    """Continuously compounded weekly rate ``delta = ln(1 + annual) / 52`` (the DERT discount)."""
    return float(np.log1p(_check_annual(annual)) / WEEKS_PER_YEAR)


def discounted_value(*, cash_flows: np.ndarray, rate: float, start_period: int = 1) -> float:
    """Present value ``sum_i cash_flows[i] / (1 + rate)^(start_period + i)``.

    ``start_period=1`` discounts the first cash flow by one full period (end-of-period flows);
    ``start_period=0`` leaves it undiscounted (flows at the start of each period).
    """
    flows = np.asarray(cash_flows, dtype=np.float64)
    if flows.ndim != 1:
        raise ValueError("cash_flows must be one-dimensional")
    if rate <= -1.0:
        raise ValueError("rate must be greater than -1")
    exponents = start_period + np.arange(flows.size, dtype=np.float64)
    factors = np.exp(-exponents * np.log1p(rate))
    return float(np.dot(flows, factors))


def clv_from_expectations(*, expected_margin_per_transaction: float, dert: float) -> float:
    """CLV to infinity: expected margin per transaction x discounted expected residual transactions."""
    return float(expected_margin_per_transaction) * float(dert)


def clv_over_horizon(
    *,
    expected_margin_per_transaction: float,
    expected_cumulative_transactions: Callable[[np.ndarray], np.ndarray],
    horizon_weeks: int,
    weekly_discount_rate: float,
) -> float:
    """CLV over a finite horizon of ``horizon_weeks`` weeks.

    ``expected_cumulative_transactions(t)`` gives E[X(t)] (vectorised over an array of weeks, with
    E[X(0)] = 0 expected); the transactions expected in week ``w`` are E[X(w)] - E[X(w-1)] and are
    discounted by ``(1 + r)^-w``.
    """
    if horizon_weeks < 0:
        raise ValueError("horizon_weeks must be non-negative")
    if horizon_weeks == 0:
        return 0.0
    weeks = np.arange(horizon_weeks + 1, dtype=np.float64)
    cumulative = np.asarray(expected_cumulative_transactions(weeks), dtype=np.float64)
    per_week = np.diff(cumulative)
    return float(expected_margin_per_transaction) * discounted_value(
        cash_flows=per_week, rate=weekly_discount_rate, start_period=1
    )

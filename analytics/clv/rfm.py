"""Recency / frequency / monetary summary of a transaction log (design section 5 conventions).

Time unit: weeks.  Transactions of one customer on the same day count once (their amounts are
summed).  For each customer, over the calibration period (up to ``calibration_end``, or the
observation end when no calibration split is asked for):

* ``frequency`` x -- number of *repeat* purchase days (distinct purchase days minus one);
* ``recency`` t_x -- weeks between the first and the last purchase day;
* ``T`` -- weeks between the first purchase day and the calibration end;
* ``monetary_value`` -- mean spend per repeat purchase day (first purchase excluded; 0 when x = 0);
* ``frequency_holdout`` / ``duration_holdout`` -- purchase days after ``calibration_end`` up to
  ``observation_end`` and the holdout length in weeks (only when ``calibration_end`` is given).

Customers whose first purchase is after ``calibration_end`` are dropped; transactions after
``observation_end`` are ignored.  Everything is vectorised (sort + segment reductions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["RFMSummary", "rfm_summary"]

DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class RFMSummary:
    """Per-customer RFM arrays (aligned; times in weeks)."""

    customer_ids: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary_value: np.ndarray
    frequency_holdout: np.ndarray | None = None
    duration_holdout: np.ndarray | None = None


def rfm_summary(
    *,
    customer_ids: np.ndarray,
    dates: np.ndarray,
    amounts: np.ndarray | None = None,
    calibration_end: np.datetime64 | None = None,
    observation_end: np.datetime64 | None = None,
) -> RFMSummary:
    """Summarise a transaction log into RFM arrays (see the module docstring)."""
    ids = np.asarray(customer_ids)
    days = np.asarray(dates).astype("datetime64[D]").astype(np.int64)
    if ids.shape != days.shape or ids.ndim != 1:
        raise ValueError("customer_ids and dates must be 1-d arrays of the same length")
    amt = np.zeros(days.shape, dtype=np.float64) if amounts is None else np.asarray(amounts, dtype=np.float64)
    if amt.shape != days.shape:
        raise ValueError("amounts must have the same length as dates")
    if days.size == 0:
        raise ValueError("empty transaction log")

    obs_end = (
        int(days.max())
        if observation_end is None
        else int(np.datetime64(observation_end, "D").astype(np.int64))
    )
    keep = days <= obs_end
    ids, days, amt = ids[keep], days[keep], amt[keep]
    cal_end = (
        obs_end if calibration_end is None else int(np.datetime64(calibration_end, "D").astype(np.int64))
    )
    if cal_end > obs_end:
        raise ValueError("calibration_end is after observation_end")

    uniq_ids, cust = np.unique(ids, return_inverse=True)
    cust = cust.ravel()
    day0 = int(days.min()) if days.size else 0
    span = int(days.max()) - day0 + 1 if days.size else 1
    order = np.argsort(cust.astype(np.int64) * span + (days - day0), kind="stable")
    cust_s, days_s, amt_s = cust[order], days[order], amt[order]

    # Collapse to customer-days.
    new_day = np.empty(cust_s.size, dtype=bool)
    new_day[0] = True
    new_day[1:] = (cust_s[1:] != cust_s[:-1]) | (days_s[1:] != days_s[:-1])
    starts = np.flatnonzero(new_day)
    cd_cust = cust_s[starts]
    cd_day = days_s[starts]
    cd_amt = np.add.reduceat(amt_s, starts)

    n_cust = uniq_ids.size
    first_row = np.ones(cd_cust.size, dtype=bool)
    first_row[1:] = cd_cust[1:] != cd_cust[:-1]
    first_day = cd_day[first_row]  # one per customer, in customer order
    first_amt = cd_amt[first_row]

    in_cal = cd_day <= cal_end
    n_cal_days = np.bincount(cd_cust[in_cal], minlength=n_cust)
    spend_cal = np.bincount(cd_cust[in_cal], weights=cd_amt[in_cal], minlength=n_cust)
    last_cal_day = np.full(n_cust, np.iinfo(np.int64).min, dtype=np.int64)
    cal_cust, cal_day = cd_cust[in_cal], cd_day[in_cal]  # still sorted by (customer, day)
    is_last = np.ones(cal_cust.size, dtype=bool)
    is_last[:-1] = cal_cust[1:] != cal_cust[:-1]
    last_cal_day[cal_cust[is_last]] = cal_day[is_last]
    n_hold_days = np.bincount(cd_cust[~in_cal], minlength=n_cust)

    active = first_day <= cal_end
    frequency = (n_cal_days - 1).astype(np.float64)[active]
    recency = (last_cal_day - first_day).astype(np.float64)[active] / DAYS_PER_WEEK
    T = (cal_end - first_day).astype(np.float64)[active] / DAYS_PER_WEEK
    repeat_spend = (spend_cal - first_amt)[active]
    monetary = np.divide(
        repeat_spend,
        frequency,
        out=np.zeros_like(frequency),
        where=frequency > 0,
    )
    if calibration_end is None:
        return RFMSummary(
            customer_ids=uniq_ids[active],
            frequency=frequency,
            recency=recency,
            T=T,
            monetary_value=monetary,
        )
    n_active = int(active.sum())
    return RFMSummary(
        customer_ids=uniq_ids[active],
        frequency=frequency,
        recency=recency,
        T=T,
        monetary_value=monetary,
        frequency_holdout=n_hold_days[active].astype(np.float64),
        duration_holdout=np.full(n_active, (obs_end - cal_end) / DAYS_PER_WEEK),
    )

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


def _customer_codes(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(sorted distinct ids, code of each row)``, as ``np.unique(ids, return_inverse=True)``.

    Integer ids in a compact range are coded by offset and a presence table (O(n), no sort).
    """
    if ids.dtype.kind in "iu" and ids.size:
        lo, hi = int(ids.min()), int(ids.max())
        if hi - lo <= 4 * ids.size + 1024:
            offset = (ids - lo).astype(np.intp)
            present = np.bincount(offset, minlength=hi - lo + 1) > 0
            remap = np.cumsum(present) - 1
            return (np.flatnonzero(present) + lo).astype(ids.dtype), remap[offset]
    uniq, inverse = np.unique(ids, return_inverse=True)
    return uniq, inverse.ravel()


def _day_numbers(dates: np.ndarray) -> np.ndarray:
    """Days since the epoch as int64 (no copy when ``dates`` already are ``datetime64[D]``)."""
    arr = np.asarray(dates)
    if arr.dtype == np.dtype("datetime64[D]"):
        return arr.view(np.int64)
    return arr.astype("datetime64[D]").astype(np.int64)


def rfm_summary(
    *,
    customer_ids: np.ndarray,
    dates: np.ndarray,
    amounts: np.ndarray | None = None,
    calibration_end: np.datetime64 | None = None,
    observation_end: np.datetime64 | None = None,
) -> RFMSummary:
    """Summarise a transaction log into RFM arrays (see the module docstring).

    One sort of the int64 keys ``customer * span + day`` gives the customer-days (no argsort:
    amounts are summed per customer with ``bincount``, which needs no order).
    """
    ids = np.asarray(customer_ids)
    days = _day_numbers(dates)
    if ids.shape != days.shape or ids.ndim != 1:
        raise ValueError("customer_ids and dates must be 1-d arrays of the same length")
    amt = None if amounts is None else np.asarray(amounts, dtype=np.float64)
    if amt is not None and amt.shape != days.shape:
        raise ValueError("amounts must have the same length as dates")
    if days.size == 0:
        raise ValueError("empty transaction log")

    if observation_end is None:
        obs_end = int(days.max())
    else:
        obs_end = int(np.datetime64(observation_end, "D").astype(np.int64))
        keep = days <= obs_end
        if not keep.all():
            ids, days = ids[keep], days[keep]
            amt = None if amt is None else amt[keep]
    cal_end = (
        obs_end if calibration_end is None else int(np.datetime64(calibration_end, "D").astype(np.int64))
    )
    if cal_end > obs_end:
        raise ValueError("calibration_end is after observation_end")
    if days.size == 0:
        raise ValueError("no transaction on or before observation_end")

    uniq_ids, cust = _customer_codes(ids)
    n_cust = uniq_ids.size
    day0 = int(days.min())
    span = int(days.max()) - day0 + 1
    # int32 keys whenever they fit: half the memory traffic and a faster sort.
    key_type = np.dtype(np.int32) if n_cust * span < 2**31 else np.dtype(np.int64)
    rel_day: np.ndarray = (days - day0).astype(key_type, copy=False)
    keys: np.ndarray = cust.astype(key_type)
    np.multiply(keys, span, out=keys)
    np.add(keys, rel_day, out=keys)
    keys.sort()

    # Distinct customer-days, in (customer, day) order.
    new_day = np.empty(keys.size, dtype=bool)
    new_day[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=new_day[1:])
    cd_cust, cd_day = np.divmod(keys[new_day], span)
    first_row = np.empty(cd_cust.size, dtype=bool)
    first_row[:1] = True
    np.not_equal(cd_cust[1:], cd_cust[:-1], out=first_row[1:])
    first_rel = cd_day[first_row]  # one per customer, in customer order
    first_day = first_rel.astype(np.int64) + day0

    rel_cal_end = cal_end - day0
    split = rel_cal_end < span - 1  # some customer-day after the calibration end
    if split:
        in_cal = cd_day <= rel_cal_end
        cal_cust, cal_day = cd_cust[in_cal], cd_day[in_cal]  # still sorted by (customer, day)
        n_hold_days = np.bincount(cd_cust[~in_cal], minlength=n_cust)
    else:
        cal_cust, cal_day = cd_cust, cd_day
        n_hold_days = np.zeros(n_cust, dtype=np.int64)
    n_cal_days = np.bincount(cal_cust, minlength=n_cust)
    last_cal_day = np.full(n_cust, np.iinfo(np.int64).min, dtype=np.int64)
    is_last = np.ones(cal_cust.size, dtype=bool)
    np.not_equal(cal_cust[1:], cal_cust[:-1], out=is_last[:-1])
    last_cal_day[cal_cust[is_last]] = cal_day[is_last].astype(np.int64) + day0

    active = first_day <= cal_end
    frequency = (n_cal_days - 1).astype(np.float64)[active]
    recency = (last_cal_day - first_day).astype(np.float64)[active] / DAYS_PER_WEEK
    T = (cal_end - first_day).astype(np.float64)[active] / DAYS_PER_WEEK
    if amt is None:
        monetary = np.zeros(frequency.size)
    else:
        # Repeat spend = calibration spend - spend on the first purchase day.
        spend_cal = np.bincount(
            cust, weights=np.where(rel_day <= rel_cal_end, amt, 0.0) if split else amt, minlength=n_cust
        )
        row_first = rel_day == first_rel[cust]
        first_amt = np.bincount(cust[row_first], weights=amt[row_first], minlength=n_cust)
        repeat_spend = (spend_cal - first_amt)[active]
        monetary = np.divide(repeat_spend, frequency, out=np.zeros_like(frequency), where=frequency > 0)
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

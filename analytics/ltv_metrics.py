"""Book metrics (design section 5 definitions) and the partner churn-risk score with its reasons.

NRR/GRR/customer churn compare the trailing twelve months ending on the as-of date ("this year")
with the twelve months before ("last year"), over the customers that paid last year: for a partner
book, revenue counts with the partner's credit weight, the credit in force on the row's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

YEAR_DAYS = 365


@dataclass
class BookMetrics:
    nrr: np.ndarray  # nan where the book had no revenue last year
    grr: np.ndarray
    churn: np.ndarray


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    return np.divide(top, bottom, out=np.full(top.shape, np.nan), where=bottom > 0)


def book_metrics(
    *,
    group: np.ndarray,
    customer: np.ndarray,
    day: np.ndarray,
    amount: np.ndarray,
    as_of_day: int,
    groups: int,
    under_contract: set[int],
) -> BookMetrics:
    """Per group (a partner, or one group for the tenant). `under_contract` holds customers with a
    contract in force on the as-of date: they have not churned even if no invoice fell this year."""
    this_year = (day > as_of_day - YEAR_DAYS) & (day <= as_of_day)
    last_year = (day > as_of_day - 2 * YEAR_DAYS) & (day <= as_of_day - YEAR_DAYS)
    keep = this_year | last_year
    if not keep.any():
        nothing = np.full(groups, np.nan)
        return BookMetrics(nrr=nothing, grr=nothing.copy(), churn=nothing.copy())
    # One integer key per (group, customer): a 1-d unique is many times faster than unique rows.
    span = int(customer[keep].max()) + 1
    keys, inverse = np.unique(group[keep].astype(np.int64) * span + customer[keep], return_inverse=True)
    pairs = np.c_[keys // span, keys % span]
    inverse = inverse.ravel()
    now = np.bincount(inverse, weights=np.where(this_year[keep], amount[keep], 0.0), minlength=len(pairs))
    before = np.bincount(inverse, weights=np.where(last_year[keep], amount[keep], 0.0), minlength=len(pairs))
    paid_before = before > 0
    owner = pairs[:, 0]
    base = np.bincount(owner, weights=np.where(paid_before, before, 0.0), minlength=groups)
    kept = np.bincount(owner, weights=np.where(paid_before, now, 0.0), minlength=groups)
    capped = np.bincount(owner, weights=np.where(paid_before, np.minimum(now, before), 0.0), minlength=groups)
    contracted = np.isin(pairs[:, 1], np.fromiter(under_contract, dtype=np.int64, count=len(under_contract)))
    lost = paid_before & (now <= 0) & ~contracted
    payers = np.bincount(owner, weights=paid_before.astype(float), minlength=groups)
    churned = np.bincount(owner, weights=lost.astype(float), minlength=groups)
    return BookMetrics(nrr=_ratio(kept, base), grr=_ratio(capped, base), churn=_ratio(churned, payers))


def payback_months(
    *, monthly_margin: np.ndarray, acquisition: np.ndarray, months_active: np.ndarray
) -> np.ndarray:
    """Months of realised margin needed to cover the acquisition costs; when not covered yet, the
    months so far plus what is left at the average monthly margin of the last year. nan without
    acquisition costs or margin."""
    cumulative = np.cumsum(monthly_margin, axis=1)
    covered = cumulative >= acquisition[:, None]
    first = np.where(covered.any(axis=1), covered.argmax(axis=1) + 1.0, np.nan)
    result = np.where(acquisition > 0, first, np.nan)
    pending = (acquisition > 0) & np.isnan(first)
    for i in np.flatnonzero(pending):
        months = int(max(1, min(months_active[i], monthly_margin.shape[1])))
        recent = monthly_margin[i, max(0, months - 12) : months].mean()
        if recent > 0:
            result[i] = months + (acquisition[i] - cumulative[i, months - 1]) / recent
    return result


def churn_risk(
    *,
    gone: bool,
    ltv: float,
    previous_ltv: float | None,
    previous_on: str | None,
    mean_p_alive: float,
    has_model: bool,
    days_since_deal: int | None,
    days_since_sourced: int | None,
) -> tuple[float, list[dict[str, Any]]]:
    """A 0-1 inactivity/churn risk and the reasons behind it, strongest first."""
    if gone:
        return 1.0, [{"code": "left_program", "text": "The partner has left the program.", "weight": 1.0}]
    reasons: list[dict[str, Any]] = []
    if previous_ltv is not None and abs(previous_ltv) > 0:
        change = (ltv - previous_ltv) / abs(previous_ltv)
        if change < -0.05:
            weight = round(min(0.35, -change), 3)
            text = f"LTV fell {-change:.0%} since {previous_on}."
            reasons.append({"code": "ltv_falling", "text": text, "weight": weight})
    if has_model and not np.isnan(mean_p_alive) and mean_p_alive < 0.7:
        weight = round(0.35 * (0.7 - mean_p_alive) / 0.7, 3)
        text = f"Its customers' average chance of still buying is {mean_p_alive:.0%}."
        reasons.append({"code": "customers_fading", "text": text, "weight": weight})
    quiet = [days for days in (days_since_deal, days_since_sourced) if days is not None]
    if quiet and min(quiet) > 120:
        days = min(quiet)
        weight = round(min(0.3, 0.3 * (days - 120) / 245), 3)
        text = f"No new deal or customer in {days} days."
        reasons.append({"code": "no_recent_deal", "text": text, "weight": weight})
    elif not quiet:
        reasons.append(
            {
                "code": "never_sold",
                "text": "It has not registered a deal or brought a customer yet.",
                "weight": 0.3,
            }
        )
    reasons.sort(key=lambda reason: -reason["weight"])
    return round(min(1.0, sum(reason["weight"] for reason in reasons)), 3), reasons

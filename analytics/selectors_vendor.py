"""Reads of the vendor LTV pages: the partner panel, board badges, tenant overview, runs, model quality.

Every read runs in the tenant in context (the default managers fail closed without one); the views
check the actor's role first, so nothing here filters by role.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum

from analytics.models import (
    LtvRun,
    PartnerLtv,
    PartnerLtvSnapshot,
    RunKind,
    SegmentFit,
    TenantLtvSnapshot,
)
from analytics.models.runs import ACTIVE_RUN_STATUSES

TREND_POINTS = 104  # two years of weekly snapshots
RECENT_RUNS = 5
MAX_BADGES = 500

# ?sort= values of the overview table and the ordering each means; ltv_cac may be unknown (null).
PARTNER_SORTS: dict[str, tuple[Any, ...]] = {
    "-ltv": (F("ltv").desc(), "partner_id"),
    "ltv": (F("ltv").asc(), "partner_id"),
    "-churn_risk": (F("churn_risk").desc(), "partner_id"),
    "churn_risk": (F("churn_risk").asc(), "partner_id"),
    "-ltv_cac": (F("ltv_cac").desc(nulls_last=True), "partner_id"),
    "ltv_cac": (F("ltv_cac").asc(nulls_last=True), "partner_id"),
}
DEFAULT_SORT = "-ltv"


def _as_float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def partner_ltv_trend(*, partner_id: int) -> dict[str, list[Any]]:
    """Chart data of the partner's snapshots, oldest first: dates, LTV and its 90% band."""
    rows = list(
        PartnerLtvSnapshot.objects.filter(partner_id=partner_id)
        .order_by("-taken_on")
        .values("taken_on", "ltv", "ltv_low", "ltv_high")[:TREND_POINTS]
    )
    rows.reverse()
    return {
        "dates": [row["taken_on"].isoformat() for row in rows],
        "ltv": [_as_float(row["ltv"]) for row in rows],
        "low": [_as_float(row["ltv_low"]) for row in rows],
        "high": [_as_float(row["ltv_high"]) for row in rows],
    }


def partner_ltv_parts(*, ltv: PartnerLtv) -> dict[str, Any]:
    """Chart data of the LTV's parts: what it is made of, and the costs taken off."""
    return {
        "labels": ["Realised", "Predicted (existing book)", "Future customers", "Costs"],
        "values": [float(ltv.realised), float(ltv.predicted), float(ltv.future), -float(ltv.costs)],
    }


def partner_ltv_streams(*, ltv: PartnerLtv) -> list[dict[str, Any]]:
    rows = []
    for stream, parts in sorted(ltv.by_stream.items()):
        realised = float(parts.get("realised", 0.0))
        predicted = float(parts.get("predicted", 0.0))
        rows.append(
            {"stream": stream, "realised": realised, "predicted": predicted, "total": realised + predicted}
        )
    return rows


def partner_ltv_badges(*, partner_ids: list[int]) -> dict[int, PartnerLtv]:
    """The current LTV of each of these partners that has one, in one query."""
    ids = partner_ids[:MAX_BADGES]
    rows = PartnerLtv.objects.filter(partner_id__in=ids).only(
        "partner_id", "ltv", "ltv_low", "ltv_high", "churn_risk", "as_of"
    )
    return {row.partner_id: row for row in rows}


@dataclass(frozen=True)
class TenantTotals:
    source: str  # "snapshot" (the run's own tenant totals) or "partners" (sum of partner rows)
    taken_on: dt.date | None
    ltv: Decimal
    ltv_low: Decimal
    ltv_high: Decimal
    realised: Decimal
    predicted: Decimal
    future: Decimal
    costs: Decimal
    partners: int
    customers: int | None
    nrr: float | None
    grr: float | None
    customer_churn: float | None


def tenant_ltv_latest_snapshot() -> TenantLtvSnapshot | None:
    return TenantLtvSnapshot.objects.order_by("-taken_on").first()


def tenant_ltv_totals(*, snapshot: TenantLtvSnapshot | None) -> TenantTotals | None:
    """The tenant's totals: the latest tenant snapshot, or the sum of the partner rows when no run
    has written one yet (then the interval is the sum of the partner bounds, wider than the truth)."""
    if snapshot is not None:
        return TenantTotals(
            source="snapshot",
            taken_on=snapshot.taken_on,
            ltv=snapshot.ltv,
            ltv_low=snapshot.ltv_low,
            ltv_high=snapshot.ltv_high,
            realised=snapshot.realised,
            predicted=snapshot.predicted,
            future=snapshot.future,
            costs=snapshot.costs,
            partners=snapshot.partners,
            customers=snapshot.customers,
            nrr=snapshot.nrr,
            grr=snapshot.grr,
            customer_churn=snapshot.customer_churn,
        )
    sums = PartnerLtv.objects.aggregate(
        n=Count("id"),
        ltv=Sum("ltv"),
        low=Sum("ltv_low"),
        high=Sum("ltv_high"),
        realised=Sum("realised"),
        predicted=Sum("predicted"),
        future=Sum("future"),
        costs=Sum("costs"),
    )
    if not sums["n"]:
        return None
    return TenantTotals(
        source="partners",
        taken_on=None,
        ltv=sums["ltv"],
        ltv_low=sums["low"],
        ltv_high=sums["high"],
        realised=sums["realised"],
        predicted=sums["predicted"],
        future=sums["future"],
        costs=sums["costs"],
        partners=sums["n"],
        customers=None,
        nrr=None,
        grr=None,
        customer_churn=None,
    )


def tenant_ltv_trend() -> dict[str, list[Any]]:
    rows = list(
        TenantLtvSnapshot.objects.order_by("-taken_on").values("taken_on", "ltv", "ltv_low", "ltv_high")[
            :TREND_POINTS
        ]
    )
    rows.reverse()
    return {
        "dates": [row["taken_on"].isoformat() for row in rows],
        "ltv": [_as_float(row["ltv"]) for row in rows],
        "low": [_as_float(row["ltv_low"]) for row in rows],
        "high": [_as_float(row["ltv_high"]) for row in rows],
    }


def partner_ltv_table(*, search: str = "", sort: str = DEFAULT_SORT) -> QuerySet[PartnerLtv]:
    """Partner LTV rows for the overview table and its CSV export, searched by partner name."""
    rows = PartnerLtv.objects.select_related("partner")
    if search:
        rows = rows.filter(partner__name__icontains=search)
    return rows.order_by(*PARTNER_SORTS.get(sort, PARTNER_SORTS[DEFAULT_SORT]))


def ltv_run_list() -> QuerySet[LtvRun]:
    return LtvRun.objects.select_related("requested_by").order_by("-created_at", "-id")


def ltv_run_recent() -> list[LtvRun]:
    return list(ltv_run_list()[:RECENT_RUNS])


def ltv_run_active() -> LtvRun | None:
    """The refit queued or running now, if any (at most one: a constraint says so)."""
    return LtvRun.objects.filter(kind=RunKind.REFIT, status__in=ACTIVE_RUN_STATUSES).first()


def ltv_run_timing_rows(*, run: LtvRun) -> list[dict[str, Any]]:
    """Seconds per step in the order they ran, with each step's share of the total."""
    timings = run.timings if isinstance(run.timings, dict) else {}
    total = sum(float(value) for value in timings.values()) or 0.0
    return [
        {"step": step, "seconds": float(seconds), "share": (float(seconds) / total * 100) if total else None}
        for step, seconds in timings.items()
    ]


def ltv_run_total_seconds(*, run: LtvRun) -> float | None:
    timings = run.timings if isinstance(run.timings, dict) else {}
    return sum(float(value) for value in timings.values()) if timings else None


def segment_fit_current() -> list[SegmentFit]:
    return list(
        SegmentFit.objects.filter(is_current=True).select_related("run").order_by("population", "segment")
    )


def segment_fit_quality(*, fit: SegmentFit) -> dict[str, Any] | None:
    """Calibration vs holdout of a fit for its chart, with the holdout error in percent."""
    quality = fit.quality or {}
    weeks = quality.get("weeks") or []
    if not weeks:
        return None
    actual = quality.get("holdout_actual")
    predicted = quality.get("holdout_predicted")
    error = None
    if actual not in (None, 0) and predicted is not None:
        error = (float(predicted) - float(actual)) / float(actual) * 100
    return {
        "weeks": weeks,
        "actual": quality.get("actual") or [],
        "predicted": quality.get("predicted") or [],
        "calibration_end": quality.get("calibration_end"),
        "calibration_end_week": quality.get("calibration_end_week"),
        "holdout_actual": actual,
        "holdout_predicted": predicted,
        "holdout_error": error,
    }


def segment_fit_params(*, fit: SegmentFit) -> list[dict[str, Any]]:
    errors = fit.std_errors or {}
    return [
        {"name": name, "value": value, "std_error": errors.get(name)} for name, value in fit.params.items()
    ]


def segment_fit_spend_params(*, fit: SegmentFit) -> list[dict[str, Any]]:
    spend = fit.spend or {}
    errors = spend.get("std_errors") or {}
    return [
        {"name": name, "value": value, "std_error": errors.get(name)}
        for name, value in (spend.get("params") or {}).items()
    ]

"""Reads of partner LTV for the API and the partner portal, already scoped to what the actor may see.

Vendor roles see every partner's row; a partner role sees only its own. The portal reads nothing
tenant-wide: every figure on "Our LTV" comes from the partner's own row, snapshots and deals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from analytics.models import LtvRun, PartnerLtv, PartnerLtvSnapshot
from prm.models import REVENUE_STREAMS, Membership
from revenue.models import CostKind, Deal

TREND_POINTS = 104  # two years of weekly snapshots
QUIET_DAYS = 90  # a partner without a deal this long is told to register one

STREAM_LABELS = dict(REVENUE_STREAMS)
COST_LABELS = dict(CostKind.choices)


def partner_ltv_list(*, actor: Membership) -> QuerySet[PartnerLtv]:
    rows = PartnerLtv.objects.select_related("partner")
    if actor.is_partner:
        rows = rows.filter(partner_id=actor.own_partner_id)
    return rows


def ltv_run_list(*, actor: Membership) -> QuerySet[LtvRun]:
    if not actor.is_vendor:
        return LtvRun.objects.none()
    return LtvRun.objects.all()


# --- the portal page --------------------------------------------------------------------------------


@dataclass
class Part:
    key: str
    label: str
    realised: float
    predicted: float

    @property
    def total(self) -> float:
        return self.realised + self.predicted


@dataclass
class Reason:
    code: str
    title: str
    text: str
    weight: float


@dataclass
class Lever:
    code: str
    title: str
    text: str
    strength: str  # "act" (worth doing now) or "keep" (already going well)


@dataclass
class PortalLtv:
    row: PartnerLtv
    streams: list[Part]
    kinds: list[Part]
    costs: list[tuple[str, float]]
    reasons: list[Reason]
    levers: list[Lever]
    chart: dict[str, Any] = field(default_factory=dict)

    @property
    def payback(self) -> str | None:
        """How long acquisition costs took to pay back, said as the levers say it."""
        return months(self.row.payback_months) if self.row.payback_months is not None else None

    @property
    def risk_label(self) -> str:
        if self.row.churn_risk >= 0.6:
            return "high"
        if self.row.churn_risk >= 0.3:
            return "medium"
        return "low"


def portal_ltv(*, actor: Membership) -> PortalLtv | None:
    """The actor's own partner's LTV page, or None before the first computation."""
    partner_id = actor.own_partner_id
    row = PartnerLtv.objects.filter(partner_id=partner_id).first()
    if row is None:
        return None
    snapshots = list(
        PartnerLtvSnapshot.objects.filter(partner_id=partner_id).order_by("-taken_on")[:TREND_POINTS]
    )[::-1]
    last_submitted = Deal.objects.filter(partner_id=partner_id).aggregate(last=Max("submitted_at"))["last"]
    days_since_deal = (
        (timezone.localdate() - timezone.localdate(last_submitted)).days if last_submitted else None
    )
    streams = _parts(row.by_stream, STREAM_LABELS)
    kinds = _parts(
        row.by_kind, {"sourced": "Customers you sourced", "influenced": "Customers you influenced"}
    )
    costs = sorted(
        (
            (COST_LABELS.get(key, key.replace("_", " ").capitalize()), float(value))
            for key, value in row.costs_by_kind.items()
            if value
        ),
        key=lambda item: -item[1],
    )
    return PortalLtv(
        row=row,
        streams=[part for part in streams if part.total],
        kinds=kinds,
        costs=costs,
        reasons=[reason_for_partner(reason) for reason in row.churn_reasons],
        levers=ltv_levers(row=row, kinds=kinds, costs=costs, days_since_deal=days_since_deal),
        chart=_chart(snapshots),
    )


def _parts(data: dict[str, Any], labels: dict[str, str]) -> list[Part]:
    keys = [key for key in labels if key in data] + sorted(key for key in data if key not in labels)
    return [
        Part(
            key=key,
            label=labels.get(key, key.replace("_", " ").capitalize()),
            realised=float(data[key].get("realised", 0) or 0),
            predicted=float(data[key].get("predicted", 0) or 0),
        )
        for key in keys
    ]


def _chart(snapshots: list[PartnerLtvSnapshot]) -> dict[str, Any]:
    return {
        "dates": [snap.taken_on.isoformat() for snap in snapshots],
        "ltv": [float(snap.ltv) for snap in snapshots],
        "low": [float(snap.ltv_low) for snap in snapshots],
        "high": [float(snap.ltv_high) for snap in snapshots],
        "realised": [float(snap.realised) for snap in snapshots],
    }


# The engine writes reasons about "the partner"; the portal says them to the partner.
REASON_TITLES = {
    "ltv_falling": "Your LTV is falling",
    "customers_fading": "Your customers are buying less",
    "no_recent_deal": "No recent deals",
    "never_sold": "No deal yet",
    "left_program": "You have left the program",
}
_SECOND_PERSON = (
    ("The partner has", "You have"),
    ("It has", "You have"),
    ("Its customers'", "Your customers'"),
    ("its customers", "your customers"),
)


def reason_for_partner(reason: dict[str, Any]) -> Reason:
    code = str(reason.get("code", ""))
    text = str(reason.get("text", ""))
    for third, second in _SECOND_PERSON:
        text = text.replace(third, second)
    title = REASON_TITLES.get(code, code.replace("_", " ").capitalize() or "Risk")
    return Reason(code=code, title=title, text=text, weight=float(reason.get("weight", 0) or 0))


def ltv_levers(
    *, row: PartnerLtv, kinds: list[Part], costs: list[tuple[str, float]], days_since_deal: int | None
) -> list[Lever]:
    """Concrete things that move this partner's LTV, each from its own figures; ones to act on first."""
    levers = [_deals_lever(row=row, days_since_deal=days_since_deal), _book_lever(row=row)]
    kind_lever = _kind_lever(kinds=kinds)
    if kind_lever is not None:
        levers.append(kind_lever)
    cost_lever = _cost_lever(row=row, costs=costs)
    if cost_lever is not None:
        levers.append(cost_lever)
    return sorted(levers, key=lambda lever: lever.strength != "act")


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _deals_lever(*, row: PartnerLtv, days_since_deal: int | None) -> Lever:
    future = float(row.future)
    per_year = row.new_customers_per_year
    worth = f" Customers you will still bring are worth {_money(future)} of your LTV" + (
        f" at about {per_year:.1f} new customers a year." if per_year else "."
    )
    if days_since_deal is None:
        return Lever(
            "register_deals", "Register your first deal", "You have not registered a deal yet." + worth, "act"
        )
    if days_since_deal > QUIET_DAYS:
        text = f"Your last deal registration was {days_since_deal} days ago." + worth
        return Lever("register_deals", "Register deals", text, "act")
    when = (
        "today" if days_since_deal == 0 else f"{days_since_deal} day{'s' if days_since_deal != 1 else ''} ago"
    )
    text = f"Your last deal registration was {when}." + worth
    return Lever("register_deals", "Keep registering deals", text, "keep")


def _book_lever(*, row: PartnerLtv) -> Lever:
    parts = []
    if row.customers:
        parts.append(
            f"{row.expected_active_customers:.1f} of your {row.customers} customers "
            "are expected to keep buying"
        )
    if row.nrr is not None:
        parts.append(
            f"your customers spent {row.nrr:.0%} of last year's revenue this year (net revenue retention)"
        )
    if row.grr is not None:
        parts.append(f"{row.grr:.0%} kept without counting expansion (gross revenue retention)")
    summary = "; ".join(parts) + "." if parts else "No customer history yet."
    summary = summary[0].upper() + summary[1:]
    weak = (row.nrr is not None and row.nrr < 1) or (
        row.customers > 0 and row.expected_active_customers / row.customers < 0.7
    )
    text = (
        f"{summary} Renewals, upsell, services and parts for the customers you have raise the "
        f"predicted part ({_money(float(row.predicted))}) directly."
    )
    return Lever(
        "grow_book",
        "Grow your existing customers" if weak else "Keep your customers growing",
        text,
        "act" if weak else "keep",
    )


def _kind_lever(*, kinds: list[Part]) -> Lever | None:
    by_key = {part.key: part.total for part in kinds}
    sourced, influenced = by_key.get("sourced", 0.0), by_key.get("influenced", 0.0)
    if sourced + influenced <= 0:
        return None
    share = influenced / (sourced + influenced)
    text = (
        f"{share:.0%} of your customer value comes from customers you influenced, which count at their "
        f"attribution weight; customers you source count in full. Registering the deals you bring as "
        f"your own moves them into the sourced part."
    )
    return Lever("source_more", "Source rather than influence", text, "act" if share >= 0.3 else "keep")


def months(value: float) -> str:
    """'1 month', '0.4 months', '12 months': one decimal where it is not a whole number."""
    shown = str(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).removesuffix(".0")
    return f"{shown} month" if shown == "1" else f"{shown} months"


def _cost_lever(*, row: PartnerLtv, costs: list[tuple[str, float]]) -> Lever | None:
    total = float(row.costs)
    if total <= 0:
        return None
    biggest = f" The largest is {costs[0][0].lower()} ({_money(costs[0][1])})." if costs else ""
    ratio = f" LTV is {row.ltv_cac:.1f} times your acquisition costs." if row.ltv_cac is not None else ""
    payback = (
        f" Acquisition costs were paid back by {months(row.payback_months)} of margin."
        if row.payback_months is not None
        else ""
    )
    gross = float(row.realised + row.predicted + row.future)
    heavy = gross > 0 and total / gross > 0.25
    text = f"Your costs ({_money(total)}) are subtracted from your LTV.{biggest}{ratio}{payback}"
    if heavy:
        text += " Turning funded activity (MDF, incentives) into registered deals is what pays it back."
    return Lever("costs", "Make your costs pay back", text, "act" if heavy else "keep")

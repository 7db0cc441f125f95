"""Demo partner costs over each partner's sourcing window: quarterly support, enablement now and
then, an acquisition cost when it started, and quarterly incentives paid on the revenue it sourced
(the weight in force on each row's day); partners still onboarding cost their onboarding. MDF comes
from the partners demo's reimbursed claims. Prospects cost nothing yet.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from partners.models import Partner, PartnerStatus, PartnerType
from revenue.demo_catalog import COSTS
from revenue.demo_world import World, money
from revenue.models import Attribution, AttributionKind, CostKind, PartnerCost, RevenueEntry

SUPPORT_FACTOR = {
    PartnerType.DISTRIBUTOR: 1.6,
    PartnerType.RESELLER: 1.2,
    PartnerType.SERVICES: 1.0,
    PartnerType.TECHNOLOGY: 0.8,
    PartnerType.REFERRAL: 0.5,
}


def _quarter(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month > 9 else date(day.year, day.month + 3, 1)


def _label(quarter: date) -> str:
    return f"Q{(quarter.month - 1) // 3 + 1} {quarter.year}"


def sourced_revenue(
    attributions: list[Attribution], rows: list[RevenueEntry]
) -> dict[tuple[int, date], Decimal]:
    """Revenue each partner sourced per quarter: every row times the sourced weight in force on its day."""
    spans = defaultdict(list)
    for credit in attributions:
        if credit.kind == AttributionKind.SOURCED and credit.revenue_entry is None:
            spans[credit.customer.pk].append(credit)
    totals: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for row in rows:
        for credit in spans.get(row.customer.pk, ()):
            day = row.occurred_on
            if credit.effective_from <= day and (credit.effective_to is None or day < credit.effective_to):
                totals[(credit.partner.pk, _quarter(day))] += row.amount * credit.weight
    return totals


def costs_seed(world: World, attributions: list[Attribution], rows: list[RevenueEntry]) -> None:
    rng, today = world.rng, world.today
    earned = sourced_revenue(attributions, rows)
    costs: list[PartnerCost] = []

    def add(partner: Partner, kind: str, day: date, amount: float, description: str) -> None:
        if day <= today:
            cost = PartnerCost(partner=partner, kind=kind, incurred_on=day, amount=money(amount))
            cost.description = description
            costs.append(cost)

    for window in world.windows.values():
        partner, factor = window.partner, SUPPORT_FACTOR[PartnerType(window.partner.partner_type)]
        rebate = Decimal(rng.choice(("0.03", "0.04", "0.05", "0.06")))
        text, (low, high) = COSTS["support"]
        quarter = _quarter(window.starts)
        while quarter <= window.ends:
            day = max(quarter, window.starts) + timedelta(days=rng.randint(5, 80))
            label = str(text).format(quarter=_label(quarter))
            add(partner, CostKind.SUPPORT, min(day, window.ends), rng.uniform(low, high) * factor, label)
            paid = _next_quarter(quarter) + timedelta(days=rng.randint(10, 25))
            base = earned.get((partner.pk, quarter), Decimal("0"))
            if base > 0:
                label = f"{_label(quarter)} rebate: {rebate * 100:.0f}% of sourced revenue"
                add(partner, CostKind.INCENTIVE, paid, float(base * rebate), label)
            quarter = _next_quarter(quarter)
        names, (low, high) = COSTS["enablement"]
        day = window.starts
        while True:
            day += timedelta(days=rng.randint(120, 300))
            if day > window.ends:
                break
            add(partner, CostKind.ENABLEMENT, day, rng.uniform(low, high), rng.choice(names))
        if rng.random() < 0.6:
            names, (low, high) = COSTS["acquisition"]
            day = window.starts + timedelta(days=rng.randint(0, 30))
            add(partner, CostKind.ACQUISITION, day, rng.uniform(low, high), rng.choice(names))
    for partner in world.partners:
        # Onboarding costs money before a partner brings anything.
        if partner.status == PartnerStatus.ONBOARDING and partner.pk not in world.windows:
            since = partner.created_at.date() if partner.created_at else today
            for kind, text in (
                (CostKind.ENABLEMENT, "Onboarding workshop"),
                (CostKind.SUPPORT, "Onboarding support"),
            ):
                day = since + timedelta(days=rng.randint(0, max(0, (today - since).days)))
                add(partner, kind, day, rng.uniform(300, 2_500), text)
    costs.sort(key=lambda cost: cost.incurred_on)
    PartnerCost.objects.bulk_create(costs, batch_size=1000)

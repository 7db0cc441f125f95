"""What one partner brought, as the partner 360 "Sell" tab and the onboarding panel show it.

Credited revenue follows the attribution ledger as of each revenue row's date: a customer-level
credit in force on that day counts with its weight, a row-level credit counts for its row only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone

from partners.models import Partner
from revenue.models import Attribution, AttributionKind, Deal, DealStatus, RevenueEntry
from revenue.selectors_ledger import partner_cost_totals


@dataclass
class StreamCredit:
    revenue: Decimal = Decimal("0")
    margin: Decimal = Decimal("0")


@dataclass
class CreditedRevenue:
    """Revenue and gross margin credited to a partner, by kind (sourced/influenced) and stream."""

    by_kind: dict[str, dict[str, StreamCredit]] = field(default_factory=dict)

    def total(self, kind: str) -> StreamCredit:
        result = StreamCredit()
        for credit in self.by_kind.get(kind, {}).values():
            result.revenue += credit.revenue
            result.margin += credit.margin
        return result


def _weight_on(
    spans: list[tuple[datetime.date, datetime.date | None, Decimal]], day: datetime.date
) -> Decimal:
    return sum(
        (weight for start, end, weight in spans if start <= day and (end is None or day < end)), Decimal("0")
    )


def partner_credited_revenue(*, partner_id: int, as_of: datetime.date | None = None) -> CreditedRevenue:
    as_of = as_of or timezone.localdate()
    credits = list(
        Attribution.objects.filter(partner_id=partner_id, effective_from__lte=as_of).values_list(
            "customer_id", "revenue_entry_id", "kind", "effective_from", "effective_to", "weight"
        )
    )
    customer_spans: dict[tuple[int, str], list[tuple[datetime.date, datetime.date | None, Decimal]]] = (
        defaultdict(list)
    )
    row_weights: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for customer_id, entry_id, kind, start, end, weight in credits:
        if entry_id is None:
            customer_spans[(customer_id, kind)].append((start, end, weight))
        else:
            row_weights[(entry_id, kind)] += weight
    customer_ids = {customer_id for customer_id, _, _, _, _, _ in credits}
    result = CreditedRevenue()
    rows = RevenueEntry.objects.filter(customer_id__in=customer_ids, occurred_on__lte=as_of).values_list(
        "pk", "customer_id", "occurred_on", "amount", "margin", "stream"
    )
    for pk, customer_id, day, amount, margin, stream in rows.iterator(chunk_size=2000):
        for kind in AttributionKind.values:
            weight = _weight_on(customer_spans.get((customer_id, kind), []), day) + row_weights.get(
                (pk, kind), 0
            )
            if not weight:
                continue
            bucket = result.by_kind.setdefault(kind, {}).setdefault(stream, StreamCredit())
            bucket.revenue += amount * weight
            bucket.margin += amount * margin * weight
    return result


@dataclass
class FirstDeal:
    started_on: datetime.date | None
    first_submitted_on: datetime.date | None
    first_won_on: datetime.date | None

    @property
    def days_to_first_deal(self) -> int | None:
        if self.started_on is None or self.first_submitted_on is None:
            return None
        return max((self.first_submitted_on - self.started_on).days, 0)

    @property
    def days_without_deal(self) -> int | None:
        if self.started_on is None or self.first_submitted_on is not None:
            return None
        return max((timezone.localdate() - self.started_on).days, 0)


def partner_first_deal(*, partner: Partner) -> FirstDeal:
    """Time to first deal counts from the day the partner joined (else the day it was created) to
    its first submitted registration; drafts do not count."""
    firsts = Deal.objects.filter(partner=partner).aggregate(
        submitted=Min("submitted_at"), won=Min("closed_on", filter=Q(status=DealStatus.WON))
    )
    started = partner.joined_on or timezone.localdate(partner.created_at)
    submitted = timezone.localdate(firsts["submitted"]) if firsts["submitted"] else None
    return FirstDeal(started_on=started, first_submitted_on=submitted, first_won_on=firsts["won"])


def partner_deal_counts(*, partner_id: int) -> dict[str, int]:
    counts = dict.fromkeys(DealStatus.values, 0)
    for row in Deal.objects.filter(partner_id=partner_id).values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def partner_customer_counts(*, partner_id: int, on: datetime.date | None = None) -> dict[str, int]:
    """Customers the partner holds credit for today (customer-level credit), by kind."""
    on = on or timezone.localdate()
    in_force = Attribution.objects.filter(partner_id=partner_id, revenue_entry__isnull=True).filter(
        Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gt=on))
    )
    return {
        kind: in_force.filter(kind=kind).values("customer_id").distinct().count()
        for kind in AttributionKind.values
    }


def partner_costs(*, partner_id: int) -> dict[str, Decimal]:
    return partner_cost_totals(partner_ids=[partner_id]).get(partner_id, {})

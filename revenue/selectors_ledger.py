"""Reads of customers, the revenue/attribution/cost ledgers and referral codes, already scoped to
what the actor may see (revenue.access.customers_visible_to for partner roles)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.expressions import OuterRef, Subquery
from django.db.models.functions import Coalesce

from partners.models import AcquisitionCost, MdfRequest, MdfStatus, Partner, Segment
from prm.models import Membership
from revenue.access import customers_visible_to
from revenue.models import (
    Attribution,
    CostKind,
    Customer,
    Deal,
    PartnerCost,
    ReferralClick,
    ReferralCode,
    RevenueEntry,
    Stream,
)


def customer_list(
    *, actor: Membership, q: str = "", segment_id: int | None = None, country: str = ""
) -> QuerySet[Customer]:
    rows = Customer.objects.select_related("segment").filter(customers_visible_to(actor))
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(domain__icontains=q) | Q(external_ref__icontains=q))
    if segment_id is not None:
        rows = rows.filter(segment_id=segment_id)
    if country:
        rows = rows.filter(country=country.upper())
    return rows.order_by("name", "id")


def revenue_list(
    *,
    actor: Membership,
    customer_id: int | None = None,
    stream: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    q: str = "",
) -> QuerySet[RevenueEntry]:
    rows = RevenueEntry.objects.select_related("customer", "deal", "reverses").prefetch_related("reversals")
    if actor.is_partner:
        rows = rows.filter(customer_id__in=Customer.objects.filter(customers_visible_to(actor)).values("pk"))
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    if stream:
        rows = rows.filter(stream=stream)
    if date_from is not None:
        rows = rows.filter(occurred_on__gte=date_from)
    if date_to is not None:
        rows = rows.filter(occurred_on__lte=date_to)
    if q:
        rows = rows.filter(Q(customer__name__icontains=q) | Q(external_ref__icontains=q))
    return rows.order_by("-occurred_on", "-id")


def attribution_list(
    *,
    actor: Membership,
    partner_id: int | None = None,
    customer_id: int | None = None,
    kind: str = "",
    source: str = "",
    in_force_on: datetime.date | None = None,
    q: str = "",
) -> QuerySet[Attribution]:
    rows = Attribution.objects.select_related(
        "partner", "customer", "deal", "referral_code", "revenue_entry", "supersedes"
    ).prefetch_related("successors")
    if actor.is_partner:
        rows = rows.filter(partner_id=actor.own_partner_id)
    elif partner_id is not None:
        rows = rows.filter(partner_id=partner_id)
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    if kind:
        rows = rows.filter(kind=kind)
    if source:
        rows = rows.filter(source=source)
    if in_force_on is not None:
        rows = rows.filter(
            Q(effective_from__lte=in_force_on)
            & (Q(effective_to__isnull=True) | Q(effective_to__gt=in_force_on))
        )
    if q:
        rows = rows.filter(Q(customer__name__icontains=q) | Q(partner__name__icontains=q))
    return rows.order_by("-effective_from", "-id")


def cost_list(
    *, actor: Membership, partner_id: int | None = None, kind: str = "", q: str = ""
) -> QuerySet[PartnerCost]:
    rows = PartnerCost.objects.select_related("partner", "reverses").prefetch_related("reversals")
    if actor.is_partner:
        rows = rows.filter(partner_id=actor.own_partner_id)
    elif partner_id is not None:
        rows = rows.filter(partner_id=partner_id)
    if kind:
        rows = rows.filter(kind=kind)
    if q:
        rows = rows.filter(
            Q(description__icontains=q) | Q(partner__name__icontains=q) | Q(external_ref__icontains=q)
        )
    return rows.order_by("-incurred_on", "-id")


def partner_cost_totals(*, partner_ids: list[int] | None = None) -> dict[int, dict[str, Decimal]]:
    """Each partner's costs by kind, from the cost ledger plus what the partners app records:
    reimbursed MDF claims (kind "mdf") and acquisition cost entries (kind "acquisition")."""
    totals: dict[int, dict[str, Decimal]] = {}

    def add(partner_id: int, kind: str, amount: Decimal | None) -> None:
        if amount:
            bucket = totals.setdefault(partner_id, {})
            bucket[kind] = bucket.get(kind, Decimal("0")) + amount

    ledger = PartnerCost.objects.all()
    mdf = MdfRequest.objects.filter(status=MdfStatus.REIMBURSED)
    acquisition = AcquisitionCost.objects.all()
    if partner_ids is not None:
        ledger = ledger.filter(partner_id__in=partner_ids)
        mdf = mdf.filter(partner_id__in=partner_ids)
        acquisition = acquisition.filter(partner_id__in=partner_ids)
    for row in ledger.values("partner_id", "kind").annotate(total=Sum("amount")):
        add(row["partner_id"], row["kind"], row["total"])
    for claim in mdf.values("partner_id").annotate(total=Sum("amount_claimed")):
        add(claim["partner_id"], "mdf", claim["total"])
    for entry in acquisition.values("partner_id").annotate(total=Sum("amount")):
        add(entry["partner_id"], "acquisition", entry["total"])
    return totals


def referral_code_list(
    *, actor: Membership, partner_id: int | None = None, q: str = ""
) -> QuerySet[ReferralCode]:
    # Counted by subqueries: a join of clicks with attributions would multiply rows per code.
    clicks = ReferralClick.objects.filter(code_id=OuterRef("pk")).order_by().values("code_id")
    credits = (
        Attribution.objects.filter(referral_code_id=OuterRef("pk")).order_by().values("referral_code_id")
    )
    rows = ReferralCode.objects.select_related("partner").annotate(
        click_count=Coalesce(Subquery(clicks.annotate(n=Count("pk")).values("n")), 0),
        attribution_count=Coalesce(Subquery(credits.annotate(n=Count("pk")).values("n")), 0),
    )
    if actor.is_partner:
        rows = rows.filter(partner_id=actor.own_partner_id)
    elif partner_id is not None:
        rows = rows.filter(partner_id=partner_id)
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(label__icontains=q) | Q(partner__name__icontains=q))
    return rows.order_by("partner__name", "code")


# --- reads of the ledger pages --------------------------------------------------------------------

CENT = Decimal("0.01")
# Gross margin of a row in money: amount x margin (reversal rows are negative, so they net out).
MARGIN_AMOUNT = ExpressionWrapper(
    F("amount") * F("margin"), output_field=DecimalField(max_digits=20, decimal_places=6)
)
MONEY = DecimalField(max_digits=20, decimal_places=6)
CUSTOMER_CHOICES_MAX = 200


def cents(value: Decimal | None) -> Decimal:
    return (value or Decimal("0")).quantize(CENT)


def customer_with_totals(rows: QuerySet[Customer]) -> QuerySet[Customer]:
    """Each customer's net revenue and gross margin: one correlated subquery each, no per-row query."""
    revenue = RevenueEntry.objects.filter(customer_id=OuterRef("pk")).order_by().values("customer_id")
    return rows.annotate(
        revenue_total=Subquery(revenue.annotate(total=Sum("amount")).values("total"), output_field=MONEY),
        margin_total=Subquery(revenue.annotate(total=Sum(MARGIN_AMOUNT)).values("total"), output_field=MONEY),
    )


def customer_with_credit(
    rows: QuerySet[Customer], *, partner_id: int, on: datetime.date
) -> QuerySet[Customer]:
    """The partner's own customer-level credit in force on `on` (sourced before influenced)."""
    credit = Attribution.objects.filter(
        customer_id=OuterRef("pk"), partner_id=partner_id, revenue_entry__isnull=True
    ).filter(Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gt=on)))
    first = credit.order_by("-kind", "-weight")  # descending: "sourced" before "influenced"
    return rows.annotate(
        credit_kind=Subquery(first.values("kind")[:1]),
        credit_weight=Subquery(first.values("weight")[:1]),
    )


def customer_filter_options() -> dict[str, list[tuple[Any, str]]]:
    countries = (
        Customer.objects.exclude(country="").order_by("country").values_list("country", flat=True).distinct()
    )
    return {
        "segments": list(Segment.objects.order_by("name").values_list("id", "name")),
        "countries": [(code, code) for code in countries],
    }


def customer_choices(*, q: str = "", include_id: int | None = None) -> list[tuple[int, str]]:
    """Customers for a picker: the first CUSTOMER_CHOICES_MAX matching `q`, plus `include_id`
    (the one already chosen) so a narrowed search never drops the selection."""
    rows = Customer.objects.order_by("name", "id")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(domain__icontains=q) | Q(external_ref__icontains=q))
    found = list(rows.values_list("id", "name", "domain")[:CUSTOMER_CHOICES_MAX])
    if include_id is not None and all(pk != include_id for pk, _, _ in found):
        found += list(Customer.objects.filter(pk=include_id).values_list("id", "name", "domain"))
    return [(pk, f"{name} ({domain})" if domain else name) for pk, name, domain in found]


def revenue_totals(rows: QuerySet[RevenueEntry]) -> dict[str, Any]:
    """Net amount and gross margin of the rows as filtered (reversals net out)."""
    totals = rows.order_by().aggregate(
        total_amount=Sum("amount"), total_margin=Sum(MARGIN_AMOUNT), n=Count("pk")
    )
    return {
        "amount": cents(totals["total_amount"]),
        "margin": cents(totals["total_margin"]),
        "n": totals["n"],
    }


def revenue_totals_by_stream(rows: QuerySet[RevenueEntry]) -> list[dict[str, Any]]:
    labels = dict(Stream.choices)
    grouped = (
        rows.order_by()
        .values("stream")
        .annotate(total_amount=Sum("amount"), total_margin=Sum(MARGIN_AMOUNT), n=Count("pk"))
        .order_by("stream")
    )
    return [
        {
            "stream": row["stream"],
            "label": labels.get(row["stream"], row["stream"]),
            "amount": cents(row["total_amount"]),
            "margin": cents(row["total_margin"]),
            "n": row["n"],
        }
        for row in grouped
    ]


def attribution_timeline(*, actor: Membership, customer_id: int) -> list[Attribution]:
    """A customer's credits (a partner: its own) in date order, each with its `version` number in
    its chain of changes (1 for an original, 2 for what superseded it, ...)."""
    rows = list(attribution_list(actor=actor, customer_id=customer_id).order_by("effective_from", "id"))
    by_pk = {row.pk: row for row in rows}

    def version(row: Attribution) -> int:
        count, current = 1, row
        while current.supersedes_id is not None and current.supersedes_id in by_pk:
            count, current = count + 1, by_pk[current.supersedes_id]
        return count

    for row in rows:
        row.version = version(row)  # type: ignore[attr-defined]
    return rows


def attribution_versions(*, attribution: Attribution) -> list[Attribution]:
    """Every version of one credit, oldest first: one query over its partner, customer and scope,
    then the supersedes links walked in memory."""
    family = {
        row.pk: row
        for row in Attribution.objects.select_related("partner", "created_by", "referral_code", "deal")
        .prefetch_related("successors")
        .filter(
            partner_id=attribution.partner_id,
            customer_id=attribution.customer_id,
            revenue_entry_id=attribution.revenue_entry_id,
        )
    }
    first = family.get(attribution.pk, attribution)
    while first.supersedes_id is not None and first.supersedes_id in family:
        first = family[first.supersedes_id]
    chain, current = [first], first
    successors = {row.supersedes_id: row for row in family.values() if row.supersedes_id is not None}
    while current.pk in successors:
        current = successors[current.pk]
        chain.append(current)
    return chain


def customer_deals(*, actor: Membership, customer_id: int) -> list[Deal]:
    rows = Deal.objects.select_related("partner").filter(customer_id=customer_id)
    if actor.is_partner:
        rows = rows.filter(partner_id=actor.own_partner_id)
    return list(rows.order_by("-created_at", "-id"))


def revenue_entry_find(*, entry_id: int) -> RevenueEntry | None:
    return RevenueEntry.objects.select_related("customer").filter(pk=entry_id).first()


def deal_find(*, deal_id: int) -> Deal | None:
    return Deal.objects.filter(pk=deal_id).first()


def referral_code_find(*, code: str) -> ReferralCode | None:
    return ReferralCode.objects.filter(code=str(code or "").strip().upper()).first()


def referral_code_for_link(*, code: str) -> ReferralCode | None:
    """The active code a tracked link names; None for an unknown or inactive one."""
    wanted = str(code or "").strip().upper()
    return ReferralCode.objects.select_related("partner").filter(code=wanted, is_active=True).first()


def partner_cost_panel(*, partner_id: int | None = None) -> list[dict[str, Any]]:
    """Per partner, its costs by kind (selectors_ledger.partner_cost_totals) with what of them came
    from the partners app: reimbursed MDF claims (the MDF workflow) and acquisition (CAC) entries."""
    ids = [partner_id] if partner_id is not None else None
    totals = partner_cost_totals(partner_ids=ids)
    mdf = MdfRequest.objects.filter(status=MdfStatus.REIMBURSED)
    acquisition = AcquisitionCost.objects.all()
    if ids is not None:
        mdf, acquisition = mdf.filter(partner_id__in=ids), acquisition.filter(partner_id__in=ids)
    from_mdf = dict(
        mdf.order_by().values("partner_id").annotate(t=Sum("amount_claimed")).values_list("partner_id", "t")
    )
    from_cac = dict(
        acquisition.order_by().values("partner_id").annotate(t=Sum("amount")).values_list("partner_id", "t")
    )
    names = dict(Partner.objects.filter(pk__in=list(totals)).values_list("pk", "name"))
    panel = []
    for pk, kinds in totals.items():
        panel.append(
            {
                "partner_id": pk,
                "name": names.get(pk, f"#{pk}"),
                "kinds": [(kind, label, cents(kinds.get(kind))) for kind, label in CostKind.choices],
                "total": cents(sum(kinds.values(), Decimal("0"))),
                "from_mdf": cents(from_mdf.get(pk)),
                "from_cac": cents(from_cac.get(pk)),
            }
        )
    return sorted(panel, key=lambda row: (str(row["name"]).lower(), row["partner_id"]))


def revenue_with_margin(rows: QuerySet[RevenueEntry]) -> QuerySet[RevenueEntry]:
    """Each row's margin as a percentage and in money, computed by the database for display."""
    return rows.annotate(
        margin_percent=ExpressionWrapper(
            F("margin") * 100, output_field=DecimalField(max_digits=7, decimal_places=2)
        ),
        margin_amount=MARGIN_AMOUNT,
    )


def customer_find(*, actor: Membership, customer_id: int | None) -> Customer | None:
    """The customer a list is filtered by, if the actor may see it; None otherwise (no 404 for a filter)."""
    if customer_id is None:
        return None
    return Customer.objects.filter(customers_visible_to(actor)).filter(pk=customer_id).first()


def revenue_entry_credits(*, actor: Membership, entry: RevenueEntry) -> list[Attribution]:
    """The credit that applies to one revenue row: credit for the row itself, and the customer's
    credit in force on the row's date."""
    on = entry.occurred_on
    in_force = Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gt=on))
    return list(
        attribution_list(actor=actor, customer_id=entry.customer_id).filter(
            Q(revenue_entry_id=entry.pk) | (Q(revenue_entry__isnull=True) & in_force)
        )
    )

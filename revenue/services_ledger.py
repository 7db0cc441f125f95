"""Revenue and cost ledger writes. Rows are never edited: a correction is a reversal row (the negated
amount, pointing at the row it reverses) followed, if needed, by a new row with the right values.

Every write marks the partners it affects for an LTV recompute in the same transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Partner
from prm.audit import audit_record, model_snapshot
from prm.context import require_tenant_id
from prm.models import Membership, Tenant
from revenue.models import (
    Attribution,
    AttributionKind,
    AttributionSource,
    CostKind,
    Customer,
    Deal,
    PartnerCost,
    RevenueEntry,
)
from revenue.services_common import Fields, require_vendor, required_text, text
from revenue.services_recompute import recompute_mark_partners
from revenue.validation import parse_currency, parse_date, parse_margin, parse_money, parse_stream

REVENUE_FIELDS = [
    "customer",
    "occurred_on",
    "amount",
    "currency",
    "stream",
    "margin",
    "margin_is_default",
    "contract_start",
    "contract_end",
    "deal",
    "reverses",
    "reason",
    "external_ref",
]
COST_FIELDS = ["partner", "kind", "incurred_on", "amount", "description", "reverses", "external_ref"]


def current_tenant() -> Tenant:
    return Tenant.objects.get(pk=require_tenant_id())


def default_margin(tenant: Tenant, stream: str) -> Decimal:
    return Decimal(str(tenant.default_margins.get(stream, "0.70"))).quantize(Decimal("0.0001"))


def customer_partner_ids(customer_ids: list[int]) -> set[int]:
    """Every partner with credit for these customers, at any time (its LTV history changes too)."""
    return set(
        Attribution.objects.filter(customer_id__in=customer_ids)
        .values_list("partner_id", flat=True)
        .distinct()
    )


def revenue_values(
    *,
    tenant: Tenant,
    occurred_on: Any,
    amount: Any,
    stream: Any,
    margin: Any = None,
    currency: Any = "",
    contract_start: Any = None,
    contract_end: Any = None,
    external_ref: Any = "",
    fields: Fields,
) -> dict[str, Any]:
    """Clean values of one revenue row; errors go to `fields` keyed by field (CSV column) name."""
    values: dict[str, Any] = {
        "occurred_on": fields.parse("occurred_on", parse_date, occurred_on, label="date"),
        "amount": fields.parse("amount", parse_money, amount),
        "stream": fields.parse("stream", parse_stream, stream),
        "currency": fields.parse("currency", parse_currency, currency, tenant_currency=tenant.currency),
        "contract_start": fields.parse(
            "contract_start", parse_date, contract_start, label="contract start", required=False
        ),
        "contract_end": fields.parse(
            "contract_end", parse_date, contract_end, label="contract end", required=False
        ),
        "external_ref": fields.parse("external_ref", text, external_ref, max_length=100) or "",
    }
    explicit = fields.parse("margin", parse_margin, margin)
    start, end = values["contract_start"], values["contract_end"]
    if end is not None and start is None:
        fields.add("contract_start", "A contract with an end date needs its start date.")
    if start and end and end < start:
        fields.add("contract_end", "The contract cannot end before it starts.")
    if explicit is not None:
        values["margin"], values["margin_is_default"] = explicit, False
    elif values["stream"]:
        values["margin"], values["margin_is_default"] = default_margin(tenant, values["stream"]), True
    return values


@transaction.atomic
def revenue_record(
    *,
    actor: Membership | None,
    customer: Customer,
    occurred_on: Any,
    amount: Any,
    stream: Any,
    margin: Any = None,
    currency: Any = "",
    contract_start: Any = None,
    contract_end: Any = None,
    external_ref: Any = "",
    deal: Deal | None = None,
    referral_code: Any = "",
) -> RevenueEntry:
    """One revenue event. A quoted referral code credits its partner: the customer's sourced credit
    if nobody holds it yet, else influence on this row."""
    from revenue.services_customers import referral_code_resolve

    if actor is not None:
        require_vendor(actor, "records revenue")
    fields = Fields()
    values = revenue_values(
        tenant=current_tenant(),
        occurred_on=occurred_on,
        amount=amount,
        stream=stream,
        margin=margin,
        currency=currency,
        contract_start=contract_start,
        contract_end=contract_end,
        external_ref=external_ref,
        fields=fields,
    )
    code = fields.parse("referral_code", referral_code_resolve, code=referral_code) if referral_code else None
    fields.raise_if_any()
    entry = RevenueEntry.objects.create(
        customer=customer, deal=deal, created_by=actor.user if actor else None, **values
    )
    audit_record(
        actor=actor.user if actor else None,
        verb="revenue.recorded",
        obj=entry,
        after=model_snapshot(entry, fields=REVENUE_FIELDS),
    )
    if code is not None:
        attribute_by_code(customer=customer, code=code, on=entry.occurred_on, revenue_entry=entry)
    recompute_mark_partners(partner_ids=customer_partner_ids([customer.pk]), reason="revenue recorded")
    return entry


def attribute_by_code(
    *, customer: Customer, code: Any, on: datetime.date, revenue_entry: RevenueEntry | None = None
) -> Attribution | None:
    """What a quoted referral code does by itself: sourced credit for the customer if none is held
    from `on`, else (for a revenue row) influence on that row; nothing if the partner already has it."""
    from revenue.services_attribution import attribution_create, sourced_peak

    held = Attribution.objects.filter(customer=customer, partner_id=code.partner_id, revenue_entry=None)
    if held.filter(effective_to__isnull=True).exists():
        return None
    if sourced_peak(customer=customer, revenue_entry_id=None, start=on, end=None) == 0:
        return attribution_create(
            actor=None,
            partner=code.partner,
            customer=customer,
            kind=AttributionKind.SOURCED,
            weight=1,
            effective_from=on,
            source=AttributionSource.REFERRAL_CODE,
            referral_code=code,
        )
    if revenue_entry is None:
        return None
    return attribution_create(
        actor=None,
        partner=code.partner,
        customer=customer,
        revenue_entry=revenue_entry,
        kind=AttributionKind.INFLUENCED,
        weight=1,
        effective_from=on,
        source=AttributionSource.REFERRAL_CODE,
        referral_code=code,
    )


@transaction.atomic
def revenue_reverse(*, actor: Membership, entry: RevenueEntry, reason: str) -> RevenueEntry:
    """Cancel a row by a reversal dated today; the original stays as it was."""
    require_vendor(actor, "corrects revenue")
    why = str(reason or "").strip()
    if not why:
        raise ValidationError({"reason": "Say why this revenue is reversed, for the audit trail."})
    if len(why) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    locked = RevenueEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.reverses_id is not None:
        raise ValidationError({"reason": "This row is itself a reversal; record the revenue again instead."})
    if RevenueEntry.objects.filter(reverses=locked).exists():
        raise ValidationError({"reason": "This row was already reversed."})
    reversal = RevenueEntry.objects.create(
        customer_id=locked.customer_id,
        occurred_on=timezone.localdate(),
        amount=-locked.amount,
        currency=locked.currency,
        stream=locked.stream,
        margin=locked.margin,
        margin_is_default=locked.margin_is_default,
        contract_start=locked.contract_start,
        contract_end=locked.contract_end,
        deal_id=locked.deal_id,
        reverses=locked,
        reason=why,
        created_by=actor.user,
    )
    audit_record(
        actor=actor.user,
        verb="revenue.reversed",
        obj=reversal,
        before=model_snapshot(locked, fields=REVENUE_FIELDS),
        after=model_snapshot(reversal, fields=REVENUE_FIELDS),
    )
    recompute_mark_partners(partner_ids=customer_partner_ids([locked.customer_id]), reason="revenue reversed")
    return reversal


# --- partner costs --------------------------------------------------------------------------------


def cost_values(
    *, kind: Any, incurred_on: Any, amount: Any, description: Any, external_ref: Any = "", fields: Fields
) -> dict[str, Any]:
    kind_text = str(kind or "").strip().lower()
    if kind_text not in CostKind.values:
        fields.add("kind", f"Use one of: {', '.join(CostKind.values)}.")
    return {
        "kind": kind_text,
        "incurred_on": fields.parse("incurred_on", parse_date, incurred_on, label="date"),
        "amount": fields.parse("amount", parse_money, amount),
        "description": fields.parse(
            "description", required_text, description, max_length=300, label="description"
        ),
        "external_ref": fields.parse("external_ref", text, external_ref, max_length=100) or "",
    }


@transaction.atomic
def cost_record(
    *,
    actor: Membership,
    partner: Partner,
    kind: Any,
    incurred_on: Any,
    amount: Any,
    description: Any,
    external_ref: Any = "",
) -> PartnerCost:
    require_vendor(actor, "records partner costs")
    fields = Fields()
    values = cost_values(
        kind=kind,
        incurred_on=incurred_on,
        amount=amount,
        description=description,
        external_ref=external_ref,
        fields=fields,
    )
    fields.raise_if_any()
    cost = PartnerCost.objects.create(partner=partner, created_by=actor.user, **values)
    audit_record(
        actor=actor.user, verb="cost.recorded", obj=cost, after=model_snapshot(cost, fields=COST_FIELDS)
    )
    recompute_mark_partners(partner_ids=[partner.pk], reason="cost recorded")
    return cost


@transaction.atomic
def cost_reverse(*, actor: Membership, cost: PartnerCost, reason: str) -> PartnerCost:
    if not actor.is_vendor:
        raise PermissionDenied("Only the vendor's team corrects partner costs.")
    why = str(reason or "").strip()
    if not why:
        raise ValidationError({"reason": "Say why this cost is reversed, for the audit trail."})
    locked = PartnerCost.objects.select_for_update().get(pk=cost.pk)
    if locked.reverses_id is not None:
        raise ValidationError({"reason": "This row is itself a reversal."})
    if PartnerCost.objects.filter(reverses=locked).exists():
        raise ValidationError({"reason": "This cost was already reversed."})
    reversal = PartnerCost.objects.create(
        partner_id=locked.partner_id,
        kind=locked.kind,
        incurred_on=timezone.localdate(),
        amount=-locked.amount,
        description=f"Reversal: {why}"[:300],
        reverses=locked,
        created_by=actor.user,
    )
    audit_record(
        actor=actor.user,
        verb="cost.reversed",
        obj=reversal,
        before=model_snapshot(locked, fields=COST_FIELDS),
        after=model_snapshot(reversal, fields=COST_FIELDS),
    )
    recompute_mark_partners(partner_ids=[locked.partner_id], reason="cost reversed")
    return reversal

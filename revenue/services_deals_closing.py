"""The end of a registration: the one protection extension, expiry by the periodic task, won
(customer, first revenue row, credit) and lost."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from prm.audit import model_snapshot
from prm.models import Membership
from revenue.models import (
    AttributionKind,
    AttributionSource,
    Deal,
    DealStatus,
    ExtensionStatus,
)
from revenue.services_common import Fields, require_vendor
from revenue.services_deals_common import (
    DEAL_FIELDS,
    check_actor_for_partner,
    deal_audit_record,
    deal_event_record,
    deal_lock,
    reason_text,
)
from revenue.services_ledger import current_tenant
from revenue.validation import (
    parse_date,
    parse_margin,
    parse_money,
)


@transaction.atomic
def deal_request_extension(*, actor: Membership, deal: Deal, reason: str) -> Deal:
    check_actor_for_partner(actor, deal.partner)
    if not actor.is_partner:
        raise PermissionDenied("The partner asks for an extension; staff grant it.")
    why = reason_text(reason, required=True, what="the deal needs more time")
    locked = deal_lock(deal, DealStatus.APPROVED, action="extended")
    if locked.extension_status != ExtensionStatus.NONE:
        raise ValidationError({"reason": "A deal can have one extension request, and this one had it."})
    before = model_snapshot(locked, fields=DEAL_FIELDS)
    locked.extension_status = ExtensionStatus.REQUESTED
    locked.extension_reason = why
    locked.save(update_fields=["extension_status", "extension_reason", "updated_at"])
    deal_event_record(
        locked, action="extension_requested", from_status=locked.status, actor=actor, reason=why
    )
    deal_audit_record(locked, verb="deal.extension_requested", actor=actor, before=before)
    return locked


@transaction.atomic
def deal_decide_extension(*, actor: Membership, deal: Deal, grant: bool, reason: str = "") -> Deal:
    require_vendor(actor, "decides extensions")
    why = reason_text(reason, required=not grant, what="the extension is denied")
    locked = deal_lock(deal, DealStatus.APPROVED, action="extended")
    if locked.extension_status != ExtensionStatus.REQUESTED:
        raise ValidationError({"reason": "No extension request is waiting on this deal."})
    before = model_snapshot(locked, fields=DEAL_FIELDS)
    if grant:
        tenant = current_tenant()
        base = locked.protection_ends_at or timezone.now()
        locked.protection_ends_at = base + datetime.timedelta(days=tenant.deal_extension_days)
        locked.extension_status = ExtensionStatus.GRANTED
    else:
        locked.extension_status = ExtensionStatus.DENIED
    locked.save(update_fields=["extension_status", "protection_ends_at", "updated_at"])
    action = "extension_granted" if grant else "extension_denied"
    deal_event_record(locked, action=action, from_status=locked.status, actor=actor, reason=why)
    deal_audit_record(locked, verb=f"deal.{action}", actor=actor, before=before)
    return locked


def deals_expire_due() -> int:
    """Approved partner registrations whose protection window has passed become expired (the
    periodic task calls this per tenant). Each deal is its own transaction, so one bad row does not
    hold back the rest, and a deal won meanwhile is skipped on the locked re-check."""
    now = timezone.now()
    due = list(
        Deal.objects.filter(
            status=DealStatus.APPROVED, partner__isnull=False, protection_ends_at__lt=now
        ).values_list("pk", flat=True)
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            locked = Deal.objects.select_for_update().filter(pk=pk, status=DealStatus.APPROVED).first()
            if locked is None or locked.protection_ends_at is None or locked.protection_ends_at >= now:
                continue
            before = model_snapshot(locked, fields=DEAL_FIELDS)
            locked.status = DealStatus.EXPIRED
            locked.save(update_fields=["status", "updated_at"])
            deal_event_record(
                locked,
                action="expired",
                from_status=DealStatus.APPROVED,
                actor=None,
                reason="The protection window ended.",
            )
            deal_audit_record(locked, verb="deal.expired", actor=None, before=before)
            expired += 1
    return expired


@transaction.atomic
def deal_win(
    *,
    actor: Membership,
    deal: Deal,
    amount: Any = None,
    closed_on: Any = None,
    margin: Any = None,
    contract_start: Any = None,
    contract_end: Any = None,
) -> Deal:
    """approved -> won. The customer is matched (domain, then exact name) or created, its first
    revenue row is recorded with the deal, and the partner gets the sourced credit (or, if another
    partner already holds it, influence on this revenue)."""
    from revenue.services_attribution import attribution_create, sourced_peak
    from revenue.services_customers import customer_match_or_create
    from revenue.services_ledger import revenue_record

    require_vendor(actor, "closes deals as won")
    locked = deal_lock(deal, DealStatus.APPROVED, action="won")
    fields = Fields()
    on = fields.parse("closed_on", parse_date, closed_on or timezone.localdate(), label="close date")
    value = fields.parse(
        "amount", parse_money, amount if amount not in (None, "") else locked.amount, label="won amount"
    )
    # Checked again by revenue_record; parsed here too so one answer names every bad field.
    fields.parse("margin", parse_margin, margin)
    fields.parse("contract_start", parse_date, contract_start, label="contract start", required=False)
    fields.parse("contract_end", parse_date, contract_end, label="contract end", required=False)
    fields.raise_if_any()
    assert on is not None
    before = model_snapshot(locked, fields=DEAL_FIELDS)
    customer = customer_match_or_create(
        name=locked.customer_name, domain=locked.customer_domain, country=locked.country
    )
    revenue = revenue_record(
        actor=actor,
        customer=customer,
        occurred_on=on,
        amount=value,
        stream=locked.stream,
        margin=margin,
        contract_start=contract_start,
        contract_end=contract_end,
        deal=locked,
    )
    if locked.partner is not None:
        if sourced_peak(customer=customer, revenue_entry_id=None, start=on, end=None) == 0:
            attribution_create(
                actor=None,
                partner=locked.partner,
                customer=customer,
                kind=AttributionKind.SOURCED,
                weight=1,
                effective_from=on,
                source=AttributionSource.DEAL,
                deal=locked,
            )
        else:
            attribution_create(
                actor=None,
                partner=locked.partner,
                customer=customer,
                revenue_entry=revenue,
                kind=AttributionKind.INFLUENCED,
                weight=1,
                effective_from=on,
                source=AttributionSource.DEAL,
                deal=locked,
            )
    locked.status = DealStatus.WON
    locked.customer = customer
    locked.closed_on = on
    assert value is not None  # parse_money raised otherwise
    locked.amount = value
    locked.save(update_fields=["status", "customer", "closed_on", "amount", "updated_at"])
    deal_event_record(locked, action="won", from_status=DealStatus.APPROVED, actor=actor)
    deal_audit_record(locked, verb="deal.won", actor=actor, before=before)
    return locked


@transaction.atomic
def deal_lose(*, actor: Membership, deal: Deal, reason: str, closed_on: Any = None) -> Deal:
    """approved -> lost, by staff or by the partner's own people."""
    check_actor_for_partner(actor, deal.partner)
    why = reason_text(reason, required=True, what="the deal was lost")
    locked = deal_lock(deal, DealStatus.APPROVED, action="marked lost")
    fields = Fields()
    on = fields.parse("closed_on", parse_date, closed_on or timezone.localdate(), label="close date")
    fields.raise_if_any()
    before = model_snapshot(locked, fields=DEAL_FIELDS)
    locked.status = DealStatus.LOST
    locked.closed_on = on
    locked.decision_reason = why
    locked.save(update_fields=["status", "closed_on", "decision_reason", "updated_at"])
    deal_event_record(locked, action="lost", from_status=DealStatus.APPROVED, actor=actor, reason=why)
    deal_audit_record(locked, verb="deal.lost", actor=actor, before=before)
    return locked

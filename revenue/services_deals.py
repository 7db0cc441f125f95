"""Deal registration writes: the state machine of revenue.models.deals, conflicts, protection.

Every transition locks the deal row, re-checks its state on the locked copy, and writes a DealEvent
(the history partners see) and an audit event, in one transaction. Bad input is a ValidationError
keyed by field; a second open registration of the same customer by the same partner is a
DuplicateDealError (the API answers 409), also when 32 arrive at once: the database's partial unique
index lets exactly one insert through.

The services live in three modules by concept (this one: create, edit, submit, approve, reject;
services_deals_conflicts; services_deals_closing), share what services_deals_common holds, and are
all re-exported here.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.models import Partner
from prm.audit import model_snapshot
from prm.models import Membership
from revenue.models import (
    OPEN_DEAL_STATUSES,
    ConflictCase,
    Deal,
    DealStatus,
)
from revenue.services_common import require_vendor
from revenue.services_deals_closing import (
    deal_decide_extension,
    deal_lose,
    deal_request_extension,
    deal_win,
    deals_expire_due,
)
from revenue.services_deals_common import (
    DEAL_FIELDS,
    EDITABLE_FIELDS,
    DuplicateDealError,
    check_actor_for_partner,
    claims_serialise,
    deal_audit_record,
    deal_close_conflicts,
    deal_event_record,
    deal_lock,
    deal_mark_rejected,
    deal_open_conflicts,
    deal_values,
    reason_text,
)
from revenue.services_deals_conflicts import conflict_default_winner, conflict_resolve, deal_find_holders
from revenue.services_ledger import current_tenant

__all__ = [
    "DEAL_FIELDS",
    "EDITABLE_FIELDS",
    "DuplicateDealError",
    "conflict_default_winner",
    "conflict_resolve",
    "deal_approve",
    "deal_create",
    "deal_decide_extension",
    "deal_find_holders",
    "deal_lose",
    "deal_reject",
    "deal_request_extension",
    "deal_submit",
    "deal_update",
    "deal_values",
    "deal_win",
    "deals_expire_due",
]


@transaction.atomic
def deal_create(*, actor: Membership, partner: Partner | None, submit: bool = False, **fields: Any) -> Deal:
    """A partner's registration (draft, or submitted at once), or with `partner` None a vendor's
    direct opportunity, which is open (approved) from the start."""
    check_actor_for_partner(actor, partner)
    values = deal_values(**fields)
    if partner is not None:
        existing = Deal.objects.filter(
            partner=partner,
            customer_key=values["customer_key"],
            status__in=[DealStatus.DRAFT, *OPEN_DEAL_STATUSES],
        ).first()
        if existing is not None:
            raise DuplicateDealError(existing)
    status = DealStatus.APPROVED if partner is None else DealStatus.DRAFT
    if partner is None:
        claims_serialise()  # a direct opportunity holds the customer from now on
    now = timezone.now()
    try:
        with transaction.atomic():
            deal = Deal.objects.create(
                partner=partner,
                status=status,
                created_by=actor.user,
                submitted_at=now if partner is None else None,
                approved_at=now if partner is None else None,
                **values,
            )
    except IntegrityError:
        # A concurrent registration of the same customer by the same partner committed first.
        raise DuplicateDealError(None) from None
    deal_event_record(deal, action="created" if partner else "direct_opened", from_status="", actor=actor)
    deal_audit_record(deal, verb="deal.created", actor=actor, before=None)
    if submit and partner is not None:
        return deal_submit(actor=actor, deal=deal)
    return deal


@transaction.atomic
def deal_update(*, actor: Membership, deal: Deal, **fields: Any) -> Deal:
    check_actor_for_partner(actor, deal.partner)
    locked = deal_lock(deal, DealStatus.DRAFT, action="edited (only drafts can)")
    values = deal_values(**fields)
    clash = (
        Deal.objects.filter(
            partner=locked.partner,
            customer_key=values["customer_key"],
            status__in=[DealStatus.DRAFT, *OPEN_DEAL_STATUSES],
        )
        .exclude(pk=locked.pk)
        .first()
    )
    if clash is not None and locked.partner_id is not None:
        raise DuplicateDealError(clash)
    before = model_snapshot(locked, fields=DEAL_FIELDS)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.save()
    deal_audit_record(locked, verb="deal.updated", actor=actor, before=before)
    return locked


@transaction.atomic
def deal_submit(*, actor: Membership, deal: Deal) -> Deal:
    """draft -> submitted. Conflict detection runs now: each open registration of another partner
    (or open direct opportunity) for the same customer opens a conflict case for staff."""
    check_actor_for_partner(actor, deal.partner)
    claims_serialise()  # before the time is taken, so submission order is detection order
    locked = deal_lock(deal, DealStatus.DRAFT, action="submitted")
    before = model_snapshot(locked, fields=DEAL_FIELDS)
    locked.status = DealStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    deal_event_record(locked, action="submitted", from_status=DealStatus.DRAFT, actor=actor)
    matches = deal_find_holders(
        customer_name=locked.customer_name,
        customer_domain=locked.customer_domain,
        partner_id=locked.partner_id,
        exclude_pk=locked.pk,
    )
    for match in matches:
        ConflictCase.objects.create(
            deal=locked, other_deal=match.item, match_kind=match.kind, match_score=match.score
        )
    if matches:
        deal_event_record(
            locked,
            action="conflict_opened",
            from_status=DealStatus.SUBMITTED,
            actor=None,
            reason=f"Another open registration covers this customer ({matches[0].kind} match); "
            "staff will decide.",
        )
    deal_audit_record(locked, verb="deal.submitted", actor=actor, before=before)
    return locked


@transaction.atomic
def deal_approve(*, actor: Membership, deal: Deal, reason: str = "") -> Deal:
    require_vendor(actor, "approves deals")
    locked = deal_lock(deal, DealStatus.SUBMITTED, action="approved")
    why = reason_text(reason, required=False, what="")
    if deal_open_conflicts(locked):
        raise ValidationError({"status": "Resolve the open conflict on this deal before approving it."})
    tenant = current_tenant()
    before = model_snapshot(locked, fields=DEAL_FIELDS)
    now = timezone.now()
    locked.status = DealStatus.APPROVED
    locked.approved_at = now
    locked.protection_ends_at = now + datetime.timedelta(days=tenant.deal_protection_days)
    locked.decision_reason = why
    locked.save(
        update_fields=["status", "approved_at", "protection_ends_at", "decision_reason", "updated_at"]
    )
    deal_event_record(locked, action="approved", from_status=DealStatus.SUBMITTED, actor=actor, reason=why)
    deal_audit_record(locked, verb="deal.approved", actor=actor, before=before)
    return locked


@transaction.atomic
def deal_reject(*, actor: Membership, deal: Deal, reason: str) -> Deal:
    require_vendor(actor, "rejects deals")
    why = reason_text(reason, required=True, what="the registration is rejected")
    locked = deal_lock(deal, DealStatus.SUBMITTED, action="rejected")
    deal_mark_rejected(locked, actor=actor, reason=why, action="rejected")
    deal_close_conflicts(locked, actor=actor, reason=f"The other registration was rejected: {why}")
    return locked

"""Conflicts: which open registrations (or direct opportunities) already claim a customer, the
default winner (first valid submission, UTC) and staff resolution with a reason both partners see."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prm.audit import audit_record
from prm.models import Membership
from revenue.matching import Match, find_matches
from revenue.models import (
    OPEN_DEAL_STATUSES,
    ConflictCase,
    ConflictStatus,
    Deal,
)
from revenue.services_common import require_vendor
from revenue.services_deals_common import (
    deal_close_conflicts,
    deal_event_record,
    deal_mark_rejected,
    reason_text,
)
from revenue.validation import (
    name_key,
    normalise_domain,
)


def deal_find_holders(
    *, customer_name: str, customer_domain: str, partner_id: int | None, exclude_pk: int | None = None
) -> list[Match[Deal]]:
    """Open registrations of other partners, and open direct opportunities, naming the same customer."""
    domain = ""
    with contextlib.suppress(ValueError):
        domain = normalise_domain(customer_domain)
    key = name_key(customer_name or "")
    if not domain and not key:
        return []
    candidates = Deal.objects.filter(status__in=OPEN_DEAL_STATUSES).select_related("partner")
    if partner_id is not None:
        candidates = candidates.exclude(partner_id=partner_id)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    # Exact domain or exact key in SQL; fuzzy names compared in Python on the remaining few.
    rows = list(
        candidates.only(
            "pk",
            "partner_id",
            "customer_domain",
            "name_key",
            "customer_name",
            "submitted_at",
            "approved_at",
            "status",
            "tenant_id",
        )
    )
    return find_matches(
        domain=domain, key=key, candidates=[(row, row.customer_domain, row.name_key) for row in rows]
    )


def conflict_default_winner(case: ConflictCase) -> Deal:
    """First valid submission (UTC) wins; a direct opportunity counts from when it was opened."""
    a, b = case.deal, case.other_deal
    a_time = a.submitted_at or a.created_at
    b_time = b.submitted_at or b.created_at
    return a if (a_time, a.pk) <= (b_time, b.pk) else b


@transaction.atomic
def conflict_resolve(*, actor: Membership, case: ConflictCase, winner: Deal, reason: str) -> ConflictCase:
    """Staff decide who holds the customer. The other registration is rejected with the same reason,
    which both partners see in their deal's history."""
    require_vendor(actor, "resolves conflicts")
    why = reason_text(reason, required=True, what="this registration wins")
    locked = ConflictCase.objects.select_for_update().select_related("deal", "other_deal").get(pk=case.pk)
    if locked.status != ConflictStatus.OPEN:
        raise ValidationError({"winner": "This conflict was already resolved."})
    if winner.pk not in (locked.deal_id, locked.other_deal_id):
        raise ValidationError({"winner": "Pick one of the two registrations in this conflict."})
    loser_pk = locked.other_deal_id if winner.pk == locked.deal_id else locked.deal_id
    loser = Deal.objects.select_for_update().get(pk=loser_pk)
    locked.status = ConflictStatus.RESOLVED
    locked.winner = winner
    locked.resolution_reason = why
    locked.resolved_by = actor.user
    locked.resolved_at = timezone.now()
    locked.save()
    if loser.status in OPEN_DEAL_STATUSES:
        deal_mark_rejected(
            loser,
            actor=actor,
            reason=f"Conflict resolved for another registration: {why}",
            action="conflict_lost",
        )
        deal_close_conflicts(loser, actor=actor, reason=f"The other registration lost a conflict: {why}")
    winner_locked = Deal.objects.select_for_update().get(pk=winner.pk)
    deal_event_record(
        winner_locked, action="conflict_won", from_status=winner_locked.status, actor=actor, reason=why
    )
    audit_record(
        actor=actor.user,
        verb="conflict.resolved",
        obj=locked,
        after={"winner": winner.pk, "loser": loser.pk, "reason": why},
    )
    return locked

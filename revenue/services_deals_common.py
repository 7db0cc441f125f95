"""What the deal services share: field lists, parsing of a registration, the duplicate error,
the row lock, history and audit records, and the per-tenant lock that makes claims take turns."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from partners.models import Partner
from prm.audit import audit_record, model_snapshot
from prm.models import Membership
from prm.tenancy import require_tenant_id
from revenue.models import (
    ConflictCase,
    ConflictStatus,
    Deal,
    DealEvent,
    DealStatus,
)
from revenue.services_common import Fields, required_text, text
from revenue.validation import (
    name_key,
    normalise_country,
    normalise_domain,
    parse_date,
    parse_money,
    parse_stream,
)

DEAL_FIELDS = [
    "partner",
    "customer",
    "title",
    "customer_name",
    "customer_domain",
    "country",
    "stream",
    "amount",
    "expected_close_on",
    "status",
    "decision_reason",
    "protection_ends_at",
    "extension_status",
    "closed_on",
]


EDITABLE_FIELDS = [
    "title",
    "customer_name",
    "customer_domain",
    "country",
    "stream",
    "amount",
    "expected_close_on",
    "notes",
]


class DuplicateDealError(Exception):
    """The partner already has an open registration for this customer."""

    def __init__(self, existing: Deal | None) -> None:
        self.existing = existing
        what = f" (#{existing.pk}, {existing.get_status_display().lower()})" if existing else ""
        super().__init__(f"You already have an open registration for this customer{what}.")


def reason_text(value: Any, *, required: bool, what: str) -> str:
    cleaned = str(value or "").strip()
    if required and not cleaned:
        raise ValidationError({"reason": f"Say why {what}; both sides see it."})
    if len(cleaned) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    return cleaned


def deal_values(
    *,
    title: Any,
    customer_name: Any,
    customer_domain: Any = "",
    country: Any = "",
    stream: Any = "new",
    amount: Any,
    expected_close_on: Any = None,
    notes: Any = "",
) -> dict[str, Any]:
    fields = Fields()
    values = {
        "title": fields.parse("title", required_text, title, max_length=200, label="deal title"),
        "customer_name": fields.parse(
            "customer_name", required_text, customer_name, max_length=200, label="customer"
        ),
        "customer_domain": fields.parse("customer_domain", normalise_domain, customer_domain),
        "country": fields.parse("country", normalise_country, country),
        "stream": fields.parse("stream", parse_stream, stream or "new"),
        "amount": fields.parse("amount", parse_money, amount, label="deal value"),
        "expected_close_on": fields.parse(
            "expected_close_on", parse_date, expected_close_on, label="expected close date", required=False
        ),
        "notes": fields.parse("notes", text, notes, max_length=5000),
    }
    fields.raise_if_any()
    values["name_key"] = name_key(str(values["customer_name"]))
    values["customer_key"] = values["customer_domain"] or f"name:{values['name_key']}"
    return values


def check_actor_for_partner(actor: Membership, partner: Partner | None) -> None:
    if actor.is_partner and (partner is None or partner.pk != actor.own_partner_id):
        raise PermissionDenied("You can only register deals for your own organisation.")


def deal_event_record(
    deal: Deal, *, action: str, from_status: str, actor: Membership | None, reason: str = ""
) -> None:
    DealEvent.objects.create(
        deal=deal,
        action=action,
        from_status=from_status,
        to_status=deal.status,
        actor=actor.user if actor else None,
        reason=reason[:500],
    )


def deal_audit_record(
    deal: Deal, *, verb: str, actor: Membership | None, before: dict[str, Any] | None
) -> None:
    audit_record(
        actor=actor.user if actor else None,
        verb=verb,
        obj=deal,
        before=before,
        after=model_snapshot(deal, fields=DEAL_FIELDS),
    )


def deal_lock(deal: Deal, *allowed: str, action: str) -> Deal:
    # `of=("self",)`: the partner join is an outer one (direct deals have none), and PostgreSQL
    # refuses FOR UPDATE on the nullable side of an outer join; only the deal row needs the lock.
    locked = Deal.objects.select_for_update(of=("self",)).select_related("partner").get(pk=deal.pk)
    if locked.status not in allowed:
        raise ValidationError({"status": f"A {locked.get_status_display().lower()} deal cannot be {action}."})
    return locked


# Namespace of the per-tenant advisory lock that makes claims on customers take turns (any constant
# that no other pg_advisory_xact_lock(int, int) user of this database picks).
CLAIM_LOCK_NAMESPACE = 40_001


def claims_serialise() -> None:
    """Conflict detection reads the open registrations, then adds one. Two submissions of the same
    customer at once would each miss the other's uncommitted row and open no case, so claims (a
    submission, a direct opportunity) take turns per tenant: a transaction-scoped advisory lock on
    PostgreSQL (released at commit); SQLite already lets one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [CLAIM_LOCK_NAMESPACE, require_tenant_id()]
            )


def deal_open_conflicts(deal: Deal) -> list[ConflictCase]:
    return list(ConflictCase.objects.filter(Q(deal=deal) | Q(other_deal=deal), status=ConflictStatus.OPEN))


def deal_mark_rejected(locked: Deal, *, actor: Membership | None, reason: str, action: str) -> None:
    before = model_snapshot(locked, fields=DEAL_FIELDS)
    from_status = locked.status
    locked.status = DealStatus.REJECTED
    locked.decision_reason = reason
    locked.protection_ends_at = None
    locked.save(update_fields=["status", "decision_reason", "protection_ends_at", "updated_at"])
    deal_event_record(locked, action=action, from_status=from_status, actor=actor, reason=reason)
    deal_audit_record(locked, verb=f"deal.{action}", actor=actor, before=before)


def deal_close_conflicts(loser: Deal, *, actor: Membership | None, reason: str) -> None:
    """A rejected registration holds nothing any more: its other open cases close in favour of the
    deal on the other side."""
    for case in deal_open_conflicts(loser):
        case.status = ConflictStatus.RESOLVED
        case.winner_id = case.other_deal_id if case.deal_id == loser.pk else case.deal_id
        case.resolution_reason = reason
        case.resolved_by = actor.user if actor else None
        case.resolved_at = timezone.now()
        case.save()

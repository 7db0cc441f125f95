"""Reads of deals and conflicts, already scoped to what the actor may see."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from prm.models import Membership
from revenue.matching import Match, find_matches
from revenue.models import (
    OPEN_DEAL_STATUSES,
    Attribution,
    ConflictCase,
    ConflictStatus,
    Deal,
    DealEvent,
    DealStatus,
    ExtensionStatus,
    RevenueEntry,
)
from revenue.validation import name_key, normalise_domain


def deal_list(
    *,
    actor: Membership,
    status: str = "",
    partner_id: int | None = None,
    q: str = "",
    direct: bool | None = None,
) -> QuerySet[Deal]:
    """Newest first; each row knows how many open conflicts it is part of (`open_conflicts`)."""
    rows = Deal.objects.select_related("partner", "customer").annotate(
        open_conflicts=Count("conflicts", filter=Q(conflicts__status=ConflictStatus.OPEN), distinct=True)
        + Count("conflicts_as_other", filter=Q(conflicts_as_other__status=ConflictStatus.OPEN), distinct=True)
    )
    if actor.is_partner:
        rows = rows.filter(partner_id=actor.own_partner_id)
    elif partner_id is not None:
        rows = rows.filter(partner_id=partner_id)
    if direct is not None:
        rows = rows.filter(partner__isnull=direct)
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(
            Q(title__icontains=q) | Q(customer_name__icontains=q) | Q(customer_domain__icontains=q)
        )
    return rows.order_by("-created_at", "-id")


def conflict_list(*, actor: Membership, status: str = ConflictStatus.OPEN) -> QuerySet[ConflictCase]:
    rows = ConflictCase.objects.select_related(
        "deal", "deal__partner", "other_deal", "other_deal__partner", "winner"
    )
    if actor.is_partner:
        own = actor.own_partner_id
        rows = rows.filter(Q(deal__partner_id=own) | Q(other_deal__partner_id=own))
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("created_at", "id")


# --- the vendor's queues --------------------------------------------------------------------------


def deal_queue(*, actor: Membership) -> QuerySet[Deal]:
    """Submitted registrations waiting for a decision, oldest submission first (first come, first
    served, the same rule conflicts follow)."""
    return deal_list(actor=actor, status=DealStatus.SUBMITTED).order_by("submitted_at", "id")


def deal_extension_requests(*, actor: Membership) -> QuerySet[Deal]:
    """Approved registrations whose partner asked for the one extension, soonest window end first."""
    return (
        deal_list(actor=actor, status=DealStatus.APPROVED)
        .filter(extension_status=ExtensionStatus.REQUESTED)
        .order_by("protection_ends_at", "id")
    )


@dataclass(frozen=True)
class ConflictSide:
    """One conflict case seen from one of its deals: `deal` is that deal, `other` the other side."""

    case: ConflictCase
    deal: Deal
    other: Deal
    default_winner_id: int

    @property
    def is_default_winner(self) -> bool:
        return self.default_winner_id == self.deal.pk

    @property
    def won(self) -> bool | None:
        """None while open; then whether this side was picked."""
        if self.case.status != ConflictStatus.RESOLVED or self.case.winner_id is None:
            return None
        return self.case.winner_id == self.deal.pk


def conflicts_by_deal(*, deal_ids: list[int], open_only: bool = True) -> dict[int, list[ConflictSide]]:
    """The conflict cases of the given deals in one query, grouped per deal (a deal can be on either
    side of a case). Callers pass deals the actor may see; the other side is shown per role."""
    from revenue.services_deals import conflict_default_winner

    wanted = set(deal_ids)
    if not wanted:
        return {}
    cases = ConflictCase.objects.select_related(
        "deal", "deal__partner", "other_deal", "other_deal__partner", "winner", "resolved_by"
    ).filter(Q(deal_id__in=wanted) | Q(other_deal_id__in=wanted))
    if open_only:
        cases = cases.filter(status=ConflictStatus.OPEN)
    grouped: dict[int, list[ConflictSide]] = defaultdict(list)
    for case in cases.order_by("created_at", "id"):
        winner_id = conflict_default_winner(case).pk
        if case.deal_id in wanted:
            grouped[case.deal_id].append(
                ConflictSide(case=case, deal=case.deal, other=case.other_deal, default_winner_id=winner_id)
            )
        if case.other_deal_id in wanted:
            grouped[case.other_deal_id].append(
                ConflictSide(case=case, deal=case.other_deal, other=case.deal, default_winner_id=winner_id)
            )
    return dict(grouped)


# --- one deal -------------------------------------------------------------------------------------


ACTION_LABELS = {
    "created": "Registered (draft)",
    "direct_opened": "Direct opportunity opened",
    "submitted": "Submitted",
    "conflict_opened": "Conflict review opened",
    "approved": "Approved",
    "rejected": "Rejected",
    "conflict_won": "Conflict resolved in its favour",
    "conflict_lost": "Conflict resolved for the other registration",
    "extension_requested": "Extension requested",
    "extension_granted": "Extension granted",
    "extension_denied": "Extension denied",
    "expired": "Protection expired",
    "won": "Won",
    "lost": "Lost",
}


@dataclass(frozen=True)
class HistoryRow:
    event: DealEvent
    who: str

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.event.action, self.event.action.replace("_", " ").capitalize())


def deal_history(*, actor: Membership, deal: Deal) -> list[HistoryRow]:
    """The deal's events, oldest first, each with who acted as the viewer may know it: vendor roles
    see every name; a partner sees the names of its own people only, and "Channel team" for the
    vendor's (or anyone else's), so nobody outside the organisation is identified to it."""
    events = list(DealEvent.objects.filter(deal=deal).select_related("actor").order_by("created_at", "id"))
    own_people: set[int] = set()
    if actor.is_partner:
        user_ids = {event.actor_id for event in events if event.actor_id is not None}
        own_people = set(
            Membership.objects.filter(user_id__in=user_ids, partner_id=actor.own_partner_id).values_list(
                "user_id", flat=True
            )
        )
    rows = []
    for event in events:
        if event.actor is None:
            who = "System"
        elif actor.is_vendor or event.actor_id in own_people:
            who = event.actor.display_name
        else:
            who = "Channel team"
        rows.append(HistoryRow(event=event, who=who))
    return rows


def deal_revenue_rows(*, deal: Deal) -> list[RevenueEntry]:
    """The revenue rows a won deal recorded (and any reversals of them)."""
    return list(
        RevenueEntry.objects.filter(deal=deal).select_related("customer").order_by("occurred_on", "id")
    )


def deal_attributions(*, actor: Membership, deal: Deal) -> list[Attribution]:
    """The credit a won deal gave; a partner sees only its own organisation's rows."""
    rows = Attribution.objects.filter(deal=deal).select_related("partner", "customer", "revenue_entry")
    if actor.is_partner:
        rows = rows.filter(partner_id=actor.own_partner_id)
    return list(rows.order_by("effective_from", "id"))


def deal_own_matches(
    *, actor: Membership, customer_name: str, customer_domain: str, exclude_pk: int | None = None
) -> list[Match[Deal]]:
    """The partner's own open registrations (drafts included) naming the same customer: a second
    one would be refused as a duplicate, so the form says so while the person types."""
    if not actor.is_partner:
        return []
    domain = ""
    with contextlib.suppress(ValueError):
        domain = normalise_domain(customer_domain)
    key = name_key(customer_name or "")
    if not domain and not key:
        return []
    rows = Deal.objects.filter(
        partner_id=actor.own_partner_id, status__in=[DealStatus.DRAFT, *OPEN_DEAL_STATUSES]
    ).only("pk", "title", "status", "customer_name", "customer_domain", "name_key", "tenant_id")
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return find_matches(
        domain=domain, key=key, candidates=[(row, row.customer_domain, row.name_key) for row in rows]
    )

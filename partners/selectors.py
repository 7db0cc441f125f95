"""Partner reads, scoped to the tenant in context (and, where an actor is given, to what it may see)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When, Window
from django.db.models.functions import Lower, RowNumber

from partners.models import (
    AcquisitionCost,
    Partner,
    PartnerSegment,
    PartnerType,
    Program,
    Segment,
    Stage,
    StageChange,
    Tier,
    TierChange,
)
from prm.models import VENDOR_ROLES, Membership


def partner_counts() -> dict[str, object]:
    """Totals by stage and by type for the vendor home, in one query each."""
    by_stage = dict(Partner.objects.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    by_type = dict(
        Partner.objects.values_list("partner_type").annotate(n=Count("id")).values_list("partner_type", "n")
    )
    return {
        "total": sum(by_stage.values()),
        "by_stage": [(stage, by_stage.get(stage.value, 0)) for stage in Stage],
        "by_type": [(kind, by_type.get(kind.value, 0)) for kind in PartnerType],
    }


def partner_list(*, stage: str = "", partner_type: str = "", search: str = "") -> QuerySet[Partner]:
    queryset = Partner.objects.annotate(people=Count("memberships", filter=Q(memberships__is_active=True)))
    if stage:
        queryset = queryset.filter(stage=stage)
    if partner_type:
        queryset = queryset.filter(partner_type=partner_type)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(website_domain__icontains=search))
    return queryset.order_by("name")


# --- core concept: the directory, the partner 360 page, the lifecycle board ---

SORTS = {
    "name": "Name A to Z",
    "-name": "Name Z to A",
    "created": "Oldest first",
    "-created": "Newest first",
    "stage": "Lifecycle stage",
    "-stage": "Lifecycle stage, last first",
}
UNASSIGNED = "none"


def _stage_order() -> Case:
    """The stage's position in the lifecycle, so sorting follows the program, not the alphabet."""
    return Case(
        *(When(stage=stage.value, then=Value(index)) for index, stage in enumerate(Stage)),
        default=Value(len(Stage)),
        output_field=IntegerField(),
    )


def _ordering(sort: str) -> list[Any]:
    orderings: dict[str, list[Any]] = {
        "name": [Lower("name"), "pk"],
        "-name": [Lower("name").desc(), "-pk"],
        "created": ["created_at", "pk"],
        "-created": ["-created_at", "-pk"],
        "stage": ["stage_order", Lower("name"), "pk"],
        "-stage": ["-stage_order", Lower("name"), "pk"],
    }
    return orderings.get(sort, orderings["name"])


def partner_directory_list(
    *,
    actor: Membership,
    search: str = "",
    partner_type: str = "",
    segment_id: int | None = None,
    stage: str = "",
    status: str = "",
    owner: int | str | None = None,
    program_id: int | None = None,
    tier_id: int | None = None,
    sort: str = "name",
    with_segments: bool = True,
) -> QuerySet[Partner]:
    """The partners the actor may see, filtered and sorted; related rows arrive in constant queries.
    `owner` is a user id, or UNASSIGNED for partners without an owner."""
    queryset = Partner.objects.select_related("program", "tier", "owner", "parent")
    if with_segments:
        queryset = queryset.prefetch_related(Prefetch("segments", queryset=Segment.objects.order_by("name")))
    if actor.is_partner:
        queryset = queryset.filter(pk=actor.own_partner_id)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(website_domain__icontains=search))
    if partner_type:
        queryset = queryset.filter(partner_type=partner_type)
    if segment_id is not None:
        queryset = queryset.filter(
            pk__in=PartnerSegment.objects.filter(segment_id=segment_id).values("partner_id")
        )
    if stage:
        queryset = queryset.filter(stage=stage)
    if status:
        queryset = queryset.filter(status=status)
    if owner == UNASSIGNED:
        queryset = queryset.filter(owner__isnull=True)
    elif owner is not None:
        queryset = queryset.filter(owner_id=int(owner))
    if program_id is not None:
        queryset = queryset.filter(program_id=program_id)
    if tier_id is not None:
        queryset = queryset.filter(tier_id=tier_id)
    return queryset.annotate(stage_order=_stage_order()).order_by(*_ordering(sort))


def partner_filter_options() -> dict[str, list[Any]]:
    """Choices for the directory and board filters, a handful of queries whatever the partner count."""
    return {
        "segments": list(Segment.objects.order_by("name").values_list("pk", "name")),
        "owners": vendor_owner_choices(),
        "programs": list(Program.objects.order_by("name").values_list("pk", "name")),
        "tiers": [
            (pk, f"{program} · {name}")
            for pk, program, name in Tier.objects.order_by("program__name", "rank").values_list(
                "pk", "program__name", "name"
            )
        ],
        "parents": list(
            Partner.objects.filter(partner_type=PartnerType.DISTRIBUTOR)
            .order_by("name")
            .values_list("pk", "name")
        ),
    }


def vendor_owner_choices() -> list[tuple[int, str]]:
    """The vendor's team, who may own partners: (user id, name or e-mail)."""
    members = (
        Membership.objects.filter(role__in=VENDOR_ROLES, is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    return [(member.user_id, member.user.display_name) for member in members]


def board_columns(*, partners: QuerySet[Partner], per_column: int) -> list[dict[str, Any]]:
    """One column per stage, each with its total and its first `per_column` cards (by name).
    Two queries: the counts, and the cards ranked within their stage by a window function."""
    counts = dict(partners.order_by().values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    ranked = (
        partners.annotate(
            board_rank=Window(RowNumber(), partition_by=[F("stage")], order_by=[Lower("name").asc(), "pk"])
        )
        .filter(board_rank__lte=per_column)
        .order_by("stage", Lower("name"), "pk")
    )
    cards: dict[str, list[Partner]] = {stage.value: [] for stage in Stage}
    for partner in ranked:
        cards.setdefault(partner.stage, []).append(partner)
    stages = list(Stage)
    return [
        {
            "stage": stage,
            "count": counts.get(stage.value, 0),
            "cards": cards[stage.value],
            "previous": stages[index - 1] if index > 0 else None,
            "next": stages[index + 1] if index + 1 < len(stages) else None,
        }
        for index, stage in enumerate(stages)
    ]


def partner_stage_history(*, partner: Partner) -> QuerySet[StageChange]:
    return StageChange.objects.filter(partner=partner).select_related("actor").order_by("-created_at", "-id")


def partner_tier_history(*, partner: Partner) -> QuerySet[TierChange]:
    return (
        TierChange.objects.filter(partner=partner)
        .select_related("from_tier", "to_tier", "actor")
        .order_by("-created_at", "-id")
    )


def partner_people(*, partner: Partner) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(partner=partner)
        .select_related("user")
        .order_by("-is_active", "user__email")
    )


def partner_segments(*, partner: Partner) -> list[Segment]:
    return list(
        Segment.objects.filter(pk__in=PartnerSegment.objects.filter(partner=partner).values("segment_id"))
    )


def partner_children(*, partner: Partner) -> QuerySet[Partner]:
    return Partner.objects.filter(parent=partner).order_by("name")


def partner_acquisition_costs(*, partner: Partner) -> tuple[list[AcquisitionCost], Decimal]:
    costs = list(AcquisitionCost.objects.filter(partner=partner).order_by("-incurred_on", "-id"))
    return costs, sum((cost.amount for cost in costs), Decimal("0"))


def program_tiers_for(*, partner: Partner) -> list[Tier]:
    if partner.program_id is None:
        return []
    return list(Tier.objects.filter(program_id=partner.program_id).order_by("rank"))


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.order_by("name")

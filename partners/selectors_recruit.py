"""Reads of the recruit concept, scoped to the tenant in context and to what the actor may see."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from partners.models import (
    IdealProfile,
    Partner,
    PartnerSegment,
    Program,
    Prospect,
    ProspectSegment,
    Segment,
    Tier,
)
from prm.models import VENDOR_ROLES, Membership, User


def _count_of(queryset: QuerySet, field: str) -> Coalesce:
    """A correlated COUNT, so several counts on one row do not multiply each other through joins."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field)
    counted = counted.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def program_list(*, actor: Membership, search: str = "") -> QuerySet[Program]:
    queryset = Program.objects.annotate(
        tier_count=_count_of(Tier.objects.all(), "program"),
        partner_count=_count_of(Partner.objects.all(), "program"),
        prospect_count=_count_of(Prospect.objects.all(), "program"),
    )
    if actor.is_partner:
        own = Partner.objects.filter(pk=actor.own_partner_id).values("program_id")
        queryset = queryset.filter(pk__in=own)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return queryset.order_by("-is_default", "name")


def program_tiers(*, program: Program) -> QuerySet[Tier]:
    """The ladder of a program, entry tier first, each with the number of partners on it."""
    return (
        Tier.objects.filter(program=program)
        .annotate(partner_count=_count_of(Partner.objects.all(), "tier"))
        .order_by("rank")
    )


def program_choices() -> list[tuple[int, str]]:
    return list(Program.objects.order_by("-is_default", "name").values_list("id", "name"))


def default_program() -> Program | None:
    return Program.objects.filter(is_default=True).first() or Program.objects.order_by("name").first()


def segment_list(*, search: str = "") -> QuerySet[Segment]:
    queryset = Segment.objects.annotate(
        partner_count=_count_of(PartnerSegment.objects.all(), "segment"),
        prospect_count=_count_of(ProspectSegment.objects.all(), "segment"),
    )
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return queryset.order_by("name")


def segment_choices() -> list[tuple[int, str]]:
    return list(Segment.objects.order_by("name").values_list("id", "name"))


def segment_names() -> dict[int, str]:
    return dict(segment_choices())


def ideal_profile_of(*, program: Program) -> IdealProfile | None:
    return IdealProfile.objects.filter(program=program).prefetch_related("criteria").first()


def prospect_list(
    *, search: str = "", status: str = "", partner_type: str = "", program_id: int | None = None
) -> QuerySet[Prospect]:
    """Best fit first; ties alphabetically so pages are stable."""
    queryset = Prospect.objects.select_related("program", "owner", "converted_partner")
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(website_domain__icontains=search)
            | Q(notes__icontains=search)
            | Q(country__iexact=search)
        )
    if status:
        queryset = queryset.filter(status=status)
    if partner_type:
        queryset = queryset.filter(partner_type=partner_type)
    if program_id is not None:
        queryset = queryset.filter(program_id=program_id)
    return queryset.order_by("-score", "name", "pk")


def prospect_segment_ids(*, prospect: Prospect) -> list[int]:
    return list(
        ProspectSegment.objects.filter(prospect=prospect)
        .order_by("segment__name")
        .values_list("segment_id", flat=True)
    )


def prospect_segments(*, prospect: Prospect) -> list[Segment]:
    return list(Segment.objects.filter(pk__in=prospect_segment_ids(prospect=prospect)).order_by("name"))


def vendor_user_choices() -> list[tuple[int, str]]:
    """People who can own a prospect: the tenant's active vendor members."""
    users = User.objects.filter(
        pk__in=Membership.objects.filter(is_active=True, role__in=VENDOR_ROLES).values("user_id")
    ).order_by("email")
    return [(user.pk, user.display_name) for user in users]

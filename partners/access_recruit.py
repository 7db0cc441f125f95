"""Access helpers of the recruit concept: programs, tiers, segments and prospects.

Every id from a request passes through one of these; they answer 404 outside the actor's tenant
(the scoped manager cannot see it) and, for partner roles, outside what their organisation may see:
a partner sees only the program it belongs to, and no segment, profile or prospect at all.
"""

from __future__ import annotations

from django.http import Http404

from partners.models import Partner, Program, Prospect, Segment, Tier
from prm.models import Membership


def _own_program_id(actor: Membership) -> int | None:
    return Partner.objects.filter(pk=actor.own_partner_id).values_list("program_id", flat=True).first()


def access_program_by_id(*, actor: Membership, program_id: int) -> Program:
    queryset = Program.objects.all()
    if actor.is_partner:
        own = _own_program_id(actor)
        # A partner outside every program sees none.
        queryset = queryset.filter(pk=own) if own is not None else queryset.none()
    program = queryset.filter(pk=program_id).first()
    if program is None:
        raise Http404("No such program.")
    return program


def access_tier_by_id(*, actor: Membership, tier_id: int) -> Tier:
    if not actor.is_vendor:
        raise Http404("No such tier.")
    tier = Tier.objects.select_related("program").filter(pk=tier_id).first()
    if tier is None:
        raise Http404("No such tier.")
    return tier


def access_segment_by_id(*, actor: Membership, segment_id: int) -> Segment:
    if not actor.is_vendor:
        raise Http404("No such segment.")
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        raise Http404("No such segment.")
    return segment


def access_prospect_by_id(*, actor: Membership, prospect_id: int) -> Prospect:
    if not actor.is_vendor:
        raise Http404("No such prospect.")
    prospect = (
        Prospect.objects.select_related("program", "owner", "converted_partner")
        .filter(pk=prospect_id)
        .first()
    )
    if prospect is None:
        raise Http404("No such prospect.")
    return prospect

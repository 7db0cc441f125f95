"""Access helpers of the core concept: every partner id from a request passes through one of these.

They answer 404 for a partner of another tenant (the scoped manager cannot see it) and, for partner
roles, for any organisation other than their own, so existence never leaks.
"""

from __future__ import annotations

from django.http import Http404

from partners.models import Partner
from prm.models import Membership


def access_partner_by_id(*, actor: Membership, partner_id: int) -> Partner:
    queryset = Partner.objects.select_related("program", "tier", "owner", "parent")
    if actor.is_partner:
        queryset = queryset.filter(pk=actor.own_partner_id)
    partner = queryset.filter(pk=partner_id).first()
    if partner is None:
        raise Http404("No such partner.")
    return partner


def access_own_partner(*, actor: Membership) -> Partner:
    """The organisation a partner role belongs to; vendor roles have none."""
    if not actor.is_partner:
        raise Http404("Vendor roles belong to no partner organisation.")
    return access_partner_by_id(actor=actor, partner_id=actor.own_partner_id)

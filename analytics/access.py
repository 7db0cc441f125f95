"""Access helpers of the analytics app: every id from a request passes through one.

Vendor roles see every partner's LTV; a partner role only its own row (another partner's id answers
404, as everywhere). Runs and model fits are vendor-only; starting a refit is for vendor admins (the
views and the service check that role).
"""

from __future__ import annotations

from django.http import Http404

from analytics.models import LtvRun, PartnerLtv, SegmentFit
from prm.models import Membership


def access_partner_ltv_by_partner_id(*, actor: Membership, partner_id: int) -> PartnerLtv | None:
    """The partner's current LTV row, None if not computed yet; 404 for a partner it may not see."""
    if actor.is_partner and partner_id != actor.own_partner_id:
        raise Http404("No such partner.")
    return PartnerLtv.objects.select_related("partner").filter(partner_id=partner_id).first()


def access_ltv_run_by_id(*, actor: Membership, run_id: int) -> LtvRun:
    if not actor.is_vendor:
        raise Http404("No such run.")
    run = LtvRun.objects.select_related("requested_by").filter(pk=run_id).first()
    if run is None:
        raise Http404("No such run.")
    return run


def access_segment_fit_by_id(*, actor: Membership, fit_id: int) -> SegmentFit:
    if not actor.is_vendor:
        raise Http404("No such model.")
    fit = SegmentFit.objects.select_related("run").filter(pk=fit_id).first()
    if fit is None:
        raise Http404("No such model.")
    return fit

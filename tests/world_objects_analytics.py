"""World objects of the analytics app: a finished LTV run with its fitted model, and a partner's LTV
row (the partner of the world, or the other partner), each carrying the tenant's marker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.models import LtvRun, PartnerLtv, SegmentFit
from tests.analytics.factories import make_fit, make_partner_ltv, make_run
from tests.world_objects import factory

if TYPE_CHECKING:
    from tests.conftest import TenantWorld


@factory("ltv_run")
def ltv_run(world: TenantWorld, other_partner: bool) -> LtvRun:
    marker = world.visible_marker(other_partner=other_partner)
    return make_run(step=f"Done {marker}".strip())


@factory("segment_fit")
def segment_fit(world: TenantWorld, other_partner: bool) -> SegmentFit:
    marker = world.visible_marker(other_partner=other_partner)
    run = make_run(step=f"Done {marker}".strip())
    return make_fit(run=run, segment=f"type:reseller {marker}".strip()[:60])


@factory("partner_ltv")
def partner_ltv(world: TenantWorld, other_partner: bool) -> PartnerLtv:
    marker = world.visible_marker(other_partner=other_partner)
    partner = world.p2 if other_partner else world.p1
    existing = PartnerLtv.objects.filter(partner=partner).first()
    if existing is not None:
        return existing
    return make_partner_ltv(
        partner=partner,
        churn_reasons=[
            {"code": "no_recent_deal", "text": f"No deal in 140 days {marker}".strip(), "weight": 0.3}
        ],
    )

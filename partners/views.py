"""The vendor home, the partner portal home and the lifecycle stage pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from partners.models import PartnerType, Stage
from partners.selectors import partner_counts, partner_list
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Membership
from prm.selectors import audit_event_list
from prm.web import paginate, query_string_without_page, render_page, tenant_view

# What each stage decides, shown on its page so the team knows why it is looking at it.
STAGE_DECISIONS = {
    Stage.STRATEGIZE: "Which partner types and segments are worth investing in; the ideal partner profile.",
    Stage.RECRUIT: "Which prospects to pursue: fit to the ideal profile and predicted LTV potential.",
    Stage.ONBOARD: "Time to first deal and onboarding checklist completion.",
    Stage.ENABLE: "Which trainings and certifications to push to which segment, and their lift on LTV.",
    Stage.MARKET: "Which joint campaigns and MDF to fund: high-LTV partners first.",
    Stage.SELL: "Deal registration, co-sell, conflicts, sourced versus influenced pipeline.",
    Stage.INCENTIVIZE: "Tiers and rewards that pay for retention and expansion, not only first sales.",
    Stage.ACCELERATE: "Growing existing partners: churn and inactivity risk from LTV trends; expansion.",
}


@tenant_view(roles=VENDOR_ROLES)
def tenant_home(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    context = {
        "counts": partner_counts(),
        "member_count": Membership.objects.filter(is_active=True).count(),
        "recent_events": list(audit_event_list()[:8]) if membership.is_vendor_admin else [],
    }
    return render(request, "partners/tenant_home.html", context)


@tenant_view(roles=PARTNER_ROLES)
def portal_home(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    people = Membership.objects.filter(partner_id=membership.own_partner_id, is_active=True).count()
    return render(
        request, "partners/portal_home.html", {"partner": membership.partner, "people_count": people}
    )


@tenant_view(roles=VENDOR_ROLES)
def stage_detail(request: HttpRequest, stage: str) -> HttpResponse:
    if stage not in Stage.values:
        raise Http404("No such stage.")
    search = request.GET.get("q", "").strip()
    partner_type = request.GET.get("type", "")
    if partner_type not in PartnerType.values:
        partner_type = ""
    page = paginate(request, partner_list(stage=stage, partner_type=partner_type, search=search))
    context = {
        "stage": Stage(stage),
        "stages": list(Stage),
        "decision": STAGE_DECISIONS[Stage(stage)],
        "page": page,
        "search": search,
        "partner_type": partner_type,
        "partner_types": PartnerType.choices,
        "query": query_string_without_page(request),
    }
    return render_page(request, "partners/stage_detail.html", context, partial="results")

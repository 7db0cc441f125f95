"""The partner 360 page: a header and tabs that load lazily with htmx. Each tab is also a page of its
own (its URL renders the whole 360 page with that tab open), so links and no-JS browsing work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from partners.access import access_partner_by_id
from partners.forms_core import AcquisitionCostForm, PartnerForm, StageMoveForm, StatusForm, TierOverrideForm
from partners.models import Partner, PartnerStatus, Stage
from partners.selectors import (
    partner_acquisition_costs,
    partner_children,
    partner_filter_options,
    partner_people,
    partner_segments,
    partner_stage_history,
    partner_tier_history,
    program_tiers_for,
)
from partners.services_core import partner_update
from prm.models import VENDOR_ROLES, Membership
from prm.web import apply_service_errors, render_page, tenant_view


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _tab(
    request: HttpRequest, template: str, partner: Partner, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    tab = template.removeprefix("partners/partner_tab_").removesuffix(".html")
    return render_page(
        request, template, {"partner": partner, "active_tab": tab, **context}, partial="tab", status=status
    )


# Tab key -> URL name. Tabs of other concepts may be absent; the page links only those that resolve.
TABS = {
    "profile": "partner_tab_profile",
    "stages": "partner_tab_stages",
    "people": "partner_tab_people",
    "tier": "partner_tab_tier",
    "checklist": "partner_tab_checklist",
    "trainings": "partner_tab_trainings",
    "market": "partner_tab_market",
    "health": "partner_tab_health",
    "sell": "partner_tab_sell",
    "ltv": "partner_tab_ltv",
}


@tenant_view(roles=VENDOR_ROLES)
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The header and the tab strip; the open tab's panel loads lazily. htmx asks with `?tab=` for
    the strip alone when a tab is clicked."""
    partner = access_partner_by_id(actor=_actor(request), partner_id=pk)
    tab = request.GET.get("tab", "profile")
    if tab not in TABS:
        tab = "profile"
    slug = request.tenant.slug  # type: ignore[attr-defined]
    try:
        lazy_url = reverse(TABS[tab], args=[slug, partner.pk])
    except NoReverseMatch:
        tab, lazy_url = "profile", reverse(TABS["profile"], args=[slug, partner.pk])
    context = {"partner": partner, "active_tab": tab, "lazy_url": lazy_url}
    return render_page(request, "partners/partner_detail.html", context, partial="tabs")


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    initial = {
        "name": partner.name,
        "partner_type": partner.partner_type,
        "website_domain": partner.website_domain,
        "country": partner.country,
        "program": partner.program_id,
        "segments": [segment.pk for segment in partner_segments(partner=partner)],
        "owner": partner.owner_id,
        "parent": partner.parent_id,
        "joined_on": partner.joined_on,
    }
    form = PartnerForm(request.POST or None, initial=initial, options=partner_filter_options(), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            partner_update(actor=actor, partner=partner, **form.service_fields())
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved {partner.name}.")
            return redirect("partner_detail", tenant_slug=request.tenant.slug, pk=partner.pk)  # type: ignore[attr-defined]
    status = 400 if form.errors else 200
    return render_page(
        request, "partners/partner_form.html", {"form": form, "partner": partner}, status=status
    )


def profile_tab(
    request: HttpRequest,
    partner: Partner,
    *,
    cost_form: Form | None = None,
    status_form: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    costs, cost_total = partner_acquisition_costs(partner=partner)
    context = {
        "segments": partner_segments(partner=partner),
        "children": partner_children(partner=partner),
        "costs": costs,
        "cost_total": cost_total,
        "cost_form": cost_form or AcquisitionCostForm(),
        "status_form": status_form or StatusForm(initial={"status": _next_status(partner)}),
    }
    return _tab(request, "partners/partner_tab_profile.html", partner, context, status)


def _next_status(partner: Partner) -> str:
    """The status a manager most likely wants next, preselected in the status form."""
    return {
        PartnerStatus.PROSPECT: PartnerStatus.ONBOARDING,
        PartnerStatus.ONBOARDING: PartnerStatus.ACTIVE,
        PartnerStatus.ACTIVE: PartnerStatus.INACTIVE,
    }.get(PartnerStatus(partner.status), PartnerStatus.ACTIVE)


def stages_tab(
    request: HttpRequest, partner: Partner, *, form: Form | None = None, status: int = 200
) -> HttpResponse:
    stages = list(Stage)
    index = stages.index(Stage(partner.stage))
    suggested = stages[min(index + 1, len(stages) - 1)]
    context = {
        "history": partner_stage_history(partner=partner),
        "move_form": form or StageMoveForm(initial={"to_stage": suggested, "return_to": "partner"}),
        "stage_choices": [stage for stage in stages if stage.value != partner.stage],
    }
    return _tab(request, "partners/partner_tab_stages.html", partner, context, status)


def tier_tab(
    request: HttpRequest, partner: Partner, *, form: Form | None = None, status: int = 200
) -> HttpResponse:
    tiers = program_tiers_for(partner=partner)
    context = {
        "tiers": tiers,
        "history": partner_tier_history(partner=partner),
        "override_form": form or TierOverrideForm(tiers=[(tier.pk, tier.name) for tier in tiers]),
    }
    return _tab(request, "partners/partner_tab_tier.html", partner, context, status)


@tenant_view(roles=VENDOR_ROLES)
def partner_tab_profile(request: HttpRequest, pk: int) -> HttpResponse:
    return profile_tab(request, access_partner_by_id(actor=_actor(request), partner_id=pk))


@tenant_view(roles=VENDOR_ROLES)
def partner_tab_stages(request: HttpRequest, pk: int) -> HttpResponse:
    return stages_tab(request, access_partner_by_id(actor=_actor(request), partner_id=pk))


@tenant_view(roles=VENDOR_ROLES)
def partner_tab_people(request: HttpRequest, pk: int) -> HttpResponse:
    partner = access_partner_by_id(actor=_actor(request), partner_id=pk)
    return _tab(
        request, "partners/partner_tab_people.html", partner, {"people": partner_people(partner=partner)}
    )


@tenant_view(roles=VENDOR_ROLES)
def partner_tab_tier(request: HttpRequest, pk: int) -> HttpResponse:
    return tier_tab(request, access_partner_by_id(actor=_actor(request), partner_id=pk))

"""Writes from the partner 360 tabs: status, tier override, acquisition cost. Plain form POSTs that
redirect back to their tab; bad input re-renders that tab with the errors in place (status 400)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from partners.access import access_partner_by_id
from partners.forms_core import AcquisitionCostForm, StatusForm, TierOverrideForm
from partners.models import PartnerStatus
from partners.selectors import program_tiers_for
from partners.services_core import acquisition_cost_add, partner_override_tier, partner_set_status
from partners.views_partner import profile_tab, tier_tab
from prm.models import VENDOR_ROLES, Membership, Role
from prm.web import apply_service_errors, tenant_view


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _back(request: HttpRequest, tab: str, pk: int) -> HttpResponse:
    return redirect(f"partner_tab_{tab}", tenant_slug=request.tenant.slug, pk=pk)  # type: ignore[attr-defined]


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def partner_status_set(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            partner_set_status(
                actor=actor,
                partner=partner,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            label = PartnerStatus(partner.status).label
            messages.success(request, f"{partner.name} is now {label.lower()}.")
            return _back(request, "profile", partner.pk)
    return profile_tab(request, partner, status_form=form, status=400)


@tenant_view(roles={Role.VENDOR_ADMIN}, methods=("POST",))
def partner_tier_override(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    tiers = program_tiers_for(partner=partner)
    form = TierOverrideForm(request.POST, tiers=[(tier.pk, tier.name) for tier in tiers])
    if form.is_valid():
        try:
            partner_override_tier(
                actor=actor,
                partner=partner,
                tier_id=form.cleaned_data["tier"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{partner.name} is pinned to {partner.tier}.")
            return _back(request, "tier", partner.pk)
    return tier_tab(request, partner, form=form, status=400)


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def partner_cost_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    form = AcquisitionCostForm(request.POST)
    if form.is_valid():
        try:
            acquisition_cost_add(actor=actor, partner=partner, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Recorded the acquisition cost for {partner.name}.")
            return _back(request, "profile", partner.pk)
    return profile_tab(request, partner, cost_form=form, status=400)

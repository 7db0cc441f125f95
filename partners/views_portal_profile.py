"""The portal's "Our profile": a partner's people see their organisation as the vendor records it;
its admins keep the website and country up to date."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from partners.access import access_own_partner
from partners.forms_core import PortalProfileForm
from partners.selectors import program_tiers_for
from partners.services_core import partner_profile_update_by_partner
from prm.models import PARTNER_ROLES, Membership, Role
from prm.web import apply_service_errors, render_page, tenant_view


@tenant_view(roles=PARTNER_ROLES, write_roles={Role.PARTNER_ADMIN}, methods=("GET", "POST"))
def portal_profile(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    partner = access_own_partner(actor=actor)
    can_edit = actor.is_partner_admin
    form = PortalProfileForm(
        request.POST or None, initial={"website_domain": partner.website_domain, "country": partner.country}
    )
    if request.method == "POST" and form.is_valid():
        try:
            partner_profile_update_by_partner(
                actor=actor,
                website_domain=form.cleaned_data["website_domain"],
                country=form.cleaned_data["country"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved your organisation's profile.")
            return redirect("portal_profile", tenant_slug=request.tenant.slug)  # type: ignore[attr-defined]
    context = {
        "partner": partner,
        "tiers": program_tiers_for(partner=partner),
        "form": form,
        "can_edit": can_edit,
    }
    return render_page(request, "partners/portal_profile.html", context, status=400 if form.errors else 200)

"""Referral codes and their tracked links.

The vendor sees every partner's codes (clicks, credit they produced), creates codes for a partner and
switches them on or off; a partner's people see their own codes and links, and its admins create and
deactivate them. The tracked link `/<tenant>/r/<CODE>/` is public: it counts the click and forwards
to the code's landing page, else the vendor's website, else a small public page naming the partner.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from partners.access import access_own_partner, access_partner_by_id
from partners.models import Partner
from partners.selectors_market import partner_choices
from prm.csv_export import csv_export_response
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Role
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view
from revenue import selectors_ledger as selectors
from revenue.access import access_referral_code_by_id
from revenue.forms_ledger_attribution import ReferralCodeFilterForm, ReferralCodeForm
from revenue.models import ReferralCode
from revenue.services_customers import referral_click_record, referral_code_create, referral_code_set_active
from revenue.views_ledger_common import (
    export_query,
    link_prefix,
    membership_of,
    status_for,
    tenant_of,
    tenant_slug_of,
)

EXPORT_COLUMNS = [
    "id",
    "partner_id",
    "partner",
    "code",
    "label",
    "tracked_link",
    "landing_url",
    "is_active",
    "clicks",
    "attributions",
    "created_at",
]
TOGGLE_ROLES = {*VENDOR_ROLES, Role.PARTNER_ADMIN}


def _exporter(request: HttpRequest) -> Any:
    prefix = link_prefix(request)
    slug = tenant_slug_of(request)

    def row(code: ReferralCode) -> list[Any]:
        return [
            code.pk,
            code.partner_id,
            code.partner.name,
            code.code,
            code.label,
            prefix + reverse("referral_link", kwargs={"tenant_slug": slug, "code": code.code}),
            code.landing_url,
            "yes" if code.is_active else "no",
            code.click_count,  # type: ignore[attr-defined]
            code.attribution_count,  # type: ignore[attr-defined]
            code.created_at.isoformat(timespec="seconds"),
        ]

    return row


def _list_context(request: HttpRequest, rows: Any) -> dict[str, Any]:
    return {
        "page": paginate(request, rows),
        "link_prefix": link_prefix(request),
        "query": query_string_without_page(request),
        "export_query": export_query(request),
        "next_url": request.get_full_path(),
    }


# --- vendor -----------------------------------------------------------------------------------------


@tenant_view(roles=VENDOR_ROLES)
def referral_code_list(request: HttpRequest) -> HttpResponse:
    filters = ReferralCodeFilterForm(request.GET, partners=partner_choices())
    criteria = filters.selector_kwargs()
    rows = selectors.referral_code_list(actor=membership_of(request), **criteria)
    context = {**_list_context(request, rows), "filters": filters, "filtered": any(criteria.values())}
    return render_page(request, "revenue/ledger/referral_code_list.html", context, partial="results")


@tenant_view(roles=VENDOR_ROLES)  # type: ignore[arg-type]  # a streaming response
def referral_code_export(request: HttpRequest) -> StreamingHttpResponse:
    filters = ReferralCodeFilterForm(request.GET, partners=partner_choices())
    rows = selectors.referral_code_list(actor=membership_of(request), **filters.selector_kwargs())
    return csv_export_response(
        request, rows=rows, columns=EXPORT_COLUMNS, row_values=_exporter(request), name="referral-codes"
    )


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def referral_code_new(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    partner_id = request.GET.get("partner", "")
    initial = {"partner": int(partner_id) if partner_id.isdigit() else None}
    form = ReferralCodeForm(request.POST or None, initial=initial, partners=partner_choices())
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        partner = access_partner_by_id(actor=actor, partner_id=values.pop("partner"))
        if _create(request, form, partner=partner, values=values):
            return redirect("referral_code_list", tenant_slug=tenant_slug_of(request))
    return render_page(
        request, "revenue/ledger/referral_code_form.html", {"form": form}, status=status_for(form)
    )


def _create(
    request: HttpRequest, form: ReferralCodeForm, *, partner: Partner, values: dict[str, Any]
) -> bool:
    try:
        code = referral_code_create(actor=membership_of(request), partner=partner, **values)
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    link = link_prefix(request) + reverse(
        "referral_link", kwargs={"tenant_slug": tenant_slug_of(request), "code": code.code}
    )
    messages.success(request, f"Created the code {code.code} for {partner.name}; its tracked link is {link}")
    return True


@tenant_view(roles=TOGGLE_ROLES, methods=("POST",))
def referral_code_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a code off (its link answers 404 and it credits nobody any more) or on again."""
    actor = membership_of(request)
    code = access_referral_code_by_id(actor=actor, referral_code_id=pk)
    code = referral_code_set_active(actor=actor, referral_code=code, is_active=not code.is_active)
    messages.success(request, f"The code {code.code} is now {'active' if code.is_active else 'inactive'}.")
    fallback_name = "portal_referral_codes" if actor.is_partner else "referral_code_list"
    fallback = reverse(fallback_name, kwargs={"tenant_slug": tenant_slug_of(request)})
    target = request.POST.get("next", "")
    own_prefix = f"/{tenant_slug_of(request)}/"
    if target.startswith(own_prefix) and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect(fallback)


# --- partner portal ---------------------------------------------------------------------------------


@tenant_view(roles=PARTNER_ROLES, write_roles={Role.PARTNER_ADMIN}, methods=("GET", "POST"))
def portal_referral_codes(request: HttpRequest) -> HttpResponse:
    """Our codes and tracked links; an admin creates one here (POST)."""
    actor = membership_of(request)
    form = ReferralCodeForm(request.POST or None) if actor.is_partner_admin else None
    if request.method == "POST" and form is not None and form.is_valid():
        partner = access_own_partner(actor=actor)
        if _create(request, form, partner=partner, values=dict(form.cleaned_data)):
            return redirect("portal_referral_codes", tenant_slug=tenant_slug_of(request))
    rows = selectors.referral_code_list(actor=actor)
    context = {**_list_context(request, rows), "form": form}
    return render_page(
        request,
        "revenue/ledger/portal_referral_codes.html",
        context,
        partial="results",
        status=status_for(form),
    )


@tenant_view(roles=PARTNER_ROLES)  # type: ignore[arg-type]  # a streaming response
def portal_referral_code_export(request: HttpRequest) -> StreamingHttpResponse:
    rows = selectors.referral_code_list(actor=membership_of(request))
    return csv_export_response(
        request, rows=rows, columns=EXPORT_COLUMNS, row_values=_exporter(request), name="our-referral-codes"
    )


# --- the public tracked link ------------------------------------------------------------------------


@never_cache  # every visit must reach us to be counted
@require_safe
def referral_link(request: HttpRequest, tenant_slug: str, code: str) -> HttpResponse:
    """Anonymous visitors welcome. An unknown or inactive code is 404; nothing private is shown."""
    referral = selectors.referral_code_for_link(code=code)
    if referral is None:
        raise Http404("No such referral link.")
    if request.method == "GET":
        referral_click_record(referral_code=referral, referrer=request.headers.get("referer", ""))
    tenant = tenant_of(request)
    target = referral.landing_url or tenant.website_url
    if target:
        return HttpResponseRedirect(target)
    context = {"tenant_name": tenant.name, "partner_name": referral.partner.name}
    return render(request, "revenue/ledger/referral_landing.html", context)

"""Market pages: the partner's market tab, campaigns, the vendor MDF queue and decisions, the portal MDF.

Inline decisions (approve, reject, reimburse) post with htmx and get the request's table row back;
without JavaScript the same forms post normally and come back to the page they were sent from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from partners.access import access_own_partner, access_partner_by_id
from partners.access_market import access_campaign_by_id, access_mdf_request_by_id
from partners.forms_market import (
    CampaignForm,
    MdfApproveForm,
    MdfClaimForm,
    MdfFilterForm,
    MdfRejectForm,
    MdfRequestForm,
)
from partners.models import Campaign, MdfRequest, MdfStatus, Partner
from partners.selectors_market import (
    campaign_choices,
    campaign_list,
    mdf_request_events,
    mdf_request_list,
    mdf_totals,
    partner_choices,
)
from partners.services_market import (
    campaign_create,
    campaign_update,
    mdf_request_approve,
    mdf_request_claim,
    mdf_request_create,
    mdf_request_reimburse,
    mdf_request_reject,
)
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Membership
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view

ROW_TEMPLATE = "partners/market/_mdf_row.html"
CLAIMABLE_SHOWN = 5  # approved requests with a claim form right on the portal's MDF page


def membership_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def tenant_slug_of(request: HttpRequest) -> str:
    return str(request.tenant.slug)  # type: ignore[attr-defined]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """Where a plain (non-htmx) form goes back to: the page it came from, if it is one of ours."""
    target = request.POST.get("next", "")
    tenant_prefix = f"/{tenant_slug_of(request)}/"
    if target.startswith(tenant_prefix) and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return fallback


def sub_page(request: HttpRequest, items: Any, param: str, per_page: int = 10) -> Any:
    return Paginator(items, per_page).get_page(request.GET.get(param))


def tab_partial(request: HttpRequest, targets: dict[str, str], default: str) -> str:
    """htmx asks for one list of a tab (its pager targets it) or for the whole tab."""
    target = getattr(getattr(request, "htmx", None), "target", None) or ""
    return targets.get(target, default)


# --- partner 360: market tab, campaigns -------------------------------------------------------------


@tenant_view(roles=VENDOR_ROLES)
def partner_tab_market(request: HttpRequest, pk: int) -> HttpResponse:
    actor = membership_of(request)
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    context = {
        "partner": partner,
        "active_tab": "market",
        "campaigns": sub_page(request, campaign_list(actor=actor, partner_id=partner.pk), "cpage"),
        "requests": sub_page(request, mdf_request_list(actor=actor, partner_id=partner.pk), "page"),
        "totals": mdf_totals(actor=actor, partner_id=partner.pk),
        "can_decide": True,
        "next_url": request.get_full_path(),
    }
    partial = tab_partial(request, {"partner-campaigns": "campaigns", "partner-mdf": "requests"}, "tab")
    return render_page(request, "partners/market/partner_tab.html", context, partial=partial)


def _campaign_form_page(request: HttpRequest, *, partner: Partner, campaign: Campaign | None) -> HttpResponse:
    actor = membership_of(request)
    initial = {}
    if campaign is not None:
        initial = {f: getattr(campaign, f) for f in ("name", "starts_on", "ends_on", "goal", "budget")}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if campaign is None:
                campaign_create(actor=actor, partner=partner, **form.cleaned_data)
            else:
                campaign_update(actor=actor, campaign=campaign, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Saved the campaign “{form.cleaned_data['name']}”.")
            return redirect("partner_tab_market", tenant_slug=tenant_slug_of(request), pk=partner.pk)
    context = {"form": form, "partner": partner, "campaign": campaign}
    return render_page(
        request, "partners/market/campaign_form.html", context, status=400 if form.errors else 200
    )


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def campaign_new(request: HttpRequest, pk: int) -> HttpResponse:
    partner = access_partner_by_id(actor=membership_of(request), partner_id=pk)
    return _campaign_form_page(request, partner=partner, campaign=None)


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access_campaign_by_id(actor=membership_of(request), campaign_id=pk)
    return _campaign_form_page(request, partner=campaign.partner, campaign=campaign)


# --- vendor MDF queue and decisions ---------------------------------------------------------------


@tenant_view(roles=VENDOR_ROLES)
def mdf_queue(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    filters = MdfFilterForm(request.GET, partner_choices=partner_choices())
    values = filters.values()
    context = {
        "filters": filters,
        **values,
        "page": paginate(request, mdf_request_list(actor=actor, actionable_first=True, **values)),
        "totals": mdf_totals(actor=actor),
        "filtered": any(values.values()),
        "query": query_string_without_page(request),
        "can_decide": True,
        "next_url": request.get_full_path(),
    }
    return render_page(request, "partners/market/mdf_queue.html", context, partial="results")


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def mdf_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Vendor staff file a request on a partner's behalf (a phone call, an e-mail)."""
    actor = membership_of(request)
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    form = MdfRequestForm(request.POST or None, campaign_choices=campaign_choices(partner_id=partner.pk))
    if request.method == "POST" and form.is_valid():
        created = _create_request(request, form, partner=partner)
        if created is not None:
            return redirect("mdf_request_detail", tenant_slug=tenant_slug_of(request), pk=created.pk)
    context = {"form": form, "partner": partner}
    return render_page(
        request, "partners/market/mdf_request_new.html", context, status=400 if form.errors else 200
    )


def _create_request(request: HttpRequest, form: MdfRequestForm, *, partner: Partner) -> MdfRequest | None:
    try:
        created = mdf_request_create(
            actor=membership_of(request),
            partner=partner,
            purpose=form.cleaned_data["purpose"],
            amount_requested=form.cleaned_data["amount_requested"],
            campaign_id=form.cleaned_data["campaign"],
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return None
    messages.success(request, f"Requested {created.amount_requested} for “{created.purpose}”.")
    return created


def _detail_page(
    request: HttpRequest, mdf: MdfRequest, *, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    bound = bound or {}
    context = {
        "r": mdf,
        "approve_form": bound.get("approve")
        or MdfApproveForm(initial={"amount_approved": mdf.amount_requested}),
        "reject_form": bound.get("reject") or MdfRejectForm(),
        "reimburse_form": bound.get("reimburse") or forms.Form(),
        "events": mdf_request_events(mdf_request=mdf),
    }
    return render_page(request, "partners/market/mdf_request_detail.html", context, status=status)


@tenant_view(roles=VENDOR_ROLES)
def mdf_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, access_mdf_request_by_id(actor=membership_of(request), mdf_request_id=pk))


def _decide(
    request: HttpRequest, pk: int, *, action: str, form_class: type[forms.Form], run: Callable[..., Any]
) -> HttpResponse:
    actor = membership_of(request)
    mdf = access_mdf_request_by_id(actor=actor, mdf_request_id=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(actor=actor, request=mdf, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if getattr(request, "htmx", False):
                return _row(request, mdf)
            messages.success(request, f"MDF request #{mdf.pk} is now {mdf.get_status_display().lower()}.")
            fallback = reverse(
                "mdf_request_detail", kwargs={"tenant_slug": tenant_slug_of(request), "pk": mdf.pk}
            )
            return redirect(_safe_next(request, fallback))
    # Someone else may have moved it meanwhile: show the state as it is now, with the error.
    mdf = access_mdf_request_by_id(actor=actor, mdf_request_id=pk)
    if getattr(request, "htmx", False):
        errors = [message for messages_ in form.errors.values() for message in messages_]
        return _row(request, mdf, errors_for=action, errors=errors, status=400)
    return _detail_page(request, mdf, bound={action: form}, status=400)


def _row(request: HttpRequest, mdf: MdfRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "r": mdf,
        "can_decide": True,
        "next_url": _safe_next(request, ""),
        "posted": request.POST,
        **extra,
    }
    response = render(request, ROW_TEMPLATE, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def mdf_request_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, action="approve", form_class=MdfApproveForm, run=mdf_request_approve)


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def mdf_request_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, action="reject", form_class=MdfRejectForm, run=mdf_request_reject)


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def mdf_request_reimburse_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, action="reimburse", form_class=forms.Form, run=mdf_request_reimburse)


# --- portal ---------------------------------------------------------------------------------------


@tenant_view(roles=PARTNER_ROLES, methods=("GET", "POST"))
def portal_mdf(request: HttpRequest) -> HttpResponse:
    """Our requests and our campaigns; the request form (POST files a new request)."""
    actor = membership_of(request)
    partner_id = actor.own_partner_id
    form = MdfRequestForm(request.POST or None, campaign_choices=campaign_choices(partner_id=partner_id))
    if request.method == "POST" and form.is_valid():
        partner = access_own_partner(actor=actor)
        if _create_request(request, form, partner=partner) is not None:
            return redirect("portal_mdf", tenant_slug=tenant_slug_of(request))
    filters = MdfFilterForm(request.GET)
    values = filters.values()
    context = {
        "form": form,
        "filters": filters,
        "search": values["search"],
        "status": values["status"],
        "page": paginate(
            request, mdf_request_list(actor=actor, status=values["status"], search=values["search"])
        ),
        "campaigns": sub_page(request, campaign_list(actor=actor), "cpage"),
        "to_claim": list(mdf_request_list(actor=actor, status=MdfStatus.APPROVED)[:CLAIMABLE_SHOWN]),
        "totals": mdf_totals(actor=actor),
        "filtered": bool(values["status"] or values["search"]),
        "query": query_string_without_page(request),
    }
    return render_page(
        request,
        "partners/market/portal_mdf.html",
        context,
        partial="results",
        status=400 if form.errors else 200,
    )


@tenant_view(roles=PARTNER_ROLES, methods=("GET", "POST"))
def portal_mdf_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of our requests; once approved, the claim form (POST files the claim)."""
    actor = membership_of(request)
    mdf = access_mdf_request_by_id(actor=actor, mdf_request_id=pk)
    form = MdfClaimForm(request.POST or None, initial={"amount_claimed": mdf.amount_approved})
    if request.method == "POST" and form.is_valid():
        try:
            mdf_request_claim(actor=actor, request=mdf, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Claimed {mdf.amount_claimed}; the vendor will reimburse it.")
            fallback = reverse(
                "portal_mdf_detail", kwargs={"tenant_slug": tenant_slug_of(request), "pk": mdf.pk}
            )
            return redirect(_safe_next(request, fallback))
    context = {"r": mdf, "form": form, "can_claim": mdf.status == MdfStatus.APPROVED}
    return render_page(
        request, "partners/market/portal_mdf_detail.html", context, status=400 if form.errors else 200
    )

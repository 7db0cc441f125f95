"""Vendor-admin pages: the audit log and tenant settings."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from prm.access import access_audit_event_by_id
from prm.forms import TenantSettingsForm
from prm.models import REVENUE_STREAMS, Role, Tenant
from prm.selectors import audit_event_list, audit_verbs
from prm.services import tenant_settings_update
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view


@tenant_view(roles={Role.VENDOR_ADMIN})
def audit_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    verbs = audit_verbs()
    verb = request.GET.get("verb", "")
    if verb not in verbs:
        verb = ""
    page = paginate(request, audit_event_list(search=search, verb=verb))
    context = {
        "page": page,
        "search": search,
        "verb": verb,
        "verbs": verbs,
        "query": query_string_without_page(request),
    }
    return render_page(request, "prm/audit_list.html", context, partial="results")


@tenant_view(roles={Role.VENDOR_ADMIN})
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = access_audit_event_by_id(actor=request.membership, event_id=pk)  # type: ignore[attr-defined]
    before, after = event.before or {}, event.after or {}
    changes = [
        {
            "field": key,
            "before": json.dumps(before.get(key)),
            "after": json.dumps(after.get(key)),
            "changed": before.get(key) != after.get(key),
        }
        for key in sorted(set(before) | set(after))
    ]
    return render_page(request, "prm/audit_detail.html", {"event": event, "changes": changes})


@tenant_view(roles={Role.VENDOR_ADMIN}, methods=("GET", "POST"))
def tenant_settings(request: HttpRequest) -> HttpResponse:
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    initial = {
        "name": tenant.name,
        "currency": tenant.currency,
        "annual_discount_rate": tenant.annual_discount_rate,
        "deal_protection_days": tenant.deal_protection_days,
        "deal_extension_days": tenant.deal_extension_days,
        "website_url": tenant.website_url,
    }
    for key, _ in REVENUE_STREAMS:
        initial[f"margin_{key}"] = tenant.default_margins.get(key, "0.70")
    form = TenantSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_settings_update(
                actor=request.membership,  # type: ignore[attr-defined]
                name=form.cleaned_data["name"],
                currency=form.cleaned_data["currency"],
                annual_discount_rate=form.cleaned_data["annual_discount_rate"],
                default_margins=form.margins(),
                deal_protection_days=form.cleaned_data["deal_protection_days"],
                deal_extension_days=form.cleaned_data["deal_extension_days"],
                website_url=form.cleaned_data["website_url"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("tenant_settings", tenant_slug=tenant.slug)
    margin_fields = [form[f"margin_{key}"] for key, _ in REVENUE_STREAMS]
    return render_page(
        request,
        "prm/tenant_settings.html",
        {"form": form, "margin_fields": margin_fields},
        status=400 if form.errors else 200,
    )

"""Customer pages: the vendor's list (search, filters, htmx pages, CSV), the form, the customer page
(profile, revenue with totals by stream, the credit timeline, deals) and the partner portal's view of
the customers it holds or held credit for (their revenue, its own credit only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from prm.csv_export import csv_export_response
from prm.models import PARTNER_ROLES, VENDOR_ROLES
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view
from revenue import selectors_ledger as selectors
from revenue.access import access_customer_by_id
from revenue.forms_ledger import CustomerFilterForm, CustomerForm
from revenue.models import Customer
from revenue.services_customers import customer_create, customer_update
from revenue.views_ledger_common import (
    export_query,
    htmx_target,
    membership_of,
    status_for,
    sub_page,
    tenant_slug_of,
    vary_on_target,
)

EXPORT_COLUMNS = [
    "id",
    "name",
    "domain",
    "country",
    "industry",
    "size",
    "segment",
    "persona",
    "external_ref",
    "revenue_total",
    "margin_total",
    "created_at",
]
PORTAL_EXPORT_COLUMNS = [
    "id",
    "name",
    "domain",
    "country",
    "industry",
    "size",
    "revenue_total",
    "margin_total",
]
EDITABLE = ["name", "domain", "country", "industry", "size", "persona", "external_ref"]


def _export_row(customer: Customer) -> list[Any]:
    return [
        customer.pk,
        customer.name,
        customer.domain,
        customer.country,
        customer.industry,
        customer.size,
        customer.segment.name if customer.segment else "",
        customer.persona,
        customer.external_ref,
        selectors.cents(customer.revenue_total),  # type: ignore[attr-defined]
        selectors.cents(customer.margin_total),  # type: ignore[attr-defined]
        customer.created_at.isoformat(timespec="seconds"),
    ]


def _portal_export_row(customer: Customer) -> list[Any]:
    full = _export_row(customer)
    return [full[EXPORT_COLUMNS.index(column)] for column in PORTAL_EXPORT_COLUMNS]


# --- vendor -----------------------------------------------------------------------------------------


@tenant_view(roles=VENDOR_ROLES)
def customer_list(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    filters = CustomerFilterForm(request.GET, options=selectors.customer_filter_options())
    criteria = filters.selector_kwargs()
    rows = selectors.customer_with_totals(selectors.customer_list(actor=actor, **criteria))
    context = {
        "filters": filters,
        "page": paginate(request, rows),
        "filtered": any(criteria.values()),
        "query": query_string_without_page(request),
        "export_query": export_query(request),
    }
    return render_page(request, "revenue/ledger/customer_list.html", context, partial="results")


@tenant_view(roles=VENDOR_ROLES)  # type: ignore[arg-type]  # a streaming response
def customer_export(request: HttpRequest) -> StreamingHttpResponse:
    filters = CustomerFilterForm(request.GET, options=selectors.customer_filter_options())
    rows = selectors.customer_with_totals(
        selectors.customer_list(actor=membership_of(request), **filters.selector_kwargs())
    )
    return csv_export_response(
        request, rows=rows, columns=EXPORT_COLUMNS, row_values=_export_row, name="customers"
    )


def _form_page(request: HttpRequest, *, customer: Customer | None) -> HttpResponse:
    actor = membership_of(request)
    initial: dict[str, Any] = {}
    if customer is not None:
        initial = {name: getattr(customer, name) for name in EDITABLE} | {"segment": customer.segment_id}
    segments = selectors.customer_filter_options()["segments"]
    form = CustomerForm(request.POST or None, initial=initial, segments=segments)
    if request.method == "POST" and form.is_valid():
        try:
            if customer is None:
                saved = customer_create(actor=actor, **form.service_fields())
            else:
                saved = customer_update(actor=actor, customer=customer, **form.service_fields())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Saved the customer “{saved.name}”.")
            return redirect("customer_detail", tenant_slug=tenant_slug_of(request), pk=saved.pk)
    context = {"form": form, "customer": customer}
    return render_page(request, "revenue/ledger/customer_form.html", context, status=status_for(form))


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def customer_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, customer=None)


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access_customer_by_id(actor=membership_of(request), customer_id=pk)
    return _form_page(request, customer=customer)


def _customer_page(request: HttpRequest, customer: Customer, *, portal: bool) -> HttpResponse:
    """One page for both sides; a partner's timeline and deals are its own (the selectors scope)."""
    actor = membership_of(request)
    revenue = selectors.revenue_list(actor=actor, customer_id=customer.pk)
    context = {
        "customer": customer,
        "portal": portal,
        "revenue": sub_page(request, selectors.revenue_with_margin(revenue), "rpage"),
        "totals": selectors.revenue_totals(revenue),
        "by_stream": selectors.revenue_totals_by_stream(revenue),
        "timeline": selectors.attribution_timeline(actor=actor, customer_id=customer.pk),
        "deals": selectors.customer_deals(actor=actor, customer_id=customer.pk),
        "today": timezone.localdate(),
        "base": request.path,
    }
    partial = "revenue_rows" if htmx_target(request) == "customer-revenue" else None
    return vary_on_target(
        render_page(request, "revenue/ledger/customer_detail.html", context, partial=partial)
    )


@tenant_view(roles=VENDOR_ROLES)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _customer_page(
        request, access_customer_by_id(actor=membership_of(request), customer_id=pk), portal=False
    )


# --- partner portal ---------------------------------------------------------------------------------


def _portal_rows(request: HttpRequest) -> Any:
    actor = membership_of(request)
    q = request.GET.get("q", "").strip()[:100]
    rows = selectors.customer_with_totals(selectors.customer_list(actor=actor, q=q))
    return q, selectors.customer_with_credit(rows, partner_id=actor.own_partner_id, on=timezone.localdate())


@tenant_view(roles=PARTNER_ROLES)
def portal_customers(request: HttpRequest) -> HttpResponse:
    q, rows = _portal_rows(request)
    context = {
        "q": q,
        "page": paginate(request, rows),
        "filtered": bool(q),
        "query": query_string_without_page(request),
        "export_query": export_query(request),
    }
    return render_page(request, "revenue/ledger/portal_customers.html", context, partial="results")


@tenant_view(roles=PARTNER_ROLES)  # type: ignore[arg-type]  # a streaming response
def portal_customer_export(request: HttpRequest) -> StreamingHttpResponse:
    _, rows = _portal_rows(request)
    return csv_export_response(
        request, rows=rows, columns=PORTAL_EXPORT_COLUMNS, row_values=_portal_export_row, name="our-customers"
    )


@tenant_view(roles=PARTNER_ROLES)
def portal_customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _customer_page(
        request, access_customer_by_id(actor=membership_of(request), customer_id=pk), portal=True
    )

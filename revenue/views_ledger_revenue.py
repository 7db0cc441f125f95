"""Revenue ledger pages: the list (filters, totals of the filtered rows, CSV), the form that records
a row (customer picker, the default margin it would take), and a row's page with its reversal.

There is no edit page: ledger rows are facts, a correction is a reversal (and a new row)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect

from prm.csv_export import csv_export_response
from prm.models import VENDOR_ROLES
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view
from revenue import selectors_ledger as selectors
from revenue.access import access_customer_by_id, access_revenue_entry_by_id
from revenue.forms_ledger import RevenueFilterForm, RevenueForm, ReverseForm
from revenue.models import RevenueEntry, Stream
from revenue.services_ledger import revenue_record, revenue_reverse
from revenue.views_ledger_common import (
    default_margins,
    export_query,
    htmx_target,
    membership_of,
    status_for,
    tenant_of,
    tenant_slug_of,
    vary_on_target,
)

EXPORT_COLUMNS = [
    "id",
    "occurred_on",
    "customer_id",
    "customer",
    "amount",
    "currency",
    "stream",
    "margin",
    "margin_is_default",
    "margin_amount",
    "contract_start",
    "contract_end",
    "external_ref",
    "deal_id",
    "reverses_id",
    "reversed_by_id",
    "reason",
    "created_at",
]


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def _export_row(row: RevenueEntry) -> list[Any]:
    reversal = getattr(row, "reversed_by", None)
    return [
        row.pk,
        row.occurred_on.isoformat(),
        row.customer_id,
        row.customer.name,
        row.amount,
        row.currency,
        row.stream,
        row.margin,
        "yes" if row.margin_is_default else "no",
        selectors.cents(row.margin_amount),  # type: ignore[attr-defined]
        _iso(row.contract_start),
        _iso(row.contract_end),
        row.external_ref,
        row.deal_id or "",
        row.reverses_id or "",
        reversal.pk if reversal else "",
        row.reason,
        row.created_at.isoformat(timespec="seconds"),
    ]


@tenant_view(roles=VENDOR_ROLES)
def revenue_list(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    filters = RevenueFilterForm(request.GET)
    criteria = filters.selector_kwargs()
    rows = selectors.revenue_list(actor=actor, **criteria)
    context = {
        "filters": filters,
        "customer": selectors.customer_find(actor=actor, customer_id=criteria["customer_id"]),
        "page": paginate(request, selectors.revenue_with_margin(rows)),
        "totals": selectors.revenue_totals(rows),
        "filtered": any(criteria.values()),
        "query": query_string_without_page(request),
        "export_query": export_query(request),
    }
    return render_page(request, "revenue/ledger/revenue_list.html", context, partial="results")


@tenant_view(roles=VENDOR_ROLES)  # type: ignore[arg-type]  # a streaming response
def revenue_export(request: HttpRequest) -> StreamingHttpResponse:
    filters = RevenueFilterForm(request.GET)
    rows = selectors.revenue_list(actor=membership_of(request), **filters.selector_kwargs())
    return csv_export_response(
        request,
        rows=selectors.revenue_with_margin(rows),
        columns=EXPORT_COLUMNS,
        row_values=_export_row,
        name="revenue",
    )


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _margin_hint(request: HttpRequest, stream: str) -> dict[str, Any] | None:
    """The default a blank margin takes for the chosen stream, so the page can say so."""
    return next((row for row in default_margins(tenant_of(request)) if row["stream"] == stream), None)


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def revenue_new(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    tenant = tenant_of(request)
    data = request.POST if request.method == "POST" else None
    chosen = _int_or_none((data or request.GET).get("customer"))
    customer_q = request.GET.get("customer_q", "").strip()[:100]
    customers = selectors.customer_choices(q=customer_q, include_id=chosen)
    initial = {"customer": chosen, "stream": request.GET.get("stream", "")}
    form = RevenueForm(data, initial=initial, customers=customers, currency=tenant.currency)
    if data is not None and form.is_valid():
        customer = access_customer_by_id(actor=actor, customer_id=form.cleaned_data["customer"])
        try:
            entry = revenue_record(actor=actor, customer=customer, **form.service_fields())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            how = "the default for the stream" if entry.margin_is_default else "as given"
            messages.success(
                request,
                f"Recorded revenue #{entry.pk}: {entry.amount} {entry.currency} for {customer.name}, "
                f"gross margin {entry.margin * 100:.2f}% ({how}).",
            )
            return redirect("revenue_detail", tenant_slug=tenant_slug_of(request), pk=entry.pk)
    stream = (data or request.GET).get("stream", "")
    context = {
        "form": form,
        "customer_q": customer_q,
        "defaults": default_margins(tenant),
        "hint": _margin_hint(request, stream),
        "too_many": len(customers) >= selectors.CUSTOMER_CHOICES_MAX,
    }
    partials = {"customer-picker": "customer_picker", "margin-hint": "margin_hint"}
    partial = partials.get(htmx_target(request)) if data is None else None
    return vary_on_target(
        render_page(
            request, "revenue/ledger/revenue_form.html", context, partial=partial, status=status_for(form)
        )
    )


def _detail_page(
    request: HttpRequest, entry: RevenueEntry, *, reverse_form: ReverseForm | None = None
) -> HttpResponse:
    actor = membership_of(request)
    reversal = getattr(entry, "reversed_by", None)
    context = {
        "entry": entry,
        "reversal": reversal,
        "margin_percent": entry.margin * 100,
        "margin_amount": selectors.cents(entry.amount * entry.margin),
        "stream_label": dict(Stream.choices).get(entry.stream, entry.stream),
        "credits": selectors.revenue_entry_credits(actor=actor, entry=entry),
        "can_reverse": entry.reverses_id is None and reversal is None,
        "reverse_form": reverse_form or ReverseForm(),
    }
    return render_page(
        request, "revenue/ledger/revenue_detail.html", context, status=status_for(reverse_form)
    )


@tenant_view(roles=VENDOR_ROLES)
def revenue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(
        request, access_revenue_entry_by_id(actor=membership_of(request), revenue_entry_id=pk)
    )


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def revenue_reverse_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = membership_of(request)
    entry = access_revenue_entry_by_id(actor=actor, revenue_entry_id=pk)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            reversal = revenue_reverse(actor=actor, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Reversed revenue #{entry.pk} by #{reversal.pk}.")
            return redirect("revenue_detail", tenant_slug=tenant_slug_of(request), pk=entry.pk)
    # Someone may have reversed it meanwhile: show the row as it is now, with the error.
    entry = access_revenue_entry_by_id(actor=actor, revenue_entry_id=pk)
    return _detail_page(request, entry, reverse_form=form)

"""Partner cost pages: the list (filters, CSV) with each partner's totals by kind, including what the
partners app records (reimbursed MDF claims, acquisition entries), the form, and a cost's page with
its reversal. Like revenue rows, costs are never edited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect

from partners.access import access_partner_by_id
from partners.selectors_market import partner_choices
from prm.csv_export import csv_export_response
from prm.models import VENDOR_ROLES
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view
from revenue import selectors_ledger as selectors
from revenue.access import access_cost_by_id
from revenue.forms_ledger import CostFilterForm, CostForm, ReverseForm
from revenue.models import CostKind, PartnerCost
from revenue.services_ledger import cost_record, cost_reverse
from revenue.views_ledger_common import export_query, membership_of, status_for, tenant_slug_of

EXPORT_COLUMNS = [
    "id",
    "partner_id",
    "partner",
    "kind",
    "incurred_on",
    "amount",
    "description",
    "external_ref",
    "reverses_id",
    "reversed_by_id",
    "created_at",
]


def _export_row(cost: PartnerCost) -> list[Any]:
    reversal = cost.reversed_by
    return [
        cost.pk,
        cost.partner_id,
        cost.partner.name,
        cost.kind,
        cost.incurred_on.isoformat(),
        cost.amount,
        cost.description,
        cost.external_ref,
        cost.reverses_id or "",
        reversal.pk if reversal else "",
        cost.created_at.isoformat(timespec="seconds"),
    ]


@tenant_view(roles=VENDOR_ROLES)
def cost_list(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    filters = CostFilterForm(request.GET, partners=partner_choices())
    criteria = filters.selector_kwargs()
    context = {
        "filters": filters,
        "page": paginate(request, selectors.cost_list(actor=actor, **criteria)),
        "panel": selectors.partner_cost_panel(partner_id=criteria["partner_id"]),
        "kinds": CostKind.choices,
        "filtered": any(criteria.values()),
        "query": query_string_without_page(request),
        "export_query": export_query(request),
    }
    return render_page(request, "revenue/ledger/cost_list.html", context, partial="results")


@tenant_view(roles=VENDOR_ROLES)  # type: ignore[arg-type]  # a streaming response
def cost_export(request: HttpRequest) -> StreamingHttpResponse:
    filters = CostFilterForm(request.GET, partners=partner_choices())
    rows = selectors.cost_list(actor=membership_of(request), **filters.selector_kwargs())
    return csv_export_response(
        request, rows=rows, columns=EXPORT_COLUMNS, row_values=_export_row, name="costs"
    )


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def cost_new(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    partner_id = request.GET.get("partner", "")
    initial = {"partner": int(partner_id) if partner_id.isdigit() else None}
    form = CostForm(request.POST or None, initial=initial, partners=partner_choices())
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        partner = access_partner_by_id(actor=actor, partner_id=values.pop("partner"))
        try:
            cost = cost_record(actor=actor, partner=partner, **values)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, f"Recorded {cost.get_kind_display().lower()} cost #{cost.pk} for {partner.name}."
            )
            return redirect("cost_detail", tenant_slug=tenant_slug_of(request), pk=cost.pk)
    return render_page(request, "revenue/ledger/cost_form.html", {"form": form}, status=status_for(form))


def _detail_page(
    request: HttpRequest, cost: PartnerCost, *, reverse_form: ReverseForm | None = None
) -> HttpResponse:
    reversal = cost.reversed_by
    context = {
        "cost": cost,
        "reversal": reversal,
        "can_reverse": cost.reverses_id is None and reversal is None,
        "reverse_form": reverse_form or ReverseForm(),
    }
    return render_page(request, "revenue/ledger/cost_detail.html", context, status=status_for(reverse_form))


@tenant_view(roles=VENDOR_ROLES)
def cost_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, access_cost_by_id(actor=membership_of(request), cost_id=pk))


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def cost_reverse_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = membership_of(request)
    cost = access_cost_by_id(actor=actor, cost_id=pk)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            reversal = cost_reverse(actor=actor, cost=cost, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Reversed cost #{cost.pk} by #{reversal.pk}.")
            return redirect("cost_detail", tenant_slug=tenant_slug_of(request), pk=cost.pk)
    return _detail_page(request, access_cost_by_id(actor=actor, cost_id=pk), reverse_form=form)

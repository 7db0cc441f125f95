"""Conflict pages (vendor): the open cases, and one case with its evidence side by side and the
resolve form. The default winner (first valid submission, UTC) is preselected; the reason is
required, because both partners read it in their deal's history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect

from prm.csv_export import csv_export_response
from prm.models import VENDOR_ROLES
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view
from revenue.access import access_conflict_by_id
from revenue.forms_deals import ConflictFilterForm, ConflictResolveForm
from revenue.models import ConflictCase, ConflictStatus, Deal
from revenue.selectors_deals import conflict_list
from revenue.services_deals import conflict_default_winner, conflict_resolve
from revenue.views_deals_common import membership_of, tenant_slug_of


@tenant_view(roles=VENDOR_ROLES)
def conflict_list_view(request: HttpRequest) -> HttpResponse:
    filters = ConflictFilterForm(request.GET)
    values = filters.values()
    page = paginate(request, conflict_list(actor=membership_of(request), status=values["status"]))
    cases = list(page.object_list)
    for case in cases:
        case.default_winner_id = conflict_default_winner(case).pk  # type: ignore[attr-defined]
    page.object_list = cases
    context = {
        "filters": filters,
        "chosen": values["chosen"],
        "page": page,
        "query": query_string_without_page(request),
    }
    return render_page(request, "revenue/deals/conflict_list.html", context, partial="results")


EXPORT_COLUMNS = [
    "case",
    "status",
    "match_kind",
    "match_score",
    "opened_at_utc",
    "deal",
    "deal_partner",
    "deal_customer",
    "deal_domain",
    "deal_submitted_at_utc",
    "other_deal",
    "other_partner",
    "other_customer",
    "other_domain",
    "other_submitted_at_utc",
    "default_winner",
    "winner",
    "resolution_reason",
    "resolved_at_utc",
]


def _side(deal: Deal) -> list[object]:
    return [
        deal.pk,
        deal.partner.name if deal.partner else "direct opportunity",
        deal.customer_name,
        deal.customer_domain,
        deal.submitted_at.isoformat(timespec="seconds") if deal.submitted_at else "",
    ]


def _export_row(case: ConflictCase) -> list[object]:
    return [
        case.pk,
        case.status,
        case.match_kind,
        case.match_score,
        case.created_at.isoformat(timespec="seconds"),
        *_side(case.deal),
        *_side(case.other_deal),
        conflict_default_winner(case).pk,
        case.winner_id or "",
        case.resolution_reason,
        case.resolved_at.isoformat(timespec="seconds") if case.resolved_at else "",
    ]


@tenant_view(roles=VENDOR_ROLES)  # type: ignore[arg-type]  # a streaming response
def conflict_export(request: HttpRequest) -> StreamingHttpResponse:
    values = ConflictFilterForm(request.GET).values()
    return csv_export_response(
        request,
        rows=conflict_list(actor=membership_of(request), status=values["status"]),
        columns=EXPORT_COLUMNS,
        row_values=_export_row,
        name="conflicts",
    )


def _detail(
    request: HttpRequest, case: ConflictCase, form: ConflictResolveForm | None = None
) -> HttpResponse:
    default = conflict_default_winner(case)
    side = "deal" if default.pk == case.deal_id else "other_deal"
    context = {
        "case": case,
        "default_winner": default,
        "form": form or ConflictResolveForm(initial={"winner": side}),
        "chosen_side": (form.data.get("winner") if form is not None else None) or side,
        "is_open": case.status == ConflictStatus.OPEN,
    }
    status = 400 if form is not None and form.errors else 200
    return render_page(request, "revenue/deals/conflict_detail.html", context, status=status)


@tenant_view(roles=VENDOR_ROLES)
def conflict_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_conflict_by_id(actor=membership_of(request), conflict_id=pk))


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def conflict_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = membership_of(request)
    case = access_conflict_by_id(actor=actor, conflict_id=pk)
    form = ConflictResolveForm(request.POST)
    if form.is_valid():
        winner = case.deal if form.cleaned_data["winner"] == "deal" else case.other_deal
        try:
            conflict_resolve(actor=actor, case=case, winner=winner, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            holder = winner.partner.name if winner.partner else "the direct opportunity"
            messages.success(request, f"Conflict resolved: “{winner.title}” ({holder}) keeps the customer.")
            return redirect("conflict_detail", tenant_slug=tenant_slug_of(request), pk=case.pk)
    case = access_conflict_by_id(actor=actor, conflict_id=pk)
    return _detail(request, case, form)

"""Vendor deal pages: the approval queue (inline approve/reject and extension decisions, with the
conflict evidence side by side), all deals (filters, CSV), one deal (win, lose), direct opportunities.

Inline decisions post with htmx and get their queue card back; without JavaScript the same forms
post normally and come back to the page they were sent from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from partners.selectors_market import partner_choices
from prm.csv_export import csv_export_response
from prm.models import VENDOR_ROLES
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view
from revenue.access import access_deal_by_id
from revenue.forms_deals import (
    ApproveForm,
    DealFilterForm,
    DealForm,
    ExtensionDecideForm,
    LoseForm,
    ReasonForm,
    WinForm,
)
from revenue.models import Deal, DealStatus, ExtensionStatus
from revenue.selectors_deals import (
    conflicts_by_deal,
    deal_attributions,
    deal_extension_requests,
    deal_history,
    deal_list,
    deal_queue,
    deal_revenue_rows,
)
from revenue.services_deals import (
    deal_approve,
    deal_create,
    deal_decide_extension,
    deal_lose,
    deal_reject,
    deal_win,
)
from revenue.validation import STREAM_LABELS
from revenue.views_deals_common import (
    VENDOR_EXPORT_COLUMNS,
    is_htmx,
    membership_of,
    protection_countdown,
    query_without,
    safe_next,
    tenant_slug_of,
    vendor_export_row,
    with_countdowns,
)

QUEUE_ROW = "revenue/deals/_queue_row.html"
EXTENSION_ROW = "revenue/deals/_extension_row.html"


@tenant_view(roles=VENDOR_ROLES)
def deal_queue_view(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    page = paginate(request, deal_queue(actor=actor))
    deals = list(page.object_list)
    page.object_list = deals
    sides = conflicts_by_deal(deal_ids=[deal.pk for deal in deals])
    extensions = Paginator(deal_extension_requests(actor=actor), 10).get_page(request.GET.get("epage"))
    extensions.object_list = with_countdowns(extensions.object_list)
    context = {
        "page": page,
        "rows": [(deal, sides.get(deal.pk, [])) for deal in deals],
        "extensions": extensions,
        "query": query_string_without_page(request),
        "next_url": request.get_full_path(),
    }
    target = getattr(getattr(request, "htmx", None), "target", None) or ""
    partial = "extensions" if target == "extension-requests" else "results"
    return render_page(request, "revenue/deals/queue.html", context, partial=partial)


def _fragment(request: HttpRequest, template: str, context: dict[str, Any], *, status: int) -> HttpResponse:
    response = render(request, template, {"next_url": safe_next(request, ""), **context}, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _queue_row(request: HttpRequest, deal: Deal, *, status: int = 200, **extra: Any) -> HttpResponse:
    sides = conflicts_by_deal(deal_ids=[deal.pk]).get(deal.pk, [])
    return _fragment(request, QUEUE_ROW, {"d": deal, "sides": sides, **extra}, status=status)


def _extension_row(request: HttpRequest, deal: Deal, *, status: int = 200, **extra: Any) -> HttpResponse:
    deal.countdown = protection_countdown(deal)  # type: ignore[attr-defined]
    return _fragment(request, EXTENSION_ROW, {"d": deal, **extra}, status=status)


def _decide(
    request: HttpRequest,
    pk: int,
    *,
    action: str,
    form: forms.Form,
    run: Callable[..., Any],
    row: Callable[..., HttpResponse],
    done: Callable[[Deal], str],
) -> HttpResponse:
    """One staff decision. htmx gets the deal's queue card back (with the errors in it on refusal);
    a plain form goes back where it came from, or to the deal's page with the errors in place."""
    actor = membership_of(request)
    deal = access_deal_by_id(actor=actor, deal_id=pk)
    if form.is_valid():
        try:
            changed = run(actor, deal, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if is_htmx(request):
                return row(request, changed)
            messages.success(request, done(changed))
            fallback = reverse("deal_detail", kwargs={"tenant_slug": tenant_slug_of(request), "pk": deal.pk})
            return redirect(safe_next(request, fallback))
    deal = access_deal_by_id(actor=actor, deal_id=pk)  # as it is now: someone may have moved it
    if is_htmx(request):
        errors = [message for field_errors in form.errors.values() for message in field_errors]
        return row(request, deal, status=400, errors=errors, errors_for=action, posted=request.POST)
    return _detail(request, deal, bound={action: form})


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def deal_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        action="approve",
        form=ApproveForm(request.POST, auto_id="approve_%s"),
        run=lambda actor, deal, data: deal_approve(actor=actor, deal=deal, reason=data["reason"]),
        row=_queue_row,
        done=lambda deal: f"Approved “{deal.title}” ({protection_countdown(deal) or 'open'}).",
    )


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def deal_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        action="reject",
        form=ReasonForm(request.POST, auto_id="reject_%s"),
        run=lambda actor, deal, data: deal_reject(actor=actor, deal=deal, reason=data["reason"]),
        row=_queue_row,
        done=lambda deal: f"Rejected “{deal.title}”.",
    )


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def deal_extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        action="extension",
        form=ExtensionDecideForm(request.POST, auto_id="extension_%s"),
        run=lambda actor, deal, data: deal_decide_extension(
            actor=actor, deal=deal, grant=data["decision"] == "grant", reason=data["reason"]
        ),
        row=_extension_row,
        done=lambda deal: f"Extension {deal.get_extension_status_display().lower()} for “{deal.title}”.",
    )


# --- all deals ------------------------------------------------------------------------------------


@tenant_view(roles=VENDOR_ROLES)
def deal_list_view(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    filters = DealFilterForm(request.GET, partner_choices=partner_choices())
    values = filters.values()
    page = paginate(request, deal_list(actor=actor, **values))
    page.object_list = with_countdowns(page.object_list)
    context = {
        "filters": filters,
        **values,
        "page": page,
        "filtered": any(value for value in values.values()),
        "query": query_string_without_page(request),
        "export_query": query_without(request, "page"),
    }
    return render_page(request, "revenue/deals/deal_list.html", context, partial="results")


@tenant_view(roles=VENDOR_ROLES)  # type: ignore[arg-type]  # a streaming response
def deal_export(request: HttpRequest) -> StreamingHttpResponse:
    actor = membership_of(request)
    values = DealFilterForm(request.GET, partner_choices=partner_choices()).values()
    return csv_export_response(
        request,
        rows=deal_list(actor=actor, **values),
        columns=VENDOR_EXPORT_COLUMNS,
        row_values=vendor_export_row,
        name="deals",
    )


# --- one deal -------------------------------------------------------------------------------------


def _detail(request: HttpRequest, deal: Deal, *, bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    actor = membership_of(request)
    bound = bound or {}
    sides = conflicts_by_deal(deal_ids=[deal.pk], open_only=False).get(deal.pk, [])
    open_sides = [side for side in sides if side.case.status == "open"]
    won = deal.status == DealStatus.WON
    context = {
        "deal": deal,
        "countdown": protection_countdown(deal),
        "history": deal_history(actor=actor, deal=deal),
        "conflicts": sides,
        "open_conflicts": open_sides,
        "bound_errors": _stray_errors(deal, bound, has_open_conflicts=bool(open_sides)),
        "stream_label": STREAM_LABELS.get(deal.stream, deal.stream),
        "approve_form": bound.get("approve") or ApproveForm(auto_id="approve_%s"),
        "reject_form": bound.get("reject") or ReasonForm(auto_id="reject_%s"),
        "extension_form": bound.get("extension") or ExtensionDecideForm(auto_id="extension_%s"),
        "win_form": bound.get("win") or WinForm(auto_id="win_%s", initial={"amount": deal.amount}),
        "lose_form": bound.get("lose") or LoseForm(auto_id="lose_%s"),
        "can_decide": deal.status == DealStatus.SUBMITTED,
        "can_close": deal.status == DealStatus.APPROVED,
        "extension_waiting": deal.status == DealStatus.APPROVED
        and deal.extension_status == ExtensionStatus.REQUESTED,
        "revenue": deal_revenue_rows(deal=deal) if won else [],
        "attributions": deal_attributions(actor=actor, deal=deal) if won else [],
        "next_url": request.path,
    }
    return render_page(request, "revenue/deals/deal_detail.html", context, status=400 if bound else 200)


def _stray_errors(deal: Deal, bound: dict[str, forms.Form], *, has_open_conflicts: bool) -> list[str]:
    """Errors of a form the page no longer shows (the deal moved on meanwhile): said at the top."""
    shown: set[str] = set()
    if deal.status == DealStatus.SUBMITTED:
        shown = {"reject"} if has_open_conflicts else {"approve", "reject"}
    elif deal.status == DealStatus.APPROVED:
        shown = {"win", "lose", "extension"}
    return [
        str(message)
        for name, form in bound.items()
        if name not in shown
        for messages_ in form.errors.values()
        for message in messages_
    ]


@tenant_view(roles=VENDOR_ROLES)
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_deal_by_id(actor=membership_of(request), deal_id=pk))


def _close(
    request: HttpRequest, pk: int, *, action: str, form: forms.Form, run: Callable[..., Deal]
) -> HttpResponse:
    actor = membership_of(request)
    deal = access_deal_by_id(actor=actor, deal_id=pk)
    if form.is_valid():
        try:
            closed = run(actor, deal, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            what = f"won: {closed.amount:,.2f}" if closed.status == DealStatus.WON else "lost"
            messages.success(request, f"Marked “{closed.title}” {what}.")
            return redirect("deal_detail", tenant_slug=tenant_slug_of(request), pk=deal.pk)
    return _detail(request, access_deal_by_id(actor=actor, deal_id=pk), bound={action: form})


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def deal_win_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _close(
        request,
        pk,
        action="win",
        form=WinForm(request.POST, auto_id="win_%s"),
        run=lambda actor, deal, data: deal_win(actor=actor, deal=deal, **data),
    )


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def deal_lose_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _close(
        request,
        pk,
        action="lose",
        form=LoseForm(request.POST, auto_id="lose_%s"),
        run=lambda actor, deal, data: deal_lose(
            actor=actor, deal=deal, reason=data["reason"], closed_on=data.get("closed_on")
        ),
    )


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def direct_opportunity_new(request: HttpRequest) -> HttpResponse:
    """The vendor's own sales team opens an opportunity: it holds the customer against partner
    registrations (they open a conflict) until it closes."""
    form = DealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deal = deal_create(actor=membership_of(request), partner=None, **form.service_fields())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Opened the direct opportunity “{deal.title}”.")
            return redirect("deal_detail", tenant_slug=tenant_slug_of(request), pk=deal.pk)
    return render_page(
        request, "revenue/deals/direct_new.html", {"form": form}, status=400 if form.errors else 200
    )

"""Partner portal deal pages: our deals (list, CSV), register a deal with the live duplicate check,
and one deal with its history and the partner's actions (edit a draft, submit, ask for the one
extension, mark lost).

A partner never learns who else holds a customer: the duplicate warning and the conflict state say
that another registration exists and how it matched, never whose it is or what it is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from partners.access import access_own_partner
from prm.csv_export import csv_export_response
from prm.models import PARTNER_ROLES
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view
from revenue.access import access_deal_by_id
from revenue.forms_deals import DealForm, LoseForm, PortalFilterForm, ReasonForm
from revenue.models import Deal, DealStatus, ExtensionStatus
from revenue.selectors_deals import (
    conflicts_by_deal,
    deal_attributions,
    deal_history,
    deal_list,
    deal_own_matches,
    deal_revenue_rows,
)
from revenue.services_deals import (
    EDITABLE_FIELDS,
    DuplicateDealError,
    deal_create,
    deal_find_holders,
    deal_lose,
    deal_request_extension,
    deal_submit,
    deal_update,
)
from revenue.validation import STREAM_LABELS
from revenue.views_deals_common import (
    PORTAL_EXPORT_COLUMNS,
    membership_of,
    portal_export_row,
    protection_countdown,
    query_without,
    tenant_slug_of,
    with_countdowns,
)


def _match_words(kind: str, score: float) -> str:
    if kind == "domain":
        return "domain match"
    percent = round(score * 100)
    return "same name" if percent >= 100 else f"very similar name, {percent}%"


@tenant_view(roles=PARTNER_ROLES)
def portal_deals(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    filters = PortalFilterForm(request.GET)
    values = filters.values()
    page = paginate(request, deal_list(actor=actor, **values))
    page.object_list = with_countdowns(page.object_list)
    context = {
        "filters": filters,
        **values,
        "page": page,
        "filtered": any(values.values()),
        "query": query_string_without_page(request),
        "export_query": query_without(request, "page"),
    }
    return render_page(request, "revenue/deals/portal_deals.html", context, partial="results")


@tenant_view(roles=PARTNER_ROLES)  # type: ignore[arg-type]  # a streaming response
def portal_deal_export(request: HttpRequest) -> StreamingHttpResponse:
    actor = membership_of(request)
    rows = deal_list(actor=actor, **PortalFilterForm(request.GET).values())
    return csv_export_response(
        request, rows=rows, columns=PORTAL_EXPORT_COLUMNS, row_values=portal_export_row, name="our-deals"
    )


# --- register and edit ----------------------------------------------------------------------------


def _check_url(request: HttpRequest) -> str:
    return reverse("portal_deal_check", kwargs={"tenant_slug": tenant_slug_of(request)})


def _save(request: HttpRequest, form: DealForm, *, deal: Deal | None) -> Deal | None:
    """Create or update from a valid form; on refusal the errors land on the form and None returns."""
    actor = membership_of(request)
    submit = request.POST.get("action") == "submit"
    try:
        if deal is None:
            saved = deal_create(
                actor=actor, partner=access_own_partner(actor=actor), submit=submit, **form.service_fields()
            )
        else:
            saved = deal_update(actor=actor, deal=deal, **form.service_fields())
            if submit:
                saved = deal_submit(actor=actor, deal=saved)
    except ValidationError as error:
        apply_service_errors(form, error)
        return None
    except DuplicateDealError as error:
        form.add_error(None, f"{error} Open it from Our deals instead of registering it again.")
        return None
    if saved.status == DealStatus.SUBMITTED:
        note = ""
        if conflicts_by_deal(deal_ids=[saved.pk]):
            note = " Another registration covers this customer; the channel team will review the conflict."
        messages.success(request, f"Submitted “{saved.title}” for approval.{note}")
    else:
        messages.success(request, f"Saved “{saved.title}” as a draft; submit it when it is ready.")
    return saved


@tenant_view(roles=PARTNER_ROLES, methods=("GET", "POST"))
def portal_deal_new(request: HttpRequest) -> HttpResponse:
    form = DealForm(request.POST or None, check_url=_check_url(request))
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, deal=None)
        if saved is not None:
            return redirect("portal_deal_detail", tenant_slug=tenant_slug_of(request), pk=saved.pk)
    context = {"form": form, "deal": None, "check": _check_context(request, source=form.data)}
    return render_page(
        request, "revenue/deals/portal_deal_form.html", context, status=400 if form.errors else 200
    )


@tenant_view(roles=PARTNER_ROLES, methods=("GET", "POST"))
def portal_deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal_by_id(actor=membership_of(request), deal_id=pk)
    if deal.status != DealStatus.DRAFT:
        messages.error(request, "Only drafts can be edited; this registration was already submitted.")
        return redirect("portal_deal_detail", tenant_slug=tenant_slug_of(request), pk=deal.pk)
    initial = {name: getattr(deal, name) for name in EDITABLE_FIELDS}
    form = DealForm(request.POST or None, initial=initial, check_url=_check_url(request))
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, deal=deal)
        if saved is not None:
            return redirect("portal_deal_detail", tenant_slug=tenant_slug_of(request), pk=saved.pk)
    # Opened for editing, the draft's own customer is checked at once (not only after typing).
    source = form.data if form.is_bound else initial
    context = {
        "form": form,
        "deal": deal,
        "check": _check_context(request, source=source, exclude_pk=deal.pk),
    }
    return render_page(
        request, "revenue/deals/portal_deal_form.html", context, status=400 if form.errors else 200
    )


# --- the live duplicate check ---------------------------------------------------------------------


def _check_context(
    request: HttpRequest, *, source: Mapping[str, Any], exclude_pk: int | None = None
) -> dict[str, Any]:
    """What the warning under the customer fields says about the names in `source`. Other partners'
    registrations (and the vendor's direct opportunities) are described by how they matched; the
    customer is named as the person typed it, so nothing of the other registration is shown."""
    name = str(source.get("customer_name", "")).strip()[:200]
    domain = str(source.get("customer_domain", "")).strip()[:253]
    actor = membership_of(request)
    holders = deal_find_holders(customer_name=name, customer_domain=domain, partner_id=actor.own_partner_id)
    own = deal_own_matches(actor=actor, customer_name=name, customer_domain=domain, exclude_pk=exclude_pk)
    best = holders[0] if holders else None
    return {
        "asked": bool(name or domain),
        "holder": best
        and {"how": _match_words(best.kind, best.score), "matching": name if best.kind == "name" else domain},
        "own": [match.item for match in own],
        "exclude": exclude_pk or "",
    }


@tenant_view(roles=PARTNER_ROLES)
def portal_deal_check(request: HttpRequest) -> HttpResponse:
    """The fragment under the customer fields (htmx), or a small page of its own without JavaScript."""
    exclude = request.GET.get("exclude", "")
    exclude_pk = int(exclude) if exclude.isdigit() else None
    context = {"check": _check_context(request, source=request.GET, exclude_pk=exclude_pk)}
    return render_page(request, "revenue/deals/portal_deal_check.html", context, partial="check")


# --- one deal -------------------------------------------------------------------------------------


def _detail(request: HttpRequest, deal: Deal, *, bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    actor = membership_of(request)
    bound = bound or {}
    sides = conflicts_by_deal(deal_ids=[deal.pk], open_only=False).get(deal.pk, [])
    context = {
        "deal": deal,
        "countdown": protection_countdown(deal),
        "stream_label": STREAM_LABELS.get(deal.stream, deal.stream),
        "history": deal_history(actor=actor, deal=deal),
        "conflicts": sides,
        "in_review": any(side.case.status == "open" for side in sides),
        "can_edit": deal.status == DealStatus.DRAFT,
        "can_extend": deal.status == DealStatus.APPROVED and deal.extension_status == ExtensionStatus.NONE,
        "can_lose": deal.status == DealStatus.APPROVED,
        "extension_form": bound.get("extension") or ReasonForm(auto_id="extension_%s"),
        "lose_form": bound.get("lose") or LoseForm(auto_id="lose_%s"),
        "submit_errors": bound["submit"].non_field_errors() if "submit" in bound else [],
        "revenue": deal_revenue_rows(deal=deal) if deal.status == DealStatus.WON else [],
        "attributions": deal_attributions(actor=actor, deal=deal) if deal.status == DealStatus.WON else [],
    }
    status = 400 if bound else 200
    return render_page(request, "revenue/deals/portal_deal_detail.html", context, status=status)


@tenant_view(roles=PARTNER_ROLES)
def portal_deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_deal_by_id(actor=membership_of(request), deal_id=pk))


def _act(request: HttpRequest, pk: int, *, name: str, form: forms.Form, run: Any, done: str) -> HttpResponse:
    """Run one partner action from the detail page; refused, the page comes back with the errors."""
    actor = membership_of(request)
    deal = access_deal_by_id(actor=actor, deal_id=pk)
    if form.is_valid():
        try:
            run(actor, deal, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("portal_deal_detail", tenant_slug=tenant_slug_of(request), pk=deal.pk)
    deal = access_deal_by_id(actor=actor, deal_id=pk)  # its state now, someone may have moved it
    return _detail(request, deal, bound={name: form})


@tenant_view(roles=PARTNER_ROLES, methods=("POST",))
def portal_deal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        name="submit",
        form=forms.Form(request.POST),
        run=lambda actor, deal, data: deal_submit(actor=actor, deal=deal),
        done="Submitted for approval; the channel team will decide.",
    )


@tenant_view(roles=PARTNER_ROLES, methods=("POST",))
def portal_deal_extension(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        name="extension",
        form=ReasonForm(request.POST, auto_id="extension_%s"),
        run=lambda actor, deal, data: deal_request_extension(actor=actor, deal=deal, reason=data["reason"]),
        done="Asked for the extension; the channel team will decide.",
    )


@tenant_view(roles=PARTNER_ROLES, methods=("POST",))
def portal_deal_lose(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        name="lose",
        form=LoseForm(request.POST, auto_id="lose_%s"),
        run=lambda actor, deal, data: deal_lose(
            actor=actor, deal=deal, reason=data["reason"], closed_on=data.get("closed_on")
        ),
        done="Marked the deal lost.",
    )

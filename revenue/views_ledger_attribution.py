"""Attribution ledger pages: the list (filters incl. "in force on", CSV), the form that gives a partner
credit (the sourced-weight rule's error shows on the weight), a credit's page with its versions and
the two changes (end it, change its weight: a new version), and the portal's read-only list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from partners.access import access_partner_by_id
from partners.selectors_market import partner_choices
from prm.csv_export import csv_export_response
from prm.models import PARTNER_ROLES, VENDOR_ROLES
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view
from revenue import selectors_ledger as selectors
from revenue.access import access_attribution_by_id, access_customer_by_id
from revenue.forms_ledger_attribution import (
    AttributionEndForm,
    AttributionFilterForm,
    AttributionForm,
    AttributionWeightForm,
)
from revenue.models import Attribution, AttributionSource
from revenue.services_attribution import attribution_change_weight, attribution_create, attribution_end
from revenue.views_ledger_common import (
    export_query,
    htmx_target,
    membership_of,
    status_for,
    tenant_slug_of,
    vary_on_target,
)

EXPORT_COLUMNS = [
    "id",
    "partner_id",
    "partner",
    "customer_id",
    "customer",
    "revenue_entry_id",
    "kind",
    "weight",
    "effective_from",
    "effective_to",
    "source",
    "deal_id",
    "referral_code",
    "marketplace_ref",
    "reason",
    "supersedes_id",
    "superseded_by_id",
    "created_at",
]


def _export_row(row: Attribution) -> list[Any]:
    successor = getattr(row, "superseded_by", None)
    return [
        row.pk,
        row.partner_id,
        row.partner.name,
        row.customer_id,
        row.customer.name,
        row.revenue_entry_id or "",
        row.kind,
        row.weight,
        row.effective_from.isoformat(),
        row.effective_to.isoformat() if row.effective_to else "",
        row.source,
        row.deal_id or "",
        row.referral_code.code if row.referral_code else "",
        row.marketplace_ref,
        row.reason,
        row.supersedes_id or "",
        successor.pk if successor else "",
        row.created_at.isoformat(timespec="seconds"),
    ]


def _list_context(request: HttpRequest, filters: AttributionFilterForm, *, portal: bool) -> dict[str, Any]:
    criteria = filters.selector_kwargs()
    rows = selectors.attribution_list(actor=membership_of(request), **criteria)
    return {
        "filters": filters,
        "portal": portal,
        "page": paginate(request, rows),
        "filtered": any(criteria.values()),
        "query": query_string_without_page(request),
        "export_query": export_query(request),
        "today": timezone.localdate(),
    }


@tenant_view(roles=VENDOR_ROLES)
def attribution_list(request: HttpRequest) -> HttpResponse:
    filters = AttributionFilterForm(request.GET, partners=partner_choices())
    context = _list_context(request, filters, portal=False)
    return render_page(request, "revenue/ledger/attribution_list.html", context, partial="results")


@tenant_view(roles=VENDOR_ROLES)  # type: ignore[arg-type]  # a streaming response
def attribution_export(request: HttpRequest) -> StreamingHttpResponse:
    filters = AttributionFilterForm(request.GET, partners=partner_choices())
    rows = selectors.attribution_list(actor=membership_of(request), **filters.selector_kwargs())
    return csv_export_response(
        request, rows=rows, columns=EXPORT_COLUMNS, row_values=_export_row, name="attributions"
    )


@tenant_view(roles=PARTNER_ROLES)
def portal_attributions(request: HttpRequest) -> HttpResponse:
    """A partner's own credit, read-only; the vendor's team records and changes it."""
    context = _list_context(request, AttributionFilterForm(request.GET), portal=True)
    return render_page(request, "revenue/ledger/attribution_list.html", context, partial="results")


@tenant_view(roles=PARTNER_ROLES)  # type: ignore[arg-type]  # a streaming response
def portal_attribution_export(request: HttpRequest) -> StreamingHttpResponse:
    filters = AttributionFilterForm(request.GET)
    rows = selectors.attribution_list(actor=membership_of(request), **filters.selector_kwargs())
    return csv_export_response(
        request, rows=rows, columns=EXPORT_COLUMNS, row_values=_export_row, name="our-attributions"
    )


# --- recording credit -------------------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _source_objects(form: AttributionForm) -> dict[str, Any] | None:
    """The revenue row, deal and referral code the form names, as objects; field errors otherwise.
    Only the field that matches the chosen source is used."""
    data = form.cleaned_data
    found: dict[str, Any] = {"revenue_entry": None, "deal": None, "referral_code": None}
    if data["revenue_entry"] is not None:
        found["revenue_entry"] = selectors.revenue_entry_find(entry_id=data["revenue_entry"])
        if found["revenue_entry"] is None:
            form.add_error("revenue_entry", f"There is no revenue row #{data['revenue_entry']}.")
    source = data["source"]
    if source == AttributionSource.DEAL and data["deal"] is not None:
        found["deal"] = selectors.deal_find(deal_id=data["deal"])
        if found["deal"] is None:
            form.add_error("deal", f"There is no deal #{data['deal']}.")
    if source == AttributionSource.REFERRAL_CODE and data["referral_code"]:
        found["referral_code"] = selectors.referral_code_find(code=data["referral_code"])
        if found["referral_code"] is None:
            form.add_error("referral_code", f"There is no referral code {data['referral_code'].upper()}.")
    return None if form.errors else found


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def attribution_new(request: HttpRequest) -> HttpResponse:
    actor = membership_of(request)
    data = request.POST if request.method == "POST" else None
    source = data or request.GET
    chosen = _int_or_none(source.get("customer"))
    customer_q = request.GET.get("customer_q", "").strip()[:100]
    initial = {
        "customer": chosen,
        "partner": _int_or_none(request.GET.get("partner")),
        "revenue_entry": _int_or_none(request.GET.get("revenue_entry")),
        "effective_from": timezone.localdate().isoformat(),
    }
    form = AttributionForm(
        data,
        initial=initial,
        partners=partner_choices(),
        customers=selectors.customer_choices(q=customer_q, include_id=chosen),
    )
    if data is not None and form.is_valid():
        objects = _source_objects(form)
        if objects is not None:
            values = form.cleaned_data
            try:
                credit = attribution_create(
                    actor=actor,
                    partner=access_partner_by_id(actor=actor, partner_id=values["partner"]),
                    customer=access_customer_by_id(actor=actor, customer_id=values["customer"]),
                    kind=values["kind"],
                    weight=values["weight"],
                    effective_from=values["effective_from"],
                    effective_to=values["effective_to"],
                    source=values["source"],
                    marketplace_ref=values["marketplace_ref"] if values["source"] == "marketplace" else "",
                    reason=values["reason"],
                    **objects,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{credit.partner.name} now has {credit.get_kind_display().lower()} credit "
                    f"{credit.weight.normalize()} for {credit.customer.name} from {credit.effective_from}.",
                )
                return redirect("attribution_detail", tenant_slug=tenant_slug_of(request), pk=credit.pk)
    context = {"form": form, "customer_q": customer_q}
    partial = "customer_picker" if data is None and htmx_target(request) == "customer-picker" else None
    return vary_on_target(
        render_page(
            request, "revenue/ledger/attribution_form.html", context, partial=partial, status=status_for(form)
        )
    )


# --- one credit: versions, end, change weight -------------------------------------------------------


def _detail_page(
    request: HttpRequest,
    attribution: Attribution,
    *,
    end_form: AttributionEndForm | None = None,
    weight_form: AttributionWeightForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    successor = getattr(attribution, "superseded_by", None)
    context = {
        "a": attribution,
        "successor": successor,
        "versions": selectors.attribution_versions(attribution=attribution),
        "today": today,
        "can_change": successor is None
        and (attribution.effective_to is None or attribution.effective_to > today),
        "end_form": end_form or AttributionEndForm(initial={"effective_to": today.isoformat()}),
        "weight_form": weight_form
        or AttributionWeightForm(
            initial={"weight": attribution.weight.normalize(), "effective_from": today.isoformat()}
        ),
    }
    status = status_for(end_form, weight_form)
    return render_page(request, "revenue/ledger/attribution_detail.html", context, status=status)


@tenant_view(roles=VENDOR_ROLES)
def attribution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, access_attribution_by_id(actor=membership_of(request), attribution_id=pk))


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def attribution_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = membership_of(request)
    attribution = access_attribution_by_id(actor=actor, attribution_id=pk)
    form = AttributionEndForm(request.POST)
    if form.is_valid():
        try:
            ended = attribution_end(actor=actor, attribution=attribution, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Credit #{ended.pk} ends on {ended.effective_to}.")
            return redirect("attribution_detail", tenant_slug=tenant_slug_of(request), pk=ended.pk)
    attribution = access_attribution_by_id(actor=actor, attribution_id=pk)
    return _detail_page(request, attribution, end_form=form)


def _as_weight_form_errors(error: ValidationError) -> ValidationError:
    """Ending the current version fails on its end date; on this form that date is the change date."""
    if not hasattr(error, "error_dict"):
        return error
    renamed = {
        ("effective_from" if key == "effective_to" else key): value
        for key, value in error.message_dict.items()
    }
    return ValidationError(renamed)


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def attribution_change_weight_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = membership_of(request)
    attribution = access_attribution_by_id(actor=actor, attribution_id=pk)
    form = AttributionWeightForm(request.POST)
    if form.is_valid():
        try:
            version = attribution_change_weight(actor=actor, attribution=attribution, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, _as_weight_form_errors(error))
        else:
            messages.success(
                request,
                f"Credit changed to {version.weight.normalize()} from {version.effective_from}: "
                f"#{version.pk} supersedes #{attribution.pk}.",
            )
            return redirect("attribution_detail", tenant_slug=tenant_slug_of(request), pk=version.pk)
    attribution = access_attribution_by_id(actor=actor, attribution_id=pk)
    return _detail_page(request, attribution, weight_form=form)

"""The partner directory: search, filters, sort, htmx pagination, CSV export, and the new-partner form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect

from partners.forms_core import DirectoryFilterForm, PartnerForm
from partners.models import Partner, Segment
from partners.selectors import SORTS, partner_directory_list, partner_filter_options
from partners.services_core import partner_create
from prm.csv_export import csv_export_response
from prm.models import VENDOR_ROLES, Membership
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view

EXPORT_COLUMNS = [
    "id",
    "name",
    "partner_type",
    "status",
    "stage",
    "program",
    "tier",
    "tier_overridden",
    "segments",
    "owner",
    "parent",
    "website_domain",
    "country",
    "joined_on",
    "left_on",
    "created_at",
]
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@tenant_view(roles=VENDOR_ROLES)
def partner_directory(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    filters = DirectoryFilterForm(request.GET, options=partner_filter_options())
    criteria = filters.selector_kwargs()
    page = paginate(request, partner_directory_list(actor=actor, **criteria))
    context = {
        "filters": filters,
        "page": page,
        "sort": criteria["sort"],
        "sorts": SORTS,
        "filtered": any(value for key, value in criteria.items() if key != "sort"),
        "more_filters": any(
            request.GET.get(name) for name in ("segment", "owner", "program", "tier", "sort")
        ),
        "query": query_string_without_page(request),
        "sort_query": _query_without(request, "page", "sort"),
        "export_query": _query_without(request, "page"),
    }
    return render_page(request, "partners/directory.html", context, partial="results")


def _export_row(partner: Partner) -> list[Any]:
    segments: list[Segment] = list(partner.segments.all())
    values = [
        partner.pk,
        partner.name,
        partner.partner_type,
        partner.status,
        partner.stage,
        partner.program.name if partner.program else "",
        partner.tier.name if partner.tier else "",
        "yes" if partner.tier_overridden else "no",
        "; ".join(segment.name for segment in segments),
        partner.owner.email if partner.owner else "",
        partner.parent.name if partner.parent else "",
        partner.website_domain,
        partner.country,
        partner.joined_on.isoformat() if partner.joined_on else "",
        partner.left_on.isoformat() if partner.left_on else "",
        partner.created_at.isoformat(timespec="seconds"),
    ]
    return values


@tenant_view(roles=VENDOR_ROLES)  # type: ignore[arg-type]  # a streaming response, not an HttpResponse
def partner_export(request: HttpRequest) -> StreamingHttpResponse:
    """Every row of the filtered directory, streamed in chunks so memory stays flat."""
    actor: Membership = request.membership  # type: ignore[attr-defined]
    filters = DirectoryFilterForm(request.GET, options=partner_filter_options())
    rows = partner_directory_list(actor=actor, **filters.selector_kwargs())
    return csv_export_response(
        request, rows=rows, columns=EXPORT_COLUMNS, row_values=_export_row, name="partners"
    )


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def partner_new(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    form = PartnerForm(request.POST or None, options=partner_filter_options())
    if request.method == "POST" and form.is_valid():
        try:
            partner = partner_create(actor=actor, **form.service_fields())
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Added {partner.name}.")
            return redirect("partner_detail", tenant_slug=request.tenant.slug, pk=partner.pk)  # type: ignore[attr-defined]
    status = 400 if form.errors else 200
    return render_page(request, "partners/partner_form.html", {"form": form, "partner": None}, status=status)

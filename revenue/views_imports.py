"""Import pages (vendor roles): the list of imports, the upload form with each kind's columns and a
template file, and an import's page with its progress bar (polled with htmx while the import runs)
and its errors by row and column."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from prm.csv_export import csv_export_response, csv_safe
from prm.models import VENDOR_ROLES, Membership
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view
from revenue.access import access_import_job_by_id
from revenue.forms_imports import ImportFilterForm, ImportUploadForm
from revenue.models import ImportJob, ImportKind, ImportStatus
from revenue.selectors_imports import (
    import_is_active,
    import_job_list,
    import_kind_docs,
    import_limits,
    import_phase,
    import_progress_percent,
    import_template_rows,
)
from revenue.services_imports import ImportDuplicateError, import_start

ERRORS_PER_PAGE = 50
EXPORT_COLUMNS = [
    "id",
    "kind",
    "file_name",
    "status",
    "total_rows",
    "imported_rows",
    "error_count",
    "created_by",
    "created_at",
    "finished_at",
]
DETAIL_TEMPLATE = "revenue/imports/detail.html"


def membership_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


@tenant_view(roles=VENDOR_ROLES)
def import_list(request: HttpRequest) -> HttpResponse:
    filters = ImportFilterForm(request.GET)
    values = filters.values()
    context = {
        "filters": filters,
        "page": paginate(request, import_job_list(actor=membership_of(request), **values)),
        "filtered": any(values.values()),
        "query": query_string_without_page(request),
    }
    return render_page(request, "revenue/imports/list.html", context, partial="results")


def _export_row(job: ImportJob) -> list[Any]:
    return [
        job.pk,
        job.kind,
        job.file_name,
        job.status,
        job.total_rows,
        job.imported_rows,
        job.error_count,
        job.created_by.email if job.created_by else "",
        job.created_at.isoformat(),
        job.finished_at.isoformat() if job.finished_at else "",
    ]


@tenant_view(roles=VENDOR_ROLES)  # type: ignore[arg-type]  # a streaming response, not an HttpResponse
def import_export(request: HttpRequest) -> StreamingHttpResponse:
    values = ImportFilterForm(request.GET).values()
    rows = import_job_list(actor=membership_of(request), **values)
    return csv_export_response(
        request, rows=rows, columns=EXPORT_COLUMNS, row_values=_export_row, name="imports"
    )


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def import_new(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")}
    )
    earlier = None
    if request.method == "POST" and form.is_valid():
        try:
            job = import_start(
                actor=membership_of(request),
                kind=form.cleaned_data["kind"],
                file_name=form.cleaned_data["file_name"],
                data=form.cleaned_data["data"],
            )
        except ImportDuplicateError as error:
            earlier = error.earlier
            apply_service_errors(form, error)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            _announce(request, job)
            return redirect("import_detail", tenant_slug=request.tenant.slug, pk=job.pk)  # type: ignore[attr-defined]
    selected = form["kind"].value() or ImportKind.CUSTOMERS
    context = {
        "form": form,
        "earlier": earlier,
        "docs": import_kind_docs(),
        "selected": selected,
        **import_limits(),
    }
    return render_page(request, "revenue/imports/new.html", context, status=400 if form.errors else 200)


def _announce(request: HttpRequest, job: ImportJob) -> None:
    if job.status == ImportStatus.SUCCEEDED:
        messages.success(request, f"Imported {job.imported_rows:,} rows from {job.file_name}.")
    elif job.status == ImportStatus.FAILED:
        messages.error(
            request, f"{job.file_name} was not imported: fix the errors below and upload it again."
        )
    else:
        messages.info(
            request, f"Importing {job.total_rows:,} rows in the background; this page shows the progress."
        )


def _job_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    return {
        "job": job,
        "percent": import_progress_percent(job),
        "phase": import_phase(job),
        "active": import_is_active(job),
        "errors_page": paginate(request, job.errors or [], per_page=ERRORS_PER_PAGE),
        "query": query_string_without_page(request),
    }


@tenant_view(roles=VENDOR_ROLES)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_import_job_by_id(actor=membership_of(request), import_job_id=pk)
    return render_page(request, DETAIL_TEMPLATE, _job_context(request, job), partial="job")


@tenant_view(roles=VENDOR_ROLES)
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """What the progress bar polls every second while the import runs: the job panel, which stops
    polling once the import is done (and then shows the errors). Opened directly: the whole page."""
    job = access_import_job_by_id(actor=membership_of(request), import_job_id=pk)
    response = render_page(request, DETAIL_TEMPLATE, _job_context(request, job), partial="job")
    response["Cache-Control"] = "no-store"
    return response


@tenant_view(roles=VENDOR_ROLES)
def import_errors_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The errors kept on the job (the first 1,000) as CSV, to work through in a spreadsheet."""
    job = access_import_job_by_id(actor=membership_of(request), import_job_id=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(["row", "column", "message"])
    for error in job.errors or []:
        writer.writerow(
            [error.get("row") or "", csv_safe(error.get("column")), csv_safe(error.get("message"))]
        )
    return response


@tenant_view(roles=VENDOR_ROLES)
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """A CSV with a kind's columns and one example row, to fill in."""
    if kind not in ImportKind.values:
        raise Http404("No such import kind.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{kind}-import-template-{stamp}.csv"'
    csv.writer(response).writerows(import_template_rows(kind=kind))
    return response

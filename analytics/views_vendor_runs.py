"""Vendor LTV pages about the engine itself: the runs (list, detail, live progress) and the model
quality page (vendor admins: the fitted parameters and how well each model predicted its holdout)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from analytics.access import access_ltv_run_by_id
from analytics.models import LtvRun
from analytics.selectors_vendor import (
    ltv_run_list,
    ltv_run_timing_rows,
    ltv_run_total_seconds,
    segment_fit_current,
    segment_fit_params,
    segment_fit_quality,
    segment_fit_spend_params,
)
from prm.models import VENDOR_ROLES, Membership, Role
from prm.web import paginate, query_string_without_page, render_page, tenant_view

RUN_TEMPLATE = "analytics/vendor/run_detail.html"


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


@tenant_view(roles=VENDOR_ROLES)
def ltv_run_list_page(request: HttpRequest) -> HttpResponse:
    page = paginate(request, ltv_run_list())
    context = {"page": page, "query": query_string_without_page(request)}
    return render_page(request, "analytics/vendor/run_list.html", context, partial="results")


def _run_context(run: LtvRun) -> dict[str, Any]:
    return {
        "run": run,
        "active": run.is_active,
        "timings": ltv_run_timing_rows(run=run),
        "total_seconds": ltv_run_total_seconds(run=run),
        "segments": run.segments if isinstance(run.segments, list) else [],
    }


@tenant_view(roles=VENDOR_ROLES)
def ltv_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_ltv_run_by_id(actor=_actor(request), run_id=pk)
    return render_page(request, RUN_TEMPLATE, _run_context(run), partial="progress")


@tenant_view(roles=VENDOR_ROLES)
def ltv_run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """What the progress bar polls every second while the run is queued or running: the progress
    panel, which stops polling once the run is over. Opened directly: the run's page."""
    run = access_ltv_run_by_id(actor=_actor(request), run_id=pk)
    response = render_page(request, RUN_TEMPLATE, _run_context(run), partial="progress")
    response["Cache-Control"] = "no-store"
    return response


@tenant_view(roles={Role.VENDOR_ADMIN})
def ltv_model_quality(request: HttpRequest) -> HttpResponse:
    fits: list[dict[str, Any]] = []
    charts: dict[str, dict[str, Any]] = {}
    for fit in segment_fit_current():
        quality = segment_fit_quality(fit=fit)
        fits.append(
            {
                "fit": fit,
                "params": segment_fit_params(fit=fit),
                "spend": segment_fit_spend_params(fit=fit),
                "quality": quality,
            }
        )
        if quality is not None:
            charts[f"fit-{fit.pk}"] = quality
    return render_page(request, "analytics/vendor/model_quality.html", {"fits": fits, "charts": charts})

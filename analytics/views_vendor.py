"""Vendor LTV pages: the partner 360 "LTV" tab, the board's LTV badges, the tenant overview with its
partner table, CSV export and "Recompute now" button.

The partners app cannot import us (imports flow analytics -> revenue -> partners), so its pages load
the tab and the badges by URL with htmx; each is also a plain page when opened directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect

from analytics.access import access_partner_ltv_by_partner_id
from analytics.models import PartnerLtv
from analytics.selectors_vendor import (
    DEFAULT_SORT,
    PARTNER_SORTS,
    ltv_run_active,
    ltv_run_recent,
    ltv_run_total_seconds,
    partner_ltv_badges,
    partner_ltv_parts,
    partner_ltv_streams,
    partner_ltv_table,
    partner_ltv_trend,
    tenant_ltv_latest_snapshot,
    tenant_ltv_totals,
    tenant_ltv_trend,
)
from analytics.services_runs import ltv_run_request
from partners.access import access_partner_by_id
from partners.models import Partner
from prm.csv_export import csv_export_response
from prm.models import VENDOR_ROLES, Membership, Role
from prm.web import paginate, query_string_without_page, render_page, tenant_view

OVERVIEW_TEMPLATE = "analytics/vendor/overview.html"
RUN_TEMPLATE = "analytics/vendor/run_detail.html"
SORT_COLUMNS = (("ltv", "LTV"), ("churn_risk", "Churn risk"), ("ltv_cac", "LTV:CAC"))
EXPORT_COLUMNS = (
    "partner",
    "partner_type",
    "ltv",
    "ltv_low",
    "ltv_high",
    "realised",
    "predicted",
    "future",
    "costs",
    "ltv_cac",
    "payback_months",
    "churn_risk",
    "as_of",
)


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _percents(**values: float | None) -> dict[str, float | None]:
    """Shares as percentages for the templates (which have no multiplication)."""
    return {name: None if value is None else value * 100 for name, value in values.items()}


@tenant_view(roles=VENDOR_ROLES)
def partner_tab_ltv(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    ltv = access_partner_ltv_by_partner_id(actor=actor, partner_id=partner.pk)
    context: dict[str, Any] = {"partner": partner, "active_tab": "ltv", "ltv": ltv}
    if ltv is not None:
        context |= {
            "chart": {"parts": partner_ltv_parts(ltv=ltv), "trend": partner_ltv_trend(partner_id=partner.pk)},
            "streams": partner_ltv_streams(ltv=ltv),
            "costs_by_kind": sorted(ltv.costs_by_kind.items()),
            "sourced": ltv.by_kind.get("sourced") or {},
            "influenced": ltv.by_kind.get("influenced") or {},
            "pct": _percents(nrr=ltv.nrr, grr=ltv.grr, churn=ltv.customer_churn, churn_risk=ltv.churn_risk),
        }
    return render_page(request, "analytics/vendor/tab_ltv.html", context, partial="tab")


@dataclass(frozen=True)
class Badge:
    partner_id: int
    ltv: PartnerLtv | None
    name: str


def _parse_ids(raw: str) -> list[int]:
    ids = []
    for part in raw.split(","):
        part = part.strip()
        if part.isdigit():
            ids.append(int(part))
    return list(dict.fromkeys(ids))


@tenant_view(roles=VENDOR_ROLES)
def ltv_board_badges(request: HttpRequest) -> HttpResponse:
    """The board's LTV line of each card, as out-of-band spans in one answer (one query for all).

    `?ids=` names the cards' partners; ids of partners without an LTV (or of no partner of this
    tenant) get "not computed yet", which shows nothing of another tenant."""
    ids = _parse_ids(request.GET.get("ids", ""))
    found = partner_ltv_badges(partner_ids=ids)
    names: dict[int, str] = {}
    htmx = getattr(request, "htmx", None)
    if not htmx:  # the page opened directly lists the partners by name, so it needs their names
        names = dict(Partner.objects.filter(pk__in=list(found)).values_list("pk", "name"))
    badges = [Badge(partner_id=pk, ltv=found.get(pk), name=names.get(pk, "")) for pk in ids]
    context = {"badges": badges, "valued": [badge for badge in badges if badge.ltv is not None]}
    return render_page(request, "analytics/vendor/badges.html", context, partial="badges")


def _overview_context(request: HttpRequest) -> dict[str, Any]:
    search = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort not in PARTNER_SORTS:
        sort = DEFAULT_SORT
    page = paginate(request, partner_ltv_table(search=search, sort=sort))
    return {
        "page": page,
        "search": search,
        "sort": sort,
        "query": query_string_without_page(request),
        "filtered": bool(search),
        "sort_columns": SORT_COLUMNS,
    }


@tenant_view(roles=VENDOR_ROLES)
def ltv_overview(request: HttpRequest) -> HttpResponse:
    """The tenant's LTV: totals, book metrics, trend, the partner table, runs and the refit button.
    htmx asks for the table alone when searching, sorting or paging."""
    context = _overview_context(request)
    htmx = getattr(request, "htmx", None)
    if not (htmx and not htmx.history_restore_request):
        snapshot = tenant_ltv_latest_snapshot()
        runs = ltv_run_recent()
        active = ltv_run_active()
        totals = tenant_ltv_totals(snapshot=snapshot)
        context |= {
            "totals": totals,
            "pct": _percents(
                nrr=totals.nrr if totals else None,
                grr=totals.grr if totals else None,
                churn=totals.customer_churn if totals else None,
            ),
            "trend": tenant_ltv_trend(),
            "runs": [{"run": run, "total_seconds": ltv_run_total_seconds(run=run)} for run in runs],
            "run": active,
            "active": active is not None,
            "can_recompute": _actor(request).is_vendor_admin,
        }
    return render_page(request, OVERVIEW_TEMPLATE, context, partial="results")


def _export_row(row: PartnerLtv) -> list[Any]:
    return [
        row.partner.name,
        row.partner.partner_type,
        row.ltv,
        row.ltv_low,
        row.ltv_high,
        row.realised,
        row.predicted,
        row.future,
        row.costs,
        "" if row.ltv_cac is None else round(row.ltv_cac, 2),
        "" if row.payback_months is None else round(row.payback_months, 1),
        round(row.churn_risk, 3),
        row.as_of.isoformat(),
    ]


@tenant_view(roles=VENDOR_ROLES)  # type: ignore[arg-type]  # a streaming response, not an HttpResponse
def ltv_partner_export(request: HttpRequest) -> StreamingHttpResponse:
    """The overview's partner table (same search and order, every page) as CSV."""
    search = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", DEFAULT_SORT)
    rows = partner_ltv_table(search=search, sort=sort if sort in PARTNER_SORTS else DEFAULT_SORT)
    return csv_export_response(
        request, rows=rows, columns=EXPORT_COLUMNS, row_values=_export_row, name="partner-ltv"
    )


@tenant_view(roles={Role.VENDOR_ADMIN}, methods=("POST",))
def ltv_recompute(request: HttpRequest) -> HttpResponse:
    """Queue a refit of the tenant, or join the one already queued or running; htmx gets the
    progress panel, a plain form post goes back to the overview (which shows the same panel)."""
    run, created = ltv_run_request(actor=_actor(request))
    htmx = getattr(request, "htmx", None)
    if htmx:
        return render_page(request, RUN_TEMPLATE, {"run": run, "active": run.is_active}, partial="progress")
    if created:
        messages.success(request, "LTV recompute queued; this page shows its progress.")
    else:
        messages.info(request, "A recompute is already under way; this page shows its progress.")
    return redirect("ltv_overview", tenant_slug=request.tenant.slug)  # type: ignore[attr-defined]

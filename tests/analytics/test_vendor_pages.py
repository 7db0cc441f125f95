"""The vendor LTV pages: the partner 360 LTV tab, board badges, tenant overview (table, export,
recompute with its progress panel), runs and model quality, rendered from factory rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest

from analytics.models import LtvRun, RunStatus, RunTrigger
from partners.models import Partner, PartnerType, Stage
from prm.tenancy import tenant_context
from tests.analytics.factories import (
    make_fit,
    make_partner_ltv,
    make_run,
    make_snapshots,
    make_tenant_snapshot,
)
from tests.test_query_counts import assert_flat_query_count

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


# --- partner 360 LTV tab ---------------------------------------------------------------------


def test_partner_tab_shows_the_ltv_its_parts_metrics_and_models(world: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_partner_ltv(partner=alpha.p1)
        make_snapshots(partner=alpha.p1, days=3)
    body = _text(world.client("vendor_staff").get(f"/alpha/partners/{alpha.p1.pk}/ltv/"))
    assert 'data-testid="ltv-value">125,000<' in body
    assert "98,000 \u2013 161,000" in body
    assert "Present value at 2024-01-01" in body
    assert 'data-testid="ltv-cac">25.0\u00d7' in body
    assert 'data-testid="ltv-payback">7.0 mo' in body
    assert 'data-testid="ltv-nrr">108.0%' in body
    assert 'data-testid="ltv-grr">91.0%' in body
    assert 'data-testid="ltv-churn">12.0%' in body
    assert 'data-testid="ltv-churn-risk">35%' in body
    assert "No deal registered in 140 days" in body
    assert "<strong>bgnbd</strong> for transactional · segment pooled" in body
    assert "pooled</span>" in body
    # Streams: new 50,000 + 10,000, renewal 30,000 + 30,000; costs by kind; sourced vs influenced.
    assert (
        '<td>New</td><td class="num">50,000</td><td class="num">10,000</td><td class="num">60,000</td>'
        in body
    )
    assert '<dt>Mdf</dt><dd class="num">2,000</dd>' in body
    assert '<td>Influenced</td><td class="num">10,000</td><td class="num">5,000</td>' in body
    # The chart data: parts (costs negative) and a three-point trend with its band.
    assert '"values": [80000.0, 40000.0, 15000.0, -10000.0]' in body
    assert '"dates": ["2026-11-16", "2026-11-23", "2026-11-30"]' in body
    assert '"low": [80000.0, 84000.0, 88000.0]' in body
    assert "js/ltv_charts.js" in body
    # A full page opens with the LTV tab active.
    assert 'data-testid="tab-ltv"' in body and 'aria-current="page"' in body


def test_partner_tab_htmx_gets_the_panel_alone_and_varies(world: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_partner_ltv(partner=alpha.p1)
    response = world.client("vendor_admin").get(f"/alpha/partners/{alpha.p1.pk}/ltv/", headers=HX)
    body = _text(response)
    assert body.lstrip().startswith('<section id="tab-ltv"')
    assert "HX-Request" in response["Vary"]


def test_partner_tab_empty_state_links_admins_to_recompute(world: Any) -> None:
    alpha = world.alpha
    admin_body = _text(world.client("vendor_admin").get(f"/alpha/partners/{alpha.p1.pk}/ltv/"))
    assert "LTV not computed yet" in admin_body
    assert "/alpha/ltv/#recompute" in admin_body
    staff_body = _text(world.client("vendor_staff").get(f"/alpha/partners/{alpha.p1.pk}/ltv/"))
    assert "LTV not computed yet" in staff_body
    assert "/alpha/ltv/#recompute" not in staff_body


def test_partner_tab_is_vendor_only_and_tenant_scoped(world: Any) -> None:
    alpha = world.alpha
    for role in ("partner_admin", "partner_user"):
        assert world.client(role).get(f"/alpha/partners/{alpha.p1.pk}/ltv/").status_code == 403
    bravo_partner = world.bravo.p1.pk
    assert world.client("vendor_admin").get(f"/alpha/partners/{bravo_partner}/ltv/").status_code == 404


def test_partner_page_lists_the_ltv_tab(world: Any) -> None:
    alpha = world.alpha
    body = _text(world.client("vendor_staff").get(f"/alpha/partners/{alpha.p1.pk}/?tab=ltv"))
    assert f'href="/alpha/partners/{alpha.p1.pk}/ltv/"' in body
    assert 'data-testid="tab-ltv"' in body
    assert f'hx-get="/alpha/partners/{alpha.p1.pk}/ltv/"' in body


# --- board badges ----------------------------------------------------------------------------


def test_board_loads_badges_with_one_request_and_a_link_fallback(world: Any) -> None:
    alpha = world.alpha
    body = _text(world.client("vendor_staff").get("/alpha/board/"))
    assert "LTV: — (pending)" not in body
    assert "/alpha/ltv/badges/?ids=" in body
    assert body.count('hx-get="/alpha/ltv/badges/') == 1
    assert f'<span id="ltv-badge-{alpha.p1.pk}"' in body
    assert f'href="/alpha/partners/{alpha.p1.pk}/ltv/"' in body


def test_badges_answer_out_of_band_spans(world: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_partner_ltv(partner=alpha.p1, churn_risk=0.7)
    url = f"/alpha/ltv/badges/?ids={alpha.p1.pk},{alpha.p2.pk},{world.bravo.p1.pk},x,"
    response = world.client("vendor_staff").get(url, headers=HX)
    body = _text(response)
    assert "HX-Request" in response["Vary"]
    assert f'<span id="ltv-badge-{alpha.p1.pk}" hx-swap-oob="true"' in body
    assert ">125,000</a>" in body and "churn risk" in body
    assert (
        f'<span id="ltv-badge-{alpha.p2.pk}" hx-swap-oob="true" '
        f'data-testid="ltv-badge-{alpha.p2.pk}">LTV: not computed yet' in body
    )
    assert "<html" not in body
    # Opened directly it is a page listing the valued partners.
    page = _text(world.client("vendor_staff").get(url))
    assert alpha.p1.name in page and "<html" in page
    empty = _text(world.client("vendor_staff").get(f"/alpha/ltv/badges/?ids={alpha.p2.pk}"))
    assert "None of these partners has an LTV yet" in empty


def _add_partners_with_ltv(world: Any, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        for i in range(n):
            partner = Partner.objects.create(
                name=f"Valued {n}-{i}", partner_type=PartnerType.SERVICES, stage=Stage.SELL
            )
            make_partner_ltv(partner=partner, ltv=Decimal(1000 + i))


def test_badges_cost_the_same_queries_for_10_and_100_partners(world: Any) -> None:
    def url_for_all() -> str:
        with tenant_context(world.alpha.tenant):
            ids = ",".join(str(pk) for pk in Partner.objects.values_list("pk", flat=True))
        return f"/alpha/ltv/badges/?ids={ids}"

    from tests.test_query_counts import count_queries

    _add_partners_with_ltv(world, 10)
    with_ten = count_queries(world, "vendor_staff", url_for_all(), hx=True)
    _add_partners_with_ltv(world, 90)
    with_hundred = count_queries(world, "vendor_staff", url_for_all(), hx=True)
    assert with_ten == with_hundred


def test_board_costs_the_same_queries_with_badge_hooks(world: Any) -> None:
    assert_flat_query_count(
        world, name="partner_board", role="vendor_staff", url="/alpha/board/", add_rows=_add_partners_with_ltv
    )


# --- overview --------------------------------------------------------------------------------


def test_overview_shows_totals_metrics_trend_table_and_runs(world: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        run = make_run()
        make_tenant_snapshot(taken_on=dt.date(2026, 11, 23), ltv=Decimal("1400000"))
        make_tenant_snapshot()
        make_partner_ltv(partner=alpha.p1, run=run)
        make_partner_ltv(partner=alpha.p2, run=run, ltv=Decimal("50000"), ltv_cac=None, churn_risk=0.8)
    body = _text(world.client("vendor_staff").get("/alpha/ltv/"))
    assert 'data-testid="ltv-total">1,500,000<' in body
    assert "1,300,000 \u2013 1,750,000" in body
    assert 'data-testid="ltv-total-future">250,000<' in body
    assert 'data-testid="ltv-tenant-nrr">104.0%' in body
    assert 'data-testid="ltv-tenant-grr">90.0%' in body
    assert 'data-testid="ltv-tenant-churn">11.0%' in body
    assert '"dates": ["2026-11-23", "2026-11-30"]' in body
    assert body.index(alpha.p1.name) < body.index(alpha.p2.name)  # sorted by LTV, highest first
    assert '<span class="badge badge-danger">80%</span>' in body
    # Latest runs: status, timing total 0.5 + 1.2 + 0.8 + 0.4, which model served which segment.
    assert f"#{run.pk}" in body and "2.90" in body
    assert "transactional/pooled: <strong>bgnbd</strong>" in body
    # Staff see no recompute button.
    assert "ltv-recompute-button" not in body


def test_overview_empty_state(world: Any) -> None:
    body = _text(world.client("vendor_admin").get("/alpha/ltv/"))
    assert "LTV not computed yet" in body
    assert "No partner LTV yet" in body
    assert "No LTV run yet" in body
    assert "ltv-recompute-button" in body


def test_overview_without_tenant_snapshot_sums_the_partner_rows(world: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_partner_ltv(partner=alpha.p1)
        make_partner_ltv(partner=alpha.p2)
    body = _text(world.client("vendor_staff").get("/alpha/ltv/"))
    assert 'data-testid="ltv-total">250,000<' in body
    assert "196,000 \u2013 322,000" in body
    assert "no tenant snapshot yet" in body


def test_overview_table_searches_sorts_and_swaps_alone(world: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_partner_ltv(partner=alpha.p1, ltv=Decimal("10"), churn_risk=0.9, ltv_cac=1.0)
        make_partner_ltv(partner=alpha.p2, ltv=Decimal("20"), churn_risk=0.1, ltv_cac=None)
    client = world.client("vendor_staff")
    body = _text(client.get("/alpha/ltv/?sort=-churn_risk"))
    assert body.index(f"ltv-row-{alpha.p1.pk}") < body.index(f"ltv-row-{alpha.p2.pk}")
    body = _text(client.get("/alpha/ltv/?sort=ltv"))
    assert body.index(f"ltv-row-{alpha.p1.pk}") < body.index(f"ltv-row-{alpha.p2.pk}")
    body = _text(client.get("/alpha/ltv/?sort=-ltv_cac"))  # unknown LTV:CAC sorts last
    assert body.index(f"ltv-row-{alpha.p1.pk}") < body.index(f"ltv-row-{alpha.p2.pk}")
    response = client.get("/alpha/ltv/?q=two", headers=HX)
    body = _text(response)
    assert body.lstrip().startswith('<div id="results">')
    assert f"ltv-row-{alpha.p2.pk}" in body and f"ltv-row-{alpha.p1.pk}" not in body
    assert "HX-Request" in response["Vary"]
    assert "No partner matches" in _text(client.get("/alpha/ltv/?q=nobody-has-this-name"))


def test_overview_paginates(world: Any) -> None:
    _add_partners_with_ltv(world, 30)
    body = _text(world.client("vendor_staff").get("/alpha/ltv/?page=2"))
    assert "Page 2 of 2 · 30 in all" in body


def test_overview_costs_the_same_queries_for_10_and_100_partners(world: Any) -> None:
    with tenant_context(world.alpha.tenant):
        make_tenant_snapshot()
        make_run()
    assert_flat_query_count(
        world, name="ltv_overview", role="vendor_staff", url="/alpha/ltv/", add_rows=_add_partners_with_ltv
    )


def test_export_has_the_table_rows(world: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_partner_ltv(partner=alpha.p1)
        make_partner_ltv(partner=alpha.p2, ltv=Decimal("5"))
    response = world.client("vendor_staff").get("/alpha/ltv/export.csv?q=one")
    assert response.status_code == 200
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("partner,partner_type,ltv,ltv_low,ltv_high")
    assert len(lines) == 2
    assert lines[1].startswith(f"{alpha.p1.name},reseller,125000.00,98000.00,161000.00")
    assert lines[1].endswith(",25.0,7.0,0.35,2026-11-30")


# --- recompute -------------------------------------------------------------------------------


def test_recompute_creates_a_run_then_joins_it(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = world.client("vendor_admin")
    with mock.patch("analytics.tasks.ltv_refit_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/alpha/ltv/recompute/")
        assert response.status_code == 302 and response["Location"] == "/alpha/ltv/"
        with tenant_context(world.alpha.tenant):
            run = LtvRun.objects.get()
        assert (run.status, run.trigger) == (RunStatus.QUEUED, RunTrigger.MANUAL)
        delay.assert_called_once_with(tenant_id=world.alpha.tenant.pk, run_id=run.pk)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/alpha/ltv/recompute/", headers=HX)
        body = _text(response)
        assert delay.call_count == 1  # joined, not queued again
    with tenant_context(world.alpha.tenant):
        assert LtvRun.objects.count() == 1
    # The htmx answer is the progress panel, polling while the run is queued.
    assert body.lstrip().startswith('<div id="ltv-run-progress"')
    assert f'hx-get="/alpha/ltv/runs/{run.pk}/progress/" hx-trigger="every 1s"' in body
    assert "Waiting for a worker" in body
    assert f'href="/alpha/ltv/runs/{run.pk}/"' in body  # reload link without JavaScript
    overview = _text(client.get("/alpha/ltv/"))
    assert 'hx-trigger="every 1s"' in overview and 'data-testid="ltv-run-percent">0%' in overview


def test_staff_post_is_refused_and_creates_nothing(world: Any) -> None:
    response = world.client("vendor_staff").post("/alpha/ltv/recompute/")
    assert response.status_code == 403
    with tenant_context(world.alpha.tenant):
        assert not LtvRun.objects.exists()


def test_progress_stops_polling_once_the_run_is_over(world: Any) -> None:
    with tenant_context(world.alpha.tenant):
        running = make_run(
            status=RunStatus.RUNNING, progress=40, step="Fitting type:reseller", finished_at=None
        )
    client = world.client("vendor_staff")
    response = client.get(f"/alpha/ltv/runs/{running.pk}/progress/", headers=HX)
    body = _text(response)
    assert 'hx-trigger="every 1s"' in body and 'data-testid="ltv-run-percent">40%' in body
    assert "Fitting type:reseller" in body
    assert response["Cache-Control"] == "no-store" and "HX-Request" in response["Vary"]
    with tenant_context(world.alpha.tenant):
        LtvRun.objects.filter(pk=running.pk).update(status=RunStatus.SUCCEEDED, progress=100, step="Done")
    body = _text(client.get(f"/alpha/ltv/runs/{running.pk}/progress/", headers=HX))
    assert "every 1s" not in body and "100%" in body and "See the new figures" in body


# --- runs and model quality ------------------------------------------------------------------


def test_run_list_and_detail(world: Any) -> None:
    with tenant_context(world.alpha.tenant):
        run = make_run()
        failed = make_run(status=RunStatus.FAILED, error="Worker lost twice", kind="recompute")
    client = world.client("vendor_staff")
    body = _text(client.get("/alpha/ltv/runs/"))
    assert f"/alpha/ltv/runs/{run.pk}/" in body and f"/alpha/ltv/runs/{failed.pk}/" in body
    body = _text(client.get(f"/alpha/ltv/runs/{run.pk}/"))
    assert '<td>fit</td><td class="num">1.20</td><td class="num">41%</td>' in body
    assert 'data-testid="ltv-run-total">2.90<' in body
    assert "every partner type has fewer than 200 customers" in body
    assert "every 1s" not in body
    assert "Worker lost twice" in _text(client.get(f"/alpha/ltv/runs/{failed.pk}/"))


def test_run_list_empty_and_run_of_another_tenant(world: Any) -> None:
    assert "No LTV runs yet" in _text(world.client("vendor_staff").get("/alpha/ltv/runs/"))
    with tenant_context(world.bravo.tenant):
        other = make_run()
    assert world.client("vendor_admin").get(f"/alpha/ltv/runs/{other.pk}/").status_code == 404


def test_model_quality_shows_current_fits_with_holdout_error(world: Any) -> None:
    with tenant_context(world.alpha.tenant):
        run = make_run()
        old = make_fit(run=run, is_current=False, model="pareto_nbd")
        fit = make_fit(run=run)
    body = _text(world.client("vendor_admin").get("/alpha/ltv/models/"))
    assert f'data-testid="fit-{fit.pk}-model">bgnbd' in body
    assert f'data-testid="fit-{old.pk}' not in body
    assert f'data-testid="fit-{fit.pk}-ll">-9582.4' in body
    assert '<td>alpha</td><td class="num">4.4100</td><td class="num">0.2000</td>' in body
    assert '<td>gamma</td><td class="num">15.4400</td><td class="num">—</td>' in body
    assert f'data-testid="fit-{fit.pk}-error">-3.2%' in body  # (30 - 31) / 31
    assert "calibration ends 2026-06-01" in body
    assert f'"fit-{fit.pk}": {{"weeks": [0, 4, 8, 12]' in body


def test_model_quality_empty_and_admin_only(world: Any) -> None:
    assert "No model fitted yet" in _text(world.client("vendor_admin").get("/alpha/ltv/models/"))
    assert world.client("vendor_staff").get("/alpha/ltv/models/").status_code == 403


def test_nav_links_the_overview_for_vendor_roles(world: Any) -> None:
    body = _text(world.client("vendor_staff").get("/alpha/ltv/runs/"))
    assert 'data-testid="nav-ltv"' in body
    assert 'data-testid="nav-ltv"' not in _text(world.client("partner_admin").get("/alpha/portal/profile/"))

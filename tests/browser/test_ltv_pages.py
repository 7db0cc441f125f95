"""The vendor LTV pages in a real browser on the demo data plus LTV result rows from the factories (the
engine is not run): the admin opens the overview (totals, trend chart, partner table, search), starts a
recompute and watches its progress bar move and stop, opens a partner's LTV tab from the 360 page
(charts drawn) and sees the real LTV on the board cards. Screenshots: ltv-overview.png,
ltv-partner-tab.png, ltv-overview-phone.png, ltv-portal.png. The partner opens its own LTV in the portal
(trend drawn) and its health page (charts drawn); the 360 page's health and LTV tabs, swapped in by htmx,
draw their charts with Chart.js loaded once."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from analytics.models import (
    LtvRun,
    PartnerLtv,
    PartnerLtvSnapshot,
    RunStatus,
    SegmentFit,
    TenantLtvSnapshot,
)
from partners.models import Partner
from prm.models import Tenant
from prm.tenancy import tenant_context
from tests.analytics.factories import (
    make_fit,
    make_partner_ltv,
    make_run,
    make_snapshots,
    make_tenant_snapshot,
)
from tests.browser.conftest import DESKTOP, PHONE, BrowserErrors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _seed_results() -> tuple[Tenant, Partner]:
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        # Whatever the demo computed gives way to known figures the assertions can name.
        for model in (PartnerLtv, PartnerLtvSnapshot, TenantLtvSnapshot, SegmentFit, LtvRun):
            model.objects.all().delete()
        run = make_run()
        make_fit(run=run)
        make_tenant_snapshot(taken_on=dt.date(2026, 11, 16), ltv=Decimal("1350000"))
        make_tenant_snapshot(taken_on=dt.date(2026, 11, 23), ltv=Decimal("1420000"))
        make_tenant_snapshot()
        partners = list(Partner.objects.order_by("pk")[:3])
        for index, partner in enumerate(partners):
            make_partner_ltv(partner=partner, run=run, ltv=Decimal(125000 - 10000 * index))
        make_snapshots(partner=partners[0], days=6)
    return tenant, partners[0]


def test_admin_reads_ltv_recomputes_and_opens_a_partner(
    page: Page, live_server: LiveServer, demo_world: None, browser_errors: BrowserErrors, screenshot_dir: Path
) -> None:
    tenant, partner = _seed_results()
    base = f"{live_server.url}/acme"
    log_in(page, live_server, "admin@acme.example")

    # The overview: totals with their interval, the trend chart drawn, the partner table.
    page.get_by_test_id("nav-ltv").click()
    expect(page).to_have_url(f"{base}/ltv/")
    expect(page.get_by_test_id("ltv-total")).to_have_text("1,500,000")
    expect(page.get_by_test_id("ltv-total-interval")).to_have_text("1,300,000 \u2013 1,750,000")
    expect(page.locator("canvas[data-kind=trend][data-drawn]")).to_have_count(1)
    expect(page.get_by_test_id(f"ltv-row-{partner.pk}")).to_contain_text("125,000")
    page.screenshot(path=screenshot_dir / "ltv-overview.png", full_page=True)

    # Searching swaps the table alone.
    page.get_by_label("Search partner name").fill(partner.name[:8])
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.get_by_test_id(f"ltv-row-{partner.pk}")).to_be_visible()

    # Recompute now: the progress panel polls while the run is queued or running, then stops.
    panel = page.get_by_test_id("ltv-run-progress")
    with mock.patch("analytics.tasks.ltv_refit_task.delay") as delay:
        page.get_by_test_id("ltv-recompute-button").click()
        expect(panel.get_by_test_id("ltv-run-status")).to_have_text("Queued")
        delay.assert_called_once()
    with tenant_context(tenant):
        run = LtvRun.objects.get(status=RunStatus.QUEUED)
        LtvRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=55, step="Fitting pooled")
    expect(panel.get_by_test_id("ltv-run-percent")).to_have_text("55%")
    expect(panel.get_by_test_id("ltv-run-step")).to_have_text("Fitting pooled")
    with tenant_context(tenant):
        LtvRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED, progress=100, step="Done")
    expect(panel.get_by_test_id("ltv-run-status")).to_have_text("Succeeded")
    expect(page.locator("#ltv-run-progress[hx-trigger]")).to_have_count(0)

    # The partner 360 page: the LTV tab loads lazily with both charts drawn.
    page.goto(f"{base}/partners/{partner.pk}/")
    page.get_by_test_id("tab-ltv").click()
    expect(page.get_by_test_id("ltv-value")).to_have_text("125,000")
    expect(page.get_by_test_id("ltv-interval")).to_have_text("98,000 \u2013 161,000")
    expect(page.get_by_test_id("ltv-churn-reasons")).to_contain_text("No deal registered in 140 days")
    expect(page.locator("#tab-ltv canvas[data-drawn]")).to_have_count(2)
    expect(page).to_have_url(f"{base}/partners/{partner.pk}/ltv/")
    page.screenshot(path=screenshot_dir / "ltv-partner-tab.png", full_page=True)

    # The board shows the real LTV on the cards, filled by one request.
    page.goto(f"{base}/board/")
    expect(page.get_by_test_id(f"ltv-badge-{partner.pk}")).to_contain_text("LTV: 125,000")

    # At phone width the overview fits: wide tables scroll inside their frame.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/ltv/")
    expect(page.get_by_test_id("ltv-total")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=screenshot_dir / "ltv-overview-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    browser_errors.assert_none()


def test_partner_sees_its_own_ltv_trend_and_health_charts_drawn_in_the_portal(
    page: Page, live_server: LiveServer, demo_world: None, browser_errors: BrowserErrors, screenshot_dir: Path
) -> None:
    """The demo's own LTV history (computed when it was seeded) in the portal, and the health page,
    both drawn through charts.js: one loader of Chart.js for every chart family."""
    log_in(page, live_server, "lead@fairwayit.example")
    page.get_by_test_id("nav-our-ltv").click()
    expect(page).to_have_url(f"{live_server.url}/acme/portal/ltv/")
    expect(page.locator("canvas[data-kind=trend][data-drawn]")).to_have_count(1)
    assert page.evaluate("document.querySelectorAll('script[data-chartjs-loader]').length") == 1
    page.screenshot(path=screenshot_dir / "ltv-portal.png", full_page=True)

    page.goto(f"{live_server.url}/acme/portal/health/")
    expect(page.locator("canvas[data-health-chart]:not([data-drawn])")).to_have_count(0)
    assert page.locator("canvas[data-health-chart][data-drawn]").count() >= 1
    browser_errors.assert_none()


def test_charts_of_both_families_draw_in_tabs_swapped_in_by_htmx(
    page: Page, live_server: LiveServer, demo_world: None, browser_errors: BrowserErrors
) -> None:
    """The partner 360 page swaps its tabs in with htmx, scripts and all: the health tab and then the
    LTV tab each get their charts drawn, and Chart.js is loaded once."""
    with tenant_context(Tenant.objects.get(slug="acme")):
        partner = Partner.objects.get(name="Fairway Managed IT")
    log_in(page, live_server, "admin@acme.example")
    page.goto(f"{live_server.url}/acme/partners/{partner.pk}/")
    page.get_by_test_id("tab-health").click()
    expect(page.locator("#tab-panel canvas[data-health-chart][data-drawn]").first).to_be_visible()
    expect(page.locator("#tab-panel canvas[data-health-chart]:not([data-drawn])")).to_have_count(0)
    page.get_by_test_id("tab-ltv").click()
    expect(page.locator("#tab-ltv canvas[data-drawn]")).to_have_count(2)
    assert page.evaluate("document.querySelectorAll('script[data-chartjs-loader]').length") == 1
    browser_errors.assert_none()

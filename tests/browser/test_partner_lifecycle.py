"""A channel manager takes a prospect from Recruit to an active partner, in the browser:
create and qualify the prospect, convert it (onboarding starts with its checklist), work the
checklist, bring in the partner's first person, record a certification (Enable), move it through
the lifecycle and make it active. Screenshots of the board, the directory and the partner 360 page
land in test-output/screenshots."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from partners.models import ChecklistItem, Partner, PartnerStatus, Stage, StageChange, TrainingCompletion
from prm.models import Tenant
from prm.tenancy import tenant_context
from tests.browser.conftest import BrowserErrors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

NAME = "Harbor Light Integrators"


def open_tab(page: Page, label: str, marker: str) -> None:
    """Click a 360 tab and wait until the panel the click loads (identified by `marker`) is in.

    The panel on screen is marked stale first: the page's own lazy load may already show the same
    tab (Profile is the default), and the click's swap replaces it, filled-in fields and all."""
    page.evaluate("document.getElementById('tab-panel').setAttribute('data-stale', '')")
    page.get_by_test_id("partner-tabs").get_by_role("link", name=label, exact=True).click()
    expect(page.locator(f"#tab-panel:not([data-stale]) {marker}").first).to_be_visible()


def test_staff_takes_a_prospect_to_an_active_partner(
    page: Page, live_server: LiveServer, demo_world: None, browser_errors: BrowserErrors, screenshot_dir: Path
) -> None:
    base = f"{live_server.url}/acme"
    log_in(page, live_server, "staff@acme.example")
    expect(page).to_have_url(f"{base}/")

    # Recruit: a new prospect, scored against the program's ideal profile, then qualified.
    page.goto(f"{base}/prospects/new/")
    page.fill("#id_name", NAME)
    page.select_option("#id_partner_type", "services")
    page.fill("#id_website_domain", "https://www.harborlight.example/about")
    page.fill("#id_country", "US")
    page.fill("#id_employees", "120")
    page.fill("#id_capabilities", "cloud migration, managed services")
    page.click("form[data-testid=prospect-form] button[type=submit], form.form button[type=submit]")
    expect(page.locator("h1")).to_contain_text(NAME)
    page.select_option("form[data-testid=status-form] select[name=status]", "qualified")
    page.fill("form[data-testid=status-form] [name=reason]", "Strong fit after the discovery call")
    page.click("form[data-testid=status-form] button[type=submit]")

    # Onboard: conversion creates the partner at Onboard and starts its checklist.
    page.get_by_test_id("convert").click()
    expect(page).to_have_url(re.compile(rf"{base}/partners/\d+/$"))
    partner_url = page.url
    expect(page.locator("h1")).to_contain_text(NAME)
    open_tab(page, "Checklist", "#checklist-tab")
    done_buttons = page.locator("#checklist-tab button", has_text="Mark done")
    steps = done_buttons.count()
    assert steps > 0, "conversion should have started the onboarding checklist"
    for done in range(1, steps + 1):
        done_buttons.first.click()  # each click swaps the checklist through htmx
        expect(done_buttons).to_have_count(steps - done)

    # The partner's first person, invited by the channel manager.
    page.goto(f"{base}/members/invite/")
    page.fill("#id_email", "lead@harborlight.example")
    page.fill("#id_full_name", "Hana Harbor")
    page.select_option("#id_role", "partner_admin")
    page.select_option("#id_partner", label=NAME)
    page.click("form.form button[type=submit]")
    expect(page.locator(".message-success")).to_contain_text("lead@harborlight.example")

    # Enable: a certification recorded for that person.
    page.goto(partner_url)
    open_tab(page, "Trainings", "[data-testid=completion-form]")
    form = page.get_by_test_id("completion-form")
    person = form.locator("select[name=person] option", has_text=re.compile("Hana Harbor|lead@harborlight"))
    form.locator("select[name=person]").select_option(person.get_attribute("value"))
    training = form.locator("select[name=training] option", has_text="Acme Certified Administrator")
    form.locator("select[name=training]").select_option(training.get_attribute("value"))
    form.locator("input[name=completed_on]").fill(date.today().isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("Acme Certified Administrator")

    # Through the lifecycle to Sell, and active.
    for stage, reason in (("enable", "Onboarding checklist complete"), ("sell", "Certified administrator")):
        page.goto(partner_url)
        open_tab(page, "Stage history", "[data-testid=stage-move-form]")
        form = page.get_by_test_id("stage-move-form")
        form.locator("select[name=to_stage]").select_option(stage)
        form.locator("[name=reason]").fill(reason)
        # Wait for the answer: the next goto would otherwise cut the POST short.
        with page.expect_response(lambda response: response.request.method == "POST"):
            form.locator("button[type=submit]").click()
    page.goto(partner_url)
    open_tab(page, "Profile", "[data-testid=status-form]")
    status_form = page.get_by_test_id("status-form")
    status_form.locator("select[name=status]").select_option("active")
    status_form.locator("[name=reason]").fill("Ready to sell")
    with page.expect_response(lambda response: response.request.method == "POST"):
        status_form.locator("button[type=submit]").click()
    page.goto(partner_url)
    expect(page.locator("body")).to_contain_text("Active")
    page.screenshot(path=screenshot_dir / "lifecycle-partner-360.png", full_page=True)

    page.goto(f"{base}/partners/?q=Harbor")
    expect(page.locator("#results")).to_contain_text(NAME)
    page.screenshot(path=screenshot_dir / "lifecycle-directory.png", full_page=True)
    page.goto(f"{base}/board/")
    expect(page.locator("body")).to_contain_text(NAME)
    page.screenshot(path=screenshot_dir / "lifecycle-board.png", full_page=True)
    browser_errors.assert_none()

    # What the pages claimed is what the database holds.
    with tenant_context(Tenant.objects.get(slug="acme")):
        partner = Partner.objects.get(name=NAME)
        assert (partner.status, partner.stage, partner.website_domain) == (
            PartnerStatus.ACTIVE,
            Stage.SELL,
            "harborlight.example",
        )
        assert not ChecklistItem.objects.filter(partner=partner, completed_at__isnull=True).exists()
        assert TrainingCompletion.objects.filter(partner=partner).count() == 1
        moves = list(
            StageChange.objects.filter(partner=partner)
            .order_by("created_at", "id")
            .values_list("to_stage", flat=True)
        )
        assert moves == [Stage.ONBOARD, Stage.ENABLE, Stage.SELL]

"""The core pages in a real browser on the demo data: a board move swaps only the board, the partner
360 tabs load lazily and keep real URLs, the directory filters as you type. Screenshots land in
test-output/screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import PHONE, BrowserErrors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_board_move_swaps_the_board_and_joins_the_history(
    page: Page,
    live_server: LiveServer,
    demo_world: None,
    screenshot_dir: Path,
    browser_errors: BrowserErrors,
) -> None:
    log_in(page, live_server, "staff@acme.example")
    page.goto(f"{live_server.url}/acme/board/?type=reseller")
    page.wait_for_function("typeof htmx !== 'undefined'")
    card = page.locator("#board tr").first
    name = card.locator("strong").inner_text()
    forward = card.locator("button[name=to_stage]").last
    target = forward.get_attribute("value")
    forward.click()
    expect(page.get_by_text(f"Moved {name} to")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/acme/board/?type=reseller")
    expect(page.locator(f"[data-testid=column-{target}]")).to_contain_text(name)
    expect(page.locator("#board")).not_to_contain_text("Referral ·")  # the type filter survived the swap
    page.screenshot(path=screenshot_dir / "core-board.png", full_page=True)

    page.locator(f"[data-testid=column-{target}]").get_by_role("link", name=name).click()
    expect(page.locator("[data-testid=panel-profile]")).to_be_visible()  # loaded lazily into the panel
    page.locator("[data-testid=tab-stages]").click()
    expect(page.locator("[data-testid=panel-stages]")).to_be_visible()
    expect(page).to_have_url(re.compile(r".*/acme/partners/\d+/stages/$"))
    expect(page.locator("[data-testid=tab-stages]")).to_have_attribute("aria-current", "page")
    expect(page.locator("[data-testid=stage-history]")).to_contain_text("Moved on the board")
    page.screenshot(path=screenshot_dir / "core-partner-stages.png", full_page=True)
    browser_errors.assert_none()


def test_directory_filters_as_you_type_at_phone_width(
    page: Page,
    live_server: LiveServer,
    demo_world: None,
    screenshot_dir: Path,
    browser_errors: BrowserErrors,
) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "admin@acme.example")
    page.goto(f"{live_server.url}/acme/partners/")
    page.wait_for_function("typeof htmx !== 'undefined'")
    expect(page.locator("[data-testid=partner-table] tbody tr")).to_have_count(25)
    page.get_by_label("Search").fill("northwind")
    expect(page.locator("[data-testid=partner-table] tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r".*q=northwind.*"))
    expect(page.locator("[data-testid=partner-table]")).to_contain_text("Northwind Solutions")
    page.screenshot(path=screenshot_dir / "core-directory-phone.png", full_page=True)
    browser_errors.assert_none()

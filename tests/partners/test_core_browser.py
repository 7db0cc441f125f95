"""The core pages in a real browser on the demo data: a board move swaps only the board, the partner
360 tabs load lazily and keep real URLs, the directory filters as you type. Screenshots land in
test-output/screenshots."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

# The browser fixtures live with the platform's browser tests; importing them makes them usable here.
from tests.browser.conftest import (  # noqa: F401
    PHONE,
    BrowserErrors,
    browser,
    browser_errors,
    page,
    playwright_session,
    screenshot_dir,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def demo_world() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def log_in(page: Page, live_server: LiveServer, email: str) -> None:  # noqa: F811  (`page` is the fixture)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("demo-pass-2026")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/acme/.*"))


def test_board_move_swaps_the_board_and_joins_the_history(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    demo_world: None,
    screenshot_dir: Path,  # noqa: F811
    browser_errors: BrowserErrors,  # noqa: F811
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
    page: Page,  # noqa: F811
    live_server: LiveServer,
    demo_world: None,
    screenshot_dir: Path,  # noqa: F811
    browser_errors: BrowserErrors,  # noqa: F811
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

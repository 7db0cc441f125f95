"""A channel manager works the ledgers in the browser: adds a customer, records a revenue row with the
tenant's default margin (the form says which applies), reverses it, gives a partner sourced credit,
and sees the in-place error when a second partner's credit would take the sourced weight above 1.
Screenshots ledger-revenue.png and ledger-attribution-error.png land in test-output/screenshots."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from revenue.models import Attribution, Customer, RevenueEntry
from tests.browser.conftest import DESKTOP, PHONE, BrowserErrors, log_in
from tests.conftest import unscoped

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

NAME = "Lighthouse Analytics"


def test_staff_records_reverses_and_credits_revenue(
    page: Page, live_server: LiveServer, demo_world: None, browser_errors: BrowserErrors, screenshot_dir: Path
) -> None:
    base = f"{live_server.url}/acme"
    log_in(page, live_server, "staff@acme.example")

    # A new customer; the website is kept as its normalised domain.
    page.goto(f"{base}/customers/new/")
    page.fill("#id_name", NAME)
    page.fill("#id_domain", "https://www.Lighthouse-Analytics.example/contact")
    page.fill("#id_country", "nl")
    page.get_by_test_id("customer-form").get_by_role("button", name="Add customer").click()
    expect(page).to_have_url(re.compile(rf"{base}/customers/\d+/$"))
    expect(page.locator("h1")).to_have_text(NAME)
    customer_url = page.url
    customer = unscoped(Customer).get(name=NAME)
    assert customer.domain == "lighthouse-analytics.example"

    # A revenue row with a blank margin: the page says which default applies before it is saved.
    page.get_by_role("link", name="Record revenue").click()
    expect(page.locator("#id_customer")).to_have_value(str(customer.pk))
    page.fill("#id_occurred_on", "2026-01-15")
    page.fill("#id_amount", "4800.00")
    page.select_option("#id_stream", "services")
    expect(page.get_by_test_id("margin-hint")).to_contain_text("Services: 35%")
    page.get_by_test_id("revenue-form").get_by_role("button", name="Record revenue").click()
    expect(page).to_have_url(re.compile(rf"{base}/revenue/\d+/$"))
    expect(page.locator(".message-success")).to_contain_text("the default for the stream")
    expect(page.get_by_test_id("margin")).to_contain_text("35%")
    entry = unscoped(RevenueEntry).get(customer=customer)
    assert (entry.margin, entry.margin_is_default) == (Decimal("0.35"), True)

    # The row cannot be edited, only reversed.
    page.get_by_label("Reason").fill("Invoice was issued twice")
    page.get_by_role("button", name="Reverse this row").click()
    expect(page.get_by_test_id("reversed-by")).to_be_visible()
    expect(page.get_by_test_id("reverse-form")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "ledger-revenue.png", full_page=True)
    reversal = unscoped(RevenueEntry).get(reverses=entry)
    assert reversal.amount == Decimal("-4800.00")

    # At phone width the ledger fits: wide tables scroll inside their frame, the page does not.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/revenue/?q=lighthouse")
    expect(page.get_by_test_id("total-amount")).to_have_text("0.00")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=screenshot_dir / "ledger-revenue-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    # Sourced credit for one partner, then a second partner's that would take the total above 1.
    page.goto(customer_url)
    page.get_by_role("link", name="Add credit").first.click()
    form = page.get_by_test_id("attribution-form")
    expect(form.locator("#id_customer")).to_have_value(str(customer.pk))
    form.locator("#id_partner").select_option(index=1)
    form.locator("#id_weight").fill("0.6")
    form.locator("#id_reason").fill("Introduced us at the partner summit")
    form.get_by_role("button", name="Add credit").click()
    expect(page).to_have_url(re.compile(rf"{base}/attributions/\d+/$"))
    expect(page.locator(".message-success")).to_contain_text(NAME)

    page.goto(f"{base}/attributions/new/?customer={customer.pk}")
    form = page.get_by_test_id("attribution-form")
    form.locator("#id_partner").select_option(index=2)
    form.locator("#id_weight").fill("0.6")
    form.locator("#id_reason").fill("Also claims the introduction")
    # The refused form answers 400, which Chromium logs as a failed load: that is this step's point.
    browser_errors.expected.append(f"status of 400 (Bad Request) (at {base}/attributions/new/)")
    form.get_by_role("button", name="Add credit").click()
    weight_row = page.locator(".form-row").filter(has=page.locator("#id_weight"))
    expect(weight_row).to_have_class(re.compile(r"\bhas-error\b"))
    expect(weight_row.locator("ul.errorlist")).to_contain_text("would exceed 1")
    expect(weight_row.locator("ul.errorlist")).to_contain_text("at most 0.4")
    expect(page.locator("#id_reason")).to_have_value("Also claims the introduction")
    page.screenshot(path=screenshot_dir / "ledger-attribution-error.png", full_page=True)
    browser_errors.expected.clear()
    assert unscoped(Attribution).filter(customer=customer).count() == 1
    browser_errors.assert_none()

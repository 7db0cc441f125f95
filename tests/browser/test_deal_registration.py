"""The deal registration flow of issue 4's "done when", in a real browser:

partner A holds an approved registration for Initech; partner B registers Initech and sees the live
duplicate warning while typing; staff see the conflict evidence side by side in the approval queue,
resolve it for B with a reason, approve B's deal inline and mark it won; the revenue row and B's
attribution appear on the deal page and in the database, and A's deal history carries the reason.

The test builds its own small tenant (no demo seed), so it depends on nothing but the deal pages.
Screenshots: deal-duplicate-warning.png, deal-conflict.png, deal-queue.png, deal-won.png, and at phone
width (where every deal page must fit without sideways scrolling) deal-queue-phone.png and
deal-register-phone.png.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from partners.models import Partner, PartnerType, Stage
from prm.models import Membership, Role, Tenant, User
from prm.tenancy import tenant_context
from revenue.models import (
    Attribution,
    AttributionKind,
    ConflictCase,
    ConflictStatus,
    Deal,
    DealEvent,
    DealStatus,
    RevenueEntry,
)
from revenue.services_deals import deal_approve, deal_create
from tests.browser.conftest import DEMO_PASSWORD, PHONE, BrowserErrors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SLUG = "dealflow"
REASON = "Initech's CIO confirmed the later registrant ran the whole evaluation"


def build_world() -> dict[str, int]:
    """A tenant with two partners and their people; partner A already holds Initech (approved)."""
    tenant = Tenant.objects.create(slug=SLUG, name="Dealflow Software")
    with tenant_context(tenant):
        partner_a = Partner.objects.create(
            name="Acorn Resellers", partner_type=PartnerType.RESELLER, stage=Stage.SELL
        )
        partner_b = Partner.objects.create(
            name="Bravado Systems", partner_type=PartnerType.SERVICES, stage=Stage.SELL
        )
        people = {}
        for email, role, partner in (
            ("staff@dealflow.example", Role.VENDOR_STAFF, None),
            ("anna@acorn.example", Role.PARTNER_USER, partner_a),
            ("ben@bravado.example", Role.PARTNER_ADMIN, partner_b),
        ):
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=email.split("@")[0].title()
            )
            people[email] = Membership.objects.create(user=user, role=role, partner=partner)
        held = deal_create(
            actor=people["anna@acorn.example"],
            partner=partner_a,
            submit=True,
            title="Initech document management",
            customer_name="Initech Inc.",
            customer_domain="initech.com",
            amount="30000",
        )
        deal_approve(actor=people["staff@dealflow.example"], deal=held)
    return {"tenant": tenant.pk, "held": held.pk, "partner_a": partner_a.pk, "partner_b": partner_b.pk}


def screenshot(page: Page, path: Path) -> None:
    """Full page from the top: a page scrolled while typing would paint the sticky bar mid-image."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def assert_fits(page: Page) -> None:
    """A page wider than the screen means sideways scrolling on every phone."""
    overflowing = page.evaluate(
        "w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5)"
        ".map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className.replace(/ /g, '.') : ''))",
        PHONE["width"],
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (page.url, overflowing)


def switch_user(page: Page, live_server: LiveServer, email: str) -> None:
    page.context.clear_cookies()
    log_in(page, live_server, email)


def test_partner_registers_staff_resolve_approve_and_win(
    page: Page, live_server: LiveServer, browser_errors: BrowserErrors, screenshot_dir: Path
) -> None:
    ids = build_world()
    base = f"{live_server.url}/{SLUG}"

    # Partner B registers the customer and is warned while typing, without learning who holds it.
    log_in(page, live_server, "ben@bravado.example")
    page.goto(f"{base}/portal/deals/new/")
    page.fill("#id_title", "Initech ERP rollout")
    page.locator("#id_customer_name").press_sequentially("Initech", delay=40)
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(
        "Another registration already covers a customer matching “Initech” (same name)"
    )
    expect(warning).to_contain_text("the channel team will review the conflict")
    expect(page.locator("#duplicate-check")).not_to_contain_text("Acorn")
    page.locator("#id_customer_domain").press_sequentially("initech.com", delay=30)
    expect(warning).to_contain_text("(domain match)")
    page.fill("#id_country", "US")
    page.fill("#id_amount", "48000")
    page.fill("#id_expected_close_on", "2026-12-15")
    screenshot(page, screenshot_dir / "deal-duplicate-warning.png")
    page.get_by_test_id("submit-deal").click()
    expect(page).to_have_url(re.compile(rf"{base}/portal/deals/\d+/$"))
    expect(page.locator(".message-success")).to_contain_text("the channel team will review the conflict")
    expect(page.get_by_test_id("in-review").first).to_be_visible()
    b_pk = int(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.locator("body")).not_to_contain_text("Acorn")

    # Staff open the queue: B's registration shows the evidence side by side, and no approve button.
    switch_user(page, live_server, "staff@dealflow.example")
    page.goto(f"{base}/deals/queue/")
    card = page.locator(f"#queue-deal-{b_pk}")
    evidence = card.get_by_test_id("conflict-evidence")
    expect(evidence.get_by_test_id("evidence-side")).to_have_count(2)
    expect(evidence).to_contain_text("Bravado Systems")
    expect(evidence).to_contain_text("Acorn Resellers")
    expect(evidence).to_contain_text("Same website domain")
    expect(card.get_by_test_id("approve-form")).to_have_count(0)
    screenshot(page, screenshot_dir / "deal-conflict.png")

    # Resolve for B (A submitted first, so A is preselected: staff overrule it with a reason).
    card.get_by_test_id("resolve-link").click()
    expect(page.locator("#winner_other_deal")).to_be_checked()
    page.locator("#winner_deal").check()
    page.fill("#id_reason", REASON)
    page.get_by_role("button", name="Resolve the conflict").click()
    expect(page.locator(".message-success")).to_contain_text("keeps the customer")
    expect(page.get_by_test_id("conflict-reason")).to_have_text(REASON)

    # Back in the queue, B's card now approves inline (htmx swaps the card for its new state).
    page.goto(f"{base}/deals/queue/")
    card = page.locator(f"#queue-deal-{b_pk}")
    card.get_by_test_id("approve-form").get_by_role("button", name="Approve").click()
    expect(card.get_by_test_id("queue-outcome")).to_contain_text("Approved")
    expect(card.get_by_test_id("deal-status")).to_have_text("Approved")
    screenshot(page, screenshot_dir / "deal-queue.png")

    # The deal's page: mark it won with the final amount.
    page.goto(f"{base}/deals/{b_pk}/")
    win = page.get_by_test_id("win-form")
    win.get_by_label("Won amount").fill("45500.00")
    win.get_by_label("Closed on").fill("2026-11-20")
    win.get_by_role("button", name="Mark won").click()
    expect(page.locator(".message-success")).to_contain_text("won: 45,500.00")
    expect(page.get_by_test_id("deal-status").first).to_have_text("Won")
    revenue = page.get_by_test_id("revenue-row")
    expect(revenue).to_have_count(1)
    expect(revenue).to_contain_text("45,500.00")
    credit = page.get_by_test_id("attribution-row")
    expect(credit).to_have_count(1)
    expect(credit).to_contain_text("Bravado Systems")
    expect(credit).to_contain_text("Sourced")
    screenshot(page, screenshot_dir / "deal-won.png")

    # Partner A's deal history carries the reason; nothing names B.
    switch_user(page, live_server, "anna@acorn.example")
    page.goto(f"{base}/portal/deals/{ids['held']}/")
    expect(page.get_by_test_id("deal-status").first).to_have_text("Rejected")
    expect(page.get_by_test_id("deal-history")).to_contain_text(REASON)
    expect(page.get_by_test_id("resolution-reason")).to_have_text(REASON)
    expect(page.locator("body")).not_to_contain_text("Bravado")
    expect(page.locator("body")).not_to_contain_text("Ben")
    browser_errors.assert_none()

    # What the pages claimed is what the database holds.
    with tenant_context(ids["tenant"]):
        won = Deal.objects.get(pk=b_pk)
        assert (won.status, won.partner_id, won.amount) == (
            DealStatus.WON,
            ids["partner_b"],
            Decimal("45500.00"),
        )
        entry = RevenueEntry.objects.get(deal=won)
        assert (entry.amount, entry.customer_id) == (Decimal("45500.00"), won.customer_id)
        credit_row = Attribution.objects.get(customer=won.customer)
        # A never won, so it holds no credit: B's is the sourced one.
        assert (credit_row.partner_id, credit_row.kind, credit_row.deal_id) == (
            ids["partner_b"],
            AttributionKind.SOURCED,
            b_pk,
        )
        case = ConflictCase.objects.get(deal_id=b_pk)
        assert (case.status, case.winner_id, case.resolution_reason) == (
            ConflictStatus.RESOLVED,
            b_pk,
            REASON,
        )
        held = Deal.objects.get(pk=ids["held"])
        assert held.status == DealStatus.REJECTED
        assert DealEvent.objects.filter(deal=held, action="conflict_lost", reason__contains=REASON).exists()


def test_deal_pages_fit_a_phone_screen(
    page: Page, live_server: LiveServer, browser_errors: BrowserErrors, screenshot_dir: Path
) -> None:
    ids = build_world()
    with tenant_context(ids["tenant"]):
        ben = Membership.objects.get(user__email="ben@bravado.example")
        claim = deal_create(
            actor=ben,
            partner=ben.partner,
            submit=True,
            title="Initech ERP rollout",
            customer_name="Initech",
            customer_domain="initech.com",
            amount="48000",
        )
        case = ConflictCase.objects.get(deal=claim)
    base = f"{live_server.url}/{SLUG}"
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "staff@dealflow.example")
    for path in (
        "deals/queue/",
        "deals/",
        f"deals/{claim.pk}/",
        "deals/conflicts/",
        f"deals/conflicts/{case.pk}/",
    ):
        page.goto(f"{base}/{path}")
        assert_fits(page)
    page.goto(f"{base}/deals/queue/")
    screenshot(page, screenshot_dir / "deal-queue-phone.png")
    switch_user(page, live_server, "ben@bravado.example")
    for path in ("portal/deals/", "portal/deals/new/", f"portal/deals/{claim.pk}/"):
        page.goto(f"{base}/{path}")
        assert_fits(page)
    page.goto(f"{base}/portal/deals/new/")
    page.locator("#id_customer_name").press_sequentially("Initech", delay=30)
    expect(page.get_by_test_id("duplicate-warning")).to_be_visible()
    assert_fits(page)
    screenshot(page, screenshot_dir / "deal-register-phone.png")
    browser_errors.assert_none()

"""Revenue ledger pages: the list (filters, totals of what is filtered, CSV), recording a row (the
default margin and which one applies, errors in place), a row's page and its reversal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from revenue.models import Attribution, ReferralCode, RevenueEntry
from tests.conftest import World, unscoped
from tests.revenue.test_ledger_support import (
    HX,
    column,
    csv_rows,
    make_customer,
    record_revenue,
)
from tests.test_pages import _field_errors

pytestmark = pytest.mark.django_db


def set_margins(world: World, **margins: str) -> None:
    tenant = world.alpha.tenant
    tenant.default_margins = {**tenant.default_margins, **margins}
    tenant.save()


# --- list and export ------------------------------------------------------------------------------


def test_list_filters_and_totals_the_filtered_rows(world: World) -> None:
    initech = make_customer(world, name="Initech", domain="initech.example")
    globex = make_customer(world, name="Globex", domain="globex.example")
    record_revenue(world, initech, amount="1000.00", stream="services", margin="0.5", on="2025-01-15")
    record_revenue(world, initech, amount="300.00", stream="parts", margin="0.2", on="2025-02-15")
    record_revenue(world, globex, amount="5000.00", stream="services", margin="0.1", on="2025-03-15")
    client = world.client("vendor_staff")
    everything = client.get("/alpha/revenue/").content.decode()
    assert "6,300.00" in everything and "1,060.00" in everything  # 500 + 60 + 500
    services = client.get("/alpha/revenue/?stream=services&date_from=2025-01-01&date_to=2025-02-28")
    body = services.content.decode()
    assert "1,000.00" in body and "500.00" in body and "Globex" not in body
    by_customer = client.get(f"/alpha/revenue/?customer={initech.pk}").content.decode()
    assert "1,300.00" in by_customer and "Globex<" not in by_customer and "all customers" in by_customer
    assert "No revenue rows match" in client.get("/alpha/revenue/?q=nobody").content.decode()
    fragment = client.get("/alpha/revenue/?q=globex", headers=HX)
    assert fragment.content.decode().strip().startswith('<div id="results">')
    assert "HX-Request" in fragment["Vary"]


def test_empty_ledger_says_how_rows_arrive(world: World) -> None:
    body = world.client("vendor_admin").get("/alpha/revenue/").content.decode()
    assert "No revenue recorded yet" in body


def test_export_has_the_filtered_rows_and_defuses_formulas(world: World) -> None:
    evil = make_customer(world, name="@evil", domain="evil.example")
    other = make_customer(world, name="Other", domain="other.example")
    entry = record_revenue(world, evil, amount="100.00", stream="parts", external_ref="=1+1", margin="0.3")
    record_revenue(world, other, amount="50.00", stream="services")
    rows = csv_rows(world.client("vendor_staff").get("/alpha/revenue/export.csv?stream=parts"))
    assert column(rows, "id") == [str(entry.pk)]
    assert column(rows, "customer") == ["'@evil"] and column(rows, "external_ref") == ["'=1+1"]
    assert column(rows, "margin_amount") == ["30.00"] and column(rows, "margin_is_default") == ["no"]


# --- recording a row ------------------------------------------------------------------------------


def test_the_form_says_which_default_margin_applies(world: World) -> None:
    set_margins(world, parts="0.25")
    customer = make_customer(world, name="Initech", domain="initech.example")
    client = world.client("vendor_staff")
    page = client.get(f"/alpha/revenue/new/?customer={customer.pk}").content.decode()
    assert "Default gross margins" in page and "25%" in page
    assert f'<option value="{customer.pk}" selected>' in page
    hint = client.get("/alpha/revenue/new/?stream=parts", headers={**HX, "HX-Target": "margin-hint"})
    text = hint.content.decode()
    assert text.strip().startswith('<p class="help" id="margin-hint"') and "Spare parts: <strong>25%" in text
    assert "HX-Target" in hint["Vary"]  # the same URL answers the whole form or one of its parts
    picker = client.get(
        "/alpha/revenue/new/?customer_q=initech", headers={**HX, "HX-Target": "customer-picker"}
    )
    assert picker.content.decode().strip().startswith('<div id="customer-picker">')
    assert "Initech (initech.example)" in picker.content.decode()


def test_recording_with_a_blank_margin_takes_the_default(world: World) -> None:
    set_margins(world, services="0.55")
    customer = make_customer(world)
    client = world.client("vendor_staff")
    response = client.post(
        "/alpha/revenue/new/",
        {"customer": customer.pk, "occurred_on": "2025-03-01", "amount": "1000.00", "stream": "services"},
    )
    entry = unscoped(RevenueEntry).get(customer=customer)
    assert response.status_code == 302 and response["Location"] == f"/alpha/revenue/{entry.pk}/"
    assert (entry.margin, entry.margin_is_default, entry.currency) == (
        Decimal("0.55"),
        True,
        world.alpha.tenant.currency,
    )
    detail = client.get(response["Location"]).content.decode()
    assert (
        "55%" in detail
        and "the default for the stream" in detail
        and "The tenant's default for Services" in detail
    )


def test_errors_show_in_place_and_nothing_is_recorded(world: World) -> None:
    customer = make_customer(world)
    response = world.client("vendor_staff").post(
        "/alpha/revenue/new/",
        {
            "customer": customer.pk,
            "occurred_on": "03/01/2025",
            "amount": "1,000",
            "currency": "EUR" if world.alpha.tenant.currency != "EUR" else "USD",
            "stream": "services",
            "margin": "150%",
            "referral_code": "NOPE-1234",
        },
    )
    assert response.status_code == 400
    errors = _field_errors(response)
    for field in ("occurred_on", "amount", "currency", "margin", "referral_code"):
        assert errors[field], field
    assert not unscoped(RevenueEntry).filter(customer=customer).exists()
    no_customer = world.client("vendor_staff").post("/alpha/revenue/new/", {"amount": "5"})
    assert no_customer.status_code == 400 and _field_errors(no_customer)["customer"] == [
        "Choose the customer."
    ]


def test_a_quoted_referral_code_credits_its_partner(world: World) -> None:
    customer = make_customer(world)
    code = unscoped(ReferralCode).get(partner=world.alpha.p1)
    response = world.client("vendor_staff").post(
        "/alpha/revenue/new/",
        {
            "customer": customer.pk,
            "occurred_on": "2025-03-01",
            "amount": "99.00",
            "stream": "new",
            "referral_code": code.code.lower(),
        },
    )
    assert response.status_code == 302
    credit = unscoped(Attribution).get(customer=customer)
    assert (credit.partner_id, credit.kind, credit.referral_code_id) == (
        world.alpha.p1.pk,
        "sourced",
        code.pk,
    )


# --- a row and its reversal -----------------------------------------------------------------------


def test_a_row_is_reversed_once_from_its_page(world: World) -> None:
    entry = record_revenue(world, make_customer(world), amount="1200.00")
    client = world.client("vendor_admin")
    page = client.get(f"/alpha/revenue/{entry.pk}/").content.decode()
    assert "never edited" in page and "/edit/" not in page and 'data-testid="reverse-form"' in page
    missing = client.post(f"/alpha/revenue/{entry.pk}/reverse/", {"reason": ""})
    assert missing.status_code == 400 and _field_errors(missing)["reason"] == [
        "Say why, for the audit trail."
    ]
    done = client.post(f"/alpha/revenue/{entry.pk}/reverse/", {"reason": "Invoice cancelled"})
    reversal = unscoped(RevenueEntry).get(reverses=entry)
    assert done.status_code == 302 and done["Location"] == f"/alpha/revenue/{entry.pk}/"
    original = client.get(done["Location"]).content.decode()
    assert f'Reversed by <a href="/alpha/revenue/{reversal.pk}/">#{reversal.pk}</a>' in original
    assert 'data-testid="reverse-form"' not in original and "Reversed revenue" in original
    again = client.post(f"/alpha/revenue/{entry.pk}/reverse/", {"reason": "Twice"})
    assert again.status_code == 400 and "already reversed" in again.content.decode()
    reversal_page = client.get(f"/alpha/revenue/{reversal.pk}/").content.decode()
    assert f'Reverses <a href="/alpha/revenue/{entry.pk}/">#{entry.pk}</a>' in reversal_page
    undo = client.post(f"/alpha/revenue/{reversal.pk}/reverse/", {"reason": "Undo"})
    assert undo.status_code == 400 and "itself a reversal" in undo.content.decode()
    assert unscoped(RevenueEntry).count() == 2
    listed = client.get("/alpha/revenue/").content.decode()
    assert "0.00" in listed and f"Reverses #{entry.pk}" in listed

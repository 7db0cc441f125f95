"""Customer pages: the vendor's list (search, filters, htmx, CSV), the form (normalised domain,
duplicates as field errors), the customer page, and the portal's customers with credit."""

from __future__ import annotations

import pytest

from partners.models import Segment
from prm.tenancy import tenant_context
from revenue.models import Attribution, Customer
from revenue.services_attribution import attribution_change_weight
from revenue.services_deals import deal_approve, deal_create, deal_win
from tests.conftest import P2_MARKER, World, unscoped
from tests.revenue.test_ledger_support import (
    HX,
    column,
    csv_rows,
    give_credit,
    make_customer,
    record_revenue,
    staff,
)
from tests.test_pages import _field_errors

pytestmark = pytest.mark.django_db


def segment(world: World, name: str = "Mid-market") -> Segment:
    with tenant_context(world.alpha.tenant):
        return Segment.objects.create(name=name)


# --- list and export ------------------------------------------------------------------------------


def test_list_shows_customers_with_their_revenue_and_filters(world: World) -> None:
    mid = segment(world)
    initech = make_customer(world, name="Initech", domain="initech.example", country="DE", segment_id=mid.pk)
    make_customer(world, name="Globex", domain="globex.example", country="US", external_ref="ERP-77")
    record_revenue(world, initech, amount="1500.00", margin="0.4")
    client = world.client("vendor_staff")
    body = client.get("/alpha/customers/").content.decode()
    assert "Initech" in body and "Globex" in body and "1,500.00" in body and "600.00" in body
    assert "Initech" not in client.get("/alpha/customers/?q=erp-77").content.decode()
    assert "Globex" in client.get("/alpha/customers/?q=erp-77").content.decode()
    by_segment = client.get(f"/alpha/customers/?segment={mid.pk}").content.decode()
    assert "Initech" in by_segment and "Globex" not in by_segment
    by_country = client.get("/alpha/customers/?country=US").content.decode()
    assert "Globex" in by_country and "Initech" not in by_country
    assert "No customers match" in client.get("/alpha/customers/?q=nothing-like-it").content.decode()


def test_empty_list_invites_to_add_one(world: World) -> None:
    body = world.client("vendor_admin").get("/alpha/customers/").content.decode()
    assert "No customers yet" in body and "/alpha/customers/new/" in body


def test_list_pages_through_htmx_with_real_links(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        Customer.objects.bulk_create(
            Customer(name=f"Bulk {i:02d}", name_key=f"bulk {i:02d}") for i in range(30)
        )
    response = world.client("vendor_staff").get("/alpha/customers/?page=2", headers=HX)
    body = response.content.decode()
    assert body.strip().startswith('<div id="results">') and "<html" not in body
    assert "HX-Request" in response["Vary"] and "Page 2 of 2" in body
    assert 'href="?page=1"' in body and 'hx-get="?page=1"' in body


def test_export_has_every_filtered_row_and_defuses_formulas(world: World) -> None:
    make_customer(
        world, name='=HYPERLINK("http://evil")', domain="evil.example", country="DE", external_ref="@SUM(1)"
    )
    make_customer(world, name="Plain", domain="plain.example", country="DE")
    make_customer(world, name="Elsewhere", domain="elsewhere.example", country="US")
    response = world.client("vendor_staff").get("/alpha/customers/export.csv?country=DE&page=2")
    assert response["Content-Disposition"].startswith('attachment; filename="alpha-customers-')
    rows = csv_rows(response)
    assert rows[0][:3] == ["id", "name", "domain"]
    names = column(rows, "name")
    assert sorted(names) == ['\'=HYPERLINK("http://evil")', "Plain"]
    assert "'@SUM(1)" in column(rows, "external_ref")


# --- the form -------------------------------------------------------------------------------------


def test_new_customer_is_saved_with_a_normalised_domain(world: World) -> None:
    response = world.client("vendor_staff").post(
        "/alpha/customers/new/",
        {"name": "Hooli", "domain": "https://www.Hooli.example/about", "country": "us"},
    )
    customer = unscoped(Customer).get(name="Hooli")
    assert response.status_code == 302 and response["Location"] == f"/alpha/customers/{customer.pk}/"
    assert (customer.domain, customer.country) == ("hooli.example", "US")


def test_duplicates_and_bad_values_are_errors_in_place(world: World) -> None:
    make_customer(world, name="Initech", domain="initech.example", external_ref="CRM-1")
    response = world.client("vendor_staff").post(
        "/alpha/customers/new/",
        {
            "name": "Initech again",
            "domain": "WWW.initech.example",
            "external_ref": "CRM-1",
            "country": "Germany",
        },
    )
    assert response.status_code == 400
    errors = _field_errors(response)
    assert "Initech" in errors["domain"][0] and errors["external_ref"] and errors["country"]
    assert unscoped(Customer).filter(tenant=world.alpha.tenant).count() == 1
    missing = world.client("vendor_staff").post("/alpha/customers/new/", {"domain": "x.example"})
    assert missing.status_code == 400 and _field_errors(missing)["name"] == ["Give the customer name."]


def test_edit_updates_and_refuses_anothers_domain(world: World) -> None:
    customer = make_customer(world, name="Initech", domain="initech.example")
    make_customer(world, name="Globex", domain="globex.example")
    client = world.client("vendor_admin")
    page = client.get(f"/alpha/customers/{customer.pk}/edit/").content.decode()
    assert 'value="initech.example"' in page
    refused = client.post(
        f"/alpha/customers/{customer.pk}/edit/", {"name": "Initech", "domain": "globex.example"}
    )
    assert refused.status_code == 400 and "Globex" in _field_errors(refused)["domain"][0]
    saved = client.post(
        f"/alpha/customers/{customer.pk}/edit/", {"name": "Initech AG", "domain": "initech.example"}
    )
    assert saved.status_code == 302 and unscoped(Customer).get(pk=customer.pk).name == "Initech AG"


# --- the customer page ----------------------------------------------------------------------------


def test_customer_page_shows_revenue_by_stream_the_credit_timeline_and_deals(world: World) -> None:
    customer = make_customer(world, name="Initech", domain="initech.example")
    record_revenue(world, customer, amount="1000.00", stream="services", margin="0.5")
    with tenant_context(world.alpha.tenant):
        deal = deal_create(
            actor=world.alpha.members["partner_user"],
            partner=world.alpha.p1,
            submit=True,
            title="Initech expansion",
            customer_name="Initech",
            customer_domain="initech.example",
            amount="200",
        )
        deal_approve(actor=staff(world), deal=deal)
        deal_win(actor=staff(world), deal=deal, closed_on="2025-02-01", margin="0.25")
        credit = Attribution.objects.get(customer=customer)
        attribution_change_weight(
            actor=staff(world), attribution=credit, weight="0.5", effective_from="2025-06-01", reason="Shared"
        )
    body = world.client("vendor_staff").get(f"/alpha/customers/{customer.pk}/").content.decode()
    assert "Services" in body and "New / initial sale" in body
    assert "1,200.00" in body and "550.00" in body  # totals: revenue and gross margin
    assert f"Deal registration #{deal.pk}" in body
    assert f"supersedes #{credit.pk}" in body and "v2" in body
    assert "Superseded" in body and "In force" in body
    assert f"/alpha/attributions/{credit.pk}/" in body
    assert f'href="/alpha/deals/{deal.pk}/"' in body and "Initech expansion" in body


def test_customer_revenue_rows_page_through_htmx(world: World) -> None:
    customer = make_customer(world)
    for day in range(1, 13):
        record_revenue(world, customer, on=f"2025-03-{day:02d}", external_ref=f"INV-{day}")
    client = world.client("vendor_staff")
    response = client.get(
        f"/alpha/customers/{customer.pk}/?rpage=2", headers={**HX, "HX-Target": "customer-revenue"}
    )
    body = response.content.decode()
    assert body.strip().startswith('<div id="customer-revenue">') and "<html" not in body
    assert "Page 2 of 2" in body and "INV-1<" in body and "INV-12" not in body


# --- the portal -----------------------------------------------------------------------------------


def test_portal_lists_only_customers_we_have_credit_for(world: World) -> None:
    ours = make_customer(world, name="Ours Inc", domain="ours.example")
    theirs = make_customer(world, name=f"Theirs {P2_MARKER}", domain="theirs.example")
    give_credit(world, ours, partner="p1", weight="0.5")
    give_credit(world, theirs, partner="p2", weight="1")
    record_revenue(world, ours, amount="800.00", margin="0.5")
    client = world.client("partner_user")
    body = client.get("/alpha/portal/customers/").content.decode()
    assert "Ours Inc" in body and "800.00" in body and "Sourced · 0.5" in body
    assert P2_MARKER not in body
    assert client.get(f"/alpha/portal/customers/{theirs.pk}/").status_code == 404
    rows = csv_rows(client.get("/alpha/portal/customers/export.csv"))
    assert column(rows, "name") == ["Ours Inc"] and column(rows, "revenue_total") == ["800.00"]


def test_portal_customer_page_shows_revenue_and_only_our_credit(world: World) -> None:
    customer = make_customer(world, name="Shared Co", domain="shared.example")
    give_credit(world, customer, partner="p1", weight="0.5")
    give_credit(world, customer, partner="p2", weight="0.5", reason=f"Co-sold {P2_MARKER}")
    record_revenue(world, customer, amount="640.00", external_ref="INV-SHARED")
    response = world.client("partner_admin").get(f"/alpha/portal/customers/{customer.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "640.00" in body and "INV-SHARED" in body and "Our credit" in body
    assert P2_MARKER not in body and world.alpha.p2.name not in body
    assert "/alpha/customers/" not in body.replace("/alpha/portal/customers/", "")  # no vendor links

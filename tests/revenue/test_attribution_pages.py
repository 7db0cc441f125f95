"""Attribution ledger pages: the list (filters incl. "in force on", CSV), recording credit (the
sourced-weight rule's error in place on the weight), a credit's versions and its changes, and the
portal's read-only list of our own credit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from revenue.models import Attribution, ReferralCode
from tests.conftest import P2_MARKER, World, unscoped
from tests.revenue.test_ledger_support import (
    HX,
    column,
    csv_rows,
    give_credit,
    make_customer,
    record_revenue,
)
from tests.test_pages import _field_errors

pytestmark = pytest.mark.django_db


def form_data(world: World, customer_id: int, **overrides: object) -> dict[str, object]:
    return {
        "partner": world.alpha.p2.pk,
        "customer": customer_id,
        "kind": "sourced",
        "weight": "0.5",
        "effective_from": "2025-03-01",
        "source": "manual",
        "reason": "Joint pitch",
        **overrides,
    }


# --- list and export ------------------------------------------------------------------------------


def test_list_filters_by_partner_kind_source_and_date(world: World) -> None:
    initech = make_customer(world, name="Initech", domain="initech.example")
    globex = make_customer(world, name="Globex", domain="globex.example")
    give_credit(world, initech, partner="p1", weight="1", start="2025-01-01", end="2025-06-01")
    give_credit(world, globex, partner="p2", weight="0.5", kind="influenced", source="marketplace",
                marketplace_ref="AWS listing", reason="")  # fmt: skip
    client = world.client("vendor_staff")
    assert "Initech" in client.get("/alpha/attributions/").content.decode()
    p2 = client.get(f"/alpha/attributions/?partner={world.alpha.p2.pk}").content.decode()
    assert "Globex" in p2 and "Initech<" not in p2
    influenced = client.get("/alpha/attributions/?kind=influenced&source=marketplace").content.decode()
    assert "AWS listing" in influenced and "Initech<" not in influenced
    july = client.get("/alpha/attributions/?in_force_on=2025-07-01").content.decode()
    assert "Globex" in july and "Initech<" not in july
    assert "Initech" in client.get("/alpha/attributions/?in_force_on=2025-05-31").content.decode()
    assert "No credit matches" in client.get("/alpha/attributions/?q=nobody").content.decode()
    fragment = client.get("/alpha/attributions/?q=glo", headers=HX).content.decode()
    assert fragment.strip().startswith('<div id="results">')


def test_export_has_the_filtered_credit_and_defuses_formulas(world: World) -> None:
    customer = make_customer(world, name="+cmd", domain="cmd.example")
    credit = give_credit(world, customer, partner="p1", reason="=IMPORTXML()")
    give_credit(world, customer, partner="p2", kind="influenced")
    rows = csv_rows(
        world.client("vendor_staff").get(f"/alpha/attributions/export.csv?partner={world.alpha.p1.pk}")
    )
    assert column(rows, "id") == [str(credit.pk)]
    assert column(rows, "customer") == ["'+cmd"] and column(rows, "reason") == ["'=IMPORTXML()"]
    assert column(rows, "weight") == ["1.0000"] and column(rows, "superseded_by_id") == [""]


# --- recording credit -----------------------------------------------------------------------------


def test_credit_is_recorded_from_the_form(world: World) -> None:
    customer = make_customer(world)
    client = world.client("vendor_staff")
    page = client.get(f"/alpha/attributions/new/?customer={customer.pk}").content.decode()
    assert f'<option value="{customer.pk}" selected>' in page
    response = client.post("/alpha/attributions/new/", form_data(world, customer.pk))
    credit = unscoped(Attribution).get(customer=customer)
    assert response.status_code == 302 and response["Location"] == f"/alpha/attributions/{credit.pk}/"
    assert (credit.partner_id, credit.weight, credit.source, credit.created_by_id) == (
        world.alpha.p2.pk,
        Decimal("0.5"),
        "manual",
        world.alpha.members["vendor_staff"].user_id,
    )


def test_weight_beyond_one_is_an_error_on_the_weight_field(world: World) -> None:
    customer = make_customer(world)
    give_credit(world, customer, partner="p1", weight="0.7", start="2025-01-01")
    response = world.client("vendor_staff").post("/alpha/attributions/new/", form_data(world, customer.pk))
    assert response.status_code == 400
    errors = _field_errors(response)
    assert "would exceed 1" in errors["weight"][0] and "at most 0.3" in errors["weight"][0]
    assert unscoped(Attribution).filter(customer=customer).count() == 1


def test_source_fields_are_checked_in_place(world: World) -> None:
    customer = make_customer(world)
    client = world.client("vendor_staff")
    cases = [
        ({"reason": ""}, "reason"),
        ({"source": "deal", "deal": "999999"}, "deal"),
        ({"source": "deal"}, "deal"),
        ({"source": "referral_code", "referral_code": "NOPE-0000"}, "referral_code"),
        ({"source": "marketplace", "marketplace_ref": ""}, "marketplace_ref"),
        ({"revenue_entry": "999999"}, "revenue_entry"),
        ({"effective_from": "", "weight": "2"}, "effective_from"),
    ]
    for overrides, field in cases:
        response = client.post("/alpha/attributions/new/", form_data(world, customer.pk, **overrides))
        assert response.status_code == 400, overrides
        assert _field_errors(response)[field], overrides
    assert not unscoped(Attribution).filter(customer=customer).exists()


def test_a_referral_code_source_names_the_partners_code(world: World) -> None:
    customer = make_customer(world)
    code = unscoped(ReferralCode).get(partner=world.alpha.p2)
    overrides = {"source": "referral_code", "referral_code": code.code.lower(), "reason": ""}
    response = world.client("vendor_admin").post(
        "/alpha/attributions/new/", form_data(world, customer.pk, **overrides)
    )
    assert response.status_code == 302
    assert unscoped(Attribution).get(customer=customer).referral_code_id == code.pk


def test_row_level_credit_names_a_revenue_row(world: World) -> None:
    customer = make_customer(world)
    entry = record_revenue(world, customer)
    overrides = {"revenue_entry": entry.pk, "weight": "1"}
    response = world.client("vendor_staff").post(
        "/alpha/attributions/new/", form_data(world, customer.pk, **overrides)
    )
    assert response.status_code == 302
    assert unscoped(Attribution).get(customer=customer).revenue_entry_id == entry.pk


# --- versions and changes -------------------------------------------------------------------------


def test_a_weight_change_makes_a_new_version_shown_as_a_chain(world: World) -> None:
    customer = make_customer(world)
    credit = give_credit(world, customer, partner="p1", weight="1", start="2025-01-01")
    client = world.client("vendor_staff")
    bad = client.post(
        f"/alpha/attributions/{credit.pk}/weight/",
        {"weight": "0.5", "effective_from": "2024-12-01", "reason": "Split"},
    )
    assert bad.status_code == 400 and "must end after it started" in _field_errors(bad)["effective_from"][0]
    response = client.post(
        f"/alpha/attributions/{credit.pk}/weight/",
        {"weight": "0.5", "effective_from": "2025-07-01", "reason": "Split with P2"},
    )
    version = unscoped(Attribution).get(supersedes=credit)
    assert response.status_code == 302 and response["Location"] == f"/alpha/attributions/{version.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert f"#{credit.pk}</a> · v1" in page and f"#{version.pk} · v2 (this)" in page
    assert "Split with P2" in page
    old = client.get(f"/alpha/attributions/{credit.pk}/").content.decode()
    assert 'data-testid="superseded-by"' in old and 'data-testid="weight-form"' not in old
    stale = client.post(
        f"/alpha/attributions/{credit.pk}/weight/",
        {"weight": "0.2", "effective_from": "2025-03-01", "reason": "x"},
    )
    assert stale.status_code == 400 and "replaced by" in stale.content.decode()


def test_ending_credit_from_its_page(world: World) -> None:
    credit = give_credit(world, make_customer(world), start="2025-01-01")
    client = world.client("vendor_admin")
    missing = client.post(
        f"/alpha/attributions/{credit.pk}/end/", {"effective_to": "2025-05-01", "reason": ""}
    )
    assert missing.status_code == 400 and _field_errors(missing)["reason"]
    ended = client.post(
        f"/alpha/attributions/{credit.pk}/end/", {"effective_to": "2025-05-01", "reason": "Left"}
    )
    assert ended.status_code == 302
    assert unscoped(Attribution).get(pk=credit.pk).effective_to == datetime.date(2025, 5, 1)
    page = client.get(f"/alpha/attributions/{credit.pk}/").content.decode()
    assert "This credit ended on 2025-05-01" in page and 'data-testid="end-form"' not in page


# --- the portal -----------------------------------------------------------------------------------


def test_portal_shows_our_credit_only_read_only(world: World) -> None:
    shared = make_customer(world, name="Shared Co", domain="shared.example")
    give_credit(world, shared, partner="p1", weight="0.5")
    give_credit(world, shared, partner="p2", weight="0.5", reason=f"Co-sold {P2_MARKER}")
    client = world.client("partner_user")
    body = client.get("/alpha/portal/attributions/").content.decode()
    assert "Shared Co" in body and "Sourced · 0.5" in body
    assert P2_MARKER not in body and "/alpha/attributions/" not in body.replace(
        "/alpha/portal/attributions/", ""
    )
    assert "Add credit" not in body
    rows = csv_rows(client.get("/alpha/portal/attributions/export.csv"))
    assert column(rows, "partner_id") == [str(world.alpha.p1.pk)]
    assert P2_MARKER not in str(rows)

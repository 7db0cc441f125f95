"""Ledger API: revenue rows, attributions and partner costs. Append-only (reversals, versions, 405s),
vendor writes, partner scoping, referral codes that credit by themselves, filters, field errors."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from prm.tenancy import tenant_context
from revenue.models import Attribution, Customer, PartnerCost, RevenueEntry
from revenue.services_attribution import attribution_create
from revenue.services_customers import customer_create, referral_code_create
from revenue.services_ledger import cost_record, revenue_record
from tests.conftest import World, unscoped

pytestmark = pytest.mark.django_db

API = "/api/v1/alpha"


def post(client: Client, url: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def customer_of(world: World, partner: str | None, name: str) -> Customer:
    """A customer, credited (sourced, from 2025) to `partner` unless None."""
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        customer = customer_create(actor=None, name=name)
        if partner:
            attribution_create(
                actor=alpha.members["vendor_staff"],
                partner=getattr(alpha, partner),
                customer=customer,
                kind="sourced",
                weight="1",
                effective_from="2025-01-01",
                source="manual",
                reason="Summit intro",
            )
        return customer


def revenue_of(world: World, customer: Customer, **fields: Any) -> RevenueEntry:
    values = {"occurred_on": "2025-03-01", "amount": "1000.00", "stream": "services", **fields}
    with tenant_context(world.alpha.tenant):
        return revenue_record(actor=world.alpha.members["vendor_staff"], customer=customer, **values)


REVENUE = {"occurred_on": "2025-06-01", "amount": "1200.50", "stream": "Renewal"}


# --- revenue ----------------------------------------------------------------------------------------


def test_vendor_records_revenue_with_the_default_margin(world: World) -> None:
    customer = customer_of(world, None, "Initech")
    created = post(world.client("vendor_staff"), f"{API}/revenue/", {**REVENUE, "customer": customer.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["stream"] == "renewal" and body["amount"] == "1200.50" and body["margin_is_default"] is True
    assert body["currency"] == world.alpha.tenant.currency and body["reversed_by"] is None


def test_revenue_field_errors(world: World) -> None:
    customer = customer_of(world, None, "Initech")
    client = world.client("vendor_staff")
    other_tenant = post(client, f"{API}/revenue/", {**REVENUE, "customer": 999999})
    assert other_tenant.status_code == 400 and other_tenant.json()["customer"] == ["No such customer."]
    bad = post(
        client,
        f"{API}/revenue/",
        {**REVENUE, "customer": customer.pk, "stream": "barter", "amount": "-5", "currency": "XYZ"},
    )
    assert bad.status_code == 400 and {"stream", "amount", "currency"} <= set(bad.json())
    contract = post(
        client,
        f"{API}/revenue/",
        {**REVENUE, "customer": customer.pk, "contract_start": "2025-06-01", "contract_end": "2025-01-01"},
    )
    assert contract.status_code == 400 and "contract_end" in contract.json()
    assert not unscoped(RevenueEntry).exists()


def test_referral_code_on_revenue_credits_its_partner(world: World) -> None:
    customer = customer_of(world, None, "Initech")
    with tenant_context(world.alpha.tenant):
        code = referral_code_create(actor=None, partner=world.alpha.p2, code="P2-REF")
    created = post(
        world.client("vendor_admin"),
        f"{API}/revenue/",
        {**REVENUE, "customer": customer.pk, "referral_code": "p2-ref"},
    )
    assert created.status_code == 201
    credit = unscoped(Attribution).get(customer_id=customer.pk)
    assert credit.partner_id == world.alpha.p2.pk and credit.referral_code_id == code.pk
    unknown = post(
        world.client("vendor_admin"),
        f"{API}/revenue/",
        {**REVENUE, "customer": customer.pk, "referral_code": "X-9"},
    )
    assert unknown.status_code == 400 and "referral_code" in unknown.json()


def test_reversal_is_a_new_row_and_history_never_changes(world: World) -> None:
    entry = revenue_of(world, customer_of(world, None, "Initech"))
    client = world.client("vendor_staff")
    url = f"{API}/revenue/{entry.pk}/"
    assert post(client, f"{url}reverse/", {"reason": ""}).status_code == 400
    reversal = post(client, f"{url}reverse/", {"reason": "Invoice cancelled"})
    assert reversal.status_code == 201
    assert reversal.json()["amount"] == "-1000.00" and reversal.json()["reverses"] == entry.pk
    assert client.get(url).json()["reversed_by"] == reversal.json()["id"]
    again = post(client, f"{url}reverse/", {"reason": "Twice"})
    assert again.status_code == 400 and again.json()["reason"] == ["This row was already reversed."]
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(url, json.dumps({"amount": "1"}), content_type="application/json")
        assert response.status_code == 405, method
    assert client.delete(f"{API}/revenue/").status_code == 405
    assert unscoped(RevenueEntry).get(pk=entry.pk).amount == Decimal("1000.00")


def test_partner_reads_revenue_of_credited_customers_only(world: World) -> None:
    ours = revenue_of(world, customer_of(world, "p1", "Ours Ltd"))
    theirs = revenue_of(world, customer_of(world, "p2", "Theirs Ltd"))
    client = world.client("partner_user")
    assert [row["id"] for row in client.get(f"{API}/revenue/").json()["results"]] == [ours.pk]
    assert client.get(f"{API}/revenue/{theirs.pk}/").status_code == 404
    assert post(client, f"{API}/revenue/{theirs.pk}/reverse/", {"reason": "x"}).status_code == 403
    assert post(client, f"{API}/revenue/", {**REVENUE, "customer": ours.customer_id}).status_code == 403


def test_revenue_filters(world: World) -> None:
    initech = customer_of(world, None, "Initech")
    globex = customer_of(world, None, "Globex")
    revenue_of(world, initech, occurred_on="2025-01-15", stream="new", external_ref="INV-1")
    revenue_of(world, initech, occurred_on="2025-06-15", stream="renewal")
    revenue_of(world, globex, occurred_on="2025-09-15", stream="parts")
    client = world.client("vendor_staff")

    def count(query: str) -> int:
        return client.get(f"{API}/revenue/?{query}").json()["count"]

    assert count(f"customer={initech.pk}") == 2
    assert count("stream=parts") == 1
    assert count("date_from=2025-06-01") == 2 and count("date_to=2025-06-15") == 2
    assert count("date_from=2025-02-01&date_to=2025-08-31") == 1
    assert count("q=globex") == 1 and count("q=inv-1") == 1
    assert client.get(f"{API}/revenue/?date_from=15.06.2025").json() == {
        "date_from": "Must be a date written as YYYY-MM-DD."
    }
    assert client.get(f"{API}/revenue/?stream=barter").status_code == 400


def test_idempotent_revenue_recording(world: World) -> None:
    customer = customer_of(world, None, "Initech")
    client = world.client("vendor_staff")
    body = {**REVENUE, "customer": customer.pk}
    first = post(client, f"{API}/revenue/", body, **{"Idempotency-Key": "rev-1"})
    second = post(client, f"{API}/revenue/", body, **{"Idempotency-Key": "rev-1"})
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert unscoped(RevenueEntry).count() == 1


# --- attributions -----------------------------------------------------------------------------------


def test_vendor_records_and_versions_an_attribution(world: World) -> None:
    customer = customer_of(world, None, "Initech")
    client = world.client("vendor_staff")
    body = {
        "partner": world.alpha.p1.pk,
        "customer": customer.pk,
        "kind": "sourced",
        "weight": "0.6",
        "effective_from": "2025-01-01",
        "source": "manual",
        "reason": "Ran the pilot",
    }
    created = post(client, f"{API}/attributions/", body)
    assert created.status_code == 201, created.content
    first = created.json()
    assert first["weight"] == "0.6000" and first["effective_to"] is None
    too_much = post(client, f"{API}/attributions/", {**body, "partner": world.alpha.p2.pk, "weight": "0.5"})
    assert too_much.status_code == 400
    assert "(0.6 is already given in that period); at most 0.4 is left" in too_much.json()["weight"][0]
    changed = post(
        client,
        f"{API}/attributions/{first['id']}/change-weight/",
        {"weight": "0.8", "effective_from": "2025-07-01", "reason": "Took over renewals"},
    )
    assert changed.status_code == 201 and changed.json()["supersedes"] == first["id"]
    old = client.get(f"{API}/attributions/{first['id']}/").json()
    assert old["effective_to"] == "2025-07-01" and old["superseded_by"] == changed.json()["id"]
    ended = post(
        client,
        f"{API}/attributions/{changed.json()['id']}/end/",
        {"effective_to": "2026-01-01", "reason": "Partner left"},
    )
    assert ended.status_code == 200 and ended.json()["effective_to"] == "2026-01-01"
    assert client.get(f"{API}/attributions/?as_of=2025-03-01").json()["results"][0]["id"] == first["id"]
    assert client.get(f"{API}/attributions/?as_of=2025-08-01").json()["results"][0]["weight"] == "0.8000"
    assert client.get(f"{API}/attributions/?as_of=2026-02-01").json()["count"] == 0
    assert client.get(f"{API}/attributions/?as_of=soon").json() == {
        "as_of": "Must be a date written as YYYY-MM-DD."
    }
    assert (
        client.patch(f"{API}/attributions/{first['id']}/", "{}", content_type="application/json").status_code
        == 405
    )


def test_attribution_field_errors(world: World) -> None:
    customer = customer_of(world, None, "Initech")
    client = world.client("vendor_admin")
    base = {"partner": world.alpha.p1.pk, "customer": customer.pk, "kind": "influenced", "weight": "0.5"}
    no_reason = post(
        client, f"{API}/attributions/", {**base, "effective_from": "2025-01-01", "source": "manual"}
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    bad = post(
        client,
        f"{API}/attributions/",
        {**base, "kind": "guessed", "weight": "1.5", "effective_from": "2025-01-01", "source": "rumour"},
    )
    assert bad.status_code == 400 and {"weight"} <= set(bad.json())
    ids = post(
        client,
        f"{API}/attributions/",
        {
            **base,
            "partner": world.bravo.p1.pk,
            "customer": 999999,
            "effective_from": "2025-01-01",
            "source": "x",
        },
    )
    assert ids.status_code == 400
    assert ids.json()["partner"] == ["No such partner."] and ids.json()["customer"] == ["No such customer."]
    wrong_code = post(
        client,
        f"{API}/attributions/",
        {**base, "effective_from": "2025-01-01", "source": "referral_code", "referral_code": "NOPE"},
    )
    assert wrong_code.status_code == 400 and wrong_code.json()["referral_code"] == [
        "No such referral code NOPE."
    ]
    assert not unscoped(Attribution).exists()


def test_attribution_by_referral_code_text(world: World) -> None:
    customer = customer_of(world, None, "Initech")
    with tenant_context(world.alpha.tenant):
        referral_code_create(actor=None, partner=world.alpha.p1, code="P1-WEB")
    created = post(
        world.client("vendor_staff"),
        f"{API}/attributions/",
        {
            "partner": world.alpha.p1.pk,
            "customer": customer.pk,
            "kind": "sourced",
            "weight": "1",
            "effective_from": "2025-01-01",
            "source": "referral_code",
            "referral_code": "p1-web",
        },
    )
    assert created.status_code == 201 and created.json()["referral_code"] == "P1-WEB"


def test_partner_sees_its_own_attributions_only(world: World) -> None:
    customer_of(world, "p1", "Ours Ltd")
    customer_of(world, "p2", "Theirs Ltd")
    theirs = unscoped(Attribution).get(partner_id=world.alpha.p2.pk)
    client = world.client("partner_admin")
    listed = client.get(f"{API}/attributions/").json()
    assert listed["count"] == 1 and listed["results"][0]["partner"] == world.alpha.p1.pk
    assert client.get(f"{API}/attributions/?partner={world.alpha.p2.pk}").json()["count"] == 0
    assert client.get(f"{API}/attributions/{theirs.pk}/").status_code == 404
    vendor = world.client("vendor_staff")
    assert vendor.get(f"{API}/attributions/?partner={world.alpha.p2.pk}").json()["count"] == 1
    assert vendor.get(f"{API}/attributions/?kind=influenced").json()["count"] == 0
    assert vendor.get(f"{API}/attributions/?source=manual&q=theirs").json()["count"] == 1


# --- costs ------------------------------------------------------------------------------------------


def test_costs_record_reverse_and_scope(world: World) -> None:
    vendor = world.client("vendor_staff")
    body = {"partner": world.alpha.p1.pk, "kind": "support", "incurred_on": "2025-05-01", "amount": "250.00"}
    missing = post(vendor, f"{API}/costs/", body)
    assert missing.status_code == 400 and "description" in missing.json()
    bad_kind = post(vendor, f"{API}/costs/", {**body, "kind": "lunch", "description": "x"})
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()
    created = post(vendor, f"{API}/costs/", {**body, "description": "Escalation desk"})
    assert created.status_code == 201 and created.json()["partner_name"] == world.alpha.p1.name
    with tenant_context(world.alpha.tenant):
        cost_record(
            actor=world.alpha.members["vendor_staff"],
            partner=world.alpha.p2,
            kind="mdf",
            incurred_on="2025-06-01",
            amount="900",
            description="Trade show",
        )
    theirs = unscoped(PartnerCost).get(partner_id=world.alpha.p2.pk)
    partner = world.client("partner_user")
    assert [row["id"] for row in partner.get(f"{API}/costs/").json()["results"]] == [created.json()["id"]]
    assert partner.get(f"{API}/costs/{theirs.pk}/").status_code == 404
    assert post(partner, f"{API}/costs/", body).status_code == 403
    assert vendor.get(f"{API}/costs/?kind=mdf").json()["count"] == 1
    assert vendor.get(f"{API}/costs/?partner={world.alpha.p1.pk}&date_from=2025-05-01").json()["count"] == 1
    assert vendor.get(f"{API}/costs/?q=trade").json()["count"] == 1
    reversal = post(vendor, f"{API}/costs/{theirs.pk}/reverse/", {"reason": "Booked twice"})
    assert reversal.status_code == 201 and reversal.json()["amount"] == "-900.00"
    assert vendor.get(f"{API}/costs/{theirs.pk}/").json()["reversed_by"] == reversal.json()["id"]
    assert vendor.delete(f"{API}/costs/{theirs.pk}/").status_code == 405

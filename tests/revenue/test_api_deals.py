"""Deals API: registration by partners and vendors, duplicates (409), edits, the state-machine
actions, roles and partner scoping, validation errors, idempotent replays, refused methods."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from prm.tenancy import tenant_context
from revenue.models import Attribution, Deal, DealStatus, RevenueEntry
from revenue.services_deals import deal_approve, deal_create
from tests.conftest import World, unscoped

pytestmark = pytest.mark.django_db

API = "/api/v1/alpha"
DEAL = {
    "title": "Plant rollout",
    "customer_name": "Initech Inc.",
    "customer_domain": "https://www.initech.example/",
    "amount": "5000.00",
}


def post(client: Client, url: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json")


def register(world: World, role: str = "partner_user", **overrides: Any) -> Any:
    return post(world.client(role), f"{API}/deals/", {**DEAL, **overrides})


def approved_deal(world: World, *, partner: str = "p1", **overrides: Any) -> Deal:
    alpha = world.alpha
    members = alpha.members if partner == "p1" else alpha.p2_members
    with tenant_context(alpha.tenant):
        deal = deal_create(
            actor=members["partner_user"],
            partner=getattr(alpha, partner),
            submit=True,
            **{**DEAL, **overrides},
        )
        return deal_approve(actor=alpha.members["vendor_staff"], deal=deal)


# --- create and list --------------------------------------------------------------------------------


def test_partner_registers_a_draft_for_its_own_organisation(world: World) -> None:
    created = register(world)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["partner"] == world.alpha.p1.pk and body["status"] == "draft"
    assert body["customer_domain"] == "initech.example" and body["is_direct"] is False
    assert body["open_conflicts"] == 0 and body["customer"] is None
    assert [event["action"] for event in body["events"]] == ["created"]
    assert body["created_by"] == "partner_user@alpha.test"


def test_submit_true_submits_at_once(world: World) -> None:
    created = register(world, "partner_admin", submit=True)
    assert created.status_code == 201 and created.json()["status"] == "submitted"
    assert [event["action"] for event in created.json()["events"]] == ["created", "submitted"]


def test_vendor_names_a_partner_or_null_for_a_direct_opportunity(world: World) -> None:
    missing = register(world, "vendor_staff")
    assert missing.status_code == 400
    assert missing.json()["partner"] == ["Name the partner, or null for a direct opportunity."]
    for_partner = register(world, "vendor_staff", partner=world.alpha.p2.pk)
    assert for_partner.status_code == 201 and for_partner.json()["partner"] == world.alpha.p2.pk
    direct = register(world, "vendor_admin", partner=None, customer_domain="globex.example")
    assert direct.status_code == 201
    assert direct.json()["is_direct"] is True and direct.json()["status"] == "approved"


def test_body_partner_outside_reach_is_a_field_error(world: World) -> None:
    other_tenant = register(world, "vendor_staff", partner=world.bravo.p1.pk)
    assert other_tenant.status_code == 400 and other_tenant.json()["partner"] == ["No such partner."]
    other_partner = register(world, "partner_user", partner=world.alpha.p2.pk)
    assert other_partner.status_code == 400 and other_partner.json()["partner"] == ["No such partner."]
    not_an_id = register(world, "vendor_staff", partner="p1")
    assert not_an_id.status_code == 400 and "partner" in not_an_id.json()
    assert not unscoped(Deal).exists()


def test_validation_errors_are_keyed_by_field(world: World) -> None:
    bad = register(world, amount="lots", expected_close_on="31/12/2026")
    assert bad.status_code == 400 and {"amount", "expected_close_on"} <= set(bad.json())
    service = register(world, customer_domain="not a domain", stream="barter", country="Germany")
    assert service.status_code == 400
    assert {"customer_domain", "stream", "country"} <= set(service.json())
    zero = register(world, amount="0")
    assert zero.status_code == 400 and zero.json()["amount"] == ["The deal value cannot be zero."]
    assert not unscoped(Deal).exists()


def test_second_open_registration_is_a_clean_409(world: World) -> None:
    first = register(world, submit=True).json()
    again = register(world, "partner_admin", customer_domain="initech.example", title="Other")
    assert again.status_code == 409
    assert again.json() == {
        "detail": f"You already have an open registration for this customer (#{first['id']}, submitted).",
        "code": "duplicate_registration",
        "existing": first["id"],
    }
    assert unscoped(Deal).count() == 1
    # Another partner may register the same customer: that is a conflict for staff, not a duplicate.
    assert register(world, "vendor_staff", partner=world.alpha.p2.pk).status_code == 201


def test_partner_lists_its_own_deals_vendor_all_with_filters(world: World) -> None:
    register(world, submit=True)
    register(world, "vendor_staff", partner=world.alpha.p2.pk, customer_domain="umbrella.example")
    register(world, "vendor_staff", partner=None, customer_domain="globex.example", title="Direct")
    partner = world.client("partner_user").get(f"{API}/deals/").json()
    assert partner["count"] == 1 and partner["results"][0]["partner"] == world.alpha.p1.pk
    vendor = world.client("vendor_staff")
    assert vendor.get(f"{API}/deals/").json()["count"] == 3
    assert vendor.get(f"{API}/deals/?status=approved").json()["results"][0]["title"] == "Direct"
    assert vendor.get(f"{API}/deals/?partner={world.alpha.p2.pk}").json()["count"] == 1
    assert vendor.get(f"{API}/deals/?q=umbrella").json()["count"] == 1
    assert vendor.get(f"{API}/deals/?page_size=2").json()["next"] is not None
    assert vendor.get(f"{API}/deals/?status=bogus").status_code == 400
    assert vendor.get(f"{API}/deals/?partner=abc").json() == {"partner": "Must be a whole number (an id)."}


# --- edit and actions -------------------------------------------------------------------------------


def test_patch_edits_a_draft_only(world: World) -> None:
    client = world.client("partner_user")
    deal = register(world).json()
    edited = patch(client, f"{API}/deals/{deal['id']}/", {"amount": "7500", "notes": "Two plants"})
    assert edited.status_code == 200 and edited.json()["amount"] == "7500.00"
    assert edited.json()["title"] == DEAL["title"] and edited.json()["notes"] == "Two plants"
    assert post(client, f"{API}/deals/{deal['id']}/submit/", {}).json()["status"] == "submitted"
    late = patch(client, f"{API}/deals/{deal['id']}/", {"amount": "1"})
    assert late.status_code == 400 and "status" in late.json()


def test_patch_onto_another_open_registration_is_a_409(world: World) -> None:
    register(world)
    other = register(world, customer_domain="globex.example").json()
    clash = patch(
        world.client("partner_user"), f"{API}/deals/{other['id']}/", {"customer_domain": "initech.example"}
    )
    assert clash.status_code == 409 and clash.json()["code"] == "duplicate_registration"


def test_approve_reject_need_vendor_roles_and_reasons(world: World) -> None:
    deal = register(world, submit=True).json()
    url = f"{API}/deals/{deal['id']}"
    assert post(world.client("partner_admin"), f"{url}/approve/", {}).status_code == 403
    vendor = world.client("vendor_staff")
    refused = post(vendor, f"{url}/reject/", {"reason": " "})
    assert refused.status_code == 400 and "reason" in refused.json()
    approved = post(vendor, f"{url}/approve/", {"reason": "Qualified"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["protection_ends_at"] is not None
    twice = post(vendor, f"{url}/approve/", {})
    assert twice.status_code == 400 and twice.json()["status"] == ["A approved deal cannot be approved."]


def test_extension_request_and_decision(world: World) -> None:
    deal = approved_deal(world)
    url = f"{API}/deals/{deal.pk}"
    assert post(world.client("vendor_staff"), f"{url}/request-extension/", {"reason": "x"}).status_code == 403
    asked = post(world.client("partner_admin"), f"{url}/request-extension/", {"reason": "Budget round"})
    assert asked.status_code == 200 and asked.json()["extension_status"] == "requested"
    denied = post(world.client("vendor_admin"), f"{url}/decide-extension/", {"grant": False})
    assert denied.status_code == 400 and "reason" in denied.json()
    granted = post(world.client("vendor_admin"), f"{url}/decide-extension/", {"grant": True})
    assert granted.status_code == 200 and granted.json()["extension_status"] == "granted"
    assert granted.json()["protection_ends_at"] > asked.json()["protection_ends_at"]


def test_win_records_revenue_and_sourced_credit(world: World) -> None:
    deal = approved_deal(world)
    won = post(
        world.client("vendor_staff"),
        f"{API}/deals/{deal.pk}/win/",
        {"amount": "4800.00", "closed_on": "2026-03-01", "margin": "0.4"},
    )
    assert won.status_code == 200, won.content
    body = won.json()
    assert body["status"] == "won" and body["customer"] is not None and body["closed_on"] == "2026-03-01"
    assert [event["action"] for event in body["events"]][-1] == "won"
    entry = unscoped(RevenueEntry).get(deal_id=deal.pk)
    assert str(entry.amount) == "4800.00" and str(entry.margin) == "0.4000"
    credit = unscoped(Attribution).get(customer_id=body["customer"])
    assert credit.partner_id == world.alpha.p1.pk and credit.kind == "sourced"


def test_win_validation_and_lose_by_the_partner(world: World) -> None:
    deal = approved_deal(world)
    bad = post(world.client("vendor_staff"), f"{API}/deals/{deal.pk}/win/", {"margin": "1.5"})
    assert bad.status_code == 400 and "margin" in bad.json()
    assert post(world.client("partner_user"), f"{API}/deals/{deal.pk}/win/", {}).status_code == 403
    lost = post(world.client("partner_user"), f"{API}/deals/{deal.pk}/lose/", {"reason": "Budget cut"})
    assert lost.status_code == 200 and lost.json()["status"] == "lost"
    assert lost.json()["decision_reason"] == "Budget cut"


def test_partner_gets_404_for_another_partners_or_tenants_deal(world: World) -> None:
    theirs = approved_deal(world, partner="p2")
    client = world.client("partner_admin")
    assert client.get(f"{API}/deals/{theirs.pk}/").status_code == 404
    assert post(client, f"{API}/deals/{theirs.pk}/lose/", {"reason": "x"}).status_code == 404
    assert unscoped(Deal).get(pk=theirs.pk).status == DealStatus.APPROVED
    vendor_of_bravo = world.client("vendor_admin", tenant="bravo")
    assert vendor_of_bravo.get(f"/api/v1/bravo/deals/{theirs.pk}/").status_code == 404


def test_methods_a_deal_never_serves_answer_405(world: World) -> None:
    deal = register(world).json()
    client = world.client("vendor_admin")
    assert client.delete(f"{API}/deals/{deal['id']}/").status_code == 405
    assert client.put(f"{API}/deals/{deal['id']}/", "{}", content_type="application/json").status_code == 405
    assert client.get(f"{API}/deals/{deal['id']}/approve/").status_code == 405
    assert Client().delete(f"{API}/deals/{deal['id']}/").status_code in (401, 403)


def test_idempotent_registration_replays_the_first_answer(world: World) -> None:
    client = world.client("partner_user")
    first = post(client, f"{API}/deals/", DEAL, **{"Idempotency-Key": "deal-1"})
    second = post(client, f"{API}/deals/", DEAL, **{"Idempotency-Key": "deal-1"})
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    other_body = post(client, f"{API}/deals/", {**DEAL, "amount": "1"}, **{"Idempotency-Key": "deal-1"})
    assert other_body.status_code == 422
    assert unscoped(Deal).count() == 1

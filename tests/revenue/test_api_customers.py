"""Customers and referral codes API: vendor writes, partner scoping, a referral code that credits a
new customer by itself, field errors, filters, idempotent replays."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from partners.models import Segment
from prm.tenancy import tenant_context
from revenue.models import Attribution, Customer, ReferralCode
from revenue.services_attribution import attribution_create
from revenue.services_customers import customer_create, referral_code_create
from tests.conftest import World, unscoped

pytestmark = pytest.mark.django_db

API = "/api/v1/alpha"


def post(client: Client, url: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json")


def code_of(world: World, partner: str = "p1", code: str = "") -> ReferralCode:
    with tenant_context(world.alpha.tenant):
        return referral_code_create(actor=None, partner=getattr(world.alpha, partner), code=code)


def credited_customer(world: World, partner: str, name: str, **fields: Any) -> Customer:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        customer = customer_create(actor=None, name=name, **fields)
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


# --- customers --------------------------------------------------------------------------------------


def test_vendor_creates_a_customer(world: World) -> None:
    created = post(
        world.client("vendor_staff"),
        f"{API}/customers/",
        {"name": "Initech", "domain": "https://www.Initech.example/x", "country": "de", "size": "large"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["domain"] == "initech.example" and created.json()["country"] == "DE"
    assert not unscoped(Attribution).exists()


def test_referral_code_credits_the_new_customer_in_the_same_request(world: World) -> None:
    code = code_of(world, "p2", code="SUMMIT-26")
    created = post(
        world.client("vendor_admin"), f"{API}/customers/", {"name": "Globex", "referral_code": "summit-26"}
    )
    assert created.status_code == 201, created.content
    credit = unscoped(Attribution).get(customer_id=created.json()["id"])
    assert credit.partner_id == world.alpha.p2.pk and credit.referral_code_id == code.pk
    assert credit.kind == "sourced" and credit.source == "referral_code" and credit.weight == 1


def test_unknown_or_inactive_code_creates_nothing(world: World) -> None:
    client = world.client("vendor_staff")
    unknown = post(client, f"{API}/customers/", {"name": "Globex", "referral_code": "NOPE-1"})
    assert unknown.status_code == 400 and unknown.json()["referral_code"] == ["No referral code NOPE-1."]
    code = code_of(world, code="OLD-CODE")
    with tenant_context(world.alpha.tenant):
        ReferralCode.objects.filter(pk=code.pk).update(is_active=False)
    inactive = post(client, f"{API}/customers/", {"name": "Globex", "referral_code": "OLD-CODE"})
    assert inactive.status_code == 400 and "no longer active" in inactive.json()["referral_code"][0]
    assert not unscoped(Customer).exists()


def test_customer_field_errors(world: World) -> None:
    client = world.client("vendor_staff")
    post(client, f"{API}/customers/", {"name": "Initech", "domain": "initech.example"})
    taken = post(client, f"{API}/customers/", {"name": "Initech 2", "domain": "initech.example"})
    assert taken.status_code == 400 and "domain" in taken.json()
    bad = post(client, f"{API}/customers/", {"name": "", "size": "huge", "segment": 999999, "country": "XX1"})
    assert bad.status_code == 400 and {"name"} <= set(bad.json())
    service = post(client, f"{API}/customers/", {"name": "Ok", "size": "huge", "segment": 999999})
    assert service.status_code == 400
    assert service.json()["segment"] == ["No such segment."] and "size" in service.json()
    assert unscoped(Customer).count() == 1


def test_partner_reads_only_customers_it_has_credit_for(world: World) -> None:
    ours = credited_customer(world, "p1", "Ours Ltd")
    theirs = credited_customer(world, "p2", "Theirs Ltd")
    client = world.client("partner_user")
    listed = client.get(f"{API}/customers/").json()
    assert [row["id"] for row in listed["results"]] == [ours.pk]
    assert client.get(f"{API}/customers/{ours.pk}/").status_code == 200
    assert client.get(f"{API}/customers/{theirs.pk}/").status_code == 404
    assert post(client, f"{API}/customers/", {"name": "Mine"}).status_code == 403
    assert patch(client, f"{API}/customers/{ours.pk}/", {"name": "x"}).status_code == 403


def test_customer_filters(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        segment = Segment.objects.create(name="Mid-market")
        customer_create(
            actor=None, name="Initech", domain="initech.example", country="DE", segment_id=segment.pk
        )
        customer_create(actor=None, name="Globex", country="US", external_ref="CRM-7")
    client = world.client("vendor_staff")
    assert client.get(f"{API}/customers/?country=de").json()["count"] == 1
    assert (
        client.get(f"{API}/customers/?segment={segment.pk}").json()["results"][0]["segment_name"]
        == "Mid-market"
    )
    assert client.get(f"{API}/customers/?q=crm-7").json()["results"][0]["name"] == "Globex"
    assert client.get(f"{API}/customers/?q=initech.example").json()["count"] == 1
    assert client.get(f"{API}/customers/?segment=mid").status_code == 400


def test_patch_changes_only_the_given_fields(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        customer = customer_create(actor=None, name="Initech", domain="initech.example", country="DE")
    client = world.client("vendor_admin")
    changed = patch(client, f"{API}/customers/{customer.pk}/", {"industry": "Manufacturing"})
    assert changed.status_code == 200
    assert changed.json()["industry"] == "Manufacturing" and changed.json()["domain"] == "initech.example"
    bad = patch(client, f"{API}/customers/{customer.pk}/", {"domain": "no domain here"})
    assert bad.status_code == 400 and "domain" in bad.json()
    assert client.delete(f"{API}/customers/{customer.pk}/").status_code == 405


def test_idempotent_customer_creation(world: World) -> None:
    client = world.client("vendor_staff")
    first = post(client, f"{API}/customers/", {"name": "Initech"}, **{"Idempotency-Key": "c-1"})
    second = post(client, f"{API}/customers/", {"name": "Initech"}, **{"Idempotency-Key": "c-1"})
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert unscoped(Customer).count() == 1


# --- referral codes ---------------------------------------------------------------------------------


def test_partner_admin_creates_codes_for_its_own_organisation(world: World) -> None:
    created = post(world.client("partner_admin"), f"{API}/referral-codes/", {"label": "Webinar"})
    assert created.status_code == 201, created.content
    assert created.json()["partner"] == world.alpha.p1.pk and created.json()["click_count"] == 0
    other = post(world.client("partner_admin"), f"{API}/referral-codes/", {"partner": world.alpha.p2.pk})
    assert other.status_code == 400 and other.json()["partner"] == ["No such partner."]
    assert post(world.client("partner_user"), f"{API}/referral-codes/", {}).status_code == 403
    vendor = world.client("vendor_staff")
    unnamed = post(vendor, f"{API}/referral-codes/", {"code": "X-1"})
    assert unnamed.status_code == 400 and unnamed.json()["partner"] == ["Name the partner this is for."]
    named = post(vendor, f"{API}/referral-codes/", {"partner": world.alpha.p2.pk, "code": "spring-26"})
    assert named.status_code == 201 and named.json()["code"] == "SPRING-26"
    taken = post(vendor, f"{API}/referral-codes/", {"partner": world.alpha.p1.pk, "code": "SPRING-26"})
    assert taken.status_code == 400 and "code" in taken.json()


def test_codes_are_scoped_filtered_and_switched_off(world: World) -> None:
    ours = code_of(world, "p1", code="OURS-1")
    theirs = code_of(world, "p2", code="THEIRS-1")
    partner = world.client("partner_admin")
    rows = partner.get(f"{API}/referral-codes/").json()["results"]
    assert "OURS-1" in {row["code"] for row in rows} and {row["partner"] for row in rows} == {
        world.alpha.p1.pk
    }
    assert partner.get(f"{API}/referral-codes/{theirs.pk}/").status_code == 404
    assert patch(partner, f"{API}/referral-codes/{theirs.pk}/", {"is_active": False}).status_code == 404
    off = patch(partner, f"{API}/referral-codes/{ours.pk}/", {"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert patch(world.client("partner_user"), f"{API}/referral-codes/{ours.pk}/", {}).status_code == 403
    vendor = world.client("vendor_staff")
    assert vendor.get(f"{API}/referral-codes/?is_active=false").json()["count"] == 1
    assert vendor.get(f"{API}/referral-codes/?q=theirs").json()["results"][0]["id"] == theirs.pk
    assert vendor.get(f"{API}/referral-codes/?is_active=maybe").status_code == 400

"""Partner API: create, read, update, stage moves and segments, behind the same services as the pages."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from partners.models import Partner, PartnerSegment, Segment, Stage, StageChange
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped

BASE = "/api/v1/alpha"


def post(client: Client, url: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def test_create_returns_the_partner_resource(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        segment = Segment.objects.create(name="MSP")
    response = post(
        world.client("vendor_staff"),
        f"{BASE}/partners/",
        {
            "name": "API Partner",
            "partner_type": "distributor",
            "website_domain": "https://www.api-partner.example/x",
            "country": "se",
            "segments": [segment.pk],
            "owner": world.alpha.members["vendor_staff"].user_id,
            "status": "active",
            "stage": "onboard",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    for key in (
        "id",
        "name",
        "partner_type",
        "status",
        "stage",
        "program",
        "tier",
        "segments",
        "owner",
        "parent",
        "website_domain",
        "country",
        "joined_on",
        "left_on",
    ):
        assert key in body
    assert body["website_domain"] == "api-partner.example" and body["country"] == "SE"
    assert body["segments"] == [segment.pk] and body["stage"] == "onboard" and body["joined_on"]
    assert unscoped(StageChange).filter(partner_id=body["id"], to_stage="onboard").exists()


def test_duplicate_and_cross_tenant_ids_answer_400_and_change_nothing(world: World) -> None:
    with tenant_context(world.bravo.tenant):
        bravo_segment = Segment.objects.create(name="Bravo only")
    client = world.client("vendor_admin")
    before = unscoped(Partner).count()
    duplicate = post(
        client, f"{BASE}/partners/", {"name": world.alpha.p1.name.lower(), "partner_type": "reseller"}
    )
    assert duplicate.status_code == 400 and "name" in duplicate.json()
    foreign = post(
        client,
        f"{BASE}/partners/",
        {"name": "Fine name", "partner_type": "reseller", "segments": [bravo_segment.pk]},
    )
    assert foreign.status_code == 400 and "segments" in foreign.json()
    missing = post(client, f"{BASE}/partners/", {"partner_type": "reseller"})
    assert missing.status_code == 400 and "name" in missing.json()
    assert unscoped(Partner).count() == before


def test_partner_roles_cannot_write(world: World) -> None:
    client = world.client("partner_admin")
    pk = world.alpha.p1.pk
    assert post(client, f"{BASE}/partners/", {"name": "Mine", "partner_type": "reseller"}).status_code == 403
    assert patch(client, f"{BASE}/partners/{pk}/", {"country": "US"}).status_code == 403
    stage = post(client, f"{BASE}/partners/{pk}/stage/", {"to_stage": "market", "reason": "please"})
    assert stage.status_code == 403
    assert not unscoped(StageChange).exists()
    assert unscoped(Partner).get(pk=pk).stage == Stage.SELL


def test_partner_roles_read_only_their_own_partner(world: World) -> None:
    client = world.client("partner_user")
    listed = client.get(f"{BASE}/partners/").json()
    assert [row["id"] for row in listed["results"]] == [world.alpha.p1.pk]
    assert client.get(f"{BASE}/partners/{world.alpha.p2.pk}/").status_code == 404
    assert client.get(f"{BASE}/partners/{world.alpha.p1.pk}/").status_code == 200


def test_patch_updates_and_refuses_stage(world: World) -> None:
    client = world.client("vendor_staff")
    url = f"{BASE}/partners/{world.alpha.p1.pk}/"
    response = patch(client, url, {"country": "fr", "website_domain": "p1.example"})
    assert response.status_code == 200 and response.json()["country"] == "FR"
    refused = patch(client, url, {"stage": "market"})
    assert refused.status_code == 400 and "stage" in refused.json()
    bad = patch(client, url, {"country": "France"})
    assert bad.status_code == 400 and "country" in bad.json()
    assert unscoped(Partner).get(pk=world.alpha.p1.pk).country == "FR"


def test_stage_move(world: World) -> None:
    client = world.client("vendor_staff")
    url = f"{BASE}/partners/{world.alpha.p1.pk}/stage/"
    moved = post(client, url, {"to_stage": "incentivize", "reason": "Deal closed"})
    assert moved.status_code == 200 and moved.json()["stage"] == "incentivize"
    change = unscoped(StageChange).get(partner_id=world.alpha.p1.pk)
    assert (change.from_stage, change.to_stage, change.reason) == ("sell", "incentivize", "Deal closed")
    assert post(client, url, {"to_stage": "incentivize", "reason": "again"}).status_code == 400
    assert post(client, url, {"to_stage": "moon", "reason": "x"}).status_code == 400
    assert post(client, url, {"to_stage": "market"}).status_code == 400
    assert unscoped(StageChange).count() == 1


def test_create_with_idempotency_key_runs_once(world: World) -> None:
    client = world.client("vendor_admin")
    payload = {"name": "Once Only", "partner_type": "referral"}
    first = post(client, f"{BASE}/partners/", payload, **{"Idempotency-Key": "abc-1"})
    again = post(client, f"{BASE}/partners/", payload, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert unscoped(Partner).filter(name="Once Only").count() == 1


def test_list_filters(world: World) -> None:
    client = world.client("vendor_staff")
    rows = client.get(f"{BASE}/partners/?partner_type=referral").json()["results"]
    assert [row["id"] for row in rows] == [world.alpha.p2.pk]
    assert client.get(f"{BASE}/partners/?program=abc").status_code == 400
    assert client.get(f"{BASE}/partners/?status=sleepy").status_code == 400


def test_segments(world: World) -> None:
    admin = world.client("vendor_admin")
    created = post(admin, f"{BASE}/segments/", {"name": "Enterprise SI", "description": "Big integrators"})
    assert created.status_code == 201 and created.json()["name"] == "Enterprise SI"
    assert post(admin, f"{BASE}/segments/", {"name": "enterprise si"}).status_code == 400
    assert post(world.client("vendor_staff"), f"{BASE}/segments/", {"name": "Nope"}).status_code == 403
    listed = world.client("partner_user").get(f"{BASE}/segments/").json()
    assert listed["count"] == 1 and set(listed) == {"count", "next", "previous", "results"}
    assert unscoped(Segment).filter(tenant=world.alpha.tenant).count() == 1
    assert not unscoped(PartnerSegment).exists()

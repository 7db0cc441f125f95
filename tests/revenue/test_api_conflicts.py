"""Conflicts API: a registration that collides with another partner's opens a case; vendor roles
see both sides and resolve it; a partner sees only its own side, never the other partner."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from revenue.models import ConflictCase, ConflictStatus, Deal, DealStatus
from tests.conftest import P2_MARKER, World, unscoped

pytestmark = pytest.mark.django_db

API = "/api/v1/alpha"
CLAIM = {
    "customer_name": "Initech Inc.",
    "customer_domain": "initech.example",
    "amount": "5000",
    "submit": True,
}


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def collide(world: World) -> tuple[dict[str, Any], dict[str, Any], int]:
    """P2 registers first (its title carries P2's marker), then P1 the same customer."""
    theirs = post(
        world.client("vendor_staff"),
        f"{API}/deals/",
        {**CLAIM, "partner": world.alpha.p2.pk, "title": f"Secret plan {P2_MARKER}"},
    ).json()
    ours = post(world.client("partner_user"), f"{API}/deals/", {**CLAIM, "title": "Our plan"}).json()
    case = unscoped(ConflictCase).get(deal_id=ours["id"])
    return ours, theirs, case.pk


def test_submission_opens_a_case_that_blocks_approval(world: World) -> None:
    ours, theirs, case_id = collide(world)
    assert ours["open_conflicts"] == 1 and ours["events"][-1]["action"] == "conflict_opened"
    vendor = world.client("vendor_staff")
    blocked = post(vendor, f"{API}/deals/{ours['id']}/approve/", {})
    assert blocked.status_code == 400 and "conflict" in blocked.json()["status"][0]
    case = vendor.get(f"{API}/conflicts/{case_id}/").json()
    assert case["status"] == "open" and case["match_kind"] == "domain"
    assert case["deal"]["id"] == ours["id"] and case["other_deal"]["id"] == theirs["id"]
    assert case["other_deal"]["partner"] == world.alpha.p2.pk
    assert case["default_winner"] == theirs["id"]


def test_partner_sees_only_its_own_side(world: World) -> None:
    ours, _theirs, case_id = collide(world)
    client = world.client("partner_admin")
    listed = client.get(f"{API}/conflicts/")
    detail = client.get(f"{API}/conflicts/{case_id}/")
    for response in (listed, detail):
        body = response.content.decode()
        assert response.status_code == 200
        assert P2_MARKER not in body and world.alpha.p2.name not in body and "other_deal" not in body
    case = detail.json()
    assert set(case) == {
        "id",
        "status",
        "match_kind",
        "deal",
        "outcome",
        "resolution_reason",
        "resolved_at",
        "created_at",
    }
    assert case["deal"]["id"] == ours["id"] and case["outcome"] == "pending"
    assert listed.json()["count"] == 1


def test_other_partners_people_see_the_case_from_their_side(world: World) -> None:
    _ours, theirs, case_id = collide(world)
    client = Client()
    client.force_login(world.alpha.p2_members["partner_user"].user)
    case = client.get(f"{API}/conflicts/{case_id}/").json()
    assert case["deal"]["id"] == theirs["id"] and "Our plan" not in json.dumps(case)


def test_resolve_names_a_winner_with_a_reason_both_sides_see(world: World) -> None:
    ours, theirs, case_id = collide(world)
    vendor = world.client("vendor_admin")
    url = f"{API}/conflicts/{case_id}/resolve/"
    assert post(world.client("partner_admin"), url, {"reason": "x"}).status_code == 403
    stranger = post(vendor, url, {"winner": 999999, "reason": "x"})
    assert stranger.status_code == 400 and stranger.json()["winner"] == [
        "Pick one of the two registrations in this conflict."
    ]
    no_reason = post(vendor, url, {"winner": ours["id"], "reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    resolved = post(vendor, url, {"winner": ours["id"], "reason": "P1 ran the pilot"})
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["winner"] == ours["id"] and resolved.json()["status"] == "resolved"
    assert unscoped(Deal).get(pk=theirs["id"]).status == DealStatus.REJECTED
    partner_view = world.client("partner_user").get(f"{API}/conflicts/{case_id}/").json()
    assert partner_view["outcome"] == "won" and partner_view["resolution_reason"] == "P1 ran the pilot"
    again = post(vendor, url, {"winner": ours["id"], "reason": "again"})
    assert again.status_code == 400
    approved = post(vendor, f"{API}/deals/{ours['id']}/approve/", {})
    assert approved.status_code == 200 and approved.json()["open_conflicts"] == 0


def test_resolve_without_a_winner_takes_the_first_submission(world: World) -> None:
    _ours, theirs, case_id = collide(world)
    resolved = post(
        world.client("vendor_staff"), f"{API}/conflicts/{case_id}/resolve/", {"reason": "First in"}
    )
    assert resolved.status_code == 200 and resolved.json()["winner"] == theirs["id"]
    assert unscoped(ConflictCase).get(pk=case_id).status == ConflictStatus.RESOLVED


def test_conflict_list_filters_and_scoping(world: World) -> None:
    collide(world)
    vendor = world.client("vendor_staff")
    assert vendor.get(f"{API}/conflicts/?status=open").json()["count"] == 1
    assert vendor.get(f"{API}/conflicts/?status=resolved").json()["count"] == 0
    assert vendor.get(f"{API}/conflicts/?status=nope").status_code == 400
    assert world.client("vendor_admin", tenant="bravo").get("/api/v1/bravo/conflicts/").json()["count"] == 0

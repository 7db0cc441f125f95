"""API of programs and prospects, and query counts of the recruit lists (pages and API)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from partners.models import Partner, PartnerStatus, PartnerType, Program, Prospect, Segment, Tier
from partners.services_profile import ideal_profile_save
from partners.services_program import program_create, tier_create
from partners.services_recruit import prospect_create
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped
from tests.test_query_counts import assert_flat_query_count, count_queries


def _json(response: Any) -> Any:
    return json.loads(response.content)


def _post(client: Client, url: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


def _patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def program(world: World) -> Program:
    admin = world.alpha.members["vendor_admin"]
    with tenant_context(world.alpha.tenant):
        program = program_create(actor=admin, name="Partner Program")
        for name in ("Registered", "Silver"):
            tier_create(actor=admin, program=program, name=name)
        ideal_profile_save(
            actor=admin,
            program=program,
            criteria=[
                {"kind": "partner_type", "values": ["services"], "weight": "1"},
                {"kind": "country", "values": ["DE"], "weight": "1"},
            ],
        )
    return program


def test_program_list_and_detail_with_tiers(world: World, program: Program) -> None:
    client = world.client("vendor_staff")
    listing = _json(client.get("/api/v1/alpha/programs/"))
    assert [row["name"] for row in listing["results"]] == ["Partner Program"]
    detail = _json(client.get(f"/api/v1/alpha/programs/{program.pk}/"))
    assert detail["is_default"] is True
    assert [(tier["name"], tier["rank"]) for tier in detail["tiers"]] == [("Registered", 1), ("Silver", 2)]


def test_partner_roles_see_only_their_own_program(world: World, program: Program) -> None:
    client = world.client("partner_user")
    assert _json(client.get("/api/v1/alpha/programs/"))["count"] == 0
    assert client.get(f"/api/v1/alpha/programs/{program.pk}/").status_code == 404
    with tenant_context(world.alpha.tenant):
        Partner.objects.filter(pk=world.alpha.p1.pk).update(program=program)
    assert _json(client.get("/api/v1/alpha/programs/"))["count"] == 1
    assert client.get(f"/api/v1/alpha/programs/{program.pk}/").status_code == 200


def test_program_create_by_admin_and_duplicate_is_400(world: World, program: Program) -> None:
    client = world.client("vendor_admin")
    created = _post(client, "/api/v1/alpha/programs/", {"name": "Alliances", "is_default": True})
    assert created.status_code == 201 and created.json()["is_default"] is True
    assert not unscoped(Program).get(pk=program.pk).is_default
    duplicate = _post(client, "/api/v1/alpha/programs/", {"name": "alliances"})
    assert duplicate.status_code == 400 and "name" in duplicate.json()


def test_prospect_create_returns_score_and_explanation(world: World, program: Program) -> None:
    client = world.client("vendor_staff")
    with tenant_context(world.alpha.tenant):
        segment = Segment.objects.create(name="Field service")
    payload = {
        "name": "Danube Field Service",
        "partner_type": "services",
        "program": program.pk,
        "country": "at",
        "segments": [segment.pk],
        "capabilities": ["PLC programming"],
    }
    response = _post(client, "/api/v1/alpha/prospects/", payload, **{"Idempotency-Key": "k-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["score"] == "50.0" and body["country"] == "AT" and body["segments"] == [segment.pk]
    assert [row["matched"] for row in body["score_explanation"]] == [1.0, 0.0]
    replay = _post(client, "/api/v1/alpha/prospects/", payload, **{"Idempotency-Key": "k-1"})
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert unscoped(Prospect).filter(name="Danube Field Service").count() == 1


def test_prospect_create_errors_are_field_errors(world: World, program: Program) -> None:
    response = _post(
        world.client("vendor_staff"),
        "/api/v1/alpha/prospects/",
        {"name": "X", "partner_type": "reseller", "program": 999_999, "country": "9Z"},
    )
    assert response.status_code == 400
    assert {"country", "program"} <= set(response.json())
    assert not unscoped(Prospect).filter(name="X").exists()


def test_prospect_patch_rescores_and_changes_status(world: World, program: Program) -> None:
    client = world.client("vendor_admin")
    with tenant_context(world.alpha.tenant):
        prospect = prospect_create(
            actor=world.alpha.members["vendor_admin"],
            name="Ruhr Retrofit",
            partner_type="reseller",
            program_id=program.pk,
        )
    url = f"/api/v1/alpha/prospects/{prospect.pk}/"
    response = _patch(client, url, {"country": "DE", "notes": "Met at Hannover Messe"})
    assert response.status_code == 200 and response.json()["score"] == "50.0"
    assert response.json()["partner_type"] == "reseller"  # untouched fields keep their values
    rejected = _patch(client, url, {"status": "rejected"})
    assert rejected.status_code == 400 and "reason" in rejected.json()
    qualified = _patch(client, url, {"status": "qualified", "reason": "Budget confirmed"})
    assert qualified.status_code == 200 and qualified.json()["status"] == "qualified"
    event = unscoped(AuditEvent).filter(verb="prospect.updated", object_id=str(prospect.pk)).first()
    assert event is not None and event.after["reason"] == "Budget confirmed"


def test_prospect_convert_via_api(world: World, program: Program) -> None:
    client = world.client("vendor_staff")
    with tenant_context(world.alpha.tenant):
        prospect = prospect_create(
            actor=world.alpha.members["vendor_staff"],
            name="Lyon Supply",
            partner_type="distributor",
            program_id=program.pk,
        )
    url = f"/api/v1/alpha/prospects/{prospect.pk}/convert/"
    refused = _post(client, url, {})
    assert refused.status_code == 400 and "status" in refused.json()
    assert not unscoped(Partner).filter(name="Lyon Supply").exists()
    _patch(client, f"/api/v1/alpha/prospects/{prospect.pk}/", {"status": "qualified"})
    converted = _post(client, url, {})
    assert converted.status_code == 201, converted.content
    body = converted.json()
    assert body["prospect"]["status"] == "converted" and body["partner"]["status"] == PartnerStatus.ONBOARDING
    assert body["prospect"]["converted_partner"] == body["partner"]["id"]
    assert _post(client, url, {}).status_code == 400


def test_prospect_list_filters_validate(world: World, program: Program) -> None:
    client = world.client("vendor_staff")
    assert client.get("/api/v1/alpha/prospects/?status=bogus").status_code == 400
    assert client.get("/api/v1/alpha/prospects/?status=new&partner_type=reseller").status_code == 200


# --- query counts -------------------------------------------------------------------------------


def _add_prospects(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        program = Program.objects.get_or_create(name="Bulk Program")[0]
        segment = Segment.objects.get_or_create(name="Bulk segment")[0]
        start = Prospect.objects.count()
        prospects = Prospect.objects.bulk_create(
            Prospect(
                name=f"Bulk prospect {start + i}",
                partner_type=PartnerType.RESELLER,
                program=program,
                score=Decimal(i % 100),
                score_explanation=[
                    {"criterion": "Type", "weight": 1, "matched": 1, "points": 1, "detail": "x"}
                ],
                owner=world.alpha.members["vendor_staff"].user,
            )
            for i in range(n)
        )
        from partners.models import ProspectSegment

        ProspectSegment.objects.bulk_create(ProspectSegment(prospect=p, segment=segment) for p in prospects)


def _add_programs(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        start = Program.objects.count()
        programs = Program.objects.bulk_create(Program(name=f"Bulk program {start + i}") for i in range(n))
        Tier.objects.bulk_create(Tier(program=p, name="Entry", rank=1) for p in programs)


def _add_segments(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        start = Segment.objects.count()
        Segment.objects.bulk_create(Segment(name=f"Bulk segment {start + i}") for i in range(n))


LISTS: list[tuple[str, str, str, Callable[[World, int], None]]] = [
    ("prospect_list", "vendor_staff", "/alpha/prospects/", _add_prospects),
    ("api_prospect_list", "vendor_staff", "/api/v1/alpha/prospects/?page_size=500", _add_prospects),
    ("program_list", "vendor_admin", "/alpha/config/programs/", _add_programs),
    ("api_program_list", "vendor_staff", "/api/v1/alpha/programs/?page_size=500", _add_programs),
    ("segment_list", "vendor_admin", "/alpha/config/segments/", _add_segments),
]


@pytest.mark.parametrize(("name", "role", "url", "add_rows"), LISTS, ids=[row[0] for row in LISTS])
def test_query_count_does_not_grow_with_rows(
    world: World, name: str, role: str, url: str, add_rows: Callable[[World, int], None]
) -> None:
    assert_flat_query_count(world, name=name, role=role, url=url, add_rows=add_rows)


def test_program_page_query_count_does_not_grow_with_tiers(world: World, program: Program) -> None:
    url = f"/alpha/config/programs/{program.pk}/"
    with tenant_context(world.alpha.tenant):
        Tier.objects.bulk_create(Tier(program=program, name=f"T{i}", rank=10 + i) for i in range(5))
    few = count_queries(world, "vendor_admin", url)
    with tenant_context(world.alpha.tenant):
        Tier.objects.bulk_create(Tier(program=program, name=f"U{i}", rank=100 + i) for i in range(50))
    assert count_queries(world, "vendor_admin", url) == few

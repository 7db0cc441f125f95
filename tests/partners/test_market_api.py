"""Market API: campaigns, MDF requests and their workflow actions, assessments; roles and scoping."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.test import Client

from partners.models import Assessment, Campaign, MdfRequest, MdfStatus, Question
from partners.services_health import assessment_submit, question_add
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped
from tests.partners.test_market_pages import approve, make_request, status_of

API = "/api/v1/alpha"


def post(client: Client, url: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


# --- campaigns ------------------------------------------------------------------------------------


def test_vendor_creates_and_patches_a_campaign(world: World) -> None:
    client = world.client("vendor_staff")
    payload = {
        "partner": world.alpha.p1.pk,
        "name": "Launch",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-31",
        "goal": "40 leads",
        "budget": "5000.00",
    }
    created = post(client, f"{API}/campaigns/", payload)
    assert created.status_code == 201 and created.json()["partner_name"] == world.alpha.p1.name
    pk = created.json()["id"]
    patched = client.patch(
        f"{API}/campaigns/{pk}/", json.dumps({"ends_on": "2026-02-01"}), content_type="application/json"
    )
    assert patched.status_code == 400 and "ends_on" in patched.json()
    patched = client.patch(
        f"{API}/campaigns/{pk}/", json.dumps({"budget": "6000"}), content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["budget"] == "6000.00"
    assert unscoped(Campaign).get().ends_on.isoformat() == "2026-03-31"


def test_campaign_validation_and_body_partner_of_another_tenant(world: World) -> None:
    client = world.client("vendor_admin")
    payload = {"name": "x", "starts_on": "2026-03-02", "ends_on": "2026-03-01", "goal": "y", "budget": "0"}
    refused = post(client, f"{API}/campaigns/", {**payload, "partner": world.alpha.p1.pk})
    assert refused.status_code == 400 and {"ends_on", "budget"} <= set(refused.json())
    foreign = post(client, f"{API}/campaigns/", {**payload, "partner": world.bravo.p1.pk})
    assert foreign.status_code == 400 and foreign.json()["partner"] == ["No such partner."]
    assert not unscoped(Campaign).exists()


def test_partner_reads_only_its_own_campaigns_and_cannot_create(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        for partner in (world.alpha.p1, world.alpha.p2):
            Campaign.objects.create(
                partner=partner,
                name=f"For {partner.name}",
                starts_on=datetime.date(2026, 1, 1),
                ends_on=datetime.date(2026, 1, 2),
                goal="g",
                budget=Decimal("1"),
            )
    client = world.client("partner_user")
    listed = client.get(f"{API}/campaigns/").json()
    assert [row["partner"] for row in listed["results"]] == [world.alpha.p1.pk]
    assert post(client, f"{API}/campaigns/", {"name": "x"}).status_code == 403


# --- MDF ------------------------------------------------------------------------------------------


def test_mdf_list_is_scoped_per_role(world: World) -> None:
    make_request(world, purpose="Ours")
    make_request(world, partner="p2", purpose="Theirs")
    vendor = world.client("vendor_staff").get(f"{API}/mdf-requests/").json()
    assert vendor["count"] == 2
    partner = world.client("partner_admin").get(f"{API}/mdf-requests/").json()
    assert [row["purpose"] for row in partner["results"]] == ["Ours"]
    filtered = world.client("vendor_staff").get(f"{API}/mdf-requests/?status=approved").json()
    assert filtered["count"] == 0
    assert world.client("vendor_staff").get(f"{API}/mdf-requests/?status=bogus").status_code == 400


def test_partner_posts_a_request_for_itself_only(world: World) -> None:
    client = world.client("partner_user")
    created = post(client, f"{API}/mdf-requests/", {"purpose": "Ads", "amount_requested": "300.00"})
    assert created.status_code == 201 and created.json()["partner"] == world.alpha.p1.pk
    other = post(
        client,
        f"{API}/mdf-requests/",
        {"partner": world.alpha.p2.pk, "purpose": "Ads", "amount_requested": "1"},
    )
    assert other.status_code == 400 and other.json()["partner"] == ["No such partner."]
    assert unscoped(MdfRequest).count() == 1


def test_vendor_must_name_the_partner(world: World) -> None:
    response = post(
        world.client("vendor_staff"), f"{API}/mdf-requests/", {"purpose": "x", "amount_requested": "1"}
    )
    assert response.status_code == 400 and "partner" in response.json()


def test_api_workflow_and_its_errors(world: World) -> None:
    mdf = make_request(world)
    vendor, partner = world.client("vendor_staff"), world.client("partner_admin")
    too_much = post(vendor, f"{API}/mdf-requests/{mdf.pk}/approve/", {"amount_approved": "1000.01"})
    assert (
        too_much.status_code == 400
        and "cannot exceed the requested amount" in too_much.json()["amount_approved"][0]
    )
    approved = post(vendor, f"{API}/mdf-requests/{mdf.pk}/approve/", {"amount_approved": "800"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = post(vendor, f"{API}/mdf-requests/{mdf.pk}/approve/", {"amount_approved": "800"})
    assert again.status_code == 400 and "this one is approved" in again.json()["non_field_errors"][0]
    over = post(
        partner, f"{API}/mdf-requests/{mdf.pk}/claim/", {"amount_claimed": "800.01", "claim_proof": "x"}
    )
    assert over.status_code == 400
    assert over.json()["amount_claimed"] == ["The claim cannot exceed the approved amount of 800.00."]
    assert status_of(mdf) == MdfStatus.APPROVED
    claimed = post(
        partner, f"{API}/mdf-requests/{mdf.pk}/claim/", {"amount_claimed": "799", "claim_proof": "Inv 9"}
    )
    assert claimed.status_code == 200 and claimed.json()["amount_claimed"] == "799.00"
    paid = post(vendor, f"{API}/mdf-requests/{mdf.pk}/reimburse/", {})
    assert paid.status_code == 200 and paid.json()["status"] == "reimbursed"


def test_partner_trying_to_approve_gets_403(world: World) -> None:
    mdf = make_request(world)
    for role in ("partner_admin", "partner_user"):
        response = post(
            world.client(role), f"{API}/mdf-requests/{mdf.pk}/approve/", {"amount_approved": "10"}
        )
        assert response.status_code == 403
    assert post(world.client("vendor_admin"), f"{API}/mdf-requests/{mdf.pk}/claim/", {}).status_code == 403
    assert status_of(mdf) == MdfStatus.REQUESTED


def test_partner_touching_another_partners_request_gets_404(world: World) -> None:
    theirs = approve(world, make_request(world, partner="p2"))
    client = world.client("partner_admin")
    assert client.get(f"{API}/mdf-requests/{theirs.pk}/").status_code == 404
    claim = post(
        client, f"{API}/mdf-requests/{theirs.pk}/claim/", {"amount_claimed": "1", "claim_proof": "x"}
    )
    assert claim.status_code == 404 and status_of(theirs) == MdfStatus.APPROVED


def test_idempotent_request_creation(world: World) -> None:
    client = world.client("partner_admin")
    body = {"purpose": "Ads", "amount_requested": "300.00"}
    first = post(client, f"{API}/mdf-requests/", body, **{"Idempotency-Key": "mdf-1"})
    second = post(client, f"{API}/mdf-requests/", body, **{"Idempotency-Key": "mdf-1"})
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert unscoped(MdfRequest).count() == 1


# --- assessments ----------------------------------------------------------------------------------


def _questions(world: World) -> list[Question]:
    with tenant_context(world.alpha.tenant):
        admin = world.alpha.members["vendor_admin"]
        return [
            question_add(actor=admin, domain="Capability", text="Certified", weight=1),
            question_add(actor=admin, domain="Engagement", text="Reviews", weight=1),
        ]


def test_assessment_post_accepts_an_object_or_pairs(world: World) -> None:
    a, b = _questions(world)
    vendor = world.client("vendor_staff")
    as_object = post(
        vendor, f"{API}/assessments/", {"partner": world.alpha.p1.pk, "answers": {str(a.pk): 5, str(b.pk): 3}}
    )
    assert as_object.status_code == 201
    assert as_object.json()["domain_scores"] == {"Capability": 100.0, "Engagement": 50.0}
    assert as_object.json()["respondent_side"] == "vendor"
    as_pairs = post(world.client("partner_user"), f"{API}/assessments/", {"answers": [[a.pk, 1], [b.pk, 1]]})
    assert as_pairs.status_code == 201 and as_pairs.json()["overall_score"] == "0.0"
    assert as_pairs.json()["respondent_side"] == "partner"


def test_assessment_post_errors_name_each_question(world: World) -> None:
    a, b = _questions(world)
    response = post(
        world.client("vendor_admin"),
        f"{API}/assessments/",
        {"partner": world.alpha.p1.pk, "answers": {str(a.pk): 9}},
    )
    assert response.status_code == 400 and set(response.json()) == {f"question_{a.pk}", f"question_{b.pk}"}
    malformed = post(
        world.client("vendor_admin"),
        f"{API}/assessments/",
        {"partner": world.alpha.p1.pk, "answers": [[a.pk]]},
    )
    assert malformed.status_code == 400 and "answers" in malformed.json()
    assert not unscoped(Assessment).exists()


def test_partner_reads_only_its_own_self_assessments(world: World) -> None:
    a, b = _questions(world)
    post(
        world.client("vendor_staff"),
        f"{API}/assessments/",
        {"partner": world.alpha.p1.pk, "answers": {a.pk: 3, b.pk: 3}},
    )
    mine = post(world.client("partner_admin"), f"{API}/assessments/", {"answers": {a.pk: 4, b.pk: 4}}).json()
    with tenant_context(world.alpha.tenant):
        theirs = assessment_submit(
            actor=world.alpha.p2_members["partner_admin"], partner=world.alpha.p2, answers={a.pk: 2, b.pk: 2}
        )
    client = world.client("partner_user")
    listed = client.get(f"{API}/assessments/").json()
    assert [row["id"] for row in listed["results"]] == [mine["id"]]
    assert listed["results"][0]["answers"] == [{"question": a.pk, "score": 4}, {"question": b.pk, "score": 4}]
    assert client.get(f"{API}/assessments/{theirs.pk}/").status_code == 404
    assert world.client("vendor_staff").get(f"{API}/assessments/").json()["count"] == 3

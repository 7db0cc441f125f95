"""Enablement API: the training catalogue, completions, a partner's checklist and ticking steps."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from partners.models import ChecklistItem, Side, Training, TrainingCompletion
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped
from tests.partners.enablement_support import make_completion, make_item, make_training, today

API = "/api/v1/alpha"


def _post(world: World, role: str, url: str, data: dict[str, Any] | None = None) -> Any:
    return world.client(role).post(url, data=json.dumps(data or {}), content_type="application/json")


def test_training_catalogue_reads_and_admin_creates(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        make_training("Offered")
        make_training("Withdrawn", is_active=False)
    vendor = world.client("vendor_staff").get(f"{API}/trainings/").json()
    assert sorted(t["name"] for t in vendor["results"]) == ["Offered", "Withdrawn"]
    partner = world.client("partner_user").get(f"{API}/trainings/").json()
    assert [t["name"] for t in partner["results"]] == ["Offered"]
    created = _post(
        world,
        "vendor_admin",
        f"{API}/trainings/",
        {"name": "Cert", "kind": "certification", "validity_days": 730},
    )
    assert created.status_code == 201 and created.json()["validity_days"] == 730
    bad = _post(
        world, "vendor_admin", f"{API}/trainings/", {"name": "Intro", "kind": "training", "validity_days": 5}
    )
    assert bad.status_code == 400 and "validity_days" in bad.json()
    assert (
        _post(world, "vendor_staff", f"{API}/trainings/", {"name": "X", "kind": "training"}).status_code
        == 403
    )
    assert unscoped(Training).filter(tenant=world.alpha.tenant).count() == 3


def test_completions_are_scoped_and_filtered(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        cert = make_training("Cert", validity=365)
        make_completion(cert, alpha.members["partner_user"], days_ago=400)
        make_completion(cert, alpha.p2_members["partner_user"], days_ago=5)
    everything = world.client("vendor_staff").get(f"{API}/training-completions/").json()
    assert everything["count"] == 2
    own = world.client("partner_user").get(f"{API}/training-completions/").json()
    assert [c["person"] for c in own["results"]] == [alpha.members["partner_user"].pk]
    assert own["results"][0]["status"] == "expired"
    current = world.client("vendor_staff").get(f"{API}/training-completions/", {"status": "current"}).json()
    assert [c["person"] for c in current["results"]] == [alpha.p2_members["partner_user"].pk]
    assert (
        world.client("vendor_staff").get(f"{API}/training-completions/", {"status": "bogus"}).status_code
        == 400
    )


def test_recording_completions_through_the_api(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        cert = make_training("Cert", validity=730)
    url = f"{API}/training-completions/"
    data = {"training": cert.pk, "person": alpha.members["partner_user"].pk, "completed_on": str(today())}
    created = _post(world, "partner_admin", url, data)
    assert created.status_code == 201
    assert created.json()["expires_on"] == str(today() + timedelta(days=730))
    assert created.json()["status"] == "current"
    duplicate = _post(world, "vendor_staff", url, data)
    assert duplicate.status_code == 400 and "completed_on" in duplicate.json()
    future = _post(world, "vendor_staff", url, {**data, "completed_on": str(today() + timedelta(days=1))})
    assert future.status_code == 400 and "completed_on" in future.json()
    other = _post(world, "partner_admin", url, {**data, "person": alpha.p2_members["partner_user"].pk})
    assert other.status_code == 404
    assert _post(world, "partner_user", url, data).status_code == 403
    assert unscoped(TrainingCompletion).count() == 1


def test_partner_checklist_endpoint(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_item(alpha.p1, due_in=-2, title="Late")
        make_item(alpha.p1, due_in=3, title="Soon", side=Side.VENDOR)
        make_item(alpha.p2, title="Theirs")
    body = world.client("vendor_staff").get(f"{API}/partners/{alpha.p1.pk}/checklist/").json()
    assert (body["done"], body["total"], body["overdue"]) == (0, 2, 1)
    assert [(i["title"], i["is_overdue"]) for i in body["items"]] == [("Late", True), ("Soon", False)]
    assert world.client("partner_user").get(f"{API}/partners/{alpha.p1.pk}/checklist/").status_code == 200
    assert world.client("partner_user").get(f"{API}/partners/{alpha.p2.pk}/checklist/").status_code == 404


def test_completing_steps_through_the_api(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        ours = make_item(alpha.p1, side=Side.PARTNER)
        vendor = make_item(alpha.p1, side=Side.VENDOR)
        theirs = make_item(alpha.p2, side=Side.PARTNER)
    done = _post(world, "partner_user", f"{API}/checklist-items/{ours.pk}/complete/")
    assert done.status_code == 200 and done.json()["completed_by"] == "partner_user@alpha.test"
    assert _post(world, "partner_user", f"{API}/checklist-items/{vendor.pk}/complete/").status_code == 403
    assert _post(world, "partner_user", f"{API}/checklist-items/{theirs.pk}/complete/").status_code == 404
    assert set(unscoped(ChecklistItem).filter(completed_at__isnull=False).values_list("pk", flat=True)) == {
        ours.pk
    }
    assert _post(world, "vendor_staff", f"{API}/checklist-items/{vendor.pk}/complete/").status_code == 200

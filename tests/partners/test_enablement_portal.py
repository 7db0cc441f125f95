"""The partner portal's checklist and trainings: only the partner's own data, partner-side steps only,
and completions recorded by the partner admin for its own people."""

from __future__ import annotations

import pytest

from partners.models import ChecklistItem, Side, Training, TrainingCompletion
from prm.tenancy import tenant_context
from tests.conftest import P2_MARKER, World, unscoped
from tests.partners.enablement_support import make_completion, make_item, make_training, today

HX = {"HX-Request": "true"}


@pytest.fixture
def steps(world: World) -> dict[str, ChecklistItem]:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        return {
            "ours": make_item(alpha.p1, title="Sign the agreement", side=Side.PARTNER),
            "vendor": make_item(alpha.p1, title="Provision accounts", side=Side.VENDOR),
            "theirs": make_item(alpha.p2, title=f"P2 step {P2_MARKER}", side=Side.PARTNER),
        }


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_portal_checklist_shows_only_our_steps(
    world: World, steps: dict[str, ChecklistItem], role: str
) -> None:
    body = world.client(role).get("/alpha/portal/checklist/").content.decode()
    assert "Sign the agreement" in body and "Provision accounts" in body
    assert P2_MARKER not in body
    assert f"/alpha/checklist-items/{steps['ours'].pk}/complete/" in body
    # The vendor's step has no button for the partner.
    assert f"/alpha/checklist-items/{steps['vendor'].pk}/complete/" not in body
    assert "0 of 2 done" in body


def test_partner_ticks_its_own_step_from_the_portal(world: World, steps: dict[str, ChecklistItem]) -> None:
    client = world.client("partner_user")
    response = client.post(f"/alpha/checklist-items/{steps['ours'].pk}/complete/", headers=HX)
    assert response.status_code == 200 and "1 of 2 done" in response.content.decode()
    assert "<html" not in response.content.decode()
    plain = client.post(f"/alpha/checklist-items/{steps['ours'].pk}/reopen/")
    assert plain.status_code == 302 and plain["Location"] == "/alpha/portal/checklist/"
    assert unscoped(ChecklistItem).get(pk=steps["ours"].pk).completed_at is None


def test_partner_cannot_tick_vendor_or_other_partners_steps(
    world: World, steps: dict[str, ChecklistItem]
) -> None:
    client = world.client("partner_admin")
    assert client.post(f"/alpha/checklist-items/{steps['vendor'].pk}/complete/").status_code == 403
    assert client.post(f"/alpha/checklist-items/{steps['theirs'].pk}/complete/").status_code == 404
    assert unscoped(ChecklistItem).filter(completed_at__isnull=False).count() == 0


def test_portal_checklist_empty_state(world: World) -> None:
    body = world.client("partner_user").get("/alpha/portal/checklist/").content.decode()
    assert "No onboarding checklist yet" in body and "Start onboarding checklist" not in body


def _seed_completions(world: World) -> Training:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        cert = make_training("Certified Admin", validity=365)
        make_completion(cert, alpha.members["partner_user"], days_ago=360)
        make_completion(cert, alpha.p2_members["partner_user"], days_ago=10)
        return cert


def test_portal_trainings_lists_only_our_people(world: World) -> None:
    _seed_completions(world)
    body = world.client("partner_user").get("/alpha/portal/trainings/").content.decode()
    assert body.count('data-testid="completion"') == 1
    assert 'data-testid="expiring"' in body and P2_MARKER not in body
    assert "Record a completion" not in body  # partner users read; partner admins record


def test_portal_trainings_filters_by_status(world: World) -> None:
    _seed_completions(world)
    client = world.client("partner_admin")
    expired = client.get("/alpha/portal/trainings/", {"status": "expired"}, headers=HX).content.decode()
    assert 'data-testid="completion"' not in expired and "No completions match" in expired
    expiring = client.get("/alpha/portal/trainings/", {"status": "expiring"}, headers=HX).content.decode()
    assert expiring.count('data-testid="completion"') == 1 and "<html" not in expiring


def test_partner_admin_records_for_own_people_only(world: World) -> None:
    cert = _seed_completions(world)
    client = world.client("partner_admin")
    data = {
        "person": world.alpha.members["partner_admin"].pk,
        "training": cert.pk,
        "completed_on": str(today()),
    }
    assert client.post("/alpha/portal/trainings/", data).status_code == 302
    recorded = unscoped(TrainingCompletion).get(person_id=world.alpha.members["partner_admin"].pk)
    assert recorded.expires_on is not None and recorded.partner_id == world.alpha.p1.pk
    smuggled = client.post(
        "/alpha/portal/trainings/", {**data, "person": world.alpha.p2_members["partner_admin"].pk}
    )
    assert smuggled.status_code == 400
    assert (
        not unscoped(TrainingCompletion).filter(person_id=world.alpha.p2_members["partner_admin"].pk).exists()
    )
    assert world.client("partner_user").post("/alpha/portal/trainings/", data).status_code == 403


def test_partner_admin_revokes_own_but_not_other_partners(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        course = make_training("Intro")
        mine = make_completion(course, alpha.members["partner_user"], days_ago=1)
        theirs = make_completion(course, alpha.p2_members["partner_user"], days_ago=1)
    client = world.client("partner_admin")
    assert client.post(f"/alpha/training-completions/{theirs.pk}/revoke/").status_code == 404
    response = client.post(f"/alpha/training-completions/{mine.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/alpha/portal/trainings/"
    assert list(unscoped(TrainingCompletion).values_list("pk", flat=True)) == [theirs.pk]
    assert (
        world.client("partner_user").post(f"/alpha/training-completions/{theirs.pk}/revoke/").status_code
        == 403
    )

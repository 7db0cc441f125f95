"""Vendor enablement pages: the partner 360 tabs (full page and htmx fragment), starting and ticking
checklists, recording completions, the overview and the configuration pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from partners.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    PartnerType,
    Side,
    Training,
    TrainingCompletion,
)
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped
from tests.partners.enablement_support import make_completion, make_item, make_template, make_training, today

HX = {"HX-Request": "true"}


def _body(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def _vary(response: object) -> list[str]:
    return [v.strip() for v in response["Vary"].split(",")]  # type: ignore[index]


# --- the checklist tab --------------------------------------------------------------------------------


def test_checklist_tab_renders_full_page_and_htmx_fragment(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_item(alpha.p1, title="Overdue step", due_in=-3, side=Side.VENDOR)
        make_item(alpha.p1, title="Future step", due_in=10)
    url = f"/alpha/partners/{alpha.p1.pk}/checklist/"
    client = world.client("vendor_staff")
    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in _body(page) and 'id="checklist-tab"' in _body(page)
    fragment = client.get(url, headers=HX)
    assert fragment.status_code == 200
    body = _body(fragment)
    assert "<html" not in body and body.lstrip().startswith('<div id="checklist-tab"')
    assert "0 of 2 done" in body
    assert f'hx-get="/alpha/partners/{alpha.p1.pk}/first-deal/"' in body  # served by the revenue app
    assert "HX-Request" in _vary(fragment) and "HX-Request" in _vary(page)


def test_overdue_badge_marks_only_open_steps_past_due(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_item(alpha.p1, title="Late and open", due_in=-1)
        make_item(alpha.p1, title="Late but done", due_in=-5, completed_at=alpha.p1.created_at)
        make_item(alpha.p1, title="Due today", due_in=0)
    body = _body(world.client("vendor_admin").get(f"/alpha/partners/{alpha.p1.pk}/checklist/", headers=HX))
    rows = body.split('data-testid="checklist-item"')[1:]
    flagged = {row.split("<td>")[1].split("</td>")[0]: 'data-testid="overdue"' in row for row in rows}
    assert flagged == {"Late and open": True, "Late but done": False, "Due today": False}
    assert '<div class="stat-value">1</div><div class="stat-label">Overdue steps</div>' in body


def test_empty_checklist_offers_start_and_says_when_no_template(world: World) -> None:
    alpha = world.alpha
    url = f"/alpha/partners/{alpha.p1.pk}/checklist/"
    client = world.client("vendor_staff")
    body = _body(client.get(url))
    assert 'data-testid="no-template"' in body and "Reseller partners" in body
    assert "Start onboarding checklist" not in body
    with tenant_context(alpha.tenant):
        make_template(PartnerType.RESELLER, [("Sign", Side.PARTNER, 3), ("Kick-off", Side.VENDOR, 5)])
    assert "Start onboarding checklist" in _body(client.get(url))


def test_start_button_creates_the_checklist(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_template(PartnerType.RESELLER, [("Sign", Side.PARTNER, 3), ("Kick-off", Side.VENDOR, 5)])
    client = world.client("vendor_staff")
    response = client.post(f"/alpha/partners/{alpha.p1.pk}/checklist/start/", headers=HX)
    assert response.status_code == 200 and "0 of 2 done" in _body(response)
    assert "<html" not in _body(response)
    # A second press (a double click) changes nothing.
    again = client.post(f"/alpha/partners/{alpha.p1.pk}/checklist/start/")
    assert again.status_code == 302 and again["Location"] == f"/alpha/partners/{alpha.p1.pk}/checklist/"
    assert unscoped(ChecklistItem).filter(partner_id=alpha.p1.pk).count() == 2


def test_start_without_template_says_so(world: World) -> None:
    client = world.client("vendor_admin")
    response = client.post(f"/alpha/partners/{world.alpha.p1.pk}/checklist/start/", follow=True)
    assert "No checklist template for Reseller partners yet" in _body(response)
    assert unscoped(ChecklistItem).count() == 0


def test_ticking_a_step_with_htmx_swaps_the_panel(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        item = make_item(alpha.p1, side=Side.VENDOR)
        make_item(alpha.p1, side=Side.PARTNER)
    client = world.client("vendor_staff")
    response = client.post(f"/alpha/checklist-items/{item.pk}/complete/", headers=HX)
    assert response.status_code == 200
    assert "1 of 2 done" in _body(response) and "Reopen" in _body(response)
    plain = client.post(f"/alpha/checklist-items/{item.pk}/reopen/")
    assert plain.status_code == 302 and plain["Location"] == f"/alpha/partners/{alpha.p1.pk}/checklist/"
    assert unscoped(ChecklistItem).get(pk=item.pk).completed_at is None


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_cannot_open_vendor_tabs(world: World, role: str) -> None:
    client = world.client(role)
    for tab in ("checklist", "trainings"):
        assert client.get(f"/alpha/partners/{world.alpha.p1.pk}/{tab}/").status_code == 403


# --- the trainings tab ---------------------------------------------------------------------------------


def test_trainings_tab_shows_expiring_and_expired_badges_and_counts(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        cert = make_training("Certified Admin", validity=365)
        make_completion(cert, alpha.members["partner_user"], days_ago=350)  # expires in 15 days
        make_completion(cert, alpha.members["partner_admin"], days_ago=400)  # expired
        make_completion(make_training("Intro"), alpha.members["partner_admin"], days_ago=2)
    url = f"/alpha/partners/{alpha.p1.pk}/trainings/"
    fragment = world.client("vendor_staff").get(url, headers=HX)
    body = _body(fragment)
    assert "<html" not in body and body.lstrip().startswith('<div id="trainings-tab"')
    assert body.count('data-testid="expiring"') == 1 and body.count('data-testid="expired"') == 1
    assert body.count('data-testid="completion"') == 3
    assert "<html" in _body(world.client("vendor_staff").get(url))


def _completion_post(world: World, **overrides: str) -> dict[str, str]:
    with tenant_context(world.alpha.tenant):
        training = Training.objects.first() or make_training("Fundamentals")
    data = {
        "person": str(world.alpha.members["partner_user"].pk),
        "training": str(training.pk),
        "completed_on": str(today()),
        "next": f"/alpha/partners/{world.alpha.p1.pk}/",
    }
    data.update(overrides)
    return data


def test_recording_from_the_tab_returns_to_the_partner_page(world: World) -> None:
    url = f"/alpha/partners/{world.alpha.p1.pk}/trainings/"
    response = world.client("vendor_staff").post(url, _completion_post(world))
    assert response.status_code == 302 and response["Location"] == f"/alpha/partners/{world.alpha.p1.pk}/"
    assert unscoped(TrainingCompletion).count() == 1


def test_recording_never_redirects_off_site(world: World) -> None:
    url = f"/alpha/partners/{world.alpha.p1.pk}/trainings/"
    for target in ("https://evil.example/", "//evil.example/x", "/bravo/"):
        with tenant_context(world.alpha.tenant):
            TrainingCompletion.objects.all().delete()
        response = world.client("vendor_staff").post(url, _completion_post(world, next=target))
        assert response.status_code == 302 and response["Location"] == url


def test_recording_errors_show_in_place_and_change_nothing(world: World) -> None:
    url = f"/alpha/partners/{world.alpha.p1.pk}/trainings/"
    client = world.client("vendor_staff")
    future = client.post(url, _completion_post(world, completed_on=str(today() + timedelta(days=2))))
    assert future.status_code == 400 and "cannot be in the future" in _body(future)
    other_partner = client.post(
        url, _completion_post(world, person=str(world.alpha.p2_members["partner_user"].pk))
    )
    assert other_partner.status_code == 400 and "Select a valid choice" in _body(other_partner)
    assert unscoped(TrainingCompletion).count() == 0


def test_revoke_returns_to_next(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        completion = make_completion(make_training("Intro"), alpha.members["partner_user"], days_ago=1)
    response = world.client("vendor_admin").post(
        f"/alpha/training-completions/{completion.pk}/revoke/", {"next": f"/alpha/partners/{alpha.p1.pk}/"}
    )
    assert response.status_code == 302 and response["Location"] == f"/alpha/partners/{alpha.p1.pk}/"
    assert unscoped(TrainingCompletion).count() == 0


# --- the overview -------------------------------------------------------------------------------------


def test_overview_sorts_by_overdue_and_searches(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_item(alpha.p2, due_in=-2)
        make_item(alpha.p2, due_in=-1)
        make_item(alpha.p1, due_in=-1, completed_at=alpha.p1.created_at)
        make_item(alpha.p1, due_in=5)
        make_completion(make_training("Cert", validity=365), alpha.members["partner_user"], days_ago=1)
    client = world.client("vendor_staff")
    body = _body(client.get("/alpha/enablement/", {"sort": "overdue"}, headers=HX))
    assert body.index(alpha.p2.name) < body.index(alpha.p1.name)
    assert "1 of 2 · 50%" in body and "0 of 2 · 0%" in body
    by_name = _body(client.get("/alpha/enablement/", {"sort": "name"}, headers=HX))
    assert by_name.index(alpha.p1.name) < by_name.index(alpha.p2.name)
    searched = _body(client.get("/alpha/enablement/", {"q": "Partner Two"}, headers=HX))
    assert alpha.p2.name in searched and alpha.p1.name not in searched


# --- configuration --------------------------------------------------------------------------------------


def test_admin_builds_a_template_through_the_pages(world: World) -> None:
    client = world.client("vendor_admin")
    created = client.post("/alpha/config/checklists/", {"partner_type": "services", "name": "Services"})
    assert created.status_code == 302
    template = unscoped(ChecklistTemplate).get(partner_type="services")
    step_url = f"/alpha/config/checklists/{template.pk}/steps/"
    bad = client.post(step_url, {"title": "", "owner_side": "partner", "due_days": "-1"})
    assert bad.status_code == 400 and unscoped(ChecklistTemplateItem).count() == 0
    assert "This field is required." in _body(bad)
    good = client.post(step_url, {"title": "Sign", "owner_side": "partner", "due_days": "3"})
    assert good.status_code == 302 and unscoped(ChecklistTemplateItem).get().title == "Sign"
    # The type now has its template, so the create form no longer offers it.
    listing = _body(client.get("/alpha/config/checklists/"))
    assert '<option value="services"' not in listing


def test_training_form_errors_in_place_and_deactivate(world: World) -> None:
    client: Client = world.client("vendor_admin")
    bad = client.post(
        "/alpha/config/trainings/new/", {"name": "Intro", "kind": "training", "validity_days": "30"}
    )
    assert bad.status_code == 400 and "Only certifications expire" in _body(bad)
    assert unscoped(Training).count() == 0
    assert (
        client.post("/alpha/config/trainings/new/", {"name": "Intro", "kind": "training"}).status_code == 302
    )
    training = unscoped(Training).get()
    client.post(f"/alpha/config/trainings/{training.pk}/active/", {"active": "no"})
    assert unscoped(Training).get().is_active is False
    listing = _body(world.client("vendor_staff").get("/alpha/config/trainings/", {"active": "no"}))
    assert "Intro" in listing and "Withdrawn" in listing

"""Market pages: the MDF queue (filters, htmx fragment, inline decisions), the partner's market tab,
campaign forms and the portal's MDF pages."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest

from partners.models import Campaign, MdfRequest, MdfStatus
from partners.services_market import mdf_request_approve, mdf_request_create
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import P2_MARKER, World, unscoped
from tests.test_pages import _field_errors

D = Decimal


def make_request(
    world: World, *, partner: str = "p1", purpose: str = "Trade show booth", amount: str = "1000"
) -> Any:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        actor = (alpha.members if partner == "p1" else alpha.p2_members)["partner_admin"]
        return mdf_request_create(
            actor=actor, partner=getattr(alpha, partner), purpose=purpose, amount_requested=amount
        )


def approve(world: World, mdf: MdfRequest, amount: str = "800") -> MdfRequest:
    with tenant_context(world.alpha.tenant):
        return mdf_request_approve(
            actor=world.alpha.members["vendor_staff"], request=mdf, amount_approved=amount
        )


def status_of(mdf: MdfRequest) -> str:
    return str(unscoped(MdfRequest).get(pk=mdf.pk).status)


def _scripts_are_external_or_data(body: str) -> bool:
    """The CSP allows no inline script: every <script> loads a file or carries JSON data."""
    tags = re.findall(r"<script\b[^>]*>", body)
    return all("src=" in tag or 'type="application/json"' in tag for tag in tags)


# --- the vendor queue -----------------------------------------------------------------------------


def test_queue_lists_every_partners_requests_with_totals(world: World) -> None:
    make_request(world, purpose="Booth for P1")
    make_request(world, partner="p2", purpose="Webinar for P2", amount="300")
    response = world.client("vendor_staff").get("/alpha/mdf/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Booth for P1" in body and "Webinar for P2" in body
    assert "1,300.00" in body  # awaiting decision, both requests
    assert _scripts_are_external_or_data(body)


def test_queue_htmx_returns_only_the_results_fragment(world: World) -> None:
    make_request(world)
    response = world.client("vendor_admin").get(
        "/alpha/mdf/?status=requested", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="results"') and "<html" not in body
    assert "Trade show booth" in body
    assert "HX-Request" in response["Vary"]


def test_queue_filters_by_status_partner_and_search(world: World) -> None:
    first = make_request(world, purpose="Alpha booth")
    make_request(world, partner="p2", purpose="Beta webinar")
    approve(world, first)
    client = world.client("vendor_staff")
    approved = client.get("/alpha/mdf/?status=approved").content.decode()
    assert "Alpha booth" in approved and "Beta webinar" not in approved
    by_partner = client.get(f"/alpha/mdf/?partner={world.alpha.p2.pk}").content.decode()
    assert "Beta webinar" in by_partner and "Alpha booth" not in by_partner
    searched = client.get("/alpha/mdf/?q=webinar").content.decode()
    assert "Beta webinar" in searched and "Alpha booth" not in searched
    nothing = client.get("/alpha/mdf/?q=nothing-like-this").content.decode()
    assert "No MDF requests match" in nothing
    assert client.get("/alpha/mdf/?status=bogus&partner=abc").status_code == 200


def test_queue_paginates_and_puts_decisions_first(world: World) -> None:
    for n in range(30):
        make_request(world, purpose=f"Request number {n:02d}")
    done = make_request(world, purpose="Already approved one")
    approve(world, done)
    client = world.client("vendor_staff")
    first = client.get("/alpha/mdf/").content.decode()
    assert "Page 1 of 2" in first and "Already approved one" not in first
    second = client.get("/alpha/mdf/?page=2").content.decode()
    assert "Already approved one" in second


def test_empty_queue_says_so(world: World) -> None:
    body = world.client("vendor_staff").get("/alpha/mdf/").content.decode()
    assert "No MDF requests yet" in body


# --- inline decisions -----------------------------------------------------------------------------


def test_inline_approve_swaps_the_row(world: World) -> None:
    mdf = make_request(world)
    response = world.client("vendor_staff").post(
        f"/alpha/mdf/{mdf.pk}/approve/",
        {"amount_approved": "750", "next": "/alpha/mdf/"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="mdf-{mdf.pk}"') and "Approved" in body and "750.00" in body
    assert status_of(mdf) == MdfStatus.APPROVED


def test_inline_approve_above_request_shows_error_in_the_row_and_changes_nothing(world: World) -> None:
    mdf = make_request(world)
    events = unscoped(AuditEvent).count()
    response = world.client("vendor_staff").post(
        f"/alpha/mdf/{mdf.pk}/approve/", {"amount_approved": "5000"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert f'id="mdf-{mdf.pk}"' in body and "cannot exceed the requested amount" in body
    assert 'value="5000"' in body, "what was typed is kept"
    assert status_of(mdf) == MdfStatus.REQUESTED and unscoped(AuditEvent).count() == events


def test_inline_reject_needs_a_reason(world: World) -> None:
    mdf = make_request(world)
    client = world.client("vendor_admin")
    refused = client.post(f"/alpha/mdf/{mdf.pk}/reject/", {"reason": ""}, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and "Give the partner a reason" in refused.content.decode()
    assert status_of(mdf) == MdfStatus.REQUESTED
    done = client.post(
        f"/alpha/mdf/{mdf.pk}/reject/", {"reason": "No budget"}, headers={"HX-Request": "true"}
    )
    assert done.status_code == 200 and "Rejected" in done.content.decode()
    assert status_of(mdf) == MdfStatus.REJECTED


def test_plain_post_redirects_back_to_the_page_it_came_from(world: World) -> None:
    mdf = make_request(world)
    response = world.client("vendor_staff").post(
        f"/alpha/mdf/{mdf.pk}/approve/", {"amount_approved": "100", "next": "/alpha/mdf/?status=requested"}
    )
    assert response.status_code == 302 and response["Location"] == "/alpha/mdf/?status=requested"


def test_plain_post_ignores_a_foreign_next(world: World) -> None:
    mdf = make_request(world)
    response = world.client("vendor_staff").post(
        f"/alpha/mdf/{mdf.pk}/reject/", {"reason": "No", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/alpha/mdf/{mdf.pk}/"


def test_plain_post_error_renders_the_detail_page_with_the_field_error(world: World) -> None:
    mdf = make_request(world)
    response = world.client("vendor_staff").post(f"/alpha/mdf/{mdf.pk}/approve/", {"amount_approved": "0"})
    assert response.status_code == 400
    assert _field_errors(response)["amount_approved"] == ["The approved amount must be above zero."]
    assert status_of(mdf) == MdfStatus.REQUESTED


def test_wrong_state_action_shows_the_current_state(world: World) -> None:
    mdf = make_request(world)
    approve(world, mdf)
    response = world.client("vendor_staff").post(
        f"/alpha/mdf/{mdf.pk}/reject/", {"reason": "Too late"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "this one is approved" in body and "Approved" in body
    assert status_of(mdf) == MdfStatus.APPROVED


def test_detail_page_shows_the_audit_trail(world: World) -> None:
    mdf = make_request(world)
    approve(world, mdf)
    body = world.client("vendor_admin").get(f"/alpha/mdf/{mdf.pk}/").content.decode()
    assert "mdf_request.created" in body and "mdf_request.approved" in body


# --- partner 360 market tab and campaigns -----------------------------------------------------------


def test_market_tab_is_a_full_page_and_an_htmx_partial(world: World) -> None:
    make_request(world, purpose="Tab booth")
    client = world.client("vendor_staff")
    url = f"/alpha/partners/{world.alpha.p1.pk}/market/"
    full = client.get(url).content.decode()
    assert 'data-testid="partner-header"' in full and 'id="tab-market"' in full and "Tab booth" in full
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="tab-market"') and "partner-header" not in fragment
    assert "Tab booth" in fragment
    # Inline decisions answer a refusal with 400 and the row; the page tells htmx to swap 400s.
    assert '{"code": "400", "swap": true, "error": false}' in full
    pager = client.get(url, headers={"HX-Request": "true", "HX-Target": "partner-mdf"}).content.decode()
    assert pager.lstrip().startswith('<div class="card" id="partner-mdf"') and "Campaigns" not in pager


def test_market_tab_shows_only_that_partner(world: World) -> None:
    make_request(world, partner="p2", purpose="Other partner's booth")
    body = world.client("vendor_staff").get(f"/alpha/partners/{world.alpha.p1.pk}/market/").content.decode()
    assert "Other partner's booth" not in body and "No campaigns yet" in body and "No MDF requests" in body


def test_campaign_create_with_end_before_start_is_refused_in_place(world: World) -> None:
    url = f"/alpha/partners/{world.alpha.p1.pk}/campaigns/new/"
    data = {
        "name": "Launch",
        "starts_on": "2026-05-01",
        "ends_on": "2026-04-01",
        "goal": "Leads",
        "budget": "100",
    }
    response = world.client("vendor_staff").post(url, data)
    assert response.status_code == 400
    assert _field_errors(response)["ends_on"] == ["The campaign cannot end before it starts."]
    assert not unscoped(Campaign).exists()
    response = world.client("vendor_staff").post(url, {**data, "ends_on": "2026-06-01"})
    assert response.status_code == 302
    assert unscoped(Campaign).get().budget == D("100.00")


def test_campaign_edit(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        campaign = Campaign.objects.create(
            partner=world.alpha.p1,
            name="Launch",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 1, 31),
            goal="Leads",
            budget=D("100"),
        )
    client = world.client("vendor_admin")
    assert 'value="Launch"' in client.get(f"/alpha/campaigns/{campaign.pk}/edit/").content.decode()
    data = {
        "name": "Launch",
        "starts_on": "2026-01-01",
        "ends_on": "2026-01-31",
        "goal": "Leads",
        "budget": "0",
    }
    refused = client.post(f"/alpha/campaigns/{campaign.pk}/edit/", data)
    assert refused.status_code == 400 and _field_errors(refused)["budget"]
    client.post(f"/alpha/campaigns/{campaign.pk}/edit/", {**data, "budget": "2500"})
    assert unscoped(Campaign).get().budget == D("2500.00")


def test_vendor_files_a_request_on_behalf(world: World) -> None:
    response = world.client("vendor_staff").post(
        f"/alpha/partners/{world.alpha.p1.pk}/mdf/new/",
        {"purpose": "Phone request", "amount_requested": "300"},
    )
    mdf = unscoped(MdfRequest).get()
    assert response.status_code == 302 and response["Location"] == f"/alpha/mdf/{mdf.pk}/"
    assert (
        mdf.partner_id == world.alpha.p1.pk and mdf.requested_by == world.alpha.members["vendor_staff"].user
    )


# --- portal ---------------------------------------------------------------------------------------


def test_portal_lists_only_our_requests(world: World) -> None:
    make_request(world, purpose="Our booth")
    make_request(world, partner="p2", purpose=f"Their booth {P2_MARKER}")
    body = world.client("partner_user").get("/alpha/portal/mdf/").content.decode()
    assert "Our booth" in body and P2_MARKER not in body


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_portal_request_form(world: World, role: str) -> None:
    client = world.client(role)
    refused = client.post("/alpha/portal/mdf/", {"purpose": "Ads", "amount_requested": "-5"})
    assert refused.status_code == 400 and _field_errors(refused)["amount_requested"]
    assert not unscoped(MdfRequest).exists()
    done = client.post("/alpha/portal/mdf/", {"purpose": "Ads", "amount_requested": "450"})
    assert done.status_code == 302
    mdf = unscoped(MdfRequest).get()
    assert (mdf.partner_id, mdf.status, mdf.amount_requested) == (world.alpha.p1.pk, "requested", D("450.00"))


def test_portal_claim_above_approval_is_refused_in_place_and_changes_nothing(world: World) -> None:
    mdf = approve(world, make_request(world), "800")
    client = world.client("partner_admin")
    response = client.post(
        f"/alpha/portal/mdf/{mdf.pk}/", {"amount_claimed": "900", "claim_proof": "Invoice 1"}
    )
    assert response.status_code == 400
    assert _field_errors(response)["amount_claimed"] == [
        "The claim cannot exceed the approved amount of 800.00."
    ]
    assert status_of(mdf) == MdfStatus.APPROVED and unscoped(MdfRequest).get().amount_claimed is None
    done = client.post(f"/alpha/portal/mdf/{mdf.pk}/", {"amount_claimed": "640", "claim_proof": "Invoice 1"})
    assert done.status_code == 302 and status_of(mdf) == MdfStatus.CLAIMED


def test_portal_cannot_see_or_claim_another_partners_request(world: World) -> None:
    theirs = approve(world, make_request(world, partner="p2"))
    client = world.client("partner_admin")
    assert client.get(f"/alpha/portal/mdf/{theirs.pk}/").status_code == 404
    response = client.post(f"/alpha/portal/mdf/{theirs.pk}/", {"amount_claimed": "10", "claim_proof": "x"})
    assert response.status_code == 404 and status_of(theirs) == MdfStatus.APPROVED


def test_portal_claim_form_only_once_approved(world: World) -> None:
    mdf = make_request(world)
    client = world.client("partner_user")
    assert 'name="claim_proof"' not in client.get(f"/alpha/portal/mdf/{mdf.pk}/").content.decode()
    approve(world, mdf)
    assert 'name="claim_proof"' in client.get(f"/alpha/portal/mdf/{mdf.pk}/").content.decode()
    early = make_request(world)
    refused = client.post(f"/alpha/portal/mdf/{early.pk}/", {"amount_claimed": "10", "claim_proof": "x"})
    assert refused.status_code == 400
    assert "Only an approved request can be claimed; this one is requested." in refused.content.decode()


def test_portal_list_offers_claim_forms_for_approved_requests(world: World) -> None:
    waiting = make_request(world, purpose="Still waiting")
    ready = approve(world, make_request(world, purpose="Ready one"), "600")
    client = world.client("partner_admin")
    body = client.get("/alpha/portal/mdf/").content.decode()
    assert 'data-testid="ready-to-claim"' in body
    assert (
        f'action="/alpha/portal/mdf/{ready.pk}/"' in body
        and f'action="/alpha/portal/mdf/{waiting.pk}/"' not in body
    )
    response = client.post(
        f"/alpha/portal/mdf/{ready.pk}/",
        {"amount_claimed": "550", "claim_proof": "Invoice 9", "next": "/alpha/portal/mdf/"},
    )
    assert response.status_code == 302 and response["Location"] == "/alpha/portal/mdf/"
    assert status_of(ready) == MdfStatus.CLAIMED
    assert 'data-testid="ready-to-claim"' not in client.get("/alpha/portal/mdf/").content.decode()

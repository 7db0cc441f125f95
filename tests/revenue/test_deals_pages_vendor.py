"""Vendor deal pages: the approval queue (inline approve/reject with htmx and without, the conflict
evidence side by side, extension decisions), all deals with filters and CSV, one deal (win, lose),
direct opportunities, and the conflict pages with their resolve form."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from prm.tenancy import tenant_context
from revenue.models import (
    Attribution,
    AttributionKind,
    ConflictCase,
    ConflictStatus,
    Deal,
    DealEvent,
    DealStatus,
    ExtensionStatus,
    RevenueEntry,
)
from revenue.services_deals import deal_create, deal_request_extension
from tests.conftest import World, unscoped
from tests.revenue.test_deals_pages import fresh, make_deal
from tests.test_pages import _field_errors

pytestmark = pytest.mark.django_db
QUEUE = "/alpha/deals/queue/"
HX = {"HX-Request": "true"}


def direct(world: World, *, name: str = "Hooli", domain: str = "hooli.com") -> Deal:
    with tenant_context(world.alpha.tenant):
        return deal_create(
            actor=world.alpha.members["vendor_admin"],
            partner=None,
            title=f"Direct {name}",
            customer_name=name,
            customer_domain=domain,
            amount="40000",
        )


def case_of(deal: Deal) -> ConflictCase:
    return unscoped(ConflictCase).get(deal_id=deal.pk)


# --- the queue ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["vendor_admin", "vendor_staff"])
def test_queue_lists_submitted_deals_oldest_first(world: World, role: str) -> None:
    make_deal(world, name="First Co", domain="first.com")
    make_deal(world, partner="p2", name="Second Co", domain="second.com")
    make_deal(world, name="Drafted", domain="drafted.com", submit=False)
    make_deal(world, name="Done", domain="done.com", approve=True)
    response = world.client(role).get(QUEUE)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("First Co deal") < body.index("Second Co deal")
    assert "Drafted deal" not in body and "Done deal" not in body
    assert body.count('data-testid="approve-form"') == 2


def test_queue_shows_conflict_evidence_side_by_side_and_no_approve(world: World) -> None:
    holder = make_deal(world, partner="p2", name="Hooli", domain="hooli.com", approve=True, mark=False)
    claimant = make_deal(world, name="Hooli Inc", domain="www.hooli.com")
    body = world.client("vendor_staff").get(QUEUE).content.decode()
    item = body.split(f'id="queue-deal-{claimant.pk}"')[1]
    assert 'data-testid="conflict-evidence"' in item and item.count('data-testid="evidence-side"') == 2
    assert "alpha Partner One" in item and "alpha Partner Two" in item  # staff see both partners
    assert "Same website domain" in item and "UTC" in item
    assert f"#{holder.pk} {holder.title}" in item and 'data-testid="default-winner"' in item
    assert (
        'data-testid="approve-form"' not in item and f"/alpha/deals/conflicts/{case_of(claimant).pk}/" in item
    )


def test_queue_lists_extension_requests(world: World) -> None:
    deal = make_deal(world, approve=True)
    with tenant_context(world.alpha.tenant):
        deal_request_extension(actor=world.alpha.members["partner_user"], deal=deal, reason="Board in May")
    body = world.client("vendor_admin").get(QUEUE).content.decode()
    assert f'id="extension-{deal.pk}"' in body and "Board in May" in body


def test_inline_approve_returns_the_card(world: World) -> None:
    deal = make_deal(world)
    response = world.client("vendor_staff").post(
        f"/alpha/deals/{deal.pk}/approve/", {"reason": ""}, headers=HX
    )
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert body.lstrip().startswith(f'<div class="card" id="queue-deal-{deal.pk}"') and "<html" not in body
    assert 'data-testid="queue-outcome"' in body and "protected until" in body
    assert fresh(deal).status == DealStatus.APPROVED


def test_approve_without_javascript_goes_back_to_the_queue(world: World) -> None:
    deal = make_deal(world)
    response = world.client("vendor_admin").post(f"/alpha/deals/{deal.pk}/approve/", {"next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert fresh(deal).status == DealStatus.APPROVED
    off_site = world.client("vendor_admin").post(
        f"/alpha/deals/{make_deal(world, name='Other', domain='other.com').pk}/approve/",
        {"next": "https://evil.example/"},
    )
    assert off_site["Location"].startswith("/alpha/deals/")


def test_inline_approve_of_a_conflicted_deal_is_refused_in_place(world: World) -> None:
    make_deal(world, partner="p2", name="Hooli", domain="hooli.com")
    claimant = make_deal(world, name="Hooli", domain="hooli.com")
    response = world.client("vendor_staff").post(f"/alpha/deals/{claimant.pk}/approve/", {}, headers=HX)
    body = response.content.decode()
    assert response.status_code == 400 and "Resolve the open conflict" in body
    assert 'data-testid="conflict-evidence"' in body
    assert fresh(claimant).status == DealStatus.SUBMITTED


def test_inline_reject_needs_a_reason(world: World) -> None:
    deal = make_deal(world)
    client = world.client("vendor_staff")
    refused = client.post(f"/alpha/deals/{deal.pk}/reject/", {"reason": ""}, headers=HX)
    assert refused.status_code == 400 and "Give a reason" in refused.content.decode()
    done = client.post(f"/alpha/deals/{deal.pk}/reject/", {"reason": "Not qualified"}, headers=HX)
    assert done.status_code == 200 and "Rejected: Not qualified" in done.content.decode()
    assert fresh(deal).status == DealStatus.REJECTED


def test_reject_without_javascript_shows_errors_on_the_deal_page(world: World) -> None:
    deal = make_deal(world)
    response = world.client("vendor_staff").post(f"/alpha/deals/{deal.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    assert "<html" in response.content.decode() and _field_errors(response)["reason"]


@pytest.mark.parametrize(
    ("decision", "outcome"), [("grant", ExtensionStatus.GRANTED), ("deny", ExtensionStatus.DENIED)]
)
def test_extension_decision_inline(world: World, decision: str, outcome: str) -> None:
    deal = make_deal(world, approve=True)
    with tenant_context(world.alpha.tenant):
        deal_request_extension(actor=world.alpha.members["partner_user"], deal=deal, reason="More time")
    ends = fresh(deal).protection_ends_at
    response = world.client("vendor_staff").post(
        f"/alpha/deals/{deal.pk}/extension/", {"decision": decision, "reason": "Checked"}, headers=HX
    )
    assert response.status_code == 200 and f'id="extension-{deal.pk}"' in response.content.decode()
    assert fresh(deal).extension_status == outcome
    assert (fresh(deal).protection_ends_at > ends) == (decision == "grant")


# --- all deals and CSV ----------------------------------------------------------------------------


def test_deal_list_filters_by_status_partner_direct_and_search(world: World) -> None:
    make_deal(world, name="Approvia", domain="approvia.com", approve=True)
    make_deal(world, partner="p2", name="Theirs", domain="theirs.com")
    direct(world, name="Own Co", domain="own.com")
    client = world.client("vendor_admin")
    body = client.get("/alpha/deals/").content.decode()
    assert "Approvia deal" in body and "Theirs deal" in body and "Direct Own Co" in body
    body = client.get(f"/alpha/deals/?partner={world.alpha.p2.pk}", headers=HX).content.decode()
    assert "Theirs deal" in body and "Approvia deal" not in body and "<html" not in body
    body = client.get("/alpha/deals/?direct=on").content.decode()
    assert "Direct Own Co" in body and "Approvia deal" not in body
    body = client.get("/alpha/deals/?status=approved&q=approvia").content.decode()
    assert "Approvia deal" in body and "Direct Own Co" not in body


def test_deal_export_matches_the_filters(world: World) -> None:
    make_deal(world, name="Approvia", domain="approvia.com", approve=True)
    make_deal(world, partner="p2", name="Theirs", domain="theirs.com")
    direct(world, name="Own Co", domain="own.com")
    response = world.client("vendor_staff").get("/alpha/deals/export.csv?status=approved")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"].startswith('attachment; filename="alpha-deals-')
    assert sorted((row["partner"], row["customer_name"]) for row in rows) == [
        ("(direct)", "Own Co"),
        ("alpha Partner One", "Approvia"),
    ]


# --- one deal: win, lose ------------------------------------------------------------------------


def test_win_records_revenue_and_credit_and_shows_them(world: World) -> None:
    deal = make_deal(world, approve=True)
    client = world.client("vendor_staff")
    response = client.post(f"/alpha/deals/{deal.pk}/win/", {"amount": "23000", "closed_on": "2026-04-01"})
    assert response.status_code == 302 and response["Location"] == f"/alpha/deals/{deal.pk}/"
    entry = unscoped(RevenueEntry).get(deal_id=deal.pk)
    credit = unscoped(Attribution).get(deal_id=deal.pk)
    assert entry.amount == Decimal("23000.00") and credit.kind == AttributionKind.SOURCED
    body = client.get(f"/alpha/deals/{deal.pk}/").content.decode()
    assert f"#{entry.pk}" in body and "23,000.00" in body and "Sourced" in body
    assert body.count('data-testid="revenue-row"') == 1 and body.count('data-testid="attribution-row"') == 1
    portal = world.client("partner_user").get(f"/alpha/portal/deals/{deal.pk}/").content.decode()
    assert "23,000.00" in portal and "Sourced" in portal


def test_win_errors_stay_in_place(world: World) -> None:
    deal = make_deal(world, approve=True)
    response = world.client("vendor_staff").post(
        f"/alpha/deals/{deal.pk}/win/", {"amount": "-3", "margin": "2"}
    )
    assert response.status_code == 400
    errors = _field_errors(response)
    assert errors["amount"] and errors["margin"]
    assert fresh(deal).status == DealStatus.APPROVED and not unscoped(RevenueEntry).exists()


def test_win_of_a_submitted_deal_is_refused_with_a_message(world: World) -> None:
    deal = make_deal(world)
    response = world.client("vendor_staff").post(f"/alpha/deals/{deal.pk}/win/", {})
    assert response.status_code == 400 and "cannot be won" in response.content.decode()


def test_lose_from_the_deal_page(world: World) -> None:
    deal = make_deal(world, approve=True)
    client = world.client("vendor_admin")
    assert client.post(f"/alpha/deals/{deal.pk}/lose/", {"reason": ""}).status_code == 400
    assert client.post(f"/alpha/deals/{deal.pk}/lose/", {"reason": "No budget"}).status_code == 302
    assert fresh(deal).status == DealStatus.LOST


def test_vendor_history_names_everyone(world: World) -> None:
    deal = make_deal(world, approve=True)
    body = world.client("vendor_admin").get(f"/alpha/deals/{deal.pk}/").content.decode()
    assert "partner_user" in body and "vendor_staff" in body


# --- direct opportunities -------------------------------------------------------------------------


def test_direct_opportunity_is_opened_and_blocks_partner_claims(world: World) -> None:
    client = world.client("vendor_staff")
    form = {
        "title": "Own pursuit",
        "customer_name": "Massive Dynamic",
        "customer_domain": "massive.com",
        "stream": "new",
        "amount": "9000",
    }
    response = client.post("/alpha/deals/direct/new/", form)
    deal = unscoped(Deal).get(title="Own pursuit")
    assert response.status_code == 302 and response["Location"] == f"/alpha/deals/{deal.pk}/"
    assert deal.partner_id is None and deal.status == DealStatus.APPROVED
    claimant = make_deal(world, name="Massive Dynamic", domain="massive.com")
    assert case_of(claimant).other_deal_id == deal.pk
    bad = client.post("/alpha/deals/direct/new/", {**form, "amount": "0", "customer_name": ""})
    assert bad.status_code == 400
    errors = _field_errors(bad)
    assert errors["amount"] and errors["customer_name"]


# --- conflicts ------------------------------------------------------------------------------------


def test_conflict_list_shows_open_cases_and_resolved_on_request(world: World) -> None:
    make_deal(world, partner="p2", name="Hooli", domain="hooli.com")
    claimant = make_deal(world, name="Hooli", domain="hooli.com")
    client = world.client("vendor_staff")
    body = client.get("/alpha/deals/conflicts/").content.decode()
    assert f'id="conflict-{case_of(claimant).pk}"' in body and "Domain" in body
    body = client.get("/alpha/deals/conflicts/?status=resolved", headers=HX).content.decode()
    assert "No conflicts" in body and "<html" not in body


def test_conflict_detail_preselects_the_first_submission(world: World) -> None:
    holder = make_deal(world, partner="p2", name="Hooli", domain="hooli.com", approve=True)
    claimant = make_deal(world, name="Hooli", domain="hooli.com")
    case = case_of(claimant)
    body = world.client("vendor_admin").get(f"/alpha/deals/conflicts/{case.pk}/").content.decode()
    assert 'value="other_deal" id="winner_other_deal" checked' in body
    assert 'value="deal" id="winner_deal" checked' not in body
    assert holder.title in body and claimant.title in body and body.count('data-testid="evidence-side"') == 2


def test_resolve_needs_a_reason_then_rejects_the_loser(world: World) -> None:
    holder = make_deal(world, partner="p2", name="Hooli", domain="hooli.com", approve=True)
    claimant = make_deal(world, name="Hooli", domain="hooli.com")
    case = case_of(claimant)
    client = world.client("vendor_staff")
    url = f"/alpha/deals/conflicts/{case.pk}/resolve/"
    refused = client.post(url, {"winner": "deal", "reason": ""})
    assert refused.status_code == 400 and _field_errors(refused)["reason"]
    assert 'value="deal" id="winner_deal" checked' in refused.content.decode()  # the choice is kept
    response = client.post(url, {"winner": "deal", "reason": "P1 ran the evaluation"})
    assert response.status_code == 302 and response["Location"] == f"/alpha/deals/conflicts/{case.pk}/"
    assert unscoped(ConflictCase).get(pk=case.pk).status == ConflictStatus.RESOLVED
    assert fresh(holder).status == DealStatus.REJECTED
    assert unscoped(DealEvent).filter(deal_id=holder.pk, reason__contains="P1 ran the evaluation").exists()
    body = client.get(f"/alpha/deals/conflicts/{case.pk}/").content.decode()
    assert "P1 ran the evaluation" in body and 'data-testid="resolve-form"' not in body
    assert client.post(url, {"winner": "other_deal", "reason": "Again"}).status_code == 400

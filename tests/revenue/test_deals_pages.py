"""Partner portal deal pages: our deals (countdown, conflict flag, filters, htmx, CSV), registering
with the live duplicate check, one deal with its history and the partner's actions.

A partner never sees another partner's name or registration: not in the duplicate warning, not in
the conflict state, not in the history."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.utils import timezone

from prm.tenancy import tenant_context
from revenue.models import ConflictCase, Deal, DealStatus, ExtensionStatus
from revenue.services_deals import conflict_resolve, deal_approve, deal_create
from tests.conftest import P2_MARKER, TenantWorld, World, unscoped
from tests.test_pages import _field_errors, _non_field_errors

pytestmark = pytest.mark.django_db
PORTAL = "/alpha/portal/deals/"
FORM = {
    "title": "Initech ERP",
    "customer_name": "Initech Inc.",
    "customer_domain": "initech.com",
    "country": "US",
    "stream": "new",
    "amount": "25000",
    "expected_close_on": "2026-09-30",
    "notes": "",
}


def make_deal(
    world: World,
    *,
    partner: str = "p1",
    name: str = "Initech Inc.",
    domain: str = "initech.com",
    title: str = "",
    submit: bool = True,
    approve: bool = False,
    mark: bool = True,
) -> Deal:
    """A registration made through the services; P2's carry the P2 marker in their visible texts
    (`mark=False` keeps the customer name exact, for matching tests; the title keeps the marker)."""
    alpha = world.alpha
    marker = f" {P2_MARKER}" if partner == "p2" else ""
    with tenant_context(alpha.tenant):
        actor = (alpha.members if partner == "p1" else alpha.p2_members)["partner_user"]
        deal = deal_create(
            actor=actor,
            partner=getattr(alpha, partner),
            submit=submit,
            title=(title or f"{name} deal") + marker,
            customer_name=name + marker if mark else name,
            customer_domain=domain,
            amount="25000",
        )
        if approve:
            deal = deal_approve(actor=alpha.members["vendor_staff"], deal=deal)
    return deal


def fresh(deal: Deal) -> Deal:
    return unscoped(Deal).get(pk=deal.pk)


def htmx_get(world: World, role: str, url: str) -> Any:
    return world.client(role).get(url, headers={"HX-Request": "true"})


# --- our deals ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_our_deals_lists_own_deals_with_status_countdown_and_conflict_flag(world: World, role: str) -> None:
    make_deal(world, name="Approvia", domain="approvia.com", approve=True)
    make_deal(world, partner="p2", name="Hooli", domain="hooli.com", approve=True)
    make_deal(world, name="Hooli", domain="hooli.com")  # in conflict with P2's approved deal
    make_deal(world, name="Drafty", domain="drafty.com", submit=False)
    response = world.client(role).get(PORTAL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Approvia deal" in body and "Drafty deal" in body and "Hooli deal" in body
    assert "90 days left" in body  # the tenant's default window, from today
    assert body.count('data-testid="countdown"') == 1  # only the approved deal has one
    assert body.count('data-testid="in-review"') == 1
    assert P2_MARKER not in body


def test_countdown_says_expires_today_on_the_last_day(world: World) -> None:
    deal = make_deal(world, approve=True)
    with tenant_context(world.alpha.tenant):
        Deal.objects.filter(pk=deal.pk).update(protection_ends_at=timezone.now())
    body = world.client("partner_user").get(PORTAL).content.decode()
    assert "expires today" in body


def test_our_deals_filters_and_htmx_returns_the_fragment(world: World) -> None:
    make_deal(world, name="Approvia", domain="approvia.com", approve=True)
    make_deal(world, name="Submitta", domain="submitta.com")
    response = htmx_get(world, "partner_admin", f"{PORTAL}?status=approved")
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert body.lstrip().startswith('<div id="results"') and "<html" not in body
    assert "Approvia deal" in body and "Submitta deal" not in body
    body = world.client("partner_admin").get(f"{PORTAL}?q=submitta").content.decode()
    assert "Submitta deal" in body and "Approvia deal" not in body
    assert "export.csv?q=submitta" in body  # the export link carries the filters


def test_our_deals_paginates_with_htmx_links(world: World) -> None:
    for i in range(27):
        make_deal(world, name=f"Customer {i:02d}", domain=f"c{i}.example", submit=False)
    body = world.client("partner_user").get(PORTAL).content.decode()
    assert "Page 1 of 2" in body and 'hx-get="?page=2"' in body and 'href="?page=2"' in body
    assert "Customer 26 deal" in body and "Customer 00 deal" not in body  # newest first
    body = htmx_get(world, "partner_user", f"{PORTAL}?page=2").content.decode()
    assert "Customer 00 deal" in body


def test_empty_state_links_to_register(world: World) -> None:
    body = world.client("partner_user").get(PORTAL).content.decode()
    assert "No deals registered yet" in body
    assert 'href="/alpha/portal/deals/new/"' in body


def test_csv_export_has_own_filtered_rows(world: World) -> None:
    make_deal(world, name="Approvia", domain="approvia.com", approve=True)
    make_deal(world, name="Submitta", domain="submitta.com")
    make_deal(world, partner="p2", name="Theirs", domain="theirs.com", approve=True)
    response = world.client("partner_user").get(f"{PORTAL}export.csv?status=approved")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["customer_name"] for row in rows] == ["Approvia"]
    assert rows[0]["status"] == "approved" and rows[0]["amount"] == "25000.00"
    assert rows[0]["in_conflict_review"] == "no" and rows[0]["protection_ends_at"].endswith("+00:00")
    everything = world.client("partner_admin").get(f"{PORTAL}export.csv").content.decode()
    assert (
        "Submitta" in everything
        and P2_MARKER not in everything
        and "partner" not in everything.split("\n")[0]
    )


# --- register a deal ------------------------------------------------------------------------------


def test_register_form_wires_the_live_duplicate_check(world: World) -> None:
    body = world.client("partner_user").get(f"{PORTAL}new/").content.decode()
    for name in ("customer_name", "customer_domain"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
        assert tag is not None
        assert 'hx-get="/alpha/portal/deals/check/"' in tag.group(0)
        assert "keyup changed delay:300ms" in tag.group(0)
    assert 'id="duplicate-check"' in body
    assert 'value="submit"' in body and 'value="draft"' in body


@pytest.mark.parametrize(
    ("action", "status"), [("submit", DealStatus.SUBMITTED), ("draft", DealStatus.DRAFT)]
)
def test_register_saves_a_draft_or_submits(world: World, action: str, status: str) -> None:
    response = world.client("partner_user").post(f"{PORTAL}new/", {**FORM, "action": action})
    deal = unscoped(Deal).get(title="Initech ERP")
    assert response.status_code == 302 and response["Location"] == f"{PORTAL}{deal.pk}/"
    assert (deal.status, deal.partner_id, deal.customer_domain) == (status, world.alpha.p1.pk, "initech.com")


def test_register_shows_field_errors_in_place(world: World) -> None:
    bad = {**FORM, "title": "", "customer_domain": "not a domain", "amount": "lots", "action": "submit"}
    response = world.client("partner_user").post(f"{PORTAL}new/", bad)
    assert response.status_code == 400
    errors = _field_errors(response)
    assert errors["title"] and errors["customer_domain"] and errors["amount"]
    assert not errors["customer_name"]
    assert not unscoped(Deal).exists()


def test_register_refuses_a_second_open_registration_of_the_customer(world: World) -> None:
    first = make_deal(world, submit=False)
    response = world.client("partner_admin").post(
        f"{PORTAL}new/", {**FORM, "customer_domain": "https://www.initech.com/", "action": "submit"}
    )
    assert response.status_code == 400
    assert f"#{first.pk}" in _non_field_errors(response)
    assert unscoped(Deal).count() == 1


def test_register_with_a_conflict_submits_and_says_so(world: World) -> None:
    make_deal(world, partner="p2", name="Initech", domain="initech.com", approve=True)
    response = world.client("partner_user").post(f"{PORTAL}new/", {**FORM, "action": "submit"}, follow=True)
    body = response.content.decode()
    assert "the channel team will review the conflict" in body
    assert P2_MARKER not in body


# --- the live duplicate check ---------------------------------------------------------------------


def test_check_warns_about_another_partners_registration_without_naming_it(world: World) -> None:
    make_deal(world, partner="p2", name="Initech", domain="initech.com", approve=True)
    response = htmx_get(
        world, "partner_user", "/alpha/portal/deals/check/?customer_name=Acme&customer_domain=initech.com"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert body.lstrip().startswith('<div id="duplicate-check"') and "<html" not in body
    assert "Another registration already covers a customer matching “initech.com” (domain match)" in body
    assert "You can still submit; the channel team will review the conflict." in body
    assert P2_MARKER not in body and "Partner Two" not in body


def test_check_reports_a_similar_name_with_its_score(world: World) -> None:
    make_deal(world, partner="p2", name="Globex Corporation Holdings", domain="", mark=False)
    body = htmx_get(
        world, "partner_user", "/alpha/portal/deals/check/?customer_name=Globex+Corp+Holding"
    ).content.decode()
    assert "matching “Globex Corp Holding” (very similar name, 97%)" in body
    assert P2_MARKER not in body


def test_check_also_warns_about_the_partners_own_open_registration(world: World) -> None:
    own = make_deal(world, title="Our Initech deal", submit=False)
    body = htmx_get(
        world, "partner_user", "/alpha/portal/deals/check/?customer_name=Initech"
    ).content.decode()
    assert 'data-testid="own-duplicate"' in body and "Our Initech deal" in body
    assert 'data-testid="duplicate-warning"' not in body  # the partner's own deal is no conflict
    # Editing that very draft does not warn about itself.
    body = htmx_get(
        world, "partner_user", f"/alpha/portal/deals/check/?customer_name=Initech&exclude={own.pk}"
    ).content.decode()
    assert 'data-testid="own-duplicate"' not in body


def test_check_without_javascript_is_a_page_of_its_own(world: World) -> None:
    response = world.client("partner_user").get("/alpha/portal/deals/check/?customer_name=Nobody+Ltd")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert "No other open registration matches" in body


# --- one deal -------------------------------------------------------------------------------------


def _conflicted_pair(world: World) -> tuple[Deal, Deal, str]:
    """P2 holds an approved deal; P1 claims the customer; staff resolve it for P1."""
    holder = make_deal(world, partner="p2", name="Hooli", domain="hooli.com", approve=True)
    claimant = make_deal(world, name="Hooli", domain="hooli.com")
    reason = "The customer confirmed who ran the evaluation"
    with tenant_context(world.alpha.tenant):
        case = ConflictCase.objects.get(deal=claimant)
        conflict_resolve(actor=world.alpha.members["vendor_staff"], case=case, winner=claimant, reason=reason)
    return holder, claimant, reason


def test_detail_history_names_own_people_only(world: World) -> None:
    deal = make_deal(world, approve=True)
    response = world.client("partner_admin").get(f"{PORTAL}{deal.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "partner_user" in body  # the registrant's name (full_name "partner_user ")
    assert "vendor_staff" not in body and "Channel team" in body
    assert "Approved" in body and "90 days left" in body


def test_both_partners_see_the_resolution_reason_but_not_each_other(world: World) -> None:
    holder, claimant, reason = _conflicted_pair(world)
    body = world.client("partner_user").get(f"{PORTAL}{claimant.pk}/").content.decode()
    assert reason in body and "this registration keeps the customer" in body
    assert P2_MARKER not in body and "Partner Two" not in body
    # P2's people see their (lost) deal's history with the same reason, and nothing of P1.
    alpha: TenantWorld = world.alpha
    from django.test import Client

    client = Client()
    client.force_login(alpha.p2_members["partner_user"].user)
    body = client.get(f"{PORTAL}{holder.pk}/").content.decode()
    assert reason in body and "the other registration keeps the customer" in body
    assert "Partner One" not in body and "Channel team" in body and "vendor_staff" not in body
    assert fresh(holder).status == DealStatus.REJECTED


def test_submit_a_draft_from_its_page(world: World) -> None:
    deal = make_deal(world, submit=False)
    response = world.client("partner_user").post(f"{PORTAL}{deal.pk}/submit/")
    assert response.status_code == 302 and fresh(deal).status == DealStatus.SUBMITTED
    again = world.client("partner_user").post(f"{PORTAL}{deal.pk}/submit/")
    assert again.status_code == 400 and "cannot be submitted" in again.content.decode()


def test_ask_for_the_one_extension_needs_a_reason(world: World) -> None:
    deal = make_deal(world, approve=True)
    client = world.client("partner_user")
    response = client.post(f"{PORTAL}{deal.pk}/extension/", {"reason": ""})
    assert response.status_code == 400
    form = response.content.decode().split('data-testid="extension-form"')[1].split("</form>")[0]
    assert "has-error" in form and "Give a reason" in form
    assert client.post(f"{PORTAL}{deal.pk}/extension/", {"reason": "Board meets in May"}).status_code == 302
    assert fresh(deal).extension_status == ExtensionStatus.REQUESTED
    body = client.get(f"{PORTAL}{deal.pk}/").content.decode()
    assert 'data-testid="extension-form"' not in body  # asked once: the form is gone
    assert client.post(f"{PORTAL}{deal.pk}/extension/", {"reason": "Again"}).status_code == 400


def test_mark_lost_from_the_portal(world: World) -> None:
    deal = make_deal(world, approve=True)
    client = world.client("partner_admin")
    assert client.post(f"{PORTAL}{deal.pk}/lose/", {"reason": ""}).status_code == 400
    assert client.post(f"{PORTAL}{deal.pk}/lose/", {"reason": "Went with a competitor"}).status_code == 302
    assert (fresh(deal).status, fresh(deal).decision_reason) == (DealStatus.LOST, "Went with a competitor")


def test_edit_a_draft_and_not_a_submitted_deal(world: World) -> None:
    draft = make_deal(world, submit=False)
    client = world.client("partner_user")
    body = client.get(f"{PORTAL}{draft.pk}/edit/").content.decode()
    assert 'value="Initech Inc."' in body and f'name="exclude" value="{draft.pk}"' in body
    response = client.post(f"{PORTAL}{draft.pk}/edit/", {**FORM, "title": "Renamed", "action": "submit"})
    assert response.status_code == 302
    assert (fresh(draft).title, fresh(draft).status) == ("Renamed", DealStatus.SUBMITTED)
    response = client.get(f"{PORTAL}{draft.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"{PORTAL}{draft.pk}/"


def test_another_partners_deal_answers_404(world: World) -> None:
    theirs = make_deal(world, partner="p2", name="Theirs", domain="theirs.com")
    for url in (f"{PORTAL}{theirs.pk}/", f"{PORTAL}{theirs.pk}/edit/"):
        assert world.client("partner_user").get(url).status_code == 404

"""Deal registration services: every transition the state machine allows, every one it refuses,
who may act, and conflict detection (domain, fuzzy name, direct opportunity) with its resolution.

Closing (win/lose), the protection window and expiry are in test_deals_services_closing.py."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from prm.tenancy import tenant_context
from revenue.models import ConflictCase, ConflictStatus, Deal, DealEvent, DealStatus, ExtensionStatus
from revenue.services_deals import (
    DuplicateDealError,
    conflict_default_winner,
    conflict_resolve,
    deal_approve,
    deal_create,
    deal_decide_extension,
    deal_lose,
    deal_reject,
    deal_request_extension,
    deal_submit,
    deal_update,
    deal_win,
)
from tests.conftest import TenantWorld, World

pytestmark = pytest.mark.django_db


def register(
    alpha: TenantWorld,
    *,
    partner: str = "p1",
    name: str = "Initech Inc.",
    domain: str = "",
    submit: bool = True,
    amount: str = "5000",
) -> Deal:
    members = alpha.members if partner == "p1" else alpha.p2_members
    return deal_create(
        actor=members["partner_user"],
        partner=getattr(alpha, partner),
        submit=submit,
        title=f"{name} rollout",
        customer_name=name,
        customer_domain=domain,
        amount=amount,
    )


def direct(alpha: TenantWorld, *, name: str, domain: str = "") -> Deal:
    return deal_create(
        actor=alpha.members["vendor_staff"],
        partner=None,
        title=f"Direct {name}",
        customer_name=name,
        customer_domain=domain,
        amount="9000",
    )


def actions(deal: Deal) -> list[str]:
    return list(DealEvent.objects.filter(deal=deal).values_list("action", flat=True))


@pytest.fixture
def alpha(world: World) -> Any:
    with tenant_context(world.alpha.tenant):
        yield world.alpha


# --- allowed transitions --------------------------------------------------------------------------


def test_draft_submit_approve_each_write_an_event(alpha: TenantWorld) -> None:
    deal = register(alpha, submit=False)
    assert deal.status == DealStatus.DRAFT and deal.submitted_at is None
    deal = deal_submit(actor=alpha.members["partner_admin"], deal=deal)
    assert deal.status == DealStatus.SUBMITTED and deal.submitted_at is not None
    deal = deal_approve(actor=alpha.members["vendor_admin"], deal=deal, reason="Good fit")
    assert (deal.status, deal.decision_reason) == (DealStatus.APPROVED, "Good fit")
    assert actions(deal) == ["created", "submitted", "approved"]
    last = DealEvent.objects.filter(deal=deal).last()
    assert last is not None
    assert (last.from_status, last.to_status, last.actor) == (
        "submitted",
        "approved",
        alpha.members["vendor_admin"].user,
    )


def test_reject_needs_a_reason_and_records_it(alpha: TenantWorld) -> None:
    deal = register(alpha)
    staff = alpha.members["vendor_staff"]
    with pytest.raises(ValidationError) as refused:
        deal_reject(actor=staff, deal=deal, reason="  ")
    assert "reason" in refused.value.message_dict
    deal = deal_reject(actor=staff, deal=deal, reason="Existing customer of ours")
    assert (deal.status, deal.decision_reason) == (DealStatus.REJECTED, "Existing customer of ours")
    assert DealEvent.objects.filter(deal=deal, action="rejected", reason="Existing customer of ours").exists()


def test_a_draft_can_be_edited_and_a_submitted_deal_cannot(alpha: TenantWorld) -> None:
    deal = register(alpha, submit=False)
    fields = {"title": "Bigger rollout", "customer_name": "Initech", "amount": "7000"}
    edited = deal_update(actor=alpha.members["partner_user"], deal=deal, **fields)
    assert (edited.title, str(edited.amount)) == ("Bigger rollout", "7000.00")
    deal_submit(actor=alpha.members["partner_user"], deal=edited)
    with pytest.raises(ValidationError):
        deal_update(actor=alpha.members["partner_user"], deal=edited, **fields)


def test_a_direct_opportunity_is_open_from_the_start(alpha: TenantWorld) -> None:
    deal = direct(alpha, name="Umbrella")
    assert deal.partner is None and deal.status == DealStatus.APPROVED
    assert deal.protection_ends_at is None  # it protects nothing: it only blocks partner claims
    assert actions(deal) == ["direct_opened"]


def test_extension_request_then_grant_or_deny(alpha: TenantWorld) -> None:
    staff = alpha.members["vendor_staff"]
    granted = deal_approve(actor=staff, deal=register(alpha, name="Granted Co"))
    granted = deal_request_extension(actor=alpha.members["partner_user"], deal=granted, reason="Budget in Q3")
    assert granted.extension_status == ExtensionStatus.REQUESTED
    granted = deal_decide_extension(actor=staff, deal=granted, grant=True)
    assert granted.extension_status == ExtensionStatus.GRANTED
    denied = deal_approve(actor=staff, deal=register(alpha, name="Denied Co"))
    denied = deal_request_extension(actor=alpha.members["partner_admin"], deal=denied, reason="Slow legal")
    with pytest.raises(ValidationError):
        deal_decide_extension(actor=staff, deal=denied, grant=False, reason="")  # a denial says why
    denied = deal_decide_extension(actor=staff, deal=denied, grant=False, reason="Window is long enough")
    assert denied.extension_status == ExtensionStatus.DENIED
    assert actions(denied)[-2:] == ["extension_requested", "extension_denied"]


# --- refused transitions --------------------------------------------------------------------------


def _approved(alpha: TenantWorld) -> Deal:
    return deal_approve(actor=alpha.members["vendor_staff"], deal=register(alpha, name="Approved Co"))


REFUSED: list[tuple[str, Callable[[TenantWorld], Any]]] = [
    (
        "approve a draft",
        lambda a: deal_approve(actor=a.members["vendor_staff"], deal=register(a, submit=False)),
    ),
    (
        "reject a draft",
        lambda a: deal_reject(actor=a.members["vendor_staff"], deal=register(a, submit=False), reason="No"),
    ),
    ("approve twice", lambda a: deal_approve(actor=a.members["vendor_staff"], deal=_approved(a))),
    ("submit twice", lambda a: deal_submit(actor=a.members["partner_user"], deal=register(a))),
    ("win a submitted deal", lambda a: deal_win(actor=a.members["vendor_staff"], deal=register(a))),
    (
        "lose a submitted deal",
        lambda a: deal_lose(actor=a.members["vendor_staff"], deal=register(a), reason="Gone"),
    ),
    (
        "extension on a submitted deal",
        lambda a: deal_request_extension(actor=a.members["partner_user"], deal=register(a), reason="Time"),
    ),
    (
        "decide an extension nobody asked for",
        lambda a: deal_decide_extension(actor=a.members["vendor_staff"], deal=_approved(a), grant=True),
    ),
    (
        "lose without a reason",
        lambda a: deal_lose(actor=a.members["partner_user"], deal=_approved(a), reason=""),
    ),
]


@pytest.mark.parametrize("attempt", [row[1] for row in REFUSED], ids=[row[0] for row in REFUSED])
def test_refused_transitions_change_nothing(
    alpha: TenantWorld, attempt: Callable[[TenantWorld], Any]
) -> None:
    with pytest.raises(ValidationError):
        attempt(alpha)


def test_a_second_extension_is_refused(alpha: TenantWorld) -> None:
    staff, partner = alpha.members["vendor_staff"], alpha.members["partner_user"]
    deal = deal_request_extension(actor=partner, deal=_approved(alpha), reason="More time")
    with pytest.raises(ValidationError):
        deal_request_extension(actor=partner, deal=deal, reason="Again")
    deal = deal_decide_extension(actor=staff, deal=deal, grant=True)
    with pytest.raises(ValidationError):
        deal_request_extension(actor=partner, deal=deal, reason="And again")
    assert Deal.objects.get(pk=deal.pk).extension_status == ExtensionStatus.GRANTED


def test_partners_cannot_decide_and_staff_cannot_ask_for_extensions(alpha: TenantWorld) -> None:
    deal = register(alpha)
    for role in ("partner_admin", "partner_user"):
        with pytest.raises(PermissionDenied):
            deal_approve(actor=alpha.members[role], deal=deal)
        with pytest.raises(PermissionDenied):
            deal_reject(actor=alpha.members[role], deal=deal, reason="Self-service")
    approved = deal_approve(actor=alpha.members["vendor_staff"], deal=deal)
    with pytest.raises(PermissionDenied):
        deal_win(actor=alpha.members["partner_admin"], deal=approved)
    with pytest.raises(PermissionDenied):
        deal_request_extension(actor=alpha.members["vendor_staff"], deal=approved, reason="For them")
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.APPROVED


def test_a_partner_cannot_act_for_another_partner(alpha: TenantWorld) -> None:
    mine = alpha.members["partner_admin"]
    with pytest.raises(PermissionDenied):
        deal_create(actor=mine, partner=alpha.p2, title="Theirs", customer_name="Hooli", amount="10")
    with pytest.raises(PermissionDenied):
        deal_create(actor=mine, partner=None, title="Direct", customer_name="Hooli", amount="10")
    theirs = register(alpha, partner="p2", name="Hooli", submit=False)
    with pytest.raises(PermissionDenied):
        deal_submit(actor=mine, deal=theirs)
    with pytest.raises(PermissionDenied):
        deal_update(actor=mine, deal=theirs, title="Stolen", customer_name="Hooli", amount="10")
    approved = deal_approve(
        actor=alpha.members["vendor_staff"], deal=register(alpha, partner="p2", name="Pied")
    )
    with pytest.raises(PermissionDenied):
        deal_request_extension(actor=mine, deal=approved, reason="Not ours")
    with pytest.raises(PermissionDenied):
        deal_lose(actor=mine, deal=approved, reason="Not ours")
    assert Deal.objects.get(pk=theirs.pk).status == DealStatus.DRAFT


def test_same_partner_same_customer_is_a_duplicate_until_the_first_closes(alpha: TenantWorld) -> None:
    first = register(alpha, name="Initech Inc.", domain="initech.com")
    with pytest.raises(DuplicateDealError) as duplicate:
        register(alpha, name="Initech", domain="https://www.initech.com/")
    assert duplicate.value.existing == first
    deal_reject(actor=alpha.members["vendor_staff"], deal=first, reason="Not yet qualified")
    assert register(alpha, name="Initech", domain="initech.com").status == DealStatus.SUBMITTED


# --- conflicts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "claimed", "kind"),
    [
        (("Initech Inc.", "initech.com"), ("Initech", "https://initech.com/about"), "domain"),
        (("Initech Inc.", ""), ("Initech", ""), "name"),  # legal form words do not count
        (("Globex Corporation Holdings", ""), ("Globex Corp Holding", ""), "name"),  # fuzzy
    ],
)
def test_a_submission_naming_a_held_customer_opens_a_conflict(
    alpha: TenantWorld, held: tuple[str, str], claimed: tuple[str, str], kind: str
) -> None:
    other = register(alpha, partner="p2", name=held[0], domain=held[1])
    deal = register(alpha, name=claimed[0], domain=claimed[1])
    case = ConflictCase.objects.get(deal=deal)
    assert (case.other_deal, case.match_kind, case.status) == (other, kind, ConflictStatus.OPEN)
    assert 0.86 <= float(case.match_score) <= 1
    assert actions(deal) == ["created", "submitted", "conflict_opened"]
    with pytest.raises(ValidationError):
        deal_approve(actor=alpha.members["vendor_staff"], deal=deal)


def test_unrelated_names_drafts_and_own_deals_open_no_conflict(alpha: TenantWorld) -> None:
    register(alpha, partner="p2", name="Umbrella Corporation")
    register(alpha, partner="p2", name="Initech Inc.", submit=False)  # a draft holds nothing
    register(alpha, name="Initrode")  # only "similar", and below the threshold
    register(alpha, name="Initech")
    assert not ConflictCase.objects.exists()


def test_a_direct_opportunity_conflicts_with_a_partner_registration(alpha: TenantWorld) -> None:
    held = direct(alpha, name="Massive Dynamic", domain="massivedynamic.com")
    deal = register(alpha, name="Massive Dynamic Inc", domain="www.massivedynamic.com")
    case = ConflictCase.objects.get(deal=deal)
    assert case.other_deal == held and case.match_kind == "domain"
    assert conflict_default_winner(case) == held  # opened before the registration was submitted


def test_first_valid_submission_wins_by_default(alpha: TenantWorld) -> None:
    drafted_first = register(alpha, partner="p2", name="Hooli", submit=False)
    submitted_first = register(alpha, name="Hooli")
    later = deal_submit(actor=alpha.p2_members["partner_user"], deal=drafted_first)
    case = ConflictCase.objects.get(deal=later)
    assert case.other_deal == submitted_first
    # Drafting earlier does not count: the earlier submission (UTC) holds the customer.
    assert conflict_default_winner(case) == submitted_first
    Deal.objects.filter(pk=later.pk).update(
        submitted_at=submitted_first.submitted_at - datetime.timedelta(hours=1)
    )
    case = ConflictCase.objects.select_related("deal", "other_deal").get(pk=case.pk)
    assert conflict_default_winner(case).pk == later.pk


def test_resolution_rejects_the_loser_and_both_histories_carry_the_reason(alpha: TenantWorld) -> None:
    holder = deal_approve(
        actor=alpha.members["vendor_staff"], deal=register(alpha, partner="p2", name="Hooli")
    )
    claimant = register(alpha, name="Hooli Inc")
    case = ConflictCase.objects.get(deal=claimant)
    reason = "The customer confirmed P1 ran the evaluation"
    conflict_resolve(actor=alpha.members["vendor_admin"], case=case, winner=claimant, reason=reason)
    case.refresh_from_db()
    assert (case.status, case.winner, case.resolution_reason) == (ConflictStatus.RESOLVED, claimant, reason)
    holder.refresh_from_db()
    assert holder.status == DealStatus.REJECTED and reason in holder.decision_reason
    lost = DealEvent.objects.get(deal=holder, action="conflict_lost")
    won = DealEvent.objects.get(deal=claimant, action="conflict_won")
    assert reason in lost.reason and won.reason == reason
    assert lost.from_status == DealStatus.APPROVED
    # The claimant is free to be approved now; the case cannot be decided twice.
    assert deal_approve(actor=alpha.members["vendor_staff"], deal=claimant).status == DealStatus.APPROVED
    with pytest.raises(ValidationError):
        conflict_resolve(actor=alpha.members["vendor_admin"], case=case, winner=holder, reason="Changed mind")


def test_resolution_needs_a_reason_a_side_of_the_case_and_staff(alpha: TenantWorld) -> None:
    register(alpha, partner="p2", name="Hooli")
    claimant = register(alpha, name="Hooli")
    bystander = register(alpha, name="Bystander Ltd")
    case = ConflictCase.objects.get(deal=claimant)
    with pytest.raises(ValidationError):
        conflict_resolve(actor=alpha.members["vendor_staff"], case=case, winner=claimant, reason="")
    with pytest.raises(ValidationError):
        conflict_resolve(actor=alpha.members["vendor_staff"], case=case, winner=bystander, reason="Why not")
    with pytest.raises(PermissionDenied):
        conflict_resolve(actor=alpha.members["partner_admin"], case=case, winner=claimant, reason="Mine")
    assert ConflictCase.objects.get(pk=case.pk).status == ConflictStatus.OPEN


def test_rejecting_a_conflicted_registration_closes_its_case(alpha: TenantWorld) -> None:
    holder = register(alpha, partner="p2", name="Hooli")
    claimant = register(alpha, name="Hooli")
    deal_reject(actor=alpha.members["vendor_staff"], deal=claimant, reason="Duplicate of an earlier claim")
    case = ConflictCase.objects.get(deal=claimant)
    assert case.status == ConflictStatus.RESOLVED and case.winner == holder
    # The holder's way to approval is clear again.
    assert deal_approve(actor=alpha.members["vendor_staff"], deal=holder).status == DealStatus.APPROVED


def test_submitted_at_is_utc_aware(alpha: TenantWorld) -> None:
    deal = register(alpha)
    assert deal.submitted_at is not None and timezone.is_aware(deal.submitted_at)
    assert deal.submitted_at.utcoffset() == datetime.timedelta(0)

"""Market services: campaign validation and the MDF state machine with its audit trail."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from partners.models import Campaign, MdfRequest, MdfStatus
from partners.services_market import (
    campaign_create,
    campaign_update,
    mdf_request_approve,
    mdf_request_claim,
    mdf_request_create,
    mdf_request_reimburse,
    mdf_request_reject,
)
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped

D = Decimal


@pytest.fixture
def alpha(world: World) -> Any:
    with tenant_context(world.alpha.tenant):
        yield world.alpha


def _request(alpha: Any, amount: str = "1000.00", **kwargs: Any) -> MdfRequest:
    return mdf_request_create(
        actor=alpha.members["partner_user"],
        partner=alpha.p1,
        purpose="Trade show booth",
        amount_requested=amount,
    )


def _approved(alpha: Any, amount: str = "800.00") -> MdfRequest:
    mdf = _request(alpha)
    return mdf_request_approve(actor=alpha.members["vendor_staff"], request=mdf, amount_approved=amount)


def _row(mdf: MdfRequest) -> dict[str, Any]:
    return unscoped(MdfRequest).filter(pk=mdf.pk).values().get()


def _verbs(mdf: MdfRequest) -> list[str]:
    return list(
        unscoped(AuditEvent)
        .filter(object_type="partners.mdfrequest", object_id=str(mdf.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


# --- campaigns ------------------------------------------------------------------------------------


def test_campaign_create_and_update_are_audited(alpha: Any) -> None:
    staff = alpha.members["vendor_staff"]
    campaign = campaign_create(
        actor=staff,
        partner=alpha.p1,
        name=" Spring launch ",
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 31),
        goal="40 leads",
        budget="12000",
    )
    assert (campaign.name, campaign.budget) == ("Spring launch", D("12000.00"))
    campaign_update(
        actor=staff,
        campaign=campaign,
        name="Spring launch",
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 4, 30),
        goal="40 leads",
        budget="15000",
    )
    assert unscoped(Campaign).get(pk=campaign.pk).ends_on == datetime.date(2026, 4, 30)
    events = unscoped(AuditEvent).filter(object_type="partners.campaign", object_id=str(campaign.pk))
    assert sorted(events.values_list("verb", flat=True)) == ["campaign.created", "campaign.updated"]
    updated = events.get(verb="campaign.updated")
    assert updated.before["budget"] == "12000.00" and updated.after["budget"] == "15000.00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": datetime.date(2026, 2, 1)}, "ends_on"),
        ({"budget": "0"}, "budget"),
        ({"budget": "-5"}, "budget"),
        ({"budget": "abc"}, "budget"),
        ({"name": "  "}, "name"),
        ({"goal": ""}, "goal"),
    ],
)
def test_campaign_validation_names_the_field_and_writes_nothing(
    alpha: Any, changes: dict[str, Any], field: str
) -> None:
    values = {
        "name": "Launch",
        "starts_on": datetime.date(2026, 3, 1),
        "ends_on": datetime.date(2026, 3, 31),
        "goal": "Leads",
        "budget": "100",
        **changes,
    }
    with pytest.raises(ValidationError) as raised:
        campaign_create(actor=alpha.members["vendor_admin"], partner=alpha.p1, **values)
    assert field in raised.value.message_dict
    assert not unscoped(Campaign).exists()


def test_partner_roles_cannot_plan_campaigns(alpha: Any) -> None:
    with pytest.raises(PermissionDenied):
        campaign_create(
            actor=alpha.members["partner_admin"],
            partner=alpha.p1,
            name="Ours",
            starts_on=datetime.date(2026, 3, 1),
            ends_on=datetime.date(2026, 3, 2),
            goal="x",
            budget="10",
        )


# --- MDF: the happy path --------------------------------------------------------------------------


def test_full_lifecycle_writes_one_audit_event_per_transition(alpha: Any) -> None:
    staff, partner = alpha.members["vendor_staff"], alpha.members["partner_admin"]
    mdf = _request(alpha, "1000")
    assert (mdf.status, mdf.requested_by) == (MdfStatus.REQUESTED, alpha.members["partner_user"].user)
    mdf_request_approve(actor=staff, request=mdf, amount_approved="750.50", reason="Booth only")
    assert (mdf.status, mdf.amount_approved, mdf.decided_by) == (MdfStatus.APPROVED, D("750.50"), staff.user)
    mdf_request_claim(actor=partner, request=mdf, amount_claimed="750.50", claim_proof="Invoice 17")
    assert mdf.status == MdfStatus.CLAIMED and mdf.claimed_at is not None
    mdf_request_reimburse(actor=staff, request=mdf)
    row = _row(mdf)
    assert row["status"] == MdfStatus.REIMBURSED and row["reimbursed_at"] is not None
    assert row["amount_claimed"] == D("750.50") and row["decision_reason"] == "Booth only"
    assert _verbs(mdf) == [
        "mdf_request.created",
        "mdf_request.approved",
        "mdf_request.claimed",
        "mdf_request.reimbursed",
    ]
    approved = unscoped(AuditEvent).get(verb="mdf_request.approved", object_id=str(mdf.pk))
    assert approved.before["status"] == "requested" and approved.after["status"] == "approved"


def test_vendor_may_file_on_behalf_with_a_campaign_of_that_partner(alpha: Any) -> None:
    campaign = Campaign.objects.create(
        partner=alpha.p1,
        name="Launch",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 2, 1),
        goal="Leads",
        budget=D("100"),
    )
    mdf = mdf_request_create(
        actor=alpha.members["vendor_admin"],
        partner=alpha.p1,
        purpose="Ads",
        amount_requested="250",
        campaign_id=campaign.pk,
    )
    assert mdf.campaign == campaign


def test_campaign_of_another_partner_is_refused(alpha: Any) -> None:
    other = Campaign.objects.create(
        partner=alpha.p2,
        name="Theirs",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 2, 1),
        goal="Leads",
        budget=D("100"),
    )
    with pytest.raises(ValidationError) as raised:
        mdf_request_create(
            actor=alpha.members["vendor_admin"],
            partner=alpha.p1,
            purpose="Ads",
            amount_requested="250",
            campaign_id=other.pk,
        )
    assert "campaign" in raised.value.message_dict
    assert not unscoped(MdfRequest).exists()


def test_partner_cannot_request_for_another_partner(alpha: Any) -> None:
    with pytest.raises(PermissionDenied):
        mdf_request_create(
            actor=alpha.members["partner_admin"], partner=alpha.p2, purpose="x", amount_requested=1
        )


@pytest.mark.parametrize("amount", ["0", "-1", "12.345", "lots", "NaN"])
def test_request_amount_must_be_a_positive_sum(alpha: Any, amount: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _request(alpha, amount)
    assert "amount_requested" in raised.value.message_dict
    assert not unscoped(MdfRequest).exists()


# --- MDF: refusals change nothing -----------------------------------------------------------------


def test_claim_above_the_approval_is_refused_and_changes_nothing(alpha: Any) -> None:
    mdf = _approved(alpha, "800.00")
    before, events = _row(mdf), _verbs(mdf)
    with pytest.raises(ValidationError) as raised:
        mdf_request_claim(
            actor=alpha.members["partner_admin"], request=mdf, amount_claimed="800.01", claim_proof="Invoice"
        )
    assert raised.value.message_dict["amount_claimed"] == [
        "The claim cannot exceed the approved amount of 800.00."
    ]
    assert "cannot exceed the approved amount of 800.00" in raised.value.message_dict["amount_claimed"][0]
    assert _row(mdf) == before and _verbs(mdf) == events
    assert mdf.status == MdfStatus.APPROVED and mdf.amount_claimed is None


def test_claim_needs_proof(alpha: Any) -> None:
    mdf = _approved(alpha)
    with pytest.raises(ValidationError) as raised:
        mdf_request_claim(
            actor=alpha.members["partner_user"], request=mdf, amount_claimed="10", claim_proof=" "
        )
    assert "claim_proof" in raised.value.message_dict
    assert _row(mdf)["status"] == MdfStatus.APPROVED


def test_approval_above_the_request_is_refused(alpha: Any) -> None:
    mdf = _request(alpha, "1000")
    with pytest.raises(ValidationError) as raised:
        mdf_request_approve(actor=alpha.members["vendor_admin"], request=mdf, amount_approved="1000.01")
    assert "cannot exceed the requested amount of 1000.00" in raised.value.message_dict["amount_approved"][0]
    assert _row(mdf)["status"] == MdfStatus.REQUESTED and _row(mdf)["amount_approved"] is None


@pytest.mark.parametrize("amount", ["0", "-10"])
def test_approval_must_be_above_zero(alpha: Any, amount: str) -> None:
    mdf = _request(alpha)
    with pytest.raises(ValidationError) as raised:
        mdf_request_approve(actor=alpha.members["vendor_admin"], request=mdf, amount_approved=amount)
    assert "amount_approved" in raised.value.message_dict
    assert _row(mdf)["status"] == MdfStatus.REQUESTED


def test_rejection_needs_a_reason(alpha: Any) -> None:
    mdf = _request(alpha)
    with pytest.raises(ValidationError) as raised:
        mdf_request_reject(actor=alpha.members["vendor_admin"], request=mdf, reason="  ")
    assert "reason" in raised.value.message_dict
    mdf_request_reject(actor=alpha.members["vendor_admin"], request=mdf, reason="Out of budget")
    assert _row(mdf)["status"] == MdfStatus.REJECTED and _row(mdf)["decision_reason"] == "Out of budget"


def _in_state(alpha: Any, status: str) -> MdfRequest:
    staff, partner = alpha.members["vendor_staff"], alpha.members["partner_admin"]
    mdf = _request(alpha)
    if status == MdfStatus.REJECTED:
        return mdf_request_reject(actor=staff, request=mdf, reason="No")
    if status != MdfStatus.REQUESTED:
        mdf_request_approve(actor=staff, request=mdf, amount_approved="500")
    if status in (MdfStatus.CLAIMED, MdfStatus.REIMBURSED):
        mdf_request_claim(actor=partner, request=mdf, amount_claimed="400", claim_proof="Invoice")
    if status == MdfStatus.REIMBURSED:
        mdf_request_reimburse(actor=staff, request=mdf)
    return mdf


TRANSITIONS = {
    "approve": (MdfStatus.REQUESTED, "vendor_staff", {"amount_approved": "100"}, mdf_request_approve),
    "reject": (MdfStatus.REQUESTED, "vendor_staff", {"reason": "No"}, mdf_request_reject),
    "claim": (
        MdfStatus.APPROVED,
        "partner_user",
        {"amount_claimed": "100", "claim_proof": "Invoice"},
        mdf_request_claim,
    ),
    "reimburse": (MdfStatus.CLAIMED, "vendor_admin", {}, mdf_request_reimburse),
}
WRONG_STATES = [
    (action, status)
    for action, (allowed, *_rest) in TRANSITIONS.items()
    for status in MdfStatus.values
    if status != allowed
]


@pytest.mark.parametrize(("action", "status"), WRONG_STATES)
def test_wrong_state_transitions_are_refused_with_a_clear_message(
    alpha: Any, action: str, status: str
) -> None:
    _allowed, role, kwargs, service = TRANSITIONS[action]
    mdf = _in_state(alpha, status)
    before, events = _row(mdf), _verbs(mdf)
    with pytest.raises(ValidationError) as raised:
        service(actor=alpha.members[role], request=mdf, **kwargs)
    message = " ".join(raised.value.messages)
    assert f"this one is {MdfStatus(status).label.lower()}" in message
    assert _row(mdf) == before and _verbs(mdf) == events


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_cannot_decide_or_reimburse(alpha: Any, role: str) -> None:
    mdf = _request(alpha)
    with pytest.raises(PermissionDenied):
        mdf_request_approve(actor=alpha.members[role], request=mdf, amount_approved="10")
    with pytest.raises(PermissionDenied):
        mdf_request_reject(actor=alpha.members[role], request=mdf, reason="x")
    with pytest.raises(PermissionDenied):
        mdf_request_reimburse(actor=alpha.members[role], request=mdf)
    assert _row(mdf)["status"] == MdfStatus.REQUESTED


def test_only_that_partners_people_claim(alpha: Any) -> None:
    mdf = _approved(alpha)
    with pytest.raises(PermissionDenied):
        mdf_request_claim(
            actor=alpha.members["vendor_admin"], request=mdf, amount_claimed="1", claim_proof="x"
        )
    with pytest.raises(PermissionDenied):
        mdf_request_claim(
            actor=alpha.p2_members["partner_admin"], request=mdf, amount_claimed="1", claim_proof="x"
        )
    assert _row(mdf)["status"] == MdfStatus.APPROVED


def test_a_stale_instance_cannot_approve_twice(alpha: Any) -> None:
    """The second manager's copy still says "requested"; the locked row decides."""
    mdf = _request(alpha)
    stale = unscoped(MdfRequest).get(pk=mdf.pk)
    mdf_request_approve(actor=alpha.members["vendor_staff"], request=mdf, amount_approved="500")
    with pytest.raises(ValidationError):
        mdf_request_approve(actor=alpha.members["vendor_admin"], request=stale, amount_approved="900")
    assert _row(mdf)["amount_approved"] == D("500.00")
    assert _verbs(mdf).count("mdf_request.approved") == 1


def test_database_refuses_a_direct_over_claim(alpha: Any) -> None:
    mdf = _approved(alpha, "800.00")
    row = MdfRequest.objects.get(pk=mdf.pk)
    row.amount_claimed, row.status = D("800.01"), MdfStatus.CLAIMED
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    zero = MdfRequest.objects.get(pk=mdf.pk)
    zero.amount_approved = D("0")
    with pytest.raises(IntegrityError), transaction.atomic():
        zero.save()
    assert _row(mdf)["amount_claimed"] is None and _row(mdf)["amount_approved"] == D("800.00")

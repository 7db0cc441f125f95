"""Market writes: joint campaigns and the MDF workflow.

MDF state machine (nothing else is allowed):

    requested --approve--> approved --claim--> claimed --reimburse--> reimbursed
    requested --reject---> rejected

Vendor roles approve, reject and reimburse; the partner's own people claim. Every transition locks
the row (SELECT ... FOR UPDATE) and re-checks the state on the locked copy, so two managers acting
at once cannot both approve, and writes one audit event with the values before and after.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Campaign, MdfRequest, MdfStatus, Partner
from prm.audit import audit_record, model_snapshot
from prm.models import Membership

CAMPAIGN_FIELDS = ["partner", "name", "starts_on", "ends_on", "goal", "budget"]
MDF_FIELDS = [
    "partner",
    "campaign",
    "purpose",
    "amount_requested",
    "amount_approved",
    "amount_claimed",
    "claim_proof",
    "status",
    "decision_reason",
]
MUTABLE_MDF_FIELDS = [
    "status",
    "amount_approved",
    "amount_claimed",
    "claim_proof",
    "decision_reason",
    "decided_by",
    "decided_at",
    "claimed_at",
    "reimbursed_at",
]
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # the column holds 14 digits, 2 after the point


def _money(value: Any, *, field: str, label: str) -> Decimal:
    """A positive amount with at most two decimals, or a field error saying what is wrong."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"Enter the {label} as a number, e.g. 1500.00."}) from None
    if not amount.is_finite():
        raise ValidationError({field: f"Enter the {label} as a number, e.g. 1500.00."})
    if amount <= 0:
        raise ValidationError({field: f"The {label} must be above zero."})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: f"The {label} can have at most two decimals."})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: f"The {label} is too large."})
    return amount.quantize(CENT)


def _require_vendor(actor: Membership, what: str) -> None:
    if not actor.is_vendor:
        raise PermissionDenied(f"Only vendor staff {what}.")


def _check_partner_side(actor: Membership, partner_id: int, what: str) -> None:
    """Partner roles act for their own organisation only."""
    if actor.is_partner and actor.own_partner_id != partner_id:
        raise PermissionDenied(f"You can only {what} for your own organisation.")


# --- campaigns ------------------------------------------------------------------------------------


def _campaign_values(
    *, name: str, starts_on: datetime.date | None, ends_on: datetime.date | None, goal: str, budget: Any
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name, goal = name.strip(), goal.strip()
    if not name:
        errors["name"] = "Give the campaign a name."
    if not goal:
        errors["goal"] = "Say what the campaign should achieve."
    if starts_on is None:
        errors["starts_on"] = "Give the start date."
    if ends_on is None:
        errors["ends_on"] = "Give the end date."
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The campaign cannot end before it starts."
    try:
        amount = _money(budget, field="budget", label="budget")
    except ValidationError as error:
        errors.update({key: value[0] for key, value in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return {"name": name, "starts_on": starts_on, "ends_on": ends_on, "goal": goal, "budget": amount}


@transaction.atomic
def campaign_create(
    *,
    actor: Membership,
    partner: Partner,
    name: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    goal: str,
    budget: Any,
) -> Campaign:
    _require_vendor(actor, "plan campaigns")
    values = _campaign_values(name=name, starts_on=starts_on, ends_on=ends_on, goal=goal, budget=budget)
    campaign = Campaign.objects.create(partner=partner, **values)
    audit_record(
        actor=actor.user,
        verb="campaign.created",
        obj=campaign,
        after=model_snapshot(campaign, fields=CAMPAIGN_FIELDS),
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: Membership,
    campaign: Campaign,
    name: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    goal: str,
    budget: Any,
) -> Campaign:
    _require_vendor(actor, "edit campaigns")
    values = _campaign_values(name=name, starts_on=starts_on, ends_on=ends_on, goal=goal, budget=budget)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = model_snapshot(locked, fields=CAMPAIGN_FIELDS)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.save(update_fields=list(values))
    after = model_snapshot(locked, fields=CAMPAIGN_FIELDS)
    if after != before:
        audit_record(actor=actor.user, verb="campaign.updated", obj=locked, before=before, after=after)
    return locked


# --- MDF requests ---------------------------------------------------------------------------------


def _locked(mdf_request: MdfRequest) -> MdfRequest:
    return MdfRequest.objects.select_for_update().select_related("partner").get(pk=mdf_request.pk)


def _require_status(mdf_request: MdfRequest, expected: str, action: str) -> None:
    if mdf_request.status != expected:
        label = MdfStatus(expected).label.lower()
        article = "an" if label[0] in "aeiou" else "a"
        raise ValidationError(
            f"Only {article} {label} request can be {action}; "
            f"this one is {mdf_request.get_status_display().lower()}.",
            code="invalid_state",
        )


def _transition(
    *, actor: Membership, locked: MdfRequest, verb: str, before: dict[str, Any], original: MdfRequest
) -> MdfRequest:
    locked.save()
    audit_record(
        actor=actor.user,
        verb=verb,
        obj=locked,
        before=before,
        after=model_snapshot(locked, fields=MDF_FIELDS),
    )
    # The caller's instance reflects the new state too, so it can render it without a reload.
    for name in MUTABLE_MDF_FIELDS:
        setattr(original, name, getattr(locked, name))
    return locked


@transaction.atomic
def mdf_request_create(
    *,
    actor: Membership,
    partner: Partner,
    purpose: str,
    amount_requested: Any,
    campaign_id: int | None = None,
) -> MdfRequest:
    """A partner's people ask for funds for their own organisation; vendor roles may file on behalf."""
    _check_partner_side(actor, partner.pk, "request funds")
    errors: dict[str, str] = {}
    purpose = purpose.strip()
    if not purpose:
        errors["purpose"] = "Say what the funds are for."
    try:
        amount = _money(amount_requested, field="amount_requested", label="requested amount")
    except ValidationError as error:
        errors["amount_requested"] = error.message_dict["amount_requested"][0]
    campaign = None
    if campaign_id is not None:
        campaign = Campaign.objects.filter(pk=campaign_id, partner=partner).first()
        if campaign is None:
            errors["campaign"] = "Choose one of this partner's campaigns."
    if errors:
        raise ValidationError(errors)
    mdf_request = MdfRequest.objects.create(
        partner=partner,
        campaign=campaign,
        purpose=purpose,
        amount_requested=amount,
        requested_by=actor.user,
    )
    audit_record(
        actor=actor.user,
        verb="mdf_request.created",
        obj=mdf_request,
        after=model_snapshot(mdf_request, fields=MDF_FIELDS),
    )
    return mdf_request


@transaction.atomic
def mdf_request_approve(
    *, actor: Membership, request: MdfRequest, amount_approved: Any, reason: str = ""
) -> MdfRequest:
    _require_vendor(actor, "approve MDF requests")
    locked = _locked(request)
    _require_status(locked, MdfStatus.REQUESTED, "approved")
    amount = _money(amount_approved, field="amount_approved", label="approved amount")
    if amount > locked.amount_requested:
        raise ValidationError(
            {
                "amount_approved": (
                    f"The approval cannot exceed the requested amount of {locked.amount_requested}; "
                    "ask the partner to file a new request for more."
                )
            }
        )
    before = model_snapshot(locked, fields=MDF_FIELDS)
    locked.status = MdfStatus.APPROVED
    locked.amount_approved = amount
    locked.decision_reason = reason.strip()[:500]
    locked.decided_by = actor.user
    locked.decided_at = timezone.now()
    return _transition(
        actor=actor, locked=locked, verb="mdf_request.approved", before=before, original=request
    )


@transaction.atomic
def mdf_request_reject(*, actor: Membership, request: MdfRequest, reason: str) -> MdfRequest:
    _require_vendor(actor, "reject MDF requests")
    locked = _locked(request)
    _require_status(locked, MdfStatus.REQUESTED, "rejected")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the partner a reason for the rejection."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    before = model_snapshot(locked, fields=MDF_FIELDS)
    locked.status = MdfStatus.REJECTED
    locked.decision_reason = reason
    locked.decided_by = actor.user
    locked.decided_at = timezone.now()
    return _transition(
        actor=actor, locked=locked, verb="mdf_request.rejected", before=before, original=request
    )


@transaction.atomic
def mdf_request_claim(
    *, actor: Membership, request: MdfRequest, amount_claimed: Any, claim_proof: str
) -> MdfRequest:
    """The partner reports what it spent, up to the approved amount, with proof of the spend."""
    if not actor.is_partner:
        raise PermissionDenied("Claims are filed by the partner's own people.")
    _check_partner_side(actor, request.partner_id, "claim funds")
    locked = _locked(request)
    _require_status(locked, MdfStatus.APPROVED, "claimed")
    errors: dict[str, str] = {}
    try:
        amount = _money(amount_claimed, field="amount_claimed", label="claimed amount")
    except ValidationError as error:
        errors["amount_claimed"] = error.message_dict["amount_claimed"][0]
    else:
        approved = locked.amount_approved or Decimal("0")
        if amount > approved:
            errors["amount_claimed"] = f"The claim cannot exceed the approved amount of {approved}."
    claim_proof = claim_proof.strip()
    if not claim_proof:
        errors["claim_proof"] = "Describe the proof of spend: invoice numbers, links, results."
    if errors:
        raise ValidationError(errors)
    before = model_snapshot(locked, fields=MDF_FIELDS)
    locked.status = MdfStatus.CLAIMED
    locked.amount_claimed = amount
    locked.claim_proof = claim_proof
    locked.claimed_at = timezone.now()
    return _transition(
        actor=actor, locked=locked, verb="mdf_request.claimed", before=before, original=request
    )


@transaction.atomic
def mdf_request_reimburse(*, actor: Membership, request: MdfRequest) -> MdfRequest:
    _require_vendor(actor, "reimburse claims")
    locked = _locked(request)
    _require_status(locked, MdfStatus.CLAIMED, "reimbursed")
    before = model_snapshot(locked, fields=MDF_FIELDS)
    locked.status = MdfStatus.REIMBURSED
    locked.reimbursed_at = timezone.now()
    return _transition(
        actor=actor, locked=locked, verb="mdf_request.reimbursed", before=before, original=request
    )

"""Partner writes: create, edit, move through the lifecycle, status and tier override. Each is one
transaction with its audit event; bad input is a `ValidationError` keyed by the field that caused it
and changes nothing. Costs, segments and the partner's own profile live in services_core_profile and
are re-exported here, so callers import every core service from this module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from partners.models import (
    Partner,
    PartnerSegment,
    PartnerStatus,
    PartnerType,
    Program,
    Stage,
    StageChange,
    Tier,
    TierChange,
)
from partners.services_core_profile import (
    acquisition_cost_add,
    partner_profile_update_by_partner,
    segment_create,
)
from partners.validation_core import (
    FieldErrors,
    check_joined_on,
    check_name,
    check_owner,
    check_parent,
    check_program,
    check_segments,
    clean_reason,
    local_today,
    normalise_country,
    normalise_domain,
    require_vendor,
)
from prm.audit import audit_record, model_snapshot
from prm.models import Membership, Role

__all__ = [
    "acquisition_cost_add",
    "partner_create",
    "partner_move_stage",
    "partner_override_tier",
    "partner_profile_update_by_partner",
    "partner_set_status",
    "partner_update",
    "segment_create",
]

PARTNER_FIELDS = [
    "name",
    "partner_type",
    "status",
    "stage",
    "website_domain",
    "country",
    "program_id",
    "tier_id",
    "tier_overridden",
    "owner_id",
    "parent_id",
    "joined_on",
    "left_on",
]
# What `partner_update` may change; stage and status have their own services because they keep history.
UPDATABLE_FIELDS = frozenset(
    {
        "name",
        "partner_type",
        "website_domain",
        "country",
        "program_id",
        "segment_ids",
        "owner_id",
        "parent_id",
        "joined_on",
    }
)
LEFT_STATUSES = frozenset({PartnerStatus.CHURNED, PartnerStatus.TERMINATED})


def _entry_tier(program: Program | None) -> Tier | None:
    if program is None:
        return None
    return Tier.objects.filter(program=program).order_by("rank").first()


def _set_segments(partner: Partner, segment_ids: list[int]) -> None:
    current = set(PartnerSegment.objects.filter(partner=partner).values_list("segment_id", flat=True))
    PartnerSegment.objects.filter(partner=partner).exclude(segment_id__in=segment_ids).delete()
    PartnerSegment.objects.bulk_create(
        PartnerSegment(partner=partner, segment_id=pk) for pk in segment_ids if pk not in current
    )


def _snapshot(partner: Partner, *, segment_ids: list[int] | None = None) -> dict[str, Any]:
    snapshot = model_snapshot(partner, fields=PARTNER_FIELDS)
    if segment_ids is not None:
        snapshot["segment_ids"] = sorted(segment_ids)
    return snapshot


@transaction.atomic
def partner_create(
    *,
    actor: Membership,
    name: str,
    partner_type: str,
    website_domain: str = "",
    country: str = "",
    program_id: int | None = None,
    segment_ids: Sequence[int] = (),
    owner_id: int | None = None,
    parent_id: int | None = None,
    status: str = PartnerStatus.PROSPECT,
    stage: str = Stage.RECRUIT,
    joined_on: date | None = None,
) -> Partner:
    """A new partner organisation. Without a program it joins the tenant's default program (if any),
    on that program's entry tier."""
    require_vendor(actor)
    errors = FieldErrors()
    name = check_name(errors, name, exclude_pk=None)
    if partner_type not in PartnerType.values:
        errors.add("partner_type", "Choose a partner type.")
    if status not in PartnerStatus.values:
        errors.add("status", "Choose a status.")
    if stage not in Stage.values:
        errors.add("stage", "Choose a lifecycle stage.")
    domain = errors.run(normalise_domain, website_domain) or ""
    code = errors.run(normalise_country, country) or ""
    program = (
        check_program(errors, program_id)
        if program_id is not None
        else Program.objects.filter(is_default=True).order_by("pk").first()
    )
    wanted_segments = check_segments(errors, segment_ids)
    check_owner(errors, owner_id)
    check_parent(errors, parent_id, partner=None)
    check_joined_on(errors, joined_on)
    errors.raise_if_any()

    today = local_today()
    if joined_on is None and status == PartnerStatus.ACTIVE:
        joined_on = today
    partner = Partner(
        name=name,
        partner_type=partner_type,
        status=status,
        stage=stage,
        website_domain=domain,
        country=code,
        program=program,
        tier=_entry_tier(program),
        owner_id=owner_id,
        parent_id=parent_id,
        joined_on=joined_on,
        left_on=today if status in LEFT_STATUSES else None,
    )
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError:
        # A concurrent create of the same name won the race past our check.
        raise ValidationError({"name": "A partner with this name already exists in this tenant."}) from None
    _set_segments(partner, wanted_segments)
    StageChange.objects.create(
        partner=partner, from_stage="", to_stage=stage, actor=actor.user, reason="Partner created"
    )
    if partner.tier_id is not None:
        TierChange.objects.create(
            partner=partner,
            from_tier=None,
            to_tier=partner.tier,
            actor=actor.user,
            reason=f"Entry tier of {program}",
        )
    audit_record(
        actor=actor.user,
        verb="partner.created",
        obj=partner,
        after=_snapshot(partner, segment_ids=wanted_segments),
    )
    return partner


@transaction.atomic
def partner_update(*, actor: Membership, partner: Partner, **fields: Any) -> Partner:
    """Change a partner's profile fields (those in UPDATABLE_FIELDS; omitted ones stay as they are).
    A new program puts the partner on that program's entry tier."""
    require_vendor(actor)
    errors = FieldErrors()
    for key in fields:
        if key == "stage":
            errors.add("stage", "Move the stage through the lifecycle, so the move is recorded.")
        elif key == "status":
            errors.add("status", "Change the status with a reason, so the change is recorded.")
        elif key not in UPDATABLE_FIELDS:
            errors.add(key, "This field cannot be changed.")
    errors.raise_if_any()

    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    current_segments = list(
        PartnerSegment.objects.filter(partner=locked).values_list("segment_id", flat=True)
    )
    before = _snapshot(locked, segment_ids=current_segments)
    changes: dict[str, Any] = {}
    if "name" in fields:
        changes["name"] = check_name(errors, fields["name"], exclude_pk=locked.pk)
    if "partner_type" in fields:
        kind = fields["partner_type"]
        if kind not in PartnerType.values:
            errors.add("partner_type", "Choose a partner type.")
        elif kind != PartnerType.DISTRIBUTOR and Partner.objects.filter(parent_id=locked.pk).exists():
            errors.add("partner_type", "Resellers buy through this distributor; move them first.")
        changes["partner_type"] = kind
    if "website_domain" in fields:
        changes["website_domain"] = errors.run(normalise_domain, fields["website_domain"]) or ""
    if "country" in fields:
        changes["country"] = errors.run(normalise_country, fields["country"]) or ""
    new_program: Program | None = None
    if "program_id" in fields:
        new_program = check_program(errors, fields["program_id"])
        changes["program_id"] = fields["program_id"]
    segments = check_segments(errors, fields["segment_ids"]) if "segment_ids" in fields else None
    if "owner_id" in fields:
        check_owner(errors, fields["owner_id"])
        changes["owner_id"] = fields["owner_id"]
    if "parent_id" in fields:
        check_parent(errors, fields["parent_id"], partner=locked)
        changes["parent_id"] = fields["parent_id"]
    if "joined_on" in fields:
        check_joined_on(errors, fields["joined_on"])
        if fields["joined_on"] and locked.left_on and fields["joined_on"] > locked.left_on:
            errors.add("joined_on", "The join date must come before the date the partner left.")
        changes["joined_on"] = fields["joined_on"]
    errors.raise_if_any()

    program_changed = "program_id" in changes and changes["program_id"] != locked.program_id
    for key, value in changes.items():
        setattr(locked, key, value)
    if program_changed:
        old_tier = locked.tier
        locked.tier = _entry_tier(new_program)
        locked.tier_overridden = False
        if old_tier != locked.tier:
            TierChange.objects.create(
                partner=locked,
                from_tier=old_tier,
                to_tier=locked.tier,
                actor=actor.user,
                reason=f"Moved to program {new_program}" if new_program else "Left its program",
            )
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise ValidationError({"name": "A partner with this name already exists in this tenant."}) from None
    if segments is not None:
        _set_segments(locked, segments)
    after = _snapshot(locked, segment_ids=segments if segments is not None else current_segments)
    if after != before:
        audit_record(actor=actor.user, verb="partner.updated", obj=locked, before=before, after=after)
    _copy_into(partner, locked)
    return partner


def _copy_into(partner: Partner, fresh: Partner) -> None:
    """Give the caller's instance the saved values (it may be rendered right after)."""
    # Setting an *_id attribute drops a stale cached relation by itself.
    for name in PARTNER_FIELDS:
        setattr(partner, name, getattr(fresh, name))


@transaction.atomic
def partner_move_stage(*, actor: Membership, partner: Partner, to_stage: str, reason: str) -> Partner:
    require_vendor(actor)
    if to_stage not in Stage.values:
        raise ValidationError({"stage": f"Unknown lifecycle stage “{to_stage}”."})
    reason = clean_reason(reason)
    # Lock the row so two moves of the same partner cannot both record the same "from" stage.
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    if locked.stage == to_stage:
        raise ValidationError({"stage": f"{locked.name} is already at {Stage(to_stage).label}."})
    from_stage = locked.stage
    locked.stage = to_stage
    locked.save(update_fields=["stage"])
    StageChange.objects.create(
        partner=locked, from_stage=from_stage, to_stage=to_stage, actor=actor.user, reason=reason
    )
    audit_record(
        actor=actor.user,
        verb="partner.stage_moved",
        obj=locked,
        before={"stage": from_stage},
        after={"stage": to_stage, "reason": reason},
    )
    partner.stage = to_stage
    return partner


@transaction.atomic
def partner_set_status(*, actor: Membership, partner: Partner, status: str, reason: str) -> Partner:
    require_vendor(actor)
    if status not in PartnerStatus.values:
        raise ValidationError({"status": f"Unknown status “{status}”."})
    reason = clean_reason(reason)
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    if locked.status == status:
        raise ValidationError({"status": f"{locked.name} is already {PartnerStatus(status).label.lower()}."})
    before = model_snapshot(locked, fields=["status", "joined_on", "left_on"])
    today = local_today()
    locked.status = status
    if status in LEFT_STATUSES:
        locked.left_on = today
    else:
        locked.left_on = None  # back in the program
    if status == PartnerStatus.ACTIVE and locked.joined_on is None:
        locked.joined_on = today
    if locked.joined_on and locked.left_on and locked.joined_on > locked.left_on:
        locked.left_on = locked.joined_on
    locked.save(update_fields=["status", "joined_on", "left_on"])
    after = model_snapshot(locked, fields=["status", "joined_on", "left_on"])
    audit_record(
        actor=actor.user,
        verb="partner.status_changed",
        obj=locked,
        before=before,
        after={**after, "reason": reason},
    )
    partner.status, partner.joined_on, partner.left_on = locked.status, locked.joined_on, locked.left_on
    return partner


@transaction.atomic
def partner_override_tier(*, actor: Membership, partner: Partner, tier_id: int, reason: str) -> Partner:
    """Pin a partner to a tier by hand; automatic evaluation leaves an overridden tier alone."""
    if actor.role != Role.VENDOR_ADMIN:
        raise PermissionDenied("Only vendor admins override tiers.")
    reason = clean_reason(reason)
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    if locked.program_id is None:
        raise ValidationError({"tier": "This partner is in no program, so it has no tiers."})
    tier = Tier.objects.filter(pk=tier_id, program_id=locked.program_id).first()
    if tier is None:
        raise ValidationError({"tier": "Choose a tier of this partner's program."})
    if locked.tier_id == tier.pk and locked.tier_overridden:
        raise ValidationError({"tier": f"{locked.name} is already pinned to {tier.name}."})
    old_tier = locked.tier
    locked.tier, locked.tier_overridden = tier, True
    locked.save(update_fields=["tier", "tier_overridden"])
    TierChange.objects.create(
        partner=locked, from_tier=old_tier, to_tier=tier, is_override=True, actor=actor.user, reason=reason
    )
    audit_record(
        actor=actor.user,
        verb="partner.tier_overridden",
        obj=locked,
        before={"tier_id": old_tier.pk if old_tier else None},
        after={"tier_id": tier.pk, "reason": reason},
    )
    partner.tier, partner.tier_overridden = tier, True
    return partner

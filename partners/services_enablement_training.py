"""Enablement writes: the vendor's training and certification catalogue, and who completed what.

Each call is one transaction with its audit event; bad input is a `ValidationError` keyed by the field,
a role that may not act is `PermissionDenied`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.models import Training, TrainingCompletion, TrainingKind
from prm.audit import audit_record, model_snapshot
from prm.models import Membership
from prm.tenancy import require_tenant_id

# Ten years: certifications are renewed far more often; a bigger number is a typo.
MAX_VALIDITY_DAYS = 3650
TRAINING_FIELDS = ["name", "kind", "description", "validity_days", "is_active"]
COMPLETION_FIELDS = ["training", "partner", "person", "completed_on", "expires_on", "recorded_by"]


def _clean_training(
    *, name: str, kind: str, validity_days: int | None, exclude_pk: int | None = None
) -> tuple[str, str, int | None]:
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "This field is required."
    elif len(name) > 200:
        errors["name"] = "Use at most 200 characters."
    else:
        same_name = Training.objects.filter(name__iexact=name)
        if exclude_pk is not None:
            same_name = same_name.exclude(pk=exclude_pk)
        if same_name.exists():
            errors["name"] = "A training with this name already exists."
    if kind not in TrainingKind.values:
        errors["kind"] = "Choose training or certification."
    if validity_days is not None:
        if kind == TrainingKind.TRAINING:
            errors["validity_days"] = "Only certifications expire; leave this empty for a training."
        elif not 1 <= validity_days <= MAX_VALIDITY_DAYS:
            errors["validity_days"] = f"Use 1 to {MAX_VALIDITY_DAYS} days, or leave empty for no expiry."
    if errors:
        raise ValidationError(errors)
    return name, kind, validity_days


def _require_vendor_admin(actor: Membership) -> None:
    if not actor.is_vendor_admin:
        raise PermissionDenied("Only vendor admins manage the training catalogue.")


def _save_training(training: Training) -> None:
    try:
        with transaction.atomic():
            training.save()
    except IntegrityError:
        # Another admin saved the same name a moment ago.
        raise ValidationError({"name": "A training with this name already exists."}) from None


@transaction.atomic
def training_create(
    *, actor: Membership, name: str, kind: str, description: str = "", validity_days: int | None = None
) -> Training:
    _require_vendor_admin(actor)
    name, kind, validity_days = _clean_training(name=name, kind=kind, validity_days=validity_days)
    training = Training(name=name, kind=kind, description=description.strip(), validity_days=validity_days)
    _save_training(training)
    audit_record(
        actor=actor.user,
        verb="training.created",
        obj=training,
        after=model_snapshot(training, fields=TRAINING_FIELDS),
    )
    return training


@transaction.atomic
def training_update(
    *,
    actor: Membership,
    training: Training,
    name: str,
    kind: str,
    description: str,
    validity_days: int | None,
    is_active: bool,
) -> Training:
    """Change a catalogue entry. A new validity applies to completions recorded from now on; the
    expiry of a certification already earned does not move."""
    _require_vendor_admin(actor)
    name, kind, validity_days = _clean_training(
        name=name, kind=kind, validity_days=validity_days, exclude_pk=training.pk
    )
    before = model_snapshot(training, fields=TRAINING_FIELDS)
    training.name, training.kind, training.validity_days = name, kind, validity_days
    training.description, training.is_active = description.strip(), is_active
    _save_training(training)
    after = model_snapshot(training, fields=TRAINING_FIELDS)
    if after != before:
        audit_record(actor=actor.user, verb="training.updated", obj=training, before=before, after=after)
    return training


@transaction.atomic
def training_set_active(*, actor: Membership, training: Training, is_active: bool) -> Training:
    """Withdraw a training from the catalogue (or offer it again); its completions stay on record."""
    _require_vendor_admin(actor)
    if training.is_active != is_active:
        before = model_snapshot(training, fields=TRAINING_FIELDS)
        training.is_active = is_active
        training.save(update_fields=["is_active"])
        audit_record(
            actor=actor.user,
            verb="training.activated" if is_active else "training.deactivated",
            obj=training,
            before=before,
            after=model_snapshot(training, fields=TRAINING_FIELDS),
        )
    return training


def _check_can_record(*, actor: Membership, partner_id: int | None) -> None:
    if actor.is_vendor:
        return
    if actor.is_partner_admin and partner_id == actor.partner_id:
        return
    raise PermissionDenied("Only the vendor's team or this partner's admins record trainings.")


def completion_expiry(*, training: Training, completed_on: date) -> date | None:
    if training.kind == TrainingKind.CERTIFICATION and training.validity_days:
        return completed_on + timedelta(days=training.validity_days)
    return None


@transaction.atomic
def training_completion_record(
    *, actor: Membership, training: Training, person: Membership, completed_on: date
) -> TrainingCompletion:
    """Record that a partner's person completed a training (or earned a certification) on a day."""
    tenant_id = require_tenant_id()
    if person.tenant_id != tenant_id or not person.is_partner or person.partner_id is None:
        raise ValidationError({"person": "Choose a person of a partner organisation in this tenant."})
    _check_can_record(actor=actor, partner_id=person.partner_id)
    errors: dict[str, str] = {}
    if not person.is_active:
        errors["person"] = "This person's access is deactivated."
    if training.tenant_id != tenant_id:
        errors["training"] = "No such training in this tenant."
    elif not training.is_active:
        errors["training"] = "This training is no longer offered."
    if completed_on > timezone.localdate():
        errors["completed_on"] = "The completion date cannot be in the future."
    elif TrainingCompletion.objects.filter(
        training=training, person=person, completed_on=completed_on
    ).exists():
        errors["completed_on"] = "This completion is already recorded for that day."
    if errors:
        raise ValidationError(errors)
    completion = TrainingCompletion(
        training=training,
        partner_id=person.partner_id,
        person=person,
        completed_on=completed_on,
        expires_on=completion_expiry(training=training, completed_on=completed_on),
        recorded_by=actor.user,
    )
    try:
        with transaction.atomic():
            completion.save()
    except IntegrityError:
        raise ValidationError({"completed_on": "This completion is already recorded for that day."}) from None
    audit_record(
        actor=actor.user,
        verb="training_completion.recorded",
        obj=completion,
        after=model_snapshot(completion, fields=COMPLETION_FIELDS),
    )
    return completion


@transaction.atomic
def training_completion_revoke(*, actor: Membership, completion: TrainingCompletion) -> None:
    """Remove a completion recorded by mistake; the audit event keeps what it was."""
    _check_can_record(actor=actor, partner_id=completion.partner_id)
    before = model_snapshot(completion, fields=COMPLETION_FIELDS)
    audit_record(actor=actor.user, verb="training_completion.revoked", obj=completion, before=before)
    completion.delete()

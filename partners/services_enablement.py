"""Onboarding writes: starting a partner's checklist, ticking its items, and the vendor's checklist
templates. Each call is one transaction with its audit event; bad input is a `ValidationError` keyed by
the field, a role that may not act is `PermissionDenied`. Trainings live in services_enablement_training.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from partners.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Partner,
    PartnerType,
    Side,
)
from prm.audit import audit_record, model_snapshot
from prm.models import Membership

# Two years is already generous for an onboarding step; more is almost certainly a typo.
MAX_DUE_DAYS = 730
MAX_POSITION = 1000
ITEM_FIELDS = ["title", "owner_side", "due_on", "completed_at", "completed_by"]
TEMPLATE_FIELDS = ["name", "partner_type"]
TEMPLATE_ITEM_FIELDS = ["template", "title", "owner_side", "due_days", "position"]


def _require_vendor(actor: Membership) -> None:
    if not actor.is_vendor:
        raise PermissionDenied("Only the vendor's team does this.")


def _require_vendor_admin(actor: Membership) -> None:
    if not actor.is_vendor_admin:
        raise PermissionDenied("Only vendor admins configure onboarding checklists.")


# --- a partner's checklist -------------------------------------------------------------------------


@transaction.atomic
def checklist_start(*, actor: Membership, partner: Partner) -> list[ChecklistItem]:
    """Copy the template of the partner's type onto the partner, due dates counted from today.

    Idempotent: a partner that already has a checklist gets it back unchanged. No template for the
    type (or an empty one) returns [] and writes nothing."""
    _require_vendor(actor)
    # The lock makes a double click, or a conversion racing the button, create one checklist, not two.
    locked = Partner.objects.select_for_update().filter(pk=partner.pk).first()
    if locked is None:
        raise ValidationError({"partner": "No such partner in this tenant."})
    existing = list(ChecklistItem.objects.filter(partner=locked).order_by("position", "id"))
    if existing:
        return existing
    template = ChecklistTemplate.objects.filter(partner_type=locked.partner_type).first()
    if template is None:
        return []
    steps = list(template.items.order_by("position", "id"))
    if not steps:
        return []
    today = timezone.localdate()
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            partner=locked,
            title=step.title,
            owner_side=step.owner_side,
            due_on=today + timedelta(days=step.due_days),
            position=step.position,
        )
        for step in steps
    )
    items = list(ChecklistItem.objects.filter(partner=locked).order_by("position", "id"))
    audit_record(
        actor=actor.user,
        verb="checklist.started",
        obj=locked,
        after={"template": template.pk, "template_name": template.name, "items": len(items)},
    )
    return items


def _check_can_tick(*, actor: Membership, item: ChecklistItem) -> None:
    """Vendor roles tick any step; a partner's people only their own organisation's partner-side steps."""
    if actor.is_vendor:
        return
    if item.partner_id != actor.partner_id:
        raise PermissionDenied("This step belongs to another partner.")
    if item.owner_side != Side.PARTNER:
        raise PermissionDenied("This step is the vendor's to complete.")


def _item_snapshot(item: ChecklistItem) -> dict[str, object]:
    snapshot = model_snapshot(item, fields=ITEM_FIELDS)
    snapshot["partner"] = item.partner_id
    return snapshot


@transaction.atomic
def checklist_item_complete(*, actor: Membership, item: ChecklistItem) -> ChecklistItem:
    """Mark a step done, recording who and when; a step already done stays as it was."""
    _check_can_tick(actor=actor, item=item)
    locked = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if locked.completed_at is None:
        before = _item_snapshot(locked)
        locked.completed_at = timezone.now()
        locked.completed_by = actor.user
        locked.save(update_fields=["completed_at", "completed_by"])
        audit_record(
            actor=actor.user,
            verb="checklist_item.completed",
            obj=locked,
            before=before,
            after=_item_snapshot(locked),
        )
    item.completed_at, item.completed_by = locked.completed_at, locked.completed_by
    return item


@transaction.atomic
def checklist_item_reopen(*, actor: Membership, item: ChecklistItem) -> ChecklistItem:
    """Undo a completion (ticked by mistake, or the step has to be redone)."""
    _check_can_tick(actor=actor, item=item)
    locked = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if locked.completed_at is not None:
        before = _item_snapshot(locked)
        locked.completed_at = None
        locked.completed_by = None
        locked.save(update_fields=["completed_at", "completed_by"])
        audit_record(
            actor=actor.user,
            verb="checklist_item.reopened",
            obj=locked,
            before=before,
            after=_item_snapshot(locked),
        )
    item.completed_at, item.completed_by = None, None
    return item


# --- checklist templates (vendor admin configuration) ---------------------------------------------


def _clean_name(name: str, *, field: str = "name", max_length: int = 120) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({field: "This field is required."})
    if len(name) > max_length:
        raise ValidationError({field: f"Use at most {max_length} characters."})
    return name


@transaction.atomic
def checklist_template_create(*, actor: Membership, partner_type: str, name: str) -> ChecklistTemplate:
    _require_vendor_admin(actor)
    if partner_type not in PartnerType.values:
        raise ValidationError({"partner_type": f"Unknown partner type “{partner_type}”."})
    name = _clean_name(name)
    if ChecklistTemplate.objects.filter(partner_type=partner_type).exists():
        raise ValidationError(
            {"partner_type": f"{PartnerType(partner_type).label} partners already have a checklist template."}
        )
    try:
        with transaction.atomic():
            template = ChecklistTemplate.objects.create(partner_type=partner_type, name=name)
    except IntegrityError:
        # Another admin created one for this type a moment ago.
        raise ValidationError(
            {"partner_type": f"{PartnerType(partner_type).label} partners already have a checklist template."}
        ) from None
    audit_record(
        actor=actor.user,
        verb="checklist_template.created",
        obj=template,
        after=model_snapshot(template, fields=TEMPLATE_FIELDS),
    )
    return template


@transaction.atomic
def checklist_template_update(
    *, actor: Membership, template: ChecklistTemplate, name: str
) -> ChecklistTemplate:
    _require_vendor_admin(actor)
    name = _clean_name(name)
    before = model_snapshot(template, fields=TEMPLATE_FIELDS)
    template.name = name
    template.save(update_fields=["name"])
    after = model_snapshot(template, fields=TEMPLATE_FIELDS)
    if after != before:
        audit_record(
            actor=actor.user, verb="checklist_template.updated", obj=template, before=before, after=after
        )
    return template


@transaction.atomic
def checklist_template_delete(*, actor: Membership, template: ChecklistTemplate) -> None:
    """Partners' checklists are copies, so deleting a template leaves every started checklist alone."""
    _require_vendor_admin(actor)
    before = model_snapshot(template, fields=TEMPLATE_FIELDS)
    before["items"] = [item.title for item in template.items.order_by("position", "id")]
    audit_record(actor=actor.user, verb="checklist_template.deleted", obj=template, before=before)
    template.delete()


def _clean_step(*, title: str, owner_side: str, due_days: int, position: int) -> tuple[str, str, int, int]:
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = "This field is required."
    elif len(title) > 200:
        errors["title"] = "Use at most 200 characters."
    if owner_side not in Side.values:
        errors["owner_side"] = "Choose who completes this step: partner or vendor."
    if not 0 <= due_days <= MAX_DUE_DAYS:
        errors["due_days"] = f"Use 0 to {MAX_DUE_DAYS} days after onboarding starts."
    if not 0 <= position <= MAX_POSITION:
        errors["position"] = f"Use a position from 0 to {MAX_POSITION}."
    if errors:
        raise ValidationError(errors)
    return title, owner_side, due_days, position


@transaction.atomic
def checklist_template_item_create(
    *,
    actor: Membership,
    template: ChecklistTemplate,
    title: str,
    owner_side: str,
    due_days: int,
    position: int | None = None,
) -> ChecklistTemplateItem:
    """Add a step; without a position it goes to the end of the list."""
    _require_vendor_admin(actor)
    if position is None:
        last = template.items.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else min(last + 1, MAX_POSITION)
    title, owner_side, due_days, position = _clean_step(
        title=title, owner_side=owner_side, due_days=due_days, position=position
    )
    item = ChecklistTemplateItem.objects.create(
        template=template, title=title, owner_side=owner_side, due_days=due_days, position=position
    )
    audit_record(
        actor=actor.user,
        verb="checklist_template_item.created",
        obj=item,
        after=model_snapshot(item, fields=TEMPLATE_ITEM_FIELDS),
    )
    return item


@transaction.atomic
def checklist_template_item_update(
    *,
    actor: Membership,
    item: ChecklistTemplateItem,
    title: str,
    owner_side: str,
    due_days: int,
    position: int,
) -> ChecklistTemplateItem:
    _require_vendor_admin(actor)
    title, owner_side, due_days, position = _clean_step(
        title=title, owner_side=owner_side, due_days=due_days, position=position
    )
    before = model_snapshot(item, fields=TEMPLATE_ITEM_FIELDS)
    item.title, item.owner_side, item.due_days, item.position = title, owner_side, due_days, position
    item.save(update_fields=["title", "owner_side", "due_days", "position"])
    after = model_snapshot(item, fields=TEMPLATE_ITEM_FIELDS)
    if after != before:
        audit_record(
            actor=actor.user, verb="checklist_template_item.updated", obj=item, before=before, after=after
        )
    return item


@transaction.atomic
def checklist_template_item_delete(*, actor: Membership, item: ChecklistTemplateItem) -> None:
    _require_vendor_admin(actor)
    before = model_snapshot(item, fields=TEMPLATE_ITEM_FIELDS)
    audit_record(actor=actor.user, verb="checklist_template_item.deleted", obj=item, before=before)
    item.delete()

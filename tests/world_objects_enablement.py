"""World objects of the enablement concept for the authorization matrix and the isolation crawler."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from partners.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    PartnerType,
    Side,
    Training,
    TrainingCompletion,
    TrainingKind,
)
from tests.world_objects import factory

if TYPE_CHECKING:
    from tests.conftest import TenantWorld


@factory("checklist_item")
def checklist_item(world: TenantWorld, other_partner: bool) -> ChecklistItem:
    """A partner-side step, so the partner's own people may tick it."""
    partner = world.p2 if other_partner else world.p1
    return ChecklistItem.objects.create(
        partner=partner,
        title=f"Sign the partner agreement {world.visible_marker(other_partner=other_partner)}",
        owner_side=Side.PARTNER,
        due_on=date.today() + timedelta(days=7),
    )


@factory("training")
def training(world: TenantWorld, other_partner: bool) -> Training:
    # The catalogue is tenant-wide, not partner-owned: only the tenant marker belongs in its name.
    return Training.objects.create(
        name=f"Product fundamentals {world.marker}".strip(), kind=TrainingKind.TRAINING
    )


@factory("training_completion")
def training_completion(world: TenantWorld, other_partner: bool) -> TrainingCompletion:
    person = (world.p2_members if other_partner else world.members)["partner_user"]
    course = Training.objects.get(pk=world.obj_pk("training"))
    return TrainingCompletion.objects.create(
        training=course,
        partner_id=person.partner_id,
        person=person,
        completed_on=date.today() - timedelta(days=3),
    )


@factory("checklist_template")
def checklist_template(world: TenantWorld, other_partner: bool) -> ChecklistTemplate:
    return ChecklistTemplate.objects.create(
        partner_type=PartnerType.DISTRIBUTOR,
        name=f"Distributor onboarding {world.visible_marker(other_partner=other_partner)}".strip(),
    )


@factory("checklist_template_item")
def checklist_template_item(world: TenantWorld, other_partner: bool) -> ChecklistTemplateItem:
    template = ChecklistTemplate.objects.get(pk=world.obj_pk("checklist_template"))
    return ChecklistTemplateItem.objects.create(
        template=template,
        title=f"Kick-off call {world.visible_marker(other_partner=other_partner)}".strip(),
        owner_side=Side.VENDOR,
        due_days=3,
    )

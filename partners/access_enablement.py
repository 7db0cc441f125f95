"""Access helpers of the enablement concept: every id from a request passes through one of these.

They answer 404 for objects of another tenant (the scoped managers never see them) and, for partner
roles, for objects of another partner, so existence never leaks. Partners themselves go through
`partners.access.access_partner_by_id`. Role checks per page live in the
view gates; write permissions per object live in the services.
"""

from __future__ import annotations

from django.http import Http404

from partners.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Training,
    TrainingCompletion,
)
from prm.models import Membership


def access_checklist_item_by_id(*, actor: Membership, item_id: int) -> ChecklistItem:
    queryset = ChecklistItem.objects.select_related("partner", "completed_by")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    item = queryset.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such checklist item.")
    return item


def access_checklist_template_by_id(*, actor: Membership, template_id: int) -> ChecklistTemplate:
    # Templates are the vendor's configuration: partners never address them.
    template = ChecklistTemplate.objects.filter(pk=template_id).first() if actor.is_vendor else None
    if template is None:
        raise Http404("No such checklist template.")
    return template


def access_checklist_template_item_by_id(*, actor: Membership, item_id: int) -> ChecklistTemplateItem:
    queryset = ChecklistTemplateItem.objects.select_related("template")
    item = queryset.filter(pk=item_id).first() if actor.is_vendor else None
    if item is None:
        raise Http404("No such checklist template item.")
    return item


def access_training_by_id(*, actor: Membership, training_id: int) -> Training:
    """The catalogue is tenant-wide; partners see only the trainings on offer (active ones)."""
    queryset = Training.objects.all()
    if actor.is_partner:
        queryset = queryset.filter(is_active=True)
    training = queryset.filter(pk=training_id).first()
    if training is None:
        raise Http404("No such training.")
    return training


def access_training_completion_by_id(*, actor: Membership, completion_id: int) -> TrainingCompletion:
    queryset = TrainingCompletion.objects.select_related("training", "partner", "person__user")
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id)
    completion = queryset.filter(pk=completion_id).first()
    if completion is None:
        raise Http404("No such training completion.")
    return completion

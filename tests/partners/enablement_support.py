"""Builders shared by the enablement tests: checklist steps, templates, trainings and completions.

Call them inside the tenant's context (the `alpha` fixtures of the test modules do)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from partners.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Partner,
    Side,
    Training,
    TrainingCompletion,
    TrainingKind,
)
from prm.models import AuditEvent, Membership


def today() -> date:
    return timezone.localdate()


def make_item(
    partner: Partner, *, side: str = Side.PARTNER, due_in: int = 7, title: str = "", **extra: Any
) -> ChecklistItem:
    return ChecklistItem.objects.create(
        partner=partner,
        title=title or f"{side} step due in {due_in}",
        owner_side=side,
        due_on=today() + timedelta(days=due_in),
        **extra,
    )


def make_template(partner_type: str, steps: list[tuple[str, str, int]]) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(partner_type=partner_type, name=f"{partner_type} onboarding")
    for position, (title, side, days) in enumerate(steps, start=1):
        ChecklistTemplateItem.objects.create(
            template=template, title=title, owner_side=side, due_days=days, position=position
        )
    return template


def make_training(name: str = "Fundamentals", *, validity: int | None = None, **extra: Any) -> Training:
    kind = TrainingKind.CERTIFICATION if validity else extra.pop("kind", TrainingKind.TRAINING)
    return Training.objects.create(name=name, kind=kind, validity_days=validity, **extra)


def make_completion(training: Training, person: Membership, *, days_ago: int) -> TrainingCompletion:
    completed_on = today() - timedelta(days=days_ago)
    expires_on = completed_on + timedelta(days=training.validity_days) if training.validity_days else None
    return TrainingCompletion.objects.create(
        training=training,
        partner_id=person.partner_id,
        person=person,
        completed_on=completed_on,
        expires_on=expires_on,
    )


def audit_verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))

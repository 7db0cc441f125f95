"""Writing the audit trail. Services call `audit_record` inside their own transaction, so an event
exists exactly when its change does."""

from __future__ import annotations

from typing import Any

from django.db import models

from prm.models import AuditEvent, User


def model_snapshot(instance: models.Model, *, fields: list[str]) -> dict[str, Any]:
    """The JSON-safe values of the named fields, for an event's before/after."""
    snapshot: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = value.pk
        snapshot[name] = (
            value if isinstance(value, (str, int, float, bool, type(None), dict, list)) else str(value)
        )
    return snapshot


def audit_record(
    *,
    actor: User | None,
    verb: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )

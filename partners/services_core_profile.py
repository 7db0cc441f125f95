"""Core writes around a partner: acquisition costs (CAC), segments, and the partner admin's own
profile. Re-exported by partners.services_core."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from partners.models import AcquisitionCost, Partner, Segment
from partners.validation_core import (
    FieldErrors,
    local_today,
    normalise_country,
    normalise_domain,
    require_vendor,
)
from prm.audit import audit_record, model_snapshot
from prm.models import Membership, Role


@transaction.atomic
def acquisition_cost_add(
    *, actor: Membership, partner: Partner, incurred_on: date, amount: Decimal | str, description: str
) -> AcquisitionCost:
    require_vendor(actor)
    errors = FieldErrors()
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        errors.add("amount", "Enter an amount.")
    elif value <= 0:
        errors.add("amount", "The amount must be more than zero.")
    elif value.as_tuple().exponent < -2 or value >= Decimal("1e12"):  # type: ignore[operator]
        errors.add("amount", "Use at most two decimals and less than 1,000,000,000,000.")
    if incurred_on is None:
        errors.add("incurred_on", "Enter the date the cost was incurred.")
    elif incurred_on > local_today():
        errors.add("incurred_on", "A cost cannot be incurred in the future.")
    description = (description or "").strip()
    if not description:
        errors.add("description", "Say what the cost was for.")
    elif len(description) > 300:
        errors.add("description", "Keep the description under 300 characters.")
    errors.raise_if_any()
    assert value is not None  # refused above otherwise
    cost = AcquisitionCost.objects.create(
        partner_id=partner.pk, incurred_on=incurred_on, amount=value, description=description
    )
    audit_record(
        actor=actor.user,
        verb="acquisition_cost.added",
        obj=cost,
        after={
            "partner_id": partner.pk,
            "incurred_on": str(incurred_on),
            "amount": str(value),
            "description": description,
        },
    )
    return cost


@transaction.atomic
def partner_profile_update_by_partner(*, actor: Membership, website_domain: str, country: str) -> Partner:
    """A partner admin keeps its own organisation's website and country up to date; nothing else."""
    if actor.role != Role.PARTNER_ADMIN:
        raise PermissionDenied("Only your organisation's admins edit its profile.")
    errors = FieldErrors()
    domain = errors.run(normalise_domain, website_domain) or ""
    code = errors.run(normalise_country, country) or ""
    errors.raise_if_any()
    locked = Partner.objects.select_for_update().get(pk=actor.own_partner_id)
    before = model_snapshot(locked, fields=["website_domain", "country"])
    locked.website_domain, locked.country = domain, code
    locked.save(update_fields=["website_domain", "country"])
    after = model_snapshot(locked, fields=["website_domain", "country"])
    if after != before:
        audit_record(actor=actor.user, verb="partner.profile_updated", obj=locked, before=before, after=after)
    return locked


@transaction.atomic
def segment_create(*, actor: Membership, name: str, description: str = "") -> Segment:
    if actor.role != Role.VENDOR_ADMIN:
        raise PermissionDenied("Only vendor admins define segments.")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A segment needs a name."})
    if len(name) > 100:
        raise ValidationError({"name": "Keep the name under 100 characters."})
    if Segment.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "A segment with this name already exists."})
    segment = Segment(name=name, description=(description or "").strip())
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError:
        raise ValidationError({"name": "A segment with this name already exists."}) from None
    audit_record(
        actor=actor.user,
        verb="segment.created",
        obj=segment,
        after={"name": name, "description": segment.description},
    )
    return segment

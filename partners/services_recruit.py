"""Writes of Recruit: prospects, their pipeline status and their conversion into partners.

Every write recomputes the prospect's stored fit score in the same transaction
(see partners/services_profile.py and partners/scoring.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from partners.models import (
    Partner,
    PartnerStatus,
    PartnerType,
    Program,
    Prospect,
    ProspectSegment,
    ProspectStatus,
    Segment,
    Stage,
)
from partners.services_core import partner_create
from partners.services_enablement import checklist_start
from partners.services_profile import COUNTRY_RE, capabilities_clean, prospects_rescore
from partners.services_program import save_or_field_error
from prm.audit import audit_record, model_snapshot
from prm.models import VENDOR_ROLES, Membership

PROSPECT_FIELDS = [
    "name",
    "website_domain",
    "country",
    "partner_type",
    "employees",
    "capabilities",
    "program",
    "owner",
    "notes",
    "status",
    "score",
]
# Statuses a person sets by hand; "converted" is reached only through prospect_convert.
MANUAL_STATUSES = (
    ProspectStatus.NEW,
    ProspectStatus.CONTACTED,
    ProspectStatus.QUALIFIED,
    ProspectStatus.REJECTED,
)
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def require_vendor(actor: Membership) -> None:
    if actor.role not in VENDOR_ROLES:
        raise PermissionDenied("Only the vendor's team works prospects.")


# --- prospects ----------------------------------------------------------------------------------


def _clean_prospect(
    *,
    prospect_id: int | None,
    name: str,
    partner_type: str,
    program_id: int | None,
    website_domain: str,
    country: str,
    segment_ids: Iterable[int],
    employees: int | None,
    capabilities: Iterable[str],
    owner_id: int | None,
) -> dict[str, Any]:
    """Every field checked at once, so a form shows all its mistakes in one go."""
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = "Enter the company's name."
    elif len(name) > 200:
        errors["name"] = "Use at most 200 characters."
    elif Prospect.objects.filter(name__iexact=name).exclude(pk=prospect_id or 0).exists():
        errors["name"] = f"A prospect named “{name}” already exists."
    if partner_type not in PartnerType.values:
        errors["partner_type"] = f"Choose one of: {', '.join(PartnerType.values)}."
    if program_id is None or not Program.objects.filter(pk=program_id).exists():
        errors["program"] = "Choose a program of this tenant."
    domain = re.sub(r"^[a-z]+://", "", (website_domain or "").strip().lower()).split("/")[0]
    if domain and not DOMAIN_RE.match(domain):
        errors["website_domain"] = "Enter a domain such as example.com."
    country = (country or "").strip().upper()
    if country and not COUNTRY_RE.match(country):
        errors["country"] = "Use a two-letter ISO country code such as US or DE."
    segment_ids = sorted({int(pk) for pk in segment_ids})
    if len(segment_ids) != Segment.objects.filter(pk__in=segment_ids).count():
        errors["segments"] = "Choose segments of this tenant."
    if employees is not None and employees < 0:
        errors["employees"] = "Use zero or more employees."
    if (
        owner_id is not None
        and not Membership.objects.filter(user_id=owner_id, is_active=True, role__in=VENDOR_ROLES).exists()
    ):
        errors["owner"] = "The owner must be an active member of the vendor's team."
    try:
        capability_list = capabilities_clean(capabilities, field="capabilities")
    except ValidationError as error:
        errors["capabilities"] = error.message_dict["capabilities"][0]
        capability_list = []
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "partner_type": partner_type,
        "program_id": program_id,
        "website_domain": domain,
        "country": country,
        "employees": employees,
        "capabilities": capability_list,
        "owner_id": owner_id,
        "segment_ids": segment_ids,
    }


def _prospect_snapshot(prospect: Prospect) -> dict[str, Any]:
    snapshot = model_snapshot(prospect, fields=PROSPECT_FIELDS)
    snapshot["segments"] = sorted(
        ProspectSegment.objects.filter(prospect=prospect).values_list("segment_id", flat=True)
    )
    return snapshot


def _set_segments(prospect: Prospect, segment_ids: Sequence[int]) -> None:
    ProspectSegment.objects.filter(prospect=prospect).exclude(segment_id__in=segment_ids).delete()
    have = set(ProspectSegment.objects.filter(prospect=prospect).values_list("segment_id", flat=True))
    ProspectSegment.objects.bulk_create(
        ProspectSegment(prospect=prospect, segment_id=pk) for pk in segment_ids if pk not in have
    )


@transaction.atomic
def prospect_create(
    *,
    actor: Membership,
    name: str,
    partner_type: str,
    program_id: int | None,
    website_domain: str = "",
    country: str = "",
    segment_ids: Iterable[int] = (),
    employees: int | None = None,
    capabilities: Iterable[str] = (),
    owner_id: int | None = None,
    notes: str = "",
) -> Prospect:
    require_vendor(actor)
    fields = _clean_prospect(
        prospect_id=None,
        name=name,
        partner_type=partner_type,
        program_id=program_id,
        website_domain=website_domain,
        country=country,
        segment_ids=segment_ids,
        employees=employees,
        capabilities=capabilities,
        owner_id=owner_id,
    )
    segment_list = fields.pop("segment_ids")
    prospect = Prospect(**fields, notes=(notes or "").strip())
    save_or_field_error(
        prospect, field="name", message=f"A prospect named “{fields['name']}” already exists."
    )
    _set_segments(prospect, segment_list)
    prospects_rescore([prospect])
    audit_record(actor=actor.user, verb="prospect.created", obj=prospect, after=_prospect_snapshot(prospect))
    return prospect


@transaction.atomic
def prospect_update(
    *,
    actor: Membership,
    prospect: Prospect,
    name: str,
    partner_type: str,
    program_id: int | None,
    website_domain: str = "",
    country: str = "",
    segment_ids: Iterable[int] = (),
    employees: int | None = None,
    capabilities: Iterable[str] = (),
    owner_id: int | None = None,
    notes: str = "",
    status: str | None = None,
    status_reason: str = "",
) -> Prospect:
    """Edit a prospect (and optionally its status, with the same rules as prospect_status_change)."""
    require_vendor(actor)
    locked = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if locked.status == ProspectStatus.CONVERTED:
        raise ValidationError({"name": "This prospect is already a partner; edit the partner instead."})
    fields = _clean_prospect(
        prospect_id=locked.pk,
        name=name,
        partner_type=partner_type,
        program_id=program_id,
        website_domain=website_domain,
        country=country,
        segment_ids=segment_ids,
        employees=employees,
        capabilities=capabilities,
        owner_id=owner_id,
    )
    if status is not None and status != locked.status:
        _check_status_change(locked, status=status, reason=status_reason)
    before = _prospect_snapshot(locked)
    segment_list = fields.pop("segment_ids")
    for key, value in fields.items():
        setattr(locked, key, value)
    locked.notes = (notes or "").strip()
    if status is not None:
        locked.status = status
    save_or_field_error(locked, field="name", message=f"A prospect named “{fields['name']}” already exists.")
    _set_segments(locked, segment_list)
    prospects_rescore([locked])
    after = _prospect_snapshot(locked)
    if after != before:
        if status_reason and after["status"] != before["status"]:
            after["reason"] = status_reason.strip()
        audit_record(actor=actor.user, verb="prospect.updated", obj=locked, before=before, after=after)
    return locked


def _check_status_change(prospect: Prospect, *, status: str, reason: str) -> None:
    if prospect.status == ProspectStatus.CONVERTED:
        raise ValidationError({"status": "This prospect is already a partner; its status is final."})
    if status == ProspectStatus.CONVERTED:
        raise ValidationError({"status": "Use “Convert to partner” to make a prospect a partner."})
    if status not in MANUAL_STATUSES:
        raise ValidationError({"status": f"Choose one of: {', '.join(MANUAL_STATUSES)}."})
    if status == ProspectStatus.REJECTED and not (reason or "").strip():
        raise ValidationError(
            {"reason": "Say why the prospect is rejected; the reason is kept in the audit log."}
        )
    if len((reason or "").strip()) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})


@transaction.atomic
def prospect_status_change(
    *, actor: Membership, prospect: Prospect, status: str, reason: str = ""
) -> Prospect:
    """Move a prospect through the pipeline; the reason is kept in the audit event."""
    require_vendor(actor)
    locked = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if status == locked.status:
        raise ValidationError({"status": f"The prospect is already {locked.get_status_display().lower()}."})
    _check_status_change(locked, status=status, reason=reason)
    before = locked.status
    locked.status = status
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor.user,
        verb="prospect.status_changed",
        obj=locked,
        before={"status": before},
        after={"status": status, "reason": (reason or "").strip()},
    )
    return locked


@transaction.atomic
def prospect_convert(*, actor: Membership, prospect: Prospect) -> Partner:
    """Make a qualified prospect a partner in onboarding, start its checklist, and mark it converted.

    One transaction: if creating the partner or its checklist fails, nothing is written."""
    require_vendor(actor)
    locked = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if locked.status == ProspectStatus.CONVERTED or locked.converted_partner_id is not None:
        raise ValidationError({"status": "This prospect was already converted to a partner."})
    if locked.status != ProspectStatus.QUALIFIED:
        current = locked.get_status_display().lower()
        raise ValidationError({"status": f"Only qualified prospects convert; this one is {current}."})
    partner = partner_create(
        actor=actor,
        name=locked.name,
        partner_type=locked.partner_type,
        website_domain=locked.website_domain,
        country=locked.country,
        program_id=locked.program_id,
        segment_ids=list(
            ProspectSegment.objects.filter(prospect=locked).values_list("segment_id", flat=True)
        ),
        owner_id=locked.owner_id,
        status=PartnerStatus.ONBOARDING,
        stage=Stage.ONBOARD,
    )
    checklist_start(actor=actor, partner=partner)
    locked.status = ProspectStatus.CONVERTED
    locked.converted_partner = partner
    locked.save(update_fields=["status", "converted_partner"])
    audit_record(
        actor=actor.user,
        verb="prospect.converted",
        obj=locked,
        before={"status": ProspectStatus.QUALIFIED},
        after={"status": ProspectStatus.CONVERTED, "converted_partner": partner.pk},
    )
    return partner

"""Writes of Strategize: a program's ideal partner profile, and the stored fit score of prospects.

A prospect's score is stored with it and recomputed in the same transaction as whatever changed it:
the prospect itself (partners/services_recruit.py), or its program's ideal profile (here, then every
prospect of that program). The arithmetic is the pure function in partners/scoring.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from partners import scoring
from partners.models import (
    CriterionKind,
    IdealProfile,
    PartnerType,
    ProfileCriterion,
    Program,
    Prospect,
    ProspectSegment,
    Segment,
)
from partners.services_program import require_vendor_admin
from prm.audit import audit_record
from prm.models import Membership

COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
MAX_CAPABILITIES = 30


# --- ideal profile ------------------------------------------------------------------------------


def _decimal(value: Any, *, field: str, message: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: message}) from None
    if not number.is_finite():
        raise ValidationError({field: message})
    return number


def _optional_count(value: Any, *, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError({field: "Enter a whole number of employees."}) from None
    if number < 0:
        raise ValidationError({field: "Use zero or more employees."})
    return number


def criterion_clean(
    *, kind: str, values: Iterable[Any] = (), min_value: Any = None, max_value: Any = None, weight: Any = None
) -> dict[str, Any]:
    """Validate and normalise one criterion of an ideal profile (errors keyed by its fields)."""
    if kind not in CriterionKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(CriterionKind.values)}."})
    weight_number = _decimal(weight, field="weight", message="Enter a weight such as 1, 2.5 or 10.")
    if not Decimal("0.01") <= weight_number <= Decimal("100"):
        raise ValidationError({"weight": "Use a weight between 0.01 and 100."})
    weight_number = weight_number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    raw = [str(value).strip() for value in values if str(value).strip()]
    low = high = None
    if kind == CriterionKind.SIZE:
        low = _optional_count(min_value, field="min_value")
        high = _optional_count(max_value, field="max_value")
        if low is None and high is None:
            raise ValidationError({"min_value": "Give a minimum, a maximum or both."})
        if low is not None and high is not None and low > high:
            raise ValidationError({"max_value": "The maximum must not be below the minimum."})
        cleaned: list[Any] = []
    elif not raw:
        raise ValidationError({"values": "List at least one value."})
    elif kind == CriterionKind.PARTNER_TYPE:
        by_label = {label.lower(): value for value, label in PartnerType.choices}
        cleaned = []
        for item in raw:
            value = item.lower() if item.lower() in PartnerType.values else by_label.get(item.lower())
            if value is None:
                raise ValidationError(
                    {"values": f"Unknown partner type “{item}”; use {', '.join(PartnerType.values)}."}
                )
            cleaned.append(value)
    elif kind == CriterionKind.SEGMENT:
        cleaned = _segment_ids(raw)
    elif kind == CriterionKind.COUNTRY:
        cleaned = [item.upper() for item in raw]
        bad = [item for item in cleaned if not COUNTRY_RE.match(item)]
        if bad:
            raise ValidationError(
                {"values": f"Use two-letter ISO country codes (e.g. US, DE), not {', '.join(bad)}."}
            )
    else:
        cleaned = capabilities_clean(raw, field="values")
    unique = list(dict.fromkeys(cleaned))
    return {"kind": kind, "values": unique, "min_value": low, "max_value": high, "weight": weight_number}


def _segment_ids(raw: Sequence[str]) -> list[int]:
    """Segments by id or by name (case-insensitive), all of this tenant."""
    by_name = {name.lower(): pk for pk, name in Segment.objects.values_list("id", "name")}
    ids = []
    for item in raw:
        pk = int(item) if item.isdigit() and int(item) in by_name.values() else by_name.get(item.lower())
        if pk is None:
            raise ValidationError({"values": f"No segment “{item}” in this tenant."})
        ids.append(pk)
    return ids


def capabilities_clean(raw: Iterable[Any], *, field: str) -> list[str]:
    seen: dict[str, str] = {}
    for item in raw:
        text = " ".join(str(item).split())
        if not text:
            continue
        if len(text) > 60:
            raise ValidationError({field: f"Keep each capability under 60 characters (“{text[:20]}…”)."})
        seen.setdefault(text.lower(), text)
    if len(seen) > MAX_CAPABILITIES:
        raise ValidationError({field: f"List at most {MAX_CAPABILITIES} capabilities."})
    return list(seen.values())


@transaction.atomic
def ideal_profile_save(
    *,
    actor: Membership,
    program: Program,
    criteria: Sequence[Mapping[str, Any]],
    name: str = "",
    description: str = "",
) -> IdealProfile:
    """Replace the program's ideal profile and its criteria, then rescore the program's prospects."""
    require_vendor_admin(actor)
    cleaned = []
    for number, criterion in enumerate(criteria, start=1):
        try:
            cleaned.append(criterion_clean(**criterion))
        except ValidationError as error:
            messages = [f"Criterion {number}: {m}" for ms in error.message_dict.values() for m in ms]
            raise ValidationError({"criteria": messages}) from error
    Program.objects.select_for_update().filter(pk=program.pk).first()
    profile = IdealProfile.objects.filter(program=program).first()
    before = _profile_snapshot(profile) if profile else None
    if profile is None:
        profile = IdealProfile(program=program)
    profile.name = " ".join((name or "").split())[:120] or f"Ideal {program.name} partner"
    profile.description = (description or "").strip()
    profile.save()
    ProfileCriterion.objects.filter(profile=profile).delete()
    ProfileCriterion.objects.bulk_create(
        ProfileCriterion(profile=profile, **criterion) for criterion in cleaned
    )
    after = _profile_snapshot(profile)
    if after != before:
        verb = "ideal_profile.created" if before is None else "ideal_profile.updated"
        audit_record(actor=actor.user, verb=verb, obj=profile, before=before, after=after)
    prospects_rescore(Prospect.objects.filter(program=program))
    return profile


def _profile_snapshot(profile: IdealProfile) -> dict[str, Any]:
    criteria = ProfileCriterion.objects.filter(profile=profile).order_by("-weight", "id")
    return {
        "name": profile.name,
        "description": profile.description,
        "criteria": [
            {
                "kind": c.kind,
                "values": c.values,
                "min": c.min_value,
                "max": c.max_value,
                "weight": str(c.weight),
            }
            for c in criteria
        ],
    }


# --- scoring ------------------------------------------------------------------------------------


def scoring_names() -> scoring.Names:
    return scoring.Names(
        partner_types=dict(PartnerType.choices), segments=dict(Segment.objects.values_list("id", "name"))
    )


def prospects_rescore(prospects: Iterable[Prospect]) -> None:
    """Recompute and store the score of each prospect: a handful of queries for any number of rows."""
    prospects = list(prospects)
    if not prospects:
        return
    program_ids = {prospect.program_id for prospect in prospects}
    criteria_by_program: dict[int, list[scoring.Criterion]] = defaultdict(list)
    for criterion in ProfileCriterion.objects.filter(profile__program_id__in=program_ids).select_related(
        "profile"
    ):
        criteria_by_program[criterion.profile.program_id].append(
            scoring.Criterion(
                kind=criterion.kind,
                weight=float(criterion.weight),
                values=tuple(criterion.values or ()),
                min_value=criterion.min_value,
                max_value=criterion.max_value,
            )
        )
    segments: dict[int, set[int]] = defaultdict(set)
    links = ProspectSegment.objects.filter(prospect_id__in=[p.pk for p in prospects])
    for prospect_id, segment_id in links.values_list("prospect_id", "segment_id"):
        segments[prospect_id].add(segment_id)
    names = scoring_names()
    for prospect in prospects:
        candidate = scoring.Candidate(
            partner_type=prospect.partner_type,
            country=prospect.country,
            segment_ids=frozenset(segments[prospect.pk]),
            employees=prospect.employees,
            capabilities=tuple(prospect.capabilities or ()),
        )
        result = scoring.score_candidate(candidate, criteria_by_program[prospect.program_id], names)
        prospect.score = Decimal(str(result.score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        prospect.score_explanation = result.explanation
    Prospect.objects.bulk_update(prospects, ["score", "score_explanation"])

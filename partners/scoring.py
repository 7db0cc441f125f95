"""Fit of a prospect to a program's ideal partner profile: a pure function, no Django needed.

    score = 100 * sum(weight * match) / sum(weight)        (0 when there are no criteria)

`match` is in [0, 1] per criterion:
- partner type, country: 1 when the prospect's value is one of the listed values, else 0;
- segment: 1 when the prospect is in at least one of the listed segments, else 0;
- capability: the share of the listed (required) capabilities the prospect has, compared
  case-insensitively;
- size (employees): 1 inside [min, max] (either bound may be open). Outside, the credit decays with
  the *relative* distance to the nearest bound: `employees / min` below the range and
  `max / employees` above it, so a company with half the minimum or twice the maximum head count
  earns half credit, one with a tenth of the minimum a tenth. An unknown size earns nothing.

The per-criterion explanation says why each criterion scored what it did, and `points` are its
contribution to the final score, so the points of a result add up to its score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PARTNER_TYPE = "partner_type"
SEGMENT = "segment"
COUNTRY = "country"
SIZE = "size"
CAPABILITY = "capability"
KINDS = (PARTNER_TYPE, SEGMENT, COUNTRY, SIZE, CAPABILITY)

KIND_LABELS = {
    PARTNER_TYPE: "Partner type",
    SEGMENT: "Segment",
    COUNTRY: "Country",
    SIZE: "Company size",
    CAPABILITY: "Capabilities",
}


@dataclass(frozen=True)
class Criterion:
    kind: str
    weight: float
    values: tuple[Any, ...] = ()
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class Candidate:
    """What scoring needs to know about a prospect."""

    partner_type: str = ""
    country: str = ""
    segment_ids: frozenset[int] = frozenset()
    employees: int | None = None
    capabilities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Names:
    """Display names for values stored as codes or ids (partner types, segment ids)."""

    partner_types: Mapping[str, str] = field(default_factory=dict)
    segments: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoreResult:
    score: float  # 0..100, unrounded; round when storing
    explanation: list[dict[str, Any]]


def _join(items: Iterable[str]) -> str:
    items = list(items)
    return ", ".join(items) if items else "nothing"


def _size_match(employees: int | None, low: int | None, high: int | None) -> tuple[float, str]:
    if employees is None:
        return 0.0, "Size unknown: no credit."
    if low is not None and employees < low:
        credit = employees / low if low > 0 else 0.0
        return credit, f"{employees} employees is below {low}: {credit:.0%} credit."
    if high is not None and employees > high:
        credit = high / employees
        return credit, f"{employees} employees is above {high}: {credit:.0%} credit."
    return 1.0, f"{employees} employees is within range."


def size_range_label(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high} employees"
    if low is not None:
        return f"at least {low} employees"
    if high is not None:
        return f"at most {high} employees"
    return "any size"


def criterion_label(criterion: Criterion, names: Names | None = None) -> str:
    names = names or Names()
    kind = criterion.kind
    if kind == SIZE:
        return f"{KIND_LABELS[SIZE]}: {size_range_label(criterion.min_value, criterion.max_value)}"
    if kind == PARTNER_TYPE:
        shown = [names.partner_types.get(str(value), str(value)) for value in criterion.values]
    elif kind == SEGMENT:
        shown = [names.segments.get(_as_int(value), f"segment #{value}") for value in criterion.values]
    else:
        shown = [str(value) for value in criterion.values]
    return f"{KIND_LABELS.get(kind, kind)}: {_join(shown)}"


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def criterion_match(
    criterion: Criterion, candidate: Candidate, names: Names | None = None
) -> tuple[float, str]:
    """The match in [0, 1] of one criterion, and a sentence saying why."""
    names = names or Names()
    kind = criterion.kind
    if kind == SIZE:
        return _size_match(candidate.employees, criterion.min_value, criterion.max_value)
    if not criterion.values:
        return 0.0, "The criterion lists no values."
    if kind == PARTNER_TYPE:
        label = names.partner_types.get(candidate.partner_type, candidate.partner_type or "no type")
        if candidate.partner_type in {str(value) for value in criterion.values}:
            return 1.0, f"{label} is a wanted type."
        return 0.0, f"{label} is not a wanted type."
    if kind == COUNTRY:
        country = candidate.country.upper()
        if country and country in {str(value).upper() for value in criterion.values}:
            return 1.0, f"{country} is a wanted country."
        return 0.0, f"{country or 'No country'} is not a wanted country."
    if kind == SEGMENT:
        wanted = {_as_int(value) for value in criterion.values}
        shared = sorted(wanted & set(candidate.segment_ids))
        if shared:
            return 1.0, "In " + _join(names.segments.get(pk, f"segment #{pk}") for pk in shared) + "."
        return 0.0, "In none of the wanted segments."
    if kind == CAPABILITY:
        required = {str(value).strip().lower() for value in criterion.values if str(value).strip()}
        if not required:
            return 0.0, "The criterion lists no values."
        present = {str(value).strip().lower() for value in candidate.capabilities}
        have = sorted(required & present)
        missing = sorted(required - present)
        detail = f"Has {len(have)} of {len(required)}"
        detail += f"; missing {_join(missing)}." if missing else "."
        return len(have) / len(required), detail
    return 0.0, f"Unknown criterion kind “{kind}”."


def score_candidate(
    candidate: Candidate, criteria: Sequence[Criterion], names: Names | None = None
) -> ScoreResult:
    """Score a candidate against weighted criteria; see the module docstring for the rules."""
    usable = [criterion for criterion in criteria if criterion.weight > 0]
    total_weight = sum(float(criterion.weight) for criterion in usable)
    if not usable or total_weight <= 0:
        return ScoreResult(score=0.0, explanation=[])
    earned = 0.0
    explanation = []
    for criterion in usable:
        weight = float(criterion.weight)
        match, detail = criterion_match(criterion, candidate, names)
        match = min(1.0, max(0.0, match))
        earned += weight * match
        explanation.append(
            {
                "criterion": criterion_label(criterion, names),
                "kind": criterion.kind,
                "weight": weight,
                "matched": round(match, 3),
                "points": round(100 * weight * match / total_weight, 1),
                "max_points": round(100 * weight / total_weight, 1),
                "detail": detail,
            }
        )
    score = 100 * earned / total_weight
    return ScoreResult(score=min(100.0, max(0.0, score)), explanation=explanation)

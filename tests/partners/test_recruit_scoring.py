"""The fit score of a prospect against an ideal profile: worked examples and properties."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from partners import scoring
from partners.models import CriterionKind
from partners.scoring import Candidate, Criterion, score_candidate


def test_kinds_are_the_models_kinds() -> None:
    assert set(scoring.KINDS) == set(CriterionKind.values)


def test_weighted_share_of_matching_criteria() -> None:
    criteria = [
        Criterion(kind=scoring.PARTNER_TYPE, weight=3, values=("reseller", "services")),
        Criterion(kind=scoring.COUNTRY, weight=1, values=("DE",)),
    ]
    result = score_candidate(Candidate(partner_type="reseller", country="US"), criteria)
    assert result.score == pytest.approx(75.0)
    assert [row["matched"] for row in result.explanation] == [1.0, 0.0]
    assert [row["points"] for row in result.explanation] == [75.0, 0.0]
    assert [row["max_points"] for row in result.explanation] == [75.0, 25.0]
    assert set(result.explanation[0]) >= {"criterion", "weight", "matched", "points", "detail"}


def test_no_criteria_scores_zero_with_no_explanation() -> None:
    result = score_candidate(Candidate(partner_type="reseller"), [])
    assert result.score == 0.0 and result.explanation == []


@pytest.mark.parametrize(
    ("employees", "low", "high", "expected"),
    [
        (100, 50, 500, 1.0),
        (50, 50, 500, 1.0),
        (500, 50, 500, 1.0),
        (25, 50, 500, 0.5),  # half the minimum: half credit
        (5, 50, 500, 0.1),
        (1000, 50, 500, 0.5),  # twice the maximum: half credit
        (0, 50, 500, 0.0),
        (10_000, 50, None, 1.0),  # open upper bound
        (3, None, 10, 1.0),  # open lower bound
        (None, 50, 500, 0.0),  # unknown size earns nothing
    ],
)
def test_size_partial_credit_decays_with_relative_distance(
    employees: int | None, low: int | None, high: int | None, expected: float
) -> None:
    criterion = Criterion(kind=scoring.SIZE, weight=1, min_value=low, max_value=high)
    match, detail = scoring.criterion_match(criterion, Candidate(employees=employees))
    assert match == pytest.approx(expected)
    assert detail


def test_capability_scores_the_share_present_case_insensitively() -> None:
    criterion = Criterion(
        kind=scoring.CAPABILITY, weight=1, values=("Cloud migration", "SAP", "24x7 support")
    )
    match, detail = scoring.criterion_match(
        criterion, Candidate(capabilities=("cloud MIGRATION", "24x7 support"))
    )
    assert match == pytest.approx(2 / 3)
    assert "missing sap" in detail


def test_segment_matches_on_any_shared_segment_and_names_it() -> None:
    criterion = Criterion(kind=scoring.SEGMENT, weight=1, values=(1, 2))
    names = scoring.Names(segments={2: "MSP, mid-market"})
    assert scoring.criterion_match(criterion, Candidate(segment_ids=frozenset({2, 9})), names) == (
        1.0,
        "In MSP, mid-market.",
    )
    assert scoring.criterion_match(criterion, Candidate(segment_ids=frozenset({9})), names)[0] == 0.0
    label = scoring.criterion_label(criterion, names)
    assert label == "Segment: segment #1, MSP, mid-market"


def test_country_is_compared_case_insensitively() -> None:
    criterion = Criterion(kind=scoring.COUNTRY, weight=1, values=("de", "FR"))
    assert scoring.criterion_match(criterion, Candidate(country="DE"))[0] == 1.0
    assert scoring.criterion_match(criterion, Candidate(country=""))[0] == 0.0


def test_points_add_up_to_the_score() -> None:
    criteria = [
        Criterion(kind=scoring.PARTNER_TYPE, weight=2, values=("reseller",)),
        Criterion(kind=scoring.SIZE, weight=1.5, min_value=100, max_value=200),
        Criterion(kind=scoring.CAPABILITY, weight=1, values=("a", "b")),
    ]
    result = score_candidate(Candidate(partner_type="reseller", employees=50, capabilities=("a",)), criteria)
    assert sum(row["points"] for row in result.explanation) == pytest.approx(result.score, abs=0.2)
    assert result.score == pytest.approx(100 * (2 + 1.5 * 0.5 + 0.5) / 4.5)


# --- properties ---------------------------------------------------------------------------------

TYPES = ("reseller", "referral", "services", "technology", "distributor")
COUNTRIES = ("US", "DE", "FR", "GB", "JP")
CAPABILITIES = ("cloud", "sap", "support", "training", "security")
weights = st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False)
sizes = st.one_of(st.none(), st.integers(min_value=0, max_value=100_000))


@st.composite
def criteria_for(draw: st.DrawFn, kind: str) -> Criterion:
    weight = draw(weights)
    if kind == scoring.SIZE:
        low = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=5_000)))
        high = draw(st.one_of(st.none(), st.integers(min_value=low or 0, max_value=50_000)))
        assume(low is not None or high is not None)
        return Criterion(kind=kind, weight=weight, min_value=low, max_value=high)
    pool: tuple[object, ...] = {
        scoring.PARTNER_TYPE: TYPES,
        scoring.COUNTRY: COUNTRIES,
        scoring.SEGMENT: (1, 2, 3, 4, 5),
        scoring.CAPABILITY: CAPABILITIES,
    }[kind]
    values = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
    return Criterion(kind=kind, weight=weight, values=tuple(values))


@st.composite
def profiles(draw: st.DrawFn) -> list[Criterion]:
    """One criterion per kind at most, as a profile would have; kinds in any order."""
    kinds = draw(st.lists(st.sampled_from(scoring.KINDS), min_size=1, max_size=5, unique=True))
    return [draw(criteria_for(kind)) for kind in kinds]


candidates = st.builds(
    Candidate,
    partner_type=st.sampled_from(TYPES),
    country=st.sampled_from((*COUNTRIES, "")),
    segment_ids=st.frozensets(st.integers(min_value=1, max_value=6), max_size=3),
    employees=sizes,
    capabilities=st.lists(st.sampled_from(CAPABILITIES), max_size=5, unique=True).map(tuple),
)


def _make_match(criterion: Criterion, candidate: Candidate) -> Candidate:
    """The candidate changed just enough for `criterion` to match fully."""
    if criterion.kind == scoring.PARTNER_TYPE:
        return replace(candidate, partner_type=str(criterion.values[0]))
    if criterion.kind == scoring.COUNTRY:
        return replace(candidate, country=str(criterion.values[0]))
    if criterion.kind == scoring.SEGMENT:
        return replace(candidate, segment_ids=candidate.segment_ids | {int(criterion.values[0])})
    if criterion.kind == scoring.CAPABILITY:
        return replace(candidate, capabilities=tuple({*candidate.capabilities, *map(str, criterion.values)}))
    inside = criterion.min_value if criterion.min_value is not None else criterion.max_value
    return replace(candidate, employees=inside)


@settings(max_examples=300, deadline=None)
@given(candidate=candidates, criteria=profiles())
def test_score_is_within_0_and_100(candidate: Candidate, criteria: list[Criterion]) -> None:
    result = score_candidate(candidate, criteria)
    assert 0.0 <= result.score <= 100.0
    assert all(0.0 <= row["matched"] <= 1.0 for row in result.explanation)
    assert len(result.explanation) == len(criteria)


@settings(max_examples=300, deadline=None)
@given(candidate=candidates, criteria=profiles(), data=st.data())
def test_score_rises_when_a_criterion_starts_matching(
    candidate: Candidate, criteria: list[Criterion], data: st.DataObject
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(criteria) - 1))
    before = score_candidate(candidate, criteria)
    improved = _make_match(criteria[index], candidate)
    after = score_candidate(improved, criteria)
    assert after.explanation[index]["matched"] == 1.0
    assert after.score >= before.score - 1e-9
    if before.explanation[index]["matched"] < 1.0:
        assert after.score > before.score


@settings(max_examples=300, deadline=None)
@given(
    candidate=candidates,
    criteria=profiles(),
    factor=st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False),
)
def test_score_does_not_change_when_all_weights_scale(
    candidate: Candidate, criteria: list[Criterion], factor: float
) -> None:
    scaled = [replace(criterion, weight=criterion.weight * factor) for criterion in criteria]
    assert math.isclose(
        score_candidate(candidate, criteria).score, score_candidate(candidate, scaled).score, abs_tol=1e-9
    )


@settings(max_examples=200, deadline=None)
@given(candidate=candidates, criteria=profiles())
def test_order_of_criteria_does_not_matter(candidate: Candidate, criteria: list[Criterion]) -> None:
    forward = score_candidate(candidate, criteria).score
    backward = score_candidate(candidate, list(reversed(criteria))).score
    assert math.isclose(forward, backward, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(candidate=candidates, criteria=profiles(), weight=weights)
def test_adding_a_fully_matching_criterion_never_lowers_the_score(
    candidate: Candidate, criteria: list[Criterion], weight: float
) -> None:
    matching = Criterion(kind=scoring.PARTNER_TYPE, weight=weight, values=(candidate.partner_type,))
    assert (
        score_candidate(candidate, [*criteria, matching]).score
        >= score_candidate(candidate, criteria).score - 1e-9
    )

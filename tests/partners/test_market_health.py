"""Health: questionnaire configuration, scoring (weighted domain means on 0-100) and assessments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partners.models import Answer, Assessment, Question, Questionnaire, Respondent
from partners.services_health import (
    DEFAULT_QUESTIONS,
    HEALTH_DOMAINS,
    assessment_scores,
    assessment_submit,
    question_add,
    question_delete,
    question_update,
    questionnaire_create_default,
    questionnaire_new_version,
)
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped

D = Decimal


@pytest.fixture
def alpha(world: World) -> Any:
    with tenant_context(world.alpha.tenant):
        yield world.alpha


@pytest.fixture
def questions(alpha: Any) -> list[Question]:
    """Two domains: Capability (weights 1 and 3) and Engagement (weight 2)."""
    admin = alpha.members["vendor_admin"]
    return [
        question_add(actor=admin, domain="Capability", text="Certified engineers", weight=1),
        question_add(actor=admin, domain="Capability", text="On-time go-lives", weight=3),
        question_add(actor=admin, domain="Engagement", text="Joins reviews", weight=2),
    ]


# --- scoring --------------------------------------------------------------------------------------


def test_scores_are_weighted_domain_means_mapped_to_0_100() -> None:
    domains, overall = assessment_scores([("A", 1, 5), ("A", 3, 1), ("B", 2, 4)])
    # A: (5*1 + 1*3) / 4 = 2.0 -> 25.0;  B: 4 -> 75.0;  overall: (5 + 3 + 8) / 6 = 2.667 -> 41.7
    assert domains == {"A": D("25.0"), "B": D("75.0")}
    assert overall == D("41.7")


def test_scores_span_exactly_0_to_100() -> None:
    assert assessment_scores([("A", 2, 1), ("B", 7, 1)]) == ({"A": D("0.0"), "B": D("0.0")}, D("0.0"))
    assert assessment_scores([("A", 2, 5)]) == ({"A": D("100.0")}, D("100.0"))
    assert assessment_scores([("A", 1, 3), ("A", 1, 4)])[0] == {"A": D("62.5")}


def test_unweighted_mean_would_differ() -> None:
    """The weight matters: the same answers with equal weights give another score."""
    weighted = assessment_scores([("A", 1, 5), ("A", 3, 1)])[0]["A"]
    equal = assessment_scores([("A", 1, 5), ("A", 1, 1)])[0]["A"]
    assert (weighted, equal) == (D("25.0"), D("50.0"))


# --- assessments ----------------------------------------------------------------------------------


def test_vendor_assessment_stores_domain_scores_answers_and_audit(
    alpha: Any, questions: list[Question]
) -> None:
    a, b, c = questions
    assessment = assessment_submit(
        actor=alpha.members["vendor_staff"], partner=alpha.p1, answers={a.pk: 5, b.pk: "1", c.pk: 4}
    )
    stored = unscoped(Assessment).get(pk=assessment.pk)
    assert stored.respondent_side == Respondent.VENDOR
    assert stored.respondent == alpha.members["vendor_staff"].user
    assert stored.domain_scores == {"Capability": 25.0, "Engagement": 75.0}
    assert stored.overall_score == D("41.7")
    assert sorted(unscoped(Answer).filter(assessment=stored).values_list("question_id", "score")) == sorted(
        [(a.pk, 5), (b.pk, 1), (c.pk, 4)]
    )
    event = unscoped(AuditEvent).get(verb="assessment.submitted", object_id=str(assessment.pk))
    assert event.after["respondent_side"] == "vendor" and event.after["overall_score"] == "41.7"


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_members_file_a_self_assessment(alpha: Any, questions: list[Question], role: str) -> None:
    answers = {q.pk: 3 for q in questions}
    assessment = assessment_submit(actor=alpha.members[role], partner=alpha.p1, answers=answers)
    assert assessment.respondent_side == Respondent.PARTNER and assessment.overall_score == D("50.0")


def test_partner_cannot_assess_another_partner(alpha: Any, questions: list[Question]) -> None:
    with pytest.raises(PermissionDenied):
        assessment_submit(
            actor=alpha.members["partner_admin"], partner=alpha.p2, answers={q.pk: 3 for q in questions}
        )
    assert not unscoped(Assessment).exists()


def test_every_question_needs_a_score_from_1_to_5(alpha: Any, questions: list[Question]) -> None:
    a, b, c = questions
    with pytest.raises(ValidationError) as raised:
        assessment_submit(actor=alpha.members["vendor_admin"], partner=alpha.p1, answers={a.pk: 6, b.pk: ""})
    errors = raised.value.message_dict
    assert set(errors) == {f"question_{a.pk}", f"question_{b.pk}", f"question_{c.pk}"}
    assert "1" in errors[f"question_{a.pk}"][0] and "5" in errors[f"question_{a.pk}"][0]
    assert errors[f"question_{c.pk}"] == ["Answer this question with a score from 1 to 5."]
    assert not unscoped(Assessment).exists() and not unscoped(Answer).exists()


@pytest.mark.parametrize("bad", [0, -1, "x", 2.5, True, None])
def test_bad_scores_are_refused(alpha: Any, questions: list[Question], bad: Any) -> None:
    answers: dict[int, Any] = {q.pk: 3 for q in questions}
    answers[questions[0].pk] = bad
    with pytest.raises(ValidationError) as raised:
        assessment_submit(actor=alpha.members["vendor_admin"], partner=alpha.p1, answers=answers)
    assert list(raised.value.message_dict) == [f"question_{questions[0].pk}"]


def test_answers_to_unknown_questions_are_refused(alpha: Any, questions: list[Question]) -> None:
    answers = {q.pk: 3 for q in questions} | {999999: 4}
    with pytest.raises(ValidationError) as raised:
        assessment_submit(actor=alpha.members["vendor_admin"], partner=alpha.p1, answers=answers)
    assert "999999" in raised.value.message_dict["answers"][0]


def test_no_questionnaire_is_a_clear_error(alpha: Any) -> None:
    with pytest.raises(ValidationError, match="no health questionnaire"):
        assessment_submit(actor=alpha.members["vendor_admin"], partner=alpha.p1, answers={})


def test_history_is_kept_and_old_assessments_are_never_rewritten(
    alpha: Any, questions: list[Question]
) -> None:
    admin = alpha.members["vendor_admin"]
    first = assessment_submit(actor=admin, partner=alpha.p1, answers={q.pk: 2 for q in questions})
    question_update(
        actor=admin, question=questions[0], domain="Capability", text="Changed", weight=10, position=1
    )
    second = assessment_submit(actor=admin, partner=alpha.p1, answers={q.pk: 4 for q in questions})
    assert unscoped(Assessment).filter(partner=alpha.p1).count() == 2
    assert unscoped(Assessment).get(pk=first.pk).overall_score == D("25.0")
    assert unscoped(Assessment).get(pk=second.pk).overall_score == D("75.0")


# --- configuration --------------------------------------------------------------------------------


def test_standard_questionnaire_covers_the_four_domains(alpha: Any) -> None:
    questionnaire = questionnaire_create_default(actor=alpha.members["vendor_admin"])
    stored = list(unscoped(Question).filter(questionnaire=questionnaire).order_by("position"))
    assert 8 <= len(stored) <= 12 and len(stored) == len(DEFAULT_QUESTIONS)
    assert {q.domain for q in stored} == set(HEALTH_DOMAINS)
    with pytest.raises(ValidationError, match="exists already"):
        questionnaire_create_default(actor=alpha.members["vendor_admin"])


def test_only_vendor_admins_configure(alpha: Any) -> None:
    for role in ("vendor_staff", "partner_admin"):
        with pytest.raises(PermissionDenied):
            question_add(actor=alpha.members[role], domain="Capability", text="x", weight=1)
        with pytest.raises(PermissionDenied):
            questionnaire_create_default(actor=alpha.members[role])
    assert not unscoped(Questionnaire).exists()


def test_question_add_validates_and_orders_last(alpha: Any, questions: list[Question]) -> None:
    assert [q.position for q in questions] == [1, 2, 3]
    with pytest.raises(ValidationError) as raised:
        question_add(actor=alpha.members["vendor_admin"], domain=" ", text="", weight=11)
    assert set(raised.value.message_dict) == {"domain", "text", "weight"}
    assert unscoped(Questionnaire).filter(is_active=True).count() == 1


def test_answered_questions_cannot_be_deleted_but_fresh_ones_can(
    alpha: Any, questions: list[Question]
) -> None:
    admin = alpha.members["vendor_admin"]
    assessment_submit(actor=admin, partner=alpha.p1, answers={q.pk: 3 for q in questions})
    with pytest.raises(ValidationError, match="new questionnaire version"):
        question_delete(actor=admin, question=questions[0])
    fresh = question_add(actor=admin, domain="Engagement", text="Attends events", weight=1)
    question_delete(actor=admin, question=fresh)
    assert not unscoped(Question).filter(pk=fresh.pk).exists()
    assert unscoped(Question).filter(pk=questions[0].pk).exists()


def test_new_version_copies_and_is_the_only_active_one(alpha: Any, questions: list[Question]) -> None:
    admin = alpha.members["vendor_admin"]
    old = questions[0].questionnaire
    assessment_submit(actor=admin, partner=alpha.p1, answers={q.pk: 3 for q in questions})
    copy = questionnaire_new_version(actor=admin, name="Health check 2027")
    assert list(unscoped(Questionnaire).filter(is_active=True)) == [copy]
    copied = unscoped(Question).filter(questionnaire=copy)
    assert sorted(copied.values_list("domain", "text", "weight")) == sorted(
        (q.domain, q.text, q.weight) for q in questions
    )
    # The copy's questions are free to go; the old assessment still points at the old version.
    question_delete(actor=admin, question=copied.get(text="Certified engineers"))
    assert unscoped(Assessment).get().questionnaire_id == old.pk
    with pytest.raises(ValidationError) as raised:
        questionnaire_new_version(actor=admin, name="Health check 2027")
    assert "name" in raised.value.message_dict

"""Health writes: the vendor's questionnaire (one active at a time) and assessments against it.

Scoring: each answer is 1 (weak) to 5 (strong). A domain's score is the weight-averaged answer of its
questions mapped onto 0-100 ((mean - 1) / 4 * 100); the overall score is the weight-averaged answer
of every question mapped the same way, so a heavy question counts as much overall as in its domain.
Assessments are history: a new one is added each time, old ones are never edited.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from partners.models import Answer, Assessment, Partner, Question, Questionnaire, Respondent
from prm.audit import audit_record, model_snapshot
from prm.models import Membership, Tenant
from prm.tenancy import require_tenant_id

HEALTH_DOMAINS = ("Investment and planning", "Allegiance and cooperation", "Capability", "Engagement")
DEFAULT_QUESTIONNAIRE_NAME = "Partner health check"
# (domain, question, weight): the starter set a vendor admin can adopt and then adjust.
DEFAULT_QUESTIONS: tuple[tuple[str, str, int], ...] = (
    ("Investment and planning", "The partner has a written joint business plan for this year.", 3),
    ("Investment and planning", "The partner funds dedicated sales and technical staff for our line.", 2),
    ("Investment and planning", "The partner co-invests in marketing (its own budget next to MDF).", 1),
    ("Allegiance and cooperation", "The partner leads with our products over competing ones.", 3),
    ("Allegiance and cooperation", "The partner registers deals early and shares its pipeline openly.", 2),
    ("Allegiance and cooperation", "Escalations are resolved quickly and in good faith.", 1),
    ("Capability", "The partner holds the certifications its tier requires.", 2),
    ("Capability", "Implementations by this partner go live on time and on budget.", 3),
    ("Capability", "The partner can demo and position the full portfolio.", 1),
    ("Engagement", "The partner attends enablement sessions and business reviews.", 1),
    ("Engagement", "The partner's leadership is reachable and involved in the relationship.", 2),
)
QUESTION_FIELDS = ["questionnaire", "domain", "text", "weight", "position"]
HUNDRED = Decimal("100")
TENTH = Decimal("0.1")


def _require_admin(actor: Membership) -> None:
    if not actor.is_vendor_admin:
        raise PermissionDenied("Only vendor admins configure the health questionnaire.")


def _lock_tenant() -> None:
    # Activating or creating a questionnaire serialises on the tenant row, so two admins cannot both
    # leave an active questionnaire behind.
    Tenant.objects.select_for_update().get(pk=require_tenant_id())


def _question_values(*, domain: str, text: str, weight: Any, position: Any) -> dict[str, Any]:
    errors: dict[str, str] = {}
    domain, text = " ".join(domain.split()), text.strip()
    if not domain:
        errors["domain"] = "Choose or name a domain."
    elif len(domain) > 80:
        errors["domain"] = "Keep the domain under 80 characters."
    if not text:
        errors["text"] = "Write the question."
    elif len(text) > 300:
        errors["text"] = "Keep the question under 300 characters."
    try:
        weight = int(weight)
    except (TypeError, ValueError):
        weight = None
    if weight is None or not 1 <= weight <= 10:
        errors["weight"] = "Weight is a whole number from 1 to 10."
    try:
        position = int(position)
    except (TypeError, ValueError):
        position = None
    if position is None or not 0 <= position <= 32767:
        errors["position"] = "Order is a whole number from 0 upwards."
    if errors:
        raise ValidationError(errors)
    return {"domain": domain, "text": text, "weight": weight, "position": position}


def _free_name(base: str) -> str:
    """`base`, or `base v2`, `base v3`, ... whichever no questionnaire of the tenant uses yet."""
    taken = set(Questionnaire.objects.values_list("name", flat=True))
    name, suffix = base, 2
    while name in taken:
        name, suffix = f"{base} v{suffix}", suffix + 1
    return name


def _active_for_update() -> Questionnaire | None:
    return Questionnaire.objects.select_for_update().filter(is_active=True).order_by("-id").first()


@transaction.atomic
def questionnaire_create_default(*, actor: Membership) -> Questionnaire:
    """The starter questionnaire over the four standard domains, when none is active yet."""
    _require_admin(actor)
    _lock_tenant()
    if _active_for_update() is not None:
        raise ValidationError("An active questionnaire exists already; edit its questions instead.")
    name = _free_name(DEFAULT_QUESTIONNAIRE_NAME)
    questionnaire = Questionnaire.objects.create(name=name, is_active=True)
    Question.objects.bulk_create(
        Question(questionnaire=questionnaire, domain=domain, text=text, weight=weight, position=index)
        for index, (domain, text, weight) in enumerate(DEFAULT_QUESTIONS, start=1)
    )
    audit_record(
        actor=actor.user,
        verb="questionnaire.created",
        obj=questionnaire,
        after={"name": name, "questions": len(DEFAULT_QUESTIONS)},
    )
    return questionnaire


@transaction.atomic
def question_add(*, actor: Membership, domain: str, text: str, weight: Any, position: Any = None) -> Question:
    """Add a question to the active questionnaire (created on first use); order defaults to last."""
    _require_admin(actor)
    _lock_tenant()
    questionnaire = _active_for_update()
    if questionnaire is None:
        questionnaire = Questionnaire.objects.create(
            name=_free_name(DEFAULT_QUESTIONNAIRE_NAME), is_active=True
        )
    if position in (None, ""):
        position = (questionnaire.questions.aggregate(top=Max("position"))["top"] or 0) + 1
    values = _question_values(domain=domain, text=text, weight=weight, position=position)
    question = Question.objects.create(questionnaire=questionnaire, **values)
    audit_record(
        actor=actor.user,
        verb="question.added",
        obj=question,
        after=model_snapshot(question, fields=QUESTION_FIELDS),
    )
    return question


@transaction.atomic
def question_update(
    *, actor: Membership, question: Question, domain: str, text: str, weight: Any, position: Any
) -> Question:
    """Past assessments keep the scores computed when they were made; only new ones see the change."""
    _require_admin(actor)
    values = _question_values(domain=domain, text=text, weight=weight, position=position)
    locked = Question.objects.select_for_update().get(pk=question.pk)
    before = model_snapshot(locked, fields=QUESTION_FIELDS)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.save(update_fields=list(values))
    after = model_snapshot(locked, fields=QUESTION_FIELDS)
    if after != before:
        audit_record(actor=actor.user, verb="question.updated", obj=locked, before=before, after=after)
    return locked


@transaction.atomic
def question_delete(*, actor: Membership, question: Question) -> None:
    _require_admin(actor)
    locked = Question.objects.select_for_update().get(pk=question.pk)
    answered = Answer.objects.filter(question=locked).values("assessment").distinct().count()
    if answered:
        raise ValidationError(
            f"This question was answered in {answered} assessment{'s' if answered != 1 else ''}; "
            "start a new questionnaire version to retire it without rewriting history."
        )
    before = model_snapshot(locked, fields=QUESTION_FIELDS)
    audit_record(actor=actor.user, verb="question.deleted", obj=locked, before=before)
    locked.delete()


@transaction.atomic
def questionnaire_new_version(*, actor: Membership, name: str) -> Questionnaire:
    """Copy the active questionnaire under a new name and make the copy the active one (with no
    active questionnaire yet, the new one starts empty)."""
    _require_admin(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the new version."})
    if len(name) > 120:
        raise ValidationError({"name": "Keep the name under 120 characters."})
    _lock_tenant()
    if Questionnaire.objects.filter(name=name).exists():
        raise ValidationError({"name": "A questionnaire with this name exists already."})
    current = _active_for_update()
    copy = Questionnaire.objects.create(name=name, is_active=True)
    if current is not None:
        Question.objects.bulk_create(
            Question(questionnaire=copy, domain=q.domain, text=q.text, weight=q.weight, position=q.position)
            for q in current.questions.all()
        )
    Questionnaire.objects.filter(is_active=True).exclude(pk=copy.pk).update(is_active=False)
    audit_record(
        actor=actor.user,
        verb="questionnaire.versioned",
        obj=copy,
        before={"active": current.name if current else None},
        after={"active": copy.name},
    )
    return copy


# --- assessments ----------------------------------------------------------------------------------


def _to_percent(mean: Decimal) -> Decimal:
    return ((mean - 1) / 4 * HUNDRED).quantize(TENTH, rounding=ROUND_HALF_UP)


def assessment_scores(answers: Iterable[tuple[str, int, int]]) -> tuple[dict[str, Decimal], Decimal]:
    """(domain, weight, score) triples -> (domain -> 0-100, overall 0-100), weighted means."""
    sums: dict[str, list[int]] = {}
    total_weighted, total_weight = 0, 0
    for domain, weight, score in answers:
        weighted, weights = sums.setdefault(domain, [0, 0])
        sums[domain] = [weighted + weight * score, weights + weight]
        total_weighted += weight * score
        total_weight += weight
    if not total_weight:
        raise ValueError("No answers to score.")
    domains = {domain: _to_percent(Decimal(w) / Decimal(n)) for domain, (w, n) in sums.items()}
    return domains, _to_percent(Decimal(total_weighted) / Decimal(total_weight))


def _parse_score(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return score if 1 <= score <= 5 else None


@transaction.atomic
def assessment_submit(*, actor: Membership, partner: Partner, answers: dict[int, Any]) -> Assessment:
    """Vendor roles assess a partner; a partner's own people file its self-assessment. Every question
    of the active questionnaire needs a score from 1 to 5; errors name each question ("question_<id>")."""
    if actor.is_vendor:
        side = Respondent.VENDOR
    elif actor.own_partner_id == partner.pk:
        side = Respondent.PARTNER
    else:
        raise PermissionDenied("You can only assess your own organisation.")
    questionnaire = Questionnaire.objects.filter(is_active=True).order_by("-id").first()
    if questionnaire is None:
        raise ValidationError("There is no health questionnaire yet; a vendor admin sets one up first.")
    questions = list(questionnaire.questions.all())
    if not questions:
        raise ValidationError("The health questionnaire has no questions yet.")
    known = {q.pk for q in questions}
    errors: dict[str, str] = {}
    unknown = sorted(str(key) for key in answers if key not in known)
    if unknown:
        errors["answers"] = f"Not questions of the active questionnaire: {', '.join(unknown)}."
    scored: list[tuple[Question, int]] = []
    for question in questions:
        raw = answers.get(question.pk)
        score = None if raw in (None, "") else _parse_score(raw)
        if raw in (None, ""):
            errors[f"question_{question.pk}"] = "Answer this question with a score from 1 to 5."
        elif score is None:
            errors[f"question_{question.pk}"] = "Scores run from 1 (weak) to 5 (strong)."
        else:
            scored.append((question, score))
    if errors:
        raise ValidationError(errors)
    domains, overall = assessment_scores((q.domain, q.weight, score) for q, score in scored)
    assessment = Assessment.objects.create(
        partner=partner,
        questionnaire=questionnaire,
        respondent_side=side,
        respondent=actor.user,
        domain_scores={domain: float(value) for domain, value in domains.items()},
        overall_score=overall,
    )
    Answer.objects.bulk_create(
        Answer(assessment=assessment, question=question, score=score) for question, score in scored
    )
    audit_record(
        actor=actor.user,
        verb="assessment.submitted",
        obj=assessment,
        after={
            "partner": partner.pk,
            "respondent_side": side,
            "overall_score": str(overall),
            "domain_scores": assessment.domain_scores,
        },
    )
    return assessment

"""Market and health reads, scoped to the tenant in context and to what the actor may see."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from partners.models import (
    Answer,
    Assessment,
    Campaign,
    MdfRequest,
    MdfStatus,
    Partner,
    Question,
    Questionnaire,
    Respondent,
)
from prm.models import Membership

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _own(queryset: QuerySet, actor: Membership) -> QuerySet:
    """Partner roles see their own organisation's rows only."""
    return queryset.filter(partner_id=actor.own_partner_id) if actor.is_partner else queryset


# --- campaigns and MDF ----------------------------------------------------------------------------


def campaign_list(
    *, actor: Membership, partner_id: int | None = None, search: str = ""
) -> QuerySet[Campaign]:
    queryset = _own(Campaign.objects.select_related("partner"), actor).annotate(
        mdf_count=Count("mdf_requests"),
        mdf_approved=Coalesce(
            Sum(
                "mdf_requests__amount_approved",
                filter=Q(
                    mdf_requests__status__in=[MdfStatus.APPROVED, MdfStatus.CLAIMED, MdfStatus.REIMBURSED]
                ),
            ),
            ZERO,
        ),
    )
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(goal__icontains=search) | Q(partner__name__icontains=search)
        )
    return queryset.order_by("-starts_on", "name", "id")


# The vendor queue shows what needs someone first: decisions, then payments, then open approvals.
QUEUE_ORDER = Case(
    When(status=MdfStatus.REQUESTED, then=Value(0)),
    When(status=MdfStatus.CLAIMED, then=Value(1)),
    When(status=MdfStatus.APPROVED, then=Value(2)),
    default=Value(3),
)


def mdf_request_list(
    *,
    actor: Membership,
    status: str = "",
    partner_id: int | None = None,
    search: str = "",
    actionable_first: bool = False,
) -> QuerySet[MdfRequest]:
    queryset = _own(
        MdfRequest.objects.select_related("partner", "campaign", "requested_by", "decided_by"), actor
    )
    if status:
        queryset = queryset.filter(status=status)
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    if search:
        queryset = queryset.filter(
            Q(purpose__icontains=search)
            | Q(partner__name__icontains=search)
            | Q(campaign__name__icontains=search)
            | Q(claim_proof__icontains=search)
        )
    if actionable_first:
        return queryset.order_by(QUEUE_ORDER, "-requested_at", "-id")
    return queryset.order_by("-requested_at", "-id")


def mdf_totals(*, actor: Membership, partner_id: int | None = None) -> dict[str, dict[str, Any]]:
    """Per status: how many requests and how much money, in one query."""
    queryset = _own(MdfRequest.objects.all(), actor)
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    rows = queryset.values("status").annotate(
        n=Count("id"),
        requested=Coalesce(Sum("amount_requested"), ZERO),
        approved=Coalesce(Sum("amount_approved"), ZERO),
        claimed=Coalesce(Sum("amount_claimed"), ZERO),
    )
    totals = {
        status.value: {"n": 0, "requested": Decimal("0"), "approved": Decimal("0"), "claimed": Decimal("0")}
        for status in MdfStatus
    }
    for row in rows:
        totals[row["status"]] = {key: row[key] for key in ("n", "requested", "approved", "claimed")}
    return totals


def partner_choices() -> list[tuple[int, str]]:
    return list(Partner.objects.order_by("name").values_list("id", "name"))


def campaign_choices(*, partner_id: int) -> list[tuple[int, str]]:
    return list(
        Campaign.objects.filter(partner_id=partner_id)
        .order_by("-starts_on", "name")
        .values_list("id", "name")
    )


def mdf_request_events(*, mdf_request: MdfRequest) -> list[Any]:
    """The request's audit trail, oldest first, for the vendor detail page."""
    from prm.selectors import audit_event_list

    return list(
        audit_event_list(object_type=MdfRequest._meta.label_lower)
        .filter(object_id=str(mdf_request.pk))
        .order_by("created_at", "id")
    )


# --- health ---------------------------------------------------------------------------------------


def questionnaire_active() -> Questionnaire | None:
    return Questionnaire.objects.filter(is_active=True).order_by("-id").first()


def questionnaire_list() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.annotate(
        question_count=Count("questions", distinct=True), assessment_count=Count("assessments", distinct=True)
    ).order_by("-is_active", "-id")


def questions_by_domain(*, questionnaire: Questionnaire | None) -> list[tuple[str, list[Question]]]:
    """Questions grouped by domain; domains in the order of their first question."""
    if questionnaire is None:
        return []
    groups: dict[str, list[Question]] = {}
    for question in questionnaire.questions.order_by("position", "id"):
        groups.setdefault(question.domain, []).append(question)
    return list(groups.items())


def known_domains(*, questionnaire: Questionnaire | None, defaults: Iterable[str]) -> list[str]:
    """Domain names to suggest when adding a question: the configured ones, then the standard ones."""
    names = [domain for domain, _ in questions_by_domain(questionnaire=questionnaire)]
    return names + [name for name in defaults if name not in names]


def answered_question_ids(*, questionnaire: Questionnaire | None) -> set[int]:
    if questionnaire is None:
        return set()
    return set(
        Answer.objects.filter(question__questionnaire=questionnaire)
        .values_list("question_id", flat=True)
        .distinct()
    )


def assessment_history(*, partner_id: int, side: str = "") -> QuerySet[Assessment]:
    queryset = Assessment.objects.filter(partner_id=partner_id).select_related("respondent", "questionnaire")
    if side:
        queryset = queryset.filter(respondent_side=side)
    return queryset.order_by("-created_at", "-id")


def assessment_list(*, actor: Membership) -> QuerySet[Assessment]:
    """Vendor roles read every assessment; partner roles their own organisation's self-assessments."""
    queryset = Assessment.objects.select_related("partner", "respondent").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.order_by("question_id"))
    )
    if actor.is_partner:
        queryset = queryset.filter(partner_id=actor.own_partner_id, respondent_side=Respondent.PARTNER)
    return queryset.order_by("-created_at", "-id")


def assessment_latest(*, partner_id: int) -> dict[str, Assessment | None]:
    """The newest vendor assessment and the newest self-assessment of one partner."""
    latest: dict[str, Assessment | None] = {Respondent.VENDOR: None, Respondent.PARTNER: None}
    for side in latest:
        latest[side] = assessment_history(partner_id=partner_id, side=side).first()
    return latest


def assessment_answers(*, assessment: Assessment) -> list[Answer]:
    return list(
        Answer.objects.filter(assessment=assessment)
        .select_related("question")
        .order_by("question__position", "question_id")
    )


def health_comparison(
    *, vendor: Assessment | None, partner: Assessment | None, questionnaire: Questionnaire | None
) -> list[dict[str, Any]]:
    """One row per domain: the vendor's and the partner's score side by side and the gap between.

    Domains follow the active questionnaire; domains only older assessments used come after."""
    order = [domain for domain, _ in questions_by_domain(questionnaire=questionnaire)]
    for assessment in (vendor, partner):
        if assessment is not None:
            order += sorted(d for d in assessment.domain_scores if d not in order)
    rows = []
    for domain in order:
        v = vendor.domain_scores.get(domain) if vendor else None
        p = partner.domain_scores.get(domain) if partner else None
        gap = round(p - v, 1) if v is not None and p is not None else None
        rows.append({"domain": domain, "vendor": v, "partner": p, "gap": gap})
    return rows


def health_chart_data(*, comparison: list[dict[str, Any]], history: Iterable[Assessment]) -> dict[str, Any]:
    """What static/js/health_chart.js draws: domains side by side, and the overall score over time."""
    trend: dict[str, list[dict[str, Any]]] = {Respondent.VENDOR: [], Respondent.PARTNER: []}
    for assessment in sorted(history, key=lambda a: (a.created_at, a.pk)):
        trend[assessment.respondent_side].append(
            {"x": assessment.created_at.date().isoformat(), "y": float(assessment.overall_score)}
        )
    return {
        "domains": [row["domain"] for row in comparison],
        "vendor": [row["vendor"] for row in comparison],
        "partner": [row["partner"] for row in comparison],
        "trend": trend,
    }

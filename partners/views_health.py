"""Health pages: the partner's health tab, assessing a partner, the portal self-assessment, and the
vendor admin's questionnaire configuration."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from partners.access import access_own_partner, access_partner_by_id
from partners.access_market import access_assessment_by_id, access_question_by_id
from partners.forms_market import SCORE_CHOICES, AssessmentAnswers, QuestionForm, QuestionnaireVersionForm
from partners.models import Partner, Respondent
from partners.selectors_market import (
    answered_question_ids,
    assessment_answers,
    assessment_history,
    assessment_latest,
    health_chart_data,
    health_comparison,
    known_domains,
    questionnaire_active,
    questionnaire_list,
    questions_by_domain,
)
from partners.services_health import (
    HEALTH_DOMAINS,
    assessment_submit,
    question_add,
    question_delete,
    question_update,
    questionnaire_create_default,
    questionnaire_new_version,
)
from partners.views_market import membership_of, sub_page, tab_partial, tenant_slug_of
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Role
from prm.web import apply_service_errors, render_page, tenant_view

ADMIN = {Role.VENDOR_ADMIN}
TREND_POINTS = 60  # the chart shows the most recent assessments; the history list pages through all


def _health_context(*, partner: Partner, side: str = "") -> dict[str, Any]:
    questionnaire = questionnaire_active()
    latest = assessment_latest(partner_id=partner.pk)
    comparison = health_comparison(
        vendor=latest[Respondent.VENDOR], partner=latest[Respondent.PARTNER], questionnaire=questionnaire
    )
    trend = list(assessment_history(partner_id=partner.pk, side=side)[:TREND_POINTS])
    return {
        "partner": partner,
        "questionnaire": questionnaire,
        "vendor_latest": latest[Respondent.VENDOR],
        "partner_latest": latest[Respondent.PARTNER],
        "comparison": comparison,
        "chart": health_chart_data(comparison=comparison, history=trend),
    }


def _answer(request: HttpRequest, *, partner: Partner) -> tuple[AssessmentAnswers, bool]:
    """The assessment form for the active questionnaire; on POST, submit it. True when saved."""
    groups = questions_by_domain(questionnaire=questionnaire_active())
    form = AssessmentAnswers(groups, request.POST if request.method == "POST" else None)
    if request.method != "POST" or form.has_errors:
        return form, False
    try:
        assessment = assessment_submit(actor=membership_of(request), partner=partner, answers=form.answers())
    except ValidationError as error:
        form.apply(error)
        return form, False
    messages.success(request, f"Saved the assessment: overall {assessment.overall_score} of 100.")
    return form, True


@tenant_view(roles=VENDOR_ROLES)
def partner_tab_health(request: HttpRequest, pk: int) -> HttpResponse:
    partner = access_partner_by_id(actor=membership_of(request), partner_id=pk)
    context = {
        **_health_context(partner=partner),
        "active_tab": "health",
        "history": sub_page(request, assessment_history(partner_id=partner.pk), "page"),
        "form": AssessmentAnswers(questions_by_domain(questionnaire=questionnaire_active())),
        "score_choices": SCORE_CHOICES,
    }
    partial = tab_partial(request, {"health-history": "history"}, "tab")
    return render_page(request, "partners/health/partner_tab.html", context, partial=partial)


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def assessment_new(request: HttpRequest, pk: int) -> HttpResponse:
    partner = access_partner_by_id(actor=membership_of(request), partner_id=pk)
    form, saved = _answer(request, partner=partner)
    if saved:
        return redirect("partner_tab_health", tenant_slug=tenant_slug_of(request), pk=partner.pk)
    context = {"partner": partner, "form": form, "score_choices": SCORE_CHOICES}
    status = 400 if form.has_errors else 200
    return render_page(request, "partners/health/assessment_form.html", context, status=status)


@tenant_view(roles=VENDOR_ROLES)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access_assessment_by_id(actor=membership_of(request), assessment_id=pk)
    context = {
        "assessment": assessment,
        "answers": assessment_answers(assessment=assessment),
        "portal": False,
    }
    return render_page(request, "partners/health/assessment_detail.html", context)


# --- portal ---------------------------------------------------------------------------------------


@tenant_view(roles=PARTNER_ROLES, methods=("GET", "POST"))
def portal_health(request: HttpRequest) -> HttpResponse:
    """Our self-assessment form and history, next to the vendor's latest view of us."""
    actor = membership_of(request)
    partner = access_own_partner(actor=actor)
    form, saved = _answer(request, partner=partner)
    if saved:
        return redirect("portal_health", tenant_slug=tenant_slug_of(request))
    context = {
        **_health_context(partner=partner, side=Respondent.PARTNER),
        "history": sub_page(
            request, assessment_history(partner_id=partner.pk, side=Respondent.PARTNER), "page"
        ),
        "form": form,
        "score_choices": SCORE_CHOICES,
    }
    status = 400 if form.has_errors else 200
    partial = tab_partial(request, {"health-history": "history"}, "")
    return render_page(
        request, "partners/health/portal_health.html", context, partial=partial or None, status=status
    )


@tenant_view(roles=PARTNER_ROLES)
def portal_assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access_assessment_by_id(actor=membership_of(request), assessment_id=pk)
    context = {"assessment": assessment, "answers": assessment_answers(assessment=assessment), "portal": True}
    return render_page(request, "partners/health/assessment_detail.html", context)


# --- configuration (vendor admin) -----------------------------------------------------------------


def _config_page(
    request: HttpRequest,
    *,
    add_form: QuestionForm | None = None,
    version_form: QuestionnaireVersionForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    questionnaire = questionnaire_active()
    context = {
        "questionnaire": questionnaire,
        "groups": questions_by_domain(questionnaire=questionnaire),
        "answered": answered_question_ids(questionnaire=questionnaire),
        "domains": known_domains(questionnaire=questionnaire, defaults=HEALTH_DOMAINS),
        "versions": questionnaire_list(),
        "add_form": add_form or QuestionForm(),
        "version_form": version_form or QuestionnaireVersionForm(),
        "errors": errors or [],
    }
    return render_page(request, "partners/health/config.html", context, status=status)


@tenant_view(roles=ADMIN, methods=("GET", "POST"))
def health_config(request: HttpRequest) -> HttpResponse:
    """The active questionnaire by domain; POST adds a question to it."""
    if request.method != "POST":
        return _config_page(request)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question_add(actor=membership_of(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Added the question.")
            return redirect("health_config", tenant_slug=tenant_slug_of(request))
    return _config_page(request, add_form=form, status=400)


@tenant_view(roles=ADMIN, methods=("POST",))
def health_config_standard(request: HttpRequest) -> HttpResponse:
    try:
        questionnaire = questionnaire_create_default(actor=membership_of(request))
    except ValidationError as error:
        return _config_page(request, errors=error.messages, status=400)
    messages.success(
        request, f"Created “{questionnaire.name}” with the standard questions; adjust them freely."
    )
    return redirect("health_config", tenant_slug=tenant_slug_of(request))


@tenant_view(roles=ADMIN, methods=("POST",))
def health_questionnaire_version(request: HttpRequest) -> HttpResponse:
    form = QuestionnaireVersionForm(request.POST)
    if form.is_valid():
        try:
            copy = questionnaire_new_version(actor=membership_of(request), name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"“{copy.name}” is now the active questionnaire.")
            return redirect("health_config", tenant_slug=tenant_slug_of(request))
    return _config_page(request, version_form=form, status=400)


@tenant_view(roles=ADMIN, methods=("GET", "POST"))
def health_question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = membership_of(request)
    question = access_question_by_id(actor=actor, question_id=pk)
    initial = {f: getattr(question, f) for f in ("domain", "text", "weight", "position")}
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            question_update(actor=actor, question=question, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Saved the question.")
            return redirect("health_config", tenant_slug=tenant_slug_of(request))
    return _question_page(request, question=question, form=form, status=400 if form.errors else 200)


def _question_page(
    request: HttpRequest, *, question: Any, form: QuestionForm, status: int, errors: list[str] | None = None
) -> HttpResponse:
    questionnaire = questionnaire_active()
    context = {
        "errors": errors or [],
        "question": question,
        "form": form,
        "domains": known_domains(questionnaire=questionnaire, defaults=HEALTH_DOMAINS),
        "answered": question.pk in answered_question_ids(questionnaire=question.questionnaire),
    }
    return render_page(request, "partners/health/question_form.html", context, status=status)


@tenant_view(roles=ADMIN, methods=("POST",))
def health_question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = membership_of(request)
    question = access_question_by_id(actor=actor, question_id=pk)
    try:
        question_delete(actor=actor, question=question)
    except ValidationError as error:
        initial = {f: getattr(question, f) for f in ("domain", "text", "weight", "position")}
        return _question_page(
            request, question=question, form=QuestionForm(initial=initial), errors=error.messages, status=400
        )
    messages.success(request, "Deleted the question.")
    return redirect("health_config", tenant_slug=tenant_slug_of(request))

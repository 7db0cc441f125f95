"""Enablement in the partner portal: our onboarding checklist and our people's trainings.

Everything here is about the actor's own partner organisation; ticking steps and revoking
completions go through the shared views in views_enablement.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from partners.selectors_enablement import (
    COMPLETION_STATUSES,
    completion_list,
    completion_summary,
    training_list,
)
from partners.views_enablement import (
    checklist_context,
    completion_form,
    completion_record_from_form,
)
from prm.models import PARTNER_ROLES, Membership, Role
from prm.web import paginate, query_string_without_page, render_page, tenant_view


@tenant_view(roles=PARTNER_ROLES)
def portal_checklist(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    context = checklist_context(actor=actor, partner=actor.partner)  # type: ignore[arg-type]
    return render_page(request, "partners/enablement/portal_checklist.html", context, partial="tab")


@tenant_view(roles=PARTNER_ROLES, write_roles={Role.PARTNER_ADMIN}, methods=("GET", "POST"))
def portal_trainings(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    partner_id = actor.own_partner_id
    form = completion_form(request, partner_id=partner_id)
    if request.method == "POST" and form.is_valid() and completion_record_from_form(request, form):
        return redirect(reverse("portal_trainings", args=[request.tenant.slug]))  # type: ignore[attr-defined]
    today = timezone.localdate()
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in dict(COMPLETION_STATUSES):
        status = ""
    trainings = list(training_list(actor=actor))
    training_id = _int_or_none(request.GET.get("training", ""))
    if training_id not in {training.pk for training in trainings}:
        training_id = None
    completions = completion_list(
        actor=actor, today=today, search=search, training_id=training_id, status=status
    )
    context = {
        "form": form,
        "summary": completion_summary(today=today, partner_id=partner_id),
        "trainings": trainings,
        "page": paginate(request, completions),
        "search": search,
        "status": status,
        "statuses": COMPLETION_STATUSES,
        "training_id": training_id,
        "query": query_string_without_page(request),
        "can_record": actor.is_partner_admin,
    }
    status_code = 400 if form.errors else 200
    return render_page(
        request, "partners/enablement/portal_trainings.html", context, partial="results", status=status_code
    )


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None

"""Enablement pages of the vendor: the partner 360's checklist and trainings tabs, ticking checklist
steps (shared with the portal), recording and revoking completions, and the enablement overview.

The tabs are loaded into the partner 360 with htmx (their `tab` partial) and also render as whole
pages when opened directly. Forms inside a tab post as plain forms with a `next` that leads back to
the page the tab sits in, so they work without JavaScript and errors show in place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from partners import services_enablement, services_enablement_training
from partners.access import access_partner_by_id
from partners.access_enablement import (
    access_checklist_item_by_id,
    access_training_by_id,
    access_training_completion_by_id,
)
from partners.forms_enablement import CompletionForm
from partners.models import ChecklistItem, Partner, Stage
from partners.selectors_enablement import (
    OVERVIEW_SORTS,
    active_trainings,
    checklist_items,
    checklist_progress,
    checklist_template_for_type,
    completion_list,
    completion_summary,
    enablement_overview,
    enablement_totals,
    partner_people,
    training_counts_for_partner,
)
from prm.access import access_membership_by_id
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Membership, Role
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view

MEMBERS = VENDOR_ROLES | PARTNER_ROLES
RECORDERS = VENDOR_ROLES | {Role.PARTNER_ADMIN}


def safe_next(request: HttpRequest, *, default: str) -> str:
    """Where to go after a form: the posted `next`, the page an htmx tab sits in, or `default`;
    only a path inside this tenant, so the parameter cannot send anyone elsewhere."""
    candidates = [request.POST.get("next", "")]
    if getattr(request, "htmx", False):
        candidates.append(request.htmx.current_url_abs_path or "")  # type: ignore[attr-defined]
    prefix = f"/{request.tenant.slug}/"  # type: ignore[attr-defined]
    for candidate in candidates:
        if not candidate or not url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            continue
        parts = urlsplit(candidate)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path.startswith(prefix):
            return path
    return default


def completion_form(request: HttpRequest, *, partner_id: int) -> CompletionForm:
    people = [(m.pk, m.user.display_name) for m in partner_people(partner_id=partner_id)]
    trainings = [(t.pk, f"{t.name} ({t.get_kind_display().lower()})") for t in active_trainings()]
    data = request.POST if request.method == "POST" else None
    return CompletionForm(
        data, people=people, trainings=trainings, initial={"completed_on": timezone.localdate()}
    )


def completion_record_from_form(request: HttpRequest, form: CompletionForm) -> bool:
    """Record a valid form's completion; service errors land on the form. True when recorded."""
    actor: Membership = request.membership  # type: ignore[attr-defined]
    try:
        person = access_membership_by_id(actor=actor, membership_id=form.cleaned_data["person"])
        training = access_training_by_id(actor=actor, training_id=form.cleaned_data["training"])
        services_enablement_training.training_completion_record(
            actor=actor, training=training, person=person, completed_on=form.cleaned_data["completed_on"]
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    except PermissionDenied as error:
        form.add_error(None, str(error))
        return False
    messages.success(request, f"Recorded {training.name} for {person.user.display_name}.")
    return True


# --- the checklist tab and ticking steps --------------------------------------------------------------


def checklist_context(*, actor: Membership, partner: Partner) -> dict[str, Any]:
    today = timezone.localdate()
    items = checklist_items(partner=partner, today=today)
    return {
        "partner": partner,
        "items": items,
        "progress": checklist_progress(items),
        "template": None if items else checklist_template_for_type(partner_type=partner.partner_type),
        "today": today,
        "portal": actor.is_partner,
        "active_tab": "checklist",  # the partner 360's tab strip marks this tab open
    }


@tenant_view(roles=VENDOR_ROLES)
def partner_tab_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    context = checklist_context(actor=actor, partner=partner)
    return render_page(request, "partners/enablement/partner_checklist.html", context, partial="tab")


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def checklist_start(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    items = services_enablement.checklist_start(actor=actor, partner=partner)
    if items:
        messages.success(request, f"Onboarding checklist started: {len(items)} steps.")
    else:
        messages.warning(
            request,
            f"No checklist template for {partner.get_partner_type_display()} partners yet; "
            "a vendor admin can create one under Configure, Checklists.",
        )
    if getattr(request, "htmx", False):
        context = checklist_context(actor=actor, partner=partner)
        return render_page(request, "partners/enablement/partner_checklist.html", context, partial="tab")
    default = reverse("partner_tab_checklist", args=[request.tenant.slug, partner.pk])  # type: ignore[attr-defined]
    return redirect(safe_next(request, default=default))


def _after_tick(request: HttpRequest, item: ChecklistItem, done: str) -> HttpResponse:
    """htmx swaps the whole checklist (the progress changes too); without htmx, back to the page."""
    actor: Membership = request.membership  # type: ignore[attr-defined]
    slug = request.tenant.slug  # type: ignore[attr-defined]
    if actor.is_partner:
        template, default = (
            "partners/enablement/portal_checklist.html",
            reverse("portal_checklist", args=[slug]),
        )
    else:
        template = "partners/enablement/partner_checklist.html"
        default = reverse("partner_tab_checklist", args=[slug, item.partner_id])
    if getattr(request, "htmx", False):
        context = checklist_context(actor=actor, partner=item.partner)
        return render_page(request, template, context, partial="tab")
    messages.success(request, f"“{item.title}” {done}.")
    return redirect(safe_next(request, default=default))


@tenant_view(roles=MEMBERS, methods=("POST",))
def checklist_item_complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    item = access_checklist_item_by_id(actor=actor, item_id=pk)
    services_enablement.checklist_item_complete(actor=actor, item=item)
    return _after_tick(request, item, "marked done")


@tenant_view(roles=MEMBERS, methods=("POST",))
def checklist_item_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    item = access_checklist_item_by_id(actor=actor, item_id=pk)
    services_enablement.checklist_item_reopen(actor=actor, item=item)
    return _after_tick(request, item, "reopened")


# --- the trainings tab, recording and revoking completions -------------------------------------------


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def partner_tab_trainings(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    form = completion_form(request, partner_id=partner.pk)
    tab_url = reverse("partner_tab_trainings", args=[request.tenant.slug, partner.pk])  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid() and completion_record_from_form(request, form):
        return redirect(safe_next(request, default=tab_url))
    today = timezone.localdate()
    context = {
        "partner": partner,
        "form": form,
        "next": safe_next(request, default=tab_url),
        "tab_url": tab_url,
        "summary": completion_summary(today=today, partner_id=partner.pk),
        "per_training": training_counts_for_partner(partner_id=partner.pk, today=today),
        "page": paginate(request, completion_list(actor=actor, today=today, partner_id=partner.pk)),
        "today": today,
        "active_tab": "trainings",
    }
    status = 400 if form.errors else 200
    return render_page(
        request, "partners/enablement/partner_trainings.html", context, partial="tab", status=status
    )


@tenant_view(roles=RECORDERS, methods=("POST",))
def training_completion_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    completion = access_training_completion_by_id(actor=actor, completion_id=pk)
    services_enablement_training.training_completion_revoke(actor=actor, completion=completion)
    messages.success(request, f"Removed {completion.training.name} of {completion.person.user.display_name}.")
    slug = request.tenant.slug  # type: ignore[attr-defined]
    default = (
        reverse("portal_trainings", args=[slug])
        if actor.is_partner
        else reverse("partner_tab_trainings", args=[slug, completion.partner_id])
    )
    return redirect(safe_next(request, default=default))


# --- the vendor's overview ---------------------------------------------------------------------------


@tenant_view(roles=VENDOR_ROLES)
def enablement_overview_page(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    stage = request.GET.get("stage", "")
    if stage not in Stage.values:
        stage = ""
    sort = request.GET.get("sort", "overdue")
    if sort not in dict(OVERVIEW_SORTS):
        sort = "overdue"
    today = timezone.localdate()
    context = {
        "page": paginate(request, enablement_overview(today=today, search=search, stage=stage, sort=sort)),
        "totals": enablement_totals(today=today),
        "search": search,
        "stage": stage,
        "stages": Stage.choices,
        "sort": sort,
        "sorts": OVERVIEW_SORTS,
        "query": query_string_without_page(request),
    }
    return render_page(request, "partners/enablement/overview.html", context, partial="results")

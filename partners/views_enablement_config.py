"""Vendor configuration of enablement: onboarding checklist templates (one per partner type) and the
training and certification catalogue."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import ChoiceField, Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from partners import services_enablement as checklists
from partners import services_enablement_training as trainings
from partners.access_enablement import (
    access_checklist_template_by_id,
    access_checklist_template_item_by_id,
    access_training_by_id,
)
from partners.forms_enablement import ChecklistStepForm, ChecklistTemplateForm, TrainingForm
from partners.models import ChecklistTemplate, Training, TrainingKind
from partners.selectors_enablement import checklist_templates_by_type, training_list
from partners.views_enablement import safe_next
from prm.models import VENDOR_ROLES, Membership, Role
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view

ADMIN = {Role.VENDOR_ADMIN}


def _saved(form: Form, call: Callable[[], object]) -> bool:
    """Run a service call; its field errors land on the form. True when it went through."""
    try:
        call()
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    return True


# --- checklist templates -----------------------------------------------------------------------------


@tenant_view(roles=ADMIN, methods=("GET", "POST"))
def checklist_template_list(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    rows = checklist_templates_by_type()
    form = ChecklistTemplateForm(request.POST or None)
    cast(ChoiceField, form.fields["partner_type"]).choices = [
        (row.partner_type, row.label) for row in rows if not row.template
    ]
    created: list[ChecklistTemplate] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _saved(
            form,
            lambda: created.append(
                checklists.checklist_template_create(
                    actor=actor, partner_type=data["partner_type"], name=data["name"]
                )
            ),
        ):
            messages.success(request, f"Created “{created[0].name}”; now add its steps.")
            return redirect("checklist_template_detail", tenant_slug=request.tenant.slug, pk=created[0].pk)  # type: ignore[attr-defined]
    status = 400 if form.errors else 200
    return render_page(
        request, "partners/enablement/checklist_templates.html", {"rows": rows, "form": form}, status=status
    )


def _template_page(
    request: HttpRequest,
    template: ChecklistTemplate,
    *,
    rename_form: ChecklistTemplateForm,
    step_form: ChecklistStepForm,
) -> HttpResponse:
    status = 400 if rename_form.errors or step_form.errors else 200
    context = {
        "template": template,
        "steps": list(template.items.order_by("position", "id")),
        "rename_form": rename_form,
        "step_form": step_form,
    }
    return render_page(request, "partners/enablement/checklist_template_detail.html", context, status=status)


@tenant_view(roles=ADMIN, methods=("GET", "POST"))
def checklist_template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    template = access_checklist_template_by_id(actor=actor, template_id=pk)
    rename_form = ChecklistTemplateForm(request.POST or None, initial={"name": template.name}, editing=True)
    if request.method == "POST" and rename_form.is_valid():
        name = rename_form.cleaned_data["name"]
        if _saved(
            rename_form,
            lambda: checklists.checklist_template_update(actor=actor, template=template, name=name),
        ):
            messages.success(request, "Template renamed.")
            return redirect(request.path)
    return _template_page(request, template, rename_form=rename_form, step_form=ChecklistStepForm())


@tenant_view(roles=ADMIN, methods=("POST",))
def checklist_template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    template = access_checklist_template_by_id(actor=actor, template_id=pk)
    checklists.checklist_template_delete(actor=actor, template=template)
    messages.success(request, f"Deleted “{template.name}”. Checklists already started are unchanged.")
    return redirect("checklist_template_list", tenant_slug=request.tenant.slug)  # type: ignore[attr-defined]


@tenant_view(roles=ADMIN, methods=("POST",))
def checklist_template_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    template = access_checklist_template_by_id(actor=actor, template_id=pk)
    form = ChecklistStepForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if _saved(
            form,
            lambda: checklists.checklist_template_item_create(
                actor=actor,
                template=template,
                title=data["title"],
                owner_side=data["owner_side"],
                due_days=data["due_days"],
                position=data["position"],
            ),
        ):
            messages.success(request, f"Added “{data['title'].strip()}”.")
            return redirect("checklist_template_detail", tenant_slug=request.tenant.slug, pk=template.pk)  # type: ignore[attr-defined]
    rename_form = ChecklistTemplateForm(initial={"name": template.name}, editing=True)
    return _template_page(request, template, rename_form=rename_form, step_form=form)


@tenant_view(roles=ADMIN, methods=("GET", "POST"))
def checklist_template_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    step = access_checklist_template_item_by_id(actor=actor, item_id=pk)
    initial = {
        "title": step.title,
        "owner_side": step.owner_side,
        "due_days": step.due_days,
        "position": step.position,
    }
    form = ChecklistStepForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _saved(
            form,
            lambda: checklists.checklist_template_item_update(
                actor=actor,
                item=step,
                title=data["title"],
                owner_side=data["owner_side"],
                due_days=data["due_days"],
                position=data["position"],
            ),
        ):
            messages.success(request, f"Saved “{step.title}”.")
            return redirect("checklist_template_detail", tenant_slug=request.tenant.slug, pk=step.template_id)  # type: ignore[attr-defined]
    status = 400 if form.errors else 200
    return render_page(
        request, "partners/enablement/checklist_step_edit.html", {"step": step, "form": form}, status=status
    )


@tenant_view(roles=ADMIN, methods=("POST",))
def checklist_template_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    step = access_checklist_template_item_by_id(actor=actor, item_id=pk)
    checklists.checklist_template_item_delete(actor=actor, item=step)
    messages.success(request, f"Removed “{step.title}” from the template.")
    return redirect("checklist_template_detail", tenant_slug=request.tenant.slug, pk=step.template_id)  # type: ignore[attr-defined]


# --- the training catalogue --------------------------------------------------------------------------


@tenant_view(roles=VENDOR_ROLES)
def training_catalogue(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    search = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if kind not in TrainingKind.values:
        kind = ""
    active = request.GET.get("active", "")
    if active not in ("yes", "no"):
        active = ""
    context = {
        "page": paginate(request, training_list(actor=actor, search=search, kind=kind, active=active)),
        "search": search,
        "kind": kind,
        "kinds": TrainingKind.choices,
        "active": active,
        "query": query_string_without_page(request),
    }
    return render_page(request, "partners/enablement/training_list.html", context, partial="results")


def _training_values(form: TrainingForm) -> dict[str, object]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "kind": data["kind"],
        "description": data["description"],
        "validity_days": data["validity_days"],
    }


@tenant_view(roles=ADMIN, methods=("GET", "POST"))
def training_create(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    form = TrainingForm(request.POST or None)
    del form.fields["is_active"]  # new entries are offered; withdrawing is an edit
    created: list[Training] = []
    if request.method == "POST" and form.is_valid():
        values = _training_values(form)
        if _saved(
            form,
            lambda: created.append(trainings.training_create(actor=actor, **values)),  # type: ignore[arg-type]
        ):
            messages.success(request, f"Added “{created[0].name}” to the catalogue.")
            return redirect("training_list", tenant_slug=request.tenant.slug)  # type: ignore[attr-defined]
    status = 400 if form.errors else 200
    return render_page(request, "partners/enablement/training_form.html", {"form": form}, status=status)


@tenant_view(roles=ADMIN, methods=("GET", "POST"))
def training_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    training = access_training_by_id(actor=actor, training_id=pk)
    initial = {
        "name": training.name,
        "kind": training.kind,
        "description": training.description,
        "validity_days": training.validity_days,
        "is_active": training.is_active,
    }
    form = TrainingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = _training_values(form)
        active = form.cleaned_data["is_active"]
        if _saved(
            form,
            lambda: trainings.training_update(actor=actor, training=training, is_active=active, **values),  # type: ignore[arg-type]
        ):
            messages.success(request, f"Saved “{training.name}”.")
            return redirect("training_list", tenant_slug=request.tenant.slug)  # type: ignore[attr-defined]
    status = 400 if form.errors else 200
    return render_page(
        request, "partners/enablement/training_form.html", {"form": form, "training": training}, status=status
    )


@tenant_view(roles=ADMIN, methods=("POST",))
def training_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    training = access_training_by_id(actor=actor, training_id=pk)
    make_active = request.POST.get("active") == "yes"
    trainings.training_set_active(actor=actor, training=training, is_active=make_active)
    messages.success(
        request, f"“{training.name}” is {'offered again' if make_active else 'withdrawn from the catalogue'}."
    )
    default = reverse("training_list", args=[request.tenant.slug])  # type: ignore[attr-defined]
    return redirect(safe_next(request, default=default))

"""Strategize and Recruit pages: a program's ideal partner profile, and the prospect pipeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from partners import scoring
from partners.access_recruit import access_program_by_id, access_prospect_by_id
from partners.forms_recruit import (
    CriterionFormSet,
    IdealProfileForm,
    ProspectFilterForm,
    ProspectForm,
    ProspectStatusForm,
    criterion_initial,
)
from partners.models import CriterionKind, PartnerType, ProfileCriterion, Prospect, ProspectStatus
from partners.selectors_recruit import (
    default_program,
    ideal_profile_of,
    program_choices,
    prospect_list,
    prospect_segment_ids,
    prospect_segments,
    segment_choices,
    segment_names,
    vendor_user_choices,
)
from partners.services_profile import ideal_profile_save
from partners.services_recruit import (
    prospect_convert,
    prospect_create,
    prospect_status_change,
    prospect_update,
)
from prm.models import VENDOR_ROLES, Membership, Role
from prm.selectors import audit_event_list
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _slug(request: HttpRequest) -> str:
    return request.tenant.slug  # type: ignore[attr-defined]


# --- ideal profile ------------------------------------------------------------------------------


@tenant_view(roles=VENDOR_ROLES)
def ideal_profile_default(request: HttpRequest) -> HttpResponse:
    """The nav's "Ideal profile": the default program's profile, or the programs page if none exist."""
    program = default_program()
    if program is None:
        messages.info(request, "Create a program first; each program has its own ideal partner profile.")
        return redirect("program_list", tenant_slug=_slug(request))
    return redirect("ideal_profile", tenant_slug=_slug(request), pk=program.pk)


def _wants(criterion: ProfileCriterion, names: dict[int, str]) -> str:
    """What a criterion asks for, in words, for the read-only table."""
    if criterion.kind == CriterionKind.SIZE:
        return scoring.size_range_label(criterion.min_value, criterion.max_value)
    if criterion.kind == CriterionKind.SEGMENT:
        return ", ".join(names.get(int(pk), f"segment #{pk}") for pk in criterion.values)
    if criterion.kind == CriterionKind.PARTNER_TYPE:
        labels = dict(PartnerType.choices)
        return ", ".join(labels.get(value, value) for value in criterion.values)
    return ", ".join(str(value) for value in criterion.values)


@tenant_view(roles=VENDOR_ROLES, write_roles={Role.VENDOR_ADMIN}, methods=("GET", "POST"))
def ideal_profile(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = access_program_by_id(actor=actor, program_id=pk)
    profile = ideal_profile_of(program=program)
    names = segment_names()
    criteria = list(profile.criteria.all()) if profile else []
    form = IdealProfileForm(
        request.POST or None,
        initial={"name": profile.name, "description": profile.description} if profile else {},
    )
    formset = CriterionFormSet(
        request.POST or None, prefix="criteria", initial=[criterion_initial(c, names) for c in criteria]
    )
    error = ""
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [
            row.cleaned_data["criterion"]
            for row in formset.forms
            if not row.is_blank() and not row.cleaned_data.get("DELETE")
        ]
        try:
            ideal_profile_save(actor=actor, program=program, criteria=rows, **form.cleaned_data)
        except ValidationError as failure:
            apply_service_errors(form, failure)
            error = " ".join(failure.messages)
        else:
            count = Prospect.objects.filter(program=program).count()
            messages.success(
                request, f"Saved the ideal profile; rescored {count} prospect(s) of {program.name}."
            )
            return redirect("ideal_profile", tenant_slug=_slug(request), pk=program.pk)
    context = {
        "program": program,
        "profile": profile,
        "criteria": [(criterion, _wants(criterion, names)) for criterion in criteria],
        "form": form,
        "formset": formset,
        "error": error,
        "can_edit": actor.is_vendor_admin,
        "kinds": CriterionKind.choices,
        "partner_types": PartnerType.choices,
        "segments": segment_choices(),
    }
    failed = request.method == "POST"
    return render_page(request, "partners/recruit/ideal_profile.html", context, status=400 if failed else 200)


# --- prospects ----------------------------------------------------------------------------------


@tenant_view(roles=VENDOR_ROLES)
def prospect_list_view(request: HttpRequest) -> HttpResponse:
    programs = program_choices()
    filters = ProspectFilterForm(request.GET, program_choices=programs)
    values = filters.values()
    queryset = prospect_list(
        search=values["q"], status=values["status"], partner_type=values["type"], program_id=values["program"]
    )
    context = {
        "page": paginate(request, queryset),
        "filters": values,
        "statuses": ProspectStatus.choices,
        "partner_types": PartnerType.choices,
        "programs": programs,
        "filtered": any(values.values()),
        "query": query_string_without_page(request),
    }
    return render_page(request, "partners/recruit/prospect_list.html", context, partial="results")


def _prospect_form(data: Any = None, **kwargs: Any) -> ProspectForm:
    return ProspectForm(
        data,
        program_choices=program_choices(),
        segment_choices=segment_choices(),
        owner_choices=vendor_user_choices(),
        **kwargs,
    )


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def prospect_create_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    program = default_program()
    initial = {"program": program.pk if program else None, "owner": request.user.pk}
    form = _prospect_form(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            prospect = prospect_create(actor=actor, **form.service_kwargs())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Added {prospect.name}: fit score {prospect.score}.")
            return redirect("prospect_detail", tenant_slug=_slug(request), pk=prospect.pk)
    status = 400 if form.errors else 200
    return render_page(request, "partners/recruit/prospect_form.html", {"form": form}, status=status)


def _prospect_page(
    request: HttpRequest,
    prospect: Prospect,
    *,
    form: ProspectForm | None = None,
    status_form: ProspectStatusForm | None = None,
    convert_error: str = "",
    status: int = 200,
) -> HttpResponse:
    initial = {
        "name": prospect.name,
        "partner_type": prospect.partner_type,
        "program": prospect.program_id,
        "website_domain": prospect.website_domain,
        "country": prospect.country,
        "employees": prospect.employees,
        "segments": prospect_segment_ids(prospect=prospect),
        "capabilities": ", ".join(prospect.capabilities or []),
        "owner": prospect.owner_id,
        "notes": prospect.notes,
    }
    history = audit_event_list().filter(object_type="partners.prospect", object_id=str(prospect.pk))
    context = {
        "prospect": prospect,
        "segments": prospect_segments(prospect=prospect),
        "form": form or _prospect_form(initial=initial),
        "status_form": status_form or ProspectStatusForm(initial={"status": prospect.status}),
        "convert_error": convert_error,
        "history": list(history[:20]),
        "is_final": prospect.status == ProspectStatus.CONVERTED,
        "can_convert": prospect.status == ProspectStatus.QUALIFIED,
    }
    return render_page(request, "partners/recruit/prospect_detail.html", context, status=status)


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    prospect = access_prospect_by_id(actor=actor, prospect_id=pk)
    if request.method != "POST":
        return _prospect_page(request, prospect)
    form = _prospect_form(request.POST)
    if form.is_valid():
        try:
            prospect_update(actor=actor, prospect=prospect, **form.service_kwargs())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Saved {form.cleaned_data['name']}.")
            return redirect("prospect_detail", tenant_slug=_slug(request), pk=prospect.pk)
    return _prospect_page(request, prospect, form=form, status=400)


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def prospect_status(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    prospect = access_prospect_by_id(actor=actor, prospect_id=pk)
    form = ProspectStatusForm(request.POST)
    if form.is_valid():
        try:
            updated = prospect_status_change(actor=actor, prospect=prospect, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{updated.name} is now {updated.get_status_display().lower()}.")
            return redirect("prospect_detail", tenant_slug=_slug(request), pk=prospect.pk)
    return _prospect_page(request, prospect, status_form=form, status=400)


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def prospect_convert_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    prospect = access_prospect_by_id(actor=actor, prospect_id=pk)
    try:
        partner = prospect_convert(actor=actor, prospect=prospect)
    except ValidationError as error:
        return _prospect_page(request, prospect, convert_error=" ".join(error.messages), status=400)
    messages.success(request, f"{partner.name} is now a partner in onboarding; its checklist has started.")
    return redirect("partner_detail", tenant_slug=_slug(request), pk=partner.pk)

"""Program configuration pages: programs and their tier ladders, segments.

Vendor staff read them; vendor admins change them. Thin: parse, one access helper, one service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from partners.access_recruit import access_program_by_id, access_segment_by_id, access_tier_by_id
from partners.forms_recruit import ProgramForm, SegmentForm, TierForm
from partners.models import Program
from partners.selectors_recruit import ideal_profile_of, program_list, program_tiers, segment_list
from partners.services_program import (
    program_create,
    program_update,
    segment_create,
    segment_update,
    tier_create,
    tier_delete,
    tier_move,
    tier_update,
)
from prm.models import VENDOR_ROLES, Membership, Role
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view

ADMIN = {Role.VENDOR_ADMIN}


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _slug(request: HttpRequest) -> str:
    return request.tenant.slug  # type: ignore[attr-defined]


def _list_page(
    request: HttpRequest, template: str, items: Any, form: Any, extra: dict[str, Any] | None = None
) -> HttpResponse:
    """A config list with search, pagination and (for admins) its create form below."""
    search = request.GET.get("q", "").strip()
    context = {
        "page": paginate(request, items(search=search)),
        "search": search,
        "query": query_string_without_page(request),
        "form": form,
        "can_edit": _actor(request).is_vendor_admin,
        **(extra or {}),
    }
    status = 400 if form.errors else 200
    partial = "results" if request.method == "GET" else None
    return render_page(request, template, context, partial=partial, status=status)


@tenant_view(roles=VENDOR_ROLES, write_roles=ADMIN, methods=("GET", "POST"))
def program_list_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = program_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Created {program.name}. Add its tiers below.")
            return redirect("program_detail", tenant_slug=_slug(request), pk=program.pk)

    def items(*, search: str) -> Any:
        return program_list(actor=actor, search=search)

    return _list_page(request, "partners/config/program_list.html", items, form)


def _program_page(
    request: HttpRequest,
    program: Program,
    *,
    program_form: ProgramForm | None = None,
    tier_form: TierForm | None = None,
    tier_error: str = "",
    status: int = 200,
) -> HttpResponse:
    initial = {"name": program.name, "description": program.description, "is_default": program.is_default}
    context = {
        "program": program,
        "tiers": list(program_tiers(program=program)),
        "profile": ideal_profile_of(program=program),
        "program_form": program_form or ProgramForm(initial=initial),
        "tier_form": tier_form or TierForm(),
        "tier_error": tier_error,
        "can_edit": _actor(request).is_vendor_admin,
    }
    return render_page(request, "partners/config/program_detail.html", context, status=status)


@tenant_view(roles=VENDOR_ROLES, write_roles=ADMIN, methods=("GET", "POST"))
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = access_program_by_id(actor=actor, program_id=pk)
    if request.method != "POST":
        return _program_page(request, program)
    form = ProgramForm(request.POST)
    if form.is_valid():
        try:
            program_update(actor=actor, program=program, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Saved {form.cleaned_data['name']}.")
            return redirect("program_detail", tenant_slug=_slug(request), pk=program.pk)
    return _program_page(request, program, program_form=form, status=400)


@tenant_view(roles=ADMIN, methods=("GET", "POST"))
def tier_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = access_program_by_id(actor=actor, program_id=pk)
    form = TierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tier = tier_create(actor=actor, program=program, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Added {tier.name} at rank {tier.rank}.")
            return redirect("program_detail", tenant_slug=_slug(request), pk=program.pk)
    status = 400 if form.errors else 200
    return render_page(
        request, "partners/config/tier_form.html", {"program": program, "form": form}, status=status
    )


@tenant_view(roles=VENDOR_ROLES, write_roles=ADMIN, methods=("GET", "POST"))
def tier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    tier = access_tier_by_id(actor=actor, tier_id=pk)
    initial = {"name": tier.name, "rank": tier.rank, "benefits": tier.benefits}
    form = TierForm(request.POST or None, initial=initial, rank_required=True)
    if request.method == "POST" and form.is_valid():
        try:
            tier_update(actor=actor, tier=tier, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Saved tier {form.cleaned_data['name']}.")
            return redirect("program_detail", tenant_slug=_slug(request), pk=tier.program_id)
    context = {"program": tier.program, "tier": tier, "form": form, "can_edit": actor.is_vendor_admin}
    return render_page(request, "partners/config/tier_form.html", context, status=400 if form.errors else 200)


def _tier_action_failed(request: HttpRequest, program: Program, error: ValidationError) -> HttpResponse:
    """A refused move or delete: the program page again, with the reason above its ladder."""
    return _program_page(request, program, tier_error=" ".join(error.messages), status=400)


@tenant_view(roles=ADMIN, methods=("POST",))
def tier_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    tier = access_tier_by_id(actor=actor, tier_id=pk)
    try:
        tier_move(actor=actor, tier=tier, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        return _tier_action_failed(request, tier.program, error)
    messages.success(request, f"Moved {tier.name} {request.POST['direction']}.")
    return redirect("program_detail", tenant_slug=_slug(request), pk=tier.program_id)


@tenant_view(roles=ADMIN, methods=("POST",))
def tier_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    tier = access_tier_by_id(actor=actor, tier_id=pk)
    try:
        tier_delete(actor=actor, tier=tier)
    except ValidationError as error:
        return _tier_action_failed(request, tier.program, error)
    messages.success(request, f"Deleted tier {tier.name}.")
    return redirect("program_detail", tenant_slug=_slug(request), pk=tier.program_id)


@tenant_view(roles=VENDOR_ROLES, write_roles=ADMIN, methods=("GET", "POST"))
def segment_list_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = SegmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            segment = segment_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Created segment {segment.name}.")
            return redirect("segment_list", tenant_slug=_slug(request))
    return _list_page(request, "partners/config/segment_list.html", segment_list, form)


@tenant_view(roles=VENDOR_ROLES, write_roles=ADMIN, methods=("GET", "POST"))
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    segment = access_segment_by_id(actor=actor, segment_id=pk)
    initial = {"name": segment.name, "description": segment.description}
    form = SegmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            segment_update(actor=actor, segment=segment, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Saved segment {form.cleaned_data['name']}.")
            return redirect("segment_list", tenant_slug=_slug(request))
    counts = segment_list().filter(pk=segment.pk).values("partner_count", "prospect_count").first() or {}
    context = {"segment": segment, "form": form, "can_edit": actor.is_vendor_admin, "counts": counts}
    return render_page(
        request, "partners/config/segment_detail.html", context, status=400 if form.errors else 200
    )

"""The lifecycle board (one column per stage) and the stage move it and the partner page post to.

A move from the board answers htmx with the re-rendered board (filters kept), and a browser without
JS with a redirect back to the board. A refused move answers 400 with the board and the error on the
card (base.html tells htmx to swap 400 answers).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from partners.access import access_partner_by_id
from partners.forms_core import BOARD_REASON, DirectoryFilterForm, StageMoveForm
from partners.models import Partner, Stage
from partners.selectors import board_columns, partner_directory_list, partner_filter_options
from partners.services_core import partner_move_stage
from partners.views_partner import stages_tab
from prm.models import VENDOR_ROLES, Membership
from prm.web import apply_service_errors, render_page, tenant_view

CARDS_PER_COLUMN = 25
BOARD_FILTERS = ("type", "segment", "owner")


def _board_query(params: QueryDict) -> str:
    """The board's own filters, kept across moves; anything else in the string is dropped."""
    kept = QueryDict(mutable=True)
    for name in BOARD_FILTERS:
        value = params.get(name, "")
        if value:
            kept[name] = value
    return kept.urlencode()


def _render_board(
    request: HttpRequest,
    params: QueryDict,
    *,
    notice: str = "",
    error: str = "",
    error_partner_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    filters = DirectoryFilterForm(params, options=partner_filter_options())
    criteria = filters.selector_kwargs()
    partners = partner_directory_list(
        actor=actor,
        partner_type=criteria["partner_type"],
        segment_id=criteria["segment_id"],
        owner=criteria["owner"],
        with_segments=False,
    )
    board_query = _board_query(params)
    context: dict[str, Any] = {
        "filters": filters,
        "columns": board_columns(partners=partners, per_column=CARDS_PER_COLUMN),
        "cards_per_column": CARDS_PER_COLUMN,
        "board_query": board_query,
        "board_reason": BOARD_REASON,
        "filtered": bool(board_query),
        "notice": notice,
        "error": error,
        "error_partner_id": error_partner_id,
    }
    return render_page(request, "partners/board.html", context, partial="board", status=status)


@tenant_view(roles=VENDOR_ROLES)
def partner_board(request: HttpRequest) -> HttpResponse:
    return _render_board(request, request.GET)


def _move_errors(form: StageMoveForm) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


@tenant_view(roles=VENDOR_ROLES, methods=("POST",))
def partner_stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    partner: Partner = access_partner_by_id(actor=actor, partner_id=pk)
    form = StageMoveForm(request.POST)
    to_board = request.POST.get("return_to") == "board"
    board_params = QueryDict(request.POST.get("board_query", "")[:1000])
    if form.is_valid():
        try:
            partner_move_stage(
                actor=actor,
                partner=partner,
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            # The service names the stage "stage"; on this form it is the "to_stage" field.
            if hasattr(error, "error_dict") and "stage" in error.error_dict:
                error.error_dict["to_stage"] = error.error_dict.pop("stage")
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            notice = f"Moved {partner.name} to {Stage(partner.stage).label}."
            if to_board and getattr(request, "htmx", False):
                return _render_board(request, board_params, notice=notice)
            messages.success(request, notice)
            if to_board:
                query = _board_query(board_params)
                url = reverse("partner_board", kwargs={"tenant_slug": request.tenant.slug})  # type: ignore[attr-defined]
                return redirect(f"{url}?{query}" if query else url)
            return redirect("partner_tab_stages", tenant_slug=request.tenant.slug, pk=partner.pk)  # type: ignore[attr-defined]
    if to_board:
        return _render_board(
            request,
            board_params,
            error=f"{partner.name} was not moved: {_move_errors(form)}",
            error_partner_id=partner.pk,
            status=400,
        )
    return stages_tab(request, partner, form=form, status=400)

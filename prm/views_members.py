"""People pages: vendor admins manage the whole tenant, partner admins their own organisation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from prm.access import access_membership_by_id
from prm.forms import InviteForm, RoleForm
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Membership, Role
from prm.selectors import membership_list
from prm.services import membership_invite, membership_update
from prm.web import apply_service_errors, paginate, query_string_without_page, render_page, tenant_view


def _partner_choices() -> list[tuple[int, str]]:
    from django.apps import apps

    partner_model = apps.get_model("partners", "Partner")
    return list(partner_model.objects.order_by("name").values_list("id", "name"))


PARTNER_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in PARTNER_ROLES]


def _member_list(request: HttpRequest, *, portal: bool) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    search = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if role not in Role.values:
        role = ""
    page = paginate(request, membership_list(actor=actor, search=search, role=role))
    context = {
        "page": page,
        "search": search,
        "role": role,
        "roles": Role.choices if actor.is_vendor else PARTNER_ROLE_CHOICES,
        "query": query_string_without_page(request),
        "portal": portal,
    }
    return render_page(request, "prm/member_list.html", context, partial="results")


def _invite(
    request: HttpRequest, *, template: str, partner_roles_only: bool, success_url: str
) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    choices = [] if partner_roles_only else _partner_choices()
    # Channel managers bring partner people in; only vendor admins grant vendor roles.
    role_choices = None if actor.is_vendor_admin or partner_roles_only else PARTNER_ROLE_CHOICES
    form = InviteForm(
        request.POST or None,
        partner_choices=choices,
        partner_roles_only=partner_roles_only,
        role_choices=role_choices,
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership_invite(
                actor=actor,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                partner_id=form.cleaned_data.get("partner"),
                full_name=form.cleaned_data["full_name"],
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Invited {form.cleaned_data['email']}; they will get an e-mail to set a password."
            )
            return redirect(success_url, tenant_slug=request.tenant.slug)  # type: ignore[attr-defined]
    status = 400 if form.errors else 200
    return render_page(request, template, {"form": form}, status=status)


def _member_detail(request: HttpRequest, pk: int, *, template: str, partner_roles_only: bool) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    member = access_membership_by_id(actor=actor, membership_id=pk)
    # Vendor admins edit anyone, staff the people of partners, partner admins their own people.
    can_edit = actor.is_vendor_admin or actor.is_partner_admin or (actor.is_vendor and member.is_partner)
    partner_roles_only = partner_roles_only or not actor.is_vendor_admin
    form = RoleForm(
        request.POST or None,
        initial={"role": member.role, "is_active": member.is_active},
        partner_roles_only=partner_roles_only,
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership_update(
                actor=actor,
                membership=member,
                role=form.cleaned_data["role"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved {member.user.email}.")
            return redirect(request.path)
    status = 400 if form.errors else 200
    return render_page(
        request, template, {"member": member, "form": form, "can_edit": can_edit}, status=status
    )


@tenant_view(roles=VENDOR_ROLES)
def member_list(request: HttpRequest) -> HttpResponse:
    return _member_list(request, portal=False)


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def member_invite(request: HttpRequest) -> HttpResponse:
    return _invite(
        request, template="prm/member_invite.html", partner_roles_only=False, success_url="member_list"
    )


@tenant_view(roles=VENDOR_ROLES, methods=("GET", "POST"))
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_detail(request, pk, template="prm/member_detail.html", partner_roles_only=False)


@tenant_view(roles=PARTNER_ROLES)
def people_list(request: HttpRequest) -> HttpResponse:
    return _member_list(request, portal=True)


@tenant_view(roles={Role.PARTNER_ADMIN}, methods=("GET", "POST"))
def people_invite(request: HttpRequest) -> HttpResponse:
    return _invite(
        request, template="prm/people_invite.html", partner_roles_only=True, success_url="people_list"
    )


@tenant_view(roles=PARTNER_ROLES, write_roles={Role.PARTNER_ADMIN}, methods=("GET", "POST"))
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_detail(request, pk, template="prm/person_detail.html", partner_roles_only=True)

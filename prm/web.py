"""Helpers every page view shares: the tenant/role gate, HTMX-aware rendering, pagination."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from prm.access import access_membership_of_user

PAGE_SIZE = 25

View = Callable[..., HttpResponse]


def tenant_view(
    *, roles: Iterable[str], write_roles: Iterable[str] | None = None, methods: Iterable[str] = ("GET",)
) -> Callable[[View], View]:
    """Gate a tenant page: anonymous -> login, not a member of this tenant -> 404, wrong role -> 403,
    a method the page does not serve -> 405.

    `write_roles` narrows who may POST (defaults to `roles`). The view gets `request.membership`
    and no `tenant_slug` argument (the middleware already resolved it to `request.tenant`).
    """
    read = frozenset(roles)
    write = frozenset(write_roles) if write_roles is not None else read
    served = frozenset(methods) | {"HEAD"} if "GET" in methods else frozenset(methods)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, tenant_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in served:
                return HttpResponseNotAllowed(sorted(served))
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = access_membership_of_user(user=request.user, tenant=request.tenant)  # type: ignore[attr-defined]
            if membership is None:
                raise Http404("No such page.")
            allowed = read if request.method in ("GET", "HEAD") else write
            if membership.role not in allowed:
                raise PermissionDenied("Your role cannot do this here.")
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def render_page(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or only `partial` when htmx asks; caches must keep the two apart."""
    htmx = getattr(request, "htmx", None)
    # A history restore after a cache miss wants the whole page, although htmx marks it HX-Request.
    wants_partial = bool(partial and htmx and not htmx.history_restore_request)
    name = f"{template_name}#{partial}" if wants_partial else template_name
    response = render(request, name, context, status=status)
    if partial:
        patch_vary_headers(response, ["HX-Request"])
    return response


def paginate(request: HttpRequest, items: Any, *, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def query_string_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def apply_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's field errors next to the fields that caused them."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)

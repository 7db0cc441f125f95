"""What the customer, revenue, attribution, cost and referral-code pages share: the actor, the
tenant, export links that keep the filters, sub-lists with their own pager, and status codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from prm.models import Membership, Tenant
from revenue.models import Stream

SUB_PAGE_SIZE = 10


def membership_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def tenant_of(request: HttpRequest) -> Tenant:
    return request.tenant  # type: ignore[attr-defined, no-any-return]


def tenant_slug_of(request: HttpRequest) -> str:
    return str(tenant_of(request).slug)


def export_query(request: HttpRequest) -> str:
    """The list's filters without its page: an export takes every filtered row, not one page."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def htmx_target(request: HttpRequest) -> str:
    return str(getattr(getattr(request, "htmx", None), "target", None) or "")


def vary_on_target(response: HttpResponse) -> HttpResponse:
    """A page that answers one of its parts by the element htmx targets: caches keep them apart."""
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def sub_page(request: HttpRequest, items: Any, param: str, per_page: int = SUB_PAGE_SIZE) -> Page:
    """One of several lists on a page, with its own page parameter."""
    return Paginator(items, per_page).get_page(request.GET.get(param))


def status_for(*bound: forms.Form | None) -> int:
    """A refused form answers 400 (the base template swaps it in place); otherwise 200."""
    return 400 if any(form is not None and form.errors for form in bound) else 200


def link_prefix(request: HttpRequest) -> str:
    """Scheme and host of this site, to print absolute tracked links."""
    return request.build_absolute_uri("/").rstrip("/")


def default_margins(tenant: Tenant) -> list[dict[str, Any]]:
    """The tenant's gross margin per stream, as the revenue form explains it."""
    rows = []
    for key, label in Stream.choices:
        value = Decimal(str(tenant.default_margins.get(key, "0.70")))
        rows.append({"stream": key, "label": label, "margin": value, "percent": value * 100})
    return rows

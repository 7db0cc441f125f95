"""Resolve the tenant from the URL and run the whole request inside its context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from prm.models import Tenant
from prm.tenancy import _current_tenant_id


class TenantMiddleware:
    """Pages live at `/<tenant-slug>/...`, the API at `/api/v1/<tenant-slug>/...`; both patterns name
    the slug `tenant_slug`. Membership is checked by the view layer (pages and API authenticate
    differently); this only fixes which tenant every query of the request belongs to."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_tenant_token", None)
            if token is not None:
                _current_tenant_id.reset(token)
                request._tenant_token = None  # type: ignore[attr-defined]

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: dict[str, Any]
    ) -> None:
        slug = view_kwargs.get("tenant_slug")
        if slug is None:
            return None
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise Http404("No such tenant.")
        request.tenant = tenant  # type: ignore[attr-defined]
        request._tenant_token = _current_tenant_id.set(tenant.pk)  # type: ignore[attr-defined]
        return None

"""Django admin: the platform superuser's console, the one place that reads across tenants.

Every admin view runs inside `platform_context()` (so row-level security admits the rows) and
tenant tables are listed through their explicit `unscoped` manager.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from prm.tenancy import platform_context


class PlatformAdminSite(admin.AdminSite):
    site_header = "PRM platform administration"
    site_title = "PRM platform"

    def admin_view(
        self, view: Callable[..., HttpResponse], cacheable: bool = False
    ) -> Callable[..., HttpResponse]:
        def in_platform_context(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_active or not request.user.is_superuser:
                return view(request, *args, **kwargs)  # the stock checks redirect to the admin login
            with platform_context():
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()  # templates query lazily: render while the context is open
                return response

        return super().admin_view(in_platform_context, cacheable)

    def has_permission(self, request: HttpRequest) -> bool:
        # Only the platform superuser: vendor admins are never Django staff.
        return bool(request.user.is_active and request.user.is_superuser)


class UnscopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.model.unscoped.all()

"""API permissions: deny by default; tenant endpoints declare which roles may use each method."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from prm.access import access_membership_of_user


class DenyAll(BasePermission):
    """The project default: a view that names no permission serves nobody."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return False


class TenantRolePermission(BasePermission):
    """Member of the URL's tenant (else 404, so other tenants stay invisible) with a role the view
    allows for this method (else 403). Views list roles in `roles_by_method`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        tenant = getattr(request, "tenant", None)
        membership = access_membership_of_user(user=request.user, tenant=tenant) if tenant else None
        if membership is None:
            raise NotFound("No such tenant.")
        request.membership = membership  # type: ignore[attr-defined]
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        allowed = view.roles_by_method.get(method, frozenset())
        return membership.role in allowed

"""The current tenant, and the fail-closed base model every tenant-owned table derives from.

The tenant lives in a ContextVar: set per request by `prm.middleware.TenantMiddleware` and by
`tenant_context()` in tasks and commands. On PostgreSQL our database backend copies it into the
session setting `app.tenant_id` before each query, so row-level security enforces the same rule
even when Python code forgets a filter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from prm.models import Tenant

_current_tenant_id: ContextVar[int | None] = ContextVar("prm_current_tenant_id", default=None)
_platform_access: ContextVar[bool] = ContextVar("prm_platform_access", default=False)


class TenantNotSetError(RuntimeError):
    """A tenant-scoped table was touched with no tenant in context: fail closed."""


class CrossTenantError(RuntimeError):
    """A write would attach a row (or point a row) at another tenant."""


def current_tenant_id() -> int | None:
    return _current_tenant_id.get()


def require_tenant_id() -> int:
    tenant_id = _current_tenant_id.get()
    if tenant_id is None:
        raise TenantNotSetError("No tenant in context; use tenant_context() or a tenant URL.")
    return tenant_id


def platform_access_enabled() -> bool:
    return _platform_access.get()


@contextmanager
def tenant_context(tenant: Tenant | int) -> Iterator[int]:
    """Run a block as one tenant; the previous tenant (or none) is restored on exit, nested or not."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    if tenant_id is None:
        raise TenantNotSetError("tenant_context() needs a saved tenant.")
    token = _current_tenant_id.set(int(tenant_id))
    try:
        yield int(tenant_id)
    finally:
        _current_tenant_id.reset(token)


@contextmanager
def no_tenant_context() -> Iterator[None]:
    """Clear the tenant for a block (tests and platform code that must prove they see nothing)."""
    token = _current_tenant_id.set(None)
    try:
        yield
    finally:
        _current_tenant_id.reset(token)


@contextmanager
def platform_context() -> Iterator[None]:
    """The few platform paths that read across tenants (tenant picker, superuser admin).

    Only use through the `unscoped` manager; ordinary managers still require a tenant.
    """
    token = _platform_access.set(True)
    try:
        yield
    finally:
        _platform_access.reset(token)


class TenantQuerySet(models.QuerySet):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        for obj in objs:
            obj._assign_and_check_tenant()
        return super().bulk_create(objs, *args, **kwargs)


class TenantManager(models.Manager):
    """Default manager of tenant tables: filters by the current tenant and raises without one."""

    def get_queryset(self) -> models.QuerySet:
        tenant_id = require_tenant_id()
        return TenantQuerySet(self.model, using=self._db).filter(tenant_id=tenant_id)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        require_tenant_id()
        return TenantQuerySet(self.model, using=self._db).bulk_create(objs, *args, **kwargs)


class UnscopedManager(models.Manager):
    """Explicitly named escape hatch for platform code; on PostgreSQL RLS still needs a context."""


class TenantScopedModel(models.Model):
    tenant = models.ForeignKey("prm.Tenant", on_delete=models.CASCADE, related_name="+", editable=False)

    objects = TenantManager()
    unscoped = UnscopedManager()

    class Meta:
        abstract = True
        default_manager_name = "objects"
        base_manager_name = "unscoped"

    def _assign_and_check_tenant(self) -> None:
        current = current_tenant_id()
        if self.tenant_id is None:
            if current is None:
                raise TenantNotSetError(f"Cannot save {type(self).__name__} without a tenant in context.")
            self.tenant_id = current
        elif current is not None and self.tenant_id != current:
            raise CrossTenantError(
                f"{type(self).__name__} belongs to tenant {self.tenant_id}, context is tenant {current}."
            )
        elif current is None and not platform_access_enabled():
            raise TenantNotSetError(f"Cannot save {type(self).__name__} without a tenant in context.")
        self._check_related_tenants()

    def _check_related_tenants(self) -> None:
        # Foreign-key checks ignore row-level security, so a row could point at another tenant's row.
        for field in self._meta.concrete_fields:
            if not field.is_relation or field.name == "tenant" or field.related_model is None:
                continue
            if not issubclass(field.related_model, TenantScopedModel):
                continue
            related = getattr(self, field.name, None) if field.is_cached(self) else None
            if related is not None:
                related_tenant = related.tenant_id
            else:
                related_id = getattr(self, field.attname)
                if related_id is None:
                    continue
                related_tenant = (
                    field.related_model.unscoped.filter(pk=related_id).values_list("tenant_id", flat=True).first()
                )
            # On PostgreSQL another tenant's row is invisible here (None), which is refused too.
            if related_tenant != self.tenant_id:
                raise CrossTenantError(f"{type(self).__name__}.{field.name} points at another tenant's row.")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._assign_and_check_tenant()
        super().save(*args, **kwargs)

"""The current tenant, and the fail-closed base model every tenant-owned table derives from.

The tenant lives in a ContextVar: set per request by `prm.middleware.TenantMiddleware` and by
`tenant_context()` in tasks and commands. On PostgreSQL our database backend copies it into the
session setting `app.tenant_id` before each query, so row-level security enforces the same rule
even when Python code forgets a filter.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from prm.context import (
    CrossTenantError,
    TenantNotSetError,
    _current_tenant_id,
    current_tenant_id,
    no_tenant_context,
    platform_access_enabled,
    platform_context,
    require_tenant_id,
    tenant_context,
)

__all__ = [
    "CrossTenantError",
    "TenantManager",
    "TenantNotSetError",
    "TenantScopedModel",
    "UnscopedManager",
    "_current_tenant_id",
    "current_tenant_id",
    "no_tenant_context",
    "platform_context",
    "require_tenant_id",
    "tenant_context",
]


class TenantQuerySet(models.QuerySet):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        for obj in objs:
            obj._assign_and_check_tenant(check_related=False)
        _check_related_tenants_batched(objs)
        return super().bulk_create(objs, *args, **kwargs)


# Ids per query of the batched foreign-key check: well under SQLite's limit on bound parameters.
RELATED_CHECK_CHUNK = 5000


def _check_related_tenants_batched(objs: list[Any]) -> None:
    """The same guarantee as `_check_related_tenants`, for many rows at once: one query per foreign
    key and chunk of distinct ids instead of one per row (an import writes 100,000 rows)."""
    if not objs:
        return
    model = type(objs[0])
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey) or field.name == "tenant":
            continue
        if not issubclass(field.related_model, TenantScopedModel):
            continue
        target = field.target_field  # the related model's key the foreign key stores
        wanted: dict[Any, set[int]] = {}  # related key -> tenants the rows pointing at it belong to
        for obj in objs:
            related = getattr(obj, field.name, None) if field.is_cached(obj) else None
            if related is not None:
                if related.tenant_id != obj.tenant_id:
                    raise CrossTenantError(f"{model.__name__}.{field.name} points at another tenant's row.")
                continue
            related_id = getattr(obj, field.attname)
            if related_id is not None:
                wanted.setdefault(target.to_python(related_id), set()).add(obj.tenant_id)
        ids = list(wanted)
        for start in range(0, len(ids), RELATED_CHECK_CHUNK):
            chunk = ids[start : start + RELATED_CHECK_CHUNK]
            rows = field.related_model.unscoped.filter(**{f"{target.attname}__in": chunk})
            found = dict(rows.values_list(target.attname, "tenant_id"))
            for related_id in chunk:
                # On PostgreSQL another tenant's row is invisible here (missing), which is refused too.
                if wanted[related_id] != {found.get(related_id)}:
                    raise CrossTenantError(f"{model.__name__}.{field.name} points at another tenant's row.")


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

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._assign_and_check_tenant()
        super().save(*args, **kwargs)

    def _assign_and_check_tenant(self, *, check_related: bool = True) -> None:
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
        if check_related:  # bulk_create checks the related rows of the whole batch at once
            self._check_related_tenants()

    def _check_related_tenants(self) -> None:
        # Foreign-key checks ignore row-level security, so a row could point at another tenant's row.
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey) or field.name == "tenant":
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
                    field.related_model.unscoped.filter(pk=related_id)
                    .values_list("tenant_id", flat=True)
                    .first()
                )
            # On PostgreSQL another tenant's row is invisible here (None), which is refused too.
            if related_tenant != self.tenant_id:
                raise CrossTenantError(f"{type(self).__name__}.{field.name} points at another tenant's row.")

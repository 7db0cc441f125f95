"""The current tenant as a ContextVar, kept free of model imports so the database backend can use it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

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

"""Every model is tenant-scoped, or exempt here with the reason it may be global."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models

from prm.tenancy import TenantManager, TenantScopedModel

EXEMPT: dict[str, str] = {
    "prm.Tenant": "the registry of tenants itself",
    "prm.User": "a login is global; what it may do in a tenant lives in its tenant-scoped Membership",
    "auth.Permission": "Django's global permission catalogue; tenant roles do not use it",
    "auth.Group": "Django's global groups, used only by the platform superuser in the admin",
    "contenttypes.ContentType": "global catalogue of model classes",
    "sessions.Session": "a browser session belongs to a login, not to a tenant",
    "admin.LogEntry": "the platform superuser's admin history",
    "authtoken.Token": "an API token authenticates a login; each request still resolves its membership",
    "authtoken.TokenProxy": "admin proxy of authtoken.Token",
    "axes.AccessAttempt": "login throttling counts attempts per login and address, before any tenant",
    "axes.AccessLog": "login history per login, before any tenant is known",
    "axes.AccessFailureLog": "failed login history per login, before any tenant is known",
    "axes.AccessAttemptExpiration": "expiry of a login throttling record, before any tenant is known",
}


def tenant_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, TenantScopedModel)]


def test_every_model_is_scoped_or_exempt() -> None:
    unclassified = [
        m._meta.label
        for m in apps.get_models()
        if not issubclass(m, TenantScopedModel) and m._meta.label not in EXEMPT
    ]
    assert unclassified == [], (
        f"Scope these models to a tenant or add them to EXEMPT with a reason: {unclassified}"
    )
    stale = sorted(set(EXEMPT) - {m._meta.label for m in apps.get_models()})
    assert stale == []


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_tenant_model_shape(model: type[models.Model]) -> None:
    tenant = model._meta.get_field("tenant")
    assert isinstance(tenant, models.ForeignKey)
    assert tenant.related_model._meta.label == "prm.Tenant"
    assert not tenant.null, "tenant must be NOT NULL"
    assert isinstance(model._default_manager, TenantManager), "default manager must fail closed"
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert constraint.fields and constraint.fields[0] == "tenant", (
                f"{constraint.name} must start with tenant"
            )
    for together in model._meta.unique_together:
        assert together[0] == "tenant"
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            raise AssertionError(f"{field.name} is globally unique; make it unique per tenant instead")


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_tenant_table_has_forced_rls_and_policy(model: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relrowsecurity, c.relforcerowsecurity,"
            " (SELECT count(*) FROM pg_policies p"
            "  WHERE p.tablename = c.relname AND p.policyname = 'tenant_isolation')"
            " FROM pg_class c WHERE c.relname = %s",
            [model._meta.db_table],
        )
        enabled, forced, policies = cursor.fetchone()
    assert enabled and forced and policies == 1

"""System checks that keep the tenancy rules honest at start-up."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, register

from prm.tenancy import TenantManager, TenantScopedModel


@register()
def tenant_models_fail_closed(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A tenant table whose default manager is not the scoped one would read across tenants."""
    errors: list[CheckMessage] = []
    for model in apps.get_models():
        if issubclass(model, TenantScopedModel) and not isinstance(model._default_manager, TenantManager):
            errors.append(
                Error(
                    f"{model._meta.label}: default manager must be TenantManager.", obj=model, id="prm.E001"
                )
            )
    return errors

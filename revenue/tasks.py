"""Revenue tasks. Thin: ids in, tenant context opened by the base class, one service called.

Beat runs the fan-outs (no tenant), which enqueue one task per tenant."""

from __future__ import annotations

from prm.celery import TenantTask, app
from prm.context import platform_context
from prm.models import Tenant


@app.task(base=TenantTask, name="revenue.tasks.deals_expire", time_limit=300, soft_time_limit=280)
def deals_expire_task(*, tenant_id: int) -> int:
    from revenue.services_deals import deals_expire_due

    return deals_expire_due()


@app.task(name="revenue.tasks.deals_expire_all", time_limit=120, soft_time_limit=100)
def deals_expire_all_task() -> int:
    """Beat: expire protection windows that have passed, one task per tenant."""
    with platform_context():  # beat has no tenant; only the tenant ids are read
        tenant_ids = list(Tenant.objects.values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        deals_expire_task.delay(tenant_id=tenant_id)
    return len(tenant_ids)


@app.task(name="revenue.tasks.recompute_sweep", time_limit=120, soft_time_limit=100)
def recompute_sweep_task() -> int:
    """Beat: schedule tenants whose marks are still dirty (their broker message was lost)."""
    from revenue.models import RecomputeMark
    from revenue.services_recompute import recompute_schedule

    # Platform read, on purpose: beat has no tenant, and the sweep must find every tenant's dirty
    # marks; it reads tenant ids only and hands each tenant its own task.
    with platform_context():
        tenant_ids = list(
            RecomputeMark.unscoped.filter(dirty_since__isnull=False)
            .values_list("tenant_id", flat=True)
            .distinct()
        )
    for tenant_id in tenant_ids:
        recompute_schedule(tenant_id=tenant_id)
    return len(tenant_ids)


@app.task(base=TenantTask, name="revenue.tasks.import_run", time_limit=900, soft_time_limit=870)
def import_run_task(*, tenant_id: int, import_job_id: int) -> str:
    from revenue.services_imports import import_run

    return import_run(import_job_id=import_job_id)

"""LTV tasks. Thin: ids in, tenant context opened by the base class, one service called.

Every task is idempotent (it recomputes and overwrites), so acks_late + reject-on-worker-lost are
safe: a killed worker's message comes back and the work is simply done again. Refits run on the
`compute` queue (see CELERY_TASK_ROUTES)."""

from __future__ import annotations

from prm.celery import TenantTask, app
from prm.context import platform_context, tenant_context
from prm.models import Tenant


@app.task(
    base=TenantTask,
    name="analytics.tasks.ltv_refit",
    time_limit=30 * 60,
    soft_time_limit=28 * 60,
    max_retries=3,
)
def ltv_refit_task(*, tenant_id: int, run_id: int) -> str:
    from analytics.services_refit import ltv_refit_run

    return ltv_refit_run(run_id=run_id)


@app.task(
    base=TenantTask,
    name="analytics.tasks.ltv_recompute_pending",
    time_limit=5 * 60,
    soft_time_limit=4 * 60 + 30,
)
def ltv_recompute_pending_task(*, tenant_id: int) -> list[int]:
    """Rescore the partners whose ledgers changed, with the stored population fits (no refit)."""
    from analytics.services_recompute import ltv_recompute_pending

    return ltv_recompute_pending()


@app.task(name="analytics.tasks.ltv_refit_all", time_limit=120, soft_time_limit=100)
def ltv_refit_all_task() -> int:
    """Beat, nightly: one refit per tenant (joining a refit already queued)."""
    from analytics.models import RunTrigger
    from analytics.services_runs import ltv_run_request

    with platform_context():  # beat has no tenant; only the tenant ids are read
        tenant_ids = list(Tenant.objects.values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        with tenant_context(tenant_id):
            ltv_run_request(actor=None, trigger=RunTrigger.SCHEDULE)
    return len(tenant_ids)

"""Platform tasks. Thin: ids in, tenant context opened by the base class, a selector or service called."""

from __future__ import annotations

from prm.celery import TenantTask, app
from prm.selectors import tenant_summary


@app.task(base=TenantTask, name="prm.tenant_summary", time_limit=60, soft_time_limit=50)
def tenant_summary_task(*, tenant_id: int) -> dict[str, int | str]:
    """Counts a tenant's members from inside a worker: proves broker, worker, database and tenant context."""
    return tenant_summary(tenant_id=tenant_id)

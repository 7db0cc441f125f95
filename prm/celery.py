"""The Celery app. Without a broker (the embedded demo) settings make every task run eagerly."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")

app = Celery("prm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class TenantTask(Task):
    """Base for tenant work: callers pass `tenant_id=`; the body runs inside that tenant's context.

    Defaults follow the design: recomputes are idempotent, so a task is acknowledged only after it
    ran and is re-queued if its worker dies; transient failures retry with exponential backoff.
    """

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (ConnectionError, TimeoutError)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from prm.tenancy import tenant_context

        tenant_id = kwargs.get("tenant_id")
        if tenant_id is None:
            raise TypeError(f"{self.name} needs tenant_id= as a keyword argument.")
        with tenant_context(int(tenant_id)):
            return super().__call__(*args, **kwargs)

"""LTV runs: requesting a refit, and the bookkeeping every run does (progress, timings, outcome).

Progress is written in autocommit, outside the run's result transaction, so the progress bar moves
while the run works; results are written in one transaction at the end (ltv_store), so a killed
worker leaves the previous results in place and its redelivered task starts over.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from analytics.models import LtvRun, RunKind, RunStatus, RunTrigger
from analytics.models.runs import ACTIVE_RUN_STATUSES
from prm.audit import audit_record
from prm.context import require_tenant_id
from prm.models import Membership

# A run still "running" this long after it started lost its worker for good (the task's hard time
# limit is shorter): a new request replaces it instead of joining it.
STALE_AFTER = dt.timedelta(minutes=40)


def ltv_run_request(
    *, actor: Membership | None, trigger: str = RunTrigger.MANUAL, as_of: dt.date | None = None
) -> tuple[LtvRun, bool]:
    """Queue a refit of the tenant in context, or join the one already queued or running.

    Returns (run, created). Only vendor admins ask by hand; the nightly schedule passes no actor."""
    if actor is not None and not actor.is_vendor_admin:
        raise PermissionDenied("Only vendor admins start an LTV recompute.")
    from analytics.tasks import ltv_refit_task

    with transaction.atomic():
        active = (
            LtvRun.objects.select_for_update()
            .filter(kind=RunKind.REFIT, status__in=ACTIVE_RUN_STATUSES)
            .first()
        )
        if active is not None and not _is_stale(active):
            return active, False
        if active is not None:
            ltv_run_fail(run_id=active.pk, error="The worker running it was lost; a new run replaced it.")
        try:
            with transaction.atomic():
                run = LtvRun.objects.create(
                    kind=RunKind.REFIT,
                    trigger=trigger,
                    as_of=as_of or timezone.localdate(),
                    requested_by=actor.user if actor is not None else None,
                    step="Waiting for a worker",
                )
        except IntegrityError:  # a concurrent request created it first: join that one
            return LtvRun.objects.get(kind=RunKind.REFIT, status__in=ACTIVE_RUN_STATUSES), False
        audit_record(
            actor=actor.user if actor is not None else None,
            verb="ltv.refit_requested",
            obj=run,
            after={"trigger": trigger, "as_of": run.as_of.isoformat()},
        )
        tenant_id = require_tenant_id()
        transaction.on_commit(lambda: ltv_refit_task.delay(tenant_id=tenant_id, run_id=run.pk))
    return run, True


def _is_stale(run: LtvRun) -> bool:
    started = run.started_at or run.created_at
    return timezone.now() - started > STALE_AFTER


def ltv_run_start(*, run_id: int) -> LtvRun:
    """Mark the run running (again, if its first worker died: the attempt is counted)."""
    now = timezone.now()
    LtvRun.objects.filter(pk=run_id).update(
        status=RunStatus.RUNNING, started_at=now, progress=0, step="Starting", error="", timings={}
    )
    run = LtvRun.objects.get(pk=run_id)
    LtvRun.objects.filter(pk=run_id).update(attempts=run.attempts + 1)
    run.attempts += 1
    return run


def ltv_run_progress(*, run: LtvRun, progress: int, step: str) -> None:
    run.progress = max(0, min(100, progress))
    run.step = step[:120]
    LtvRun.objects.filter(pk=run.pk).update(progress=run.progress, step=run.step, timings=run.timings)


@contextmanager
def ltv_run_timed(*, run: LtvRun, name: str) -> Iterator[None]:
    """Add the block's wall time to the run's timings under `name`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        run.timings[name] = round(run.timings.get(name, 0.0) + time.perf_counter() - started, 4)


def ltv_run_finish(*, run: LtvRun) -> None:
    run.status = RunStatus.SUCCEEDED
    run.progress = 100
    run.step = "Done"
    run.finished_at = timezone.now()
    run.save(
        update_fields=[
            "status",
            "progress",
            "step",
            "finished_at",
            "timings",
            "segments",
            "partners_computed",
            "customers_scored",
        ]
    )


def ltv_run_fail(*, run_id: int, error: str) -> None:
    LtvRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error=error[:4000], step="Failed"
    )

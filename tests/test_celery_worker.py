"""Tasks sent through Redis to a real Celery worker process: one runs in its tenant's context; an
LTV refit runs on the compute queue and records its run, and a ledger change then rescores its
partner through the broker.

Run by .ci/run (PRM_RUN_CELERY_WORKER_TESTS=1) with DATABASE_URL on PostgreSQL and REDIS_URL set:
the worker is a separate process, so it reads the committed test database, not this transaction.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from analytics.models import LtvRun, PartnerLtv, RunKind, RunStatus
from analytics.services_runs import ltv_run_request
from prm.tenancy import tenant_context
from revenue.models import RevenueEntry
from revenue.services_recompute import recompute_mark_partners
from tests.analytics.ltv_world import build_book
from tests.conftest import World

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(world: World) -> Iterator[subprocess.Popen[bytes]]:
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL must be set for the Celery worker test")
    test_db = connection.settings_dict["NAME"]
    base_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env = {**os.environ, "DATABASE_URL": f"{base_url}/{test_db}", "CELERY_TASK_ALWAYS_EAGER": "0"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "prm",
            "worker",
            "--pool",
            "solo",
            "-Q",
            "default,compute,io",
            "--loglevel",
            "INFO",
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_task_runs_on_a_real_worker_inside_its_tenant(world: World, worker: subprocess.Popen[bytes]) -> None:
    from prm.celery import app
    from prm.tasks import tenant_summary_task

    app.conf.task_always_eager = False
    deadline = time.monotonic() + 60
    while not app.control.inspect(timeout=1).ping():
        assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else "worker died"
        assert time.monotonic() < deadline, "worker did not come up within 60 s"
    result = tenant_summary_task.apply_async(kwargs={"tenant_id": world.bravo.tenant.pk})
    summary = result.get(timeout=60)
    assert summary == {"tenant": "bravo", "members": 6, "vendor_members": 2, "partner_members": 4}


def _wait_for(predicate: Callable[[], bool], process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else "worker died"
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.5)


def test_refit_and_ledger_recompute_run_on_a_real_worker(
    world: World, worker: subprocess.Popen[bytes]
) -> None:
    from prm.celery import app

    app.conf.task_always_eager = False
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        book = build_book(partners=[alpha.p1, alpha.p2], as_of=timezone.localdate())
        with transaction.atomic():
            run, created = ltv_run_request(actor=alpha.members["vendor_admin"])
        assert created and run.status == RunStatus.QUEUED
        _wait_for(
            lambda: LtvRun.objects.get(pk=run.pk).status in (RunStatus.SUCCEEDED, RunStatus.FAILED), worker
        )
        run.refresh_from_db()
        assert run.status == RunStatus.SUCCEEDED, run.error
        assert (
            run.attempts == 1
            and run.progress == 100
            and set(run.timings) >= {"load", "fit", "score", "store"}
        )
        before = PartnerLtv.objects.get(partner=alpha.p1)

        with transaction.atomic():
            RevenueEntry.objects.create(
                customer=book.customers[alpha.p1.pk][0],
                occurred_on=timezone.localdate(),
                amount=Decimal("800"),
                currency="USD",
                stream="parts",
                margin=Decimal("0.5"),
            )
            recompute_mark_partners(partner_ids=[alpha.p1.pk], reason="revenue recorded")
        _wait_for(lambda: PartnerLtv.objects.get(partner=alpha.p1).computed_at > before.computed_at, worker)
        after = PartnerLtv.objects.get(partner=alpha.p1)
        assert after.realised > before.realised
        assert LtvRun.objects.filter(kind=RunKind.RECOMPUTE, status=RunStatus.SUCCEEDED).exists()

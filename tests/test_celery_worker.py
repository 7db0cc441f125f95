"""A task sent through Redis to a real Celery worker process runs in its tenant's context.

Run by .ci/run (PRM_RUN_CELERY_WORKER_TESTS=1) with DATABASE_URL on PostgreSQL and REDIS_URL set:
the worker is a separate process, so it reads the committed test database, not this transaction.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

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
            "default",
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

"""Demo LTV: refits as of the last four quarter-ends, then today, so the pages have results and a
trend (each refit costs about a second per tenant; the browser tests seed the demo every time).

Runs inside `seed_demo`'s transaction, after partners and revenue seeded the ledgers; each refit is
the same service the nightly schedule runs (called directly: no worker is needed to seed)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from analytics.models import LtvRun, RunKind, RunStatus, RunTrigger
from analytics.services_refit import ltv_refit_run
from prm.models import Tenant

HISTORY_QUARTERS = 4


def _quarter_ends(today: dt.date, quarters: int) -> list[dt.date]:
    """The last `quarters` quarter-ends before today, oldest first."""
    ends = []
    first = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    for _ in range(quarters):
        end = first - dt.timedelta(days=1)
        ends.append(end)
        first = end.replace(month=3 * ((end.month - 1) // 3) + 1, day=1)
    return sorted(ends)


def seed_tenant(*, tenant: Tenant, rng: random.Random) -> list[tuple[str, str]]:
    if LtvRun.objects.exists():
        return []
    today = timezone.localdate()
    for as_of in [*_quarter_ends(today, HISTORY_QUARTERS), today]:
        run = LtvRun.objects.create(kind=RunKind.REFIT, trigger=RunTrigger.SETUP, as_of=as_of)
        status = ltv_refit_run(run_id=run.pk)
        if status != RunStatus.SUCCEEDED:
            run.refresh_from_db()
            raise RuntimeError(f"demo LTV refit as of {as_of} failed: {run.error}")
    return []

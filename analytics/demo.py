"""Demo LTV: refits as of past month-ends, then today, so the pages have results and a trend.

Runs inside `seed_demo`'s transaction, after partners and revenue seeded the ledgers; each refit is
the same service the nightly schedule runs (called directly: no worker is needed to seed)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from analytics.models import LtvRun, RunKind, RunStatus, RunTrigger
from analytics.services_refit import ltv_refit_run
from prm.models import Tenant

HISTORY_MONTHS = 12


def _month_ends(today: dt.date, months: int) -> list[dt.date]:
    ends, first = [], today.replace(day=1)
    for _ in range(months):
        first_of_previous = (first - dt.timedelta(days=1)).replace(day=1)
        ends.append(first - dt.timedelta(days=1))
        first = first_of_previous
    return sorted(ends)


def seed_tenant(*, tenant: Tenant, rng: random.Random) -> list[tuple[str, str]]:
    if LtvRun.objects.exists():
        return []
    today = timezone.localdate()
    for as_of in [*_month_ends(today, HISTORY_MONTHS), today]:
        run = LtvRun.objects.create(kind=RunKind.REFIT, trigger=RunTrigger.SETUP, as_of=as_of)
        status = ltv_refit_run(run_id=run.pk)
        if status != RunStatus.SUCCEEDED:
            run.refresh_from_db()
            raise RuntimeError(f"demo LTV refit as of {as_of} failed: {run.error}")
    return []

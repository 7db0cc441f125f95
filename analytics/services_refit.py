"""The full recompute of a tenant: read the ledgers, refit every segment's population models,
score every customer and partner, and store it all (one transaction for the results).

Idempotent: a redelivered task (its worker was killed) starts the run over and overwrites; a run
that already finished is left alone.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, transaction

from analytics.ltv_fits_store import fits_store
from analytics.ltv_load import ltv_ledgers_load
from analytics.ltv_pipeline import customer_segments, fit_all, fit_notes, ltv_compute
from analytics.ltv_store import (
    customer_values_store,
    partner_results_store,
    results_commit_asynchronously,
    tenant_snapshot_store,
)
from analytics.models import LtvRun, RunStatus
from analytics.services_runs import (
    ltv_run_fail,
    ltv_run_finish,
    ltv_run_progress,
    ltv_run_start,
    ltv_run_timed,
)
from revenue.services_ledger import current_tenant
from revenue.services_recompute import recompute_take_pending

logger = logging.getLogger(__name__)
# Worth another attempt (the task retries with backoff); anything else fails the run for good.
TRANSIENT = (ConnectionError, TimeoutError, OperationalError)


def tenant_discount_rate() -> float:
    return float(current_tenant().annual_discount_rate or Decimal("0"))


def ltv_refit_run(*, run_id: int) -> str:
    run = LtvRun.objects.filter(pk=run_id).first()
    if run is None or run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        return run.status if run is not None else "missing"
    run = ltv_run_start(run_id=run_id)
    try:
        _refit(run)
    except TRANSIENT:
        ltv_run_progress(run=run, progress=run.progress, step="Interrupted; retrying")
        raise
    except SoftTimeLimitExceeded:
        ltv_run_fail(run_id=run_id, error="The run took longer than its time limit.")
        return RunStatus.FAILED
    except Exception as error:  # recorded on the run for the admin to read; the results stay as they were
        logger.exception("LTV refit %s failed", run_id)
        ltv_run_fail(run_id=run_id, error=f"{type(error).__name__}: {error}")
        return RunStatus.FAILED
    return RunStatus.SUCCEEDED


def _refit(run: LtvRun) -> None:
    ltv_run_progress(run=run, progress=5, step="Reading the ledgers")
    with ltv_run_timed(run=run, name="load"):
        ledgers = ltv_ledgers_load(as_of=run.as_of, annual_discount=tenant_discount_rate())
    ltv_run_progress(run=run, progress=25, step="Fitting the population models per segment")
    with ltv_run_timed(run=run, name="fit"):
        fits = fit_all(ledgers, customer_segments(ledgers))
    ltv_run_progress(run=run, progress=55, step="Scoring customers and rolling up to partners")
    with ltv_run_timed(run=run, name="score"):
        comp = ltv_compute(ledgers=ledgers, fits=fits)
    ltv_run_progress(run=run, progress=80, step="Saving the results")
    with ltv_run_timed(run=run, name="store"), transaction.atomic():
        results_commit_asynchronously()
        # The refit rescored every partner, so pending ledger marks are settled by it.
        recompute_take_pending()
        fits_store(run=run, fits=comp.fits)
        run.customers_scored = customer_values_store(comp=comp, only_customers=None)
        run.partners_computed = partner_results_store(comp=comp, run=run)
        tenant_snapshot_store(comp=comp, as_of=ledgers.as_of)
        run.segments = fit_notes(comp.fits)
    ltv_run_finish(run=run)

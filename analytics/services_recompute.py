"""A ledger change rescores the partners it touched at once, with the stored population fits.

No refit: the nightly refit (or an admin's) owns the population parameters; a new transaction only
moves its customers' conditional expectations and its partners' roll-ups. The marks are taken in
the same transaction as the results are written, so a failure leaves them for the next attempt.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from analytics.ltv_fits_store import fits_load
from analytics.ltv_load import ltv_ledgers_load
from analytics.ltv_pipeline import Fits, fit_notes, ltv_compute
from analytics.ltv_store import customer_values_store, partner_results_store, tenant_snapshot_store
from analytics.models import LtvRun, RunKind, RunStatus, RunTrigger
from analytics.services_refit import tenant_discount_rate
from analytics.services_runs import ltv_run_request, ltv_run_timed
from revenue.models import Attribution
from revenue.services_recompute import recompute_take_pending


def ltv_recompute_pending() -> list[int]:
    """Rescore the partners marked dirty; returns their ids. Before the first refit there are no
    population fits to score with, so it asks for a refit instead."""
    with transaction.atomic():
        partner_ids = recompute_take_pending()
        if not partner_ids:
            return []
        fits = fits_load()
        if fits is None:
            ltv_run_request(actor=None, trigger=RunTrigger.LEDGER)
            return partner_ids
        ltv_recompute_partners(partner_ids=partner_ids, fits=fits)
    return partner_ids


def ltv_recompute_partners(*, partner_ids: list[int], fits: Fits) -> LtvRun:
    started = timezone.now()
    run = LtvRun(
        kind=RunKind.RECOMPUTE,
        trigger=RunTrigger.LEDGER,
        status=RunStatus.RUNNING,
        as_of=timezone.localdate(),
        started_at=started,
        step="Rescoring changed partners",
    )
    with ltv_run_timed(run=run, name="load"):
        customer_ids = sorted(
            set(Attribution.objects.filter(partner_id__in=partner_ids).values_list("customer_id", flat=True))
        )
        ledgers = ltv_ledgers_load(
            as_of=run.as_of,
            annual_discount=tenant_discount_rate(),
            customer_ids=customer_ids,
            partner_ids=partner_ids,
        )
    with ltv_run_timed(run=run, name="score"):
        comp = ltv_compute(ledgers=ledgers, fits=fits)
    with ltv_run_timed(run=run, name="store"):
        run.customers_scored = customer_values_store(comp=comp, only_customers=customer_ids)
        run.partners_computed = partner_results_store(comp=comp, run=None)
        tenant_snapshot_store(comp=None, as_of=ledgers.as_of)
    run.status, run.progress, run.step = RunStatus.SUCCEEDED, 100, "Done"
    run.finished_at = timezone.now()
    run.segments = fit_notes(fits)  # the stored fits that served this rescoring
    run.save()
    return run

"""Store the population fits of a refit and read the current ones back for a recompute.

A refit's fits replace the current ones (the old rows stay, marked not current, for the run
history and the model-quality page); the sourcing-rate prior and the new-customer values are kept
with them, so a ledger-driven recompute scores with exactly what the refit used.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analytics.ltv_fit import POOLED, PopulationFits, SegmentModel
from analytics.ltv_pipeline import Fits
from analytics.models import LtvRun, SegmentFit

SOURCING = "sourcing"


def json_safe(value: Any) -> Any:
    """JSON has no NaN or infinity: an undefined standard error (a flat likelihood) is stored as null."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def fits_store(*, run: LtvRun, fits: Fits) -> None:
    SegmentFit.objects.filter(is_current=True).update(is_current=False)
    rows = []
    for population in (fits.transactional, fits.subscription, fits.partners):
        for model in population.models.values():
            rows.append(
                SegmentFit(
                    run=run,
                    population=model.population,
                    segment=model.segment,
                    model=model.model,
                    params=json_safe(model.params),
                    std_errors=json_safe(model.std_errors),
                    covariance=json_safe(model.covariance),
                    log_likelihood=model.log_likelihood,
                    converged=model.converged,
                    customers=model.customers,
                    spend=json_safe(model.spend),
                    quality=json_safe(model.quality),
                )
            )
    if fits.prior is not None:
        rows.append(
            SegmentFit(
                run=run,
                population=SOURCING,
                segment=POOLED,
                model="gamma_prior",
                params={"shape": fits.prior[0], "rate": fits.prior[1]},
                spend=json_safe({"new_customer_value": fits.new_customer_values or {}}),
                log_likelihood=0.0,
                customers=0,
            )
        )
    SegmentFit.objects.bulk_create(rows)


def fits_load() -> Fits | None:
    """The current fits with the segment map of the run that made them; None before any refit."""
    current = list(SegmentFit.objects.filter(is_current=True).select_related("run").defer("quality"))
    if not current:
        return None
    run = current[0].run
    populations = {
        name: PopulationFits(population=name, models={}, serves={}, notes=[])
        for name in ("transactional", "subscription", "partners")
    }
    prior, new_values = None, None
    for row in current:
        if row.population == SOURCING:
            prior = (float(row.params["shape"]), float(row.params["rate"]))
            new_values = {key: float(value) for key, value in row.spend.get("new_customer_value", {}).items()}
            continue
        populations[row.population].models[row.segment] = SegmentModel(
            population=row.population,
            segment=row.segment,
            model=row.model,
            params={k: float(v) for k, v in row.params.items()},
            std_errors=row.std_errors,
            # A null (undefined) entry means the fit gave no usable covariance: no parameter draws.
            covariance=row.covariance
            if None not in np.ravel(np.asarray(row.covariance, dtype=object))
            else [],
            log_likelihood=row.log_likelihood,
            converged=row.converged,
            customers=row.customers,
            spend=row.spend,
            quality={},
        )
    for note in run.segments:
        fits = populations.get(note.get("population", ""))
        if fits is not None:
            fits.serves[note["segment"]] = POOLED if note.get("pooled") else note["segment"]
            fits.notes.append({k: v for k, v in note.items() if k != "population"})
    return Fits(
        transactional=populations["transactional"],
        subscription=populations["subscription"],
        partners=populations["partners"],
        prior=prior,
        new_customer_values=new_values,
    )

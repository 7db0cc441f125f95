"""Persist LTV results: customer scores, partner LTV with its snapshots, the tenant's snapshot.

Writes happen in the caller's transaction: results replace what was there (recompute, overwrite,
never increment), so running the same computation twice leaves the same rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from analytics.ltv_copy import columns_insert
from analytics.ltv_fit import POOLED
from analytics.ltv_load import COST_KINDS, STREAMS, day_date
from analytics.ltv_metrics import churn_risk, payback_months
from analytics.ltv_pipeline import Computation
from analytics.ltv_score import NO_MODEL, Scores
from analytics.models import (
    CustomerValue,
    LtvRun,
    PartnerLtv,
    PartnerLtvSnapshot,
    SegmentFit,
    TenantLtvSnapshot,
)
from revenue.imports_writer import keys_in

TREND_LOOKBACK_DAYS = 60


def money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))) if np.isfinite(value) else Decimal("0")


def _ratio(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)


def results_commit_asynchronously() -> None:
    """Let this transaction's commit return before its WAL reaches disk (PostgreSQL).

    Results are derived data: a crash can lose at most this commit, never corrupt it, and the run
    is only marked done by a later, synchronous commit, which flushes this one's WAL before its own;
    a lost run is recomputed by its redelivered task. Saves the flush of 100,000 rows' WAL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _customer_columns(scores: Scores, as_of_day: int, annual_discount: float) -> dict[str, np.ndarray]:
    """CustomerValue columns of one population's scores (100,000 customers: column-wise)."""
    fit_ids = {
        row.segment: row.pk
        for row in SegmentFit.objects.filter(is_current=True, population=scores.population)
    }
    to_first = np.power(1.0 + annual_discount, -(as_of_day - scores.first_day) / 365.25)
    keys, served = np.unique(scores.served_by.astype(str), return_inverse=True)
    fit_of_key = np.array(
        [fit_ids.get(key) if key != NO_MODEL else None for key in keys.tolist()], dtype=object
    )
    return {
        "customer_id": scores.customer.astype(np.int64),
        "segment": np.asarray(scores.segment, dtype=object),
        "fit_id": fit_of_key[served.reshape(-1)],
        "first_on": scores.first_day.astype("datetime64[D]"),
        "last_on": scores.last_day.astype("datetime64[D]"),
        "frequency": scores.frequency.astype(np.int64),
        "recency": np.round(scores.recency, 4),
        "age": np.round(scores.age, 4),
        "monetary": np.round(scores.monetary, 4),
        "p_alive": np.round(scores.p_alive, 6),
        "expected_transactions": np.round(scores.expected_transactions, 6),
        "realised_margin": np.round(scores.realised, 2),
        "predicted_margin": np.round(scores.residual, 2),
        # Realised undiscounted here; the partner roll-up discounts row by row.
        "clv": np.round(scores.realised + scores.residual * to_first, 2),
    }


def customer_values_store(*, comp: Computation, only_customers: list[int] | None) -> int:
    if only_customers is None:
        CustomerValue.objects.all().delete()
    elif only_customers:
        CustomerValue.objects.filter(keys_in(CustomerValue, "customer_id", only_customers)).delete()
    written = 0
    now = timezone.now()
    for scores in (comp.transactional, comp.subscription):
        written += columns_insert(
            model=CustomerValue,
            columns=_customer_columns(scores, comp.ledgers.as_of_day, comp.ledgers.annual_discount),
            constants={"population": scores.population, "computed_at": now},
        )
    return written


def _previous_ltv(*, partner_ids: list[int], as_of: dt.date) -> dict[int, tuple[float, str]]:
    """Each partner's latest snapshot at least TREND_LOOKBACK_DAYS before as-of."""
    cutoff = as_of - dt.timedelta(days=TREND_LOOKBACK_DAYS)
    rows = (
        PartnerLtvSnapshot.objects.filter(
            keys_in(PartnerLtvSnapshot, "partner_id", partner_ids), taken_on__lte=cutoff
        )
        .order_by("partner_id", "-taken_on")
        .values_list("partner_id", "taken_on", "ltv")
    )
    previous: dict[int, tuple[float, str]] = {}
    for partner_id, taken_on, ltv in rows:
        previous.setdefault(partner_id, (float(ltv), taken_on.isoformat()))
    return previous


def _models_used(comp: Computation, partner_type: str) -> list[dict[str, Any]]:
    used = []
    segment = f"type:{partner_type}"
    for population, key in (
        (comp.fits.transactional, segment),
        (comp.fits.subscription, segment),
        (comp.fits.partners, partner_type),
    ):
        served = population.serves.get(key, POOLED)
        model = population.models.get(served)
        if model is not None:
            used.append(
                {
                    "population": population.population,
                    "segment": served,
                    "model": model.model,
                    "pooled": served == POOLED,
                }
            )
    return used


def partner_results_store(*, comp: Computation, run: LtvRun | None) -> int:
    ledgers, rollup = comp.ledgers, comp.rollup
    partner_ids = ledgers.partner_id.tolist()
    if not partner_ids:
        return 0
    now = timezone.now()
    as_of = ledgers.as_of
    previous = _previous_ltv(partner_ids=partner_ids, as_of=as_of)
    months_active = (np.minimum(ledgers.partner_end, ledgers.as_of_day) - ledgers.partner_start) / 30.4375
    undiscounted_acquisition = np.zeros(len(partner_ids))
    acquisition_kind = COST_KINDS.index("acquisition")
    index = {pk: i for i, pk in enumerate(partner_ids)}
    for partner, kind, amount in zip(
        ledgers.cost_partner, ledgers.cost_kind, ledgers.cost_amount, strict=True
    ):
        if kind == acquisition_kind and int(partner) in index:
            undiscounted_acquisition[index[int(partner)]] += amount
    payback = payback_months(
        monthly_margin=comp.monthly_margin, acquisition=undiscounted_acquisition, months_active=months_active
    )
    last_sourced = _last_sourced(comp)
    rows, snapshots = [], []
    for i, partner_id in enumerate(partner_ids):
        ltv = float(rollup.ltv[i])
        last_deal = int(ledgers.partner_last_deal[i])
        risk, reasons = churn_risk(
            gone=bool(ledgers.partner_gone[i]),
            ltv=ltv,
            previous_ltv=previous.get(partner_id, (None, None))[0],
            previous_on=previous.get(partner_id, (None, None))[1],
            mean_p_alive=float(rollup.mean_p_alive[i]),
            has_model=bool(comp.fits.transactional.models or comp.fits.subscription.models),
            days_since_deal=ledgers.as_of_day - last_deal if last_deal >= 0 else None,
            days_since_sourced=ledgers.as_of_day - last_sourced[i] if last_sourced[i] >= 0 else None,
        )
        acquisition = float(rollup.acquisition[i])
        parts = {
            "realised": money(rollup.realised[i]),
            "predicted": money(rollup.predicted[i]),
            "future": money(rollup.future[i]),
            "costs": money(rollup.costs[i]),
        }
        # The parts are what pages show: the total is their sum to the cent.
        total = parts["realised"] + parts["predicted"] + parts["future"] - parts["costs"]
        values = {
            "as_of": as_of,
            "valued_from": day_date(int(rollup.valued_from[i])),
            "ltv": total,
            "ltv_low": min(money(rollup.low[i]), total),
            "ltv_high": max(money(rollup.high[i]), total),
            **parts,
        }
        rows.append(
            PartnerLtv(
                partner_id=partner_id,
                run=run,
                acquisition_costs=money(acquisition),
                by_stream={
                    stream: {
                        "realised": round(float(rollup.realised_by_stream[i, s]), 2),
                        "predicted": round(float(rollup.predicted_by_stream[i, s]), 2),
                    }
                    for s, stream in enumerate(STREAMS)
                    if rollup.realised_by_stream[i, s] or rollup.predicted_by_stream[i, s]
                },
                by_kind={
                    kind: {
                        "realised": round(float(rollup.realised_by_kind[i, k]), 2),
                        "predicted": round(float(rollup.predicted_by_kind[i, k]), 2),
                    }
                    for k, kind in enumerate(("sourced", "influenced"))
                },
                costs_by_kind={
                    kind: round(float(rollup.costs_by_kind[i, k]), 2)
                    for k, kind in enumerate(COST_KINDS)
                    if rollup.costs_by_kind[i, k]
                },
                customers=int(rollup.customers[i]),
                expected_active_customers=round(float(rollup.expected_active[i]), 3),
                median_remaining_years=_ratio(rollup.remaining_years[i]),
                new_customers_per_year=round(float(rollup.new_per_year[i]), 3),
                ltv_cac=_ratio(ltv / acquisition) if acquisition > 0 else None,
                payback_months=_ratio(payback[i]),
                nrr=_ratio(comp.partner_metrics.nrr[i]),
                grr=_ratio(comp.partner_metrics.grr[i]),
                customer_churn=_ratio(comp.partner_metrics.churn[i]),
                churn_risk=risk,
                churn_reasons=reasons,
                models_used=_models_used(comp, ledgers.partner_type[i]),
                computed_at=now,
                **values,
            )
        )
        snapshots.append(
            PartnerLtvSnapshot(
                partner_id=partner_id, taken_on=as_of, churn_risk=risk, **_snapshot_values(values)
            )
        )
    PartnerLtv.objects.filter(keys_in(PartnerLtv, "partner_id", partner_ids)).delete()
    PartnerLtv.objects.bulk_create(rows, batch_size=2000)
    PartnerLtvSnapshot.objects.filter(
        keys_in(PartnerLtvSnapshot, "partner_id", partner_ids), taken_on=as_of
    ).delete()
    PartnerLtvSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    return len(rows)


def _snapshot_values(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key not in ("as_of", "valued_from")}


def _last_sourced(comp: Computation) -> np.ndarray:
    """Per partner, the day it last gained sourced credit for a customer (-1 if never)."""
    ledgers = comp.ledgers
    last = np.full(ledgers.partner_id.size, -1, dtype=np.int64)
    keep = ledgers.attr_sourced & (ledgers.attr_from <= ledgers.as_of_day)
    position = np.searchsorted(ledgers.partner_id, ledgers.attr_partner[keep])
    found = position < ledgers.partner_id.size
    position, days = position[found], ledgers.attr_from[keep][found]
    match = ledgers.partner_id[position] == ledgers.attr_partner[keep][found]
    np.maximum.at(last, position[match], days[match])
    return last


def tenant_snapshot_store(*, comp: Computation | None, as_of: dt.date) -> TenantLtvSnapshot:
    """The tenant's totals from the stored partner rows; book metrics from a full computation, or
    kept from today's or the latest snapshot after a partial recompute."""
    totals = PartnerLtv.objects.aggregate(
        ltv=Sum("ltv"),
        realised=Sum("realised"),
        predicted=Sum("predicted"),
        future=Sum("future"),
        costs=Sum("costs"),
        partners=Count("id"),
    )
    latest = TenantLtvSnapshot.objects.order_by("-taken_on").first()
    if comp is not None:
        customers = int(np.union1d(comp.transactional.customer, comp.subscription.customer).size)
        metrics = {
            "nrr": _ratio(comp.tenant_metrics.nrr[0]),
            "grr": _ratio(comp.tenant_metrics.grr[0]),
            "customer_churn": _ratio(comp.tenant_metrics.churn[0]),
        }
    else:  # a partial recompute keeps the book-wide figures of the last full one
        customers = latest.customers if latest else 0
        metrics = {
            "nrr": latest.nrr if latest else None,
            "grr": latest.grr if latest else None,
            "customer_churn": latest.customer_churn if latest else None,
        }
    zero = Decimal("0")
    ltv = totals["ltv"] or zero
    if comp is not None and comp.rollup.draws.size:
        # Each column of draws shares its parameter draw across partners, so summing columns keeps
        # the partners' common uncertainty in the tenant's band.
        column_sums = comp.rollup.draws.sum(axis=0)
        low = min(money(float(np.quantile(column_sums, 0.05))), ltv)
        high = max(money(float(np.quantile(column_sums, 0.95))), ltv)
    else:
        # A partial recompute moves the band with the partners it rescored, keeping its width.
        shift = ltv - latest.ltv if latest else zero
        low = latest.ltv_low + shift if latest else ltv
        high = latest.ltv_high + shift if latest else ltv
    snapshot, _ = TenantLtvSnapshot.objects.update_or_create(
        taken_on=as_of,
        defaults={
            "ltv": ltv,
            "ltv_low": low,
            "ltv_high": high,
            "realised": totals["realised"] or zero,
            "predicted": totals["predicted"] or zero,
            "future": totals["future"] or zero,
            "costs": totals["costs"] or zero,
            "partners": totals["partners"] or 0,
            "customers": customers,
            "computed_at": timezone.now(),
            **metrics,
        },
    )
    return snapshot

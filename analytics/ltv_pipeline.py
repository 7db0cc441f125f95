"""From loaded ledgers to per-customer scores and per-partner LTV (no database access here).

A refit fits every population model first; a recompute passes the stored fits in. Both then run the
same scoring and roll-up, so a ledger change and the nightly refit can never disagree on method.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analytics.clv.rfm import rfm_summary
from analytics.ltv_fit import QUARTER_DAYS, PopulationFits, fit_partners, fit_subscription, fit_transactional
from analytics.ltv_load import Ledgers
from analytics.ltv_metrics import BookMetrics, book_metrics
from analytics.ltv_rollup import Rollup, partner_rollup
from analytics.ltv_score import (
    ContractHistories,
    Scores,
    contract_histories,
    score_subscription,
    score_transactional,
    segment_of,
)


@dataclass
class Fits:
    transactional: PopulationFits
    subscription: PopulationFits
    partners: PopulationFits
    prior: tuple[float, float] | None = None  # sourcing-rate prior; fitted in the roll-up if None
    # PV at acquisition of a new customer per segment; a recompute reuses the refit's, since its
    # own slice of customers would bias them.
    new_customer_values: dict[str, float] | None = None


@dataclass
class Computation:
    ledgers: Ledgers
    fits: Fits
    transactional: Scores
    subscription: Scores
    histories: ContractHistories
    rollup: Rollup
    partner_metrics: BookMetrics
    tenant_metrics: BookMetrics
    monthly_margin: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)


def customer_segments(ledgers: Ledgers) -> dict[int, str]:
    """Each customer's segment: the type of the partner holding its largest sourced credit on the
    as-of date ("type:reseller", ...); customers nobody sourced are "direct"."""
    day = ledgers.as_of_day
    keep = (
        ledgers.attr_sourced & ~ledgers.attr_row_level & (ledgers.attr_from <= day) & (ledgers.attr_to > day)
    )
    type_of = dict(zip(ledgers.partner_id.tolist(), ledgers.partner_type, strict=True))
    best: dict[int, tuple[float, str]] = {}
    for partner, customer, weight in zip(
        ledgers.attr_partner[keep].tolist(),
        ledgers.attr_customer[keep].tolist(),
        ledgers.attr_weight[keep].tolist(),
        strict=True,
    ):
        kind = type_of.get(partner)
        if kind is not None and weight > best.get(customer, (0.0, ""))[0]:
            best[customer] = (weight, f"type:{kind}")
    return {customer: segment for customer, (_, segment) in best.items()}


def fit_all(ledgers: Ledgers, segments: dict[int, str]) -> Fits:
    rows = ledgers.transactional
    as_of = ledgers.as_of_day
    if len(rows):
        rfm = rfm_summary(
            customer_ids=rows.customer,
            dates=rows.day.astype("datetime64[D]"),
            amounts=rows.margin,
            observation_end=np.datetime64(as_of, "D"),
        )
        starts = np.flatnonzero(np.r_[True, rows.customer[1:] != rows.customer[:-1]])
        first_of_row = np.repeat(rows.day[starts], np.diff(np.r_[starts, rows.customer.size]))
        first_margin = np.add.reduceat(np.where(rows.day == first_of_row, rows.margin, 0.0), starts)
        new_day = np.r_[True, (rows.customer[1:] != rows.customer[:-1]) | (rows.day[1:] != rows.day[:-1])]
        history = {
            "customer": np.searchsorted(rfm.customer_ids, rows.customer[new_day]),
            "day": rows.day[new_day],
            "as_of_day": np.array([as_of]),
        }
        transactional = fit_transactional(
            rfm=rfm,
            segments=segment_of(customer=rfm.customer_ids, segment_by_customer=segments),
            first_margin=first_margin,
            history=history,
        )
    else:
        transactional = PopulationFits(population="transactional", models={}, serves={}, notes=[])
    histories = contract_histories(rows=ledgers.subscription, as_of_day=as_of)
    subscription = fit_subscription(
        renewals=histories.renewals,
        lapsed=~histories.active,
        segments=segment_of(customer=histories.customer, segment_by_customer=segments),
    )
    end = np.minimum(ledgers.partner_end, as_of)
    quarters = (np.maximum(end - ledgers.partner_start, 0) // QUARTER_DAYS).astype(np.int64)
    signed = ~ledgers.partner_prospect  # prospects have no tenure to learn survival from
    partners = fit_partners(
        quarters=quarters[signed],
        gone=ledgers.partner_gone[signed],
        types=np.array(ledgers.partner_type, dtype=object)[signed],
    )
    return Fits(transactional=transactional, subscription=subscription, partners=partners)


def ltv_compute(*, ledgers: Ledgers, fits: Fits | None, seed: int = 20261204) -> Computation:
    """Score and roll up; fits everything first when `fits` is None (a refit)."""
    import time

    timings: dict[str, float] = {}
    started = time.perf_counter()
    segments = customer_segments(ledgers)
    if fits is None:
        fits = fit_all(ledgers, segments)
        timings["fit"] = time.perf_counter() - started
    rng = np.random.default_rng(seed)
    step = time.perf_counter()
    histories = contract_histories(rows=ledgers.subscription, as_of_day=ledgers.as_of_day)
    transactional = score_transactional(
        rows=ledgers.transactional,
        as_of_day=ledgers.as_of_day,
        annual_discount=ledgers.annual_discount,
        fits=fits.transactional,
        segment_by_customer=segments,
        rng=rng,
    )
    subscription = score_subscription(
        rows=ledgers.subscription,
        histories=histories,
        annual_discount=ledgers.annual_discount,
        fits=fits.subscription,
        segment_by_customer=segments,
        rng=rng,
    )
    timings["score"] = time.perf_counter() - step
    step = time.perf_counter()
    rollup, pairs, monthly, prior, new_values = partner_rollup(
        ledgers=ledgers,
        t=transactional,
        s=subscription,
        histories=histories,
        transactional=fits.transactional,
        subscription=fits.subscription,
        partners=fits.partners,
        prior=fits.prior,
        new_customer_values=fits.new_customer_values,
        rng=rng,
    )
    fits.prior, fits.new_customer_values = prior, new_values
    under_contract = set(histories.customer[histories.active].tolist())
    partner, customer, day, amount = pairs
    partner_metrics = book_metrics(
        group=partner,
        customer=customer,
        day=day,
        amount=amount,
        as_of_day=ledgers.as_of_day,
        groups=ledgers.partner_id.size,
        under_contract=under_contract,
    )
    every_customer = np.r_[ledgers.transactional.customer, ledgers.subscription.customer]
    tenant_metrics = book_metrics(
        group=np.zeros(every_customer.size, dtype=np.int64),
        customer=every_customer,
        day=np.r_[ledgers.transactional.day, ledgers.subscription.day],
        amount=np.r_[ledgers.transactional.amount, ledgers.subscription.amount],
        as_of_day=ledgers.as_of_day,
        groups=1,
        under_contract=under_contract,
    )
    timings["rollup"] = time.perf_counter() - step
    return Computation(
        ledgers=ledgers,
        fits=fits,
        transactional=transactional,
        subscription=subscription,
        histories=histories,
        rollup=rollup,
        partner_metrics=partner_metrics,
        tenant_metrics=tenant_metrics,
        monthly_margin=monthly,
        timings=timings,
    )


def fit_notes(fits: Fits) -> list[dict[str, Any]]:
    """Which model served which segment, for the run record."""
    notes = []
    for population in (fits.transactional, fits.subscription, fits.partners):
        for note in population.notes:
            notes.append({"population": population.population, **note})
    return notes

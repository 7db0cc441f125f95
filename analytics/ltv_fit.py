"""Fit the population models of a tenant, per segment when a segment has enough customers.

Segments are the partner types of the customers' sourcing partners ("type:reseller", ...; "direct"
for customers nobody sourced). A segment with too few customers (or repeat buyers) is served by the
pooled fit, and the result says so with the reason. Populations:
- transactional: BG/NBD for repeat purchases + Gamma-Gamma for margin per purchase;
- subscription: shifted-Beta-Geometric on contract histories (renewals survived, lapsed or not);
- partners: shifted-Beta-Geometric on partner tenure in quarters, per partner type.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analytics.clv.bgnbd import bgnbd_fit
from analytics.clv.gamma_gamma import gamma_gamma_fit
from analytics.clv.param_uncertainty import log_covariance_from_natural
from analytics.clv.rfm import RFMSummary, rfm_summary
from analytics.clv.sbg import sbg_fit_histories
from analytics.clv.value import bgnbd_expected_cumulative

POOLED = "pooled"
MIN_SEGMENT = {"transactional": 200, "subscription": 80, "partners": 30}
MIN_POOLED = {"transactional": 20, "subscription": 10, "partners": 8}
MIN_REPEATERS = 10
MIN_LAPSES = 3
QUARTER_DAYS = 91.3125
HOLDOUT_WEEKS = 26
# Partner survival needs more departures than customer models do: with a handful, the likelihood
# is flat in the heterogeneity and the fit can declare most partners immortal. Below that, this
# prior stands in (about 8% of partners lost in their first quarter, a median partner life of three
# years; S(t) = 12 / (12 + t) quarters), and the run says so.
MIN_PARTNER_LAPSES = 8
PARTNER_PRIOR = {"alpha": 1.0, "beta": 12.0}


@dataclass
class SegmentModel:
    population: str
    segment: str
    model: str
    params: dict[str, float]
    std_errors: dict[str, float]
    covariance: list[list[float]]
    log_likelihood: float
    converged: bool
    customers: int
    spend: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)


@dataclass
class PopulationFits:
    """The fitted models of one population and which model serves each segment."""

    population: str
    models: dict[str, SegmentModel]
    serves: dict[str, str]  # segment -> key of the model serving it
    notes: list[dict[str, Any]]  # [{"segment", "model", "pooled", "customers", "reason"}]

    def model_for(self, segment: str) -> SegmentModel | None:
        key = self.serves.get(segment, POOLED)
        return self.models.get(key)


def log_covariance_from_std_errors(
    params: Mapping[str, float], std_errors: Mapping[str, float]
) -> list[list[float]]:
    """Diagonal covariance of the log-parameters (delta method: sd(log x) = se(x) / x)."""
    variances = []
    for name, value in params.items():
        se = float(std_errors.get(name, float("nan")))
        variances.append((se / value) ** 2 if value > 0 and np.isfinite(se) else 0.0)
    return np.diag(variances).tolist()


def _note(segment: str, model: str, pooled: bool, customers: int, reason: str) -> dict[str, Any]:
    return {"segment": segment, "model": model, "pooled": pooled, "customers": customers, "reason": reason}


def _serve(
    *, population: str, segments: np.ndarray, fit_one: Any, eligible: Any, parallel: bool = False
) -> PopulationFits:
    """Fit the pooled model and every segment that is big enough; map the others to pooled."""
    models: dict[str, SegmentModel] = {}
    serves: dict[str, str] = {}
    notes: list[dict[str, Any]] = []
    everyone = np.ones(segments.size, dtype=bool)
    pooled_ok, pooled_reason = eligible(everyone, MIN_POOLED[population])
    if pooled_ok:
        models[POOLED] = fit_one(everyone, POOLED)
    names, counts = np.unique(segments, return_counts=True)
    checks = [eligible(segments == name, MIN_SEGMENT[population]) for name in names.tolist()]
    own = [str(name) for name, (ok, _) in zip(names.tolist(), checks, strict=True) if ok and len(names) > 1]
    # Segment fits are independent once the pooled optimum they start from is known: two threads
    # (numpy's loops release the GIL) fit them side by side, each result landing under its own name.
    workers = min(len(own), os.cpu_count() or 1, 2) if POOLED in models and parallel else 1
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            fitted = list(pool.map(lambda name: fit_one(segments == name, name), own))
    else:
        fitted = [fit_one(segments == name, name) for name in own]
    models.update(zip(own, fitted, strict=True))
    for name, count, (ok, reason) in zip(names.tolist(), counts.tolist(), checks, strict=True):
        if str(name) in own:
            serves[str(name)] = str(name)
            notes.append(_note(str(name), models[str(name)].model, False, int(count), "own fit"))
        else:
            serves[str(name)] = POOLED
            why = "the only segment" if ok else reason
            model = models[POOLED].model if POOLED in models else "none"
            notes.append(_note(str(name), model, True, int(count), why if pooled_ok else pooled_reason))
    return PopulationFits(population=population, models=models, serves=serves, notes=notes)


def fit_transactional(
    *, rfm: RFMSummary, segments: np.ndarray, first_margin: np.ndarray, history: dict[str, np.ndarray]
) -> PopulationFits:
    """BG/NBD + Gamma-Gamma per segment. `history` holds the day-level rows (customer index into
    the RFM arrays, day) the model-quality tracking is drawn from."""

    def eligible(mask: np.ndarray, minimum: int) -> tuple[bool, str]:
        customers = int(mask.sum())
        repeaters = int((rfm.frequency[mask] > 0).sum())
        if customers < minimum:
            return False, f"{customers} customers, fewer than the {minimum} a fit of its own needs"
        if repeaters < MIN_REPEATERS:
            return False, f"{repeaters} repeat customers, fewer than {MIN_REPEATERS}"
        return True, ""

    # The pooled fit runs first; its optimum starts the segments' fits, a few Newton steps away.
    start: dict[str, np.ndarray] = {}

    def fit_one(mask: np.ndarray, segment: str) -> SegmentModel:
        x, t_x, T, m = rfm.frequency[mask], rfm.recency[mask], rfm.T[mask], rfm.monetary_value[mask]
        counts = bgnbd_fit(frequency=x, recency=t_x, T=T, initial=start.get(POOLED))
        start.setdefault(POOLED, np.array([counts.params[name] for name in ("r", "alpha", "a", "b")]))
        spend_model = gamma_gamma_fit(frequency=x, monetary_value=np.maximum(m, 0.0))
        spend = {
            "params": spend_model.params,
            "std_errors": spend_model.std_errors,
            "covariance": log_covariance_from_std_errors(spend_model.params, spend_model.std_errors),
            "customers_used": spend_model.customers_used,
            "first_purchase_margin": float(np.mean(first_margin[mask])),
        }
        return SegmentModel(
            population="transactional",
            segment=segment,
            model="bgnbd",
            params=counts.params,
            std_errors=counts.std_errors,
            # The fit reports the natural-scale covariance; the value draws work on log-parameters.
            covariance=log_covariance_from_natural(
                params=counts.params, covariance=counts.covariance
            ).tolist(),
            log_likelihood=counts.log_likelihood,
            converged=counts.converged,
            customers=int(mask.sum()),
            spend=spend,
            quality=_tracking(mask=mask, history=history, initial=start[POOLED]),
        )

    return _serve(
        population="transactional", segments=segments, fit_one=fit_one, eligible=eligible, parallel=True
    )


def _tracking(*, mask: np.ndarray, history: dict[str, np.ndarray], initial: np.ndarray) -> dict[str, Any]:
    """Calibration vs holdout: refit on all but the last HOLDOUT_WEEKS and compare the predicted
    cumulative repeat transactions of the segment with the actual ones, week by week."""
    chosen = np.flatnonzero(mask)
    rows = np.isin(history["customer"], chosen)
    customer, day = history["customer"][rows], history["day"][rows]
    as_of_day = int(history["as_of_day"][0])
    calibration_end = as_of_day - 7 * HOLDOUT_WEEKS
    if customer.size == 0 or int(day.min()) >= calibration_end - 7 * 26:
        return {}
    dates = day.astype("datetime64[D]")
    summary = rfm_summary(
        customer_ids=customer,
        dates=dates,
        calibration_end=np.datetime64(int(calibration_end), "D"),
        observation_end=np.datetime64(as_of_day, "D"),
    )
    if int((summary.frequency > 0).sum()) < MIN_REPEATERS:
        return {}
    try:
        calibration = bgnbd_fit(
            frequency=summary.frequency, recency=summary.recency, T=summary.T, initial=initial
        )
    except (ValueError, FloatingPointError):
        return {}
    start = int(day.min())
    starts = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]])
    first = day[starts]  # rows are sorted by customer, then day
    first_of_row = np.repeat(first, np.diff(np.r_[starts, customer.size]))
    weeks_total = int(np.ceil((as_of_day - start) / 7.0))
    step = max(1, weeks_total // 120)
    grid = np.arange(0, weeks_total + 1, step, dtype=float)
    repeat_days = day[day > first_of_row]
    actual_weekly = np.bincount(((repeat_days - start) // 7).astype(int), minlength=weeks_total + 1)
    actual = np.cumsum(actual_weekly)[grid.astype(int)]
    births = (first[first < calibration_end] - start) / 7.0
    predicted = bgnbd_expected_cumulative(params=calibration.params, birth_weeks=births, weeks=grid)
    calibration_week = (calibration_end - start) / 7.0
    before = grid <= calibration_week
    holdout_actual = float(actual[-1] - (actual[before][-1] if before.any() else 0))
    holdout_predicted = float(predicted[-1] - (predicted[before][-1] if before.any() else 0))
    return {
        "calibration_end": str(np.datetime64(int(calibration_end), "D")),
        "calibration_week": round(calibration_week, 2),
        "start": str(np.datetime64(start, "D")),
        "weeks": grid.tolist(),
        "actual": actual.astype(float).tolist(),
        "predicted": np.round(predicted, 2).tolist(),
        "holdout_actual": holdout_actual,
        "holdout_predicted": round(holdout_predicted, 2),
        "calibration_params": calibration.params,
    }


def _sbg_survival_fits(
    *,
    population: str,
    periods: np.ndarray,
    lapsed: np.ndarray,
    segments: np.ndarray,
    minimum_lapses: int,
    unit: str,
    lapse: str,
    extra: dict[str, Any],
) -> PopulationFits:
    """sBG per segment on histories observed for `periods` decisions, `lapsed` at the last one."""

    def eligible(mask: np.ndarray, minimum: int) -> tuple[bool, str]:
        count, lapses = int(mask.sum()), int(lapsed[mask].sum())
        if count < minimum:
            return False, f"{count} {unit}, fewer than the {minimum} a fit of its own needs"
        if lapses < minimum_lapses:
            return False, f"{lapses} {lapse}, fewer than the {minimum_lapses} a survival fit needs"
        return True, ""

    def fit_one(mask: np.ndarray, segment: str) -> SegmentModel:
        fitted = sbg_fit_histories(periods_observed=periods[mask], churned=lapsed[mask])
        return SegmentModel(
            population=population,
            segment=segment,
            model="sbg",
            params=fitted.params,
            std_errors=fitted.std_errors,
            covariance=log_covariance_from_std_errors(fitted.params, fitted.std_errors),
            log_likelihood=fitted.log_likelihood,
            converged=fitted.converged,
            customers=int(mask.sum()),
            spend=dict(extra),
            quality=_retention_quality(periods=periods[mask], lapsed=lapsed[mask], params=fitted.params),
        )

    return _serve(population=population, segments=segments, fit_one=fit_one, eligible=eligible)


def fit_subscription(*, renewals: np.ndarray, lapsed: np.ndarray, segments: np.ndarray) -> PopulationFits:
    """sBG on contract histories: a lapsed customer churned at its `renewals + 1`-th decision, an
    active one has survived `renewals` decisions so far."""
    return _sbg_survival_fits(
        population="subscription",
        periods=np.where(lapsed, renewals + 1, renewals),
        lapsed=lapsed,
        segments=segments,
        minimum_lapses=MIN_LAPSES,
        unit="subscribers",
        lapse="lapsed contracts",
        extra={},
    )


def _retention_quality(
    *, periods: np.ndarray, lapsed: np.ndarray, params: Mapping[str, float]
) -> dict[str, Any]:
    """Actual vs fitted survival by renewal: the share still subscribed after each renewal."""
    from analytics.clv.sbg import sbg_survival

    horizon = int(min(periods.max(initial=0), 15))
    actual, predicted = [], []
    for t in range(horizon + 1):
        at_risk = periods >= t  # observed long enough to have faced t decisions
        survived = at_risk & ~(lapsed & (periods == t))
        exposed = int(at_risk.sum())
        actual.append(float(survived.sum() / exposed) if exposed else None)
        predicted.append(float(sbg_survival(params, float(t))))
    return {"renewals": list(range(horizon + 1)), "actual_retention": actual, "predicted_survival": predicted}


def fit_partners(*, quarters: np.ndarray, gone: np.ndarray, types: np.ndarray) -> PopulationFits:
    """sBG on partner tenure in quarters, per partner type; a weak prior when few partners left."""
    fits = _sbg_survival_fits(
        population="partners",
        periods=np.where(gone, quarters + 1, quarters),
        lapsed=gone,
        segments=types,
        minimum_lapses=MIN_PARTNER_LAPSES,
        unit="partners",
        lapse="partners left",
        extra={"period_weeks": QUARTER_DAYS / 7.0},
    )
    if POOLED not in fits.models:
        fits.models[POOLED] = SegmentModel(
            population="partners",
            segment=POOLED,
            model="sbg_prior",
            params=dict(PARTNER_PRIOR),
            std_errors={},
            covariance=[],
            log_likelihood=0.0,
            converged=True,
            customers=int(types.size),
            spend={"period_weeks": QUARTER_DAYS / 7.0},
        )
        for note in fits.notes:
            note["model"] = "sbg_prior"
    return fits

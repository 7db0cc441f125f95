"""Result rows for page, API and access tests that need LTV results without running the engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from analytics.models import (
    LtvRun,
    PartnerLtv,
    PartnerLtvSnapshot,
    RunKind,
    RunStatus,
    RunTrigger,
    SegmentFit,
    TenantLtvSnapshot,
)
from partners.models import Partner

AS_OF = dt.date(2026, 11, 30)


def make_run(**overrides: Any) -> LtvRun:
    now = timezone.now()
    fields: dict[str, Any] = {
        "kind": RunKind.REFIT,
        "trigger": RunTrigger.MANUAL,
        "status": RunStatus.SUCCEEDED,
        "progress": 100,
        "step": "Done",
        "as_of": AS_OF,
        "started_at": now - dt.timedelta(seconds=3),
        "finished_at": now,
        "timings": {"load": 0.5, "fit": 1.2, "score": 0.8, "store": 0.4},
        "segments": [
            {
                "population": "transactional",
                "segment": "pooled",
                "model": "bgnbd",
                "pooled": True,
                "customers": 420,
                "reason": "every partner type has fewer than 200 customers",
            },
            {
                "population": "subscription",
                "segment": "pooled",
                "model": "sbg",
                "pooled": True,
                "customers": 180,
                "reason": "one pooled contract model",
            },
        ],
        "partners_computed": 12,
        "customers_scored": 600,
    }
    fields.update(overrides)
    return LtvRun.objects.create(**fields)


def make_fit(*, run: LtvRun, **overrides: Any) -> SegmentFit:
    fields: dict[str, Any] = {
        "population": "transactional",
        "segment": "pooled",
        "model": "bgnbd",
        "params": {"r": 0.24, "alpha": 4.41, "a": 0.79, "b": 2.43},
        "std_errors": {"r": 0.01, "alpha": 0.2, "a": 0.1, "b": 0.3},
        "covariance": [[0.001, 0, 0, 0], [0, 0.002, 0, 0], [0, 0, 0.01, 0], [0, 0, 0, 0.02]],
        "log_likelihood": -9582.4,
        "customers": 420,
        "spend": {"params": {"p": 6.25, "q": 3.74, "gamma": 15.44}, "std_errors": {}, "customers_used": 190},
        "quality": {
            "calibration_end": "2026-06-01",
            "weeks": [0, 4, 8, 12],
            "actual": [0.0, 10.0, 22.0, 31.0],
            "predicted": [0.0, 11.0, 21.0, 30.0],
            "holdout_actual": 31.0,
            "holdout_predicted": 30.0,
        },
    }
    fields.update(overrides)
    return SegmentFit.objects.create(run=run, **fields)


def make_partner_ltv(*, partner: Partner, run: LtvRun | None = None, **overrides: Any) -> PartnerLtv:
    fields: dict[str, Any] = {
        "as_of": AS_OF,
        "valued_from": dt.date(2024, 1, 1),
        "ltv": Decimal("125000.00"),
        "ltv_low": Decimal("98000.00"),
        "ltv_high": Decimal("161000.00"),
        "realised": Decimal("80000.00"),
        "predicted": Decimal("40000.00"),
        "future": Decimal("15000.00"),
        "costs": Decimal("10000.00"),
        "acquisition_costs": Decimal("5000.00"),
        "by_stream": {
            "new": {"realised": 50000.0, "predicted": 10000.0},
            "renewal": {"realised": 30000.0, "predicted": 30000.0},
        },
        "by_kind": {
            "sourced": {"realised": 70000.0, "predicted": 35000.0},
            "influenced": {"realised": 10000.0, "predicted": 5000.0},
        },
        "costs_by_kind": {"support": 3000.0, "mdf": 2000.0, "acquisition": 5000.0},
        "customers": 14,
        "expected_active_customers": 9.3,
        "median_remaining_years": 4.2,
        "new_customers_per_year": 3.1,
        "ltv_cac": 25.0,
        "payback_months": 7.0,
        "nrr": 1.08,
        "grr": 0.91,
        "customer_churn": 0.12,
        "churn_risk": 0.35,
        "churn_reasons": [
            {"code": "no_recent_deal", "text": "No deal registered in 140 days", "weight": 0.25},
            {"code": "customers_fading", "text": "Its customers' mean P(alive) is 0.62", "weight": 0.1},
        ],
        "models_used": [
            {"population": "transactional", "segment": "pooled", "model": "bgnbd", "pooled": True}
        ],
        "computed_at": timezone.now(),
    }
    fields.update(overrides)
    return PartnerLtv.objects.create(partner=partner, run=run, **fields)


def make_snapshots(*, partner: Partner, days: int = 5, **overrides: Any) -> list[PartnerLtvSnapshot]:
    rows = []
    for index in range(days):
        value = Decimal(100000 + 5000 * index)
        fields: dict[str, Any] = {
            "taken_on": AS_OF - dt.timedelta(days=7 * (days - 1 - index)),
            "ltv": value,
            "ltv_low": value * Decimal("0.8"),
            "ltv_high": value * Decimal("1.25"),
            "realised": value / 2,
            "predicted": value / 3,
            "future": value / 6,
            "costs": Decimal("1000"),
        }
        fields.update(overrides)
        rows.append(PartnerLtvSnapshot.objects.create(partner=partner, **fields))
    return rows


def make_tenant_snapshot(**overrides: Any) -> TenantLtvSnapshot:
    fields: dict[str, Any] = {
        "taken_on": AS_OF,
        "ltv": Decimal("1500000"),
        "ltv_low": Decimal("1300000"),
        "ltv_high": Decimal("1750000"),
        "realised": Decimal("900000"),
        "predicted": Decimal("450000"),
        "future": Decimal("250000"),
        "costs": Decimal("100000"),
        "partners": 12,
        "customers": 600,
        "nrr": 1.04,
        "grr": 0.9,
        "customer_churn": 0.11,
        "computed_at": timezone.now(),
    }
    fields.update(overrides)
    return TenantLtvSnapshot.objects.create(**fields)

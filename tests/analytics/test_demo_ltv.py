"""The demo's LTV: every model fits on the seeded history and every page has real results."""

from __future__ import annotations

from typing import Any

import pytest

from analytics.models import LtvRun, PartnerLtv, PartnerLtvSnapshot, RunStatus, SegmentFit, TenantLtvSnapshot
from partners.models import Partner
from prm.models import Tenant
from prm.tenancy import tenant_context
from tests.revenue.test_demo import seeded  # noqa: F401  (the module-scoped seed fixture)

SLUGS = ["acme", "globex"]
pytestmark = pytest.mark.django_db


def _in(slug: str) -> Any:
    return tenant_context(Tenant.objects.get(slug=slug))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_model_fits_on_the_demo_history(slug: str) -> None:
    with _in(slug):
        runs = LtvRun.objects.all()
        assert runs.count() == 5 and not runs.exclude(status=RunStatus.SUCCEEDED).exists()
        current = {(fit.population, fit.segment): fit for fit in SegmentFit.objects.filter(is_current=True)}
        bgnbd = current[("transactional", "pooled")]
        assert bgnbd.model == "bgnbd" and bgnbd.converged and bgnbd.spend["customers_used"] >= 20
        assert all(value is not None for value in bgnbd.std_errors.values())
        assert current[("subscription", "pooled")].model == "sbg"
        assert ("partners", "pooled") in current and ("sourcing", "pooled") in current
        # Per-segment fits where a segment is big enough, the pooled fit elsewhere, and the run says so.
        latest = runs.order_by("-as_of").first()
        assert latest is not None
        assert any(not note["pooled"] for note in latest.segments)
        assert any(note["pooled"] for note in latest.segments)
        # Calibration vs holdout data for the model-quality page.
        assert len(bgnbd.quality["weeks"]) > 20 and bgnbd.quality["holdout_actual"] > 0


@pytest.mark.parametrize("slug", SLUGS)
def test_every_partner_has_an_ltv_with_an_interval_and_a_trend(slug: str) -> None:
    with _in(slug):
        rows = list(PartnerLtv.objects.all())
        assert len(rows) == Partner.objects.count()
        for row in rows:
            assert row.ltv == row.realised + row.predicted + row.future - row.costs
            assert row.ltv_low <= row.ltv <= row.ltv_high
        selling = [row for row in rows if row.customers]
        assert len(selling) >= 10
        assert all(row.ltv_low < row.ltv_high for row in selling)
        assert any(row.nrr is not None and row.ltv_cac is not None for row in selling)
        assert any(row.churn_reasons for row in rows)
        assert TenantLtvSnapshot.objects.count() == 5
        busiest = max(selling, key=lambda row: row.customers)
        assert PartnerLtvSnapshot.objects.filter(partner_id=busiest.partner_id).count() == 5

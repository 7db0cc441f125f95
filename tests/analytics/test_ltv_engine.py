"""The LTV engine end to end: ledgers -> fits -> customer scores -> partner LTV, runs and recomputes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db.models import ProtectedError

from analytics.ltv_fits_store import fits_load
from analytics.models import (
    CustomerValue,
    LtvRun,
    PartnerLtv,
    PartnerLtvSnapshot,
    RunKind,
    RunStatus,
    RunTrigger,
    SegmentFit,
    TenantLtvSnapshot,
)
from analytics.services_recompute import ltv_recompute_pending
from analytics.services_refit import ltv_refit_run
from partners.models import Partner
from prm.tenancy import tenant_context
from revenue.models import Attribution, Customer, RevenueEntry
from revenue.services_recompute import recompute_mark_partners
from tests.analytics.ltv_world import AS_OF, START, add_cost, build_book
from tests.conftest import World

RATE = 0.10


def refit(as_of: dt.date = AS_OF) -> LtvRun:
    run = LtvRun.objects.create(kind=RunKind.REFIT, trigger=RunTrigger.SETUP, as_of=as_of)
    assert ltv_refit_run(run_id=run.pk) == RunStatus.SUCCEEDED, LtvRun.objects.get(pk=run.pk).error
    run.refresh_from_db()
    return run


def factor(days: int) -> float:
    return (1 + RATE) ** (-max(days, 0) / 365.25)


@pytest.fixture
def book(world: World) -> Any:
    with tenant_context(world.alpha.tenant):
        yield build_book(partners=[world.alpha.p1, world.alpha.p2])


def test_a_refit_scores_every_customer_and_partner_and_says_which_model_served(
    book: Any, world: World
) -> None:
    with tenant_context(world.alpha.tenant):
        run = refit()
        assert run.status == RunStatus.SUCCEEDED and run.progress == 100
        assert set(run.timings) >= {"load", "fit", "score", "store"}
        populations = {(note["population"], note["segment"]) for note in run.segments}
        assert ("transactional", "type:" + world.alpha.p1.partner_type) in populations
        assert all("model" in note and "pooled" in note and note["reason"] for note in run.segments)
        current = SegmentFit.objects.filter(is_current=True)
        assert {fit.population for fit in current} >= {"transactional", "subscription", "partners"}
        bgnbd = current.get(population="transactional", segment="pooled")
        assert set(bgnbd.params) == {"r", "alpha", "a", "b"} and bgnbd.spend["customers_used"] > 0
        assert bgnbd.quality["weeks"] and len(bgnbd.quality["actual"]) == len(bgnbd.quality["predicted"])
        # 80 repeat buyers and 32 subscribers, one CustomerValue row per customer and population.
        assert CustomerValue.objects.filter(population="transactional").count() == 80
        assert CustomerValue.objects.filter(population="subscription").count() == 32
        assert run.customers_scored == 112 and run.partners_computed == Partner.objects.count()
        for value in CustomerValue.objects.all():
            assert 0.0 <= value.p_alive <= 1.0 and value.predicted_margin >= 0


def test_stored_customer_scores_carry_their_segment_serving_fit_dates_and_margin(
    book: Any, world: World
) -> None:
    with tenant_context(world.alpha.tenant):
        run = refit()
        current = {
            (fit.population, fit.segment): fit.pk for fit in SegmentFit.objects.filter(is_current=True)
        }
        serving = {
            (note["population"], note["segment"]): "pooled" if note["pooled"] else note["segment"]
            for note in run.segments
        }
        segment = "type:" + world.alpha.p1.partner_type
        buyer, subscriber = book.customers[world.alpha.p1.pk][0], book.customers[world.alpha.p1.pk][-1]
        for customer, population in ((buyer, "transactional"), (subscriber, "subscription")):
            rows = list(RevenueEntry.objects.filter(customer=customer, occurred_on__lte=AS_OF))
            value = CustomerValue.objects.get(customer=customer, population=population)
            assert value.segment == segment
            assert value.fit_id == current[(population, serving[(population, segment)])]
            assert value.first_on == min(row.occurred_on for row in rows)
            if population == "transactional":
                assert value.last_on == max(row.occurred_on for row in rows)
                margin = sum(row.amount * row.margin for row in rows)
                assert float(value.realised_margin) == pytest.approx(float(margin), abs=0.006)
            assert value.clv >= value.realised_margin and value.computed_at is not None
        # Rewritten, not added to: a second refit leaves one row per customer and population.
        refit()
        assert CustomerValue.objects.filter(customer=buyer).count() == 1
        # The database does not check the score's customer key; the ledger's protecting key keeps a
        # scored customer, and so its scores, from losing each other.
        with pytest.raises(ProtectedError):
            buyer.delete()
        assert CustomerValue.objects.filter(customer=buyer).exists()


def test_partner_ltv_adds_up_and_its_interval_brackets_it(book: Any, world: World) -> None:
    with tenant_context(world.alpha.tenant):
        # A repeat buyer that also signs a contract is in both populations, but one customer.
        RevenueEntry.objects.create(
            customer=book.customers[world.alpha.p1.pk][0],
            occurred_on=dt.date(2026, 1, 1),
            amount=Decimal("600"),
            currency="USD",
            stream="maintenance",
            margin=Decimal("0.7"),
            contract_start=dt.date(2026, 1, 1),
            contract_end=dt.date(2026, 12, 31),
        )
        refit()
        row = PartnerLtv.objects.get(partner=world.alpha.p1)
        assert row.ltv == row.realised + row.predicted + row.future - row.costs
        assert row.ltv_low <= row.ltv <= row.ltv_high and row.ltv_low < row.ltv_high
        assert row.valued_from == START and row.as_of == AS_OF
        realised_streams = sum(part["realised"] for part in row.by_stream.values())
        assert realised_streams == pytest.approx(float(row.realised), abs=0.05)
        assert row.by_kind["sourced"]["realised"] == pytest.approx(float(row.realised), abs=0.05)
        assert row.by_kind["influenced"] == {"realised": 0.0, "predicted": 0.0}
        assert row.customers == 56 and row.future > 0 and row.median_remaining_years
        assert 0 < row.expected_active_customers <= row.customers
        assert PartnerLtvSnapshot.objects.filter(partner=world.alpha.p1, taken_on=AS_OF).count() == 1
        tenant = TenantLtvSnapshot.objects.get(taken_on=AS_OF)
        assert tenant.ltv == sum(r.ltv for r in PartnerLtv.objects.all())
        assert tenant.ltv_low <= tenant.ltv <= tenant.ltv_high
        assert tenant.nrr is not None and 0 <= tenant.grr <= 1


def test_realised_margin_and_costs_are_discounted_to_the_partner_start(book: Any, world: World) -> None:
    with tenant_context(world.alpha.tenant):
        p1 = world.alpha.p1
        before = PartnerLtv.objects.none()
        refit()
        before = PartnerLtv.objects.get(partner=p1)
        customer = book.customers[p1.pk][0]
        day = AS_OF - dt.timedelta(days=3)
        RevenueEntry.objects.create(
            customer=customer,
            occurred_on=day,
            amount=Decimal("1000"),
            currency="USD",
            stream="services",
            margin=Decimal("0.5"),
        )
        add_cost(partner=p1, amount="200", on=day)
        refit()
        after = PartnerLtv.objects.get(partner=p1)
        added = 500 * factor((day - START).days)
        assert float(after.realised - before.realised) == pytest.approx(added, abs=0.02)
        assert float(after.costs - before.costs) == pytest.approx(200 * factor((day - START).days), abs=0.02)
        assert after.by_stream["services"]["realised"] == pytest.approx(added, abs=0.02)


def test_influence_counts_with_its_weight_and_row_dates_pick_the_weight_in_force(
    book: Any, world: World
) -> None:
    with tenant_context(world.alpha.tenant):
        p1, p2 = world.alpha.p1, world.alpha.p2
        customer = Customer.objects.create(name="Shared", name_key="shared", domain="shared.example")
        Attribution.objects.create(
            partner=p2,
            customer=customer,
            kind="influenced",
            weight=Decimal("0.25"),
            effective_from=dt.date(2025, 1, 1),
            source="manual",
            reason="co-sell",
        )
        for on in (dt.date(2024, 6, 1), dt.date(2025, 6, 1)):  # before and after the credit started
            RevenueEntry.objects.create(
                customer=customer,
                occurred_on=on,
                amount=Decimal("400"),
                currency="USD",
                stream="upsell",
                margin=Decimal("1"),
            )
        refit()
        row = PartnerLtv.objects.get(partner=p2)
        expected = 0.25 * 400 * factor((dt.date(2025, 6, 1) - START).days)
        assert row.by_kind["influenced"]["realised"] == pytest.approx(expected, abs=0.02)
        assert row.by_kind["influenced"]["predicted"] > 0
        assert PartnerLtv.objects.get(partner=p1).by_kind["influenced"]["realised"] == 0


def test_running_the_same_refit_twice_gives_the_same_numbers(book: Any, world: World) -> None:
    with tenant_context(world.alpha.tenant):
        refit()
        first = {r.partner_id: (r.ltv, r.ltv_low, r.ltv_high) for r in PartnerLtv.objects.all()}
        refit()
        second = {r.partner_id: (r.ltv, r.ltv_low, r.ltv_high) for r in PartnerLtv.objects.all()}
        assert first == second
        assert (
            SegmentFit.objects.filter(is_current=True, population="transactional", segment="pooled").count()
            == 1
        )
        assert PartnerLtvSnapshot.objects.filter(taken_on=AS_OF).count() == Partner.objects.count()


def test_a_failing_store_leaves_the_previous_results_and_records_the_error(book: Any, world: World) -> None:
    with tenant_context(world.alpha.tenant):
        refit()
        before = sorted(PartnerLtv.objects.values_list("partner_id", "ltv"))
        run = LtvRun.objects.create(kind=RunKind.REFIT, trigger=RunTrigger.MANUAL, as_of=AS_OF)
        with mock.patch(
            "analytics.services_refit.tenant_snapshot_store", side_effect=RuntimeError("disk full")
        ):
            assert ltv_refit_run(run_id=run.pk) == RunStatus.FAILED
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED and "disk full" in run.error and run.finished_at
        assert sorted(PartnerLtv.objects.values_list("partner_id", "ltv")) == before
        # A redelivered message for a run that already ended does nothing.
        assert ltv_refit_run(run_id=run.pk) == RunStatus.FAILED


def test_a_ledger_change_rescores_its_partner_without_a_refit(
    book: Any, world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with tenant_context(world.alpha.tenant):
        p1, p2 = world.alpha.p1, world.alpha.p2
        refit(as_of=dt.date.today())
        fits_before = sorted(SegmentFit.objects.values_list("pk", flat=True))
        other_before = PartnerLtv.objects.get(partner=p2)
        before = PartnerLtv.objects.get(partner=p1)
        customer = book.customers[p1.pk][1]
        with django_capture_on_commit_callbacks(execute=True):
            RevenueEntry.objects.create(
                customer=customer,
                occurred_on=dt.date.today(),
                amount=Decimal("5000"),
                currency="USD",
                stream="parts",
                margin=Decimal("0.4"),
            )
            recompute_mark_partners(partner_ids=[p1.pk], reason="revenue recorded")
        after = PartnerLtv.objects.get(partner=p1)
        assert after.realised - before.realised == pytest.approx(
            Decimal(2000 * factor((dt.date.today() - START).days)), abs=Decimal("0.02")
        )
        assert after.computed_at > before.computed_at
        assert sorted(SegmentFit.objects.values_list("pk", flat=True)) == fits_before
        assert PartnerLtv.objects.get(partner=p2).computed_at == other_before.computed_at
        recompute = LtvRun.objects.filter(kind=RunKind.RECOMPUTE).get()
        assert recompute.status == RunStatus.SUCCEEDED and recompute.partners_computed == 1
        # The run says which stored model served which segment.
        assert {(note["population"], note["segment"]) for note in recompute.segments} == {
            (note["population"], note["segment"]) for note in LtvRun.objects.get(kind=RunKind.REFIT).segments
        }
        assert (
            CustomerValue.objects.filter(customer=customer, population="transactional").get().last_on
            == dt.date.today()
        )


def test_before_any_refit_a_ledger_change_asks_for_one(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        recompute_mark_partners(partner_ids=[world.alpha.p1.pk], reason="revenue recorded")
        with mock.patch("analytics.tasks.ltv_refit_task.delay"):
            assert ltv_recompute_pending() == [world.alpha.p1.pk]
        assert fits_load() is None
        run = LtvRun.objects.get()
        assert (
            run.kind == RunKind.REFIT and run.trigger == RunTrigger.LEDGER and run.status == RunStatus.QUEUED
        )


def test_a_tiny_tenant_gets_realised_values_and_says_no_model_fitted(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        build_book(partners=[world.alpha.p1], per_partner=3, subscribers=1)
        run = refit()
        assert {note["model"] for note in run.segments if note["population"] != "partners"} == {"none"}
        row = PartnerLtv.objects.get(partner=world.alpha.p1)
        assert row.realised > 0 and row.predicted == 0
        assert row.ltv_low <= row.ltv <= row.ltv_high


def test_a_reversed_sale_counts_as_never_made_whatever_day_the_reversal_was_recorded(
    book: Any, world: World
) -> None:
    with tenant_context(world.alpha.tenant):
        p1 = world.alpha.p1
        refit()
        before = PartnerLtv.objects.get(partner=p1)
        customer = book.customers[p1.pk][2]
        sale = RevenueEntry.objects.create(
            customer=customer,
            occurred_on=dt.date(2025, 3, 3),
            amount=Decimal("900"),
            currency="USD",
            stream="services",
            margin=Decimal("0.5"),
        )
        RevenueEntry.objects.create(
            customer=customer,
            occurred_on=AS_OF,
            amount=Decimal("-900"),
            currency="USD",
            stream="services",
            margin=Decimal("0.5"),
            reverses=sale,
            reason="cancelled",
        )
        refit()
        after = PartnerLtv.objects.get(partner=p1)
        assert after.realised == before.realised
        assert after.by_stream.get("services") == before.by_stream.get("services")

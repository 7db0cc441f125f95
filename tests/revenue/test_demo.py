"""The revenue demo: three years of history per tenant that looks like real purchase histories
(acme's subscriptions renew and churn, globex's customers reorder parts and go quiet), deals in
every state with their history, open conflicts, ledger invariants kept, and idempotent.

The seed is slow-ish, so it runs once for the module inside a transaction that is rolled back at
the end; each test runs in its own savepoint on top.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Min
from django.test import override_settings
from django.utils import timezone

from partners.models import Partner, PartnerType
from prm.models import Tenant
from prm.tenancy import tenant_context
from revenue.matching import NAME_THRESHOLD, name_similarity
from revenue.models import (
    Attribution,
    AttributionKind,
    AttributionSource,
    ConflictCase,
    ConflictStatus,
    CostKind,
    Customer,
    Deal,
    DealEvent,
    DealStatus,
    ExtensionStatus,
    PartnerCost,
    RecomputeMark,
    ReferralClick,
    ReferralCode,
    RevenueEntry,
    Stream,
)
from revenue.services_ledger import default_margin

pytestmark = pytest.mark.django_db
SLUGS = ("acme", "globex")
MODELS = (
    Customer,
    RevenueEntry,
    Attribution,
    PartnerCost,
    ReferralCode,
    ReferralClick,
    Deal,
    DealEvent,
    ConflictCase,
    RecomputeMark,
)


class _Sink:
    def write(self, *args: Any, **kwargs: Any) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[float]:
    """Seed once; roll everything back after the module's tests."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        started = time.perf_counter()
        call_command("seed_demo", stdout=_Sink())
        seconds = time.perf_counter() - started
        print(f"\nseed_demo took {seconds:.1f} s")
        yield seconds
        transaction.set_rollback(True)


def _in(slug: str) -> Any:
    return tenant_context(Tenant.objects.get(slug=slug))


def counts() -> dict[str, int]:
    totals = {}
    for slug in SLUGS:
        with _in(slug):
            for model in MODELS:
                totals[f"{slug}.{model.__name__}"] = model.objects.count()
    return totals


@pytest.mark.parametrize("slug", SLUGS)
def test_three_years_of_history_across_every_stream(slug: str) -> None:
    today = timezone.localdate()
    with _in(slug):
        tenant = Tenant.objects.get(slug=slug)
        assert Customer.objects.count() >= 300
        rows = RevenueEntry.objects.all()
        assert rows.count() >= 2000
        span = rows.aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
        assert span["first"] < today - timedelta(days=1000)
        assert span["last"] <= today
        assert set(rows.values_list("stream", flat=True)) == set(Stream.values)
        assert set(rows.values_list("currency", flat=True)) == {tenant.currency}
        customers = Customer.objects.all()
        assert customers.exclude(segment=None).count() > customers.count() // 2
        assert customers.exclude(domain="").count() > 0.9 * customers.count()
        assert len(set(customers.values_list("country", flat=True))) >= 5
        assert not customers.filter(revenue=None).exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_ledger_rows_keep_their_invariants(slug: str) -> None:
    with _in(slug):
        tenant = Tenant.objects.get(slug=slug)
        rows = RevenueEntry.objects.all()
        reversals = list(rows.exclude(reverses=None).select_related("reverses"))
        assert reversals
        for row in reversals:
            assert row.amount == -row.reverses.amount and row.reason  # type: ignore[union-attr]
            assert row.occurred_on >= row.reverses.occurred_on  # type: ignore[union-attr]
        assert not rows.filter(reverses=None, amount__lte=0).exists()
        for stream, margin in rows.filter(margin_is_default=True).values_list("stream", "margin").distinct():
            assert margin == default_margin(tenant, stream)
        assert 0 < rows.filter(margin_is_default=False).count() < rows.count() // 50
        contracts = rows.exclude(contract_start=None)
        assert not contracts.filter(contract_end=None).exists()
        for start, end in contracts.values_list("contract_start", "contract_end"):
            assert start is not None and end is not None and end >= start
        # Only contractual streams carry contract dates; one-off orders never do.
        assert not contracts.filter(stream__in=["parts", "services"]).exists()
        assert not PartnerCost.objects.filter(amount__lte=0).exists()
        assert set(PartnerCost.objects.values_list("kind", flat=True)) >= {
            CostKind.SUPPORT,
            CostKind.INCENTIVE,
            CostKind.ENABLEMENT,
            CostKind.ACQUISITION,
        }


def test_acme_subscriptions_renew_and_churn() -> None:
    today = timezone.localdate()
    with _in("acme"):
        terms: dict[int, list[tuple[str, date]]] = defaultdict(list)
        for customer, stream, end in RevenueEntry.objects.filter(
            reverses=None, stream__in=["new", "renewal"]
        ).values_list("customer_id", "stream", "contract_end"):
            assert end is not None
            terms[customer].append((stream, end))
        renewed = {c for c, rows in terms.items() if any(stream == "renewal" for stream, _ in rows)}
        churned = {c for c in renewed if max(end for _, end in terms[c]) < today}
        active = {c for c in renewed if max(end for _, end in terms[c]) >= today}
        assert len(renewed) >= 100 and len(churned) >= 10 and len(active) >= 50
        # Roughly 80-85% of the contracts that came up for renewal renewed.
        came_up = renewals = 0
        for rows in terms.values():
            came_up += sum(1 for _, end in rows if end < today)
            renewals += sum(1 for stream, _ in rows if stream == "renewal")
        assert 0.7 < renewals / came_up < 0.92
        assert (
            RevenueEntry.objects.filter(stream__in=["upsell", "cross_sell"])
            .exclude(contract_end=None)
            .exists()
        )


def test_globex_customers_reorder_parts_and_some_go_quiet() -> None:
    today = timezone.localdate()
    with _in("globex"):
        orders = (
            RevenueEntry.objects.filter(reverses=None, stream__in=["parts", "services"])
            .values("customer_id")
            .annotate(n=Count("id"), last=Max("occurred_on"), first=Min("occurred_on"))
        )
        by_customer = {row["customer_id"]: row for row in orders}
        assert sum(1 for row in by_customer.values() if row["n"] >= 5) >= 50
        quiet = [
            row for row in by_customer.values() if row["n"] >= 3 and row["last"] < today - timedelta(days=365)
        ]
        recent = [row for row in by_customer.values() if row["last"] >= today - timedelta(days=60)]
        assert len(quiet) >= 10 and len(recent) >= 100
        means = defaultdict(list)
        for customer, amount in RevenueEntry.objects.filter(reverses=None, stream="parts").values_list(
            "customer_id", "amount"
        ):
            means[customer].append(amount)
        averages = sorted(sum(a) / len(a) for a in means.values() if len(a) >= 3)
        assert averages[-1] > 4 * averages[0]  # spend levels differ between customers
        assert RevenueEntry.objects.filter(stream="maintenance").exclude(contract_end=None).count() >= 200


@pytest.mark.parametrize("slug", SLUGS)
def test_deals_in_every_state_with_a_consistent_history(slug: str) -> None:
    now = timezone.now()
    with _in(slug):
        deals = Deal.objects.all()
        assert set(deals.values_list("status", flat=True)) == set(DealStatus.values)
        assert deals.filter(partner=None).exists()
        events = defaultdict(list)
        for event in DealEvent.objects.order_by("created_at", "id"):
            events[event.deal_id].append(event)
        for deal in deals:
            history = events[deal.pk]
            assert history and history[-1].to_status == deal.status, deal.title
            assert history[0].from_status == "" and history[0].created_at == deal.created_at
            assert all(a.to_status == b.from_status for a, b in pairwise(history))
            assert history[-1].created_at <= now
            if deal.status == DealStatus.APPROVED and deal.partner_id:
                assert deal.protection_ends_at > now  # type: ignore[operator]
            if deal.status == DealStatus.EXPIRED:
                assert deal.protection_ends_at < history[-1].created_at <= now  # type: ignore[operator]
            if deal.status in (DealStatus.REJECTED, DealStatus.LOST):
                assert deal.decision_reason
        approved = deals.filter(status=DealStatus.APPROVED, partner__isnull=False)
        assert approved.filter(protection_ends_at__lt=now + timedelta(days=3)).exists()
        assert approved.filter(extension_status=ExtensionStatus.REQUESTED).exists()
        assert approved.filter(extension_status=ExtensionStatus.GRANTED).exists()
        # A won deal's customer starts with the deal's revenue row; a partner's win is its sourced credit.
        first_rows: dict[int, RevenueEntry] = {}
        for row in RevenueEntry.objects.order_by("occurred_on", "id"):
            first_rows.setdefault(row.customer_id, row)
        credited = set(
            Attribution.objects.filter(
                kind=AttributionKind.SOURCED, source=AttributionSource.DEAL
            ).values_list("deal_id", "partner_id")
        )
        won = list(deals.filter(status=DealStatus.WON))
        assert sum(1 for deal in won if deal.partner_id) >= 100
        for deal in won:
            first = first_rows[deal.customer_id]  # type: ignore[index]
            assert first.deal_id == deal.pk and first.occurred_on == deal.closed_on
            assert deal.partner_id is None or (deal.pk, deal.partner_id) in credited


@pytest.mark.parametrize("slug", SLUGS)
def test_open_and_resolved_conflicts(slug: str) -> None:
    with _in(slug):
        cases = ConflictCase.objects.select_related("deal", "other_deal", "winner")
        open_cases = list(cases.filter(status=ConflictStatus.OPEN))
        assert len(open_cases) >= 3
        assert {case.match_kind for case in open_cases} == {"domain", "name"}
        assert any(case.other_deal.partner_id is None for case in open_cases)
        for case in open_cases:
            assert (
                case.deal.status == DealStatus.SUBMITTED
                and case.deal.partner_id != case.other_deal.partner_id
            )
            assert case.other_deal.status in (DealStatus.SUBMITTED, DealStatus.APPROVED)
            assert case.other_deal.submitted_at < case.deal.submitted_at  # type: ignore[operator]
            if case.match_kind == "domain":
                assert case.deal.customer_domain == case.other_deal.customer_domain != ""
            else:
                assert name_similarity(case.deal.name_key, case.other_deal.name_key) >= NAME_THRESHOLD
        resolved = list(cases.filter(status=ConflictStatus.RESOLVED))
        assert len(resolved) >= 2
        for case in resolved:
            loser = case.other_deal if case.winner_id == case.deal_id else case.deal
            assert case.resolution_reason and case.resolved_by_id and loser.status == DealStatus.REJECTED
            assert case.resolution_reason in loser.decision_reason


def _sourced_peak(spans: list[tuple[date, date | None, Decimal]]) -> Decimal:
    peak = Decimal("0")
    for day in {start for start, _, _ in spans}:
        total = sum((w for s, e, w in spans if s <= day and (e is None or day < e)), Decimal("0"))
        peak = max(peak, total)
    return peak


@pytest.mark.parametrize("slug", SLUGS)
def test_attributions_never_credit_more_than_the_whole_customer(slug: str) -> None:
    with _in(slug):
        credits = Attribution.objects.select_related("deal", "referral_code")
        spans = defaultdict(list)
        for row in credits.filter(kind=AttributionKind.SOURCED, revenue_entry=None):
            spans[row.customer_id].append((row.effective_from, row.effective_to, row.weight))
        assert len(spans) > Customer.objects.count() // 2
        assert all(_sourced_peak(rows) <= 1 for rows in spans.values())
        weights = {tuple(sorted(w for _, _, w in rows)) for rows in spans.values() if len(rows) == 2}
        assert (Decimal("0.4"), Decimal("0.6")) in weights
        assert credits.filter(kind=AttributionKind.INFLUENCED, revenue_entry=None).exists()
        assert credits.filter(kind=AttributionKind.INFLUENCED).exclude(revenue_entry=None).exists()
        assert set(credits.values_list("source", flat=True)) == set(AttributionSource.values)
        versions = list(credits.exclude(supersedes=None).select_related("supersedes"))
        assert len(versions) >= 3
        for new in versions:
            assert new.supersedes.effective_to == new.effective_from  # type: ignore[union-attr]
            assert new.source == AttributionSource.MANUAL and new.reason
        for row in credits:
            if row.source == AttributionSource.DEAL:
                assert row.deal is not None and row.deal.partner_id == row.partner_id
            if row.source == AttributionSource.REFERRAL_CODE:
                assert row.referral_code is not None and row.referral_code.partner_id == row.partner_id
            if row.source == AttributionSource.MARKETPLACE:
                assert row.marketplace_ref


@pytest.mark.parametrize("slug", SLUGS)
def test_partners_codes_and_who_brings_customers(slug: str) -> None:
    with _in(slug):
        assert not Partner.objects.filter(referral_codes=None).exists()
        assert ReferralClick.objects.count() >= 50
        sourced: dict[str, int] = defaultdict(int)
        kinds = Attribution.objects.filter(kind=AttributionKind.SOURCED).values_list("partner__partner_type")
        for (partner_type,) in kinds:
            sourced[partner_type] += 1
        per_partner = {
            kind: sourced[kind] / max(1, Partner.objects.filter(partner_type=kind).count())
            for kind in PartnerType.values
        }
        assert per_partner[PartnerType.RESELLER] > per_partner[PartnerType.REFERRAL]
        assert per_partner[PartnerType.DISTRIBUTOR] > per_partner[PartnerType.REFERRAL] / 2
        idle = Partner.objects.filter(attributions=None, costs=None, deals=None)
        assert 0 < idle.count() < Partner.objects.count() // 2
        # Every partner was marked for the LTV engine, and the demo's own refit took the marks.
        assert RecomputeMark.objects.count() == Partner.objects.count()
        assert not RecomputeMark.objects.filter(dirty_since__isnull=False).exists()
        assert not RecomputeMark.objects.filter(taken_at__isnull=True).exists()


def test_a_second_seed_adds_nothing() -> None:
    first = counts()
    call_command("seed_demo", stdout=_Sink())
    assert counts() == first

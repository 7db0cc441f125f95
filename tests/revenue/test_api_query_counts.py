"""Every revenue API list costs the same number of queries with 10 rows as with 100."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest

from prm.tenancy import tenant_context
from revenue.models import (
    Attribution,
    ConflictCase,
    Customer,
    Deal,
    DealStatus,
    PartnerCost,
    ReferralCode,
    RevenueEntry,
)
from tests.conftest import World
from tests.test_query_counts import assert_flat_query_count

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 1, 1)


def _deals(world: World, n: int, *, partner: str = "p1", status: str = DealStatus.SUBMITTED) -> list[Deal]:
    alpha = world.alpha
    start = Deal.objects.count()
    return Deal.objects.bulk_create(
        Deal(
            partner=getattr(alpha, partner),
            title=f"Bulk deal {start + i}",
            customer_name=f"Bulk customer {start + i}",
            customer_domain=f"bulk{start + i}.example",
            customer_key=f"bulk{start + i}.example",
            name_key=f"bulk customer {start + i}",
            amount=Decimal("1000"),
            status=status,
            created_by=alpha.members["partner_user"].user,
        )
        for i in range(n)
    )


def add_deals(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        _deals(world, n)


def add_conflicts(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        ours, theirs = _deals(world, n), _deals(world, n, partner="p2")
        ConflictCase.objects.bulk_create(
            ConflictCase(deal=a, other_deal=b, match_kind="domain") for a, b in zip(ours, theirs, strict=True)
        )


def _customers(world: World, n: int) -> list[Customer]:
    start = Customer.objects.count()
    customers = Customer.objects.bulk_create(
        Customer(name=f"Bulk customer {start + i}", name_key=f"bulk customer {start + i}") for i in range(n)
    )
    code = ReferralCode.objects.filter(partner=world.alpha.p1).first()
    Attribution.objects.bulk_create(
        Attribution(
            partner=world.alpha.p1,
            customer=customer,
            kind="sourced",
            weight=Decimal("1"),
            effective_from=DAY,
            source="referral_code",
            referral_code=code,
        )
        for customer in customers
    )
    return customers


def add_customers(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        _customers(world, n)


def add_attributions(world: World, n: int) -> None:
    add_customers(world, n)


def add_revenue(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        customers = _customers(world, n)
        rows = RevenueEntry.objects.bulk_create(
            RevenueEntry(
                customer=customer,
                occurred_on=DAY,
                amount=Decimal("10"),
                currency="USD",
                stream="new",
                margin=0,
            )
            for customer in customers
        )
        RevenueEntry.objects.bulk_create(  # every other row reversed
            RevenueEntry(
                customer_id=row.customer_id,
                occurred_on=DAY,
                amount=Decimal("-10"),
                currency="USD",
                stream="new",
                margin=0,
                reverses=row,
                reason="void",
            )
            for row in rows[::2]
        )


def add_costs(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        rows = PartnerCost.objects.bulk_create(
            PartnerCost(
                partner=world.alpha.p1, kind="support", incurred_on=DAY, amount=Decimal("5"), description="x"
            )
            for _ in range(n)
        )
        PartnerCost.objects.bulk_create(
            PartnerCost(
                partner=world.alpha.p1,
                kind="support",
                incurred_on=DAY,
                amount=Decimal("-5"),
                description="void",
                reverses=row,
            )
            for row in rows[::2]
        )


def add_codes(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        start = ReferralCode.objects.count()
        ReferralCode.objects.bulk_create(
            ReferralCode(partner=world.alpha.p1, code=f"BULK-{start + i}") for i in range(n)
        )


API = "/api/v1/alpha"
LISTS: list[tuple[str, str, str, Callable[[World, int], None]]] = [
    ("api_deal_list", "vendor_staff", f"{API}/deals/?page_size=500", add_deals),
    ("api_deal_list", "partner_user", f"{API}/deals/?page_size=500", add_deals),
    ("api_conflict_list", "vendor_staff", f"{API}/conflicts/?page_size=500", add_conflicts),
    ("api_conflict_list", "partner_admin", f"{API}/conflicts/?page_size=500", add_conflicts),
    ("api_customer_list", "vendor_staff", f"{API}/customers/?page_size=500", add_customers),
    ("api_customer_list", "partner_user", f"{API}/customers/?page_size=500", add_customers),
    ("api_referral_code_list", "vendor_admin", f"{API}/referral-codes/?page_size=500", add_codes),
    ("api_revenue_list", "vendor_staff", f"{API}/revenue/?page_size=500", add_revenue),
    ("api_revenue_list", "partner_user", f"{API}/revenue/?page_size=500", add_revenue),
    ("api_attribution_list", "vendor_staff", f"{API}/attributions/?page_size=500", add_attributions),
    ("api_attribution_list", "partner_admin", f"{API}/attributions/?page_size=500", add_attributions),
    ("api_cost_list", "vendor_staff", f"{API}/costs/?page_size=500", add_costs),
    ("api_cost_list", "partner_user", f"{API}/costs/?page_size=500", add_costs),
]


@pytest.mark.parametrize(
    ("name", "role", "url", "add_rows"), LISTS, ids=[f"{name}-{role}" for name, role, _, _ in LISTS]
)
def test_query_count_does_not_grow_with_rows(
    world: World, name: str, role: str, url: str, add_rows: Callable[[World, int], None]
) -> None:
    assert_flat_query_count(world, name=name, role=role, url=url, add_rows=add_rows)

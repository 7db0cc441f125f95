"""Customer, ledger and referral-code pages cost the same number of queries with 10 rows as with 100."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest

from partners.models import Segment
from prm.tenancy import tenant_context
from revenue.models import Attribution, Customer, PartnerCost, ReferralClick, ReferralCode, RevenueEntry
from revenue.validation import name_key
from tests.conftest import World
from tests.test_query_counts import assert_flat_query_count

DAY = datetime.date(2025, 1, 1)


def _customers(world: World, n: int, tag: str) -> list[Customer]:
    segment, _ = Segment.objects.get_or_create(name="Mid-market")
    return Customer.objects.bulk_create(
        Customer(
            name=f"Bulk {tag} {n}-{i}",
            name_key=name_key(f"Bulk {tag} {n}-{i}"),
            domain=f"bulk-{tag}-{n}-{i}.example",
            country="DE",
            segment=segment if i % 2 else None,
        )
        for i in range(n)
    )


def _revenue(customers: list[Customer], *, reversed_every: int = 3) -> None:
    """One row per customer; every third one reversed, so both sides of a reversal show."""
    rows = RevenueEntry.objects.bulk_create(
        RevenueEntry(
            customer=customer,
            occurred_on=DAY,
            amount=Decimal("100.00"),
            currency="USD",
            stream="services",
            margin=Decimal("0.5"),
            margin_is_default=bool(i % 2),
            external_ref=f"INV-{customer.pk}",
        )
        for i, customer in enumerate(customers)
    )
    RevenueEntry.objects.bulk_create(
        RevenueEntry(
            customer_id=row.customer_id,
            occurred_on=DAY,
            amount=-row.amount,
            currency="USD",
            stream="services",
            margin=row.margin,
            reverses=row,
            reason="Cancelled",
        )
        for i, row in enumerate(rows)
        if i % reversed_every == 0
    )


def _credit(world: World, customers: list[Customer], *, partner_of: Callable[[int], int]) -> None:
    code = ReferralCode.objects.filter(partner=world.alpha.p1).first()
    originals = Attribution.objects.bulk_create(
        Attribution(
            partner_id=partner_of(i),
            customer=customer,
            kind="sourced",
            weight=Decimal("1"),
            effective_from=DAY,
            effective_to=DAY + datetime.timedelta(days=30) if i % 2 else None,
            source="referral_code" if i % 3 == 0 and partner_of(i) == world.alpha.p1.pk else "manual",
            referral_code=code if i % 3 == 0 and partner_of(i) == world.alpha.p1.pk else None,
            reason="Bulk",
        )
        for i, customer in enumerate(customers)
    )
    # Half of the ended credits have a second version.
    Attribution.objects.bulk_create(
        Attribution(
            partner_id=row.partner_id,
            customer_id=row.customer_id,
            kind="sourced",
            weight=Decimal("0.5"),
            effective_from=row.effective_to,
            source="manual",
            reason="Split",
            supersedes=row,
        )
        for row in originals
        if row.effective_to is not None
    )


def add_customers(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        customers = _customers(world, n, "c")
        _revenue(customers)


def add_credited_customers(world: World, n: int) -> None:
    """Customers of P1 (what the portal lists) and of P2 (what it must not)."""
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        customers = _customers(world, n, "p")
        _revenue(customers)
        _credit(world, customers, partner_of=lambda i: alpha.p1.pk if i % 4 else alpha.p2.pk)


def add_detail_rows(world: World, n: int) -> None:
    """n revenue rows and n credit versions on one customer."""
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        customer = Customer.objects.get(domain="detail.example")
        _revenue([customer] * n)
        _credit(world, [customer] * n, partner_of=lambda i: alpha.p1.pk)


def add_costs(world: World, n: int) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        costs = PartnerCost.objects.bulk_create(
            PartnerCost(
                partner=alpha.p1 if i % 2 else alpha.p2,
                kind=["support", "mdf", "incentive", "enablement", "acquisition"][i % 5],
                incurred_on=DAY,
                amount=Decimal("50.00"),
                description=f"Bulk cost {n}-{i}",
            )
            for i in range(n)
        )
        PartnerCost.objects.bulk_create(
            PartnerCost(
                partner_id=cost.partner_id,
                kind=cost.kind,
                incurred_on=DAY,
                amount=-cost.amount,
                description="Reversal",
                reverses=cost,
            )
            for i, cost in enumerate(costs)
            if i % 4 == 0
        )


def add_codes(world: World, n: int) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        codes = ReferralCode.objects.bulk_create(
            ReferralCode(partner=alpha.p1 if i % 2 else alpha.p2, code=f"BULK-{n}-{i}", label=f"Bulk {i}")
            for i in range(n)
        )
        ReferralClick.objects.bulk_create(ReferralClick(code=code) for code in codes for _ in range(2))


@pytest.fixture
def detail_customer(world: World) -> int:
    with tenant_context(world.alpha.tenant):
        customer = Customer.objects.create(name="Detail Co", name_key="detail co", domain="detail.example")
        Attribution.objects.create(
            partner=world.alpha.p1,
            customer=customer,
            kind="influenced",
            weight=Decimal("1"),
            effective_from=DAY,
            source="manual",
            reason="Anchor",
        )
    return customer.pk


LISTS: list[tuple[str, str, str, Callable[[World, int], None]]] = [
    ("customer_list", "vendor_staff", "/alpha/customers/", add_customers),
    ("customer_list_search", "vendor_staff", "/alpha/customers/?q=bulk&country=DE", add_customers),
    ("portal_customers", "partner_user", "/alpha/portal/customers/", add_credited_customers),
    ("revenue_list", "vendor_staff", "/alpha/revenue/", add_customers),
    ("revenue_list_filtered", "vendor_admin", "/alpha/revenue/?stream=services&q=bulk", add_customers),
    ("attribution_list", "vendor_staff", "/alpha/attributions/", add_credited_customers),
    (
        "attribution_list_in_force",
        "vendor_staff",
        "/alpha/attributions/?in_force_on=2025-01-15",
        add_credited_customers,
    ),
    ("portal_attributions", "partner_admin", "/alpha/portal/attributions/", add_credited_customers),
    ("cost_list", "vendor_staff", "/alpha/costs/", add_costs),
    ("referral_code_list", "vendor_staff", "/alpha/referral-codes/", add_codes),
    ("portal_referral_codes", "partner_admin", "/alpha/portal/referral-codes/", add_codes),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "url", "add_rows"), LISTS, ids=[row[0] for row in LISTS])
def test_ledger_lists_cost_the_same_with_more_rows(
    world: World, name: str, role: str, url: str, add_rows: Callable[[World, int], None]
) -> None:
    assert_flat_query_count(world, name=name, role=role, url=url, add_rows=add_rows)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "prefix"),
    [
        ("customer_detail", "vendor_staff", "/alpha/customers/"),
        ("portal_customer_detail", "partner_user", "/alpha/portal/customers/"),
    ],
)
def test_customer_page_costs_the_same_with_more_rows(
    world: World, detail_customer: int, name: str, role: str, prefix: str
) -> None:
    url = f"{prefix}{detail_customer}/"
    assert_flat_query_count(world, name=name, role=role, url=url, add_rows=add_detail_rows)
    assert_flat_query_count(
        world, name=f"{name}_page2", role=role, url=f"{url}?rpage=2", add_rows=add_detail_rows, hx=True
    )

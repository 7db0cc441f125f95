"""The bulk writes imports rely on keep the tenancy guarantees: `TenantQuerySet.bulk_create` checks
foreign keys with one query per key and batch (not per row), and the import writer refuses a row
that points at another tenant's row on either database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from prm.tenancy import CrossTenantError, tenant_context
from revenue.imports_writer import write_batch
from revenue.models import RevenueEntry
from tests.conftest import World, unscoped
from tests.revenue.test_imports_support import make_customers

pytestmark = pytest.mark.django_db


def entry(customer_id: int) -> RevenueEntry:
    return RevenueEntry(
        customer_id=customer_id,
        occurred_on=datetime.date(2025, 1, 1),
        amount=Decimal("10.00"),
        currency="USD",
        stream="new",
        margin=Decimal("0.5"),
    )


@pytest.mark.parametrize("rows", [10, 300])
def test_bulk_create_checks_foreign_keys_per_batch_not_per_row(world: World, rows: int) -> None:
    customers = make_customers(world.alpha, 5)
    with tenant_context(world.alpha.tenant), CaptureQueriesContext(connection) as captured:
        RevenueEntry.objects.bulk_create([entry(customers[i % 5].pk) for i in range(rows)])
    checks = [q for q in captured.captured_queries if q["sql"].startswith('SELECT "revenue_customer"')]
    assert len(checks) == 1
    assert unscoped(RevenueEntry).count() == rows


def test_bulk_create_refuses_a_batch_with_one_row_of_another_tenant(world: World) -> None:
    mine = make_customers(world.alpha, 2)
    theirs = make_customers(world.bravo, 1, prefix="B")
    with tenant_context(world.alpha.tenant), pytest.raises(CrossTenantError):
        RevenueEntry.objects.bulk_create([entry(mine[0].pk), entry(theirs[0].pk), entry(mine[1].pk)])
    with tenant_context(world.alpha.tenant), pytest.raises(CrossTenantError):
        RevenueEntry.objects.bulk_create([entry(10**9)])  # a row that does not exist at all
    assert not unscoped(RevenueEntry).exists()


def test_the_import_writer_refuses_another_tenants_customer(world: World) -> None:
    mine = make_customers(world.alpha, 1)[0]
    theirs = make_customers(world.bravo, 1, prefix="B")[0]
    row = {
        "occurred_on": datetime.date(2025, 1, 1),
        "amount": Decimal("1.00"),
        "currency": "USD",
        "stream": "new",
        "margin": Decimal("0.5"),
    }
    with tenant_context(world.alpha.tenant):
        with pytest.raises(CrossTenantError), transaction.atomic():
            write_batch(RevenueEntry, [{**row, "customer_id": mine.pk}, {**row, "customer_id": theirs.pk}])
        with transaction.atomic():
            ids = write_batch(
                RevenueEntry, [{**row, "customer_id": mine.pk}, {**row, "customer_id": mine.pk}]
            )
    written = unscoped(RevenueEntry).order_by("pk")
    assert [r.pk for r in written] == ids and {r.tenant_id for r in written} == {world.alpha.tenant.pk}

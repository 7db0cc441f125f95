"""Deal lists cost the same number of queries with 10 rows as with 100: our deals, all deals, the
approval queue (with its conflict evidence and extension requests) and the conflict list."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from partners.models import Partner
from prm.tenancy import tenant_context
from revenue.models import ConflictCase, Deal, DealStatus, ExtensionStatus
from tests.conftest import World
from tests.test_query_counts import assert_flat_query_count

_serial = count()


def bulk_deals(world: World, n: int, *, partner: Partner | None, status: str, **extra: object) -> list[Deal]:
    """n deals in `status`, each naming its own customer (one open deal per partner and customer)."""
    now = timezone.now()
    alpha = world.alpha
    rows = []
    for _ in range(n):
        serial = next(_serial)
        rows.append(
            Deal(
                partner=partner,
                title=f"Bulk deal {serial}",
                customer_name=f"Bulk customer {serial}",
                customer_domain=f"bulk{serial}.example",
                customer_key=f"bulk{serial}.example",
                name_key=f"bulk customer {serial}",
                amount=Decimal("1000"),
                status=status,
                submitted_at=now - datetime.timedelta(minutes=serial),
                approved_at=now if status == DealStatus.APPROVED else None,
                protection_ends_at=now + datetime.timedelta(days=30)
                if status == DealStatus.APPROVED
                else None,
                created_by=alpha.members["partner_user"].user,
                **extra,
            )
        )
    with tenant_context(alpha.tenant):
        return Deal.objects.bulk_create(rows)


def bulk_conflicts(world: World, n: int) -> None:
    """n P1 submissions, each in an open case against an approved P2 deal (half of them against a
    direct opportunity instead)."""
    alpha = world.alpha
    claims = bulk_deals(world, n, partner=alpha.p1, status=DealStatus.SUBMITTED)
    half = n // 2
    holders = bulk_deals(world, half, partner=alpha.p2, status=DealStatus.APPROVED)
    holders += bulk_deals(world, n - half, partner=None, status=DealStatus.APPROVED)
    with tenant_context(alpha.tenant):
        ConflictCase.objects.bulk_create(
            ConflictCase(deal=claim, other_deal=holder, match_kind="domain", match_score=Decimal("1"))
            for claim, holder in zip(claims, holders, strict=True)
        )


def add_portal_deals(world: World, n: int) -> None:
    alpha = world.alpha
    bulk_deals(world, n // 2, partner=alpha.p1, status=DealStatus.APPROVED)
    bulk_conflicts(world, n - n // 2)


def add_vendor_deals(world: World, n: int) -> None:
    alpha = world.alpha
    bulk_deals(world, n // 2, partner=alpha.p2, status=DealStatus.APPROVED)
    bulk_conflicts(world, n - n // 2)


def add_queue(world: World, n: int) -> None:
    """Submissions, half in conflict, and as many extension requests waiting."""
    alpha = world.alpha
    bulk_deals(world, n // 2, partner=alpha.p2, status=DealStatus.SUBMITTED)
    bulk_conflicts(world, n - n // 2)
    bulk_deals(
        world,
        n,
        partner=alpha.p1,
        status=DealStatus.APPROVED,
        extension_status=ExtensionStatus.REQUESTED,
        extension_reason="More time",
    )


LISTS: list[tuple[str, str, str, Callable[[World, int], None]]] = [
    ("portal_deals", "partner_admin", "/alpha/portal/deals/", add_portal_deals),
    ("deal_list", "vendor_staff", "/alpha/deals/", add_vendor_deals),
    ("deal_queue", "vendor_admin", "/alpha/deals/queue/", add_queue),
    ("conflict_list", "vendor_staff", "/alpha/deals/conflicts/", bulk_conflicts),
]


@pytest.mark.parametrize(("name", "role", "url", "add_rows"), LISTS, ids=[row[0] for row in LISTS])
def test_deal_lists_have_flat_query_counts(
    world: World, name: str, role: str, url: str, add_rows: Callable[[World, int], None]
) -> None:
    assert_flat_query_count(world, name=name, role=role, url=url, add_rows=add_rows)


@pytest.mark.parametrize(
    ("name", "role", "url"),
    [
        ("portal_deal_export", "partner_user", "/alpha/portal/deals/export.csv"),
        ("deal_export", "vendor_admin", "/alpha/deals/export.csv"),
    ],
)
def test_exports_have_flat_query_counts(world: World, name: str, role: str, url: str) -> None:
    """Streaming reads a fixed chunk at a time: 10 and 100 rows fit one chunk, so the count is equal."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run() -> int:
        client = world.client(role)
        client.get(url).content  # noqa: B018  (warm up)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200
            response.content  # noqa: B018  (the stream's queries run while it is read)
        return len(captured)

    add_vendor_deals(world, 10)
    add_portal_deals(world, 10)
    with_ten = run()
    add_vendor_deals(world, 90)
    add_portal_deals(world, 90)
    assert run() == with_ten, name

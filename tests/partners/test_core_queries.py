"""Core lists (directory, board, API, the 360 tabs) cost the same number of queries with 10 rows as 100."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import (
    AcquisitionCost,
    Partner,
    PartnerSegment,
    PartnerType,
    Program,
    Segment,
    Stage,
    StageChange,
    Tier,
    TierChange,
)
from prm.models import Membership, Role, User
from prm.tenancy import tenant_context
from tests.conftest import World
from tests.test_query_counts import assert_flat_query_count, count_queries

STAGES = list(Stage)
TYPES = list(PartnerType)


def add_partners(world: World, n: int) -> None:
    """Partners with everything a row shows: program, tier, owner, parent and segments."""
    alpha = world.alpha
    owner = alpha.members["vendor_staff"].user
    with tenant_context(alpha.tenant):
        program, _ = Program.objects.get_or_create(name="Counted program")
        tier, _ = Tier.objects.get_or_create(program=program, rank=1, defaults={"name": "Entry"})
        segment, _ = Segment.objects.get_or_create(name="Counted segment")
        parent = Partner.objects.create(name=f"Distributor {n}", partner_type=PartnerType.DISTRIBUTOR)
        partners = Partner.objects.bulk_create(
            Partner(
                name=f"Counted {n}-{i}",
                partner_type=TYPES[i % len(TYPES)],
                stage=STAGES[i % len(STAGES)],
                program=program,
                tier=tier,
                owner=owner,
                parent=parent,
            )
            for i in range(n)
        )
        PartnerSegment.objects.bulk_create(PartnerSegment(partner=p, segment=segment) for p in partners)


LISTS = [
    ("partner_directory", "vendor_staff", "/alpha/partners/"),
    ("partner_directory_sorted", "vendor_admin", "/alpha/partners/?sort=-stage&type=reseller"),
    ("partner_board", "vendor_staff", "/alpha/board/"),
    ("api_partner_list", "vendor_staff", "/api/v1/alpha/partners/?page_size=500"),
    ("api_segment_list", "partner_user", "/api/v1/alpha/segments/?page_size=500"),
]


@pytest.mark.parametrize(("name", "role", "url"), LISTS, ids=[row[0] for row in LISTS])
def test_query_count_does_not_grow_with_rows(world: World, name: str, role: str, url: str) -> None:
    assert_flat_query_count(world, name=name, role=role, url=url, add_rows=add_partners)


def test_csv_export_queries_grow_per_chunk_not_per_row(world: World) -> None:
    def export_queries() -> int:
        client = world.client("vendor_staff")
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/alpha/partners/export.csv")
            b"".join(response.streaming_content)
        return len(captured)

    add_partners(world, 10)
    with_ten = export_queries()
    add_partners(world, 90)
    assert export_queries() == with_ten


def add_history(world: World, n: int) -> None:
    """Stage and tier changes, costs and people of partner P1: what its 360 tabs list."""
    alpha = world.alpha
    actor = alpha.members["vendor_staff"].user
    with tenant_context(alpha.tenant):
        program, _ = Program.objects.get_or_create(name="History program")
        tier, _ = Tier.objects.get_or_create(program=program, rank=1, defaults={"name": "Entry"})
        StageChange.objects.bulk_create(
            StageChange(partner=alpha.p1, from_stage="sell", to_stage="market", actor=actor, reason=f"r{i}")
            for i in range(n)
        )
        TierChange.objects.bulk_create(
            TierChange(partner=alpha.p1, from_tier=tier, to_tier=tier, actor=actor) for _ in range(n)
        )
        AcquisitionCost.objects.bulk_create(
            AcquisitionCost(
                partner=alpha.p1, incurred_on=date(2025, 1, 1), amount=Decimal("10"), description="x"
            )
            for _ in range(n)
        )
        for i in range(n):
            user = User.objects.create_user(email=f"history{n}-{i}@alpha.test", password=None)
            Membership.objects.create(user=user, role=Role.PARTNER_USER, partner=alpha.p1)


@pytest.mark.parametrize("tab", ["profile", "stages", "people", "tier"])
def test_partner_tabs_do_not_grow_with_history(world: World, tab: str) -> None:
    url = f"/alpha/partners/{world.alpha.p1.pk}/{tab}/"
    add_history(world, 10)
    with_ten = count_queries(world, "vendor_admin", url)
    add_history(world, 90)
    assert count_queries(world, "vendor_admin", url) == with_ten

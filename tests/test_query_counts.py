"""A list costs the same number of queries with 10 rows as with 100: no per-row queries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Partner, PartnerType, Stage
from prm.audit import audit_record
from prm.models import Membership, Role, User
from prm.tenancy import tenant_context
from tests.conftest import World


def add_members(world: World, n: int) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        for i in range(n):
            user = User.objects.create_user(email=f"bulk{i}-{n}@alpha.test", password=None)
            Membership.objects.create(user=user, role=Role.PARTNER_USER, partner=alpha.p1)


def add_events(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        actor = world.alpha.members["vendor_admin"].user
        for i in range(n):
            audit_record(actor=actor, verb="bulk.created", obj=world.alpha.p1, after={"i": i})


def add_partners(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        Partner.objects.bulk_create(
            Partner(name=f"Bulk partner {n}-{i}", partner_type=PartnerType.SERVICES, stage=Stage.SELL)
            for i in range(n)
        )


LISTS: list[tuple[str, str, str, Callable[[World, int], None]]] = [
    ("member_list", "vendor_admin", "/alpha/members/", add_members),
    ("people_list", "partner_admin", "/alpha/portal/people/", add_members),
    ("audit_list", "vendor_admin", "/alpha/audit/", add_events),
    ("stage_detail", "vendor_staff", "/alpha/stages/sell/", add_partners),
    ("api_membership_list", "vendor_admin", "/api/v1/alpha/memberships/?page_size=500", add_members),
    ("api_audit_event_list", "vendor_admin", "/api/v1/alpha/audit-events/?page_size=500", add_events),
    ("api_partner_list", "vendor_staff", "/api/v1/alpha/partners/?page_size=500", add_partners),
]


def count_queries(world: World, role: str, url: str, *, hx: bool = False) -> int:
    client = world.client(role)
    client.get(url)  # warm per-process caches (content types, sessions) so they do not skew the count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers={"HX-Request": "true"} if hx else {})
    assert response.status_code == 200
    return len(captured)


def assert_flat_query_count(
    world: World, *, name: str, role: str, url: str, add_rows: Callable[[World, int], None], hx: bool = False
) -> None:
    """The list at `url` costs as many queries with 100 rows as with 10; a page's htmx fragment no more."""
    add_rows(world, 10)
    with_ten = count_queries(world, role, url, hx=hx)
    add_rows(world, 90)
    with_hundred = count_queries(world, role, url, hx=hx)
    assert with_ten == with_hundred, f"{name}: {with_ten} queries with 10 rows, {with_hundred} with 100"
    if not hx and not name.startswith("api_"):
        assert count_queries(world, role, url, hx=True) <= with_hundred


@pytest.mark.parametrize(("name", "role", "url", "add_rows"), LISTS, ids=[row[0] for row in LISTS])
def test_query_count_does_not_grow_with_rows(
    world: World, name: str, role: str, url: str, add_rows: Callable[[World, int], None]
) -> None:
    assert_flat_query_count(world, name=name, role=role, url=url, add_rows=add_rows)

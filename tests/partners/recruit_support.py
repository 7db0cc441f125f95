"""Shared fixtures and helpers of the recruit tests (programs, tiers, prospects)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from partners.models import Partner, Program, Prospect, Segment, Tier
from partners.services_program import program_create, tier_create
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import TenantWorld, World


@pytest.fixture
def alpha(world: World) -> Iterator[TenantWorld]:
    with tenant_context(world.alpha.tenant):
        yield world.alpha


def admin_of(alpha: TenantWorld) -> Any:
    return alpha.members["vendor_admin"]


def staff_of(alpha: TenantWorld) -> Any:
    return alpha.members["vendor_staff"]


def ladder(program: Program) -> list[tuple[str, int]]:
    return list(Tier.objects.filter(program=program).order_by("rank").values_list("name", "rank"))


def recruit_state() -> tuple[int, ...]:
    return (
        Program.objects.count(),
        Tier.objects.count(),
        Segment.objects.count(),
        Prospect.objects.count(),
        Partner.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def program(alpha: TenantWorld) -> Program:
    program = program_create(actor=admin_of(alpha), name="Partner Program")
    for name in ("Registered", "Silver", "Gold"):
        tier_create(actor=admin_of(alpha), program=program, name=name)
    return program

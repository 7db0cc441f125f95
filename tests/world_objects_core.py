"""World objects of the core concept for the authorization matrix and the isolation crawler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from partners.models import Partner, Program, Tier
from tests.world_objects import factory

if TYPE_CHECKING:
    from tests.conftest import TenantWorld


@factory("core_tier")
def core_tier(world: TenantWorld, other_partner: bool) -> Tier:
    """The upper tier of a small program that partner P1 (or P2) is put in, so an override to it is
    valid for that partner."""
    marker = world.visible_marker(other_partner=other_partner)
    suffix = "two" if other_partner else "one"
    program = Program.objects.create(name=f"Core program {suffix} {marker}".strip())
    Tier.objects.create(program=program, name=f"Entry {marker}".strip(), rank=1)
    upper = Tier.objects.create(program=program, name=f"Gold {marker}".strip(), rank=2)
    partner = world.p2 if other_partner else world.p1
    Partner.objects.filter(pk=partner.pk).update(program=program)
    return upper

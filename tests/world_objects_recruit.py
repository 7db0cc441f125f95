"""World objects of the recruit concept for the authorization matrix and the isolation crawler.

A program is the one kind partner roles may read, and only the program their own organisation is in,
so `recruit_program` puts partner P1 (or P2, for `other_partner`) into the program it builds. Tiers,
segments and prospects are the vendor's alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from partners.models import PartnerType, Program, Prospect, ProspectStatus, Segment, Tier
from tests.world_objects import factory

if TYPE_CHECKING:
    from tests.conftest import TenantWorld


def _suffix(world: TenantWorld, other_partner: bool) -> str:
    marker = world.visible_marker(other_partner=other_partner)
    return f"{'p2' if other_partner else 'p1'} {marker}".strip()


@factory("recruit_program")
def build_program(world: TenantWorld, other_partner: bool) -> Program:
    program = Program.objects.create(name=f"Reseller Program {_suffix(world, other_partner)}")
    partner = world.p2 if other_partner else world.p1
    type(partner).objects.filter(pk=partner.pk).update(program=program)
    return program


@factory("recruit_tier")
def build_tier(world: TenantWorld, other_partner: bool) -> Tier:
    """The upper of two tiers, so it can move up; no partner is on it, so it can be deleted."""
    program = Program.objects.create(name=f"Ladder Program {_suffix(world, other_partner)}")
    Tier.objects.create(program=program, name=f"Registered {_suffix(world, other_partner)}", rank=1)
    return Tier.objects.create(program=program, name=f"Gold {_suffix(world, other_partner)}", rank=2)


@factory("recruit_segment")
def build_segment(world: TenantWorld, other_partner: bool) -> Segment:
    return Segment.objects.create(name=f"MSP mid-market {_suffix(world, other_partner)}")


def _prospect(world: TenantWorld, other_partner: bool, *, status: str, label: str) -> Prospect:
    program = Program.objects.create(name=f"{label} Program {_suffix(world, other_partner)}")
    return Prospect.objects.create(
        name=f"{label} Prospect {_suffix(world, other_partner)}",
        partner_type=PartnerType.SERVICES,
        program=program,
        status=status,
        website_domain="prospect.example",
        country="US",
    )


@factory("prospect")
def build_prospect(world: TenantWorld, other_partner: bool) -> Prospect:
    return _prospect(world, other_partner, status=ProspectStatus.NEW, label="Harbor")


@factory("qualified_prospect")
def build_qualified_prospect(world: TenantWorld, other_partner: bool) -> Prospect:
    return _prospect(world, other_partner, status=ProspectStatus.QUALIFIED, label="Summit")

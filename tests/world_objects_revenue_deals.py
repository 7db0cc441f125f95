"""World objects of the revenue deals concept, each in the state its matrix row's action needs.

Built through the services, so every object is one a real user could reach. Customer names carry
the partner's marker, so a leak of another partner's deal shows in a response body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revenue.models import ConflictCase, Deal
from revenue.services_deals import (
    deal_approve,
    deal_create,
    deal_request_extension,
)
from tests.world_objects import factory

if TYPE_CHECKING:
    from tests.conftest import TenantWorld


def _deal(world: TenantWorld, other_partner: bool, *, name: str, submit: bool) -> Deal:
    marker = world.visible_marker(other_partner=other_partner)
    partner = world.p2 if other_partner else world.p1
    members = world.p2_members if other_partner else world.members
    return deal_create(
        actor=members["partner_user"],
        partner=partner,
        submit=submit,
        title=f"{name} rollout {marker}".strip(),
        customer_name=f"{name} Holdings {marker}".strip(),
        customer_domain=f"{name.lower()}-{'p2' if other_partner else 'p1'}.example",
        amount="25000",
    )


@factory("deal_draft")
def deal_draft(world: TenantWorld, other_partner: bool) -> Deal:
    return _deal(world, other_partner, name="Draftwood", submit=False)


@factory("deal_submitted")
def deal_submitted(world: TenantWorld, other_partner: bool) -> Deal:
    return _deal(world, other_partner, name="Submitta", submit=True)


@factory("deal_approved")
def deal_approved(world: TenantWorld, other_partner: bool) -> Deal:
    deal = _deal(world, other_partner, name="Approvia", submit=True)
    return deal_approve(actor=world.members["vendor_staff"], deal=deal)


@factory("deal_extension_requested")
def deal_extension_requested(world: TenantWorld, other_partner: bool) -> Deal:
    deal = _deal(world, other_partner, name="Extendo", submit=True)
    deal = deal_approve(actor=world.members["vendor_staff"], deal=deal)
    members = world.p2_members if other_partner else world.members
    return deal_request_extension(actor=members["partner_admin"], deal=deal, reason="Board meets next month")


@factory("conflict")
def conflict(world: TenantWorld, other_partner: bool) -> ConflictCase:
    """An open case: the partner's submitted deal collides with a direct opportunity of the vendor."""
    marker = world.visible_marker(other_partner=other_partner)
    tag = "p2" if other_partner else "p1"
    deal_create(
        actor=world.members["vendor_staff"],
        partner=None,
        title=f"Direct pursuit {marker}".strip(),
        customer_name=f"Clashco {tag}",
        customer_domain=f"clashco-{tag}.example",
        amount="9000",
    )
    deal = _deal(world, other_partner, name="Clashco", submit=True)
    return ConflictCase.objects.get(deal=deal)

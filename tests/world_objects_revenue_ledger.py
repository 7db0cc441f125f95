"""World objects of the revenue ledger concept: a customer credited to the partner (sourced), one
of its revenue rows, the attribution, a partner cost and a referral code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revenue.models import (
    Attribution,
    AttributionKind,
    AttributionSource,
    Customer,
    PartnerCost,
    ReferralCode,
    RevenueEntry,
)
from revenue.services_attribution import attribution_create
from revenue.services_customers import customer_create, referral_code_create
from revenue.services_ledger import cost_record, revenue_record
from tests.world_objects import factory

if TYPE_CHECKING:
    from tests.conftest import TenantWorld


def _credited_customer(world: TenantWorld, other_partner: bool) -> tuple[Customer, Attribution]:
    marker = world.visible_marker(other_partner=other_partner)
    tag = "p2" if other_partner else "p1"
    staff = world.members["vendor_staff"]
    customer = customer_create(
        actor=staff, name=f"Ledgerly {tag} {marker}".strip(), domain=f"ledgerly-{tag}.example", country="DE"
    )
    credit = attribution_create(
        actor=staff,
        partner=world.p2 if other_partner else world.p1,
        customer=customer,
        kind=AttributionKind.SOURCED,
        weight="1",
        effective_from="2025-01-01",
        source=AttributionSource.MANUAL,
        reason=f"Introduced at the partner summit {marker}".strip(),
    )
    return customer, credit


@factory("customer")
def customer(world: TenantWorld, other_partner: bool) -> Customer:
    return _credited_customer(world, other_partner)[0]


@factory("attribution")
def attribution(world: TenantWorld, other_partner: bool) -> Attribution:
    return _credited_customer(world, other_partner)[1]


@factory("revenue_entry")
def revenue_entry(world: TenantWorld, other_partner: bool) -> RevenueEntry:
    customer, _ = _credited_customer(world, other_partner)
    return revenue_record(
        actor=world.members["vendor_staff"],
        customer=customer,
        occurred_on="2025-03-01",
        amount="1200.00",
        stream="services",
        external_ref=f"INV-{world.visible_marker(other_partner=other_partner)}".strip("-"),
    )


@factory("cost")
def cost(world: TenantWorld, other_partner: bool) -> PartnerCost:
    marker = world.visible_marker(other_partner=other_partner)
    return cost_record(
        actor=world.members["vendor_staff"],
        partner=world.p2 if other_partner else world.p1,
        kind="support",
        incurred_on="2025-04-01",
        amount="300.00",
        description=f"Escalation desk hours {marker}".strip(),
    )


@factory("referral_code")
def referral_code(world: TenantWorld, other_partner: bool) -> ReferralCode:
    marker = world.visible_marker(other_partner=other_partner)
    return referral_code_create(
        actor=None,
        partner=world.p2 if other_partner else world.p1,
        label=f"Webinar series {marker}".strip(),
    )

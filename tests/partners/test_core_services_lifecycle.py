"""Core partner services of the lifecycle: stage moves, status, tier overrides, acquisition costs,
the partner's own profile and segments. Bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from partners.models import AcquisitionCost, Partner, PartnerStatus, Stage, StageChange, TierChange
from partners.services_core import (
    acquisition_cost_add,
    partner_move_stage,
    partner_override_tier,
    partner_profile_update_by_partner,
    partner_set_status,
    partner_update,
    segment_create,
)
from prm.models import AuditEvent
from tests.conftest import World, unscoped
from tests.partners.test_core_services import assert_refused, in_tenant, program_with_tiers, snapshot

# --- partner_move_stage -----------------------------------------------------------------------------


def test_move_stage_records_who_and_why(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    partner = world.alpha.p1
    with in_tenant(world.alpha):
        partner_move_stage(actor=staff, partner=partner, to_stage=Stage.INCENTIVIZE, reason="First deal won")
        assert Partner.objects.get(pk=partner.pk).stage == Stage.INCENTIVIZE
        change = StageChange.objects.get(partner=partner)
        assert (change.from_stage, change.to_stage, change.actor, change.reason) == (
            Stage.SELL,
            Stage.INCENTIVIZE,
            staff.user,
            "First deal won",
        )
        assert AuditEvent.objects.filter(verb="partner.stage_moved", object_id=str(partner.pk)).exists()


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_cannot_move_stages(world: World, role: str) -> None:
    before = snapshot()
    with in_tenant(world.alpha), pytest.raises(PermissionDenied):
        partner_move_stage(
            actor=world.alpha.members[role], partner=world.alpha.p1, to_stage=Stage.ACCELERATE, reason="Me"
        )
    assert snapshot() == before
    assert unscoped(Partner).get(pk=world.alpha.p1.pk).stage == Stage.SELL


@pytest.mark.parametrize(
    ("to_stage", "reason", "field"),
    [("launch", "why", "stage"), (Stage.SELL, "why", "stage"), (Stage.MARKET, "   ", "reason")],
)
def test_bad_moves_are_refused(world: World, to_stage: str, reason: str, field: str) -> None:
    staff = world.alpha.members["vendor_staff"]
    with in_tenant(world.alpha):
        assert_refused(
            field,
            lambda: partner_move_stage(actor=staff, partner=world.alpha.p1, to_stage=to_stage, reason=reason),
        )


# --- status, tier override, costs, profile, segments -------------------------------------------------


def test_status_changes_set_and_clear_dates(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    partner = world.alpha.p1
    today = timezone.localdate()
    with in_tenant(world.alpha):
        partner_set_status(actor=staff, partner=partner, status=PartnerStatus.ACTIVE, reason="Signed")
        assert (partner.joined_on, partner.left_on) == (today, None)
        partner_set_status(actor=staff, partner=partner, status=PartnerStatus.CHURNED, reason="No deals")
        assert Partner.objects.get(pk=partner.pk).left_on == today
        partner_set_status(actor=staff, partner=partner, status=PartnerStatus.ACTIVE, reason="Came back")
        assert Partner.objects.get(pk=partner.pk).left_on is None
        assert_refused(
            "status", lambda: partner_set_status(actor=staff, partner=partner, status="active", reason="x")
        )
        assert_refused(
            "reason", lambda: partner_set_status(actor=staff, partner=partner, status="inactive", reason="")
        )
        with pytest.raises(PermissionDenied):
            partner_set_status(
                actor=world.alpha.members["partner_admin"], partner=partner, status="inactive", reason="x"
            )


def test_tier_override_rules(world: World) -> None:
    admin, staff = world.alpha.members["vendor_admin"], world.alpha.members["vendor_staff"]
    partner = world.alpha.p1
    with in_tenant(world.alpha):
        assert_refused(
            "tier", lambda: partner_override_tier(actor=admin, partner=partner, tier_id=1, reason="x")
        )
        program, tiers = program_with_tiers()
        _, other_tiers = program_with_tiers("Other program")
        partner_update(actor=staff, partner=partner, program_id=program.pk)
        with pytest.raises(PermissionDenied):
            partner_override_tier(actor=staff, partner=partner, tier_id=tiers[2].pk, reason="Strategic")
        assert_refused(
            "tier",
            lambda: partner_override_tier(
                actor=admin, partner=partner, tier_id=other_tiers[2].pk, reason="x"
            ),
        )
        assert_refused(
            "reason",
            lambda: partner_override_tier(actor=admin, partner=partner, tier_id=tiers[2].pk, reason=""),
        )
        partner_override_tier(actor=admin, partner=partner, tier_id=tiers[2].pk, reason="Strategic logo")
        stored = Partner.objects.get(pk=partner.pk)
        assert stored.tier == tiers[2] and stored.tier_overridden
        override = TierChange.objects.get(partner=partner, is_override=True)
        assert (override.from_tier, override.to_tier, override.reason) == (
            tiers[0],
            tiers[2],
            "Strategic logo",
        )
        assert AuditEvent.objects.filter(verb="partner.tier_overridden").exists()


def test_acquisition_costs(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    partner = world.alpha.p1
    today = timezone.localdate()
    with in_tenant(world.alpha):

        def add(**kwargs: Any) -> AcquisitionCost:
            values = {"incurred_on": today, "amount": Decimal("100"), "description": "Summit booth", **kwargs}
            return acquisition_cost_add(actor=staff, partner=partner, **values)

        assert_refused("amount", lambda: add(amount=Decimal("0")))
        assert_refused("amount", lambda: add(amount=Decimal("-5")))
        assert_refused("incurred_on", lambda: add(incurred_on=today + timedelta(days=1)))
        assert_refused("description", lambda: add(description=" "))
        with pytest.raises(PermissionDenied):
            acquisition_cost_add(
                actor=world.alpha.members["partner_admin"],
                partner=partner,
                incurred_on=today,
                amount=Decimal("1"),
                description="x",
            )
        cost = add(amount=Decimal("1250.50"))
        assert AcquisitionCost.objects.get(pk=cost.pk).amount == Decimal("1250.50")
        assert AuditEvent.objects.filter(verb="acquisition_cost.added", object_id=str(cost.pk)).exists()


def test_partner_admin_edits_only_its_own_harmless_fields(world: World) -> None:
    with in_tenant(world.alpha):
        with pytest.raises(PermissionDenied):
            partner_profile_update_by_partner(
                actor=world.alpha.members["partner_user"], website_domain="x.example", country="US"
            )
        assert_refused(
            "country",
            lambda: partner_profile_update_by_partner(
                actor=world.alpha.members["partner_admin"], website_domain="", country="ZZ"
            ),
        )
        partner = partner_profile_update_by_partner(
            actor=world.alpha.members["partner_admin"], website_domain="HTTP://www.P1.example/", country="gb"
        )
    assert partner.pk == world.alpha.p1.pk
    assert (partner.website_domain, partner.country) == ("p1.example", "GB")
    assert unscoped(Partner).get(pk=world.alpha.p2.pk).website_domain == ""


def test_segments(world: World) -> None:
    admin, staff = world.alpha.members["vendor_admin"], world.alpha.members["vendor_staff"]
    with in_tenant(world.alpha):
        segment_create(actor=admin, name="Mid-market SaaS", description="100-2000 seats")
        assert_refused("name", lambda: segment_create(actor=admin, name="mid-market saas"))
        with pytest.raises(PermissionDenied):
            segment_create(actor=staff, name="Another")

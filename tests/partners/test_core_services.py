"""Core partner services: every rule refuses bad input with a field error and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

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
from partners.services_core import (
    partner_create,
    partner_update,
)
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import TenantWorld, World, unscoped


@contextmanager
def in_tenant(tw: TenantWorld) -> Iterator[None]:
    with tenant_context(tw.tenant):
        yield


def snapshot() -> dict[str, int]:
    """Row counts of everything a core service may write, across all tenants."""
    models = (Partner, PartnerSegment, StageChange, TierChange, AcquisitionCost, Segment, AuditEvent)
    return {model.__name__: unscoped(model).count() for model in models}


def program_with_tiers(name: str = "Main program", *, default: bool = False) -> tuple[Program, list[Tier]]:
    program = Program.objects.create(name=name, is_default=default)
    tiers = [
        Tier.objects.create(program=program, name=tier, rank=rank, benefits=f"{tier} perks")
        for rank, tier in enumerate(("Registered", "Silver", "Gold"), start=1)
    ]
    return program, tiers


def assert_refused(field: str, call: Any) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value.message_dict
    assert snapshot() == before


# --- partner_create ---------------------------------------------------------------------------------


def test_create_normalises_and_records_history(world: World) -> None:
    alpha = world.alpha
    admin = alpha.members["vendor_admin"]
    with in_tenant(alpha):
        program, tiers = program_with_tiers(default=True)
        segment = Segment.objects.create(name="MSP")
        partner = partner_create(
            actor=admin,
            name="  Acme Resale  ",
            partner_type=PartnerType.RESELLER,
            website_domain="https://www.Acme-Resale.COM/about?x=1",
            country="de",
            segment_ids=[segment.pk],
            owner_id=alpha.members["vendor_staff"].user_id,
        )
        assert partner.name == "Acme Resale"
        assert partner.website_domain == "acme-resale.com"
        assert partner.country == "DE"
        assert partner.program == program and partner.tier == tiers[0]
        assert list(PartnerSegment.objects.filter(partner=partner).values_list("segment_id", flat=True)) == [
            segment.pk
        ]
        change = StageChange.objects.get(partner=partner)
        assert (change.from_stage, change.to_stage, change.actor) == ("", Stage.RECRUIT, admin.user)
        entry = TierChange.objects.get(partner=partner)
        assert (entry.from_tier, entry.to_tier, entry.is_override) == (None, tiers[0], False)
        event = AuditEvent.objects.get(verb="partner.created")
        assert event.after["segment_ids"] == [segment.pk] and event.after["name"] == "Acme Resale"


def test_create_active_sets_joined_on_and_churned_sets_left_on(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    today = timezone.localdate()
    with in_tenant(world.alpha):
        active = partner_create(actor=staff, name="Live one", partner_type="services", status="active")
        gone = partner_create(actor=staff, name="Gone one", partner_type="services", status="churned")
    assert active.joined_on == today and active.left_on is None
    assert gone.left_on == today


def test_duplicate_name_in_tenant_is_refused_case_insensitively(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    with in_tenant(world.alpha):
        name = world.alpha.p1.name.upper()
        assert_refused("name", lambda: partner_create(actor=staff, name=name, partner_type="reseller"))


def test_same_name_in_another_tenant_is_fine(world: World) -> None:
    with in_tenant(world.bravo):
        partner_create(
            actor=world.bravo.members["vendor_admin"], name=world.alpha.p1.name, partner_type="reseller"
        )
    assert unscoped(Partner).filter(name=world.alpha.p1.name).count() == 2


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_cannot_create(world: World, role: str) -> None:
    before = snapshot()
    with in_tenant(world.alpha), pytest.raises(PermissionDenied):
        partner_create(actor=world.alpha.members[role], name="Sneaky", partner_type="reseller")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("website_domain", {"website_domain": "not a domain"}),
        ("country", {"country": "XX"}),
        ("country", {"country": "USA"}),
        ("partner_type", {"partner_type": "wholesaler"}),
        ("stage", {"stage": "launch"}),
        ("status", {"status": "sleepy"}),
        ("program", {"program_id": 999_999}),
        ("segments", {"segment_ids": [999_999]}),
        ("owner", {"owner_id": 999_999}),
        ("parent", {"parent_id": 999_999}),
    ],
)
def test_bad_fields_are_refused(world: World, field: str, kwargs: dict[str, Any]) -> None:
    staff = world.alpha.members["vendor_staff"]
    values = {"name": "Fresh partner", "partner_type": "reseller", **kwargs}
    with in_tenant(world.alpha):
        assert_refused(field, lambda: partner_create(actor=staff, **values))


def test_future_join_date_is_refused(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    with in_tenant(world.alpha):
        assert_refused(
            "joined_on",
            lambda: partner_create(actor=staff, name="Later", partner_type="reseller", joined_on=tomorrow),
        )


def test_other_tenants_ids_are_refused(world: World) -> None:
    """Program, segment, parent and owner of tenant bravo are unknown in alpha (FK checks ignore RLS)."""
    with in_tenant(world.bravo):
        program, _ = program_with_tiers("Bravo program")
        segment = Segment.objects.create(name="Bravo segment")
        distributor = Partner.objects.create(name="Bravo distributor", partner_type=PartnerType.DISTRIBUTOR)
    bravo_owner = world.bravo.members["vendor_admin"].user_id
    staff = world.alpha.members["vendor_staff"]
    cases = {
        "program": {"program_id": program.pk},
        "segments": {"segment_ids": [segment.pk]},
        "parent": {"parent_id": distributor.pk},
        "owner": {"owner_id": bravo_owner},
    }
    with in_tenant(world.alpha):
        for field, kwargs in cases.items():
            assert_refused(
                field,
                lambda kwargs=kwargs: partner_create(
                    actor=staff, name="X", partner_type="reseller", **kwargs
                ),
            )
            assert_refused(
                field, lambda kwargs=kwargs: partner_update(actor=staff, partner=world.alpha.p1, **kwargs)
            )


def test_owner_must_be_on_the_vendor_team(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    partner_person = world.alpha.members["partner_admin"].user_id
    with in_tenant(world.alpha):
        assert_refused(
            "owner",
            lambda: partner_create(actor=staff, name="X", partner_type="reseller", owner_id=partner_person),
        )


def test_parent_must_be_a_distributor_and_no_loops(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    with in_tenant(world.alpha):
        assert_refused(
            "parent",
            lambda: partner_create(
                actor=staff, name="X", partner_type="reseller", parent_id=world.alpha.p2.pk
            ),
        )
        top = partner_create(actor=staff, name="Top distributor", partner_type="distributor")
        sub = partner_create(
            actor=staff, name="Sub distributor", partner_type="distributor", parent_id=top.pk
        )
        reseller = partner_create(
            actor=staff, name="Reseller below", partner_type="reseller", parent_id=sub.pk
        )
        assert reseller.parent_id == sub.pk
        assert_refused("parent", lambda: partner_update(actor=staff, partner=top, parent_id=sub.pk))
        assert_refused("parent", lambda: partner_update(actor=staff, partner=top, parent_id=top.pk))
        assert_refused(
            "partner_type", lambda: partner_update(actor=staff, partner=sub, partner_type="reseller")
        )


# --- partner_update ---------------------------------------------------------------------------------


def test_update_changes_fields_segments_and_program_tier(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    partner = world.alpha.p1
    with in_tenant(world.alpha):
        program, tiers = program_with_tiers()
        first, second = Segment.objects.create(name="One"), Segment.objects.create(name="Two")
        PartnerSegment.objects.create(partner=partner, segment=first)
        partner_update(
            actor=staff,
            partner=partner,
            name="Renamed partner",
            website_domain="www.renamed.example",
            segment_ids=[second.pk],
            program_id=program.pk,
        )
        partner.refresh_from_db()
        assert (partner.name, partner.website_domain) == ("Renamed partner", "renamed.example")
        assert list(PartnerSegment.objects.filter(partner=partner).values_list("segment_id", flat=True)) == [
            second.pk
        ]
        assert partner.tier == tiers[0]
        assert TierChange.objects.filter(partner=partner, to_tier=tiers[0]).exists()
        event = AuditEvent.objects.get(verb="partner.updated")
        assert event.before["segment_ids"] == [first.pk] and event.after["segment_ids"] == [second.pk]


def test_update_refuses_stage_status_and_duplicates(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    with in_tenant(world.alpha):
        assert_refused("stage", lambda: partner_update(actor=staff, partner=world.alpha.p1, stage="onboard"))
        assert_refused("status", lambda: partner_update(actor=staff, partner=world.alpha.p1, status="active"))
        assert_refused(
            "name", lambda: partner_update(actor=staff, partner=world.alpha.p1, name=world.alpha.p2.name)
        )


def test_update_with_no_change_writes_no_audit_event(world: World) -> None:
    staff = world.alpha.members["vendor_staff"]
    with in_tenant(world.alpha):
        partner_update(actor=staff, partner=world.alpha.p1, name=world.alpha.p1.name)
    assert not unscoped(AuditEvent).filter(verb="partner.updated").exists()

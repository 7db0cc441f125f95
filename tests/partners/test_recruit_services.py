"""Services of programs, tiers, segments, ideal profiles and prospects: rules, transactions, audit.

A refused call changes nothing: no row, no audit event."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partners.models import (
    Partner,
    Program,
    Segment,
    Tier,
)
from partners.services_program import (
    program_create,
    program_update,
    segment_create,
    segment_update,
    tier_create,
    tier_delete,
    tier_move,
    tier_update,
)
from prm.models import AuditEvent
from tests.conftest import TenantWorld
from tests.partners import recruit_support
from tests.partners.recruit_support import admin_of, ladder, recruit_state, staff_of

# Shared fixtures, resolved by pytest through these module names.
alpha = recruit_support.alpha
program = recruit_support.program

# --- programs and tiers -------------------------------------------------------------------------


def test_first_program_becomes_default_and_is_audited(alpha: TenantWorld) -> None:
    program = program_create(actor=admin_of(alpha), name="  Partner   Program ")
    assert program.name == "Partner Program" and program.is_default
    assert AuditEvent.objects.filter(verb="program.created", object_id=str(program.pk)).exists()


def test_only_one_default_program(alpha: TenantWorld) -> None:
    first = program_create(actor=admin_of(alpha), name="Resale")
    second = program_create(actor=admin_of(alpha), name="Alliances", is_default=True)
    assert list(Program.objects.filter(is_default=True)) == [second]
    program_update(actor=admin_of(alpha), program=first, name="Resale", is_default=True)
    assert list(Program.objects.filter(is_default=True).values_list("pk", flat=True)) == [first.pk]
    assert AuditEvent.objects.filter(verb="program.default_unset", object_id=str(second.pk)).exists()


def test_duplicate_program_name_is_refused(alpha: TenantWorld) -> None:
    program_create(actor=admin_of(alpha), name="Resale")
    before = recruit_state()
    with pytest.raises(ValidationError) as error:
        program_create(actor=admin_of(alpha), name="resale")
    assert "name" in error.value.message_dict
    assert recruit_state() == before


def test_staff_cannot_configure(alpha: TenantWorld, program: Program) -> None:
    before = recruit_state()
    with pytest.raises(PermissionDenied):
        program_create(actor=staff_of(alpha), name="Sneaky")
    with pytest.raises(PermissionDenied):
        tier_create(actor=staff_of(alpha), program=program, name="Diamond")
    with pytest.raises(PermissionDenied):
        segment_create(actor=staff_of(alpha), name="Sneaky")
    assert recruit_state() == before


def test_tiers_without_rank_go_on_top(alpha: TenantWorld, program: Program) -> None:
    assert ladder(program) == [("Registered", 1), ("Silver", 2), ("Gold", 3)]


@pytest.mark.parametrize(
    ("name", "rank", "field"), [("silver", 9, "name"), ("Diamond", 2, "rank"), ("", 5, "name")]
)
def test_duplicate_tier_name_or_rank_is_refused(
    alpha: TenantWorld, program: Program, name: str, rank: int, field: str
) -> None:
    before = recruit_state()
    with pytest.raises(ValidationError) as error:
        tier_create(actor=admin_of(alpha), program=program, name=name, rank=rank)
    assert field in error.value.message_dict
    assert recruit_state() == before


def test_same_tier_name_is_fine_in_another_program(alpha: TenantWorld, program: Program) -> None:
    other = program_create(actor=admin_of(alpha), name="Alliances")
    assert tier_create(actor=admin_of(alpha), program=other, name="Silver", rank=2).rank == 2


def test_tier_update_refuses_a_taken_rank(alpha: TenantWorld, program: Program) -> None:
    gold = Tier.objects.get(program=program, name="Gold")
    with pytest.raises(ValidationError) as error:
        tier_update(actor=admin_of(alpha), tier=gold, name="Gold", rank=1)
    assert "Registered" in error.value.message_dict["rank"][0]
    tier_update(actor=admin_of(alpha), tier=gold, name="Gold Plus", rank=7, benefits="MDF")
    assert ladder(program)[-1] == ("Gold Plus", 7)


def test_move_swaps_ranks_in_one_transaction(alpha: TenantWorld, program: Program) -> None:
    gold = Tier.objects.get(program=program, name="Gold")
    tier_move(actor=admin_of(alpha), tier=gold, direction="up")
    assert ladder(program) == [("Registered", 1), ("Gold", 2), ("Silver", 3)]
    tier_move(actor=admin_of(alpha), tier=gold, direction="up")
    assert ladder(program) == [("Gold", 1), ("Registered", 2), ("Silver", 3)]
    event = AuditEvent.objects.filter(verb="tier.moved").first()
    assert event is not None and event.after == {"rank": 1, "swapped_with_rank": 2}


def test_move_keeps_gaps_between_ranks(alpha: TenantWorld) -> None:
    program = program_create(actor=admin_of(alpha), name="Gappy")
    low = tier_create(actor=admin_of(alpha), program=program, name="Low", rank=10)
    tier_create(actor=admin_of(alpha), program=program, name="High", rank=20)
    tier_move(actor=admin_of(alpha), tier=low, direction="down")
    assert ladder(program) == [("High", 10), ("Low", 20)]


def test_move_past_the_end_is_refused(alpha: TenantWorld, program: Program) -> None:
    registered = Tier.objects.get(program=program, name="Registered")
    before = (ladder(program), recruit_state())
    with pytest.raises(ValidationError, match="already the entry"):
        tier_move(actor=admin_of(alpha), tier=registered, direction="up")
    with pytest.raises(ValidationError):
        tier_move(actor=admin_of(alpha), tier=registered, direction="sideways")
    assert (ladder(program), recruit_state()) == before


def test_delete_of_a_tier_in_use_is_refused(alpha: TenantWorld, program: Program) -> None:
    silver = Tier.objects.get(program=program, name="Silver")
    Partner.objects.filter(pk=alpha.p1.pk).update(program=program, tier=silver)
    before = recruit_state()
    with pytest.raises(ValidationError, match="1 partner is on Silver"):
        tier_delete(actor=admin_of(alpha), tier=silver)
    assert recruit_state() == before
    gold = Tier.objects.get(program=program, name="Gold")
    tier_delete(actor=admin_of(alpha), tier=gold)
    assert ladder(program) == [("Registered", 1), ("Silver", 2)]
    assert AuditEvent.objects.filter(verb="tier.deleted", object_id=str(gold.pk)).exists()


def test_segments_refuse_duplicate_names(alpha: TenantWorld) -> None:
    msp = segment_create(actor=admin_of(alpha), name="MSP, SMB")
    segment_create(actor=admin_of(alpha), name="Systems integrators")
    with pytest.raises(ValidationError) as error:
        segment_update(actor=admin_of(alpha), segment=msp, name="systems INTEGRATORS")
    assert "already exists" in error.value.message_dict["name"][0]
    assert Segment.objects.get(pk=msp.pk).name == "MSP, SMB"

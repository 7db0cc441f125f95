"""The attribution ledger's rules: a customer's (or a revenue row's) sourced weights never add up to
more than 1 on any day; changes are versions, so any past date reads back; a manual entry says why;
only the vendor's team writes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from prm.tenancy import tenant_context
from revenue.models import Attribution
from revenue.services_attribution import (
    attribution_change_weight,
    attribution_create,
    attribution_end,
    attributions_in_force,
    sourced_peak,
)
from tests.conftest import World, unscoped
from tests.revenue.test_ledger_support import give_credit, make_customer, record_revenue, staff

pytestmark = pytest.mark.django_db
D = Decimal


def weight_error(caught: pytest.ExceptionInfo[ValidationError]) -> str:
    assert list(caught.value.message_dict) == ["weight"]
    return caught.value.message_dict["weight"][0]


# --- sourced weights never exceed 1 ---------------------------------------------------------------


def test_overlapping_sourced_credit_is_refused_beyond_one(world: World) -> None:
    customer = make_customer(world)
    give_credit(world, customer, partner="p1", weight="0.6", start="2025-01-01")
    with pytest.raises(ValidationError) as caught:
        give_credit(world, customer, partner="p2", weight="0.5", start="2025-06-01")
    assert "at most 0.4" in weight_error(caught)
    split = give_credit(world, customer, partner="p2", weight="0.4", start="2025-06-01")
    assert split.weight == D("0.4")


def test_non_overlapping_periods_each_have_the_whole_weight(world: World) -> None:
    customer = make_customer(world)
    give_credit(world, customer, partner="p1", weight="1", start="2025-01-01", end="2025-06-01")
    later = give_credit(world, customer, partner="p2", weight="1", start="2025-06-01")
    assert later.effective_from == datetime.date(2025, 6, 1)
    with pytest.raises(ValidationError):  # one day of overlap is enough to refuse
        give_credit(world, customer, partner="p2", weight="1", start="2025-05-31", end="2025-06-01")


def test_credit_starting_later_inside_the_period_counts(world: World) -> None:
    """The sum peaks where a span starts, even after the new credit's own start."""
    customer = make_customer(world)
    give_credit(world, customer, partner="p1", weight="0.7", start="2025-09-01")
    with pytest.raises(ValidationError):
        give_credit(world, customer, partner="p2", weight="0.5", start="2025-01-01")
    before = give_credit(world, customer, partner="p2", weight="0.5", start="2025-01-01", end="2025-09-01")
    with tenant_context(world.alpha.tenant):
        assert sourced_peak(
            customer=customer, revenue_entry_id=None, start=before.effective_from, end=None
        ) == D("0.7")


def test_influenced_credit_is_not_capped_by_sourced_credit(world: World) -> None:
    customer = make_customer(world)
    give_credit(world, customer, partner="p1", weight="1")
    influence = give_credit(world, customer, partner="p2", weight="1", kind="influenced")
    assert influence.kind == "influenced"


def test_row_level_and_customer_level_sourced_credit_are_separate_scopes(world: World) -> None:
    customer = make_customer(world)
    row = record_revenue(world, customer)
    give_credit(world, customer, partner="p1", weight="1")
    on_row = give_credit(world, customer, partner="p2", weight="1", revenue_entry=row, start="2025-03-01")
    assert on_row.revenue_entry_id == row.pk
    with pytest.raises(ValidationError) as caught:
        give_credit(world, customer, partner="p1", weight="0.5", revenue_entry=row, start="2025-03-01")
    assert "this revenue row" in weight_error(caught)


def test_a_revenue_row_of_another_customer_is_refused(world: World) -> None:
    customer, other = make_customer(world), make_customer(world, name="Globex", domain="globex.example")
    row = record_revenue(world, other)
    with pytest.raises(ValidationError) as caught:
        give_credit(world, customer, revenue_entry=row)
    assert "revenue_entry" in caught.value.message_dict


@pytest.mark.parametrize("weight", ["0", "-0.1", "1.5", "abc", "0.12345", "NaN"])
def test_weights_outside_zero_to_one_are_refused(world: World, weight: str) -> None:
    with pytest.raises(ValidationError) as caught:
        give_credit(world, make_customer(world), weight=weight)
    assert "weight" in caught.value.message_dict


# --- versions and as-of reads ---------------------------------------------------------------------


def test_a_weight_change_is_a_new_version_and_the_past_reads_back(world: World) -> None:
    customer = make_customer(world)
    original = give_credit(world, customer, partner="p1", weight="1", start="2025-01-01")
    with tenant_context(world.alpha.tenant):
        version = attribution_change_weight(
            actor=staff(world),
            attribution=original,
            weight="0.6",
            effective_from="2025-07-01",
            reason="Split",
        )
        in_force = Attribution.objects.filter(customer=customer)
        may = list(in_force.filter(attributions_in_force(on=datetime.date(2025, 5, 1))))
        july = list(in_force.filter(attributions_in_force(on=datetime.date(2025, 7, 1))))
    original = unscoped(Attribution).get(pk=original.pk)
    assert original.effective_to == datetime.date(2025, 7, 1) and original.weight == D("1")
    assert version.supersedes_id == original.pk and version.weight == D("0.6")
    assert version.effective_from == datetime.date(2025, 7, 1) and version.effective_to is None
    assert [row.pk for row in may] == [original.pk] and [row.pk for row in july] == [version.pk]
    # The freed 0.4 is available from the change on, not before it.
    give_credit(world, customer, partner="p2", weight="0.4", start="2025-07-01")
    with pytest.raises(ValidationError):
        give_credit(world, customer, partner="p2", weight="0.4", start="2025-06-01", end="2025-07-01")


def test_a_refused_weight_change_leaves_the_version_in_force(world: World) -> None:
    customer = make_customer(world)
    original = give_credit(world, customer, partner="p1", weight="0.5")
    give_credit(world, customer, partner="p2", weight="0.5")
    with tenant_context(world.alpha.tenant), pytest.raises(ValidationError) as caught:
        attribution_change_weight(
            actor=staff(world), attribution=original, weight="0.8", effective_from="2025-07-01", reason="More"
        )
    assert "weight" in caught.value.message_dict
    assert unscoped(Attribution).get(pk=original.pk).effective_to is None
    assert unscoped(Attribution).filter(customer=customer).count() == 2


def test_only_the_newest_version_changes(world: World) -> None:
    customer = make_customer(world)
    original = give_credit(world, customer, weight="1")
    with tenant_context(world.alpha.tenant):
        attribution_change_weight(
            actor=staff(world),
            attribution=original,
            weight="0.5",
            effective_from="2025-07-01",
            reason="Split",
        )
        stale = Attribution.objects.get(pk=original.pk)
        with pytest.raises(ValidationError) as caught:
            attribution_change_weight(
                actor=staff(world),
                attribution=stale,
                weight="0.2",
                effective_from="2025-03-01",
                reason="Oops",
            )
        with pytest.raises(ValidationError):
            attribution_end(actor=staff(world), attribution=stale, effective_to="2025-03-01", reason="Oops")
    assert "replaced by" in caught.value.message_dict["effective_to"][0]
    assert unscoped(Attribution).get(pk=original.pk).effective_to == datetime.date(2025, 7, 1)


def test_ending_credit_keeps_its_past(world: World) -> None:
    credit = give_credit(world, make_customer(world), start="2025-01-01")
    with tenant_context(world.alpha.tenant):
        with pytest.raises(ValidationError) as caught:
            attribution_end(actor=staff(world), attribution=credit, effective_to="2025-01-01", reason="Left")
        assert "effective_to" in caught.value.message_dict
        with pytest.raises(ValidationError) as caught:
            attribution_end(actor=staff(world), attribution=credit, effective_to="2025-05-01", reason=" ")
        assert "reason" in caught.value.message_dict
        ended = attribution_end(
            actor=staff(world), attribution=credit, effective_to="2025-05-01", reason="Left"
        )
        with pytest.raises(ValidationError):
            attribution_end(actor=staff(world), attribution=ended, effective_to="2025-06-01", reason="Again")
    assert ended.effective_to == datetime.date(2025, 5, 1) and ended.effective_from == datetime.date(
        2025, 1, 1
    )


# --- sources and who may write --------------------------------------------------------------------


def test_a_manual_entry_needs_a_reason_and_a_person(world: World) -> None:
    customer = make_customer(world)
    with pytest.raises(ValidationError) as caught:
        give_credit(world, customer, reason="  ")
    assert list(caught.value.message_dict) == ["reason"]
    with tenant_context(world.alpha.tenant), pytest.raises(ValidationError) as caught:
        attribution_create(
            actor=None,
            partner=world.alpha.p1,
            customer=customer,
            kind="sourced",
            weight="1",
            effective_from="2025-01-01",
            source="manual",
            reason="The system cannot say why",
        )
    assert "source" in caught.value.message_dict


def test_each_source_names_its_evidence(world: World) -> None:
    customer = make_customer(world)
    with tenant_context(world.alpha.tenant):
        p2_code = world.alpha.p2.referral_codes.get()
    cases = [
        ({"source": "deal"}, "deal"),
        ({"source": "referral_code", "referral_code": p2_code}, "referral_code"),  # P2's code, P1's credit
        ({"source": "marketplace", "marketplace_ref": " "}, "marketplace_ref"),
        ({"source": "carrier pigeon"}, "source"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as caught:
            give_credit(world, customer, reason="", **fields)
        assert field in caught.value.message_dict, fields
    listed = give_credit(world, customer, source="marketplace", marketplace_ref="AWS listing 42", reason="")
    assert listed.marketplace_ref == "AWS listing 42"


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_cannot_write_credit(world: World, role: str) -> None:
    customer = make_customer(world)
    credit = give_credit(world, customer, weight="0.5")
    actor = world.alpha.members[role]
    with tenant_context(world.alpha.tenant):
        with pytest.raises(PermissionDenied):
            attribution_create(
                actor=actor,
                partner=world.alpha.p1,
                customer=customer,
                kind="sourced",
                weight="0.5",
                effective_from="2025-01-01",
                source="nonsense",  # refused as a role before the input is even looked at
            )
        with pytest.raises(PermissionDenied):
            attribution_end(actor=actor, attribution=credit, effective_to="2025-05-01", reason="Mine")
        with pytest.raises(PermissionDenied):
            attribution_change_weight(
                actor=actor, attribution=credit, weight="1", effective_from="2025-05-01", reason="Mine"
            )
    assert unscoped(Attribution).filter(customer=customer).count() == 1
    assert unscoped(Attribution).get(pk=credit.pk).effective_to is None

"""Revenue and cost ledger writes: margins (explicit or the tenant's default, and which), one currency
per tenant, rows never edited but reversed once, and every write marks the partners whose LTV must
be recomputed; the debounced task takes the marks."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from prm.tenancy import tenant_context
from revenue.models import PartnerCost, RecomputeMark, RevenueEntry
from revenue.models.ledgers import ImmutableRowError
from revenue.services_attribution import attribution_change_weight, attribution_end
from revenue.services_ledger import cost_record, cost_reverse, revenue_record, revenue_reverse
from revenue.services_recompute import recompute_take_pending, recompute_task
from tests.conftest import World, unscoped
from tests.revenue.test_ledger_support import (
    give_credit,
    make_customer,
    record_cost,
    record_revenue,
    staff,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _no_scheduled_recompute() -> None:
    """The debounce flag lives in the cache, which outlives a test's database rollback."""
    cache.clear()


# --- margins and currency -------------------------------------------------------------------------


def test_an_explicit_margin_is_recorded_as_given(world: World) -> None:
    customer = make_customer(world)
    assert record_revenue(world, customer, margin="0.35").margin == D("0.35")
    entry = record_revenue(world, customer, margin="42.5%")
    assert entry.margin == D("0.425") and entry.margin_is_default is False


def test_a_blank_margin_takes_the_tenants_default_for_the_stream(world: World) -> None:
    tenant = world.alpha.tenant
    tenant.default_margins = {**tenant.default_margins, "parts": "0.25", "services": "0.55"}
    tenant.save()
    customer = make_customer(world)
    parts = record_revenue(world, customer, stream="spare parts", margin="")
    services = record_revenue(world, customer, stream="services")
    assert (parts.stream, parts.margin, parts.margin_is_default) == ("parts", D("0.25"), True)
    assert (services.margin, services.margin_is_default) == (D("0.55"), True)
    # Later changes to the defaults do not rewrite recorded rows.
    tenant.default_margins = {**tenant.default_margins, "parts": "0.90"}
    tenant.save()
    assert unscoped(RevenueEntry).get(pk=parts.pk).margin == D("0.25")


def test_only_the_tenants_currency_is_accepted(world: World) -> None:
    customer = make_customer(world)
    currency = world.alpha.tenant.currency
    assert record_revenue(world, customer, currency="").currency == currency
    assert record_revenue(world, customer, currency=currency.lower()).currency == currency
    other = "EUR" if currency != "EUR" else "USD"
    with pytest.raises(ValidationError) as caught:
        record_revenue(world, customer, currency=other)
    assert list(caught.value.message_dict) == ["currency"]


def test_every_bad_value_is_reported_by_field(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        record_revenue(
            world,
            make_customer(world),
            amount="-5",
            stream="lemonade",
            on="31/03/2025",
            margin="1.2",
            contract_end="2025-01-01",
        )
    assert set(caught.value.message_dict) == {"amount", "stream", "occurred_on", "margin", "contract_start"}
    assert unscoped(RevenueEntry).count() == 0


# --- reversals, never edits -----------------------------------------------------------------------


def test_a_row_is_reversed_once_and_a_reversal_is_not_reversed(world: World) -> None:
    entry = record_revenue(world, make_customer(world), amount="1200.00", margin="0.4")
    with tenant_context(world.alpha.tenant):
        with pytest.raises(ValidationError) as caught:
            revenue_reverse(actor=staff(world), entry=entry, reason=" ")
        assert "reason" in caught.value.message_dict
        reversal = revenue_reverse(actor=staff(world), entry=entry, reason="Invoice cancelled")
        with pytest.raises(ValidationError, match="already reversed"):
            revenue_reverse(actor=staff(world), entry=entry, reason="Again")
        with pytest.raises(ValidationError, match="itself a reversal"):
            revenue_reverse(actor=staff(world), entry=reversal, reason="Undo")
        assert entry.reversed_by == reversal
    assert (reversal.amount, reversal.margin, reversal.reverses_id) == (D("-1200.00"), D("0.4"), entry.pk)
    assert reversal.occurred_on == timezone.localdate() and reversal.reason == "Invoice cancelled"
    assert unscoped(RevenueEntry).filter(customer=entry.customer).count() == 2


def test_ledger_rows_cannot_be_edited(world: World) -> None:
    entry = record_revenue(world, make_customer(world))
    cost = record_cost(world)
    with tenant_context(world.alpha.tenant):
        stored = RevenueEntry.objects.get(pk=entry.pk)
        stored.amount = D("1.00")
        with pytest.raises(ImmutableRowError):
            stored.save()
        stored_cost = PartnerCost.objects.get(pk=cost.pk)
        with pytest.raises(ImmutableRowError):
            stored_cost.save()
    assert unscoped(RevenueEntry).get(pk=entry.pk).amount == D("1000.00")


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_cannot_write_the_ledgers(world: World, role: str) -> None:
    customer = make_customer(world)
    entry = record_revenue(world, customer)
    cost = record_cost(world)
    actor = world.alpha.members[role]
    with tenant_context(world.alpha.tenant):
        with pytest.raises(PermissionDenied):
            revenue_record(actor=actor, customer=customer, occurred_on="2025-01-01", amount="5", stream="new")
        with pytest.raises(PermissionDenied):
            revenue_reverse(actor=actor, entry=entry, reason="Mine")
        with pytest.raises(PermissionDenied):
            cost_record(
                actor=actor,
                partner=world.alpha.p1,
                kind="support",
                incurred_on="2025-01-01",
                amount="5",
                description="x",
            )
        with pytest.raises(PermissionDenied):
            cost_reverse(actor=actor, cost=cost, reason="Mine")
    assert unscoped(RevenueEntry).count() == 1 and unscoped(PartnerCost).count() == 1


# --- partner costs --------------------------------------------------------------------------------


def test_costs_are_recorded_and_reversed_once(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        record_cost(world, kind="lunch", amount="0", description=" ")
    assert set(caught.value.message_dict) == {"kind", "amount", "description"}
    cost = record_cost(world, kind="enablement", amount="480.00")
    with tenant_context(world.alpha.tenant):
        reversal = cost_reverse(actor=staff(world), cost=cost, reason="Voucher refunded")
        with pytest.raises(ValidationError, match="already reversed"):
            cost_reverse(actor=staff(world), cost=cost, reason="Again")
        with pytest.raises(ValidationError, match="itself a reversal"):
            cost_reverse(actor=staff(world), cost=reversal, reason="Undo")
    assert (reversal.amount, reversal.kind, reversal.partner_id) == (
        D("-480.00"),
        "enablement",
        cost.partner_id,
    )


# --- recompute marks ------------------------------------------------------------------------------


def marks(world: World) -> dict[int, RecomputeMark]:
    return {mark.partner_id: mark for mark in unscoped(RecomputeMark).filter(tenant=world.alpha.tenant)}


def take(world: World) -> list[int]:
    with tenant_context(world.alpha.tenant):
        return recompute_take_pending()


def test_every_ledger_write_marks_the_partners_it_affects(world: World) -> None:
    alpha = world.alpha
    customer = make_customer(world)
    take(world)  # partners created in the world start with a clean slate
    credit = give_credit(world, customer, partner="p1")
    assert take(world) == [alpha.p1.pk]
    influence = give_credit(world, customer, partner="p2", kind="influenced")
    with tenant_context(alpha.tenant):
        attribution_change_weight(
            actor=staff(world),
            attribution=influence,
            weight="0.5",
            effective_from="2025-05-01",
            reason="Less",
        )
    assert take(world) == [alpha.p2.pk]
    with tenant_context(alpha.tenant):
        attribution_end(actor=staff(world), attribution=credit, effective_to="2026-01-01", reason="Left")
    assert take(world) == [alpha.p1.pk]
    entry = record_revenue(world, customer)  # both partners' LTV history involves this customer
    assert take(world) == [alpha.p1.pk, alpha.p2.pk]
    assert marks(world)[alpha.p1.pk].last_reason == "revenue recorded"
    with tenant_context(alpha.tenant):
        revenue_reverse(actor=staff(world), entry=entry, reason="Cancelled")
    assert take(world) == [alpha.p1.pk, alpha.p2.pk]
    cost = record_cost(world, partner="p2")
    assert take(world) == [alpha.p2.pk]
    with tenant_context(alpha.tenant):
        cost_reverse(actor=staff(world), cost=cost, reason="Refunded")
    assert take(world) == [alpha.p2.pk]
    # A customer nobody has credit for affects no partner's LTV.
    record_revenue(world, make_customer(world, name="Orphan", domain="orphan.example"))
    assert take(world) == []
    assert marks(world)[alpha.p1.pk].changes == 4 and marks(world)[alpha.p1.pk].takes == 4


def test_the_debounced_task_takes_the_marks_after_commit(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # The whole story is one transaction here; its commit runs the scheduling.
    with django_capture_on_commit_callbacks(execute=True):
        customer = make_customer(world)
        give_credit(world, customer, partner="p1")
        record_revenue(world, customer)
    mark = marks(world)[world.alpha.p1.pk]
    assert mark.dirty_since is None and mark.taken_at is not None and mark.takes == 1
    # The task itself takes whatever is dirty, inside the tenant it is given.
    give_credit(world, customer, partner="p2", kind="influenced")
    assert recompute_task().delay(tenant_id=world.alpha.tenant.pk).get() == [world.alpha.p2.pk]


def test_a_burst_of_writes_enqueues_one_recompute(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with (
        mock.patch.object(recompute_task(), "apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        customer = make_customer(world)
        give_credit(world, customer, partner="p1")
        for day in range(1, 6):
            record_revenue(world, customer, on=f"2025-03-0{day}")
        record_cost(world, partner="p2")
    assert enqueue.call_count == 1
    assert enqueue.call_args.kwargs["kwargs"] == {"tenant_id": world.alpha.tenant.pk}
    assert set(marks(world)) == {world.alpha.p1.pk, world.alpha.p2.pk}
    assert all(mark.dirty_since is not None for mark in marks(world).values())


def test_one_transaction_of_many_writes_schedules_once(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        customer = make_customer(world)
        give_credit(world, customer, partner="p1")
        for day in range(1, 4):
            record_revenue(world, customer, on=f"2025-04-0{day}")
        record_cost(world, partner="p2")
    scheduling = [cb for cb in callbacks if getattr(cb, "recompute_tenant_id", None) == world.alpha.tenant.pk]
    assert len(scheduling) == 1

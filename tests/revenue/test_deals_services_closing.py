"""Deal registration services, the end of a deal's life: the protection window (tenant settings, the
one extension), expiry by the periodic task, and winning (customer, revenue row, attribution)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from prm.models import AuditEvent, Tenant
from prm.tenancy import tenant_context
from revenue.models import (
    Attribution,
    AttributionKind,
    AttributionSource,
    Customer,
    Deal,
    DealEvent,
    DealStatus,
    RevenueEntry,
)
from revenue.services_deals import (
    deal_approve,
    deal_create,
    deal_decide_extension,
    deal_lose,
    deal_request_extension,
    deal_win,
    deals_expire_due,
)
from tests.conftest import TenantWorld, World, unscoped

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def approved(alpha: TenantWorld, *, partner: str = "p1", name: str = "Initech", domain: str = "") -> Deal:
    members = alpha.members if partner == "p1" else alpha.p2_members
    deal = deal_create(
        actor=members["partner_admin"],
        partner=getattr(alpha, partner),
        submit=True,
        title=f"{name} deal",
        customer_name=name,
        customer_domain=domain,
        country="DE",
        stream="renewal",
        amount="12000",
    )
    return deal_approve(actor=alpha.members["vendor_staff"], deal=deal)


def backdate(deal: Deal, *, ends: datetime.datetime) -> None:
    Deal.objects.filter(pk=deal.pk).update(protection_ends_at=ends)


@pytest.fixture
def alpha(world: World) -> Any:
    with tenant_context(world.alpha.tenant):
        yield world.alpha


# --- protection window ----------------------------------------------------------------------------


def test_the_window_follows_the_tenant_settings(alpha: TenantWorld) -> None:
    Tenant.objects.filter(pk=alpha.tenant.pk).update(deal_protection_days=45, deal_extension_days=20)
    before = timezone.now()
    deal = approved(alpha)
    assert deal.protection_ends_at is not None and deal.approved_at is not None
    assert deal.protection_ends_at - deal.approved_at == datetime.timedelta(days=45)
    assert before <= deal.approved_at <= timezone.now()
    deal = deal_request_extension(actor=alpha.members["partner_user"], deal=deal, reason="Procurement")
    ends = deal.protection_ends_at
    deal = deal_decide_extension(actor=alpha.members["vendor_admin"], deal=deal, grant=True, reason="Fair")
    assert deal.protection_ends_at - ends == datetime.timedelta(days=20)


def test_a_denied_extension_leaves_the_window(alpha: TenantWorld) -> None:
    deal = deal_request_extension(actor=alpha.members["partner_user"], deal=approved(alpha), reason="Time")
    ends = deal.protection_ends_at
    deal = deal_decide_extension(actor=alpha.members["vendor_staff"], deal=deal, grant=False, reason="No")
    assert deal.protection_ends_at == ends


# --- expiry ---------------------------------------------------------------------------------------


def test_expiry_takes_only_approved_partner_deals_past_their_window(alpha: TenantWorld) -> None:
    now = timezone.now()
    due = approved(alpha, name="Due Co")
    backdate(due, ends=now - DAY)
    current = approved(alpha, name="Current Co")
    backdate(current, ends=now + DAY)
    won = approved(alpha, name="Won Co")
    deal_win(actor=alpha.members["vendor_staff"], deal=won)
    backdate(won, ends=now - DAY)
    direct = deal_create(
        actor=alpha.members["vendor_staff"], partner=None, title="Direct", customer_name="Own", amount="10"
    )
    Deal.objects.filter(pk=direct.pk).update(protection_ends_at=now - DAY)  # never expires: no claim
    assert deals_expire_due() == 1
    statuses = dict(Deal.objects.values_list("title", "status"))
    assert statuses == {
        "Due Co deal": DealStatus.EXPIRED,
        "Current Co deal": DealStatus.APPROVED,
        "Won Co deal": DealStatus.WON,
        "Direct": DealStatus.APPROVED,
    }
    event = DealEvent.objects.get(deal=due, action="expired")
    assert (event.from_status, event.to_status, event.actor) == ("approved", "expired", None)
    assert AuditEvent.objects.filter(verb="deal.expired", object_id=str(due.pk)).exists()
    assert deals_expire_due() == 0  # idempotent


def test_the_periodic_task_expires_every_tenant(world: World) -> None:
    from revenue.tasks import deals_expire_all_task

    due = {}
    for name in ("alpha", "bravo"):
        tenant_world = getattr(world, name)
        with tenant_context(tenant_world.tenant):
            deal = approved(tenant_world, name=f"Due {name}")
            backdate(deal, ends=timezone.now() - DAY)
            due[name] = deal.pk
    assert deals_expire_all_task.delay().get() == 2  # one task per tenant, run eagerly here
    for pk in due.values():
        assert unscoped(Deal).get(pk=pk).status == DealStatus.EXPIRED
        assert unscoped(DealEvent).filter(deal_id=pk, action="expired").count() == 1


def test_an_expired_deal_can_no_longer_be_won(alpha: TenantWorld) -> None:
    deal = approved(alpha)
    backdate(deal, ends=timezone.now() - DAY)
    deals_expire_due()
    with pytest.raises(ValidationError):
        deal_win(actor=alpha.members["vendor_staff"], deal=deal)


# --- winning and losing ---------------------------------------------------------------------------


def test_a_won_deal_creates_customer_revenue_and_sourced_credit(alpha: TenantWorld) -> None:
    deal = approved(alpha, name="Initech Inc.", domain="initech.com")
    won = deal_win(
        actor=alpha.members["vendor_staff"],
        deal=deal,
        amount="11500.50",
        closed_on="2026-02-10",
        margin="35%",
        contract_start="2026-03-01",
        contract_end="2027-02-28",
    )
    assert (won.status, won.closed_on, won.amount) == (
        DealStatus.WON,
        datetime.date(2026, 2, 10),
        Decimal("11500.50"),
    )
    customer = Customer.objects.get()
    assert (customer.name, customer.domain, customer.country, won.customer) == (
        "Initech Inc.",
        "initech.com",
        "DE",
        customer,
    )
    entry = RevenueEntry.objects.get(deal=won)
    assert (entry.customer, entry.amount, entry.stream, entry.margin, entry.margin_is_default) == (
        customer,
        Decimal("11500.50"),
        "renewal",
        Decimal("0.3500"),
        False,
    )
    assert (entry.contract_start, entry.contract_end) == (
        datetime.date(2026, 3, 1),
        datetime.date(2027, 2, 28),
    )
    credit = Attribution.objects.get()
    assert (credit.partner, credit.customer, credit.kind, credit.weight, credit.source, credit.deal) == (
        alpha.p1,
        customer,
        AttributionKind.SOURCED,
        Decimal("1.0000"),
        AttributionSource.DEAL,
        won,
    )
    assert credit.revenue_entry is None and credit.effective_from == datetime.date(2026, 2, 10)
    assert DealEvent.objects.filter(deal=won, action="won", from_status="approved").exists()


def test_a_second_partner_winning_a_sourced_customer_gets_influence_on_its_row(alpha: TenantWorld) -> None:
    first = deal_win(
        actor=alpha.members["vendor_staff"],
        deal=approved(alpha, partner="p2", name="Hooli", domain="hooli.com"),
    )
    # P2's deal is closed, so it holds nothing any more: P1 registers the same customer cleanly.
    second = approved(alpha, name="Hooli", domain="hooli.com")
    second = deal_win(actor=alpha.members["vendor_staff"], deal=second, amount="3000")
    assert second.customer == first.customer  # matched by domain, not created twice
    assert Customer.objects.count() == 1
    row = RevenueEntry.objects.get(deal=second)
    sourced = Attribution.objects.get(kind=AttributionKind.SOURCED)
    influenced = Attribution.objects.get(kind=AttributionKind.INFLUENCED)
    assert sourced.partner == alpha.p2 and sourced.revenue_entry is None
    assert (influenced.partner, influenced.revenue_entry, influenced.deal) == (alpha.p1, row, second)


def test_a_won_amount_must_be_valid_and_nothing_is_written_otherwise(alpha: TenantWorld) -> None:
    deal = approved(alpha)
    for bad in ({"amount": "-5"}, {"amount": "lots"}, {"margin": "150%"}, {"closed_on": "10/02/2026"}):
        with pytest.raises(ValidationError):
            deal_win(actor=alpha.members["vendor_staff"], deal=deal, **bad)
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.APPROVED
    assert not RevenueEntry.objects.exists() and not Customer.objects.exists()
    assert not Attribution.objects.exists()


def test_staff_or_the_partner_mark_a_deal_lost_with_a_reason(alpha: TenantWorld) -> None:
    deal = deal_lose(actor=alpha.members["partner_user"], deal=approved(alpha), reason="Chose a competitor")
    assert (deal.status, deal.decision_reason, deal.closed_on) == (
        DealStatus.LOST,
        "Chose a competitor",
        timezone.localdate(),
    )
    other = deal_lose(
        actor=alpha.members["vendor_staff"],
        deal=approved(alpha, name="Other"),
        reason="Budget cut",
        closed_on="2026-01-05",
    )
    assert other.closed_on == datetime.date(2026, 1, 5)
    assert not RevenueEntry.objects.exists()

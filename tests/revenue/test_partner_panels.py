"""The revenue panels of partner pages: the 360 "Sell" tab and time to first deal."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from prm.tenancy import tenant_context
from revenue.models import AttributionKind, AttributionSource, ReferralCode
from revenue.selectors_partner import partner_credited_revenue, partner_first_deal
from revenue.services_attribution import attribution_create
from revenue.services_customers import customer_create
from revenue.services_deals import deal_create
from revenue.services_ledger import revenue_record, revenue_reverse
from tests.test_query_counts import assert_flat_query_count

pytestmark = pytest.mark.django_db


def _credited_customer(alpha: Any, name: str, *, weight: str = "1", start: str = "2025-01-01") -> Any:
    staff = alpha.members["vendor_staff"]
    customer = customer_create(actor=staff, name=name, domain=f"{name.lower()}.example")
    attribution_create(
        actor=staff,
        partner=alpha.p1,
        customer=customer,
        kind=AttributionKind.SOURCED,
        weight=weight,
        effective_from=start,
        source=AttributionSource.MANUAL,
        reason="Summit intro",
    )
    return customer


def test_credited_revenue_follows_weights_in_force_on_each_row_date(world: Any) -> None:
    alpha = world.alpha
    staff = alpha.members["vendor_staff"]
    with tenant_context(alpha.tenant):
        customer = _credited_customer(alpha, "Weighted", weight="0.5", start="2025-06-01")
        revenue_record(actor=staff, customer=customer, occurred_on="2025-05-01", amount="1000", stream="new")
        kept = revenue_record(
            actor=staff,
            customer=customer,
            occurred_on="2025-07-01",
            amount="400",
            stream="parts",
            margin="0.25",
        )
        revenue_record(
            actor=staff,
            customer=customer,
            occurred_on="2025-08-01",
            amount="200",
            stream="parts",
            margin="0.25",
        )
        revenue_reverse(actor=staff, entry=kept, reason="Returned goods")
        credited = partner_credited_revenue(partner_id=alpha.p1.pk)
    parts = credited.by_kind[AttributionKind.SOURCED]["parts"]
    # Before 2025-06-01 nothing is credited; the reversal (dated today) cancels the returned order.
    assert "new" not in credited.by_kind[AttributionKind.SOURCED]
    assert parts.revenue == Decimal("100.00")  # (400 + 200 - 400) x 0.5
    assert parts.margin == Decimal("25.0000")


def test_time_to_first_deal_counts_from_joining_to_first_submission(world: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        alpha.p1.joined_on = datetime.date.today() - datetime.timedelta(days=30)
        alpha.p1.save(update_fields=["joined_on"])
        assert partner_first_deal(partner=alpha.p1).days_without_deal == 30
        deal_create(
            actor=alpha.members["partner_user"],
            partner=alpha.p1,
            title="Draft only",
            customer_name="Drafty",
            amount="10",
        )
        assert partner_first_deal(partner=alpha.p1).days_to_first_deal is None  # drafts do not count
        deal_create(
            actor=alpha.members["partner_user"],
            partner=alpha.p1,
            submit=True,
            title="Real",
            customer_name="Realco",
            amount="10",
        )
        assert partner_first_deal(partner=alpha.p1).days_to_first_deal == 30
    page = world.client("vendor_staff").get(
        f"/alpha/partners/{alpha.p1.pk}/first-deal/", HTTP_HX_REQUEST="true"
    )
    assert "30 days" in page.content.decode() and "<html" not in page.content.decode()
    portal = world.client("partner_user").get("/alpha/portal/first-deal/")
    assert "30 days" in portal.content.decode()


def test_sell_tab_shows_deals_credit_costs_and_codes(world: Any) -> None:
    alpha = world.alpha
    staff = alpha.members["vendor_staff"]
    with tenant_context(alpha.tenant):
        customer = _credited_customer(alpha, "Sellco")
        revenue_record(
            actor=staff, customer=customer, occurred_on="2025-03-01", amount="1500", stream="services"
        )
        deal_create(
            actor=alpha.members["partner_user"],
            partner=alpha.p1,
            title="Tab deal",
            customer_name="Tabby",
            amount="9",
        )
    body = world.client("vendor_staff").get(f"/alpha/partners/{alpha.p1.pk}/sell/").content.decode()
    assert 'data-testid="sell-streams"' in body and "1,500.00" in body
    assert "Tab deal" in body
    assert 'data-testid="sell-sourced-customers">1<' in body
    with tenant_context(alpha.tenant):
        code = ReferralCode.objects.get(partner=alpha.p1)  # every partner gets one when it is created
    assert f"<code>{code.code}</code>" in body and "0 clicks" in body


def test_sell_tab_query_count_is_flat(world: Any) -> None:
    alpha = world.alpha
    staff = alpha.members["vendor_staff"]

    def add(world: Any, n: int) -> None:
        with tenant_context(alpha.tenant):
            customer = _credited_customer(alpha, f"Flat{n}")
            for i in range(n):
                revenue_record(
                    actor=staff,
                    customer=customer,
                    occurred_on="2025-03-01",
                    amount=str(10 + i),
                    stream="parts",
                )
                deal_create(
                    actor=staff,
                    partner=alpha.p1,
                    title=f"D{n}-{i}",
                    customer_name=f"Cust {n} {i}",
                    amount="1",
                )

    assert_flat_query_count(
        world,
        name="partner_tab_sell",
        role="vendor_staff",
        url=f"/alpha/partners/{alpha.p1.pk}/sell/",
        add_rows=add,
    )

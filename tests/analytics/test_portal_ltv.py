"""The portal's "Our LTV" page: the partner's own figures, trend data, reasons said to the partner,
levers from its own row, the empty state, and nothing of other partners or the tenant as a whole."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.models import PartnerLtv, PartnerLtvSnapshot
from analytics.selectors_partner import Part, ltv_levers, reason_for_partner
from prm.tenancy import tenant_context
from revenue.models import Deal, DealStatus
from tests.analytics.factories import make_partner_ltv, make_snapshots, make_tenant_snapshot
from tests.conftest import P2_MARKER, World

pytestmark = pytest.mark.django_db

URL = "/alpha/portal/ltv/"


def seed(world: World, **p1_fields: Any) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        make_partner_ltv(partner=alpha.p1, **p1_fields)
        make_snapshots(partner=alpha.p1, days=5)
        make_partner_ltv(
            partner=alpha.p2,
            ltv=Decimal("777777.00"),
            churn_reasons=[{"code": "ltv_falling", "text": f"Fell {P2_MARKER}", "weight": 0.3}],
        )
        make_snapshots(partner=alpha.p2, days=3, ltv=Decimal("555555"))
        make_tenant_snapshot(ltv=Decimal("9999999"))


def deal_submitted(world: World, *, days_ago: int) -> None:
    alpha = world.alpha
    key = f"initech{days_ago}.example"
    with tenant_context(alpha.tenant):
        Deal.objects.create(
            partner=alpha.p1,
            title="Fleet renewal",
            customer_name="Initech",
            customer_domain=key,
            customer_key=key,
            name_key="initech",
            amount=Decimal("1000"),
            status=DealStatus.SUBMITTED,
            created_by=alpha.members["partner_user"].user,
            submitted_at=timezone.now() - dt.timedelta(days=days_ago),
        )


def trend_data(body: str) -> dict[str, Any]:
    match = re.search(r'<script id="ltv-trend-data" type="application/json">(.*?)</script>', body, re.S)
    assert match is not None, "the trend's json_script data is missing"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_page_shows_the_partners_own_ltv(world: World, role: str) -> None:
    seed(world)
    response = world.client(role).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="ltv-value">125,000<' in body
    assert "98,000 and 161,000" in body  # the 90% interval
    for figure in ("80,000", "40,000", "15,000", "10,000"):  # realised, predicted, future, costs
        assert figure in body
    assert "Customers you sourced" in body and "Customers you influenced" in body
    assert "New / initial sale" in body and "Renewal" in body  # by stream
    assert "MDF paid" in body and "Support" in body  # costs by kind
    assert 'data-testid="nav-our-ltv"' in body
    # Nothing of the other partner or the tenant's totals.
    assert P2_MARKER not in body and "777,777" not in body and "9,999,999" not in body
    assert "555555" not in body


def test_trend_chart_reads_its_own_snapshots_from_json_script(world: World) -> None:
    seed(world)
    body = world.client("partner_user").get(URL).content.decode()
    data = trend_data(body)
    assert data["ltv"] == [100000.0, 105000.0, 110000.0, 115000.0, 120000.0]
    assert data["dates"][-1] == "2026-11-30" and len(data["low"]) == len(data["high"]) == 5
    assert 'data-kind="trend"' in body and "js/charts.js" in body and "js/ltv_charts.js" in body
    assert "vendor/chartjs/chart.umd.min.js" in body
    assert "<script>" not in body  # the CSP allows no inline script


def test_churn_reasons_are_said_to_the_partner(world: World) -> None:
    seed(
        world,
        churn_risk=0.65,
        churn_reasons=[
            {
                "code": "customers_fading",
                "text": "Its customers' average chance of still buying is 48%.",
                "weight": 0.1,
            },
            {
                "code": "never_sold",
                "text": "It has not registered a deal or brought a customer yet.",
                "weight": 0.3,
            },
        ],
    )
    body = world.client("partner_admin").get(URL).content.decode()
    assert "Why the risk is high" in body
    assert "Your customers are buying less" in body and "Your customers&#x27; average chance" in body
    assert "You have not registered a deal" in body and "It has not" not in body


def test_levers_come_from_the_partners_own_row(world: World) -> None:
    seed(world)
    body = world.client("partner_user").get(URL).content.decode()
    levers = body.split('data-testid="ltv-levers"', 1)[1]
    assert "Register your first deal" in levers and "You have not registered a deal yet" in levers
    assert "15,000 of your LTV" in levers and "3.1 new customers a year" in levers  # future part
    assert "9.3 of your 14 customers" in levers and "108%" in levers  # the existing book
    assert "12% of your customer value comes from customers you influenced" in levers
    assert "The largest is acquisition (5,000)" in levers and "25.0 times your acquisition costs" in levers


def test_a_recent_deal_turns_the_deal_lever_to_on_track(world: World) -> None:
    seed(world)
    deal_submitted(world, days_ago=12)
    levers = world.client("partner_user").get(URL).content.decode().split('data-testid="ltv-levers"', 1)[1]
    assert "Keep registering deals" in levers and "12 days ago" in levers
    deal_submitted(world, days_ago=0)
    levers = world.client("partner_user").get(URL).content.decode().split('data-testid="ltv-levers"', 1)[1]
    assert "Your last deal registration was today." in levers


def test_lever_priorities() -> None:
    """Levers to act on come first; weak retention and heavy costs ask for action."""
    row = PartnerLtv(
        ltv=Decimal("1000"),
        realised=Decimal("1000"),
        predicted=Decimal("500"),
        future=Decimal("500"),
        costs=Decimal("1000"),
        customers=10,
        expected_active_customers=3.0,
        nrr=0.8,
        new_customers_per_year=0,
    )
    kinds = [Part("sourced", "S", 100.0, 0.0), Part("influenced", "I", 300.0, 0.0)]
    levers = ltv_levers(row=row, kinds=kinds, costs=[("MDF paid", 1000.0)], days_since_deal=200)
    assert [lever.code for lever in levers] == ["register_deals", "grow_book", "source_more", "costs"]
    assert all(lever.strength == "act" for lever in levers)
    assert "200 days ago" in levers[0].text and "75%" in levers[2].text
    calm = ltv_levers(row=row, kinds=[], costs=[], days_since_deal=5)
    assert [lever.code for lever in calm] == ["grow_book", "costs", "register_deals"]


def test_reason_phrasing_keeps_unknown_codes_readable() -> None:
    reason = reason_for_partner(
        {"code": "new_signal", "text": "The partner has left the program.", "weight": 1}
    )
    assert (reason.title, reason.text, reason.weight) == ("New signal", "You have left the program.", 1.0)


def test_empty_state_before_the_first_computation(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        make_partner_ltv(partner=world.alpha.p2)  # another partner's row must not count as ours
    body = world.client("partner_admin").get(URL).content.decode()
    assert 'data-testid="ltv-empty"' in body and "Not computed yet" in body
    assert 'data-testid="ltv-value"' not in body and P2_MARKER not in body


def test_single_snapshot_says_the_trend_comes_later(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        make_partner_ltv(partner=world.alpha.p1)
        make_snapshots(partner=world.alpha.p1, days=1)
    body = world.client("partner_user").get(URL).content.decode()
    assert 'data-testid="ltv-trend-empty"' in body and "ltv-trend-data" not in body


@pytest.mark.parametrize("role", ["vendor_admin", "vendor_staff"])
def test_vendor_roles_are_refused(world: World, role: str) -> None:
    seed(world)
    assert world.client(role).get(URL).status_code == 403


def test_page_query_count_does_not_grow_with_snapshots(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        make_partner_ltv(partner=world.alpha.p1)
        make_snapshots(partner=world.alpha.p1, days=10)
    client = world.client("partner_user")
    client.get(URL)  # warm per-process caches
    with CaptureQueriesContext(connection) as ten:
        client.get(URL)
    with tenant_context(world.alpha.tenant):
        PartnerLtvSnapshot.objects.filter(partner=world.alpha.p1).delete()
        make_snapshots(partner=world.alpha.p1, days=100)
    with CaptureQueriesContext(connection) as hundred:
        response = client.get(URL)
    assert len(trend_data(response.content.decode())["ltv"]) == 100
    assert len(ten) == len(hundred)


@pytest.mark.parametrize(
    ("payback", "said"),
    [(1.0, "after 1 month of"), (0.4, "after 0.4 months of"), (12.25, "after 12.3 months of")],
)
def test_payback_is_said_in_months_with_the_right_number(world: World, payback: float, said: str) -> None:
    seed(world, payback_months=payback)
    body = world.client("partner_user").get(URL).content.decode()
    assert f"Acquisition costs paid back {said} margin." in body
    lever = said.replace("after", "by")
    assert f"Acquisition costs were paid back {lever} margin." in body

"""Partner cost pages: the list with each partner's totals by kind (including reimbursed MDF and CAC
entries from the partners app, labelled so), filters, CSV, the form and the reversal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from partners.models import AcquisitionCost, MdfRequest, MdfStatus
from prm.tenancy import tenant_context
from revenue.models import PartnerCost
from tests.conftest import World, unscoped
from tests.revenue.test_ledger_support import column, csv_rows, record_cost
from tests.test_pages import _field_errors

pytestmark = pytest.mark.django_db


def partners_app_costs(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        MdfRequest.objects.create(
            partner=alpha.p1,
            purpose="Trade show booth",
            amount_requested=Decimal("1000"),
            amount_approved=Decimal("800"),
            amount_claimed=Decimal("700"),
            status=MdfStatus.REIMBURSED,
            requested_by=alpha.members["partner_admin"].user,
        )
        MdfRequest.objects.create(  # not reimbursed yet: not a cost
            partner=alpha.p1,
            purpose="Webinar",
            amount_requested=Decimal("500"),
            status=MdfStatus.REQUESTED,
            requested_by=alpha.members["partner_admin"].user,
        )
        AcquisitionCost.objects.create(
            partner=alpha.p1,
            incurred_on=datetime.date(2025, 1, 15),
            amount=Decimal("1200"),
            description="Recruiting",
        )


def test_totals_include_the_mdf_workflow_and_cac_entries(world: World) -> None:
    partners_app_costs(world)
    record_cost(world, partner="p1", kind="mdf", amount="100.00")
    record_cost(world, partner="p1", kind="support", amount="300.00")
    record_cost(world, partner="p2", kind="incentive", amount="50.00")
    body = world.client("vendor_staff").get("/alpha/costs/").content.decode()
    assert "800.00" in body and "incl. 700.00 from the MDF workflow" in body  # 100 ledger + 700 claims
    assert "1,200.00" in body and "incl. 1,200.00 from CAC entries" in body
    assert "2,300.00" in body  # P1's total: 800 + 1,200 + 300
    only_p2 = world.client("vendor_staff").get(f"/alpha/costs/?partner={world.alpha.p2.pk}").content.decode()
    assert "incl. 700.00" not in only_p2 and "50.00" in only_p2


def test_list_filters_pages_and_empty_states(world: World) -> None:
    record_cost(world, partner="p1", kind="support", description="Escalation desk")
    record_cost(world, partner="p2", kind="enablement", description="Certification vouchers")
    client = world.client("vendor_admin")
    enablement = client.get("/alpha/costs/?kind=enablement").content.decode()
    assert "Certification vouchers" in enablement and "Escalation desk" not in enablement
    assert "Escalation desk" in client.get("/alpha/costs/?q=escalation").content.decode()
    assert "No costs match" in client.get("/alpha/costs/?q=nothing").content.decode()
    fragment = client.get("/alpha/costs/?kind=support", headers={"HX-Request": "true"})
    assert fragment.content.decode().strip().startswith('<div id="results">')


def test_export_has_the_filtered_costs_and_defuses_formulas(world: World) -> None:
    cost = record_cost(world, partner="p1", description="-2+3", external_ref="@ref")
    record_cost(world, partner="p2")
    rows = csv_rows(world.client("vendor_staff").get(f"/alpha/costs/export.csv?partner={world.alpha.p1.pk}"))
    assert column(rows, "id") == [str(cost.pk)]
    assert column(rows, "description") == ["'-2+3"] and column(rows, "external_ref") == ["'@ref"]


def test_a_cost_is_recorded_and_errors_show_in_place(world: World) -> None:
    client = world.client("vendor_staff")
    bad = client.post("/alpha/costs/new/", {"partner": world.alpha.p1.pk, "kind": "", "amount": "abc"})
    assert bad.status_code == 400
    errors = _field_errors(bad)
    assert errors["kind"] and errors["amount"] and errors["incurred_on"] and errors["description"]
    good = client.post(
        "/alpha/costs/new/",
        {
            "partner": world.alpha.p1.pk,
            "kind": "support",
            "incurred_on": "2025-02-01",
            "amount": "250.00",
            "description": "Escalation desk",
        },
    )
    cost = unscoped(PartnerCost).get(description="Escalation desk")
    assert good.status_code == 302 and good["Location"] == f"/alpha/costs/{cost.pk}/"


def test_a_cost_is_reversed_once_from_its_page(world: World) -> None:
    cost = record_cost(world, amount="480.00")
    client = world.client("vendor_staff")
    assert "never edited" in client.get(f"/alpha/costs/{cost.pk}/").content.decode()
    missing = client.post(f"/alpha/costs/{cost.pk}/reverse/", {"reason": ""})
    assert missing.status_code == 400 and _field_errors(missing)["reason"]
    done = client.post(f"/alpha/costs/{cost.pk}/reverse/", {"reason": "Refunded"})
    reversal = unscoped(PartnerCost).get(reverses=cost)
    assert done.status_code == 302 and reversal.amount == Decimal("-480.00")
    page = client.get(f"/alpha/costs/{cost.pk}/").content.decode()
    assert 'data-testid="reversed-by"' in page and 'data-testid="reverse-form"' not in page
    again = client.post(f"/alpha/costs/{cost.pk}/reverse/", {"reason": "Twice"})
    assert again.status_code == 400 and "already reversed" in again.content.decode()

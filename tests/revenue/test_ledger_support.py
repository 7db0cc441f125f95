"""Helpers of the ledger tests (no tests here): build customers, credit, revenue rows and costs in
tenant alpha through the services, the way the pages and imports do."""

from __future__ import annotations

import csv
import io
from typing import Any

from prm.models import Membership
from prm.tenancy import tenant_context
from revenue.models import Attribution, Customer, PartnerCost, RevenueEntry
from revenue.services_attribution import attribution_create
from revenue.services_customers import customer_create
from revenue.services_ledger import cost_record, revenue_record
from tests.conftest import World

HX = {"HX-Request": "true"}


def staff(world: World) -> Membership:
    return world.alpha.members["vendor_staff"]


def make_customer(
    world: World, name: str = "Initech", domain: str = "initech.example", **fields: Any
) -> Customer:
    with tenant_context(world.alpha.tenant):
        return customer_create(actor=staff(world), name=name, domain=domain, **fields)


def give_credit(
    world: World,
    customer: Customer,
    *,
    partner: str = "p1",
    weight: str = "1",
    kind: str = "sourced",
    start: str = "2025-01-01",
    end: str | None = None,
    **fields: Any,
) -> Attribution:
    fields.setdefault("source", "manual")
    fields.setdefault("reason", "Introduced the customer")
    with tenant_context(world.alpha.tenant):
        return attribution_create(
            actor=staff(world),
            partner=getattr(world.alpha, partner),
            customer=customer,
            kind=kind,
            weight=weight,
            effective_from=start,
            effective_to=end,
            **fields,
        )


def record_revenue(
    world: World,
    customer: Customer,
    *,
    amount: str = "1000.00",
    stream: str = "services",
    on: str = "2025-03-01",
    **fields: Any,
) -> RevenueEntry:
    with tenant_context(world.alpha.tenant):
        return revenue_record(
            actor=staff(world), customer=customer, occurred_on=on, amount=amount, stream=stream, **fields
        )


def record_cost(
    world: World, *, partner: str = "p1", kind: str = "support", amount: str = "300.00", **fields: Any
) -> PartnerCost:
    fields.setdefault("description", "Escalation desk hours")
    fields.setdefault("incurred_on", "2025-04-01")
    with tenant_context(world.alpha.tenant):
        return cost_record(
            actor=staff(world), partner=getattr(world.alpha, partner), kind=kind, amount=amount, **fields
        )


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def column(rows: list[list[str]], name: str) -> list[str]:
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]

"""PostgreSQL-only: registrations raced through the API by 32 clients at once.

The same partner registering the same customer 32 times gets exactly one deal and 31 clean 409s
(the partial unique index on open registrations lets one insert through; the others wait for it and
fail). Different partners registering the same customer at once each get their deal, and every one
but the first submitted opens a conflict case for staff (services_deals takes a per-tenant claim lock
before a submission's conflict check, so no two checks miss each other's uncommitted registration).
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from partners.models import Partner, PartnerType, Stage
from prm.models import User
from prm.tenancy import tenant_context
from revenue.models import ConflictCase, Deal, DealStatus
from tests.conftest import World, unscoped

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 32
REGISTRATION = {
    "title": "Plant rollout",
    "customer_name": "Initech Inc.",
    "customer_domain": "initech.example",
    "amount": "5000.00",
    "submit": True,
}


def race(user: User, url: str, bodies: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """POST each body from its own thread and connection, all released at once by a barrier."""
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()

    def post(body: dict[str, Any]) -> None:
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            response = client.post(url, json.dumps(body), content_type="application/json")
            with lock:
                answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_32_identical_registrations_create_exactly_one_deal(world: World) -> None:
    user = world.alpha.members["partner_user"].user
    answers = race(user, f"/api/v1/{world.alpha.tenant.slug}/deals/", [REGISTRATION] * CLIENTS)
    assert len(answers) == CLIENTS
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * (CLIENTS - 1), statuses
    created = next(body for status, body in answers if status == 201)
    for status, body in answers:
        if status == 409:
            assert body["code"] == "duplicate_registration"
            assert body["existing"] == created["id"], body
            assert body["detail"].startswith("You already have an open registration for this customer")
    deals = unscoped(Deal).filter(tenant=world.alpha.tenant)
    assert deals.count() == 1 and deals.get().status == DealStatus.SUBMITTED


def test_32_partners_racing_for_one_customer_all_register_and_conflict(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        partners = [alpha.p1, alpha.p2] + [
            Partner.objects.create(name=f"Racer {i}", partner_type=PartnerType.RESELLER, stage=Stage.SELL)
            for i in range(CLIENTS - 2)
        ]
    bodies = [{**REGISTRATION, "partner": partner.pk, "title": f"Claim {partner.pk}"} for partner in partners]
    answers = race(alpha.members["vendor_staff"].user, f"/api/v1/{alpha.tenant.slug}/deals/", bodies)
    assert sorted(status for status, _ in answers) == [201] * CLIENTS, answers
    deals = list(unscoped(Deal).filter(tenant=alpha.tenant).order_by("submitted_at", "pk"))
    assert len(deals) == CLIENTS and {deal.status for deal in deals} == {DealStatus.SUBMITTED}
    in_a_case = set()
    for case in unscoped(ConflictCase).filter(tenant=alpha.tenant):
        in_a_case |= {case.deal_id, case.other_deal_id}
    # Staff see every registration in a case: nobody slips through the race unchallenged.
    assert in_a_case == {deal.pk for deal in deals}
    # Every registration but the first submitted opened a case naming an earlier one (detection runs
    # in submission order, so the earliest one had nothing to collide with).
    opened = set(unscoped(ConflictCase).filter(tenant=alpha.tenant).values_list("deal_id", flat=True))
    assert opened == {deal.pk for deal in deals[1:]}

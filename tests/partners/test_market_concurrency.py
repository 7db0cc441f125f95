"""PostgreSQL-only: two managers approving the same MDF request at once; the row lock lets one win."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from partners.models import MdfRequest, MdfStatus
from partners.services_market import mdf_request_approve, mdf_request_create
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_approvals_approve_once(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        mdf = mdf_request_create(
            actor=alpha.members["partner_admin"], partner=alpha.p1, purpose="Booth", amount_requested="1000"
        )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(role: str, amount: str) -> None:
        try:
            with tenant_context(alpha.tenant):
                stale = MdfRequest.objects.get(pk=mdf.pk)  # both read "requested" before either writes
                barrier.wait()
                try:
                    mdf_request_approve(actor=alpha.members[role], request=stale, amount_approved=amount)
                    result = "approved"
                except ValidationError:
                    result = "refused"
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=("vendor_staff", "400")),
        threading.Thread(target=approve, args=("vendor_admin", "900")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["approved", "refused"]
    row = unscoped(MdfRequest).get(pk=mdf.pk)
    assert row.status == MdfStatus.APPROVED and row.amount_approved in (Decimal("400.00"), Decimal("900.00"))
    approvals = unscoped(AuditEvent).filter(verb="mdf_request.approved", object_id=str(mdf.pk))
    assert approvals.count() == 1

"""PostgreSQL-only: concurrent requests that race for the same Idempotency-Key run the handler once."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from prm.models import Membership
from prm.tenancy import platform_context
from tests.conftest import World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_same_idempotency_key_raced_by_eight_clients_creates_one_member(world: World) -> None:
    user = world.alpha.members["vendor_admin"].user
    url = f"/api/v1/{world.alpha.tenant.slug}/memberships/"
    body = json.dumps({"email": "raced@example.test", "role": "vendor_staff"})
    barrier = threading.Barrier(8)
    responses: list[tuple[int, dict[str, object]]] = []
    lock = threading.Lock()

    def post() -> None:
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            response = client.post(
                url, body, content_type="application/json", headers={"Idempotency-Key": "race-1"}
            )
            with lock:
                responses.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(responses) == 8
    created = [data for status, data in responses if status == 201]
    # Every client either got the first response replayed or was told to retry; none ran it twice.
    assert all(status in (201, 409) for status, _ in responses), responses
    assert created and all(data == created[0] for data in created)
    with platform_context():
        assert Membership.unscoped.filter(user__email="raced@example.test").count() == 1

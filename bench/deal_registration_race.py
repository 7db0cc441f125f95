"""32 concurrent registrations of the same deal, round after round: exactly one is created each time.

Each round, 32 threads (each its own database connection and logged-in API client) are released
together by a barrier and POST the same registration (same partner, same customer domain) to
`/api/v1/<tenant>/deals/`. Exactly one must answer 201 and the other 31 a 409 `duplicate_registration`,
and exactly one deal row must exist for the customer afterwards. Prints each round's counts and
timings and a closing line; exits 1 if any round created anything but exactly one deal.

Needs PostgreSQL (DATABASE_URL): the guarantee is the database's partial unique index under real
concurrency, which SQLite (one writer at a time) cannot exercise, so there the script says so and
stops. It works in a throwaway database that it creates, migrates and drops (the test runner's,
named by PRM_TEST_DB_NAME, default test_prm_bench_race), so no real data is touched.

    DATABASE_URL=postgres://prm@127.0.0.1:5432/prm .venv/bin/python bench/deal_registration_race.py
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
os.environ.setdefault("PRM_TEST_DB_NAME", "test_prm_bench_race")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import get_runner, setup_test_environment  # noqa: E402

from partners.models import Partner, PartnerType, Stage  # noqa: E402
from prm.models import Membership, Role, Tenant, User  # noqa: E402
from prm.tenancy import tenant_context  # noqa: E402
from revenue.models import Deal  # noqa: E402

CLIENTS = int(os.environ.get("RACE_CLIENTS", "32"))
ROUNDS = int(os.environ.get("RACE_ROUNDS", "20"))


@dataclass
class Round:
    statuses: list[int] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    started: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)
    rows: int = 0

    @property
    def created(self) -> int:
        return self.statuses.count(201)

    @property
    def duplicates(self) -> int:
        return self.statuses.count(409)

    @property
    def wall_ms(self) -> float:
        return (max(self.finished) - min(self.started)) * 1000


def setup_world() -> tuple[Tenant, User]:
    """A tenant of its own with one partner and one of its users, who registers every deal."""
    tenant = Tenant.objects.create(slug="bench-race", name="Bench race")
    with tenant_context(tenant):
        partner = Partner.objects.create(name="Racer", partner_type=PartnerType.RESELLER, stage=Stage.SELL)
        user = User.objects.create_user(email="racer@bench.test", password=None, full_name="Racer")
        Membership.objects.create(user=user, role=Role.PARTNER_USER, partner=partner)
    return tenant, user


def run_round(number: int, tenant: Tenant, clients: list[Client]) -> Round:
    url = f"/api/v1/{tenant.slug}/deals/"
    body = json.dumps(
        {
            "title": f"Rollout {number}",
            "customer_name": f"Race Customer {number}",
            "customer_domain": f"race-{number}.example",
            "amount": "25000.00",
            "submit": True,
        }
    )
    result = Round()
    barrier = threading.Barrier(len(clients))
    lock = threading.Lock()

    def post(client: Client) -> None:
        try:
            barrier.wait()
            start = time.perf_counter()
            response = client.post(url, body, content_type="application/json")
            end = time.perf_counter()
            with lock:
                result.statuses.append(response.status_code)
                result.latencies_ms.append((end - start) * 1000)
                result.started.append(start)
                result.finished.append(end)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    with tenant_context(tenant):
        result.rows = Deal.objects.filter(customer_key=f"race-{number}.example").count()
    return result


def main() -> int:
    if connection.vendor != "postgresql":
        print("deal_registration_race: needs PostgreSQL (set DATABASE_URL); skipped on", connection.vendor)
        return 0
    # Each duplicate answers 409, which Django logs as a warning; 31 per round would bury the figures.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        tenant, user = setup_world()
        clients = []
        for _ in range(CLIENTS):
            client = Client()
            client.force_login(user)
            clients.append(client)
        rounds: list[Round] = []
        for number in range(1, ROUNDS + 1):
            result = run_round(number, tenant, clients)
            rounds.append(result)
            others = len(result.statuses) - result.created - result.duplicates
            print(
                f"round {number:2}: created {result.created:2}, 409 {result.duplicates:2}, other {others}, "
                f"deal rows {result.rows}   wall {result.wall_ms:7.1f} ms   request median "
                f"{statistics.median(result.latencies_ms):7.1f} ms  max {max(result.latencies_ms):7.1f} ms"
            )
        bad = [
            number
            for number, result in enumerate(rounds, start=1)
            if result.created != 1 or result.duplicates != CLIENTS - 1 or result.rows != 1
        ]
        walls = sorted(result.wall_ms for result in rounds)
        median = statistics.median(walls)
        figures = f"wall per round min/median/max {walls[0]:.0f}/{median:.0f}/{walls[-1]:.0f} ms"
        if bad:
            print(f"{CLIENTS} concurrent registrations x {ROUNDS} rounds: FAILED in rounds {bad}; {figures}")
            return 1
        verdict = "exactly one created every round"
        print(f"{CLIENTS} concurrent registrations x {ROUNDS} rounds: {verdict} ({figures})")
        return 0
    finally:
        connection.close()
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    sys.exit(main())

"""Request latency of a tenant page and an API list through the full middleware stack.

Prints the median and 95th percentile over repeated requests, on whatever database the environment
selects (SQLite by default, PostgreSQL with DATABASE_URL), so the cost of tenant resolution and of
the row-level-security sync can be compared between the two.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import get_runner, setup_test_environment  # noqa: E402

from prm.models import User  # noqa: E402

ROUNDS = 200


def measure(client: Client, url: str) -> tuple[float, float]:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95)]


def main() -> None:
    setup_test_environment()
    runner = get_runner(django.conf.settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        client = Client()
        client.force_login(User.objects.get(email="admin@acme.example"))
        engine = django.db.connection.vendor
        for url in ("/acme/members/", "/api/v1/acme/memberships/?page_size=100", "/acme/stages/sell/"):
            median, p95 = measure(client, url)
            print(f"{engine:10} GET {url:45} median {median:6.2f} ms  p95 {p95:6.2f} ms  ({ROUNDS} requests)")
    finally:
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    main()

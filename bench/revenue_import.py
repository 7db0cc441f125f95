"""Import of a 100,000-row revenue CSV for 10,000 customers, through the service the upload page uses.

Creates a throwaway database (the test runner's), a tenant with 10,000 customers (bulk), generates
the CSV, imports it in-process (the same `import_start` -> `import_run` as the pages, without a
worker) and prints rows, seconds and rows per second for checking and for writing. Target on this
2-core machine: the whole file in under 15 seconds on PostgreSQL (set DATABASE_URL).

    DATABASE_URL=postgres://prm@127.0.0.1:5432/prm PRM_TEST_DB_NAME=bench_prm_import \
        .venv/bin/python bench/revenue_import.py
"""

from __future__ import annotations

import csv
import io
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")

import django

django.setup()

from django.test.utils import get_runner, setup_test_environment  # noqa: E402

from prm.models import Membership, Role, Tenant, User  # noqa: E402
from prm.tenancy import tenant_context  # noqa: E402
from revenue import services_imports  # noqa: E402
from revenue.models import Customer, ImportStatus, RevenueEntry  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
CUSTOMERS = int(os.environ.get("BENCH_IMPORT_CUSTOMERS", "10000"))
TARGET_SECONDS = 15.0
STREAMS = ("new", "renewal", "upsell", "cross_sell", "services", "maintenance", "parts")


def revenue_csv(rng: random.Random) -> bytes:
    start = date(2023, 1, 1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "customer_ref",
            "date",
            "amount",
            "currency",
            "stream",
            "margin",
            "contract_start",
            "contract_end",
            "external_ref",
        ]
    )
    for number in range(ROWS):
        day = start + timedelta(days=rng.randrange(1000))
        stream = rng.choice(STREAMS)
        contract = stream in ("renewal", "maintenance")
        writer.writerow(
            [
                f"CRM-{rng.randrange(CUSTOMERS):05d}",
                day.isoformat(),
                f"{rng.uniform(50, 50_000):.2f}",
                "USD" if number % 3 else "",
                stream,
                "" if number % 4 else f"{rng.uniform(0.2, 0.8):.2f}",
                day.isoformat() if contract else "",
                (day + timedelta(days=364)).isoformat() if contract else "",
                f"INV-{number:07d}",
            ]
        )
    return out.getvalue().encode()


def main() -> None:
    setup_test_environment()
    runner = get_runner(django.conf.settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        run()
    finally:
        runner.teardown_databases(old_config)


def run() -> None:
    engine = django.db.connection.vendor
    rng = random.Random(4)  # noqa: S311  (test data, not secrets)
    tenant = Tenant.objects.create(slug="bench", name="Bench", currency="USD")
    with tenant_context(tenant):
        user = User.objects.create_user(email="staff@bench.test", password=None)
        actor = Membership.objects.create(user=user, role=Role.VENDOR_STAFF)
        began = time.perf_counter()
        Customer.objects.bulk_create(
            (
                Customer(
                    name=f"Customer {i}", name_key=f"customer {i}", domain=f"c{i}.example", external_ref=ref
                )
                for i, ref in ((i, f"CRM-{i:05d}") for i in range(CUSTOMERS))
            ),
            batch_size=5000,
        )
        setup = time.perf_counter() - began
        data = revenue_csv(rng)
        size = len(data) / 1e6
        print(
            f"{engine}: {CUSTOMERS:,} customers created in {setup:.2f} s; CSV of {ROWS:,} rows, {size:.1f} MB"
        )

        # In-process, as for a small file on the page; the phase boundary is where the check ends.
        services_imports.SYNC_MAX_ROWS = ROWS + 1
        marks: dict[str, float] = {}
        check = services_imports._check

        def timed_check(*args: Any, **kwargs: Any) -> int:
            result = check(*args, **kwargs)
            marks["checked"] = time.perf_counter()
            return result

        services_imports._check = timed_check  # type: ignore[assignment]
        began = time.perf_counter()
        job = services_imports.import_start(actor=actor, kind="revenue", file_name="bench.csv", data=data)
        ended = time.perf_counter()
        assert job.status == ImportStatus.SUCCEEDED, job.errors[:5]
        assert RevenueEntry.objects.filter(import_job_id=job.pk).count() == ROWS
    checking, writing, total = marks["checked"] - began, ended - marks["checked"], ended - began
    for label, seconds in (("upload + check", checking), ("write", writing), ("whole file", total)):
        print(f"{engine:10} {label:15} {ROWS:>8,} rows {seconds:7.2f} s {ROWS / seconds:>10,.0f} rows/s")
    verdict = "meets" if total < TARGET_SECONDS else "MISSES"
    print(f"{engine:10} {verdict} the target of {TARGET_SECONDS:.0f} s for the whole file")


if __name__ == "__main__":
    main()

"""Helpers of the import tests (no tests here): CSV bytes, starting an import as a role, customers."""

from __future__ import annotations

import csv
import io
from typing import Any

from prm.tenancy import tenant_context
from revenue.models import Customer, ImportJob
from revenue.services_imports import import_start
from tests.conftest import TenantWorld


def csv_bytes(rows: list[list[Any]], *, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def start(
    alpha: TenantWorld,
    kind: str,
    rows: list[list[Any]],
    *,
    name: str = "file.csv",
    role: str = "vendor_staff",
) -> ImportJob:
    with tenant_context(alpha.tenant):
        return import_start(actor=alpha.members[role], kind=kind, file_name=name, data=csv_bytes(rows))


def make_customers(alpha: TenantWorld, count: int, *, prefix: str = "CUST") -> list[Customer]:
    with tenant_context(alpha.tenant):
        return Customer.objects.bulk_create(
            Customer(
                name=f"Customer {i}",
                name_key=f"customer {i}",
                domain=f"c{i}.example",
                external_ref=f"{prefix}-{i}",
            )
            for i in range(count)
        )


def errors_of(job: ImportJob) -> list[tuple[int | None, str]]:
    return [(error["row"], error["column"]) for error in job.errors]

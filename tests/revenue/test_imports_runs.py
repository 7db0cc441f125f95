"""How an import runs: all or nothing when the write fails part-way, large files in the background
with progress, the same file refused twice, unusable uploads refused, a dead worker's job failed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections, transaction

from prm.models import AuditEvent
from prm.tenancy import tenant_context
from revenue import imports_writer, services_imports
from revenue.models import Attribution, Customer, ImportJob, ImportStatus, RecomputeMark, RevenueEntry
from revenue.selectors_imports import import_progress_percent
from revenue.services_customers import referral_code_create
from revenue.services_imports import ImportDuplicateError, import_run, import_start
from tests.conftest import TenantWorld, World, unscoped
from tests.revenue.test_imports_support import csv_bytes, make_customers, start

REVENUE_HEADER = ["customer_ref", "date", "amount", "stream", "referral_code"]


@pytest.fixture
def alpha(world: World) -> TenantWorld:
    return world.alpha


def revenue_rows(count: int, *, code: str = "") -> list[list[Any]]:
    return [REVENUE_HEADER] + [
        [f"CUST-{i % 4}", "2025-01-01", f"{i + 1}.00", "new", code] for i in range(count)
    ]


def reload(job: ImportJob) -> ImportJob:
    return unscoped(ImportJob).get(pk=job.pk)


def failing_on_batch(monkeypatch: pytest.MonkeyPatch, number: int) -> list[int]:
    """Batches of 5 rows, and the bulk writer raising on batch `number`; returns rows per batch written."""
    monkeypatch.setattr(imports_writer, "WRITE_BATCH", 5)
    written: list[int] = []
    real = imports_writer.write_batch

    def write(model: Any, objs: list[Any]) -> list[Any]:
        if len(written) + 1 == number:
            raise DatabaseError("could not extend file: No space left on device")
        created = real(model, objs)
        written.append(len(created))
        return created

    monkeypatch.setattr(imports_writer, "write_batch", write)
    return written


def assert_nothing_of(job: ImportJob) -> None:
    job = reload(job)
    assert job.status == ImportStatus.FAILED and job.imported_rows == 0
    assert "nothing was imported" in job.errors[0]["message"]
    assert not unscoped(RevenueEntry).filter(import_job_id=job.pk).exists()
    assert not unscoped(Attribution).filter(import_job_id=job.pk).exists()
    assert not unscoped(RecomputeMark).exists()
    verbs = list(
        unscoped(AuditEvent)
        .filter(object_id=str(job.pk), verb__startswith="import.")
        .values_list("verb", flat=True)
    )
    assert verbs == ["import.failed"]


@pytest.mark.django_db
def test_a_failure_after_some_batches_leaves_nothing(
    alpha: TenantWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_customers(alpha, 4)
    with tenant_context(alpha.tenant):
        referral_code_create(actor=None, partner=alpha.p1, code="P1-CODE")
    written = failing_on_batch(monkeypatch, 3)
    job = start(alpha, "revenue", revenue_rows(12, code="P1-CODE"))
    assert written == [5, 5]  # two batches were in the database when the third failed
    assert_nothing_of(job)


@pytest.mark.django_db(transaction=True)
def test_a_failure_rolls_back_a_real_transaction(alpha: TenantWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a test transaction too: what the write had sent is gone for every connection."""
    make_customers(alpha, 4)
    written = failing_on_batch(monkeypatch, 3)
    job = start(alpha, "revenue", revenue_rows(14))
    assert written == [5, 5]
    assert_nothing_of(job)


@pytest.mark.django_db
def test_a_failed_customers_write_keeps_no_customer(
    alpha: TenantWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_on_batch(monkeypatch, 2)
    job = start(alpha, "customers", [["name"]] + [[f"Company {i}"] for i in range(8)])
    assert reload(job).status == ImportStatus.FAILED
    assert not unscoped(Customer).exists()


@pytest.mark.django_db
def test_a_large_file_runs_in_the_background_task(
    alpha: TenantWorld, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from revenue.tasks import import_run_task

    make_customers(alpha, 4)
    monkeypatch.setattr(services_imports, "SYNC_MAX_ROWS", 5)
    monkeypatch.setattr(services_imports, "IMPORT_BATCH", 4)
    calls: list[dict[str, Any]] = []
    real_delay = import_run_task.delay

    def delay(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real_delay(**kwargs)

    monkeypatch.setattr(import_run_task, "delay", delay)
    with django_capture_on_commit_callbacks(execute=True):
        job = start(alpha, "revenue", revenue_rows(11))
        assert job.status == ImportStatus.PENDING and job.total_rows == 11
        assert import_progress_percent(job) == 0
    assert calls == [{"tenant_id": alpha.tenant.pk, "import_job_id": job.pk}]
    job = reload(job)
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert (job.processed_rows, job.imported_rows) == (11, 11)
    assert import_progress_percent(job) == 100
    assert job.started_at is not None and job.finished_at is not None
    assert unscoped(RevenueEntry).filter(import_job_id=job.pk).count() == 11


@pytest.mark.django_db
def test_the_same_file_is_refused_while_a_failed_one_may_come_again(alpha: TenantWorld) -> None:
    rows = [["name", "domain"], ["Initech", "initech.com"]]
    first = start(alpha, "customers", rows, name="crm.csv")
    assert first.status == ImportStatus.SUCCEEDED
    with pytest.raises(ImportDuplicateError) as refused:
        start(alpha, "customers", rows, name="renamed.csv")
    assert refused.value.earlier == first
    assert f"import #{first.pk}" in refused.value.message_dict["file"][0]
    bad = [["name", "domain"], ["Initech", "not a domain"]]
    assert start(alpha, "customers", bad).status == ImportStatus.FAILED
    assert start(alpha, "customers", bad).status == ImportStatus.FAILED  # allowed: it failed before
    with tenant_context(alpha.tenant):
        assert ImportJob.objects.count() == 3


@pytest.mark.django_db
def test_the_database_refuses_a_racing_duplicate(alpha: TenantWorld) -> None:
    job = start(alpha, "customers", [["name"], ["Initech"]])
    with tenant_context(alpha.tenant), pytest.raises(IntegrityError), transaction.atomic():
        ImportJob.objects.create(kind=job.kind, file_name="x.csv", sha256=job.sha256, content="")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("name\nCafé Müller\n".encode("latin-1"), "not UTF-8"),
        ("name\nInitech\n".encode("utf-16"), "not a CSV text file"),
        (b"name;domain\nInitech;initech.com\n", "semicolons"),
        (b"", "empty"),
        (b"name,domain\n", "no rows below its header"),
    ],
    ids=["latin-1", "utf-16", "semicolons", "empty", "header-only"],
)
@pytest.mark.django_db
def test_unusable_uploads_are_refused_before_any_job(alpha: TenantWorld, data: bytes, message: str) -> None:
    with tenant_context(alpha.tenant), pytest.raises(ValidationError) as refused:
        import_start(actor=alpha.members["vendor_admin"], kind="customers", file_name="x.csv", data=data)
    assert message in refused.value.message_dict["file"][0]
    assert not unscoped(ImportJob).exists()


@pytest.mark.django_db
def test_size_limit_kind_and_role(alpha: TenantWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services_imports, "MAX_BYTES", 10)
    with tenant_context(alpha.tenant):
        with pytest.raises(ValidationError) as refused:
            import_start(
                actor=alpha.members["vendor_admin"],
                kind="deals",
                file_name="x.csv",
                data=b"name\nA very long name\n",
            )
        assert set(refused.value.message_dict) == {"kind", "file"}
        with pytest.raises(PermissionDenied):
            import_start(
                actor=alpha.members["partner_admin"], kind="customers", file_name="x.csv", data=b"name\nA\n"
            )


@pytest.mark.django_db
def test_a_byte_order_mark_and_header_spelling_do_not_matter(alpha: TenantWorld) -> None:
    with tenant_context(alpha.tenant):
        job = import_start(
            actor=alpha.members["vendor_admin"],
            kind="customers",
            file_name="excel.csv",
            data=csv_bytes([["Name", "External Ref"], ["Initech", "CRM-1"]], bom=True),
        )
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert unscoped(Customer).get().external_ref == "CRM-1"


@pytest.mark.django_db
def test_a_job_left_running_by_a_dead_worker_is_failed(alpha: TenantWorld) -> None:
    with tenant_context(alpha.tenant):
        job = ImportJob.objects.create(
            kind="customers",
            file_name="x.csv",
            sha256="0" * 64,
            content="name\nA\n",
            total_rows=1,
            status=ImportStatus.RUNNING,
        )
        assert import_run(import_job_id=job.pk) == ImportStatus.FAILED
        job.refresh_from_db()
        assert job.errors[0]["message"] == services_imports.INTERRUPTED
        assert import_run(import_job_id=job.pk) == ImportStatus.FAILED  # and stays so
    assert not unscoped(Customer).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_job_another_worker_runs_is_left_alone(alpha: TenantWorld) -> None:
    with tenant_context(alpha.tenant):
        job = ImportJob.objects.create(
            kind="customers",
            file_name="x.csv",
            sha256="1" * 64,
            content="name\nA\n",
            total_rows=1,
            status=ImportStatus.RUNNING,
        )
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s::bigint)", [-job.pk])
            assert import_run(import_job_id=job.pk) == ImportStatus.RUNNING
            job.refresh_from_db()
            assert job.status == ImportStatus.RUNNING
        finally:
            other.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_of_the_write_is_visible_to_other_connections(
    alpha: TenantWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write is one transaction, yet a page polling from another connection sees it advance."""
    make_customers(alpha, 4)
    monkeypatch.setattr(imports_writer, "WRITE_BATCH", 5)
    monkeypatch.setattr(services_imports, "WRITE_BATCH", 5)
    seen: list[tuple[str, int, int]] = []
    real = imports_writer.write_batch
    observer = connections.create_connection(DEFAULT_DB_ALIAS)

    def write(model: Any, objs: list[Any]) -> list[Any]:
        with observer.cursor() as cursor:
            cursor.execute(
                "SELECT status, processed_rows, imported_rows FROM revenue_importjob WHERE tenant_id = %s",
                [alpha.tenant.pk],
            )
            seen.append(cursor.fetchone())
        return real(model, objs)

    monkeypatch.setattr(imports_writer, "write_batch", write)
    try:
        job = start(alpha, "revenue", revenue_rows(15))
    finally:
        observer.close()
    assert job.status == ImportStatus.SUCCEEDED
    assert seen == [("running", 15, 0), ("running", 15, 5), ("running", 15, 10)]
    assert connection.vendor == "postgresql"

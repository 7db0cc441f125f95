"""CSV imports: customers, revenue rows, attributions and partner costs from a vendor's CRM/ERP.

All or nothing. `import_run` first checks the whole file (every row, then the cross-row checks and
look-ups), collecting every error by row and column; a file with any error writes nothing. A clean
file is written in ONE transaction, in bulk batches, with one audit event for the job and one
recompute mark per affected partner. If the write fails part-way (a database error, a bug, the
worker killed), the transaction rolls back and the job is marked failed in a separate step.

Progress. The check phase runs outside any transaction, so the `processed_rows` update after each
batch commits at once and the page's progress bar sees it. The write phase is one transaction, and
an update of the job inside it would stay invisible until commit (and then jump to the end); so on
PostgreSQL the rows written so far (`imported_rows`) are reported through a second connection,
which commits on its own. SQLite has a single writer, so there the bar waits at the half-way mark
while writing (on SQLite imports run in the request anyway: the embedded demo has no worker).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone

from prm.audit import audit_record
from prm.context import require_tenant_id
from prm.models import Membership, Tenant
from prm.tenancy import tenant_context
from revenue.imports_attributions import AttributionImport
from revenue.imports_common import (
    IMPORT_BATCH,
    FileProblem,
    ImportConflict,
    ImportContext,
    KindImport,
    Problems,
    check_header,
    count_data_rows,
    decode_upload,
    missing_required,
    read_records,
)
from revenue.imports_costs import CostImport
from revenue.imports_customers import CustomerImport
from revenue.imports_revenue import RevenueImport
from revenue.imports_writer import WRITE_BATCH, BatchWriter
from revenue.models import ImportJob, ImportKind, ImportStatus
from revenue.services_common import Fields, require_vendor
from revenue.services_recompute import recompute_mark_partners

logger = logging.getLogger(__name__)

IMPORT_KINDS: dict[str, type[KindImport]] = {
    ImportKind.CUSTOMERS: CustomerImport,
    ImportKind.REVENUE: RevenueImport,
    ImportKind.ATTRIBUTIONS: AttributionImport,
    ImportKind.COSTS: CostImport,
}
MAX_BYTES: int = getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Files up to this many rows import in the request (the answer shows the result); larger ones in
# the background with a progress bar.
SYNC_MAX_ROWS = 2000
ACTIVE = (ImportStatus.PENDING, ImportStatus.RUNNING, ImportStatus.SUCCEEDED)
NOT_STARTED = (
    "The background import could not be started; nothing was imported. "
    "Upload the file again in a few minutes."
)
CONCURRENT = (
    "Rows of this file were created by someone else while it was imported; nothing was imported. "
    "Upload the file again to see which."
)
INTERRUPTED = (
    "The import was interrupted (its worker stopped) before it finished; nothing was imported. "
    "Upload the file again."
)


class ImportDuplicateError(ValidationError):
    """The same file (same bytes) of the same kind is already imported or importing."""

    def __init__(self, earlier: ImportJob) -> None:
        self.earlier = earlier
        when = timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M")
        state = "was already imported" if earlier.status == ImportStatus.SUCCEEDED else "is being imported"
        super().__init__({"file": f"This file {state} (import #{earlier.pk} of {when}); nothing was done."})


def import_start(*, actor: Membership, kind: str, file_name: str, data: bytes) -> ImportJob:
    """Take an uploaded file: refuse what is no usable CSV or a file already imported, else record
    the job and run it, here when small, else in the background. Returns the job as it now is."""
    require_vendor(actor, "imports files")
    errors = Fields()
    if kind not in IMPORT_KINDS:
        errors.add("kind", f"Choose what the file holds: {', '.join(IMPORT_KINDS)}.")
    text = ""
    if len(data) > MAX_BYTES:
        errors.add(
            "file",
            f"The file has {len(data) / 1_048_576:.1f} MB; the limit is {MAX_BYTES // 1_048_576} MB. "
            "Split it into smaller files.",
        )
    else:
        text = errors.parse("file", decode_upload, data) or ""
    total = count_data_rows(text) if text else 0
    if text and total == 0:
        errors.add("file", "The file has no rows below its header.")
    errors.raise_if_any()
    digest = hashlib.sha256(data).hexdigest()
    _refuse_duplicate(kind=kind, digest=digest)
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=kind,
                file_name=PurePath(str(file_name or "upload.csv").replace("\\", "/")).name[-255:]
                or "upload.csv",
                sha256=digest,
                content=text,
                total_rows=total,
                created_by=actor.user,
            )
    except IntegrityError:  # a concurrent upload of the same file won the race (import_same_file_once)
        _refuse_duplicate(kind=kind, digest=digest)
        raise
    if total <= SYNC_MAX_ROWS:
        import_run(import_job_id=job.pk)
    else:
        transaction.on_commit(partial(_enqueue, tenant_id=require_tenant_id(), import_job_id=job.pk))
    return ImportJob.objects.defer("content").select_related("created_by").get(pk=job.pk)


def _refuse_duplicate(*, kind: str, digest: str) -> None:
    earlier = ImportJob.objects.defer("content").filter(kind=kind, sha256=digest, status__in=ACTIVE).first()
    if earlier is not None:
        raise ImportDuplicateError(earlier)


def _enqueue(*, tenant_id: int, import_job_id: int) -> None:
    from revenue.tasks import import_run_task

    try:
        import_run_task.delay(tenant_id=tenant_id, import_job_id=import_job_id)
    except Exception:  # the broker is down: say so on the job rather than leave it waiting forever
        logger.exception("could not enqueue import %s", import_job_id)
        with tenant_context(tenant_id):
            job = ImportJob.objects.defer("content").get(pk=import_job_id)
            _finish_failed(job, message=NOT_STARTED)


def import_run(*, import_job_id: int) -> str:
    """Check and write one waiting job; returns its final status. Safe to run twice: only one run
    takes a job, and a job left running by a dead worker is marked failed (its write rolled back)."""
    with _runner_lock(import_job_id) as free:
        if not free:
            return ImportStatus.RUNNING  # another worker is running it right now
        job = _claim(import_job_id)
        if job is None:
            current = ImportJob.objects.filter(pk=import_job_id).values_list("status", flat=True).first()
            return str(current or ImportStatus.FAILED)
        return _run(job)


@contextmanager
def _runner_lock(import_job_id: int) -> Iterator[bool]:
    """On PostgreSQL a session lock held while a run lasts: a job marked running whose lock is free
    belongs to a dead worker. (SQLite deployments run imports in-process: nobody to race.)"""
    if connection.vendor != "postgresql":
        yield True
        return
    key = -int(import_job_id)  # negative keys: this module's namespace of advisory locks
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::bigint)", [key])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s::bigint)", [key])


def _claim(import_job_id: int) -> ImportJob | None:
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=import_job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=now, processed_rows=0, imported_rows=0
    )
    job = ImportJob.objects.select_related("created_by").filter(pk=import_job_id).first()
    if job is None or claimed:
        return job
    if job.status == ImportStatus.RUNNING:  # we hold the runner lock, so its last runner died
        _finish_failed(job, message=INTERRUPTED)
    return None


def _run(job: ImportJob) -> str:
    spec = IMPORT_KINDS[job.kind]
    problems = Problems(spec.column_names())
    membership = Membership.objects.filter(user_id=job.created_by_id).first() if job.created_by_id else None
    context = ImportContext(
        tenant=Tenant.objects.get(pk=require_tenant_id()),
        job_id=job.pk,
        actor=membership,
        user=job.created_by,
        problems=problems,
        today=timezone.localdate(),
    )
    importer = spec(context)
    # Called inside a transaction (an API request with an Idempotency-Key), the check gets a
    # savepoint, so a database error in it still leaves the transaction able to record the failure.
    checking = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with checking:
            rows = _check(job, importer, problems)
    except Exception:
        logger.exception("import %s failed while checking", job.pk)
        return _finish_failed(
            job, message="The import stopped while checking the file; nothing was imported."
        )
    if len(problems):
        return _finish_failed(job, problems=problems)
    progress = _WriteProgress(job)
    try:
        with transaction.atomic():
            partner_ids = importer.write(BatchWriter(on_progress=progress.update))
            recompute_mark_partners(partner_ids=partner_ids, reason=f"{job.kind} import")
            _finish_succeeded(job, rows=rows)
    except ImportConflict as conflict:
        return _finish_failed(job, problems=conflict.problems)
    except IntegrityError:
        logger.warning("import %s conflicted with a concurrent change", job.pk, exc_info=True)
        return _finish_failed(job, message=CONCURRENT)
    except Exception as error:  # a database error, a time limit, a bug: the transaction rolled back
        logger.exception("import %s failed while writing", job.pk)
        message = f"The import stopped while writing ({type(error).__name__}); nothing was imported."
        return _finish_failed(job, message=message)
    finally:
        progress.close()
    return ImportStatus.SUCCEEDED


def _check(job: ImportJob, importer: KindImport, problems: Problems) -> int:
    """Read every row; returns the number of data rows. Errors go to `problems`."""
    spec = type(importer)
    names: list[str | None] | None = None
    known: list[int] = []  # positions of the known columns (unknown ones are row-1 errors)
    rows = 0
    try:
        for number, cells in read_records(job.content):
            if names is None:
                names = check_header(spec, cells, problems)
                problems.silence(missing_required(spec, names))
                known = [index for index, name in enumerate(names) if name]
                continue
            if not "".join(cells).strip():
                continue
            rows += 1
            if len(cells) != len(names):
                problems.add(number, "", f"This row has {len(cells)} cells; the header has {len(names)}.")
            elif len(known) == len(names):
                importer.check_row(number, dict(zip(names, cells, strict=True)))  # type: ignore[arg-type]
            else:
                importer.check_row(number, {names[index]: cells[index] for index in known})  # type: ignore[misc]
            if rows % IMPORT_BATCH == 0:
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=rows)
    except FileProblem as error:
        problems.add(0, "", str(error))
    if names is None or rows == 0:
        problems.add(2, "", "The file has no rows below its header.")
    importer.check_file()
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=rows, total_rows=rows)
    job.total_rows = rows
    return rows


class _WriteProgress:
    """Rows written so far, committed through a second connection (see the module docstring).
    Best effort: a failure here only stops the reports, never the import."""

    def __init__(self, job: ImportJob) -> None:
        self.job_id, self.tenant_id = job.pk, job.tenant_id
        self.side: Any = None
        big = job.total_rows > WRITE_BATCH
        if big and connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def update(self, rows: int) -> None:
        if self.side is None:
            return
        try:
            with self.side.cursor() as cursor:
                # Never wait on the import's own transaction: progress can be skipped, not block it.
                cursor.execute("SET lock_timeout = '1s'")
                table = connection.ops.quote_name(ImportJob._meta.db_table)
                cursor.execute(
                    f"UPDATE {table} SET imported_rows = %s WHERE id = %s AND tenant_id = %s",  # noqa: S608
                    [rows, self.job_id, self.tenant_id],
                )
        except DatabaseError:
            logger.warning("progress of import %s not reported", self.job_id, exc_info=True)
            self.close()

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def _finish_succeeded(job: ImportJob, *, rows: int) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.SUCCEEDED,
        processed_rows=rows,
        imported_rows=rows,
        error_count=0,
        errors=[],
        finished_at=now,
    )
    audit_record(
        actor=job.created_by,
        verb="import.succeeded",
        obj=job,
        after={"kind": job.kind, "file_name": job.file_name, "rows": rows, "sha256": job.sha256},
    )


def _finish_failed(job: ImportJob, *, problems: Problems | None = None, message: str = "") -> str:
    """The separate step after a failed check or a rolled-back write: the job says why."""
    if problems is not None:
        errors, count = problems.first(), len(problems)
    else:
        errors, count = [{"row": None, "column": "", "message": message}], 1
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED,
        errors=errors,
        error_count=count,
        imported_rows=0,
        finished_at=timezone.now(),
    )
    audit_record(
        actor=job.created_by,
        verb="import.failed",
        obj=job,
        after={"kind": job.kind, "file_name": job.file_name, "error_count": count, "sha256": job.sha256},
    )
    return ImportStatus.FAILED

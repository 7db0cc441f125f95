"""Reads of the imports pages and API: the job list, a job's progress, the kinds' column docs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from prm.models import Membership
from revenue.imports_common import Column
from revenue.models import ImportJob, ImportKind, ImportStatus
from revenue.services_imports import IMPORT_KINDS, MAX_BYTES, SYNC_MAX_ROWS


def import_job_list(
    *, actor: Membership, kind: str = "", status: str = "", search: str = ""
) -> QuerySet[ImportJob]:
    """Newest first; imports are vendor-only. The file and the errors stay in the database."""
    if not actor.is_vendor:
        return ImportJob.objects.none()
    jobs = ImportJob.objects.defer("content", "errors").select_related("created_by")
    if kind:
        jobs = jobs.filter(kind=kind)
    if status:
        jobs = jobs.filter(status=status)
    if search:
        jobs = jobs.filter(file_name__icontains=search)
    return jobs.order_by("-created_at", "-id")


def import_progress_percent(job: ImportJob) -> int:
    """Checking the rows is the first half of the bar, writing them the second (see
    revenue.services_imports on why the write phase reports `imported_rows` on PostgreSQL only)."""
    if job.status == ImportStatus.SUCCEEDED:
        return 100
    if not job.total_rows:
        return 0
    return min(99, 100 * (job.processed_rows + job.imported_rows) // (2 * job.total_rows))


def import_phase(job: ImportJob) -> str:
    if job.status == ImportStatus.PENDING:
        return "Waiting for a worker"
    if job.status == ImportStatus.RUNNING:
        if job.processed_rows < job.total_rows:
            return f"Checking rows: {job.processed_rows:,} of {job.total_rows:,}"
        return f"Writing rows: {job.imported_rows:,} of {job.total_rows:,}"
    if job.status == ImportStatus.SUCCEEDED:
        return f"Imported {job.imported_rows:,} rows"
    return f"Failed with {job.error_count:,} error{'' if job.error_count == 1 else 's'}; nothing was imported"


def import_is_active(job: ImportJob) -> bool:
    return job.status in (ImportStatus.PENDING, ImportStatus.RUNNING)


@dataclass(frozen=True)
class KindDoc:
    kind: str
    label: str
    columns: tuple[Column, ...]
    one_of: tuple[str, ...]


def import_kind_docs() -> list[KindDoc]:
    return [
        KindDoc(kind=kind, label=ImportKind(kind).label, columns=spec.columns, one_of=spec.one_of)
        for kind, spec in IMPORT_KINDS.items()
    ]


def import_template_rows(*, kind: str) -> list[list[str]]:
    return IMPORT_KINDS[kind].template_rows()


def import_limits() -> dict[str, int]:
    return {"max_megabytes": MAX_BYTES // 1_048_576, "sync_max_rows": SYNC_MAX_ROWS}

"""CSV imports: one job per uploaded file. The file is kept in the row so any worker can process it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from prm.tenancy import TenantScopedModel


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", "Customers"
    REVENUE = "revenue", "Revenue rows"
    ATTRIBUTIONS = "attributions", "Attributions"
    COSTS = "costs", "Partner costs"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Importing"
    SUCCEEDED = "succeeded", "Imported"
    FAILED = "failed", "Failed, nothing imported"


class ImportJob(TenantScopedModel):
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    content = models.TextField()
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The first errors as [{"row": 3, "column": "amount", "message": "..."}]; error_count has them all.
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same file imports once per kind; a second upload is refused, even when racing.
            models.UniqueConstraint(
                fields=["tenant", "kind", "sha256"],
                condition=models.Q(status__in=["pending", "running", "succeeded"]),
                name="import_same_file_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.file_name}"

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.SUCCEEDED:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(100 * self.processed_rows / self.total_rows))

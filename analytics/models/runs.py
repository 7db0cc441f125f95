"""Recompute runs and the population models they fitted.

A refit run fits every segment's population parameters (SegmentFit rows, the current ones flagged
`is_current`) and rescores every customer and partner; a recompute run rescores only the partners a
ledger change touched, with the current fits (no refit). Runs are idempotent: they overwrite results.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from prm.tenancy import TenantScopedModel


class RunKind(models.TextChoices):
    REFIT = "refit", "Refit and rescore everything"
    RECOMPUTE = "recompute", "Rescore changed partners"


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Nightly schedule"
    MANUAL = "manual", "Requested by a vendor admin"
    LEDGER = "ledger", "Ledger change"
    SETUP = "setup", "Demo or command"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class LtvRun(TenantScopedModel):
    kind = models.CharField(max_length=20, choices=RunKind.choices)
    trigger = models.CharField(max_length=20, choices=RunTrigger.choices)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0 to 100.")
    step = models.CharField(max_length=120, blank=True, help_text="What the run is doing now.")
    as_of = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"load": 0.41, "fit": 0.22, ...} seconds per step, in the order they ran.
    timings = models.JSONField(default=dict, blank=True)
    # [{"population": "transactional", "segment": "type:reseller", "model": "bgnbd", "pooled": false,
    #   "customers": 412, "reason": "..."}]: which model served which segment.
    segments = models.JSONField(default=list, blank=True)
    partners_computed = models.PositiveIntegerField(default=0)
    customers_scored = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One refit at a time per tenant: a second request joins the active one.
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(kind="refit", status__in=["queued", "running"]),
                name="ltv_one_active_refit",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="ltv_run_progress_max_100"),
        ]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} run {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SegmentFit(TenantScopedModel):
    """One fitted population model for one segment of one population.

    population: "transactional" (BG/NBD-family counts + Gamma-Gamma spend), "subscription" (sBG) or
    "partners" (sBG on partner tenure). segment: "pooled" or "type:<partner type>".
    `served_by_pooled` segments have no fit of their own: their customers use the pooled row."""

    run = models.ForeignKey(LtvRun, on_delete=models.CASCADE, related_name="fits")
    is_current = models.BooleanField(default=True)
    population = models.CharField(max_length=20)
    segment = models.CharField(max_length=60)
    model = models.CharField(max_length=20, help_text="bgnbd, pareto_nbd, mbgnbd or sbg.")
    params = models.JSONField(default=dict)
    std_errors = models.JSONField(default=dict)
    covariance = models.JSONField(default=list, help_text="Of the log-parameters, in `params` order.")
    log_likelihood = models.FloatField()
    converged = models.BooleanField(default=True)
    customers = models.PositiveIntegerField()
    # Gamma-Gamma spend model of the transactional population: {"params": {...}, "std_errors": {...},
    # "covariance": [...], "customers_used": n}; empty for the others.
    spend = models.JSONField(default=dict, blank=True)
    # Calibration vs holdout for the model-quality page: {"calibration_end": "...", "weeks": [...],
    # "actual": [...], "predicted": [...], "holdout_actual": x, "holdout_predicted": y}.
    quality = models.JSONField(default=dict, blank=True)
    fitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["population", "segment"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "population", "segment"],
                condition=models.Q(is_current=True),
                name="ltv_one_current_fit_per_segment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} for {self.population}/{self.segment}"

"""The outbox between the ledgers and the LTV engine: "partner X needs recompute".

Ledger services write a mark in the same transaction as the change (so nothing is lost if the broker
is down) and enqueue one debounced task after commit; the task takes the marks of its tenant.
"""

from __future__ import annotations

from django.db import models

from partners.models import Partner
from prm.tenancy import TenantScopedModel


class RecomputeMark(TenantScopedModel):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    dirty_since = models.DateTimeField(null=True, blank=True, help_text="Unset once a recompute took it.")
    last_change_at = models.DateTimeField()
    last_reason = models.CharField(max_length=200)
    changes = models.PositiveIntegerField(default=0)
    taken_at = models.DateTimeField(null=True, blank=True)
    takes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_change_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner"], name="recompute_mark_per_partner")
        ]

    def __str__(self) -> str:
        return f"recompute partner {self.partner_id}"

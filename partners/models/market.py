"""Market: joint campaigns and market development funds (request -> approve -> claim -> reimburse)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from partners.models.core import Partner
from prm.tenancy import TenantScopedModel

POSITIVE = [MinValueValidator(Decimal("0.01"))]


class Campaign(TenantScopedModel):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    goal = models.CharField(max_length=300)
    budget = models.DecimalField(max_digits=14, decimal_places=2, validators=POSITIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MdfStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CLAIMED = "claimed", "Claimed"
    REIMBURSED = "reimbursed", "Reimbursed"


class MdfRequest(TenantScopedModel):
    """Market development funds. The database refuses a claim or payment above the approval."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="mdf_requests")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="mdf_requests"
    )
    purpose = models.CharField(max_length=300)
    amount_requested = models.DecimalField(max_digits=14, decimal_places=2, validators=POSITIVE)
    amount_approved = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    amount_claimed = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    claim_proof = models.TextField(
        blank=True, help_text="What proves the spend: invoice numbers, links, results."
    )
    status = models.CharField(max_length=20, choices=MdfStatus.choices, default=MdfStatus.REQUESTED)
    decision_reason = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    reimbursed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_approved__isnull=True) | models.Q(amount_approved__gt=0),
                name="mdf_approved_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_claimed__isnull=True)
                | models.Q(amount_approved__isnull=False, amount_claimed__lte=models.F("amount_approved")),
                name="mdf_claim_within_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"MDF #{self.pk}: {self.purpose}"[:200]

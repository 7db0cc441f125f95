"""Deal registrations: a partner claims a customer opportunity, staff approve it, it closes.

    draft --submit--> submitted --approve--> approved --win/lose--> won | lost
                      submitted --reject---> rejected        approved --(window passes)--> expired

A deal with no partner is a direct opportunity of the vendor's own sales team: created approved, it
only blocks partner registrations of the same customer (conflict detection) and closes won/lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partners.models import Partner
from prm.tenancy import TenantScopedModel
from revenue.models.customers import Customer


class DealStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    EXPIRED = "expired", "Expired"


# Registrations that still hold (or claim) a customer: the ones conflicts are checked against.
OPEN_DEAL_STATUSES = (DealStatus.SUBMITTED, DealStatus.APPROVED)


class ExtensionStatus(models.TextChoices):
    NONE = "", "None"
    REQUESTED = "requested", "Requested"
    GRANTED = "granted", "Granted"
    DENIED = "denied", "Denied"


class Deal(TenantScopedModel):
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    title = models.CharField(max_length=200)
    customer_name = models.CharField(max_length=200)
    customer_domain = models.CharField(max_length=253, blank=True)
    # The normalised domain, else the normalised name: one open registration per partner and key.
    customer_key = models.CharField(max_length=253, editable=False)
    name_key = models.CharField(max_length=200, editable=False)
    country = models.CharField(max_length=2, blank=True)
    stream = models.CharField(max_length=20, default="new")
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="Expected deal value.")
    expected_close_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=DealStatus.choices, default=DealStatus.DRAFT)
    decision_reason = models.CharField(max_length=500, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    protection_ends_at = models.DateTimeField(null=True, blank=True)
    extension_status = models.CharField(
        max_length=20, choices=ExtensionStatus.choices, default=ExtensionStatus.NONE, blank=True
    )
    extension_reason = models.CharField(max_length=500, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly one open registration per partner and customer, whoever races to create it.
            models.UniqueConstraint(
                fields=["tenant", "partner", "customer_key"],
                condition=models.Q(status__in=["draft", "submitted", "approved"], partner__isnull=False),
                name="deal_one_open_per_partner_customer",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="deal_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status"]),
            models.Index(fields=["tenant", "customer_key"]),
            models.Index(fields=["tenant", "partner", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_direct(self) -> bool:
        return self.partner_id is None


class DealEvent(TenantScopedModel):
    """The deal's history as partners and staff see it: every transition, who, when and why."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} on deal {self.deal_id}"


class ConflictStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ConflictCase(TenantScopedModel):
    """A submitted deal that names a customer another open registration (or a direct opportunity)
    already holds. Staff pick the winner with a reason both partners see; by default the earlier
    valid submission (UTC) wins."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="conflicts")
    other_deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="conflicts_as_other")
    match_kind = models.CharField(max_length=20, help_text="domain or name")
    match_score = models.DecimalField(max_digits=4, decimal_places=3, default=1)
    status = models.CharField(max_length=20, choices=ConflictStatus.choices, default=ConflictStatus.OPEN)
    winner = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolution_reason = models.CharField(max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "deal", "other_deal"], name="conflict_once_per_pair"),
        ]

    def __str__(self) -> str:
        return f"Conflict #{self.pk}"

"""The ledgers LTV is computed from. Rows are facts: never edited, corrected by reversal rows.

- RevenueEntry: one revenue event of a customer, with its stream and the gross margin in force.
- Attribution: which partner gets credit for a customer (or one revenue row), sourced or influenced,
  with a weight and effective dates; a change ends the old row and starts a new one, so any past
  state can be read back as of a date.
- PartnerCost: what a partner costs the vendor (MDF payments and acquisition entries of the partners
  app are read alongside, not copied).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from partners.models import Partner
from prm.models import REVENUE_STREAMS
from prm.tenancy import TenantScopedModel
from revenue.models.customers import Customer, ReferralCode
from revenue.models.deals import Deal

# The streams are the platform's shared vocabulary (prm.models.REVENUE_STREAMS); one definition.
Stream = models.TextChoices(  # type: ignore[call-overload, misc]
    "Stream", [(key, (key, label)) for key, label in REVENUE_STREAMS]
)


class ImmutableRowError(RuntimeError):
    pass


class LedgerRow(TenantScopedModel):
    """A fact of a ledger: never edited; each concrete row has a `reverses` key to the row it cancels."""

    class Meta:
        abstract = True

    @property
    def reversed_by(self) -> Any:
        """The reversal row cancelling this one, or None. Lists prefetch `reversals` to keep it free."""
        rows = list(self.reversals.all())  # type: ignore[attr-defined]
        return rows[0] if rows else None

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRowError(f"{type(self).__name__} rows are never edited; record a reversal.")
        super().save(*args, **kwargs)


class RevenueEntry(LedgerRow):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="revenue")
    occurred_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    stream = models.CharField(max_length=20, choices=Stream.choices)
    margin = models.DecimalField(max_digits=5, decimal_places=4, help_text="Gross margin, 0 to 1.")
    margin_is_default = models.BooleanField(default=False)
    contract_start = models.DateField(null=True, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.PROTECT, related_name="revenue")
    # At most one reversal per row (a unique constraint below); `reversals` is the reverse side.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    reason = models.CharField(max_length=500, blank=True, help_text="Why a reversal was recorded.")
    external_ref = models.CharField(max_length=100, blank=True)
    import_job = models.ForeignKey(
        "revenue.ImportJob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(reverses__isnull=True, amount__gt=0))
                | models.Q(reverses__isnull=False, amount__lt=0),
                name="revenue_positive_unless_reversal",
            ),
            models.UniqueConstraint(
                fields=["tenant", "reverses"],
                condition=models.Q(reverses__isnull=False),
                name="revenue_reversed_once",
            ),
            models.CheckConstraint(
                condition=models.Q(margin__gte=0, margin__lte=1), name="revenue_margin_between_0_and_1"
            ),
            models.CheckConstraint(
                condition=models.Q(contract_end__isnull=True)
                | models.Q(contract_start__isnull=False, contract_end__gte=models.F("contract_start")),
                name="revenue_contract_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "customer", "occurred_on"]),
            models.Index(fields=["tenant", "occurred_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.stream} {self.amount} {self.currency} on {self.occurred_on}"


class AttributionKind(models.TextChoices):
    SOURCED = "sourced", "Sourced"
    INFLUENCED = "influenced", "Influenced"


class AttributionSource(models.TextChoices):
    DEAL = "deal", "Deal registration"
    REFERRAL_CODE = "referral_code", "Referral code"
    MARKETPLACE = "marketplace", "Marketplace listing"
    MANUAL = "manual", "Manual entry"


class Attribution(TenantScopedModel):
    """Credit of one partner for a customer (or for one revenue row when `revenue_entry` is set).

    In force on day d when effective_from <= d and (effective_to is null or d < effective_to).
    Only `effective_to` is ever written after creation (ending a version)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="attributions")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="attributions")
    revenue_entry = models.ForeignKey(
        RevenueEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="attributions"
    )
    kind = models.CharField(max_length=20, choices=AttributionKind.choices)
    weight = models.DecimalField(max_digits=5, decimal_places=4)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=AttributionSource.choices)
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    referral_code = models.ForeignKey(
        ReferralCode, null=True, blank=True, on_delete=models.PROTECT, related_name="attributions"
    )
    marketplace_ref = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # At most one successor per version (a unique constraint below); `successors` is the reverse side.
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successors"
    )
    import_job = models.ForeignKey(
        "revenue.ImportJob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0, weight__lte=1), name="attribution_weight_in_0_1"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gt=models.F("effective_from")),
                name="attribution_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(source="manual", reason=""), name="attribution_manual_has_reason"
            ),
            models.UniqueConstraint(
                fields=["tenant", "supersedes"],
                condition=models.Q(supersedes__isnull=False),
                name="attribution_superseded_once",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "customer", "kind"]),
            models.Index(fields=["tenant", "partner"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.weight} to partner {self.partner_id}"

    @property
    def superseded_by(self) -> Any:
        """The version that replaced this one, or None. Lists prefetch `successors` to keep it free."""
        rows = list(self.successors.all())
        return rows[0] if rows else None


class CostKind(models.TextChoices):
    SUPPORT = "support", "Support"
    MDF = "mdf", "MDF paid"
    INCENTIVE = "incentive", "Incentives paid"
    ENABLEMENT = "enablement", "Enablement"
    ACQUISITION = "acquisition", "Acquisition"


class PartnerCost(LedgerRow):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="costs")
    kind = models.CharField(max_length=20, choices=CostKind.choices)
    incurred_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    description = models.CharField(max_length=300)
    # At most one reversal per row (a unique constraint below); `reversals` is the reverse side.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    external_ref = models.CharField(max_length=100, blank=True)
    import_job = models.ForeignKey(
        "revenue.ImportJob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-incurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(reverses__isnull=True, amount__gt=0))
                | models.Q(reverses__isnull=False, amount__lt=0),
                name="cost_positive_unless_reversal",
            ),
            models.UniqueConstraint(
                fields=["tenant", "reverses"],
                condition=models.Q(reverses__isnull=False),
                name="cost_reversed_once",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner", "incurred_on"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} on {self.incurred_on}"

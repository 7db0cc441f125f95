"""Partner organisations, their segments, programs and tiers, and the history of stage and tier."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from prm.models import Stage
from prm.tenancy import TenantScopedModel

__all__ = [
    "AcquisitionCost",
    "Partner",
    "PartnerSegment",
    "PartnerStatus",
    "PartnerType",
    "Program",
    "Segment",
    "Stage",
    "StageChange",
    "Tier",
    "TierChange",
]


class PartnerType(models.TextChoices):
    RESELLER = "reseller", "Reseller"
    REFERRAL = "referral", "Referral"
    SERVICES = "services", "Implementation / services"
    TECHNOLOGY = "technology", "Technology / ISV"
    DISTRIBUTOR = "distributor", "Distributor"


class PartnerStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    CHURNED = "churned", "Churned"
    TERMINATED = "terminated", "Terminated"


class Segment(TenantScopedModel):
    """A vendor-defined persona (e.g. "MSP, mid-market"); a partner may be in several."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="segment_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class Program(TenantScopedModel):
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False, help_text="New partners join this program.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="program_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class Tier(TenantScopedModel):
    """A rung of a program's ladder; `rank` orders them (1 = entry tier)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(max_length=60)
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    benefits = models.TextField(blank=True)

    class Meta:
        ordering = ["program_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "program", "rank"], name="tier_rank_unique_per_program"
            ),
            models.UniqueConstraint(
                fields=["tenant", "program", "name"], name="tier_name_unique_per_program"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Partner(TenantScopedModel):
    name = models.CharField(max_length=200)
    partner_type = models.CharField(max_length=20, choices=PartnerType.choices)
    status = models.CharField(max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.PROSPECT)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.RECRUIT)
    website_domain = models.CharField(max_length=253, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code")
    segments = models.ManyToManyField(Segment, blank=True, related_name="partners", through="PartnerSegment")
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="partners"
    )
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="partners")
    tier_overridden = models.BooleanField(
        default=False, help_text="Set by a manual override; automatic tier evaluation leaves it alone."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The channel manager responsible for this partner.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The distributor this reseller buys through (two-tier distribution).",
    )
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="partner_name_unique_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(joined_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="partner_left_after_joined",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "stage"]), models.Index(fields=["tenant", "partner_type"])]

    def __str__(self) -> str:
        return self.name


class PartnerSegment(TenantScopedModel):
    """Explicit link table so the membership of a segment carries the tenant (and its RLS policy)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "segment"], name="partner_segment_unique")
        ]


class StageChange(TenantScopedModel):
    """One move of a partner between lifecycle stages: who, when, why."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class TierChange(TenantScopedModel):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(Tier, null=True, on_delete=models.SET_NULL, related_name="+")
    to_tier = models.ForeignKey(Tier, null=True, on_delete=models.SET_NULL, related_name="+")
    is_override = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class AcquisitionCost(TenantScopedModel):
    """What it cost to recruit a partner (CAC): events, recruiting fees, onboarding support."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="acquisition_costs")
    incurred_on = models.DateField()
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    description = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-incurred_on", "-id"]

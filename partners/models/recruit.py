"""Strategize and Recruit: the ideal partner profile of a program and the prospects scored against it."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from partners.models.core import Partner, PartnerType, Program, Segment
from prm.tenancy import TenantScopedModel


class IdealProfile(TenantScopedModel):
    """The partner a program wants; prospects are scored against its weighted criteria."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="ideal_profiles")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "program"], name="one_ideal_profile_per_program")
        ]

    def __str__(self) -> str:
        return self.name


class CriterionKind(models.TextChoices):
    PARTNER_TYPE = "partner_type", "Partner type"
    SEGMENT = "segment", "Segment"
    COUNTRY = "country", "Country"
    SIZE = "size", "Company size (employees)"
    CAPABILITY = "capability", "Capability"


class ProfileCriterion(TenantScopedModel):
    """One weighted test: `values` lists what matches (types, segment ids, country codes,
    capabilities); for size, `min_value`/`max_value` bound the employee count."""

    profile = models.ForeignKey(IdealProfile, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(max_length=20, choices=CriterionKind.choices)
    values = models.JSONField(default=list, blank=True)
    min_value = models.PositiveIntegerField(null=True, blank=True)
    max_value = models.PositiveIntegerField(null=True, blank=True)
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["-weight", "id"]


class ProspectStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    CONVERTED = "converted", "Converted"
    REJECTED = "rejected", "Rejected"


class Prospect(TenantScopedModel):
    name = models.CharField(max_length=200)
    website_domain = models.CharField(max_length=253, blank=True)
    country = models.CharField(max_length=2, blank=True)
    partner_type = models.CharField(max_length=20, choices=PartnerType.choices)
    segments = models.ManyToManyField(
        Segment, blank=True, related_name="prospects", through="ProspectSegment"
    )
    employees = models.PositiveIntegerField(null=True, blank=True)
    capabilities = models.JSONField(default=list, blank=True)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="prospects")
    status = models.CharField(max_length=20, choices=ProspectStatus.choices, default=ProspectStatus.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=1, default=Decimal("0"))
    score_explanation = models.JSONField(default=list, blank=True)
    converted_partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="converted_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="prospect_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class ProspectSegment(TenantScopedModel):
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="+")
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "prospect", "segment"], name="prospect_segment_unique")
        ]

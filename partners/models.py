"""Partner organisations. The partners issue grows this app; the foundation needs the organisation
itself because partner roles are bound to one."""

from __future__ import annotations

from django.db import models

from prm.models import Stage
from prm.tenancy import TenantScopedModel

__all__ = ["Partner", "PartnerStatus", "PartnerType", "Stage"]


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


class Partner(TenantScopedModel):
    name = models.CharField(max_length=200)
    partner_type = models.CharField(max_length=20, choices=PartnerType.choices)
    status = models.CharField(max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.PROSPECT)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.RECRUIT)
    website_domain = models.CharField(max_length=253, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="partner_name_unique_per_tenant")
        ]
        indexes = [models.Index(fields=["tenant", "stage"]), models.Index(fields=["tenant", "partner_type"])]

    def __str__(self) -> str:
        return self.name

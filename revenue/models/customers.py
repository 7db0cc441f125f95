"""Customers (the end accounts partners sell to) and the partners' referral codes and tracked links."""

from __future__ import annotations

from django.db import models

from partners.models import Partner, Segment
from prm.tenancy import TenantScopedModel


class CustomerSize(models.TextChoices):
    SMALL = "small", "Small (1-99)"
    MEDIUM = "medium", "Medium (100-999)"
    LARGE = "large", "Large (1,000-9,999)"
    ENTERPRISE = "enterprise", "Enterprise (10,000+)"


class Customer(TenantScopedModel):
    """An end account. `domain` is normalised (see revenue.matching) and unique per tenant when set;
    `name_key` is the normalised name the fuzzy duplicate check compares."""

    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    domain = models.CharField(max_length=253, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code")
    industry = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=20, choices=CustomerSize.choices, blank=True)
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    persona = models.CharField(max_length=100, blank=True, help_text="Buyer persona, e.g. IT director.")
    external_ref = models.CharField(
        max_length=100, blank=True, help_text="The customer's id in your CRM/ERP; imports match on it."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "domain"], condition=~models.Q(domain=""), name="customer_domain_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="customer_external_ref_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReferralCode(TenantScopedModel):
    """A code a partner hands out; quoted on an imported row or in the API it attributes the customer
    to the partner. Its tracked link counts clicks and forwards to `landing_url`."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="referral_codes")
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=120, blank=True)
    landing_url = models.URLField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="referral_code_unique")]

    def __str__(self) -> str:
        return self.code


class ReferralClick(TenantScopedModel):
    code = models.ForeignKey(ReferralCode, on_delete=models.CASCADE, related_name="clicks")
    clicked_at = models.DateTimeField(auto_now_add=True)
    referrer = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-clicked_at"]
        indexes = [models.Index(fields=["tenant", "code", "clicked_at"])]

    def __str__(self) -> str:
        return f"click on {self.code_id}"

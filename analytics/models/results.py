"""LTV results: customer scores, partner LTV (one current row per partner) and dated snapshots.

Money is in the tenant's currency. Partner values are present values at the partner's start
(`valued_from`), discounted at the tenant's annual rate: realised margin to date, the predicted
residual margin of its existing book, and the expected value of the customers it will still bring,
minus its costs. `ltv_low`/`ltv_high` bound the 90% interval.
"""

from __future__ import annotations

from django.db import models

from partners.models import Partner
from prm.tenancy import TenantScopedModel
from revenue.models import Customer


def money_field(**kwargs: str) -> models.DecimalField:
    return models.DecimalField(max_digits=16, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class Population(models.TextChoices):
    TRANSACTIONAL = "transactional", "Repeat business (orders, parts, services)"
    SUBSCRIPTION = "subscription", "Subscriptions and contracts"


class LtvParts(TenantScopedModel):
    """The LTV and its parts: ltv = realised + predicted + future - costs, in [ltv_low, ltv_high]."""

    ltv = money_field()
    ltv_low = money_field()
    ltv_high = money_field()
    realised = money_field()
    predicted = money_field(help_text="Residual margin of the existing book.")
    future = money_field(help_text="Customers it is still expected to bring.")
    costs = money_field()

    class Meta:
        abstract = True


class CustomerValue(TenantScopedModel):
    """A customer's score in one population (a customer with both kinds of revenue has two rows)."""

    # A refit rewrites every row of the tenant, and each index and key check costs that write. The
    # unique (tenant, customer, population) index serves lookups by tenant and by customer, and fits
    # are never deleted (the run history keeps them), so no key gets an index of its own. Nor does
    # the database check the customer and fit keys: these rows are derived, written only by the
    # engine from ids it read from the tenant's own ledgers and fits, and a scored customer has
    # revenue rows whose checked, protecting key already keeps it from being deleted; a check here
    # would lock every customer row of the tenant (a write and a WAL record each) on every refit.
    tenant = models.ForeignKey(
        "prm.Tenant", on_delete=models.CASCADE, related_name="+", editable=False, db_index=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    population = models.CharField(max_length=20, choices=Population.choices)
    segment = models.CharField(max_length=60)
    fit = models.ForeignKey(
        "analytics.SegmentFit",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    first_on = models.DateField()
    last_on = models.DateField()
    # RFM in weeks (transactional) or renewals survived / contract length (subscription).
    frequency = models.PositiveIntegerField()
    recency = models.FloatField()
    age = models.FloatField()
    monetary = models.FloatField(help_text="Mean margin per repeat period (or per contract period).")
    p_alive = models.FloatField()
    expected_transactions = models.FloatField(help_text="Expected transactions in the next 52 weeks.")
    realised_margin = money_field()
    predicted_margin = money_field(help_text="Residual margin, present value at as-of.")
    clv = money_field(help_text="Realised + predicted, present value at first purchase.")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["customer_id", "population"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "customer", "population"], name="ltv_customer_value_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.population} CLV of customer {self.customer_id}"


class PartnerLtv(LtvParts):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey("analytics.LtvRun", null=True, on_delete=models.SET_NULL, related_name="+")
    as_of = models.DateField()
    valued_from = models.DateField(help_text="Values are present values at this date.")
    acquisition_costs = money_field()
    # {"<stream>": {"realised": x, "predicted": y}} and {"sourced"|"influenced": {...}} as floats.
    by_stream = models.JSONField(default=dict)
    by_kind = models.JSONField(default=dict)
    # {"support": x, "mdf": y, ...}
    costs_by_kind = models.JSONField(default=dict)
    customers = models.PositiveIntegerField(default=0)
    expected_active_customers = models.FloatField(default=0)
    median_remaining_years = models.FloatField(
        null=True,
        blank=True,
        help_text="Years until the partner is as likely gone as not (partner survival).",
    )
    new_customers_per_year = models.FloatField(default=0)
    ltv_cac = models.FloatField(null=True, blank=True)
    payback_months = models.FloatField(null=True, blank=True)
    nrr = models.FloatField(null=True, blank=True)
    grr = models.FloatField(null=True, blank=True)
    customer_churn = models.FloatField(null=True, blank=True)
    churn_risk = models.FloatField(default=0, help_text="0 (safe) to 1 (likely to go inactive).")
    # [{"code": "ltv_falling", "text": "LTV fell 18% in 90 days", "weight": 0.4}]
    churn_reasons = models.JSONField(default=list)
    # [{"population": ..., "segment": ..., "model": ..., "pooled": bool}]
    models_used = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-ltv", "partner_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "partner"], name="ltv_partner_once")]

    def __str__(self) -> str:
        return f"LTV of partner {self.partner_id}"


class PartnerLtvSnapshot(LtvParts):
    """The partner's LTV as it stood on a day (rewritten by later runs of the same day)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    taken_on = models.DateField()
    churn_risk = models.FloatField(default=0)

    class Meta:
        ordering = ["partner_id", "taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "taken_on"], name="ltv_snapshot_per_day")
        ]

    def __str__(self) -> str:
        return f"LTV of partner {self.partner_id} on {self.taken_on}"


class TenantLtvSnapshot(LtvParts):
    """The tenant's totals and book metrics on a day."""

    taken_on = models.DateField()
    partners = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)
    nrr = models.FloatField(null=True, blank=True)
    grr = models.FloatField(null=True, blank=True)
    customer_churn = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "taken_on"], name="ltv_tenant_snapshot_per_day")
        ]

    def __str__(self) -> str:
        return f"tenant LTV on {self.taken_on}"

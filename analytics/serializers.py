"""Serializers of the LTV API: a partner's current LTV row, and the runs that computed it.

Money is a decimal string with two places, as in the revenue API, including the per-stream,
per-kind and per-cost-kind parts (the engine stores those as floats). Ratios (NRR, GRR, churn,
churn risk) are numbers between 0 and 1 (NRR may pass 1); unknown ratios are null.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from analytics.models import LtvRun, PartnerLtv, RunKind, RunStatus, RunTrigger
from revenue.api_common import enum_field

MONEY = {"max_digits": 16, "decimal_places": 2, "coerce_to_string": True}
RunKindField = enum_field("LtvRunKindEnum", RunKind.choices)
RunTriggerField = enum_field("LtvRunTriggerEnum", RunTrigger.choices)
RunStatusField = enum_field("LtvRunStatusEnum", RunStatus.choices)


class MoneyPartsSerializer(serializers.Serializer):
    """Realised margin to date and predicted residual margin of one part of the LTV."""

    realised = serializers.DecimalField(**MONEY, default=0)
    predicted = serializers.DecimalField(**MONEY, default=0)

    def to_representation(self, instance: Any) -> Any:
        parts = instance if isinstance(instance, dict) else {}
        return super().to_representation(
            {"realised": parts.get("realised", 0), "predicted": parts.get("predicted", 0)}
        )


class ChurnReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ltv_falling, customers_fading, no_recent_deal, never_sold, ...")
    text = serializers.CharField()
    weight = serializers.FloatField(help_text="Its share of the churn risk.")


class ModelUsedSerializer(serializers.Serializer):
    population = serializers.CharField(help_text="transactional, subscription or partners.")
    segment = serializers.CharField(help_text='"pooled" or "type:<partner type>".')
    model = serializers.CharField(help_text="bgnbd, pareto_nbd, mbgnbd or sbg.")
    pooled = serializers.BooleanField(
        help_text="True when the segment had too few customers for its own fit."
    )


class SegmentServedSerializer(ModelUsedSerializer):
    customers = serializers.IntegerField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class PartnerLtvSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    ltv = serializers.DecimalField(**MONEY, help_text="Point estimate, present value at `valued_from`.")
    ltv_low = serializers.DecimalField(**MONEY, help_text="Lower bound of the 90% interval.")
    ltv_high = serializers.DecimalField(**MONEY, help_text="Upper bound of the 90% interval.")
    realised = serializers.DecimalField(**MONEY, help_text="Realised discounted margin to date.")
    predicted = serializers.DecimalField(**MONEY, help_text="Residual margin of the existing book.")
    future = serializers.DecimalField(**MONEY, help_text="Customers it is still expected to bring.")
    costs = serializers.DecimalField(**MONEY, help_text="All its costs, present value.")
    acquisition_costs = serializers.DecimalField(**MONEY)
    by_stream = serializers.DictField(child=MoneyPartsSerializer(), help_text="Parts per revenue stream.")
    by_kind = serializers.DictField(child=MoneyPartsSerializer(), help_text="sourced and influenced parts.")
    costs_by_kind = serializers.DictField(
        child=serializers.DecimalField(**MONEY), help_text="Costs per kind."
    )
    churn_reasons = ChurnReasonSerializer(many=True, help_text="Strongest first.")
    models_used = ModelUsedSerializer(many=True)

    class Meta:
        model = PartnerLtv
        fields = [
            "partner",
            "partner_name",
            "ltv",
            "ltv_low",
            "ltv_high",
            "realised",
            "predicted",
            "future",
            "costs",
            "acquisition_costs",
            "by_stream",
            "by_kind",
            "costs_by_kind",
            "customers",
            "ltv_cac",
            "payback_months",
            "nrr",
            "grr",
            "customer_churn",
            "churn_risk",
            "churn_reasons",
            "models_used",
            "valued_from",
            "as_of",
            "computed_at",
        ]
        read_only_fields = fields


class LtvRunSerializer(serializers.ModelSerializer):
    kind = RunKindField(choices=RunKind.choices, read_only=True)
    trigger = RunTriggerField(choices=RunTrigger.choices, read_only=True)
    status = RunStatusField(choices=RunStatus.choices, read_only=True)
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)
    timings = serializers.DictField(
        child=serializers.FloatField(), read_only=True, help_text="Seconds per step, in the order they ran."
    )
    segments = SegmentServedSerializer(
        many=True, read_only=True, help_text="Which model served which segment."
    )

    class Meta:
        model = LtvRun
        fields = [
            "id",
            "kind",
            "trigger",
            "status",
            "progress",
            "step",
            "as_of",
            "created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
            "timings",
            "segments",
            "partners_computed",
            "customers_scored",
            "error",
        ]
        read_only_fields = fields


class LtvRunRequestSerializer(serializers.Serializer):
    """The body of a recompute request: nothing to send (an empty JSON object)."""


class LtvRunRequestedSerializer(LtvRunSerializer):
    joined_active_run = serializers.SerializerMethodField(
        help_text="True (and status 200) when a refit was already queued or running "
        "and this request joined it."
    )

    class Meta(LtvRunSerializer.Meta):
        fields = [*LtvRunSerializer.Meta.fields, "joined_active_run"]
        read_only_fields = fields

    def get_joined_active_run(self, run: LtvRun) -> bool:
        return bool(self.context.get("joined"))

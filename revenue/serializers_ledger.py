"""Serializers of the ledger API: customers, referral codes, revenue rows, attributions, costs.

Read serializers render rows as they are (ledger rows never change; a reversal is its own row and
`reversed_by` points at it). Write serializers check types and the ids a body names (field errors);
the services check everything else and answer with errors keyed by the same field names.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from revenue.api_common import MONEY, BodyIdField, enum_field, partner_field
from revenue.models import (
    Attribution,
    AttributionKind,
    AttributionSource,
    CostKind,
    Customer,
    Deal,
    PartnerCost,
    ReferralCode,
    RevenueEntry,
    Stream,
)
from revenue.models.customers import CustomerSize

WEIGHT = {"max_digits": 5, "decimal_places": 4}
CustomerSizeField = enum_field("CustomerSizeEnum", CustomerSize.choices)
StreamField = enum_field("RevenueStreamEnum", Stream.choices)
AttributionKindField = enum_field("AttributionKindEnum", AttributionKind.choices)
AttributionSourceField = enum_field("AttributionSourceEnum", AttributionSource.choices)
CostKindField = enum_field("CostKindEnum", CostKind.choices)


class ReferralCodeField(serializers.SlugRelatedField):
    """A referral code named by its text (case does not matter); unknown codes are field errors."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"does_not_exist": "No such referral code {value}."})
        super().__init__(slug_field="code", queryset=ReferralCode.objects, **kwargs)  # type: ignore[attr-defined]

    def get_queryset(self) -> Any:
        return ReferralCode.objects.all()  # type: ignore[attr-defined]

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(str(data).strip().upper())


# --- customers and referral codes -------------------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    segment_name = serializers.CharField(source="segment.name", read_only=True, default=None)
    size = CustomerSizeField(choices=CustomerSize.choices, read_only=True, allow_blank=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "domain",
            "country",
            "industry",
            "size",
            "segment",
            "segment_name",
            "persona",
            "external_ref",
            "created_at",
        ]
        read_only_fields = fields


class CustomerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    domain = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Website; stored as e.g. example.com."
    )
    country = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ISO 3166-1 alpha-2 code."
    )
    industry = serializers.CharField(required=False, allow_blank=True, default="")
    size = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="small, medium, large or enterprise."
    )
    segment = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="Segment id.")
    persona = serializers.CharField(required=False, allow_blank=True, default="")
    external_ref = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The customer's id in your CRM/ERP."
    )


class CustomerCreateSerializer(CustomerWriteSerializer):
    referral_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="A partner's active referral code: the customer is credited to that partner (sourced).",
    )


class ReferralCodeSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    click_count = serializers.IntegerField(read_only=True, help_text="Visits of the tracked link.")
    attribution_count = serializers.IntegerField(read_only=True, help_text="Credits this code created.")

    class Meta:
        model = ReferralCode
        fields = [
            "id",
            "partner",
            "partner_name",
            "code",
            "label",
            "landing_url",
            "is_active",
            "click_count",
            "attribution_count",
            "created_at",
        ]
        read_only_fields = fields


class ReferralCodeCreateSerializer(serializers.Serializer):
    partner = partner_field(
        required=False,
        allow_null=True,
        help_text="Vendor roles: the partner's id. A partner admin: leave out (your organisation).",
    )
    code = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Leave blank for a generated code."
    )
    label = serializers.CharField(required=False, allow_blank=True, default="")
    landing_url = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Where the tracked link forwards to."
    )


class ReferralCodeUpdateSerializer(serializers.Serializer):
    is_active = serializers.BooleanField()


# --- revenue ----------------------------------------------------------------------------------------


class RevenueEntrySerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    deal = serializers.SerializerMethodField(
        help_text="The deal this revenue closed (shown to a partner only when it is its own deal)."
    )
    reversed_by = serializers.IntegerField(
        source="reversed_by.pk",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The reversal row that cancels this one, if any.",
    )
    stream = StreamField(choices=Stream.choices, read_only=True)

    class Meta:
        model = RevenueEntry
        fields = [
            "id",
            "customer",
            "customer_name",
            "occurred_on",
            "amount",
            "currency",
            "stream",
            "margin",
            "margin_is_default",
            "contract_start",
            "contract_end",
            "deal",
            "reverses",
            "reversed_by",
            "reason",
            "external_ref",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_deal(self, entry: RevenueEntry) -> int | None:
        actor, deal = self.context.get("actor"), entry.deal
        if deal is None or actor is None:
            return entry.deal_id
        if actor.is_partner and deal.partner_id != actor.own_partner_id:
            return None  # another partner's registration is not this partner's business
        return entry.deal_id


class RevenueCreateSerializer(serializers.Serializer):
    customer = BodyIdField(model=Customer, label_text="customer")
    occurred_on = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Blank: the tenant's currency."
    )
    stream = serializers.CharField(
        help_text="new, renewal, upsell, cross_sell, services, maintenance or parts (labels work too)."
    )
    margin = serializers.DecimalField(
        **WEIGHT,
        required=False,
        allow_null=True,
        default=None,
        help_text="Gross margin 0-1; blank takes the tenant's default for the stream.",
    )
    contract_start = serializers.DateField(required=False, allow_null=True, default=None)
    contract_end = serializers.DateField(required=False, allow_null=True, default=None)
    external_ref = serializers.CharField(required=False, allow_blank=True, default="")
    deal = BodyIdField(model=Deal, label_text="deal", required=False, allow_null=True, default=None)
    referral_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="A partner's active referral code: credits the customer (or this row) to its partner.",
    )


class ReversalSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, allow_blank=True, help_text="Why the row is reversed; kept in the audit trail."
    )


# --- attributions -----------------------------------------------------------------------------------


class AttributionSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    referral_code = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    kind = AttributionKindField(choices=AttributionKind.choices, read_only=True)
    superseded_by = serializers.IntegerField(
        source="superseded_by.pk",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The version that replaced this one, if any.",
    )
    source = AttributionSourceField(choices=AttributionSource.choices, read_only=True)

    class Meta:
        model = Attribution
        fields = [
            "id",
            "partner",
            "partner_name",
            "customer",
            "customer_name",
            "revenue_entry",
            "kind",
            "weight",
            "effective_from",
            "effective_to",
            "source",
            "deal",
            "referral_code",
            "marketplace_ref",
            "reason",
            "supersedes",
            "superseded_by",
            "created_at",
        ]
        read_only_fields = fields


class AttributionCreateSerializer(serializers.Serializer):
    partner = partner_field()
    customer = BodyIdField(model=Customer, label_text="customer")
    revenue_entry = BodyIdField(
        model=RevenueEntry,
        label_text="revenue row",
        required=False,
        allow_null=True,
        default=None,
        help_text="Credit for this one revenue row instead of the whole customer.",
    )
    kind = serializers.CharField(help_text="sourced or influenced.")
    weight = serializers.DecimalField(**WEIGHT, help_text="Above 0, at most 1.")
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="First day no longer in force."
    )
    source = serializers.CharField(help_text="deal, referral_code, marketplace or manual.")
    deal = BodyIdField(model=Deal, label_text="deal", required=False, allow_null=True, default=None)
    referral_code = ReferralCodeField(required=False, allow_null=True, default=None)
    marketplace_ref = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required for manual entries."
    )


class AttributionEndSerializer(serializers.Serializer):
    effective_to = serializers.DateField(help_text="First day the credit is no longer in force.")
    reason = serializers.CharField(max_length=500, allow_blank=True)


class AttributionChangeWeightSerializer(serializers.Serializer):
    weight = serializers.DecimalField(**WEIGHT)
    effective_from = serializers.DateField(help_text="First day of the new weight.")
    reason = serializers.CharField(max_length=500, allow_blank=True)


# --- costs ------------------------------------------------------------------------------------------


class CostSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    reversed_by = serializers.IntegerField(
        source="reversed_by.pk",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Its reversal, if any.",
    )
    kind = CostKindField(choices=CostKind.choices, read_only=True)

    class Meta:
        model = PartnerCost
        fields = [
            "id",
            "partner",
            "partner_name",
            "kind",
            "incurred_on",
            "amount",
            "description",
            "reverses",
            "reversed_by",
            "external_ref",
            "created_at",
        ]
        read_only_fields = fields


class CostCreateSerializer(serializers.Serializer):
    partner = partner_field()
    kind = serializers.CharField(help_text="support, mdf, incentive, enablement or acquisition.")
    incurred_on = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)
    description = serializers.CharField(max_length=300)
    external_ref = serializers.CharField(required=False, allow_blank=True, default="")

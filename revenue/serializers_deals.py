"""Serializers of the deals API: deal registrations, their history, conflict cases, action bodies.

Request bodies carry choice values as plain strings where the service validates them (the schema
then keeps one enum per choice set). A partner's view of a conflict case never names the other
side: only its own deal, the match, the outcome and the reason both partners see.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from revenue.api_common import MONEY, enum_field, partner_field
from revenue.models import ConflictCase, ConflictStatus, Deal, DealEvent, DealStatus, ExtensionStatus
from revenue.services_deals import conflict_default_winner

DealStatusField = enum_field("DealStatusEnum", DealStatus.choices)
ExtensionStatusField = enum_field("DealExtensionStatusEnum", ExtensionStatus.choices)
ConflictStatusField = enum_field("ConflictStatusEnum", ConflictStatus.choices)
OUTCOMES = [
    ("pending", "Not decided yet"),
    ("won", "Your registration won"),
    ("lost", "Your registration lost"),
]
ConflictOutcomeField = enum_field("ConflictOutcomeEnum", OUTCOMES)

DEAL_FIELDS = [
    "id",
    "partner",
    "partner_name",
    "is_direct",
    "customer",
    "title",
    "customer_name",
    "customer_domain",
    "country",
    "stream",
    "amount",
    "expected_close_on",
    "notes",
    "status",
    "decision_reason",
    "submitted_at",
    "approved_at",
    "protection_ends_at",
    "extension_status",
    "extension_reason",
    "closed_on",
    "open_conflicts",
    "created_at",
    "updated_at",
]


class DealEventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor.email", read_only=True, default=None)

    class Meta:
        model = DealEvent
        fields = ["id", "action", "from_status", "to_status", "actor", "reason", "created_at"]
        read_only_fields = fields


class DealSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)
    is_direct = serializers.BooleanField(
        read_only=True, help_text="A direct opportunity of the vendor's own sales team (no partner)."
    )
    customer = serializers.IntegerField(
        source="customer_id", read_only=True, allow_null=True, help_text="The customer, once the deal is won."
    )
    open_conflicts = serializers.IntegerField(
        read_only=True, help_text="Open conflict cases this registration is part of."
    )
    status = DealStatusField(choices=DealStatus.choices, read_only=True)
    extension_status = ExtensionStatusField(choices=ExtensionStatus.choices, read_only=True)

    class Meta:
        model = Deal
        fields = DEAL_FIELDS
        read_only_fields = fields


class DealDetailSerializer(DealSerializer):
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)
    events = DealEventSerializer(many=True, read_only=True, help_text="The deal's history, oldest first.")

    class Meta:
        model = Deal
        fields = [*DEAL_FIELDS, "created_by", "events"]
        read_only_fields = fields


class DealWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    customer_name = serializers.CharField(max_length=200)
    customer_domain = serializers.CharField(required=False, allow_blank=True, default="")
    country = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ISO 3166-1 alpha-2 code."
    )
    stream = serializers.CharField(
        required=False,
        default="new",
        help_text="Revenue stream: new, renewal, upsell, cross_sell, services, maintenance or parts.",
    )
    amount = serializers.DecimalField(**MONEY, help_text="Expected deal value.")
    expected_close_on = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class DealCreateSerializer(DealWriteSerializer):
    partner = partner_field(
        required=False,
        allow_null=True,
        help_text="Partner roles: leave out (your organisation). Vendor roles: the partner's id, or "
        "null for a direct opportunity of your own sales team.",
    )
    submit = serializers.BooleanField(
        required=False, default=False, help_text="Submit at once instead of keeping a draft."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, help_text="Both sides see it.")


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DealWinSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        **MONEY, required=False, allow_null=True, default=None, help_text="Defaults to the deal's value."
    )
    closed_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Default today."
    )
    margin = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        required=False,
        allow_null=True,
        default=None,
        help_text="Gross margin 0-1; defaults to the tenant's margin for the stream.",
    )
    contract_start = serializers.DateField(required=False, allow_null=True, default=None)
    contract_end = serializers.DateField(required=False, allow_null=True, default=None)


class DealLoseSerializer(ReasonSerializer):
    closed_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Default today."
    )


class ExtensionDecisionSerializer(OptionalReasonSerializer):
    grant = serializers.BooleanField(help_text="true grants the extension; false denies it (give a reason).")


class DuplicateRegistrationSerializer(serializers.Serializer):
    """The 409 answer to a second open registration of the same customer by the same partner."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text="Always duplicate_registration.")
    existing = serializers.IntegerField(
        allow_null=True, help_text="The open registration that holds the customer, when you may see it."
    )


# --- conflicts --------------------------------------------------------------------------------------


class ConflictDealSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)
    status = DealStatusField(choices=DealStatus.choices, read_only=True)

    class Meta:
        model = Deal
        fields = [
            "id",
            "partner",
            "partner_name",
            "title",
            "customer_name",
            "customer_domain",
            "country",
            "amount",
            "status",
            "submitted_at",
            "created_at",
        ]
        read_only_fields = fields


class ConflictSerializer(serializers.ModelSerializer):
    """The vendor's view: both registrations side by side, the default winner, the decision."""

    deal = ConflictDealSerializer(
        read_only=True, help_text="The registration whose submission opened the case."
    )
    other_deal = ConflictDealSerializer(read_only=True, help_text="The registration it collides with.")
    default_winner = serializers.SerializerMethodField(
        help_text="Who wins if staff do not pick: the first valid submission (UTC)."
    )
    resolved_by = serializers.EmailField(source="resolved_by.email", read_only=True, default=None)
    status = ConflictStatusField(choices=ConflictStatus.choices, read_only=True)

    class Meta:
        model = ConflictCase
        fields = [
            "id",
            "status",
            "match_kind",
            "match_score",
            "deal",
            "other_deal",
            "default_winner",
            "winner",
            "resolution_reason",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_default_winner(self, case: ConflictCase) -> int:
        return conflict_default_winner(case).pk


class DealSummarySerializer(serializers.ModelSerializer):
    """A partner's own registration, as its side of a conflict case shows it."""

    status = DealStatusField(choices=DealStatus.choices, read_only=True)

    class Meta:
        model = Deal
        fields = ["id", "title", "customer_name", "customer_domain", "status", "submitted_at"]
        read_only_fields = fields


class PartnerConflictSerializer(serializers.ModelSerializer):
    """A partner's view: its own registration and the outcome; the other side stays anonymous."""

    status = ConflictStatusField(choices=ConflictStatus.choices, read_only=True)
    deal = serializers.SerializerMethodField(help_text="Your registration in this case.")
    outcome = serializers.SerializerMethodField(help_text="How it ended for your registration.")

    class Meta:
        model = ConflictCase
        fields = [
            "id",
            "status",
            "match_kind",
            "deal",
            "outcome",
            "resolution_reason",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields

    def _own(self, case: ConflictCase) -> Deal:
        own_partner = self.context["actor"].own_partner_id
        return case.deal if case.deal.partner_id == own_partner else case.other_deal

    @extend_schema_field(DealSummarySerializer)
    def get_deal(self, case: ConflictCase) -> dict[str, Any]:
        return DealSummarySerializer(self._own(case)).data

    @extend_schema_field(ConflictOutcomeField(choices=OUTCOMES))
    def get_outcome(self, case: ConflictCase) -> str:
        if case.status == ConflictStatus.OPEN or case.winner_id is None:
            return "pending"
        return "won" if case.winner_id == self._own(case).pk else "lost"


class ConflictResolveSerializer(serializers.Serializer):
    winner = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of the winning registration (one of the two); leave out for the default winner.",
    )
    reason = serializers.CharField(max_length=500, allow_blank=True, help_text="Both partners see it.")

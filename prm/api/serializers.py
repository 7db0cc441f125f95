from __future__ import annotations

from rest_framework import serializers

from prm.models import AuditEvent, Membership, Role


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "partner", "partner_name", "is_active", "created_at"]
        read_only_fields = fields


class MembershipInviteSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices)
    partner = serializers.IntegerField(required=False, allow_null=True, default=None)


class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    tenant = serializers.CharField()
    role = serializers.CharField()
    partner = serializers.IntegerField(allow_null=True)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor.email", read_only=True, default=None)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "actor",
            "verb",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "created_at",
        ]
        read_only_fields = fields

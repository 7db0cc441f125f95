"""Enablement API: the training catalogue, training completions, a partner's onboarding checklist and
ticking its steps. Thin: parse, access, service; the same services back the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from partners import services_enablement, services_enablement_training
from partners.access import access_partner_by_id
from partners.access_enablement import access_checklist_item_by_id, access_training_by_id
from partners.models import ChecklistItem, Training, TrainingCompletion, TrainingKind
from partners.selectors_enablement import (
    COMPLETION_STATUSES,
    checklist_items,
    checklist_progress,
    completion_list,
    training_list,
)
from prm.access import access_membership_by_id
from prm.api.base import TenantAPIMixin, TenantListAPIView
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Role

MEMBERS = VENDOR_ROLES | PARTNER_ROLES


class TrainingSerializer(serializers.ModelSerializer):
    people = serializers.IntegerField(read_only=True, default=0, help_text="People who completed it.")

    class Meta:
        model = Training
        fields = ["id", "name", "kind", "description", "validity_days", "is_active", "people"]
        read_only_fields = fields


class TrainingCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=TrainingKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    validity_days = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class TrainingCompletionSerializer(serializers.ModelSerializer):
    training_name = serializers.CharField(source="training.name", read_only=True)
    person_email = serializers.EmailField(source="person.user.email", read_only=True)
    status = serializers.CharField(read_only=True, help_text="current, expiring (within 30 days) or expired")

    class Meta:
        model = TrainingCompletion
        fields = [
            "id",
            "training",
            "training_name",
            "partner",
            "person",
            "person_email",
            "completed_on",
            "expires_on",
            "status",
        ]
        read_only_fields = fields


class TrainingCompletionCreateSerializer(serializers.Serializer):
    training = serializers.IntegerField()
    person = serializers.IntegerField(help_text="Membership id of a partner's person.")
    completed_on = serializers.DateField()


class ChecklistItemSerializer(serializers.ModelSerializer):
    completed_by = serializers.EmailField(source="completed_by.email", read_only=True, default=None)
    is_overdue = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "partner",
            "title",
            "owner_side",
            "due_on",
            "position",
            "completed_at",
            "completed_by",
            "is_overdue",
        ]
        read_only_fields = fields


class ChecklistSerializer(serializers.Serializer):
    partner = serializers.IntegerField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()
    items = ChecklistItemSerializer(many=True)


class TrainingListView(TenantListAPIView):
    """The catalogue: every member reads it (partners only what is on offer); vendor admins add to it."""

    roles_by_method = {"GET": MEMBERS, "POST": frozenset({Role.VENDOR_ADMIN})}
    serializer_class = TrainingSerializer
    filter_fields = {"kind": "kind", "is_active": "is_active"}
    filter_choices = {"kind": set(TrainingKind.values), "is_active": {"true", "false"}}
    search_fields = ("name", "description")

    def get_queryset(self) -> QuerySet[Training]:
        return training_list(actor=self.request.membership)  # type: ignore[attr-defined]

    @extend_schema(request=TrainingCreateSerializer, responses={201: TrainingSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        payload = TrainingCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        training = services_enablement_training.training_create(
            actor=request.membership,  # type: ignore[attr-defined]
            **payload.validated_data,
        )
        return Response(TrainingSerializer(training).data, status=status.HTTP_201_CREATED)


class TrainingCompletionListView(TenantListAPIView):
    """Vendor roles see every completion, partner roles their own people's. The vendor's team records
    for anyone's people, a partner admin for its own."""

    roles_by_method = {"GET": MEMBERS, "POST": VENDOR_ROLES | {Role.PARTNER_ADMIN}}
    serializer_class = TrainingCompletionSerializer
    filter_fields = {"training": "training_id", "partner": "partner_id", "person": "person_id"}
    search_fields = ("person__user__email", "person__user__full_name", "training__name")

    def get_queryset(self) -> QuerySet[TrainingCompletion]:
        # `status` is computed from the expiry date, so it is filtered here rather than as a field.
        wanted = self.request.query_params.get("status", "")
        statuses = {value for value, _ in COMPLETION_STATUSES}
        if wanted and wanted not in statuses:
            raise serializers.ValidationError({"status": f"Must be one of: {', '.join(sorted(statuses))}."})
        return completion_list(
            actor=self.request.membership,  # type: ignore[attr-defined]
            today=timezone.localdate(),
            status=wanted,
        )

    @extend_schema(request=TrainingCompletionCreateSerializer, responses={201: TrainingCompletionSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        actor = request.membership  # type: ignore[attr-defined]
        payload = TrainingCompletionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        completion = services_enablement_training.training_completion_record(
            actor=actor,
            training=access_training_by_id(actor=actor, training_id=data["training"]),
            person=access_membership_by_id(actor=actor, membership_id=data["person"]),
            completed_on=data["completed_on"],
        )
        created = completion_list(actor=actor, today=timezone.localdate()).get(pk=completion.pk)
        return Response(TrainingCompletionSerializer(created).data, status=status.HTTP_201_CREATED)


class PartnerChecklistView(TenantAPIMixin, GenericAPIView):
    """One partner's onboarding checklist with its progress; partner roles only their own."""

    roles_by_method = {"GET": MEMBERS}
    serializer_class = ChecklistSerializer

    def get(self, request: Request, tenant_slug: str, pk: int) -> Response:
        partner = access_partner_by_id(actor=request.membership, partner_id=pk)  # type: ignore[attr-defined]
        items = checklist_items(partner=partner, today=timezone.localdate())
        progress = checklist_progress(items)
        data: dict[str, Any] = {
            "partner": partner.pk,
            "done": progress.done,
            "total": progress.total,
            "overdue": progress.overdue,
            "items": items,
        }
        return Response(ChecklistSerializer(data).data)


class ChecklistItemCompleteView(TenantAPIMixin, GenericAPIView):
    """Mark a step done: vendor roles any step, a partner's people their own partner-side steps."""

    roles_by_method = {"POST": MEMBERS}
    serializer_class = ChecklistItemSerializer

    @extend_schema(request=None, responses={200: ChecklistItemSerializer})
    def post(self, request: Request, tenant_slug: str, pk: int) -> Response:
        actor = request.membership  # type: ignore[attr-defined]
        item = access_checklist_item_by_id(actor=actor, item_id=pk)
        item = services_enablement.checklist_item_complete(actor=actor, item=item)
        return Response(ChecklistItemSerializer(item).data)

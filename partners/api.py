"""Partner API: list/create, read/update, stage moves, segments. Thin: parse, access, one service.

Partner roles read only their own organisation; writes are for the vendor's team (segments: vendor
admins). Services raise Django's errors, which the API answers as 400 / 403."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from partners.access import access_partner_by_id
from partners.models import Partner, PartnerStatus, PartnerType, Segment, Stage
from partners.selectors import partner_directory_list, segment_list
from partners.services_core import partner_create, partner_move_stage, partner_update, segment_create
from prm.api.base import TenantAPIMixin, TenantListAPIView, TenantRetrieveAPIView
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Membership, Role

MEMBERS = VENDOR_ROLES | PARTNER_ROLES


class PartnerSerializer(serializers.ModelSerializer):
    segments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    owner_email = serializers.EmailField(source="owner.email", read_only=True, default=None)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "partner_type",
            "status",
            "stage",
            "program",
            "tier",
            "tier_overridden",
            "segments",
            "owner",
            "owner_email",
            "parent",
            "website_domain",
            "country",
            "joined_on",
            "left_on",
            "created_at",
        ]
        read_only_fields = fields


class PartnerWriteSerializer(serializers.Serializer):
    """Create: name and partner_type are required. Update (partial): any of the fields; stage and
    status are accepted only to explain that they have their own endpoints."""

    name = serializers.CharField(max_length=200)
    partner_type = serializers.ChoiceField(choices=PartnerType.choices)
    website_domain = serializers.CharField(max_length=300, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    program = serializers.IntegerField(required=False, allow_null=True)
    segments = serializers.ListField(child=serializers.IntegerField(), required=False)
    owner = serializers.IntegerField(required=False, allow_null=True, help_text="User id of a vendor member.")
    parent = serializers.IntegerField(required=False, allow_null=True, help_text="Id of a distributor.")
    joined_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=PartnerStatus.choices, required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)

    RENAMES = {"program": "program_id", "segments": "segment_ids", "owner": "owner_id", "parent": "parent_id"}

    def service_fields(self) -> dict[str, Any]:
        return {self.RENAMES.get(key, key): value for key, value in self.validated_data.items()}


class StageMoveSerializer(serializers.Serializer):
    # A plain string: the service refuses an unknown stage (under "stage"), and the schema keeps one
    # enum for the stages instead of a second name for the same choice set.
    to_stage = serializers.CharField(max_length=20, help_text="One of: " + ", ".join(Stage.values) + ".")
    reason = serializers.CharField(max_length=500)


class SegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Segment
        fields = ["id", "name", "description"]
        read_only_fields = ["id"]


# Exact filters on ids must be numbers; the ORM would otherwise fail with a 500.
ID_FILTERS = ("program", "tier", "owner", "parent")


class PartnerListView(TenantListAPIView):
    roles_by_method = {"GET": MEMBERS, "POST": VENDOR_ROLES}
    serializer_class = PartnerSerializer
    filter_fields = {
        "partner_type": "partner_type",
        "stage": "stage",
        "status": "status",
        "program": "program_id",
        "tier": "tier_id",
        "owner": "owner_id",
        "parent": "parent_id",
    }
    filter_choices = {
        "partner_type": set(PartnerType.values),
        "stage": set(Stage.values),
        "status": set(PartnerStatus.values),
    }
    search_fields = ("name", "website_domain")
    ordering_fields = ["name", "created_at"]

    def get_queryset(self) -> QuerySet[Partner]:
        for param in ID_FILTERS:
            value = self.request.query_params.get(param, "")
            if value and not value.isdigit():
                raise APIValidationError({param: "Must be an id (a whole number)."})
        return partner_directory_list(actor=self.request.membership)  # type: ignore[attr-defined]

    @extend_schema(request=PartnerWriteSerializer, responses={201: PartnerSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        payload = PartnerWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        partner = partner_create(actor=request.membership, **payload.service_fields())  # type: ignore[attr-defined]
        return Response(PartnerSerializer(_reload(request.membership, partner.pk)).data, status=201)  # type: ignore[attr-defined]


def _reload(actor: Membership, partner_id: int) -> Partner:
    """The partner as the list shows it, with its segments, after a write."""
    return partner_directory_list(actor=actor).get(pk=partner_id)


class PartnerDetailView(TenantRetrieveAPIView):
    roles_by_method = {"GET": MEMBERS, "PATCH": VENDOR_ROLES}
    serializer_class = PartnerSerializer

    def get_object(self) -> Partner:
        actor: Membership = self.request.membership  # type: ignore[attr-defined]
        access_partner_by_id(actor=actor, partner_id=self.kwargs["pk"])
        return _reload(actor, self.kwargs["pk"])

    @extend_schema(request=PartnerWriteSerializer, responses={200: PartnerSerializer})
    def patch(self, request: Request, tenant_slug: str, pk: int) -> Response:
        actor: Membership = request.membership  # type: ignore[attr-defined]
        partner = access_partner_by_id(actor=actor, partner_id=pk)
        payload = PartnerWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        partner_update(actor=actor, partner=partner, **payload.service_fields())
        return Response(PartnerSerializer(_reload(actor, partner.pk)).data)


class PartnerStageView(TenantAPIMixin, GenericAPIView):
    """Move a partner to another lifecycle stage; the move joins its stage history."""

    roles_by_method = {"POST": VENDOR_ROLES}
    serializer_class = StageMoveSerializer

    @extend_schema(request=StageMoveSerializer, responses={200: PartnerSerializer})
    def post(self, request: Request, tenant_slug: str, pk: int) -> Response:
        actor: Membership = request.membership  # type: ignore[attr-defined]
        partner = access_partner_by_id(actor=actor, partner_id=pk)
        payload = StageMoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        partner_move_stage(actor=actor, partner=partner, **payload.validated_data)
        return Response(PartnerSerializer(_reload(actor, partner.pk)).data, status=status.HTTP_200_OK)


class SegmentListView(TenantListAPIView):
    roles_by_method = {"GET": MEMBERS, "POST": frozenset({Role.VENDOR_ADMIN})}
    serializer_class = SegmentSerializer
    search_fields = ("name", "description")
    ordering_fields = ["name"]

    def get_queryset(self) -> QuerySet[Segment]:
        return segment_list()

    @extend_schema(request=SegmentSerializer, responses={201: SegmentSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        payload = SegmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        segment = segment_create(actor=request.membership, **payload.validated_data)  # type: ignore[attr-defined]
        return Response(SegmentSerializer(segment).data, status=status.HTTP_201_CREATED)

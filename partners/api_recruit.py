"""API of the recruit concept: programs with their tiers, and prospects with their fit score.

Thin: parse with a serializer, one access helper, one service. Partner roles may read only the
program their organisation belongs to; prospects are the vendor's alone.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from partners.access_recruit import access_program_by_id, access_prospect_by_id
from partners.api import PartnerSerializer
from partners.models import PartnerType, Program, Prospect, ProspectStatus, Segment, Tier
from partners.selectors_recruit import program_list, prospect_list
from partners.services_program import program_create
from partners.services_recruit import MANUAL_STATUSES, prospect_convert, prospect_create, prospect_update
from prm.api.base import TenantAPIMixin, TenantListAPIView, TenantRetrieveAPIView
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Role

MEMBERS = VENDOR_ROLES | PARTNER_ROLES
ADMIN = frozenset({Role.VENDOR_ADMIN})


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", "name", "rank", "benefits"]
        read_only_fields = fields


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["id", "name", "description", "is_default"]
        read_only_fields = fields


class ProgramDetailSerializer(ProgramSerializer):
    tiers = TierSerializer(many=True, read_only=True)

    class Meta(ProgramSerializer.Meta):
        fields = [*ProgramSerializer.Meta.fields, "tiers"]
        read_only_fields = fields


class ProgramCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    is_default = serializers.BooleanField(required=False, default=False)


class ProspectSerializer(serializers.ModelSerializer):
    segments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    score_explanation = serializers.JSONField(read_only=True)

    class Meta:
        model = Prospect
        fields = [
            "id",
            "name",
            "website_domain",
            "country",
            "partner_type",
            "segments",
            "employees",
            "capabilities",
            "program",
            "status",
            "owner",
            "notes",
            "score",
            "score_explanation",
            "converted_partner",
            "created_at",
        ]
        read_only_fields = fields


class ProspectWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    partner_type = serializers.ChoiceField(choices=PartnerType.choices)
    program = serializers.IntegerField()
    website_domain = serializers.CharField(max_length=253, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    segments = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    employees = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    capabilities = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list, max_length=30
    )
    owner = serializers.IntegerField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ProspectPatchSerializer(ProspectWriteSerializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in MANUAL_STATUSES], required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _service_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "partner_type": data["partner_type"],
        "program_id": data["program"],
        "website_domain": data["website_domain"],
        "country": data["country"],
        "segment_ids": data["segments"],
        "employees": data["employees"],
        "capabilities": data["capabilities"],
        "owner_id": data["owner"],
        "notes": data["notes"],
    }


def _with_segments(queryset: QuerySet[Prospect]) -> QuerySet[Prospect]:
    return queryset.prefetch_related(Prefetch("segments", queryset=Segment.objects.only("pk")))


class ProgramListView(TenantListAPIView):
    """Vendor roles see every program; partner roles the one their organisation is in."""

    roles_by_method = {"GET": MEMBERS, "POST": ADMIN}
    serializer_class = ProgramSerializer
    filter_fields = {"is_default": "is_default"}
    filter_choices = {"is_default": {"true", "false"}}
    search_fields = ("name", "description")
    ordering_fields = ["name"]

    def get_queryset(self) -> QuerySet[Program]:
        return program_list(actor=self.request.membership)  # type: ignore[attr-defined]

    @extend_schema(request=ProgramCreateSerializer, responses={201: ProgramDetailSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        payload = ProgramCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        program = program_create(actor=request.membership, **payload.validated_data)  # type: ignore[attr-defined]
        return Response(ProgramDetailSerializer(program).data, status=status.HTTP_201_CREATED)


class ProgramDetailView(TenantRetrieveAPIView):
    roles_by_method = {"GET": MEMBERS}
    serializer_class = ProgramDetailSerializer

    def get_object(self) -> Program:
        return access_program_by_id(actor=self.request.membership, program_id=self.kwargs["pk"])  # type: ignore[attr-defined]


class ProspectListView(TenantListAPIView):
    """Prospects, best fit first, each with its score and the per-criterion explanation."""

    roles_by_method = {"GET": VENDOR_ROLES, "POST": VENDOR_ROLES}
    serializer_class = ProspectSerializer
    filter_fields = {"status": "status", "partner_type": "partner_type", "program": "program_id"}
    filter_choices = {"status": set(ProspectStatus.values), "partner_type": set(PartnerType.values)}
    search_fields = ("name", "website_domain", "notes")
    ordering_fields = ["score", "name", "created_at"]

    def get_queryset(self) -> QuerySet[Prospect]:
        return _with_segments(prospect_list())

    @extend_schema(request=ProspectWriteSerializer, responses={201: ProspectSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        payload = ProspectWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        prospect = prospect_create(actor=request.membership, **_service_kwargs(payload.validated_data))  # type: ignore[attr-defined]
        return Response(ProspectSerializer(prospect).data, status=status.HTTP_201_CREATED)


class ProspectDetailView(TenantRetrieveAPIView):
    roles_by_method = {"GET": VENDOR_ROLES, "PATCH": VENDOR_ROLES}
    serializer_class = ProspectSerializer

    def get_object(self) -> Prospect:
        return access_prospect_by_id(actor=self.request.membership, prospect_id=self.kwargs["pk"])  # type: ignore[attr-defined]

    @extend_schema(request=ProspectPatchSerializer, responses={200: ProspectSerializer})
    def patch(self, request: Request, tenant_slug: str, pk: int) -> Response:
        """Change any fields; the rest keep their values. A status change may carry a `reason`."""
        prospect = self.get_object()
        current = {
            "name": prospect.name,
            "partner_type": prospect.partner_type,
            "program": prospect.program_id,
            "website_domain": prospect.website_domain,
            "country": prospect.country,
            "segments": list(prospect.segments.values_list("pk", flat=True)),
            "employees": prospect.employees,
            "capabilities": prospect.capabilities,
            "owner": prospect.owner_id,
            "notes": prospect.notes,
        }
        payload = ProspectPatchSerializer(data={**current, **request.data})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        updated = prospect_update(
            actor=request.membership,  # type: ignore[attr-defined]
            prospect=prospect,
            status=data.get("status"),
            status_reason=data.get("reason", ""),
            **_service_kwargs(data),
        )
        return Response(ProspectSerializer(updated).data)


class ProspectConvertView(TenantAPIMixin, GenericAPIView):
    roles_by_method = {"POST": VENDOR_ROLES}
    serializer_class = ProspectSerializer

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "ProspectConversion",
                fields={"prospect": ProspectSerializer(), "partner": PartnerSerializer()},
            )
        },
    )
    def post(self, request: Request, tenant_slug: str, pk: int) -> Response:
        """Make a qualified prospect a partner in onboarding (once); 400 with the reason otherwise."""
        prospect = access_prospect_by_id(actor=request.membership, prospect_id=pk)  # type: ignore[attr-defined]
        partner = prospect_convert(actor=request.membership, prospect=prospect)  # type: ignore[attr-defined]
        prospect.refresh_from_db()
        body = {"prospect": ProspectSerializer(prospect).data, "partner": PartnerSerializer(partner).data}
        return Response(body, status=status.HTTP_201_CREATED)

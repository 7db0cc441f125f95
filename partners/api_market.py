"""API of the market concept: campaigns, MDF requests and their workflow actions, health assessments.

Thin: parse with a serializer, one access helper, one service. Ids in the URL answer 404 outside the
actor's tenant or partner; ids in a body are field errors (400). Roles per method as on the pages:
vendor roles plan campaigns and approve, reject and reimburse MDF; the partner's own people claim.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from partners.access_market import (
    access_assessment_by_id,
    access_campaign_by_id,
    access_mdf_request_by_id,
    access_partner_from_body,
)
from partners.models import Assessment, Campaign, MdfRequest, MdfStatus, Respondent
from partners.selectors_market import assessment_list, campaign_list, mdf_request_list
from partners.services_health import assessment_submit
from partners.services_market import (
    campaign_create,
    campaign_update,
    mdf_request_approve,
    mdf_request_claim,
    mdf_request_create,
    mdf_request_reimburse,
    mdf_request_reject,
)
from prm.api.base import TenantAPIMixin, TenantListAPIView, TenantRetrieveAPIView
from prm.models import PARTNER_ROLES, VENDOR_ROLES

MEMBERS = VENDOR_ROLES | PARTNER_ROLES
MONEY = {"max_digits": 14, "decimal_places": 2}


# --- serializers ----------------------------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "partner",
            "partner_name",
            "name",
            "starts_on",
            "ends_on",
            "goal",
            "budget",
            "created_at",
        ]
        read_only_fields = fields


class CampaignWriteSerializer(serializers.Serializer):
    partner = serializers.IntegerField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    goal = serializers.CharField(max_length=300)
    budget = serializers.DecimalField(**MONEY)


class MdfRequestSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True, default=None)
    decided_by = serializers.EmailField(source="decided_by.email", read_only=True, default=None)

    class Meta:
        model = MdfRequest
        fields = [
            "id",
            "partner",
            "partner_name",
            "campaign",
            "purpose",
            "status",
            "amount_requested",
            "amount_approved",
            "amount_claimed",
            "claim_proof",
            "decision_reason",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "claimed_at",
            "reimbursed_at",
        ]
        read_only_fields = fields


class MdfRequestCreateSerializer(serializers.Serializer):
    partner = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Required for vendor roles."
    )
    purpose = serializers.CharField(max_length=300)
    amount_requested = serializers.DecimalField(**MONEY)
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None)


class MdfApproveSerializer(serializers.Serializer):
    amount_approved = serializers.DecimalField(**MONEY)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MdfRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True)


class MdfClaimSerializer(serializers.Serializer):
    amount_claimed = serializers.DecimalField(**MONEY)
    claim_proof = serializers.CharField(allow_blank=True)


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    score = serializers.IntegerField()


class AssessmentSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    respondent = serializers.EmailField(source="respondent.email", read_only=True, default=None)
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "partner",
            "partner_name",
            "questionnaire",
            "respondent_side",
            "respondent",
            "domain_scores",
            "overall_score",
            "answers",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "oneOf": [
            {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 5}},
            {"type": "array", "items": {"type": "array", "items": {"type": "integer"}, "minItems": 2}},
        ],
        "description": 'Question id -> score 1-5, as {"12": 4} or as [[12, 4], ...] pairs.',
    }
)
class AnswersField(serializers.Field):
    """Scores by question id, either as an object or as [question id, score] pairs."""

    def to_internal_value(self, data: Any) -> dict[int, Any]:
        if isinstance(data, dict):
            pairs = list(data.items())
        elif isinstance(data, list):
            pairs = data
        else:
            raise serializers.ValidationError("Give an object of question id -> score, or [id, score] pairs.")
        answers: dict[int, Any] = {}
        for pair in pairs:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise serializers.ValidationError("Each answer is a [question id, score] pair.")
            key, score = pair
            try:
                question_id = int(key)
            except (TypeError, ValueError):
                raise serializers.ValidationError(f"“{key}” is not a question id.") from None
            if question_id in answers:
                raise serializers.ValidationError(f"Question {question_id} is answered twice.")
            answers[question_id] = score
        return answers

    def to_representation(self, value: Any) -> Any:
        return value


class AssessmentCreateSerializer(serializers.Serializer):
    partner = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Required for vendor roles."
    )
    answers = AnswersField()


# --- campaigns ------------------------------------------------------------------------------------


class CampaignListView(TenantListAPIView):
    """Vendor roles see every campaign and plan new ones; partner roles read their own."""

    roles_by_method = {"GET": MEMBERS, "POST": VENDOR_ROLES}
    serializer_class = CampaignSerializer
    filter_fields = {"partner": "partner_id"}
    search_fields = ("name", "goal")
    ordering_fields = ["starts_on", "ends_on", "budget", "created_at"]

    def get_queryset(self) -> QuerySet[Campaign]:
        return campaign_list(actor=self.request.membership)  # type: ignore[attr-defined]

    @extend_schema(request=CampaignWriteSerializer, responses={201: CampaignSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        payload = CampaignWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        actor = request.membership  # type: ignore[attr-defined]
        partner = access_partner_from_body(actor=actor, partner_id=data.pop("partner"))
        campaign = campaign_create(actor=actor, partner=partner, **data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailView(TenantRetrieveAPIView):
    roles_by_method = {"GET": MEMBERS, "PATCH": VENDOR_ROLES}
    serializer_class = CampaignSerializer

    def get_object(self) -> Campaign:
        return access_campaign_by_id(actor=self.request.membership, campaign_id=self.kwargs["pk"])  # type: ignore[attr-defined]

    @extend_schema(request=CampaignWriteSerializer, responses={200: CampaignSerializer})
    def patch(self, request: Request, tenant_slug: str, pk: int) -> Response:
        campaign = self.get_object()
        payload = CampaignWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        current = {f: getattr(campaign, f) for f in ("name", "starts_on", "ends_on", "goal", "budget")}
        changes = {key: value for key, value in payload.validated_data.items() if key in current}
        campaign = campaign_update(actor=request.membership, campaign=campaign, **{**current, **changes})  # type: ignore[attr-defined]
        return Response(CampaignSerializer(campaign).data)


# --- MDF requests ---------------------------------------------------------------------------------


class MdfRequestListView(TenantListAPIView):
    """Vendor roles see every request; partner roles their own organisation's. Both may file one."""

    roles_by_method = {"GET": MEMBERS, "POST": MEMBERS}
    serializer_class = MdfRequestSerializer
    filter_fields = {"status": "status", "partner": "partner_id", "campaign": "campaign_id"}
    filter_choices = {"status": set(MdfStatus.values)}
    search_fields = ("purpose", "partner__name", "campaign__name")
    ordering_fields = ["requested_at", "amount_requested", "amount_approved"]

    def get_queryset(self) -> QuerySet[MdfRequest]:
        return mdf_request_list(actor=self.request.membership)  # type: ignore[attr-defined]

    @extend_schema(request=MdfRequestCreateSerializer, responses={201: MdfRequestSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        payload = MdfRequestCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        actor = request.membership  # type: ignore[attr-defined]
        partner = access_partner_from_body(actor=actor, partner_id=data["partner"])
        created = mdf_request_create(
            actor=actor,
            partner=partner,
            purpose=data["purpose"],
            amount_requested=data["amount_requested"],
            campaign_id=data["campaign"],
        )
        return Response(MdfRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class MdfRequestDetailView(TenantRetrieveAPIView):
    roles_by_method = {"GET": MEMBERS}
    serializer_class = MdfRequestSerializer

    def get_object(self) -> MdfRequest:
        return access_mdf_request_by_id(actor=self.request.membership, mdf_request_id=self.kwargs["pk"])  # type: ignore[attr-defined]


class _MdfActionView(TenantAPIMixin, GenericAPIView):
    """POST runs one transition of the MDF state machine and answers the request as it now is."""

    serializer_class = MdfRequestSerializer
    payload_class: type[serializers.Serializer] = serializers.Serializer

    def run(self, **kwargs: Any) -> MdfRequest:
        raise NotImplementedError

    def post(self, request: Request, tenant_slug: str, pk: int) -> Response:
        actor = request.membership  # type: ignore[attr-defined]
        mdf = access_mdf_request_by_id(actor=actor, mdf_request_id=pk)
        payload = self.payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        self.run(actor=actor, request=mdf, **payload.validated_data)
        return Response(MdfRequestSerializer(mdf).data)


@extend_schema(request=MdfApproveSerializer, responses={200: MdfRequestSerializer})
class MdfRequestApproveView(_MdfActionView):
    """Approve a requested MDF request for up to the amount requested (vendor roles)."""

    roles_by_method = {"POST": VENDOR_ROLES}
    payload_class = MdfApproveSerializer

    def run(self, **kwargs: Any) -> MdfRequest:
        return mdf_request_approve(**kwargs)


@extend_schema(request=MdfRejectSerializer, responses={200: MdfRequestSerializer})
class MdfRequestRejectView(_MdfActionView):
    """Reject a requested MDF request with a reason (vendor roles)."""

    roles_by_method = {"POST": VENDOR_ROLES}
    payload_class = MdfRejectSerializer

    def run(self, **kwargs: Any) -> MdfRequest:
        return mdf_request_reject(**kwargs)


@extend_schema(request=MdfClaimSerializer, responses={200: MdfRequestSerializer})
class MdfRequestClaimView(_MdfActionView):
    """Claim the spend of an approved request, up to the approved amount, with proof (the partner)."""

    roles_by_method = {"POST": PARTNER_ROLES}
    payload_class = MdfClaimSerializer

    def run(self, **kwargs: Any) -> MdfRequest:
        return mdf_request_claim(**kwargs)


@extend_schema(request=None, responses={200: MdfRequestSerializer})
class MdfRequestReimburseView(_MdfActionView):
    """Record that a claimed request was paid out (vendor roles)."""

    roles_by_method = {"POST": VENDOR_ROLES}

    def run(self, **kwargs: Any) -> MdfRequest:
        return mdf_request_reimburse(**kwargs)


# --- assessments ----------------------------------------------------------------------------------


class AssessmentListView(TenantListAPIView):
    """Vendor roles read every assessment and assess any partner; partner roles read and file their
    organisation's self-assessments. Answers must cover every question of the active questionnaire."""

    roles_by_method = {"GET": MEMBERS, "POST": MEMBERS}
    serializer_class = AssessmentSerializer
    filter_fields = {"partner": "partner_id", "respondent_side": "respondent_side"}
    filter_choices = {"respondent_side": set(Respondent.values)}
    ordering_fields = ["created_at", "overall_score"]

    def get_queryset(self) -> QuerySet[Assessment]:
        return assessment_list(actor=self.request.membership)  # type: ignore[attr-defined]

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        payload = AssessmentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        actor = request.membership  # type: ignore[attr-defined]
        partner = access_partner_from_body(actor=actor, partner_id=payload.validated_data["partner"])
        assessment = assessment_submit(
            actor=actor, partner=partner, answers=payload.validated_data["answers"]
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class AssessmentDetailView(TenantRetrieveAPIView):
    roles_by_method = {"GET": MEMBERS}
    serializer_class = AssessmentSerializer

    def get_object(self) -> Assessment:
        return access_assessment_by_id(actor=self.request.membership, assessment_id=self.kwargs["pk"])  # type: ignore[attr-defined]

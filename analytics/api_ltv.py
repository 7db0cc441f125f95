"""The LTV API: each partner's current LTV, and the runs that compute it.

Vendor roles read every partner's LTV; a partner role reads only its own row (another partner's id
answers 404). Runs are vendor-only; a vendor admin starts a refit by POST: 201 with the new run, or
200 with the refit already queued or running (`joined_active_run: true`), since one refit at a
time per tenant is all the engine runs. An Idempotency-Key replays the first answer.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import CharField, DecimalField, FloatField, Model, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.access import access_ltv_run_by_id, access_partner_ltv_by_partner_id
from analytics.models import LtvRun, PartnerLtv, RunKind, RunStatus
from analytics.selectors_partner import ltv_run_list, partner_ltv_list
from analytics.serializers import (
    LtvRunRequestedSerializer,
    LtvRunRequestSerializer,
    LtvRunSerializer,
    PartnerLtvSerializer,
)
from analytics.services_runs import ltv_run_request
from partners.models import PartnerType
from prm.api.filters import QueryParamFilter
from prm.models import VENDOR_ROLES, Role
from revenue.api_common import MEMBERS, RevenueListAPIView, RevenueRetrieveAPIView

NUMBER_MESSAGES = {
    "min_ltv": "Must be a number, e.g. 25000 or 25000.50.",
    "churn_risk_min": "Must be a number from 0 to 1.",
}


def _final_field(model: type[Model], lookup: str) -> Any:
    """The model field a lookup such as `partner__partner_type` or `ltv__gte` ends on."""
    field: Any = None
    for part in lookup.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:  # a lookup suffix (gte, lte, ...), not a field
            break
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


class LtvQueryParamFilter(QueryParamFilter):
    """The project's filter convention, plus numbers (`min_ltv=abc` is a 400 naming `min_ltv`) and
    filters across the partner relation (`partner_type`)."""

    @staticmethod
    def _coerce(queryset: QuerySet, lookup: str, param: str, value: str) -> object:
        field = _final_field(queryset.model, lookup)
        if isinstance(field, DecimalField):
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise ValidationError({param: NUMBER_MESSAGES.get(param, "Must be a number.")}) from None
            if not number.is_finite():
                raise ValidationError({param: NUMBER_MESSAGES.get(param, "Must be a number.")})
            return number
        if isinstance(field, FloatField):
            try:
                ratio = float(value)
            except ValueError:
                raise ValidationError({param: NUMBER_MESSAGES.get(param, "Must be a number.")}) from None
            if not 0 <= ratio <= 1:
                raise ValidationError({param: NUMBER_MESSAGES.get(param, "Must be a number from 0 to 1.")})
            return ratio
        if isinstance(field, CharField):
            return value  # text, possibly across a relation; `filter_choices` checked it
        return QueryParamFilter._coerce(queryset, lookup, param, value)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] in NUMBER_MESSAGES:
                param["schema"] = {"type": "number"}
                param["description"] = {
                    "min_ltv": "Only partners whose LTV is at least this (tenant currency).",
                    "churn_risk_min": "Only partners whose churn risk (0 to 1) is at least this.",
                }[param["name"]]
        return params


class StableOrderingFilter(OrderingFilter):
    """Ties (equal LTVs, null LTV:CAC) break by partner, so pages never repeat or skip a row."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str]:
        ordering = list(super().get_ordering(request, queryset, view) or [])
        return [*ordering, "partner_id"]


PARTNER_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The partner's id (not the LTV row's)."
)


class PartnerLtvListView(RevenueListAPIView):
    """Every partner's current LTV, highest first; a partner role gets its own row only."""

    roles_by_method = {"GET": MEMBERS}
    serializer_class = PartnerLtvSerializer
    queryset_model = PartnerLtv
    filter_backends = [LtvQueryParamFilter, StableOrderingFilter]
    filter_fields = {
        "partner": "partner_id",
        "partner_type": "partner__partner_type",
        "min_ltv": "ltv__gte",
        "churn_risk_min": "churn_risk__gte",
    }
    filter_choices = {"partner_type": set(PartnerType.values)}
    search_fields = ("partner__name",)
    ordering_fields = ["ltv", "churn_risk", "ltv_cac"]
    ordering = ["-ltv"]

    def get_queryset(self) -> QuerySet[PartnerLtv]:
        return partner_ltv_list(actor=self.actor)


@extend_schema(parameters=[PARTNER_ID])
class PartnerLtvDetailView(RevenueRetrieveAPIView):
    """One partner's current LTV, by the partner's id; 404 until it has been computed."""

    roles_by_method = {"GET": MEMBERS}
    serializer_class = PartnerLtvSerializer

    def get_object(self) -> PartnerLtv:
        row = access_partner_ltv_by_partner_id(actor=self.actor, partner_id=self.kwargs["pk"])
        if row is None:
            raise Http404("No LTV has been computed for this partner yet.")
        return row


class LtvRunListView(RevenueListAPIView):
    """LTV runs, newest first (vendor roles). POST: a vendor admin asks for a refit of every partner."""

    roles_by_method = {"GET": VENDOR_ROLES, "POST": frozenset({Role.VENDOR_ADMIN})}
    serializer_class = LtvRunSerializer
    queryset_model = LtvRun
    filter_fields = {"status": "status", "kind": "kind"}
    filter_choices = {"status": set(RunStatus.values), "kind": set(RunKind.values)}
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[LtvRun]:
        return ltv_run_list(actor=self.actor)

    def get_serializer_class(self) -> type[Any]:
        return LtvRunRequestedSerializer if self.request.method == "POST" else LtvRunSerializer

    @extend_schema(
        request=LtvRunRequestSerializer,
        responses={
            201: OpenApiResponse(LtvRunRequestedSerializer, description="A new refit was queued."),
            200: OpenApiResponse(
                LtvRunRequestedSerializer,
                description="A refit was already queued or running; this request joined it.",
            ),
        },
    )
    def post(self, request: Request, tenant_slug: str) -> Response:
        run, created = ltv_run_request(actor=self.actor)
        body = LtvRunRequestedSerializer(run, context={"joined": not created}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class LtvRunDetailView(RevenueRetrieveAPIView):
    """One run: progress while it works, then its timings and which model served which segment."""

    roles_by_method = {"GET": VENDOR_ROLES}
    serializer_class = LtvRunSerializer

    def get_object(self) -> LtvRun:
        return access_ltv_run_by_id(actor=self.actor, run_id=self.kwargs["pk"])

"""API of the ledgers LTV is computed from: revenue rows, attributions, partner costs.

The ledgers are append-only: rows are created (POST) and corrected by reversal rows (POST
.../reverse/); there is no PUT, PATCH or DELETE, and those methods answer 405. Attributions change
by versions: ending one, or a new weight from a date, keeps the history readable as of any date.
Partner roles read the revenue of the customers they have credit for and their own attributions and
costs; vendor roles write.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from prm.models import VENDOR_ROLES
from revenue.access import access_attribution_by_id, access_cost_by_id, access_revenue_entry_by_id
from revenue.api_common import MEMBERS, RevenueActionAPIView, RevenueListAPIView, RevenueRetrieveAPIView
from revenue.models import (
    Attribution,
    AttributionKind,
    AttributionSource,
    CostKind,
    PartnerCost,
    RevenueEntry,
    Stream,
)
from revenue.selectors_ledger import attribution_list, cost_list, revenue_list
from revenue.serializers_ledger import (
    AttributionChangeWeightSerializer,
    AttributionCreateSerializer,
    AttributionEndSerializer,
    AttributionSerializer,
    CostCreateSerializer,
    CostSerializer,
    RevenueCreateSerializer,
    RevenueEntrySerializer,
    ReversalSerializer,
)
from revenue.services_attribution import attribution_change_weight, attribution_create, attribution_end
from revenue.services_ledger import cost_record, cost_reverse, revenue_record, revenue_reverse


class _ActorContextMixin:
    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}  # type: ignore[misc, attr-defined]


# --- revenue ----------------------------------------------------------------------------------------


class RevenueListView(_ActorContextMixin, RevenueListAPIView):
    """Revenue rows, newest first; reversals are rows with a negative amount and `reverses` set."""

    roles_by_method = {"GET": MEMBERS, "POST": VENDOR_ROLES}
    serializer_class = RevenueEntrySerializer
    queryset_model = RevenueEntry
    filter_fields = {
        "customer": "customer_id",
        "stream": "stream",
        "date_from": "occurred_on__gte",
        "date_to": "occurred_on__lte",
    }
    filter_choices = {"stream": set(Stream.values)}
    search_fields = ("customer__name", "external_ref")
    ordering_fields = ["occurred_on", "amount", "created_at"]

    def get_queryset(self) -> QuerySet[RevenueEntry]:
        return revenue_list(actor=self.actor)

    @extend_schema(request=RevenueCreateSerializer, responses={201: RevenueEntrySerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.payload(RevenueCreateSerializer)
        entry = revenue_record(actor=self.actor, **data)
        shown = access_revenue_entry_by_id(actor=self.actor, revenue_entry_id=entry.pk)
        return Response(self.get_serializer(shown).data, status=status.HTTP_201_CREATED)


class RevenueDetailView(_ActorContextMixin, RevenueRetrieveAPIView):
    """One revenue row (read only: rows are corrected by reversal, never edited)."""

    roles_by_method = {"GET": MEMBERS}
    serializer_class = RevenueEntrySerializer

    def get_object(self) -> RevenueEntry:
        return access_revenue_entry_by_id(actor=self.actor, revenue_entry_id=self.kwargs["pk"])


@extend_schema(request=ReversalSerializer, responses={201: RevenueEntrySerializer})
class RevenueReverseView(_ActorContextMixin, RevenueActionAPIView):
    """Cancel a row by a reversal row dated today (answered); the original stays as it was."""

    roles_by_method = {"POST": VENDOR_ROLES}
    serializer_class = RevenueEntrySerializer

    def post(self, request: Request, tenant_slug: str, pk: int) -> Response:
        entry = access_revenue_entry_by_id(actor=self.actor, revenue_entry_id=pk)
        data = self.payload(ReversalSerializer)
        reversal = revenue_reverse(actor=self.actor, entry=entry, reason=data["reason"])
        return Response(self.get_serializer(reversal).data, status=status.HTTP_201_CREATED)


# --- attributions -----------------------------------------------------------------------------------

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="Only attributions in force on this date (effective_from <= as_of < effective_to).",
)


class AttributionListView(RevenueListAPIView):
    """Who gets credit for which customer (or revenue row), every version. Partner roles see their own."""

    roles_by_method = {"GET": MEMBERS, "POST": VENDOR_ROLES}
    serializer_class = AttributionSerializer
    queryset_model = Attribution
    filter_fields = {"partner": "partner_id", "customer": "customer_id", "kind": "kind", "source": "source"}
    filter_choices = {"kind": set(AttributionKind.values), "source": set(AttributionSource.values)}
    search_fields = ("customer__name", "partner__name")
    ordering_fields = ["effective_from", "created_at", "weight"]

    def get_queryset(self) -> QuerySet[Attribution]:
        as_of = self.request.query_params.get("as_of", "").strip()
        in_force_on = None
        if as_of:
            try:
                in_force_on = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise ValidationError({"as_of": "Must be a date written as YYYY-MM-DD."}) from None
        return attribution_list(actor=self.actor, in_force_on=in_force_on)

    @extend_schema(parameters=[AS_OF])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AttributionCreateSerializer, responses={201: AttributionSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.payload(AttributionCreateSerializer)
        attribution = attribution_create(actor=self.actor, **data)
        return Response(AttributionSerializer(attribution).data, status=status.HTTP_201_CREATED)


class AttributionDetailView(RevenueRetrieveAPIView):
    """One attribution version; `supersedes` links it to the version it replaced."""

    roles_by_method = {"GET": MEMBERS}
    serializer_class = AttributionSerializer

    def get_object(self) -> Attribution:
        return access_attribution_by_id(actor=self.actor, attribution_id=self.kwargs["pk"])


@extend_schema(request=AttributionEndSerializer, responses={200: AttributionSerializer})
class AttributionEndView(RevenueActionAPIView):
    """Stop the credit from a date on; earlier dates keep it."""

    roles_by_method = {"POST": VENDOR_ROLES}
    serializer_class = AttributionSerializer

    def post(self, request: Request, tenant_slug: str, pk: int) -> Response:
        attribution = access_attribution_by_id(actor=self.actor, attribution_id=pk)
        data = self.payload(AttributionEndSerializer)
        ended = attribution_end(actor=self.actor, attribution=attribution, **data)
        return Response(AttributionSerializer(ended).data)


@extend_schema(request=AttributionChangeWeightSerializer, responses={201: AttributionSerializer})
class AttributionChangeWeightView(RevenueActionAPIView):
    """A new weight from a date: the version in force ends that day and the answered new version
    supersedes it."""

    roles_by_method = {"POST": VENDOR_ROLES}
    serializer_class = AttributionSerializer

    def post(self, request: Request, tenant_slug: str, pk: int) -> Response:
        attribution = access_attribution_by_id(actor=self.actor, attribution_id=pk)
        data = self.payload(AttributionChangeWeightSerializer)
        version = attribution_change_weight(actor=self.actor, attribution=attribution, **data)
        return Response(AttributionSerializer(version).data, status=status.HTTP_201_CREATED)


# --- costs ------------------------------------------------------------------------------------------


class CostListView(RevenueListAPIView):
    """What partners cost: support, MDF paid, incentives, enablement, acquisition. Partner roles see
    their own organisation's."""

    roles_by_method = {"GET": MEMBERS, "POST": VENDOR_ROLES}
    serializer_class = CostSerializer
    queryset_model = PartnerCost
    filter_fields = {
        "partner": "partner_id",
        "kind": "kind",
        "date_from": "incurred_on__gte",
        "date_to": "incurred_on__lte",
    }
    filter_choices = {"kind": set(CostKind.values)}
    search_fields = ("description", "partner__name", "external_ref")
    ordering_fields = ["incurred_on", "amount", "created_at"]

    def get_queryset(self) -> QuerySet[PartnerCost]:
        return cost_list(actor=self.actor)

    @extend_schema(request=CostCreateSerializer, responses={201: CostSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.payload(CostCreateSerializer)
        cost = cost_record(actor=self.actor, **data)
        return Response(CostSerializer(cost).data, status=status.HTTP_201_CREATED)


class CostDetailView(RevenueRetrieveAPIView):
    """One partner cost row (read only: corrected by reversal)."""

    roles_by_method = {"GET": MEMBERS}
    serializer_class = CostSerializer

    def get_object(self) -> PartnerCost:
        return access_cost_by_id(actor=self.actor, cost_id=self.kwargs["pk"])


@extend_schema(request=ReversalSerializer, responses={201: CostSerializer})
class CostReverseView(RevenueActionAPIView):
    """Cancel a cost by a reversal row dated today (answered)."""

    roles_by_method = {"POST": VENDOR_ROLES}
    serializer_class = CostSerializer

    def post(self, request: Request, tenant_slug: str, pk: int) -> Response:
        cost = access_cost_by_id(actor=self.actor, cost_id=pk)
        data = self.payload(ReversalSerializer)
        reversal = cost_reverse(actor=self.actor, cost=cost, reason=data["reason"])
        return Response(CostSerializer(reversal).data, status=status.HTTP_201_CREATED)

"""API of deal registration: deals, their state-machine actions, and conflict cases.

Thin: parse the body, one access helper for the URL id, one service, render. Partner roles register
and follow their own organisation's deals; vendor roles see all, decide and close them. A second open
registration of the same customer by the same partner is a 409 with a machine-readable body, also
when many arrive at once (the database's partial unique index lets exactly one through).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from partners.models import Partner
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Membership
from revenue.access import access_conflict_by_id, access_deal_by_id
from revenue.api_common import (
    MEMBERS,
    RevenueActionAPIView,
    RevenueListAPIView,
    RevenueRetrieveAPIView,
    partner_for,
)
from revenue.models import OPEN_DEAL_STATUSES, ConflictCase, ConflictStatus, Deal, DealEvent, DealStatus
from revenue.selectors_deals import conflict_list, deal_list
from revenue.serializers_deals import (
    ConflictResolveSerializer,
    ConflictSerializer,
    DealCreateSerializer,
    DealDetailSerializer,
    DealLoseSerializer,
    DealSerializer,
    DealWinSerializer,
    DealWriteSerializer,
    DuplicateRegistrationSerializer,
    ExtensionDecisionSerializer,
    OptionalReasonSerializer,
    PartnerConflictSerializer,
    ReasonSerializer,
)
from revenue.services_deals import (
    EDITABLE_FIELDS,
    DuplicateDealError,
    conflict_default_winner,
    conflict_resolve,
    deal_approve,
    deal_create,
    deal_decide_extension,
    deal_lose,
    deal_reject,
    deal_request_extension,
    deal_submit,
    deal_update,
    deal_values,
    deal_win,
)


def deal_detail_of(*, actor: Membership, deal: Deal) -> Deal:
    """The deal as its detail shows it: open-conflict count and history, in a fixed few queries."""
    return (
        deal_list(actor=actor)
        .select_related("created_by")
        .prefetch_related(Prefetch("events", queryset=DealEvent.objects.select_related("actor")))
        .get(pk=deal.pk)
    )


def _open_registration(*, partner: Partner, fields: dict[str, Any]) -> Deal | None:
    """The registration a concurrent request committed first. Its insert made ours fail on the
    unique index, so by now (read committed) it is visible to a fresh query."""
    key = deal_values(**fields)["customer_key"]
    open_statuses = [DealStatus.DRAFT, *OPEN_DEAL_STATUSES]
    return Deal.objects.filter(partner=partner, customer_key=key, status__in=open_statuses).first()


def duplicate_response(
    *, actor: Membership, error: DuplicateDealError, partner: Partner | None, fields: dict[str, Any]
) -> Response:
    existing = error.existing
    if existing is None and partner is not None:
        existing = _open_registration(partner=partner, fields=fields)
    if existing is not None:
        try:
            access_deal_by_id(actor=actor, deal_id=existing.pk)
        except Http404:  # never name a registration the actor may not see
            existing = None
    body = {
        "detail": str(DuplicateDealError(existing)),
        "code": "duplicate_registration",
        "existing": existing.pk if existing is not None else None,
    }
    return Response(body, status=status.HTTP_409_CONFLICT)


# --- deals ------------------------------------------------------------------------------------------


class DealListView(RevenueListAPIView):
    """Partner roles list and register their own organisation's deals; vendor roles see every deal
    and register for a named partner, or (`partner: null`) open a direct opportunity."""

    roles_by_method = {"GET": MEMBERS, "POST": MEMBERS}
    serializer_class = DealSerializer
    queryset_model = Deal
    filter_fields = {"status": "status", "partner": "partner_id"}
    filter_choices = {"status": set(DealStatus.values)}
    search_fields = ("title", "customer_name", "customer_domain")
    ordering_fields = ["created_at", "submitted_at", "amount", "expected_close_on", "protection_ends_at"]

    def get_queryset(self) -> QuerySet[Deal]:
        return deal_list(actor=self.actor)

    @extend_schema(
        request=DealCreateSerializer,
        responses={201: DealDetailSerializer, 409: DuplicateRegistrationSerializer},
    )
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.payload(DealCreateSerializer)
        partner = partner_for(self.actor, data, allow_direct=True)
        fields = {key: data[key] for key in EDITABLE_FIELDS}
        try:
            deal = deal_create(actor=self.actor, partner=partner, submit=data["submit"], **fields)
        except DuplicateDealError as error:
            return duplicate_response(actor=self.actor, error=error, partner=partner, fields=fields)
        body = DealDetailSerializer(deal_detail_of(actor=self.actor, deal=deal)).data
        return Response(body, status=status.HTTP_201_CREATED)


class DealDetailView(RevenueRetrieveAPIView):
    """A deal with its history. PATCH edits a draft (any of its fields)."""

    roles_by_method = {"GET": MEMBERS, "PATCH": MEMBERS}
    serializer_class = DealDetailSerializer

    def get_object(self) -> Deal:
        deal = access_deal_by_id(actor=self.actor, deal_id=self.kwargs["pk"])
        return deal_detail_of(actor=self.actor, deal=deal)

    @extend_schema(
        request=DealWriteSerializer,
        responses={200: DealDetailSerializer, 409: DuplicateRegistrationSerializer},
    )
    def patch(self, request: Request, tenant_slug: str, pk: int) -> Response:
        deal = access_deal_by_id(actor=self.actor, deal_id=pk)
        changes = self.payload(DealWriteSerializer, partial=True)
        fields = {**{key: getattr(deal, key) for key in EDITABLE_FIELDS}, **changes}
        try:
            deal = deal_update(actor=self.actor, deal=deal, **fields)
        except DuplicateDealError as error:
            return duplicate_response(actor=self.actor, error=error, partner=deal.partner, fields=fields)
        return Response(DealDetailSerializer(deal_detail_of(actor=self.actor, deal=deal)).data)


class _DealActionView(RevenueActionAPIView):
    """POST runs one transition and answers the deal as it now is."""

    serializer_class = DealDetailSerializer
    payload_class: type[serializers.Serializer] | None = None

    def run(self, *, actor: Membership, deal: Deal, **data: Any) -> Deal:
        raise NotImplementedError  # abstract: each action view (submit, approve, ...) defines it

    def post(self, request: Request, tenant_slug: str, pk: int) -> Response:
        deal = access_deal_by_id(actor=self.actor, deal_id=pk)
        data = self.payload(self.payload_class) if self.payload_class else {}
        self.run(actor=self.actor, deal=deal, **data)
        return Response(DealDetailSerializer(deal_detail_of(actor=self.actor, deal=deal)).data)


@extend_schema(request=None, responses={200: DealDetailSerializer})
class DealSubmitView(_DealActionView):
    """Submit a draft; conflict detection runs now and may open conflict cases for staff."""

    roles_by_method = {"POST": MEMBERS}

    def run(self, *, actor: Membership, deal: Deal, **data: Any) -> Deal:
        return deal_submit(actor=actor, deal=deal)


@extend_schema(request=OptionalReasonSerializer, responses={200: DealDetailSerializer})
class DealApproveView(_DealActionView):
    """Approve a submitted registration (no open conflict left); its protection window starts."""

    roles_by_method = {"POST": VENDOR_ROLES}
    payload_class = OptionalReasonSerializer

    def run(self, *, actor: Membership, deal: Deal, **data: Any) -> Deal:
        return deal_approve(actor=actor, deal=deal, **data)


@extend_schema(request=ReasonSerializer, responses={200: DealDetailSerializer})
class DealRejectView(_DealActionView):
    """Reject a submitted registration with a reason the partner sees."""

    roles_by_method = {"POST": VENDOR_ROLES}
    payload_class = ReasonSerializer

    def run(self, *, actor: Membership, deal: Deal, **data: Any) -> Deal:
        return deal_reject(actor=actor, deal=deal, **data)


@extend_schema(request=DealWinSerializer, responses={200: DealDetailSerializer})
class DealWinView(_DealActionView):
    """Close an approved deal as won: the customer's first revenue row and the partner's sourced
    credit are recorded with it."""

    roles_by_method = {"POST": VENDOR_ROLES}
    payload_class = DealWinSerializer

    def run(self, *, actor: Membership, deal: Deal, **data: Any) -> Deal:
        return deal_win(actor=actor, deal=deal, **data)


@extend_schema(request=DealLoseSerializer, responses={200: DealDetailSerializer})
class DealLoseView(_DealActionView):
    """Close an approved deal as lost, with a reason (vendor roles or the partner's own people)."""

    roles_by_method = {"POST": MEMBERS}
    payload_class = DealLoseSerializer

    def run(self, *, actor: Membership, deal: Deal, **data: Any) -> Deal:
        return deal_lose(actor=actor, deal=deal, **data)


@extend_schema(request=ReasonSerializer, responses={200: DealDetailSerializer})
class DealRequestExtensionView(_DealActionView):
    """Ask once for a longer protection window on an approved deal (partner roles)."""

    roles_by_method = {"POST": PARTNER_ROLES}
    payload_class = ReasonSerializer

    def run(self, *, actor: Membership, deal: Deal, **data: Any) -> Deal:
        return deal_request_extension(actor=actor, deal=deal, **data)


@extend_schema(request=ExtensionDecisionSerializer, responses={200: DealDetailSerializer})
class DealDecideExtensionView(_DealActionView):
    """Grant or deny a requested extension (a denial needs a reason)."""

    roles_by_method = {"POST": VENDOR_ROLES}
    payload_class = ExtensionDecisionSerializer

    def run(self, *, actor: Membership, deal: Deal, **data: Any) -> Deal:
        return deal_decide_extension(actor=actor, deal=deal, **data)


# --- conflicts --------------------------------------------------------------------------------------


def _conflict_views(*, many: bool) -> PolymorphicProxySerializer:
    """The schema of a case as either side sees it: the vendor's or the partner's serializer."""
    return PolymorphicProxySerializer(
        component_name="ConflictCaseView",
        serializers=[ConflictSerializer, PartnerConflictSerializer],
        resource_type_field_name=None,
        many=many,
    )


class _ConflictSerializerMixin:
    """Vendor roles see both registrations; a partner only its own side (see serializers_deals)."""

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if getattr(self, "swagger_fake_view", False) or self.actor.is_vendor:  # type: ignore[attr-defined]
            return ConflictSerializer
        return PartnerConflictSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}  # type: ignore[misc, attr-defined]


class ConflictListView(_ConflictSerializerMixin, RevenueListAPIView):
    """Conflict cases, oldest first: every case for vendor roles, for partner roles the cases their
    own registrations are part of."""

    roles_by_method = {"GET": MEMBERS}
    queryset_model = ConflictCase
    filter_fields = {"status": "status"}
    filter_choices = {"status": set(ConflictStatus.values)}
    ordering_fields = ["created_at", "resolved_at"]

    def get_queryset(self) -> QuerySet[ConflictCase]:
        return conflict_list(actor=self.actor, status="").select_related("resolved_by")

    @extend_schema(responses=_conflict_views(many=True))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ConflictDetailView(_ConflictSerializerMixin, RevenueRetrieveAPIView):
    """One conflict case: for vendor roles both registrations and the default winner; for partner
    roles their own registration and the outcome, never the other side."""

    roles_by_method = {"GET": MEMBERS}

    def get_object(self) -> ConflictCase:
        return access_conflict_by_id(actor=self.actor, conflict_id=self.kwargs["pk"])

    @extend_schema(responses=_conflict_views(many=False))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(request=ConflictResolveSerializer, responses={200: ConflictSerializer})
class ConflictResolveView(RevenueActionAPIView):
    """Staff pick the registration that holds the customer (by default the first valid submission);
    the other is rejected with the same reason, which both partners see."""

    roles_by_method = {"POST": VENDOR_ROLES}
    serializer_class = ConflictSerializer

    def post(self, request: Request, tenant_slug: str, pk: int) -> Response:
        case = access_conflict_by_id(actor=self.actor, conflict_id=pk)
        data = self.payload(ConflictResolveSerializer)
        sides = {case.deal_id: case.deal, case.other_deal_id: case.other_deal}
        if data["winner"] is None:
            winner = conflict_default_winner(case)
        elif data["winner"] in sides:
            winner = sides[data["winner"]]
        else:
            raise ValidationError({"winner": "Pick one of the two registrations in this conflict."})
        conflict_resolve(actor=self.actor, case=case, winner=winner, reason=data["reason"])
        resolved = access_conflict_by_id(actor=self.actor, conflict_id=pk)
        return Response(ConflictSerializer(resolved, context={"actor": self.actor}).data)

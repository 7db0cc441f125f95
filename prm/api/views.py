"""Platform API: who am I, the tenant's members, the audit log. Thin: parse, access, service."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from prm.access import access_audit_event_by_id, access_membership_by_id
from prm.api.base import TenantAPIMixin, TenantListAPIView, TenantRetrieveAPIView
from prm.api.serializers import (
    AuditEventSerializer,
    MembershipInviteSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    MeSerializer,
)
from prm.models import PARTNER_ROLES, VENDOR_ROLES, AuditEvent, Membership, Role
from prm.selectors import audit_event_list, membership_list
from prm.services import membership_invite, membership_update

ALL_ROLES = VENDOR_ROLES | PARTNER_ROLES
# Who manages people: vendor admins (anyone), vendor staff (partner people), partner admins (their own).
PEOPLE_MANAGERS = frozenset({Role.VENDOR_ADMIN, Role.VENDOR_STAFF, Role.PARTNER_ADMIN})


class MeView(TenantAPIMixin, GenericAPIView):
    roles_by_method = {"GET": ALL_ROLES}
    serializer_class = MeSerializer

    def get(self, request: Request, tenant_slug: str) -> Response:
        membership: Membership = request.membership  # type: ignore[attr-defined]
        data = {
            "email": request.user.email,
            "tenant": request.tenant.slug,  # type: ignore[attr-defined, union-attr]
            "role": membership.role,
            "partner": membership.partner_id,
        }
        return Response(MeSerializer(data).data)


class MembershipListView(TenantListAPIView):
    """Vendor roles see every member; partner roles their own organisation's. Admins invite (POST)."""

    roles_by_method = {"GET": ALL_ROLES, "POST": PEOPLE_MANAGERS}
    serializer_class = MembershipSerializer
    filter_fields = {"role": "role", "partner": "partner_id", "is_active": "is_active"}
    filter_choices = {"role": set(Role.values), "is_active": {"true", "false"}}
    search_fields = ("user__email", "user__full_name")
    ordering_fields = ["created_at", "user__email"]

    def get_queryset(self) -> QuerySet[Membership]:
        return membership_list(actor=self.request.membership)  # type: ignore[attr-defined]

    @extend_schema(request=MembershipInviteSerializer, responses={201: MembershipSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        payload = MembershipInviteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = membership_invite(
            actor=request.membership,  # type: ignore[attr-defined]
            email=payload.validated_data["email"],
            role=payload.validated_data["role"],
            partner_id=payload.validated_data["partner"],
            full_name=payload.validated_data["full_name"],
            request=request._request,
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetailView(TenantRetrieveAPIView):
    roles_by_method = {"GET": ALL_ROLES, "PATCH": PEOPLE_MANAGERS}
    serializer_class = MembershipSerializer

    def get_object(self) -> Membership:
        return access_membership_by_id(actor=self.request.membership, membership_id=self.kwargs["pk"])  # type: ignore[attr-defined]

    @extend_schema(request=MembershipUpdateSerializer, responses={200: MembershipSerializer})
    def patch(self, request: Request, tenant_slug: str, pk: int) -> Response:
        member = self.get_object()
        payload = MembershipUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = membership_update(actor=request.membership, membership=member, **payload.validated_data)  # type: ignore[attr-defined]
        return Response(MembershipSerializer(member).data)


class AuditEventListView(TenantListAPIView):
    roles_by_method = {"GET": frozenset({Role.VENDOR_ADMIN})}
    serializer_class = AuditEventSerializer
    filter_fields = {"verb": "verb", "object_type": "object_type", "object_id": "object_id"}
    search_fields = ("object_repr", "actor__email")

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return audit_event_list()


class AuditEventDetailView(TenantRetrieveAPIView):
    roles_by_method = {"GET": frozenset({Role.VENDOR_ADMIN})}
    serializer_class = AuditEventSerializer

    def get_object(self) -> Any:
        return access_audit_event_by_id(actor=self.request.membership, event_id=self.kwargs["pk"])  # type: ignore[attr-defined]

"""API of customers (end accounts) and partners' referral codes.

Vendor roles record and edit customers; partner roles read the customers they hold or held credit
for. A referral code quoted when a customer is created credits that code's partner by itself, in the
same transaction. Referral codes: the vendor's team manages any partner's, a partner admin its own.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from prm.models import VENDOR_ROLES, Membership
from revenue.access import access_customer_by_id, access_referral_code_by_id
from revenue.api_common import CODE_MANAGERS, MEMBERS, RevenueListAPIView, RevenueRetrieveAPIView, partner_for
from revenue.models import Customer, ReferralCode
from revenue.selectors_ledger import customer_list, referral_code_list
from revenue.serializers_ledger import (
    CustomerCreateSerializer,
    CustomerSerializer,
    CustomerWriteSerializer,
    ReferralCodeCreateSerializer,
    ReferralCodeSerializer,
    ReferralCodeUpdateSerializer,
)
from revenue.services_customers import (
    customer_create,
    customer_update,
    referral_code_create,
    referral_code_resolve,
    referral_code_set_active,
)
from revenue.services_ledger import attribute_by_code

CUSTOMER_FIELDS = ["name", "domain", "country", "industry", "size", "persona", "external_ref"]


class CustomerListView(RevenueListAPIView):
    """Customers by name. Partner roles see only those their organisation has credit for."""

    roles_by_method = {"GET": MEMBERS, "POST": VENDOR_ROLES}
    serializer_class = CustomerSerializer
    queryset_model = Customer
    filter_fields = {"segment": "segment_id", "country": "country__iexact"}
    search_fields = ("name", "domain", "external_ref")
    ordering_fields = ["name", "created_at", "country"]

    def get_queryset(self) -> QuerySet[Customer]:
        return customer_list(actor=self.actor)

    @extend_schema(request=CustomerCreateSerializer, responses={201: CustomerSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.payload(CustomerCreateSerializer)
        with transaction.atomic():  # the customer and the credit its referral code gives: both or neither
            code = None
            if data["referral_code"]:
                try:
                    code = referral_code_resolve(code=data["referral_code"])
                except ValueError as error:
                    raise ValidationError({"referral_code": str(error)}) from None
            customer = customer_create(
                actor=self.actor,
                segment_id=data["segment"],
                **{key: data[key] for key in CUSTOMER_FIELDS},
            )
            if code is not None:
                attribute_by_code(customer=customer, code=code, on=timezone.localdate())
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(RevenueRetrieveAPIView):
    """One customer. PATCH changes any of its fields (vendor roles)."""

    roles_by_method = {"GET": MEMBERS, "PATCH": VENDOR_ROLES}
    serializer_class = CustomerSerializer

    def get_object(self) -> Customer:
        return access_customer_by_id(actor=self.actor, customer_id=self.kwargs["pk"])

    @extend_schema(request=CustomerWriteSerializer, responses={200: CustomerSerializer})
    def patch(self, request: Request, tenant_slug: str, pk: int) -> Response:
        customer = self.get_object()
        changes = self.payload(CustomerWriteSerializer, partial=True)
        current = {key: getattr(customer, key) for key in CUSTOMER_FIELDS}
        current["segment"] = customer.segment_id
        fields = {**current, **changes}
        customer = customer_update(
            actor=self.actor,
            customer=customer,
            segment_id=fields.pop("segment"),
            **fields,
        )
        return Response(CustomerSerializer(customer).data)


# --- referral codes ---------------------------------------------------------------------------------


def referral_code_detail_of(*, actor: Membership, referral_code: ReferralCode) -> ReferralCode:
    """The code with its click and attribution counts, as the list shows it."""
    return referral_code_list(actor=actor).get(pk=referral_code.pk)


class ReferralCodeListView(RevenueListAPIView):
    """Referral codes and their tracked-link statistics. Partner roles see their own organisation's."""

    roles_by_method = {"GET": MEMBERS, "POST": CODE_MANAGERS}
    serializer_class = ReferralCodeSerializer
    queryset_model = ReferralCode
    filter_fields = {"partner": "partner_id", "is_active": "is_active"}
    filter_choices = {"is_active": {"true", "false"}}
    search_fields = ("code", "label", "partner__name")
    ordering_fields = ["code", "created_at"]

    def get_queryset(self) -> QuerySet[ReferralCode]:
        return referral_code_list(actor=self.actor)

    @extend_schema(request=ReferralCodeCreateSerializer, responses={201: ReferralCodeSerializer})
    def post(self, request: Request, tenant_slug: str) -> Response:
        data = self.payload(ReferralCodeCreateSerializer)
        partner = partner_for(self.actor, data)
        assert partner is not None
        created = referral_code_create(
            actor=self.actor,
            partner=partner,
            code=data["code"],
            label=data["label"],
            landing_url=data["landing_url"],
        )
        body = ReferralCodeSerializer(referral_code_detail_of(actor=self.actor, referral_code=created)).data
        return Response(body, status=status.HTTP_201_CREATED)


class ReferralCodeDetailView(RevenueRetrieveAPIView):
    """One referral code. PATCH switches it on or off (an inactive code credits nobody)."""

    roles_by_method = {"GET": MEMBERS, "PATCH": CODE_MANAGERS}
    serializer_class = ReferralCodeSerializer

    def get_object(self) -> ReferralCode:
        code = access_referral_code_by_id(actor=self.actor, referral_code_id=self.kwargs["pk"])
        return referral_code_detail_of(actor=self.actor, referral_code=code)

    @extend_schema(request=ReferralCodeUpdateSerializer, responses={200: ReferralCodeSerializer})
    def patch(self, request: Request, tenant_slug: str, pk: int) -> Response:
        code = access_referral_code_by_id(actor=self.actor, referral_code_id=pk)
        data = self.payload(ReferralCodeUpdateSerializer)
        referral_code_set_active(actor=self.actor, referral_code=code, is_active=data["is_active"])
        return Response(
            ReferralCodeSerializer(referral_code_detail_of(actor=self.actor, referral_code=code)).data
        )

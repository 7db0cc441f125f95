"""Partner API. Read-only in the foundation; the partners issue adds writes behind the same services."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from rest_framework import serializers

from partners.models import Partner, PartnerType, Stage
from partners.selectors import partner_list
from prm.api.base import TenantListAPIView, TenantRetrieveAPIView
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Membership


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "name", "partner_type", "status", "stage", "website_domain", "country", "created_at"]
        read_only_fields = fields


def _visible_partners(actor: Membership) -> QuerySet[Partner]:
    queryset = partner_list()
    return queryset.filter(pk=actor.partner_id) if actor.is_partner else queryset


class PartnerListView(TenantListAPIView):
    roles_by_method = {"GET": VENDOR_ROLES | PARTNER_ROLES}
    serializer_class = PartnerSerializer
    filter_fields = {"partner_type": "partner_type", "stage": "stage", "status": "status"}
    filter_choices = {"partner_type": set(PartnerType.values), "stage": set(Stage.values)}
    search_fields = ("name", "website_domain")
    ordering_fields = ["name", "created_at"]

    def get_queryset(self) -> QuerySet[Partner]:
        return _visible_partners(self.request.membership)  # type: ignore[attr-defined]


class PartnerDetailView(TenantRetrieveAPIView):
    roles_by_method = {"GET": VENDOR_ROLES | PARTNER_ROLES}
    serializer_class = PartnerSerializer

    def get_object(self) -> Partner:
        partner = _visible_partners(self.request.membership).filter(pk=self.kwargs["pk"]).first()  # type: ignore[attr-defined]
        if partner is None:
            raise Http404("No such partner.")
        return partner

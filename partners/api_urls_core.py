"""API URLs of the core concept (see partners/api_urls.py; the partner list and detail are there)."""

from django.urls import URLPattern, path

from partners import api

urlpatterns: list[URLPattern] = [
    path("partners/<int:pk>/stage/", api.PartnerStageView.as_view(), name="api_partner_stage"),
    path("segments/", api.SegmentListView.as_view(), name="api_segment_list"),
]

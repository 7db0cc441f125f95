"""API URLs of the market concept (see partners/api_urls.py)."""

from django.urls import URLPattern, path

from partners import api_market

urlpatterns: list[URLPattern] = [
    path("campaigns/", api_market.CampaignListView.as_view(), name="api_campaign_list"),
    path("campaigns/<int:pk>/", api_market.CampaignDetailView.as_view(), name="api_campaign_detail"),
    path("mdf-requests/", api_market.MdfRequestListView.as_view(), name="api_mdf_request_list"),
    path("mdf-requests/<int:pk>/", api_market.MdfRequestDetailView.as_view(), name="api_mdf_request_detail"),
    path(
        "mdf-requests/<int:pk>/approve/",
        api_market.MdfRequestApproveView.as_view(),
        name="api_mdf_request_approve",
    ),
    path(
        "mdf-requests/<int:pk>/reject/",
        api_market.MdfRequestRejectView.as_view(),
        name="api_mdf_request_reject",
    ),
    path(
        "mdf-requests/<int:pk>/claim/", api_market.MdfRequestClaimView.as_view(), name="api_mdf_request_claim"
    ),
    path(
        "mdf-requests/<int:pk>/reimburse/",
        api_market.MdfRequestReimburseView.as_view(),
        name="api_mdf_request_reimburse",
    ),
    path("assessments/", api_market.AssessmentListView.as_view(), name="api_assessment_list"),
    path("assessments/<int:pk>/", api_market.AssessmentDetailView.as_view(), name="api_assessment_detail"),
]

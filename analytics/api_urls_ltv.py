"""API URLs of partner LTV and its runs (see analytics/api_ltv.py)."""

from django.urls import URLPattern, path

from analytics import api_ltv

urlpatterns: list[URLPattern] = [
    path("ltv/partners/", api_ltv.PartnerLtvListView.as_view(), name="api_ltv_partner_list"),
    path("ltv/partners/<int:pk>/", api_ltv.PartnerLtvDetailView.as_view(), name="api_ltv_partner_detail"),
    path("ltv/runs/", api_ltv.LtvRunListView.as_view(), name="api_ltv_run_list"),
    path("ltv/runs/<int:pk>/", api_ltv.LtvRunDetailView.as_view(), name="api_ltv_run_detail"),
]

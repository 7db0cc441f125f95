"""Vendor pages of the analytics app: the partner 360 LTV tab and the board's badges (loaded by the
partners app's pages by URL), the tenant overview with its export and refit button, runs, models."""

from django.urls import URLPattern, path

from analytics import views_vendor, views_vendor_runs

urlpatterns: list[URLPattern] = [
    path("partners/<int:pk>/ltv/", views_vendor.partner_tab_ltv, name="partner_tab_ltv"),
    path("ltv/", views_vendor.ltv_overview, name="ltv_overview"),
    path("ltv/badges/", views_vendor.ltv_board_badges, name="ltv_board_badges"),
    path("ltv/export.csv", views_vendor.ltv_partner_export, name="ltv_partner_export"),
    path("ltv/recompute/", views_vendor.ltv_recompute, name="ltv_recompute"),
    path("ltv/runs/", views_vendor_runs.ltv_run_list_page, name="ltv_run_list"),
    path("ltv/runs/<int:pk>/", views_vendor_runs.ltv_run_detail, name="ltv_run_detail"),
    path("ltv/runs/<int:pk>/progress/", views_vendor_runs.ltv_run_progress, name="ltv_run_progress"),
    path("ltv/models/", views_vendor_runs.ltv_model_quality, name="ltv_model_quality"),
]

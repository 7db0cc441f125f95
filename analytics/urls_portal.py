"""Partner portal pages of the analytics app: the partner's own LTV."""

from django.urls import URLPattern, path

from analytics import views_portal

urlpatterns: list[URLPattern] = [
    path("portal/ltv/", views_portal.portal_ltv_page, name="portal_ltv"),
]

"""Analytics pages, one URL module per audience: vendor (partner LTV panel, tenant overview, runs,
model quality) and portal (the partner's own LTV)."""

from django.urls import include, path

urlpatterns = [
    path("", include("analytics.urls_vendor")),
    path("", include("analytics.urls_portal")),
]

from django.urls import include, path

from partners import api

urlpatterns = [
    path("partners/", api.PartnerListView.as_view(), name="api_partner_list"),
    path("partners/<int:pk>/", api.PartnerDetailView.as_view(), name="api_partner_detail"),
    path("", include("partners.api_urls_core")),
    path("", include("partners.api_urls_recruit")),
    path("", include("partners.api_urls_enablement")),
    path("", include("partners.api_urls_market")),
]

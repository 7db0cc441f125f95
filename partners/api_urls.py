from django.urls import path

from partners import api

urlpatterns = [
    path("partners/", api.PartnerListView.as_view(), name="api_partner_list"),
    path("partners/<int:pk>/", api.PartnerDetailView.as_view(), name="api_partner_detail"),
]

"""Partner pages, one URL module per concept: core (directory, 360, board, portal profile),
recruit (programs, segments, ideal profile, prospects), enablement (checklists, trainings),
market (campaigns, MDF, health assessments)."""

from django.urls import include, path

from partners import views

urlpatterns = [
    path("", views.tenant_home, name="tenant_home"),
    path("portal/", views.portal_home, name="portal_home"),
    path("stages/<slug:stage>/", views.stage_detail, name="stage_detail"),
    path("", include("partners.urls_core")),
    path("", include("partners.urls_recruit")),
    path("", include("partners.urls_enablement")),
    path("", include("partners.urls_market")),
]

"""Page URLs of the market concept (see partners/urls.py): campaigns, MDF, health assessments."""

from django.urls import URLPattern, path

from partners import views_health, views_market

urlpatterns: list[URLPattern] = [
    # partner 360 tabs (loaded with htmx, full pages when opened directly) and campaigns
    path("partners/<int:pk>/market/", views_market.partner_tab_market, name="partner_tab_market"),
    path("partners/<int:pk>/campaigns/new/", views_market.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/edit/", views_market.campaign_edit, name="campaign_edit"),
    # vendor MDF queue and decisions
    path("mdf/", views_market.mdf_queue, name="mdf_queue"),
    path("partners/<int:pk>/mdf/new/", views_market.mdf_request_new, name="mdf_request_new"),
    path("mdf/<int:pk>/", views_market.mdf_request_detail, name="mdf_request_detail"),
    path("mdf/<int:pk>/approve/", views_market.mdf_request_approve_view, name="mdf_request_approve"),
    path("mdf/<int:pk>/reject/", views_market.mdf_request_reject_view, name="mdf_request_reject"),
    path("mdf/<int:pk>/reimburse/", views_market.mdf_request_reimburse_view, name="mdf_request_reimburse"),
    # portal MDF
    path("portal/mdf/", views_market.portal_mdf, name="portal_mdf"),
    path("portal/mdf/<int:pk>/", views_market.portal_mdf_detail, name="portal_mdf_detail"),
    # health
    path("partners/<int:pk>/health/", views_health.partner_tab_health, name="partner_tab_health"),
    path("partners/<int:pk>/health/assess/", views_health.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", views_health.assessment_detail, name="assessment_detail"),
    path("portal/health/", views_health.portal_health, name="portal_health"),
    path("portal/health/<int:pk>/", views_health.portal_assessment_detail, name="portal_assessment_detail"),
    path("config/health/", views_health.health_config, name="health_config"),
    path("config/health/standard/", views_health.health_config_standard, name="health_config_standard"),
    path(
        "config/health/new-version/",
        views_health.health_questionnaire_version,
        name="health_questionnaire_version",
    ),
    path("config/health/questions/<int:pk>/", views_health.health_question_edit, name="health_question_edit"),
    path(
        "config/health/questions/<int:pk>/delete/",
        views_health.health_question_delete,
        name="health_question_delete",
    ),
]

"""Page URLs of the core concept (see partners/urls.py): the directory, the partner 360 page and its
tabs, the lifecycle board, and the portal's own profile."""

from django.urls import path

from partners import views_board, views_directory, views_partner, views_partner_actions, views_portal_profile

urlpatterns = [
    path("partners/", views_directory.partner_directory, name="partner_directory"),
    path("partners/export.csv", views_directory.partner_export, name="partner_export"),
    path("partners/new/", views_directory.partner_new, name="partner_new"),
    path("partners/<int:pk>/", views_partner.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", views_partner.partner_edit, name="partner_edit"),
    path("partners/<int:pk>/profile/", views_partner.partner_tab_profile, name="partner_tab_profile"),
    path("partners/<int:pk>/stages/", views_partner.partner_tab_stages, name="partner_tab_stages"),
    path("partners/<int:pk>/people/", views_partner.partner_tab_people, name="partner_tab_people"),
    path("partners/<int:pk>/tier/", views_partner.partner_tab_tier, name="partner_tab_tier"),
    path("partners/<int:pk>/stage/", views_board.partner_stage_move, name="partner_stage_move"),
    path("partners/<int:pk>/status/", views_partner_actions.partner_status_set, name="partner_status_set"),
    path(
        "partners/<int:pk>/tier/override/",
        views_partner_actions.partner_tier_override,
        name="partner_tier_override",
    ),
    path("partners/<int:pk>/costs/", views_partner_actions.partner_cost_add, name="partner_cost_add"),
    path("board/", views_board.partner_board, name="partner_board"),
    path("portal/profile/", views_portal_profile.portal_profile, name="portal_profile"),
]

"""Page URLs of the recruit concept (see partners/urls.py): program configuration (programs, tiers,
segments), the ideal partner profile of each program, and the prospect pipeline."""

from django.urls import URLPattern, path

from partners import views_config, views_recruit

urlpatterns: list[URLPattern] = [
    path("config/programs/", views_config.program_list_view, name="program_list"),
    path("config/programs/<int:pk>/", views_config.program_detail, name="program_detail"),
    path("config/programs/<int:pk>/tiers/new/", views_config.tier_create_view, name="tier_create"),
    path("config/programs/<int:pk>/ideal-profile/", views_recruit.ideal_profile, name="ideal_profile"),
    path("config/ideal-profile/", views_recruit.ideal_profile_default, name="ideal_profile_default"),
    path("config/tiers/<int:pk>/", views_config.tier_detail, name="tier_detail"),
    path("config/tiers/<int:pk>/move/", views_config.tier_move_view, name="tier_move"),
    path("config/tiers/<int:pk>/delete/", views_config.tier_delete_view, name="tier_delete"),
    path("config/segments/", views_config.segment_list_view, name="segment_list"),
    path("config/segments/<int:pk>/", views_config.segment_detail, name="segment_detail"),
    path("prospects/", views_recruit.prospect_list_view, name="prospect_list"),
    path("prospects/new/", views_recruit.prospect_create_view, name="prospect_create"),
    path("prospects/<int:pk>/", views_recruit.prospect_detail, name="prospect_detail"),
    path("prospects/<int:pk>/status/", views_recruit.prospect_status, name="prospect_status"),
    path("prospects/<int:pk>/convert/", views_recruit.prospect_convert_view, name="prospect_convert"),
]

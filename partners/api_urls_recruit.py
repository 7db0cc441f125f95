"""API URLs of the recruit concept (see partners/api_urls.py)."""

from django.urls import URLPattern, path

from partners import api_recruit

urlpatterns: list[URLPattern] = [
    path("programs/", api_recruit.ProgramListView.as_view(), name="api_program_list"),
    path("programs/<int:pk>/", api_recruit.ProgramDetailView.as_view(), name="api_program_detail"),
    path("prospects/", api_recruit.ProspectListView.as_view(), name="api_prospect_list"),
    path("prospects/<int:pk>/", api_recruit.ProspectDetailView.as_view(), name="api_prospect_detail"),
    path(
        "prospects/<int:pk>/convert/", api_recruit.ProspectConvertView.as_view(), name="api_prospect_convert"
    ),
]

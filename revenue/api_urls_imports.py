"""API URLs of the imports concept (see revenue/api_urls.py)."""

from django.urls import URLPattern, path

from revenue import api_imports

urlpatterns: list[URLPattern] = [
    path("imports/", api_imports.ImportJobListView.as_view(), name="api_import_list"),
    path("imports/<int:pk>/", api_imports.ImportJobDetailView.as_view(), name="api_import_detail"),
]

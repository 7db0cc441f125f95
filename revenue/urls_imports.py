"""Page URLs of the imports concept (see revenue/urls.py)."""

from django.urls import URLPattern, path

from revenue import views_imports

urlpatterns: list[URLPattern] = [
    path("imports/", views_imports.import_list, name="import_list"),
    path("imports/export/", views_imports.import_export, name="import_export"),
    path("imports/new/", views_imports.import_new, name="import_new"),
    path("imports/template/<slug:kind>.csv", views_imports.import_template, name="import_template"),
    path("imports/<int:pk>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views_imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.csv", views_imports.import_errors_export, name="import_errors_export"),
]

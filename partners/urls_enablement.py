"""Page URLs of the enablement concept (see partners/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""API URLs of the enablement concept (see partners/api_urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

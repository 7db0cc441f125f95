"""API URLs of the market concept (see partners/api_urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

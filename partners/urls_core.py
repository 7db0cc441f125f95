"""Page URLs of the core concept (see partners/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

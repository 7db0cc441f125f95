"""Page URLs of the market concept (see partners/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

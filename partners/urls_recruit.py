"""Page URLs of the recruit concept (see partners/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

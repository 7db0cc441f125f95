from django.urls import include, path

urlpatterns = [
    path("", include("analytics.api_urls_ltv")),
]

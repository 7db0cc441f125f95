from django.urls import include, path

urlpatterns = [
    path("", include("revenue.api_urls_deals")),
    path("", include("revenue.api_urls_ledger")),
    path("", include("revenue.api_urls_imports")),
]

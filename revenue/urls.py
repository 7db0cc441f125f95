"""Revenue pages, one URL module per concept: deals (registration, conflicts, approval queue),
ledger (customers, revenue, attributions, costs, referral codes), imports (CSV upload, progress),
partner (the panels partner pages load: the 360 "Sell" tab, time to first deal)."""

from django.urls import include, path

urlpatterns = [
    path("", include("revenue.urls_deals")),
    path("", include("revenue.urls_ledger")),
    path("", include("revenue.urls_imports")),
    path("", include("revenue.urls_partner")),
]

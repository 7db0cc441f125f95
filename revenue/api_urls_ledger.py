"""API URLs of the ledger concept (see revenue/api_urls.py): customers, referral codes, revenue rows,
attributions and partner costs."""

from django.urls import URLPattern, path

from revenue import api_customers, api_ledger

urlpatterns: list[URLPattern] = [
    path("customers/", api_customers.CustomerListView.as_view(), name="api_customer_list"),
    path("customers/<int:pk>/", api_customers.CustomerDetailView.as_view(), name="api_customer_detail"),
    path("referral-codes/", api_customers.ReferralCodeListView.as_view(), name="api_referral_code_list"),
    path(
        "referral-codes/<int:pk>/",
        api_customers.ReferralCodeDetailView.as_view(),
        name="api_referral_code_detail",
    ),
    path("revenue/", api_ledger.RevenueListView.as_view(), name="api_revenue_list"),
    path("revenue/<int:pk>/", api_ledger.RevenueDetailView.as_view(), name="api_revenue_detail"),
    path("revenue/<int:pk>/reverse/", api_ledger.RevenueReverseView.as_view(), name="api_revenue_reverse"),
    path("attributions/", api_ledger.AttributionListView.as_view(), name="api_attribution_list"),
    path("attributions/<int:pk>/", api_ledger.AttributionDetailView.as_view(), name="api_attribution_detail"),
    path("attributions/<int:pk>/end/", api_ledger.AttributionEndView.as_view(), name="api_attribution_end"),
    path(
        "attributions/<int:pk>/change-weight/",
        api_ledger.AttributionChangeWeightView.as_view(),
        name="api_attribution_change_weight",
    ),
    path("costs/", api_ledger.CostListView.as_view(), name="api_cost_list"),
    path("costs/<int:pk>/", api_ledger.CostDetailView.as_view(), name="api_cost_detail"),
    path("costs/<int:pk>/reverse/", api_ledger.CostReverseView.as_view(), name="api_cost_reverse"),
]

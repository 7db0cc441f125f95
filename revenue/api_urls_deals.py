"""API URLs of the deals concept (see revenue/api_urls.py)."""

from django.urls import URLPattern, path

from revenue import api_deals

urlpatterns: list[URLPattern] = [
    path("deals/", api_deals.DealListView.as_view(), name="api_deal_list"),
    path("deals/<int:pk>/", api_deals.DealDetailView.as_view(), name="api_deal_detail"),
    path("deals/<int:pk>/submit/", api_deals.DealSubmitView.as_view(), name="api_deal_submit"),
    path("deals/<int:pk>/approve/", api_deals.DealApproveView.as_view(), name="api_deal_approve"),
    path("deals/<int:pk>/reject/", api_deals.DealRejectView.as_view(), name="api_deal_reject"),
    path("deals/<int:pk>/win/", api_deals.DealWinView.as_view(), name="api_deal_win"),
    path("deals/<int:pk>/lose/", api_deals.DealLoseView.as_view(), name="api_deal_lose"),
    path(
        "deals/<int:pk>/request-extension/",
        api_deals.DealRequestExtensionView.as_view(),
        name="api_deal_request_extension",
    ),
    path(
        "deals/<int:pk>/decide-extension/",
        api_deals.DealDecideExtensionView.as_view(),
        name="api_deal_decide_extension",
    ),
    path("conflicts/", api_deals.ConflictListView.as_view(), name="api_conflict_list"),
    path("conflicts/<int:pk>/", api_deals.ConflictDetailView.as_view(), name="api_conflict_detail"),
    path("conflicts/<int:pk>/resolve/", api_deals.ConflictResolveView.as_view(), name="api_conflict_resolve"),
]

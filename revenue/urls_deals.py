"""Page URLs of the deals concept (see revenue/urls.py): the partner portal's registrations, and the
vendor's approval queue, deal list, direct opportunities and conflicts."""

from django.urls import URLPattern, path

from revenue import views_deals_conflicts, views_deals_portal, views_deals_vendor

urlpatterns: list[URLPattern] = [
    # partner portal
    path("portal/deals/", views_deals_portal.portal_deals, name="portal_deals"),
    path("portal/deals/export.csv", views_deals_portal.portal_deal_export, name="portal_deal_export"),
    path("portal/deals/new/", views_deals_portal.portal_deal_new, name="portal_deal_new"),
    path("portal/deals/check/", views_deals_portal.portal_deal_check, name="portal_deal_check"),
    path("portal/deals/<int:pk>/", views_deals_portal.portal_deal_detail, name="portal_deal_detail"),
    path("portal/deals/<int:pk>/edit/", views_deals_portal.portal_deal_edit, name="portal_deal_edit"),
    path("portal/deals/<int:pk>/submit/", views_deals_portal.portal_deal_submit, name="portal_deal_submit"),
    path(
        "portal/deals/<int:pk>/extension/",
        views_deals_portal.portal_deal_extension,
        name="portal_deal_extension",
    ),
    path("portal/deals/<int:pk>/lose/", views_deals_portal.portal_deal_lose, name="portal_deal_lose"),
    # vendor: queue and decisions
    path("deals/queue/", views_deals_vendor.deal_queue_view, name="deal_queue"),
    path("deals/<int:pk>/approve/", views_deals_vendor.deal_approve_view, name="deal_approve"),
    path("deals/<int:pk>/reject/", views_deals_vendor.deal_reject_view, name="deal_reject"),
    path("deals/<int:pk>/extension/", views_deals_vendor.deal_extension_decide, name="deal_extension_decide"),
    # vendor: all deals, one deal, direct opportunities
    path("deals/", views_deals_vendor.deal_list_view, name="deal_list"),
    path("deals/export.csv", views_deals_vendor.deal_export, name="deal_export"),
    path("deals/direct/new/", views_deals_vendor.direct_opportunity_new, name="direct_opportunity_new"),
    path("deals/<int:pk>/", views_deals_vendor.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/win/", views_deals_vendor.deal_win_view, name="deal_win"),
    path("deals/<int:pk>/lose/", views_deals_vendor.deal_lose_view, name="deal_lose"),
    # vendor: conflicts
    path("deals/conflicts/", views_deals_conflicts.conflict_list_view, name="conflict_list"),
    path("deals/conflicts/export.csv", views_deals_conflicts.conflict_export, name="conflict_export"),
    path("deals/conflicts/<int:pk>/", views_deals_conflicts.conflict_detail, name="conflict_detail"),
    path(
        "deals/conflicts/<int:pk>/resolve/",
        views_deals_conflicts.conflict_resolve_view,
        name="conflict_resolve",
    ),
]

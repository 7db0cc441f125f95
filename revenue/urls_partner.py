"""Revenue panels of the partner pages (see revenue/views_partner.py)."""

from django.urls import URLPattern, path

from revenue import views_partner

urlpatterns: list[URLPattern] = [
    path("partners/<int:pk>/sell/", views_partner.partner_tab_sell, name="partner_tab_sell"),
    path("partners/<int:pk>/first-deal/", views_partner.partner_first_deal_panel, name="partner_first_deal"),
    path("portal/first-deal/", views_partner.portal_first_deal_panel, name="portal_first_deal"),
]

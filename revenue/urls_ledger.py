"""Page URLs of the ledger concept (see revenue/urls.py): customers, the revenue and attribution
ledgers, partner costs, referral codes and the public tracked link."""

from django.urls import URLPattern, path

from revenue import views_customers as customers
from revenue import views_ledger_attribution as attributions
from revenue import views_ledger_costs as costs
from revenue import views_ledger_revenue as revenue
from revenue import views_referrals as referrals

urlpatterns: list[URLPattern] = [
    # customers
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/export.csv", customers.customer_export, name="customer_export"),
    path("customers/new/", customers.customer_new, name="customer_new"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", customers.customer_edit, name="customer_edit"),
    path("portal/customers/", customers.portal_customers, name="portal_customers"),
    path("portal/customers/export.csv", customers.portal_customer_export, name="portal_customer_export"),
    path("portal/customers/<int:pk>/", customers.portal_customer_detail, name="portal_customer_detail"),
    # revenue ledger (no edit page: corrections are reversals)
    path("revenue/", revenue.revenue_list, name="revenue_list"),
    path("revenue/export.csv", revenue.revenue_export, name="revenue_export"),
    path("revenue/new/", revenue.revenue_new, name="revenue_new"),
    path("revenue/<int:pk>/", revenue.revenue_detail, name="revenue_detail"),
    path("revenue/<int:pk>/reverse/", revenue.revenue_reverse_view, name="revenue_reverse"),
    # attribution ledger
    path("attributions/", attributions.attribution_list, name="attribution_list"),
    path("attributions/export.csv", attributions.attribution_export, name="attribution_export"),
    path("attributions/new/", attributions.attribution_new, name="attribution_new"),
    path("attributions/<int:pk>/", attributions.attribution_detail, name="attribution_detail"),
    path("attributions/<int:pk>/end/", attributions.attribution_end_view, name="attribution_end"),
    path(
        "attributions/<int:pk>/weight/",
        attributions.attribution_change_weight_view,
        name="attribution_change_weight",
    ),
    path("portal/attributions/", attributions.portal_attributions, name="portal_attributions"),
    path(
        "portal/attributions/export.csv",
        attributions.portal_attribution_export,
        name="portal_attribution_export",
    ),
    # partner costs
    path("costs/", costs.cost_list, name="cost_list"),
    path("costs/export.csv", costs.cost_export, name="cost_export"),
    path("costs/new/", costs.cost_new, name="cost_new"),
    path("costs/<int:pk>/", costs.cost_detail, name="cost_detail"),
    path("costs/<int:pk>/reverse/", costs.cost_reverse_view, name="cost_reverse"),
    # referral codes and the public tracked link
    path("referral-codes/", referrals.referral_code_list, name="referral_code_list"),
    path("referral-codes/export.csv", referrals.referral_code_export, name="referral_code_export"),
    path("referral-codes/new/", referrals.referral_code_new, name="referral_code_new"),
    path("referral-codes/<int:pk>/toggle/", referrals.referral_code_toggle, name="referral_code_toggle"),
    path("portal/referral-codes/", referrals.portal_referral_codes, name="portal_referral_codes"),
    path(
        "portal/referral-codes/export.csv",
        referrals.portal_referral_code_export,
        name="portal_referral_code_export",
    ),
    path("r/<str:code>/", referrals.referral_link, name="referral_link"),
]

"""Revenue panels of partner pages. The partners app cannot import us, so its pages load these
with htmx by URL: the 360 page's "Sell" tab, and the time-to-first-deal figure of the onboarding
checklist (vendor and portal). Each is also a page of its own when opened directly."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from partners.access import access_own_partner, access_partner_by_id
from prm.models import PARTNER_ROLES, REVENUE_STREAMS, VENDOR_ROLES, Membership
from prm.web import render_page, tenant_view
from revenue.models import AttributionKind, DealStatus
from revenue.selectors_deals import deal_list
from revenue.selectors_ledger import referral_code_list
from revenue.selectors_partner import (
    partner_costs,
    partner_credited_revenue,
    partner_customer_counts,
    partner_deal_counts,
    partner_first_deal,
)

RECENT_DEALS = 8


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


@tenant_view(roles=VENDOR_ROLES)
def partner_tab_sell(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    partner = access_partner_by_id(actor=actor, partner_id=pk)
    credited = partner_credited_revenue(partner_id=partner.pk)
    streams = [
        {
            "label": label,
            "sourced": credited.by_kind.get(AttributionKind.SOURCED, {}).get(key),
            "influenced": credited.by_kind.get(AttributionKind.INFLUENCED, {}).get(key),
        }
        for key, label in REVENUE_STREAMS
    ]
    costs = partner_costs(partner_id=partner.pk)
    counts = partner_deal_counts(partner_id=partner.pk)
    context = {
        "partner": partner,
        "active_tab": "sell",
        "first_deal": partner_first_deal(partner=partner),
        "deal_counts": [(label, counts[key]) for key, label in DealStatus.choices],
        "recent_deals": list(deal_list(actor=actor, partner_id=partner.pk)[:RECENT_DEALS]),
        "customers": partner_customer_counts(partner_id=partner.pk),
        "streams": [row for row in streams if row["sourced"] or row["influenced"]],
        "sourced_total": credited.total(AttributionKind.SOURCED),
        "influenced_total": credited.total(AttributionKind.INFLUENCED),
        "costs": sorted(costs.items()),
        "costs_total": sum(costs.values()),
        "codes": list(referral_code_list(actor=actor, partner_id=partner.pk)),
    }
    return render_page(request, "revenue/partner/tab_sell.html", context, partial="tab")


@tenant_view(roles=VENDOR_ROLES)
def partner_first_deal_panel(request: HttpRequest, pk: int) -> HttpResponse:
    partner = access_partner_by_id(actor=_actor(request), partner_id=pk)
    context = {"partner": partner, "first_deal": partner_first_deal(partner=partner), "portal": False}
    return render_page(request, "revenue/partner/first_deal.html", context, partial="panel")


@tenant_view(roles=PARTNER_ROLES)
def portal_first_deal_panel(request: HttpRequest) -> HttpResponse:
    partner = access_own_partner(actor=_actor(request))
    context = {"partner": partner, "first_deal": partner_first_deal(partner=partner), "portal": True}
    return render_page(request, "revenue/partner/first_deal.html", context, partial="panel")

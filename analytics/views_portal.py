"""The partner portal's "Our LTV" page: the partner's own LTV, its parts, trend, risk and levers.

Everything on it comes from the partner's own rows (analytics.selectors_partner.portal_ltv); vendor
roles are refused (403), as on every portal page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from analytics.selectors_partner import portal_ltv
from partners.access import access_own_partner
from prm.models import PARTNER_ROLES, Membership
from prm.web import render_page, tenant_view


@tenant_view(roles=PARTNER_ROLES)
def portal_ltv_page(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    partner = access_own_partner(actor=actor)
    context = {"partner": partner, "ltv": portal_ltv(actor=actor)}
    return render_page(request, "analytics/portal/ltv.html", context)

"""Authorization matrix rows of the revenue API (deals, conflicts, customers, referral codes, revenue,
attributions, costs); merged into tests/authz_matrix.MATRIX.

Partner roles read what is theirs and register, follow and close their own deals; vendor roles
write the ledgers and decide. Each object row names the world object in the state its action needs.
"""

from __future__ import annotations

from tests.authz_matrix_base import (
    ANON,
    EVERYONE,
    MEMBERS,
    NOBODY,
    PA,
    PARTNERS,
    PU,
    VA,
    VENDORS,
    VS,
    Endpoint,
)

CODE_MANAGERS = VENDORS | {PA}

DEALS: dict[str, Endpoint] = {
    "api_deal_list": Endpoint(
        allow={"GET": MEMBERS, "POST": MEMBERS},
        api=True,
        data={
            "POST": {
                "partner": "<p1>",
                "title": "API rollout",
                "customer_name": "Matrix Metals",
                "customer_domain": "matrix-metals.example",
                "amount": "12000.00",
                "submit": True,
            }
        },
    ),
    "api_deal_detail": Endpoint(
        allow={"GET": MEMBERS, "PATCH": MEMBERS},
        api=True,
        obj="deal_draft",
        data={"PATCH": {"amount": "30000"}},
    ),
    "api_deal_submit": Endpoint(allow={"POST": MEMBERS}, api=True, obj="deal_draft"),
    "api_deal_approve": Endpoint(
        allow={"POST": VENDORS}, api=True, obj="deal_submitted", data={"POST": {"reason": "Qualified"}}
    ),
    "api_deal_reject": Endpoint(
        allow={"POST": VENDORS}, api=True, obj="deal_submitted", data={"POST": {"reason": "No budget"}}
    ),
    "api_deal_win": Endpoint(
        allow={"POST": VENDORS},
        api=True,
        obj="deal_approved",
        data={"POST": {"amount": "24000.00", "closed_on": "2026-05-01"}},
    ),
    "api_deal_lose": Endpoint(
        allow={"POST": MEMBERS}, api=True, obj="deal_approved", data={"POST": {"reason": "Went elsewhere"}}
    ),
    "api_deal_request_extension": Endpoint(
        allow={"POST": PARTNERS}, api=True, obj="deal_approved", data={"POST": {"reason": "Board meets late"}}
    ),
    "api_deal_decide_extension": Endpoint(
        allow={"POST": VENDORS},
        api=True,
        obj="deal_extension_requested",
        data={"POST": {"grant": True, "reason": "Fair ask"}},
    ),
    "api_conflict_list": Endpoint(allow={"GET": MEMBERS}, api=True),
    "api_conflict_detail": Endpoint(allow={"GET": MEMBERS}, api=True, obj="conflict"),
    # No winner named: the default, first valid submission, wins.
    "api_conflict_resolve": Endpoint(
        allow={"POST": VENDORS}, api=True, obj="conflict", data={"POST": {"reason": "First come"}}
    ),
}

LEDGERS: dict[str, Endpoint] = {
    "api_customer_list": Endpoint(
        allow={"GET": MEMBERS, "POST": VENDORS},
        api=True,
        data={"POST": {"name": "Matrix Mills", "domain": "matrix-mills.example", "country": "DE"}},
    ),
    "api_customer_detail": Endpoint(
        allow={"GET": MEMBERS, "PATCH": VENDORS},
        api=True,
        obj="customer",
        data={"PATCH": {"industry": "Manufacturing"}},
    ),
    "api_referral_code_list": Endpoint(
        allow={"GET": MEMBERS, "POST": CODE_MANAGERS},
        api=True,
        data={"POST": {"partner": "<p1>", "label": "Spring webinar"}},
    ),
    "api_referral_code_detail": Endpoint(
        allow={"GET": MEMBERS, "PATCH": CODE_MANAGERS},
        api=True,
        obj="referral_code",
        data={"PATCH": {"is_active": False}},
    ),
    "api_revenue_list": Endpoint(
        allow={"GET": MEMBERS, "POST": VENDORS},
        api=True,
        data={
            "POST": {
                "customer": "<obj:customer>",
                "occurred_on": "2025-06-01",
                "amount": "500.00",
                "stream": "renewal",
            }
        },
    ),
    "api_revenue_detail": Endpoint(allow={"GET": MEMBERS}, api=True, obj="revenue_entry"),
    "api_revenue_reverse": Endpoint(
        allow={"POST": VENDORS}, api=True, obj="revenue_entry", data={"POST": {"reason": "Invoice void"}}
    ),
    "api_attribution_list": Endpoint(
        allow={"GET": MEMBERS, "POST": VENDORS},
        api=True,
        data={
            "POST": {
                "partner": "<p1>",
                "customer": "<obj:customer>",
                "kind": "influenced",
                "weight": "0.5",
                "effective_from": "2025-02-01",
                "source": "manual",
                "reason": "Co-sold",
            }
        },
    ),
    "api_attribution_detail": Endpoint(allow={"GET": MEMBERS}, api=True, obj="attribution"),
    "api_attribution_end": Endpoint(
        allow={"POST": VENDORS},
        api=True,
        obj="attribution",
        data={"POST": {"effective_to": "2025-12-31", "reason": "Partner left"}},
    ),
    "api_attribution_change_weight": Endpoint(
        allow={"POST": VENDORS},
        api=True,
        obj="attribution",
        data={"POST": {"weight": "0.6", "effective_from": "2025-07-01", "reason": "Shared with an SI"}},
    ),
    "api_cost_list": Endpoint(
        allow={"GET": MEMBERS, "POST": VENDORS},
        api=True,
        data={
            "POST": {
                "partner": "<p1>",
                "kind": "support",
                "incurred_on": "2025-05-01",
                "amount": "250.00",
                "description": "Onsite help",
            }
        },
    ),
    "api_cost_detail": Endpoint(allow={"GET": MEMBERS}, api=True, obj="cost"),
    "api_cost_reverse": Endpoint(
        allow={"POST": VENDORS}, api=True, obj="cost", data={"POST": {"reason": "Booked twice"}}
    ),
}

ENTRIES: dict[str, Endpoint] = {**DEALS, **LEDGERS}

__all__ = ["ANON", "ENTRIES", "EVERYONE", "MEMBERS", "NOBODY", "PA", "PARTNERS", "PU", "VA", "VENDORS", "VS"]

"""Authorization matrix rows of the revenue deals concept; merged into tests/authz_matrix.MATRIX."""

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

ENTRIES: dict[str, Endpoint] = {
    # --- partner portal ---
    "portal_deals": Endpoint(allow={"GET": PARTNERS}),
    "portal_deal_export": Endpoint(allow={"GET": PARTNERS}),
    "portal_deal_new": Endpoint(
        allow={"GET": PARTNERS, "POST": PARTNERS},
        data={
            "POST": {
                "title": "Matrix rollout",
                "customer_name": "Matrixco",
                "customer_domain": "matrixco.example",
                "stream": "new",
                "amount": "1000",
                "action": "submit",
            }
        },
    ),
    "portal_deal_check": Endpoint(allow={"GET": PARTNERS}),
    "portal_deal_detail": Endpoint(allow={"GET": PARTNERS}, obj="deal_submitted"),
    "portal_deal_edit": Endpoint(
        allow={"GET": PARTNERS, "POST": PARTNERS},
        obj="deal_draft",
        data={
            "POST": {
                "title": "Matrix edited",
                "customer_name": "Draftwood Holdings",
                "customer_domain": "draftwood-p1.example",
                "stream": "new",
                "amount": "2000",
                "action": "draft",
            }
        },
    ),
    "portal_deal_submit": Endpoint(allow={"POST": PARTNERS}, obj="deal_draft"),
    "portal_deal_extension": Endpoint(
        allow={"POST": PARTNERS}, obj="deal_approved", data={"POST": {"reason": "Matrix: board meets late"}}
    ),
    "portal_deal_lose": Endpoint(
        allow={"POST": PARTNERS}, obj="deal_approved", data={"POST": {"reason": "Matrix: lost on price"}}
    ),
    # --- vendor: queue and decisions ---
    "deal_queue": Endpoint(allow={"GET": VENDORS}),
    "deal_approve": Endpoint(allow={"POST": VENDORS}, obj="deal_submitted"),
    "deal_reject": Endpoint(
        allow={"POST": VENDORS}, obj="deal_submitted", data={"POST": {"reason": "Matrix: not qualified"}}
    ),
    "deal_extension_decide": Endpoint(
        allow={"POST": VENDORS}, obj="deal_extension_requested", data={"POST": {"decision": "grant"}}
    ),
    # --- vendor: all deals, one deal, direct opportunities ---
    "deal_list": Endpoint(allow={"GET": VENDORS}),
    "deal_export": Endpoint(allow={"GET": VENDORS}),
    "deal_detail": Endpoint(allow={"GET": VENDORS}, obj="deal_submitted"),
    "deal_win": Endpoint(
        allow={"POST": VENDORS},
        obj="deal_approved",
        data={"POST": {"amount": "24000", "closed_on": "2026-03-01"}},
    ),
    "deal_lose": Endpoint(
        allow={"POST": VENDORS}, obj="deal_approved", data={"POST": {"reason": "Matrix: customer went dark"}}
    ),
    "direct_opportunity_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        data={
            "POST": {
                "title": "Matrix direct pursuit",
                "customer_name": "Directco",
                "customer_domain": "directco.example",
                "stream": "new",
                "amount": "5000",
            }
        },
    ),
    # --- vendor: conflicts ---
    "conflict_list": Endpoint(allow={"GET": VENDORS}),
    "conflict_export": Endpoint(allow={"GET": VENDORS}),
    "conflict_detail": Endpoint(allow={"GET": VENDORS}, obj="conflict"),
    "conflict_resolve": Endpoint(
        allow={"POST": VENDORS},
        obj="conflict",
        data={"POST": {"winner": "deal", "reason": "Matrix: the partner ran the evaluation"}},
    ),
}

__all__ = ["ANON", "ENTRIES", "EVERYONE", "MEMBERS", "NOBODY", "PA", "PARTNERS", "PU", "VA", "VENDORS", "VS"]

"""Authorization matrix rows of the analytics pages; merged into tests/authz_matrix.MATRIX."""

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
    # Vendor LTV pages (analytics/urls_vendor.py); partner roles are refused by role (403).
    "partner_tab_ltv": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "ltv_board_badges": Endpoint(allow={"GET": VENDORS}),
    "ltv_overview": Endpoint(allow={"GET": VENDORS}),
    "ltv_partner_export": Endpoint(allow={"GET": VENDORS}),
    # A refit is started by vendor admins only; staff see no button and their POST is refused.
    "ltv_recompute": Endpoint(allow={"POST": frozenset({VA})}),
    "ltv_run_list": Endpoint(allow={"GET": VENDORS}),
    "ltv_run_detail": Endpoint(allow={"GET": VENDORS}, obj="ltv_run"),
    "ltv_run_progress": Endpoint(allow={"GET": VENDORS}, obj="ltv_run"),
    "ltv_model_quality": Endpoint(allow={"GET": frozenset({VA})}),
}

__all__ = ["ANON", "ENTRIES", "EVERYONE", "MEMBERS", "NOBODY", "PA", "PARTNERS", "PU", "VA", "VENDORS", "VS"]

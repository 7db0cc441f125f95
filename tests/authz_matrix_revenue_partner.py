"""Authorization matrix rows of the revenue panels that partner pages load; merged into MATRIX."""

from __future__ import annotations

from tests.authz_matrix_base import PARTNERS, VENDORS, Endpoint

ENTRIES: dict[str, Endpoint] = {
    "partner_tab_sell": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "partner_first_deal": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "portal_first_deal": Endpoint(allow={"GET": PARTNERS}),
}

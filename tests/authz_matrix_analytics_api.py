"""Authorization matrix rows of the analytics api (and the portal's LTV page); merged into
tests/authz_matrix.MATRIX."""

from __future__ import annotations

from typing import TYPE_CHECKING

from partners.models import Partner
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
from tests.world_objects import FACTORIES, factory

if TYPE_CHECKING:
    from tests.conftest import TenantWorld


@factory("ltv_partner")
def ltv_partner(world: TenantWorld, other_partner: bool) -> Partner:
    """The LTV API addresses a partner's row by the partner's id: the partner, with its LTV row built."""
    FACTORIES["partner_ltv"](world, other_partner)
    return world.p2 if other_partner else world.p1


ENTRIES: dict[str, Endpoint] = {
    "api_ltv_partner_list": Endpoint(allow={"GET": MEMBERS}, api=True),
    "api_ltv_partner_detail": Endpoint(allow={"GET": MEMBERS}, api=True, obj="ltv_partner"),
    # Runs are vendor-only; only a vendor admin asks for a refit (it answers 201, or 200 joining one).
    "api_ltv_run_list": Endpoint(
        allow={"GET": VENDORS, "POST": frozenset({VA})}, api=True, data={"POST": {}}
    ),
    "api_ltv_run_detail": Endpoint(allow={"GET": VENDORS}, api=True, obj="ltv_run"),
    # --- portal page ---
    "portal_ltv": Endpoint(allow={"GET": PARTNERS}),
}

__all__ = ["ANON", "ENTRIES", "EVERYONE", "MEMBERS", "NOBODY", "PA", "PARTNERS", "PU", "VA", "VENDORS", "VS"]

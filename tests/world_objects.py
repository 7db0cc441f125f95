"""Factories for the objects the authorization matrix and the isolation crawler address by kind.

A factory `fn(world, other_partner) -> model instance` runs inside the world tenant's context. For
partner-owned kinds it builds the object for partner P1, or for P2 when `other_partner` is true;
every visible name includes `world.visible_marker(other_partner=...)` so a leak shows in a body.
Each concept registers its kinds in its own `tests/world_objects_<concept>.py`, imported below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import TenantWorld

Factory = Callable[["TenantWorld", bool], Any]
FACTORIES: dict[str, Factory] = {}


def factory(kind: str) -> Callable[[Factory], Factory]:
    def register(fn: Factory) -> Factory:
        if kind in FACTORIES:
            raise ValueError(f"world object kind {kind!r} registered twice")
        FACTORIES[kind] = fn
        return fn

    return register


# Imported for their registrations; one module per concept so parallel work does not collide.
from tests import (  # noqa: E402
    world_objects_analytics,
    world_objects_core,
    world_objects_enablement,
    world_objects_market,
    world_objects_recruit,
    world_objects_revenue_deals,
    world_objects_revenue_imports,
    world_objects_revenue_ledger,
)

__all__ = [
    "FACTORIES",
    "factory",
    "world_objects_analytics",
    "world_objects_core",
    "world_objects_enablement",
    "world_objects_market",
    "world_objects_recruit",
    "world_objects_revenue_deals",
    "world_objects_revenue_imports",
    "world_objects_revenue_ledger",
]

"""Demo data of the recruit concept; called by partners/demo.py for each demo tenant."""

from __future__ import annotations

import random

from partners.models import Partner
from prm.models import Tenant


def seed(*, tenant: Tenant, rng: random.Random, partners: list[Partner]) -> None:
    """Create this concept's demo rows for `partners` (idempotent: look up before creating)."""

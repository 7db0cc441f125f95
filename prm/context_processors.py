"""Navigation for the role of the current membership: vendors see the eight lifecycle stages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from prm.models import Stage


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    # The tenant is shown only once the user passed its gate: a 404 for another tenant's URL
    # must not print that tenant's name.
    return {
        "current_tenant": getattr(request, "tenant", None) if membership is not None else None,
        "current_membership": membership,
        "lifecycle_stages": list(Stage),
    }

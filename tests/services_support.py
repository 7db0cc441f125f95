"""Fixtures and helpers shared by the platform service tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import World


@pytest.fixture
def alpha(world: World) -> Any:
    """Run the test body inside tenant alpha, as a request to /alpha/... would."""
    with tenant_context(world.alpha.tenant):
        yield world.alpha


def error_fields(error: ValidationError) -> set[str]:
    return set(error.message_dict)


def snapshots(event: AuditEvent) -> tuple[dict[str, Any], dict[str, Any]]:
    """An event's before and after, with {} for a side that was not recorded."""
    before, after = event.before or {}, event.after or {}
    assert isinstance(before, dict) and isinstance(after, dict)
    return before, after

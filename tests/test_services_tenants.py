"""Platform services: tenant settings and tenant creation.

Every refused call must change nothing: no login, no membership, no audit event, no e-mail.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import URLPattern, URLResolver, get_resolver

from prm.models import STREAM_KEYS, AuditEvent, Tenant
from prm.services import tenant_create, tenant_settings_update
from tests import services_support
from tests.conftest import World
from tests.services_support import error_fields as _error_fields
from tests.services_support import snapshots as _snapshots

# Shared fixture, resolved by pytest through this module name.
alpha = services_support.alpha


# --- tenant_settings_update ------------------------------------------------------------------


def _settings_payload(tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": tenant.name,
        "currency": tenant.currency,
        "annual_discount_rate": tenant.annual_discount_rate,
        "default_margins": dict(tenant.default_margins),
    }
    payload.update(overrides)
    return payload


def _tenant_state(tenant: Tenant) -> tuple[Any, ...]:
    fresh = Tenant.objects.get(pk=tenant.pk)
    return fresh.name, fresh.currency, fresh.annual_discount_rate, fresh.default_margins


def test_tenant_settings_update_saves_and_audits(alpha: Any) -> None:
    tenant = alpha.tenant
    old_name = tenant.name
    margins = {key: "0.55" for key in STREAM_KEYS}
    tenant_settings_update(
        actor=alpha.members["vendor_admin"],
        **_settings_payload(
            tenant,
            name=" Alpha Renamed ",
            currency="eur",
            annual_discount_rate=Decimal("0.0500"),
            default_margins=margins,
        ),
    )
    fresh = Tenant.objects.get(pk=tenant.pk)
    assert fresh.name == "Alpha Renamed"
    assert fresh.currency == "EUR"
    assert fresh.annual_discount_rate == Decimal("0.0500")
    assert {key: Decimal(value) for key, value in fresh.default_margins.items()} == {
        key: Decimal("0.55") for key in STREAM_KEYS
    }
    event = AuditEvent.objects.get(verb="tenant.settings_updated")
    assert event.tenant_id == tenant.pk
    assert event.actor_id == alpha.members["vendor_admin"].user_id
    assert event.object_id == str(tenant.pk)
    before, after = _snapshots(event)
    assert before["name"] == old_name
    assert after["name"] == "Alpha Renamed"
    assert after["currency"] == "EUR"


@pytest.mark.parametrize(
    "margins",
    [
        {"new": "1.5"},
        {"renewal": "-0.1"},
        {"bogus_stream": "0.5"},
        {"new": "not a number"},
        {"upsell": "NaN"},
        {"parts": "Infinity"},
    ],
    ids=["above-one", "below-zero", "unknown-stream", "not-a-number", "nan", "infinity"],
)
def test_tenant_settings_rejects_bad_margins(alpha: Any, margins: dict[str, str]) -> None:
    tenant = alpha.tenant
    state, events = _tenant_state(tenant), AuditEvent.objects.count()
    default_margins = {**tenant.default_margins, **margins}
    with pytest.raises(ValidationError) as excinfo:
        tenant_settings_update(
            actor=alpha.members["vendor_admin"],
            **_settings_payload(tenant, name="Changed Too", default_margins=default_margins),
        )
    assert "default_margins" in _error_fields(excinfo.value)
    assert _tenant_state(tenant) == state
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", ["vendor_staff", "partner_admin", "partner_user"])
def test_tenant_settings_need_vendor_admin(alpha: Any, role: str) -> None:
    tenant = alpha.tenant
    state, events = _tenant_state(tenant), AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        tenant_settings_update(actor=alpha.members[role], **_settings_payload(tenant, name="Hijacked"))
    assert _tenant_state(tenant) == state
    assert AuditEvent.objects.count() == events


# --- tenant_create: slug rules ---------------------------------------------------------------


def _top_level_segments() -> set[str]:
    """The first path segment of every fixed top-level route, read from the URLconf itself."""
    segments: set[str] = set()
    for entry in get_resolver().url_patterns:
        assert isinstance(entry, URLPattern | URLResolver)
        route = str(entry.pattern)
        first = route.lstrip("^").split("/")[0]
        if first and "<" not in first and "(" not in first:
            segments.add(first)
    static = settings.STATIC_URL.strip("/").split("/")[0]
    if static:
        segments.add(static)
    return segments


def test_every_top_level_route_is_reserved() -> None:
    segments = _top_level_segments()
    assert {"admin", "api", "accounts", "healthz", "static"} <= segments
    assert segments <= settings.RESERVED_TENANT_SLUGS, sorted(segments - settings.RESERVED_TENANT_SLUGS)


@pytest.mark.parametrize("slug", ["admin", "api", "accounts", "static", "healthz", "select-tenant", "Admin"])
def test_reserved_slugs_are_refused(db: Any, slug: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        tenant_create(slug=slug, name="Squatter")
    assert "slug" in _error_fields(excinfo.value)
    message = " ".join(excinfo.value.message_dict["slug"])
    assert "reserved" in message
    assert slug.lower() in message
    assert not Tenant.objects.filter(slug=slug.lower()).exists()


@pytest.mark.parametrize("slug", ["bad_slug", "acme!", "a b", "-acme", "acme-", "über", "a.b", "x" * 51, ""])
def test_malformed_slugs_are_refused(db: Any, slug: str) -> None:
    count = Tenant.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        tenant_create(slug=slug, name="Malformed")
    assert "slug" in _error_fields(excinfo.value)
    assert Tenant.objects.count() == count


def test_valid_slug_creates_tenant(db: Any) -> None:
    tenant = tenant_create(slug=" Acme-2 ", name=" Acme Two ", currency="EUR")
    fresh = Tenant.objects.get(pk=tenant.pk)
    assert (fresh.slug, fresh.name, fresh.currency) == ("acme-2", "Acme Two", "EUR")
    assert set(fresh.default_margins) == set(STREAM_KEYS)


def test_duplicate_slug_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as excinfo:
        tenant_create(slug="alpha", name="Alpha Again")
    assert "slug" in _error_fields(excinfo.value)
    assert Tenant.objects.filter(slug="alpha").count() == 1

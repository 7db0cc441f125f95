"""The isolation crawler: every tenant URL pattern, called with another tenant's slug and ids and with
another partner's ids, answers 404, shows none of the other side's marker strings and changes none
of its rows; the same again with `HX-Request: true`."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.http import HttpResponse

from prm.tenancy import TenantScopedModel, platform_context
from tests.authz_matrix import MATRIX, Endpoint
from tests.conftest import BRAVO_MARKER, P2_MARKER, ROLES, World
from tests.urlwalk import build_url, send

TENANT_ENDPOINTS = sorted(name for name, endpoint in MATRIX.items() if endpoint.tenant)
OBJECT_ENDPOINTS = sorted(name for name, endpoint in MATRIX.items() if endpoint.tenant and endpoint.obj)
# Objects a partner could reach, so only these can leak from one partner to another.
PARTNER_OBJECT_ENDPOINTS = sorted(
    name
    for name in OBJECT_ENDPOINTS
    if any(role.startswith("partner") for r in MATRIX[name].allow.values() for role in r)
)


def tenant_rows(tenant_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of every tenant-scoped table that belongs to one tenant, read past all scoping."""
    rows = {}
    with platform_context():
        for model in apps.get_models():
            if issubclass(model, TenantScopedModel):
                rows[model._meta.label] = list(
                    model.unscoped.filter(tenant_id=tenant_id).order_by("pk").values()
                )
    return rows


def partner_rows(world: World) -> dict[str, list[dict[str, Any]]]:
    """A request for partner P2's objects by P1's people must change nothing at all in the tenant."""
    return tenant_rows(world.alpha.tenant.pk)


def assert_hidden(response: HttpResponse, marker: str, context: str) -> None:
    body = response.content.decode(errors="replace")
    assert response.status_code == 404, f"{context}: expected 404, got {response.status_code}"
    assert marker not in body, f"{context}: the other side's marker appears in the body"


def _methods(endpoint: Endpoint) -> list[str]:
    return sorted(endpoint.allow)


@pytest.mark.parametrize("name", TENANT_ENDPOINTS)
def test_other_tenants_urls_answer_404(world: World, name: str) -> None:
    """Members of alpha, whatever their role, see nothing at any of bravo's URLs."""
    endpoint = MATRIX[name]
    bravo = world.bravo
    pk = bravo.obj_pk(endpoint.obj) if endpoint.obj else None
    url = build_url(name, endpoint, tenant_slug=bravo.tenant.slug, pk=pk)
    before = tenant_rows(bravo.tenant.pk)
    for role in ROLES:
        client = world.client(role)
        for method in _methods(endpoint):
            for hx in (False, True):
                response = send(client, method, url, endpoint, subs=world.subs(role), hx=hx)
                assert_hidden(response, BRAVO_MARKER, f"{role} {method} {url} hx={hx}")
    assert tenant_rows(bravo.tenant.pk) == before


@pytest.mark.parametrize("name", OBJECT_ENDPOINTS)
def test_other_tenants_ids_answer_404_in_own_tenant(world: World, name: str) -> None:
    """Bravo's ids under alpha's own slug: a role allowed the endpoint gets 404, never bravo's object."""
    endpoint = MATRIX[name]
    alpha, bravo = world.alpha, world.bravo
    url = build_url(name, endpoint, tenant_slug=alpha.tenant.slug, pk=bravo.obj_pk(endpoint.obj or ""))
    before = tenant_rows(bravo.tenant.pk)
    checked = 0
    for role in ROLES:
        client = world.client(role)
        for method, allowed in endpoint.allow.items():
            if role not in allowed:
                continue
            for hx in (False, True):
                response = send(client, method, url, endpoint, subs=world.subs(role), hx=hx)
                assert_hidden(response, BRAVO_MARKER, f"{role} {method} {url} hx={hx}")
                checked += 1
    assert checked > 0
    assert tenant_rows(bravo.tenant.pk) == before


@pytest.mark.parametrize("name", PARTNER_OBJECT_ENDPOINTS)
def test_other_partners_ids_answer_404(world: World, name: str) -> None:
    """Partner P1's people get 404 for partner P2's objects in the same tenant, and change none."""
    endpoint = MATRIX[name]
    alpha = world.alpha
    url = build_url(
        name, endpoint, tenant_slug=alpha.tenant.slug, pk=alpha.obj_pk(endpoint.obj or "", other_partner=True)
    )
    before = partner_rows(world)
    checked = 0
    for role in ("partner_admin", "partner_user"):
        client = world.client(role)
        for method, allowed in endpoint.allow.items():
            if role not in allowed:
                continue
            for hx in (False, True):
                response = send(client, method, url, endpoint, subs=world.subs(role), hx=hx)
                assert_hidden(response, P2_MARKER, f"{role} {method} {url} hx={hx}")
                checked += 1
    assert checked > 0
    assert partner_rows(world) == before


def test_unknown_tenant_answers_404(world: World) -> None:
    client = world.client("vendor_admin")
    assert client.get("/no-such-tenant/").status_code == 404
    assert client.get("/api/v1/no-such-tenant/me/").status_code == 404


def test_crawler_covers_every_tenant_endpoint() -> None:
    """A tenant endpoint with an object id but no `obj` would escape the id checks above."""
    from tests.urlwalk import all_patterns

    for pattern in all_patterns():
        endpoint = MATRIX.get(pattern.name)
        if endpoint and endpoint.tenant:
            assert ("<int:pk>" in pattern.route) == bool(endpoint.obj), pattern.name

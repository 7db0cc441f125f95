"""Every URL pattern is classified in tests/authz_matrix.py, and every cell behaves as classified."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.urls import reverse

from tests.authz_matrix import ANON, MATRIX, NAMESPACE_RULES
from tests.conftest import BRAVO_MARKER, P2_MARKER, World
from tests.urlwalk import all_patterns, build_url, endpoint_for, send

ROLES_AND_ANON = (ANON, "vendor_admin", "vendor_staff", "partner_admin", "partner_user")


def test_every_url_pattern_is_classified() -> None:
    unclassified = [p.name for p in all_patterns() if endpoint_for(p) is None]
    assert unclassified == [], f"Add these URL patterns to tests/authz_matrix.py: {unclassified}"


def test_matrix_names_only_existing_patterns() -> None:
    names = {p.name for p in all_patterns()}
    namespaces = {p.namespace for p in all_patterns()}
    assert sorted(set(MATRIX) - names) == []
    assert sorted(set(NAMESPACE_RULES) - namespaces) == []


def _cells() -> list[tuple[str, str, str]]:
    cells = []
    for pattern in all_patterns():
        endpoint = endpoint_for(pattern)
        if endpoint is None:
            continue
        for method in endpoint.allow:
            for role in ROLES_AND_ANON:
                cells.append((pattern.name, method, role))
    return cells


def _is_login_gate(response: HttpResponse) -> bool:
    """The gate's answer to an anonymous visitor: off to the login page, coming back afterwards."""
    return response.status_code == 302 and response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize(("name", "method", "role"), _cells())
def test_cell(world: World, name: str, method: str, role: str) -> None:
    pattern = next(p for p in all_patterns() if p.name == name)
    endpoint = endpoint_for(pattern)
    assert endpoint is not None
    alpha = world.alpha
    pk = alpha.obj_pk(endpoint.obj) if endpoint.obj else None
    url = build_url(name, endpoint, tenant_slug=alpha.tenant.slug, pk=pk, route=pattern.route)
    response = send(world.client(role), method, url, endpoint, subs=world.subs(role))
    allowed = role in endpoint.allow[method]
    body = response.content.decode(errors="replace")
    if allowed:
        assert 200 <= response.status_code < 400, (
            f"{role} {method} {url}: {response.status_code} {body[:300]}"
        )
        assert not _is_login_gate(response)
        assert BRAVO_MARKER not in body
        if role.startswith("partner"):
            assert P2_MARKER not in body, f"{role} sees partner P2's data at {url}"
    elif pattern.namespace == "admin":
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    elif role == ANON:
        if endpoint.api:
            assert response.status_code in (401, 403), f"{method} {url}: {response.status_code}"
        else:
            assert _is_login_gate(response), f"{method} {url}: {response.status_code}"
    else:
        assert response.status_code == 403, f"{role} {method} {url}: {response.status_code}"


@pytest.mark.parametrize("name", sorted(n for n, e in MATRIX.items() if e.tenant))
def test_unlisted_methods_are_refused(world: World, name: str) -> None:
    """Deny by default: a method the matrix does not list is never served, even to the vendor admin."""
    endpoint = MATRIX[name]
    alpha = world.alpha
    url = build_url(
        name, endpoint, tenant_slug=alpha.tenant.slug, pk=alpha.obj_pk(endpoint.obj) if endpoint.obj else None
    )
    client = world.client("vendor_admin")
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        if method in endpoint.allow:
            continue
        response = send(client, method, url, endpoint, subs=world.subs("vendor_admin"))
        assert response.status_code in (403, 405), f"{method} {url} answered {response.status_code}"

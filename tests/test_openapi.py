"""The OpenAPI schema documents every API operation and generates without warnings or errors."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

from tests.authz_matrix import MATRIX
from tests.urlwalk import all_patterns


def test_schema_validates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/{tenant_slug}/partners/" in target.read_text()


def test_every_tenant_api_pattern_is_in_the_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    schema = target.read_text()
    api_routes = [
        p.route for p in all_patterns() if p.name in MATRIX and MATRIX[p.name].api and MATRIX[p.name].tenant
    ]
    assert api_routes
    for route in api_routes:
        path = "/" + route.replace("<slug:tenant_slug>", "{tenant_slug}").replace("<int:pk>", "{id}")
        assert f"{path}:" in schema, f"{path} missing from the OpenAPI schema"

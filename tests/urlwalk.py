"""Enumerate every URL pattern and build concrete URLs for the matrix and the crawler."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.authz_matrix import MATRIX, NAMESPACE_RULES, Endpoint


@dataclass(frozen=True)
class Pattern:
    name: str  # namespaced, e.g. "admin:index"
    route: str

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""


def all_patterns() -> list[Pattern]:
    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Pattern]:
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                ns = ":".join(filter(None, [namespace, item.namespace or ""]))
                yield from walk(item, prefix + str(item.pattern), ns)
            elif isinstance(item, URLPattern):
                name = item.name or f"<unnamed {prefix}{item.pattern}>"
                yield Pattern(
                    name=f"{namespace}:{name}" if namespace else name, route=prefix + str(item.pattern)
                )

    return list(walk(get_resolver(), "", ""))


def endpoint_for(pattern: Pattern) -> Endpoint | None:
    return MATRIX.get(pattern.name) or NAMESPACE_RULES.get(pattern.namespace)


# Admin patterns carry their own regex kwargs; the first set that reverses is used.
ADMIN_KWARG_CANDIDATES: tuple[dict[str, str], ...] = (
    {},
    {"app_label": "prm"},
    {"app_label": "auth"},
    {"object_id": "1"},
    {"content_type_id": "1", "object_id": "1"},
    {"id": "1"},
    {"url": "x"},
)


def route_url(route: str) -> str:
    """A concrete URL for an unnamed pattern: every parameter becomes "1", regex anchors go."""
    url = re.sub(r"<[^>]+>", "1", route)
    url = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", url)
    return "/" + url.replace("^", "").replace("$", "")


def admin_url(name: str, route: str) -> str:
    from django.urls import NoReverseMatch

    if "<unnamed" in name:
        return route_url(route)
    for kwargs in ADMIN_KWARG_CANDIDATES:
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
    raise AssertionError(f"Cannot build a URL for {name}; add its kwargs to ADMIN_KWARG_CANDIDATES.")


def build_url(name: str, endpoint: Endpoint, *, tenant_slug: str, pk: int | None, route: str = "") -> str:
    if ":" in name:
        return admin_url(name, route)
    kwargs: dict[str, Any] = dict(endpoint.extra_kwargs)
    if endpoint.tenant:
        kwargs["tenant_slug"] = tenant_slug
    if endpoint.obj:
        kwargs["pk"] = pk
    return reverse(name, kwargs=kwargs or None)


def send(
    client: Client, method: str, url: str, endpoint: Endpoint, *, subs: dict[str, Any], hx: bool = False
) -> Any:
    """Send `method` with the matrix's payload, placeholders like "<p1>" replaced from `subs`."""
    payload = {key: _substitute(value, subs) for key, value in endpoint.data.get(method, {}).items()}
    headers = {"HX-Request": "true"} if hx else {}
    if method == "GET":
        return client.get(url, headers=headers)
    if endpoint.api:
        return client.generic(
            method, url, data=json.dumps(payload), content_type="application/json", headers=headers
        )
    return client.generic(
        method,
        url,
        data=_form_encode(payload),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def _form_encode(payload: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode(payload, doseq=True)


def _substitute(value: Any, subs: dict[str, Any]) -> Any:
    """ "<p1>"-style placeholders from `subs`; "<obj:kind>" is the pk of a world object of that kind."""
    if isinstance(value, list):
        return [_substitute(item, subs) for item in value]
    if not isinstance(value, str):
        return value
    if value.startswith("<obj:") and value.endswith(">"):
        return subs["resolve"](value[5:-1])
    return subs.get(value, value)

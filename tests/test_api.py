"""API conventions: pagination envelope, filters and search, token auth, idempotent POSTs, schema and docs."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client

from partners.models import Partner, PartnerType
from prm.models import Membership, Role, User
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped

MEMBERS = "/api/v1/alpha/memberships/"
PARTNERS = "/api/v1/alpha/partners/"
ENVELOPE = {"count", "next", "previous", "results"}


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Any:
    """DRF throttles count in the cache, which outlives a test's database transaction."""
    cache.clear()
    yield
    cache.clear()


def _json(response: Any) -> Any:
    return json.loads(response.content)


def _post(client: Client, body: dict[str, Any], *, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(MEMBERS, data=json.dumps(body), content_type="application/json", headers=headers)


def _alpha_count(**filters: Any) -> int:
    return unscoped(Membership).filter(tenant__slug="alpha", **filters).count()


# --- list envelope and pagination ------------------------------------------------------------


@pytest.mark.parametrize("url", [MEMBERS, PARTNERS, "/api/v1/alpha/audit-events/"])
def test_lists_answer_the_envelope(world: World, url: str) -> None:
    response = world.client("vendor_admin").get(url)
    assert response.status_code == 200
    body = _json(response)
    assert set(body) == ENVELOPE
    assert body["count"] == len(body["results"]) > 0
    assert body["next"] is None and body["previous"] is None


@pytest.fixture
def many_partners(world: World) -> int:
    """Enough alpha partners to overflow the largest page; returns alpha's partner count."""
    with tenant_context(world.alpha.tenant):
        Partner.objects.bulk_create(
            Partner(name=f"Bulk {n:04d}", partner_type=PartnerType.RESELLER) for n in range(505)
        )
        return Partner.objects.count()


def test_page_size_is_honoured(world: World, many_partners: int) -> None:
    client = world.client("vendor_admin")
    body = _json(client.get(PARTNERS, {"page_size": 7}))
    assert body["count"] == many_partners
    assert len(body["results"]) == 7
    assert body["previous"] is None
    query = parse_qs(urlsplit(body["next"]).query)
    assert query["page"] == ["2"] and query["page_size"] == ["7"]
    second = _json(client.get(PARTNERS, {"page_size": 7, "page": 2}))
    assert len(second["results"]) == 7
    assert {p["id"] for p in body["results"]}.isdisjoint({p["id"] for p in second["results"]})
    assert second["previous"] is not None


def test_default_page_size(world: World, many_partners: int) -> None:
    body = _json(world.client("vendor_admin").get(PARTNERS))
    assert body["count"] == many_partners
    assert len(body["results"]) == 50


@pytest.mark.parametrize("asked", [500, 501, 10_000])
def test_page_size_is_capped_at_500(world: World, many_partners: int, asked: int) -> None:
    assert many_partners > 500
    body = _json(world.client("vendor_admin").get(PARTNERS, {"page_size": asked}))
    assert body["count"] == many_partners
    assert len(body["results"]) == 500
    assert body["next"] is not None


def test_last_page_holds_the_rest(world: World, many_partners: int) -> None:
    body = _json(world.client("vendor_admin").get(PARTNERS, {"page_size": 500, "page": 2}))
    assert len(body["results"]) == many_partners - 500
    assert body["next"] is None


# --- search and exact filters ----------------------------------------------------------------


def _emails(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["email"] for row in _json(response)["results"]}


def test_membership_search_q(world: World) -> None:
    client = world.client("vendor_admin")
    wanted = {
        world.alpha.members["partner_admin"].user.email,
        world.alpha.p2_members["partner_admin"].user.email,
    }
    assert _emails(client.get(MEMBERS, {"q": "PARTNER_ADMIN@"})) == wanted
    # full names are searched too: only P2's people are named "P2 ..."
    p2_emails = {m.user.email for m in world.alpha.p2_members.values()}
    assert _emails(client.get(MEMBERS, {"q": "p2 partner"})) == p2_emails
    assert _emails(client.get(MEMBERS, {"q": "nobody-has-this"})) == set()


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_membership_role_filter(world: World, role: str) -> None:
    response = world.client("vendor_admin").get(MEMBERS, {"role": role})
    body = _json(response)
    assert {row["role"] for row in body["results"]} == {role}
    assert body["count"] == _alpha_count(role=role)


def test_membership_partner_filter(world: World) -> None:
    response = world.client("vendor_admin").get(MEMBERS, {"partner": world.alpha.p2.pk})
    assert _emails(response) == {m.user.email for m in world.alpha.p2_members.values()}


def test_membership_filters_combine_with_search(world: World) -> None:
    response = world.client("vendor_admin").get(MEMBERS, {"role": "partner_user", "q": "p2-"})
    assert _emails(response) == {world.alpha.p2_members["partner_user"].user.email}


@pytest.mark.parametrize("value", ["true", "false"])
def test_membership_is_active_filter(world: World, value: str) -> None:
    with tenant_context(world.alpha.tenant):
        Membership.objects.filter(pk=world.alpha.members["vendor_staff"].pk).update(is_active=False)
    response = world.client("vendor_admin").get(MEMBERS, {"is_active": value})
    assert response.status_code == 200, response.content
    body = _json(response)
    wanted = value == "true"
    assert {row["is_active"] for row in body["results"]} == {wanted}
    assert body["count"] == _alpha_count(is_active=wanted)


@pytest.mark.parametrize(
    ("url", "param"),
    [(MEMBERS, "role"), (MEMBERS, "is_active"), (PARTNERS, "stage"), (PARTNERS, "partner_type")],
)
def test_invalid_choice_filter_is_a_400_with_message(world: World, url: str, param: str) -> None:
    response = world.client("vendor_admin").get(url, {param: "bogus"})
    assert response.status_code == 400
    body = _json(response)
    assert param in body
    message = " ".join(body[param]) if isinstance(body[param], list) else str(body[param])
    assert "Must be one of" in message


def test_partner_search_and_filters(world: World) -> None:
    client = world.client("vendor_admin")
    alpha = world.alpha

    def ids(params: dict[str, Any]) -> set[int]:
        response = client.get(PARTNERS, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in _json(response)["results"]}

    assert ids({"q": alpha.p1.name.split()[-1].upper()}) == {alpha.p1.pk}
    assert ids({"partner_type": alpha.p2.partner_type}) == {alpha.p2.pk}
    assert ids({"stage": alpha.p1.stage}) == {alpha.p1.pk, alpha.p2.pk}
    assert ids({"stage": "recruit"}) == set()
    assert ids({"q": "partner", "partner_type": PartnerType.RESELLER}) == {alpha.p1.pk}


# --- partner users see their own organisation only ------------------------------------------


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_see_only_their_partner(world: World, role: str) -> None:
    client = world.client(role)
    p1 = world.alpha.p1
    members = _json(client.get(MEMBERS, {"page_size": 500}))
    assert {row["partner"] for row in members["results"]} == {p1.pk}
    assert members["count"] == _alpha_count(partner=p1)
    assert {row["email"] for row in members["results"]} == {
        m.user.email for m in world.alpha.members.values() if m.partner_id == p1.pk
    }
    # filtering for the other partner must not widen the view
    assert _json(client.get(MEMBERS, {"partner": world.alpha.p2.pk}))["count"] == 0
    partners = _json(client.get(PARTNERS))
    assert [row["id"] for row in partners["results"]] == [p1.pk]
    assert partners["count"] == 1


# --- token authentication --------------------------------------------------------------------


def _token(email: str, password: str = "pw") -> Any:  # noqa: S107
    return Client().post(
        "/api/v1/auth/token/",
        data=json.dumps({"email": email, "password": password}),
        content_type="application/json",
    )


def test_token_reaches_me(world: World) -> None:
    member = world.alpha.members["partner_user"]
    response = _token(member.user.email.upper())
    assert response.status_code == 200, response.content
    key = _json(response)["token"]
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    me = Client().get("/api/v1/alpha/me/", headers={"Authorization": f"Token {key}"})
    assert me.status_code == 200, me.content
    assert _json(me) == {
        "email": member.user.email,
        "tenant": "alpha",
        "role": member.role,
        "partner": member.partner_id,
    }


def test_token_is_stable_per_login(world: World) -> None:
    email = world.alpha.members["vendor_admin"].user.email
    assert _json(_token(email))["token"] == _json(_token(email))["token"]


@pytest.mark.parametrize("password", ["wrong", ""])
def test_token_refused_for_bad_password(world: World, password: str) -> None:
    response = _token(world.alpha.members["vendor_admin"].user.email, password)
    assert response.status_code == 400
    assert "token" not in _json(response)


def test_without_or_with_bad_token_is_refused(world: World) -> None:
    assert Client().get("/api/v1/alpha/me/").status_code in (401, 403)
    bad = Client().get("/api/v1/alpha/me/", headers={"Authorization": "Token " + "0" * 40})
    assert bad.status_code in (401, 403)


def test_other_tenants_token_gets_404(world: World) -> None:
    response = _token(world.bravo.members["vendor_admin"].user.email)
    key = _json(response)["token"]
    auth = {"Authorization": f"Token {key}"}
    assert Client().get("/api/v1/bravo/me/", headers=auth).status_code == 200
    for url in (
        "/api/v1/alpha/me/",
        MEMBERS,
        PARTNERS,
        f"{MEMBERS}{world.alpha.members['vendor_admin'].pk}/",
    ):
        assert Client().get(url, headers=auth).status_code == 404, url
    count = _alpha_count()
    post = Client().post(
        MEMBERS,
        data=json.dumps({"email": "x@x.test", "role": "vendor_staff"}),
        content_type="application/json",
        headers=auth,
    )
    assert post.status_code == 404
    assert _alpha_count() == count


# --- idempotency -----------------------------------------------------------------------------


def test_same_key_same_body_replays_first_response(world: World) -> None:
    client = world.client("vendor_admin")
    body = {"email": "idem@x.test", "role": "vendor_staff", "full_name": "Idem Potent"}
    count = _alpha_count()
    first = _post(client, body, key="key-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    second = _post(client, body, key="key-1")
    assert second.status_code == first.status_code
    assert _json(second) == _json(first)
    assert second["Idempotent-Replayed"] == "true"
    assert _alpha_count() == count + 1
    assert unscoped(Membership).filter(user__email="idem@x.test").count() == 1
    assert User.objects.filter(email="idem@x.test").count() == 1


def test_same_key_different_body_is_422(world: World) -> None:
    client = world.client("vendor_admin")
    first = _post(client, {"email": "one@x.test", "role": "vendor_staff"}, key="key-2")
    assert first.status_code == 201
    count = _alpha_count()
    second = _post(client, {"email": "two@x.test", "role": "vendor_staff"}, key="key-2")
    assert second.status_code == 422
    assert "Idempotent-Replayed" not in second
    assert _alpha_count() == count
    assert not User.objects.filter(email="two@x.test").exists()


def test_keys_are_per_user(world: World) -> None:
    """Another login reusing a key string is a different request, not a replay of someone else's."""
    body = {"email": "shared@p1.test", "role": "partner_user"}
    first = _post(world.client("vendor_admin"), {**body, "partner": world.alpha.p1.pk}, key="key-3")
    assert first.status_code == 201
    other = _post(
        world.client("partner_admin"), {"email": "mine@p1.test", "role": "partner_user"}, key="key-3"
    )
    assert other.status_code == 201, other.content
    assert "Idempotent-Replayed" not in other
    assert _json(other)["email"] == "mine@p1.test"


def test_without_key_each_post_runs(world: World) -> None:
    client = world.client("vendor_admin")
    count = _alpha_count()
    first = _post(client, {"email": "a@x.test", "role": "vendor_staff"})
    second = _post(client, {"email": "b@x.test", "role": "vendor_staff"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert _json(first)["id"] != _json(second)["id"]
    assert _alpha_count() == count + 2
    # and without a key, a retry of the same body is not replayed: it runs again and is refused
    retry = _post(client, {"email": "a@x.test", "role": "vendor_staff"})
    assert retry.status_code == 400
    assert "email" in _json(retry)
    assert _alpha_count() == count + 2


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "role": "vendor_staff"},
        {"email": "vendor_staff@alpha.test", "role": "vendor_staff"},
        {"email": "orphan@x.test", "role": "partner_user"},
    ],
    ids=["serializer", "duplicate", "service"],
)
def test_failed_request_with_key_replays_same_400(world: World, body: dict[str, Any]) -> None:
    client = world.client("vendor_admin")
    count, users = _alpha_count(), User.objects.count()
    first = _post(client, body, key="key-400")
    assert first.status_code == 400
    second = _post(client, body, key="key-400")
    assert second.status_code == 400
    assert _json(second) == _json(first)
    assert second["Idempotent-Replayed"] == "true"
    assert (_alpha_count(), User.objects.count()) == (count, users)


def test_api_invite_into_other_tenants_partner_is_400(world: World) -> None:
    client = world.client("vendor_admin")
    count, users = _alpha_count(), User.objects.count()
    response = _post(client, {"email": "cross@x.test", "role": "partner_user", "partner": world.bravo.p1.pk})
    assert response.status_code == 400
    assert "partner" in _json(response)
    assert (_alpha_count(), User.objects.count()) == (count, users)


# --- schema and docs -------------------------------------------------------------------------


def test_schema_documents_tenant_paths(db: Any) -> None:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = _json(response)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/api/v1/{tenant_slug}/memberships/", "/api/v1/{tenant_slug}/partners/"):
        assert path in paths, sorted(paths)
        get = paths[path]["get"]
        params = {p["name"] for p in get.get("parameters", [])}
        assert {"tenant_slug", "q", "page", "page_size"} <= params, params
    member_params = {p["name"] for p in paths["/api/v1/{tenant_slug}/memberships/"]["get"]["parameters"]}
    assert {"role", "partner", "is_active"} <= member_params
    assert "post" in paths["/api/v1/{tenant_slug}/memberships/"]
    assert "/api/v1/auth/token/" in paths


def test_schema_default_format_is_yaml(db: Any) -> None:
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/{tenant_slug}/memberships/:" in text


class _AssetRefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "link", "img", "iframe"):
            self.tags.append(tag)
            for name, value in attrs:
                if name in ("src", "href") and value is not None:
                    self.refs.append(value)


def test_docs_are_served_without_external_hosts(db: Any) -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    parser = _AssetRefs()
    parser.feed(html)
    assert "script" in parser.tags and parser.refs
    for ref in parser.refs:
        parts = urlsplit(ref)
        assert parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver"), ref
        assert not ref.startswith("//"), ref
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", html, re.I)
    # every local asset exists: the static ones in our static files, the init script as a view
    for ref in parser.refs:
        path = urlsplit(ref).path
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/")), f"missing static asset {path}"
        else:
            assert Client().get(ref).status_code == 200, ref


def test_docs_init_script_points_at_local_schema(db: Any) -> None:
    html = Client().get("/api/docs/").content.decode()
    script_refs = [ref for ref in re.findall(r"<script[^>]+src=\"([^\"]+)\"", html) if "/static/" not in ref]
    assert script_refs, html
    for ref in script_refs:
        script = Client().get(ref).content.decode()
        assert "/api/schema/" in script
        assert not re.search(r"https?://", script), "the init script must not load anything from another host"


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/alpha/mdf-requests/?partner=abc", "partner"),
        ("/api/v1/alpha/campaigns/?partner=1.5", "partner"),
    ],
)
def test_malformed_filter_values_are_a_400_naming_the_parameter(world: World, url: str, param: str) -> None:
    response = world.client("vendor_staff").get(url)
    assert response.status_code == 400
    assert param in response.json()

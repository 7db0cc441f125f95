"""Accounts: e-mail login and where it lands, lockout after repeated failures, password reset, logout,
and the health check."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core import mail
from django.test import Client

from prm.models import Membership, Role
from prm.tenancy import tenant_context
from tests.conftest import World

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _clean_lockouts(db: Any) -> Any:
    axes_reset()
    yield
    axes_reset()


def _login(client: Client, email: str, password: str = "pw", **kwargs: Any) -> Any:  # noqa: S107
    return client.post(LOGIN, {"username": email, "password": password}, **kwargs)


def _is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("vendor_admin", "/alpha/"),
        ("vendor_staff", "/alpha/"),
        ("partner_admin", "/alpha/portal/"),
        ("partner_user", "/alpha/portal/"),
    ],
)
def test_login_lands_on_role_home(world: World, role: str, landing: str) -> None:
    client = Client()
    user = world.alpha.members[role].user
    response = _login(client, user.email, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain, "a successful login redirects"
    assert response.request["PATH_INFO"] == landing
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_email_is_case_insensitive(world: World) -> None:
    client = Client()
    response = _login(client, "Vendor_Admin@ALPHA.test", follow=True)
    assert response.request["PATH_INFO"] == "/alpha/"
    assert _is_logged_in(client)


def test_wrong_password_rerenders_login(world: World) -> None:
    client = Client()
    response = _login(client, world.alpha.members["vendor_admin"].user.email, "nope")
    assert response.status_code == 200
    assert response.templates and response.templates[0].name == "registration/login.html"
    assert response.context["form"].errors
    assert not _is_logged_in(client)


def test_user_of_two_tenants_chooses(world: World) -> None:
    user = world.alpha.members["vendor_staff"].user
    with tenant_context(world.bravo.tenant):
        Membership.objects.create(user=user, role=Role.PARTNER_USER, partner=world.bravo.p1)
    client = Client()
    response = _login(client, user.email, follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/select-tenant/"
    html = response.content.decode()
    assert world.alpha.tenant.name in html
    assert world.bravo.tenant.name in html
    assert 'href="/alpha/"' in html
    assert 'href="/bravo/portal/"' in html
    # and each choice really opens
    assert client.get("/alpha/").status_code == 200
    assert client.get("/bravo/portal/").status_code == 200


def test_deactivated_membership_is_not_offered(world: World) -> None:
    user = world.alpha.members["vendor_staff"].user
    with tenant_context(world.bravo.tenant):
        Membership.objects.create(user=user, role=Role.VENDOR_STAFF, is_active=False)
    client = Client()
    response = _login(client, user.email, follow=True)
    assert response.request["PATH_INFO"] == "/alpha/"


# --- lockout ---------------------------------------------------------------------------------


def _fail_until_locked(client: Client, email: str) -> list[int]:
    return [_login(client, email, "wrong-password").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]


def _is_lockout(response: Any) -> bool:
    templates = [t.name for t in (response.templates or [])]
    return response.status_code == 429 or "accounts/locked.html" in templates


def test_lockout_refuses_even_the_right_password(world: World) -> None:
    email = world.alpha.members["vendor_admin"].user.email
    client = Client()
    statuses = _fail_until_locked(client, email)
    assert statuses[0] == 200, "the first failures re-render the form"
    response = _login(client, email, "pw")
    assert _is_lockout(response), (response.status_code, response.content[:300])
    assert "Too many failed attempts" in response.content.decode()
    assert not _is_logged_in(client)
    assert client.get("/alpha/").status_code == 302


def test_failures_below_the_limit_do_not_lock(world: World) -> None:
    email = world.alpha.members["vendor_admin"].user.email
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, email, "wrong-password")
    response = _login(client, email, "pw", follow=True)
    assert response.request["PATH_INFO"] == "/alpha/"
    assert _is_logged_in(client)


def test_lockout_is_per_account_and_address(world: World) -> None:
    locked = world.alpha.members["vendor_admin"].user.email
    _fail_until_locked(Client(), locked)
    other = Client()
    response = _login(other, world.alpha.members["vendor_staff"].user.email, "pw", follow=True)
    assert response.request["PATH_INFO"] == "/alpha/"
    assert _is_logged_in(other)


def test_lockout_also_applies_to_api_tokens(world: World) -> None:
    email = world.alpha.members["vendor_admin"].user.email
    _fail_until_locked(Client(), email)
    response = Client().post(
        "/api/v1/auth/token/",
        data=json.dumps({"email": email, "password": "pw"}),
        content_type="application/json",
    )
    assert response.status_code in (400, 403, 429), response.content
    assert b'"token"' not in response.content


def test_lockout_cannot_be_dodged_by_changing_case(world: World) -> None:
    email = world.alpha.members["vendor_admin"].user.email
    client = Client()
    _fail_until_locked(client, email)
    response = _login(client, email.upper(), "pw")
    assert not _is_logged_in(client)
    assert response.status_code in (200, 429)


def test_reset_lifts_the_lockout(world: World) -> None:
    email = world.alpha.members["vendor_admin"].user.email
    client = Client()
    _fail_until_locked(client, email)
    assert _is_lockout(_login(client, email, "pw"))
    axes_reset(username=email)
    response = _login(client, email, "pw", follow=True)
    assert response.request["PATH_INFO"] == "/alpha/"


# --- password reset --------------------------------------------------------------------------

RESET_LINK = re.compile(r"https?://[^\s/]+(?P<path>/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def test_password_reset_mails_a_working_link(world: World) -> None:
    user = world.alpha.members["partner_user"].user
    response = Client().post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    match = RESET_LINK.search(str(message.body))
    assert match, message.body

    client = Client()
    form_page = client.get(match["path"], follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.request["PATH_INFO"]
    assert "new_password1" in form_page.content.decode()
    new_password = "Stronger-Horse-Battery-41"
    done = client.post(set_password_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert not user.check_password("pw")
    fresh = Client()
    assert _login(fresh, user.email, new_password, follow=True).request["PATH_INFO"] == "/alpha/portal/"


def test_password_reset_for_unknown_email_sends_nothing_but_looks_the_same(world: World) -> None:
    response = Client().post("/accounts/password/reset/", {"email": "stranger@nowhere.test"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_password_reset_link_is_single_use(world: World) -> None:
    user = world.alpha.members["vendor_staff"].user
    Client().post("/accounts/password/reset/", {"email": user.email})
    match = RESET_LINK.search(str(mail.outbox[0].body))
    assert match
    client = Client()
    page = client.get(match["path"], follow=True)
    url = page.request["PATH_INFO"]
    new_password = "Stronger-Horse-Battery-41"
    client.post(url, {"new_password1": new_password, "new_password2": new_password})
    again = Client().get(match["path"], follow=True)
    assert "new_password1" not in again.content.decode()
    assert again.context["validlink"] is False


# --- logout ----------------------------------------------------------------------------------


def test_logout_is_post_only(world: World) -> None:
    client = world.client("vendor_admin")
    assert client.get("/accounts/logout/").status_code == 405
    assert _is_logged_in(client)
    assert client.get("/alpha/").status_code == 200


def test_logout_ends_the_session(world: World) -> None:
    client = world.client("vendor_admin")
    assert client.get("/alpha/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not _is_logged_in(client)
    after = client.get("/alpha/")
    assert after.status_code == 302
    assert after["Location"].startswith(f"{LOGIN}?next=")


# --- health ----------------------------------------------------------------------------------


def test_healthz_reports_ok(db: Any) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert all(not value.startswith("error") for value in body["checks"].values())
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_is_get_only(db: Any) -> None:
    assert Client().post("/healthz").status_code == 405


def test_healthz_reports_database_failure(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    class BrokenConnection:
        def cursor(self) -> Any:
            raise ConnectionError("database down at 10.0.0.5 with password hunter2")

    monkeypatch.setattr("prm.views.connection", BrokenConnection())
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["checks"]["database"].startswith("error")
    assert "hunter2" not in response.content.decode(), "the failure's details stay out of the answer"

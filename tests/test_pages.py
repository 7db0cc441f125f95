"""Server-rendered pages: forms re-render with errors in place, htmx fragments, pagination, the audit log
and tenant settings."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail

from prm.models import REVENUE_STREAMS, AuditEvent, Membership, Role, Tenant, User
from prm.services import membership_invite, membership_update
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped


class _FormRows(HTMLParser):
    """Each `<div class="form-row">`: the names of its inputs and the texts of its error lists."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self._row: dict[str, Any] | None = None
        self._depth = 0
        self._in_errors = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "div":
            if self._row is None and "form-row" in classes:
                self._row = {"classes": classes, "fields": [], "errors": []}
                self._depth = 1
                return
            if self._row is not None:
                self._depth += 1
        if self._row is None:
            return
        if tag in ("input", "select", "textarea") and attributes.get("name"):
            self._row["fields"].append(attributes["name"])
        if tag == "ul" and "errorlist" in classes:
            self._in_errors += 1

    def handle_endtag(self, tag: str) -> None:
        if self._row is None:
            return
        if tag == "ul" and self._in_errors:
            self._in_errors -= 1
        if tag == "div":
            self._depth -= 1
            if self._depth == 0:
                self.rows.append(self._row)
                self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._in_errors and data.strip():
            self._row["errors"].append(data.strip())


def _field_errors(response: Any) -> dict[str, list[str]]:
    parser = _FormRows()
    parser.feed(response.content.decode())
    errors: dict[str, list[str]] = {}
    for row in parser.rows:
        for name in row["fields"]:
            errors[name] = row["errors"]
            if row["errors"]:
                assert "has-error" in row["classes"], f"{name}'s row is not marked as an error"
    return errors


def _non_field_errors(response: Any) -> str:
    found = re.findall(r'<div class="message message-error">(.*?)</div>', response.content.decode(), re.S)
    return " ".join(found)


def _counts() -> tuple[int, int, int]:
    return unscoped(Membership).count(), User.objects.count(), unscoped(AuditEvent).count()


# --- invite forms ----------------------------------------------------------------------------


def test_member_invite_bad_email_rerenders_with_field_error(world: World) -> None:
    client = world.client("vendor_admin")
    before = _counts()
    response = client.post(
        "/alpha/members/invite/",
        {"email": "not-an-email", "full_name": "Bad Address", "role": Role.VENDOR_STAFF},
    )
    assert response.status_code == 400
    errors = _field_errors(response)
    assert errors["email"], "the e-mail error sits next to the e-mail field"
    assert errors["role"] == [] and errors["full_name"] == []
    assert 'value="Bad Address"' in response.content.decode(), "what was typed is kept"
    assert _counts() == before
    assert mail.outbox == []


def test_member_invite_service_error_lands_on_its_field(world: World) -> None:
    client = world.client("vendor_admin")
    before = _counts()
    response = client.post(
        "/alpha/members/invite/", {"email": "needs-partner@x.test", "role": Role.PARTNER_USER, "partner": ""}
    )
    assert response.status_code == 400
    assert _field_errors(response)["partner"]
    assert _counts() == before


def test_member_invite_duplicate_lands_on_email(world: World) -> None:
    client = world.client("vendor_admin")
    before = _counts()
    response = client.post(
        "/alpha/members/invite/",
        {"email": world.alpha.members["vendor_staff"].user.email, "role": Role.VENDOR_STAFF},
    )
    assert response.status_code == 400
    assert _field_errors(response)["email"]
    assert _counts() == before


def test_member_invite_success_redirects_and_creates(world: World) -> None:
    client = world.client("vendor_admin")
    response = client.post(
        "/alpha/members/invite/",
        {"email": "good@p1.test", "role": Role.PARTNER_USER, "partner": world.alpha.p1.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == "/alpha/members/"
    member = unscoped(Membership).get(user__email="good@p1.test")
    assert (member.tenant_id, member.role, member.partner_id) == (
        world.alpha.tenant.pk,
        Role.PARTNER_USER,
        world.alpha.p1.pk,
    )


@pytest.mark.parametrize("role", [Role.VENDOR_ADMIN, Role.VENDOR_STAFF])
def test_partner_admin_cannot_invite_vendor_roles_from_portal(world: World, role: str) -> None:
    client = world.client("partner_admin")
    before = _counts()
    response = client.post("/alpha/portal/people/invite/", {"email": "climber@p1.test", "role": role})
    assert response.status_code == 400
    assert _field_errors(response)["role"]
    assert _counts() == before
    assert not User.objects.filter(email="climber@p1.test").exists()


def test_partner_admin_cannot_smuggle_other_partner_from_portal(world: World) -> None:
    client = world.client("partner_admin")
    response = client.post(
        "/alpha/portal/people/invite/",
        {"email": "smuggled@p1.test", "role": Role.PARTNER_USER, "partner": world.alpha.p2.pk},
    )
    # the portal form has no partner field: the invite lands in the admin's own organisation
    assert response.status_code == 302
    assert unscoped(Membership).get(user__email="smuggled@p1.test").partner_id == world.alpha.p1.pk


def test_partner_admin_invites_colleague_from_portal(world: World) -> None:
    client = world.client("partner_admin")
    response = client.post(
        "/alpha/portal/people/invite/", {"email": "colleague@p1.test", "role": Role.PARTNER_USER}
    )
    assert response.status_code == 302
    assert response["Location"] == "/alpha/portal/people/"
    member = unscoped(Membership).get(user__email="colleague@p1.test")
    assert (member.role, member.partner_id) == (Role.PARTNER_USER, world.alpha.p1.pk)


# --- member list: htmx fragment and pagination -----------------------------------------------

MEMBER_LINK = re.compile(r'<a href="/alpha/members/(\d+)/">([^<]+)</a>')


def test_member_list_htmx_returns_fragment(world: World) -> None:
    client = world.client("vendor_admin")
    query = {"q": "partner_admin"}
    fragment = client.get("/alpha/members/", query, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body.lower()
    assert 'id="results"' in body
    shown = {email for _, email in MEMBER_LINK.findall(body)}
    assert shown == {
        world.alpha.members["partner_admin"].user.email,
        world.alpha.p2_members["partner_admin"].user.email,
    }
    assert "HX-Request" in [v.strip() for v in fragment["Vary"].split(",")]

    page = client.get("/alpha/members/", query)
    assert page.status_code == 200
    full = page.content.decode()
    assert "<html" in full.lower()
    assert 'id="results"' in full
    assert {email for _, email in MEMBER_LINK.findall(full)} == shown
    assert "HX-Request" in [v.strip() for v in page["Vary"].split(",")]


def test_member_list_role_filter(world: World) -> None:
    client = world.client("vendor_admin")
    body = client.get("/alpha/members/", {"role": "partner_user"}).content.decode()
    shown = {email for _, email in MEMBER_LINK.findall(body)}
    expected = set(
        unscoped(Membership)
        .filter(tenant=world.alpha.tenant, role="partner_user")
        .values_list("user__email", flat=True)
    )
    assert shown == expected


def test_member_list_paginates(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        for n in range(30):
            user = User.objects.create_user(email=f"extra{n:02d}@alpha.test", password="pw")
            Membership.objects.create(user=user, role=Role.VENDOR_STAFF)
        all_emails = set(Membership.objects.values_list("user__email", flat=True))
    client = world.client("vendor_admin")
    first = client.get("/alpha/members/")
    second = client.get("/alpha/members/", {"page": 2})
    assert first.status_code == second.status_code == 200
    page1 = [email for _, email in MEMBER_LINK.findall(first.content.decode())]
    page2 = [email for _, email in MEMBER_LINK.findall(second.content.decode())]
    page_size = first.context["page"].paginator.per_page
    assert len(page1) == page_size
    assert len(page2) == len(all_emails) - page_size
    assert set(page1).isdisjoint(page2)
    assert set(page1) | set(page2) == all_emails
    assert "page=2" in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    # htmx pagination keeps the filter and returns only the fragment
    fragment = client.get("/alpha/members/", {"page": "2", "q": "extra"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode().lower()
    extras = [email for _, email in MEMBER_LINK.findall(fragment.content.decode())]
    assert len(extras) == 30 - page_size
    assert all(email.startswith("extra") for email in extras)


# --- audit log -------------------------------------------------------------------------------


def test_audit_log_lists_service_events_and_shows_changes(world: World) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        invited = membership_invite(
            actor=alpha.members["vendor_admin"], email="audited@x.test", role=Role.VENDOR_STAFF
        )
        membership_update(
            actor=alpha.members["vendor_admin"],
            membership=alpha.members["partner_user"],
            role=Role.PARTNER_ADMIN,
        )
        invite_event = AuditEvent.objects.get(verb="membership.invited", object_id=str(invited.pk))
        update_event = AuditEvent.objects.get(
            verb="membership.updated", object_id=str(alpha.members["partner_user"].pk)
        )
    client = world.client("vendor_admin")
    listing = client.get("/alpha/audit/")
    assert listing.status_code == 200
    body = listing.content.decode()
    for event in (invite_event, update_event):
        assert f'href="/alpha/audit/{event.pk}/"' in body
        assert event.verb in body
    # the verb filter narrows the list
    narrowed = client.get("/alpha/audit/", {"verb": "membership.updated"}).content.decode()
    assert f'href="/alpha/audit/{update_event.pk}/"' in narrowed
    assert f'href="/alpha/audit/{invite_event.pk}/"' not in narrowed

    detail = client.get(f"/alpha/audit/{update_event.pk}/")
    assert detail.status_code == 200
    text = html.unescape(detail.content.decode())
    assert '<span class="diff-removed">"partner_user"</span>' in text
    assert '<span class="diff-added">"partner_admin"</span>' in text
    assert alpha.members["vendor_admin"].user.email in text

    created = html.unescape(client.get(f"/alpha/audit/{invite_event.pk}/").content.decode())
    assert '<span class="diff-added">"vendor_staff"</span>' in created
    assert '<span class="diff-removed">null</span>' in created


def test_audit_log_does_not_show_other_tenants_events(world: World) -> None:
    with tenant_context(world.bravo.tenant):
        bravo_event = AuditEvent.objects.first()
    assert bravo_event is not None
    client = world.client("vendor_admin")
    assert f'href="/alpha/audit/{bravo_event.pk}/"' not in client.get("/alpha/audit/").content.decode()
    assert client.get(f"/alpha/audit/{bravo_event.pk}/").status_code == 404


# --- tenant settings -------------------------------------------------------------------------


def _settings_post(tenant: Tenant, **overrides: str) -> dict[str, str]:
    data = {
        "name": tenant.name,
        "currency": tenant.currency,
        "annual_discount_rate": str(tenant.annual_discount_rate),
        "deal_protection_days": str(tenant.deal_protection_days),
        "deal_extension_days": str(tenant.deal_extension_days),
        "website_url": tenant.website_url,
    }
    for key, _ in REVENUE_STREAMS:
        data[f"margin_{key}"] = str(tenant.default_margins.get(key, "0.70"))
    data.update(overrides)
    return data


def _tenant_state(tenant: Tenant) -> tuple[Any, ...]:
    fresh = Tenant.objects.get(pk=tenant.pk)
    return fresh.name, fresh.currency, fresh.annual_discount_rate, fresh.default_margins


def test_settings_reject_margin_above_one_in_place(world: World) -> None:
    tenant = world.alpha.tenant
    state, events = _tenant_state(tenant), unscoped(AuditEvent).count()
    response = world.client("vendor_admin").post(
        "/alpha/settings/", _settings_post(tenant, name="Should Not Stick", margin_new="1.5")
    )
    assert response.status_code == 400
    errors = _field_errors(response)
    assert errors["margin_new"], "the error sits next to the margin that caused it"
    assert all(not errors[f"margin_{key}"] for key, _ in REVENUE_STREAMS if key != "new")
    assert 'value="1.5"' in response.content.decode()
    assert _tenant_state(tenant) == state
    assert unscoped(AuditEvent).count() == events


def test_settings_deal_protection_saved_and_checked(world: World) -> None:
    tenant = world.alpha.tenant
    client = world.client("vendor_admin")
    refused = client.post("/alpha/settings/", _settings_post(tenant, deal_protection_days="0"))
    assert refused.status_code == 400
    assert "Ensure this value is greater than or equal to 1" in refused.content.decode()
    assert Tenant.objects.get(pk=tenant.pk).deal_protection_days == 90
    saved = client.post(
        "/alpha/settings/",
        _settings_post(tenant, deal_protection_days="60", website_url="https://alpha.example"),
    )
    assert saved.status_code == 302
    fresh = Tenant.objects.get(pk=tenant.pk)
    assert (fresh.deal_protection_days, fresh.website_url) == (60, "https://alpha.example")


def test_settings_save_valid_changes(world: World) -> None:
    tenant = world.alpha.tenant
    response = world.client("vendor_admin").post(
        "/alpha/settings/", _settings_post(tenant, name="Alpha Renamed", currency="eur", margin_parts="0.25")
    )
    assert response.status_code == 302
    fresh = Tenant.objects.get(pk=tenant.pk)
    assert (fresh.name, fresh.currency) == ("Alpha Renamed", "EUR")
    assert float(fresh.default_margins["parts"]) == 0.25
    with tenant_context(tenant):
        event = AuditEvent.objects.get(verb="tenant.settings_updated")
    assert event.before is not None and event.after is not None
    assert event.before["name"] == tenant.name and event.after["name"] == "Alpha Renamed"

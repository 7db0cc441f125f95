"""Referral code pages (vendor list with counts, new code, on/off, CSV; the portal's own codes) and the
public tracked link: it counts the click and forwards, or answers 404 for unknown or inactive codes."""

from __future__ import annotations

import pytest
from django.test import Client

from prm.tenancy import tenant_context
from revenue.models import ReferralClick, ReferralCode
from revenue.services_customers import referral_code_create
from tests.conftest import P2_MARKER, World, unscoped
from tests.revenue.test_ledger_support import column, csv_rows, make_customer, record_revenue, staff
from tests.test_pages import _field_errors

pytestmark = pytest.mark.django_db


def code_of(world: World, partner: str = "p1") -> ReferralCode:
    return unscoped(ReferralCode).get(partner=getattr(world.alpha, partner), label="Default code")


def make_code(world: World, partner: str = "p1", **fields: str) -> ReferralCode:
    with tenant_context(world.alpha.tenant):
        return referral_code_create(actor=staff(world), partner=getattr(world.alpha, partner), **fields)


# --- vendor pages ---------------------------------------------------------------------------------


def test_vendor_list_shows_every_partners_codes_with_counts_and_links(world: World) -> None:
    p1_code = code_of(world)
    Client().get(f"/alpha/r/{p1_code.code}/")
    Client().get(f"/alpha/r/{p1_code.code.lower()}/")
    record_revenue(world, make_customer(world), referral_code=p1_code.code)
    client = world.client("vendor_staff")
    body = client.get("/alpha/referral-codes/").content.decode()
    assert p1_code.code in body and code_of(world, "p2").code in body
    assert f"http://testserver/alpha/r/{p1_code.code}/" in body
    row = body[body.index(p1_code.code) : body.index(code_of(world, "p2").code)]
    assert '<td class="num">2</td>' in row and '<td class="num">1</td>' in row  # clicks, credit
    only_p2 = client.get(f"/alpha/referral-codes/?partner={world.alpha.p2.pk}").content.decode()
    assert p1_code.code not in only_p2
    assert "No codes match" in client.get("/alpha/referral-codes/?q=nothing-like-it").content.decode()


def test_export_lists_codes_with_links_and_defuses_formulas(world: World) -> None:
    make_code(world, label="=HYPERLINK()", code="SAFE-1")
    rows = csv_rows(
        world.client("vendor_admin").get(f"/alpha/referral-codes/export.csv?partner={world.alpha.p1.pk}")
    )
    assert sorted(column(rows, "label")) == ["'=HYPERLINK()", "Default code"]
    assert "http://testserver/alpha/r/SAFE-1/" in column(rows, "tracked_link")


def test_vendor_creates_a_code_for_a_partner(world: World) -> None:
    client = world.client("vendor_staff")
    response = client.post(
        "/alpha/referral-codes/new/",
        {
            "partner": world.alpha.p2.pk,
            "code": "summit-25",
            "label": "Summit",
            "landing_url": "https://acme.example/summit",
        },
    )
    assert response.status_code == 302
    created = unscoped(ReferralCode).get(code="SUMMIT-25")
    assert created.partner_id == world.alpha.p2.pk and created.landing_url == "https://acme.example/summit"
    assert "/alpha/r/SUMMIT-25/" in client.get("/alpha/referral-codes/").content.decode()
    taken = client.post("/alpha/referral-codes/new/", {"partner": world.alpha.p1.pk, "code": "SUMMIT-25"})
    assert taken.status_code == 400 and "taken" in _field_errors(taken)["code"][0]
    bad = client.post(
        "/alpha/referral-codes/new/", {"partner": world.alpha.p1.pk, "landing_url": "javascript:x"}
    )
    assert bad.status_code == 400 and _field_errors(bad)["landing_url"]


def test_vendor_switches_a_code_off_and_on(world: World) -> None:
    code = code_of(world)
    client = world.client("vendor_staff")
    off = client.post(f"/alpha/referral-codes/{code.pk}/toggle/", {"next": "/alpha/referral-codes/?q=x"})
    assert off.status_code == 302 and off["Location"] == "/alpha/referral-codes/?q=x"
    assert unscoped(ReferralCode).get(pk=code.pk).is_active is False
    assert Client().get(f"/alpha/r/{code.code}/").status_code == 404
    on = client.post(f"/alpha/referral-codes/{code.pk}/toggle/", {"next": "https://evil.example/"})
    assert on["Location"] == "/alpha/referral-codes/"
    assert unscoped(ReferralCode).get(pk=code.pk).is_active is True


# --- the portal -----------------------------------------------------------------------------------


def test_portal_shows_our_codes_and_links_only(world: World) -> None:
    ours, theirs = code_of(world), code_of(world, "p2")
    for role in ("partner_admin", "partner_user"):
        body = world.client(role).get("/alpha/portal/referral-codes/").content.decode()
        assert ours.code in body and f"http://testserver/alpha/r/{ours.code}/" in body
        assert theirs.code not in body and P2_MARKER not in body
    assert (
        'data-testid="referral-code-form"'
        in world.client("partner_admin").get("/alpha/portal/referral-codes/").content.decode()
    )
    user_page = world.client("partner_user").get("/alpha/portal/referral-codes/").content.decode()
    assert 'data-testid="referral-code-form"' not in user_page and "Deactivate" not in user_page
    rows = csv_rows(world.client("partner_user").get("/alpha/portal/referral-codes/export.csv"))
    assert column(rows, "code") == [ours.code]


def test_partner_admin_creates_and_deactivates_own_codes(world: World) -> None:
    client = world.client("partner_admin")
    created = client.post("/alpha/portal/referral-codes/", {"label": "Newsletter", "code": "P1-NEWS"})
    assert created.status_code == 302
    code = unscoped(ReferralCode).get(code="P1-NEWS")
    assert code.partner_id == world.alpha.p1.pk
    refused = client.post("/alpha/portal/referral-codes/", {"code": "no way!"})
    assert refused.status_code == 400 and _field_errors(refused)["code"]
    off = client.post(f"/alpha/referral-codes/{code.pk}/toggle/")
    assert off.status_code == 302 and off["Location"] == "/alpha/portal/referral-codes/"
    assert unscoped(ReferralCode).get(pk=code.pk).is_active is False
    theirs = code_of(world, "p2")
    assert client.post(f"/alpha/referral-codes/{theirs.pk}/toggle/").status_code == 404
    assert unscoped(ReferralCode).get(pk=theirs.pk).is_active is True
    assert (
        world.client("partner_user").post("/alpha/portal/referral-codes/", {"label": "x"}).status_code == 403
    )


# --- the public tracked link ----------------------------------------------------------------------


def test_the_link_counts_the_click_and_forwards_to_the_landing_page(world: World) -> None:
    code = make_code(world, code="LAND-1", landing_url="https://acme.example/offer")
    response = Client().get("/alpha/r/land-1/", headers={"referer": "https://blog.example/post"})
    assert response.status_code == 302 and response["Location"] == "https://acme.example/offer"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    click = unscoped(ReferralClick).get(code=code)
    assert click.referrer == "https://blog.example/post"
    assert Client().head("/alpha/r/LAND-1/").status_code == 302
    assert unscoped(ReferralClick).filter(code=code).count() == 1  # a HEAD is no visit


def test_without_a_landing_page_the_link_goes_to_the_vendors_website(world: World) -> None:
    tenant = world.alpha.tenant
    tenant.website_url = "https://alpha.example/"
    tenant.save()
    response = Client().get(f"/alpha/r/{code_of(world).code}/")
    assert response.status_code == 302 and response["Location"] == "https://alpha.example/"


def test_without_any_website_a_public_page_names_the_partner(world: World) -> None:
    customer = make_customer(world, name="Secret Customer", domain="secret.example")
    record_revenue(world, customer, amount="123456.00")
    response = Client().get(f"/alpha/r/{code_of(world).code}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert world.alpha.p1.name in body and world.alpha.tenant.name in body
    assert "Secret Customer" not in body and "123,456" not in body and "nav-portal" not in body


def test_unknown_inactive_and_other_tenants_codes_answer_404(world: World) -> None:
    code = code_of(world)
    client = Client()
    assert client.get("/alpha/r/NO-SUCH-CODE/").status_code == 404
    assert client.get(f"/bravo/r/{code.code}/").status_code == 404
    assert client.post(f"/alpha/r/{code.code}/").status_code == 405
    with tenant_context(world.alpha.tenant):
        ReferralCode.objects.filter(pk=code.pk).update(is_active=False)
    assert client.get(f"/alpha/r/{code.code}/").status_code == 404
    assert not unscoped(ReferralClick).exists()

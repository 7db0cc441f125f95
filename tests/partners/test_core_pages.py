"""Core partner pages: the directory (filters, sort, htmx, CSV), the new/edit forms, the partner 360
tabs and their forms, the lifecycle board's moves with and without htmx, and the portal profile."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from partners.models import (
    AcquisitionCost,
    Partner,
    PartnerSegment,
    PartnerType,
    Program,
    Segment,
    Stage,
    StageChange,
    Tier,
)
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped

HX = {"HX-Request": "true"}


def add_partner(world: World, name: str, **fields: object) -> Partner:
    with tenant_context(world.alpha.tenant):
        return Partner.objects.create(
            name=name, partner_type=fields.pop("partner_type", "services"), **fields
        )


def names_in(body: str) -> list[str]:
    """Partner names in the directory table, in order."""
    return re.findall(r'<a href="/alpha/partners/\d+/">([^<]+)</a>', body)


def staff(world: World) -> Client:
    return world.client("vendor_staff")


# --- directory --------------------------------------------------------------------------------------


def test_directory_lists_searches_and_filters(world: World) -> None:
    owner = world.alpha.members["vendor_staff"].user
    with tenant_context(world.alpha.tenant):
        segment = Segment.objects.create(name="MSP")
        msp = Partner.objects.create(
            name="Zephyr MSP",
            partner_type="reseller",
            website_domain="zephyr.example",
            owner=owner,
            status="active",
        )
        PartnerSegment.objects.create(partner=msp, segment=segment)
        Partner.objects.create(name="Quiet Tech", partner_type="technology", stage=Stage.ONBOARD)
    client = staff(world)
    body = client.get("/alpha/partners/").content.decode()
    assert {"Zephyr MSP", "Quiet Tech", world.alpha.p1.name} <= set(names_in(body))
    assert names_in(client.get("/alpha/partners/?q=zephyr.exa").content.decode()) == ["Zephyr MSP"]
    assert names_in(client.get("/alpha/partners/?type=technology").content.decode()) == ["Quiet Tech"]
    assert names_in(client.get(f"/alpha/partners/?segment={segment.pk}").content.decode()) == ["Zephyr MSP"]
    assert names_in(client.get("/alpha/partners/?stage=onboard").content.decode()) == ["Quiet Tech"]
    assert names_in(client.get("/alpha/partners/?status=active").content.decode()) == ["Zephyr MSP"]
    assert names_in(client.get(f"/alpha/partners/?owner={owner.pk}").content.decode()) == ["Zephyr MSP"]
    assert "Zephyr MSP" not in names_in(client.get("/alpha/partners/?owner=none").content.decode())
    # A value that does not parse is ignored, not a 500.
    assert client.get("/alpha/partners/?segment=abc&tier=x&sort=nonsense").status_code == 200
    empty = client.get("/alpha/partners/?q=nothing-like-this").content.decode()
    assert "No partners match" in empty


def test_directory_sorts(world: World) -> None:
    add_partner(world, "aardvark partners", stage=Stage.ACCELERATE)
    add_partner(world, "Zulu Partners", stage=Stage.STRATEGIZE)
    client = staff(world)
    by_name = names_in(client.get("/alpha/partners/?sort=name").content.decode())
    assert by_name[0] == "aardvark partners" and by_name[-1] == "Zulu Partners"
    assert names_in(client.get("/alpha/partners/?sort=-name").content.decode())[0] == "Zulu Partners"
    by_stage = names_in(client.get("/alpha/partners/?sort=stage").content.decode())
    assert by_stage[0] == "Zulu Partners" and by_stage[-1] == "aardvark partners"
    newest = names_in(client.get("/alpha/partners/?sort=-created").content.decode())
    assert newest[0] == "Zulu Partners"


def test_directory_htmx_answers_the_results_fragment_and_paginates(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        Partner.objects.bulk_create(Partner(name=f"Bulk {i:02d}", partner_type="referral") for i in range(30))
    client = staff(world)
    full = client.get("/alpha/partners/")
    assert b"<html" in full.content and b'id="results"' in full.content
    fragment = client.get("/alpha/partners/?page=2", headers=HX)
    body = fragment.content.decode()
    assert "<html" not in body and body.strip().startswith('<div id="results">')
    assert "HX-Request" in fragment["Vary"]
    assert "Page 2 of 2" in body
    assert 'hx-get="?page=1"' in body and 'href="?page=1"' in body


def test_csv_export_streams_every_filtered_row_safely(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        Partner.objects.bulk_create(
            Partner(name=f"Export {i:03d}", partner_type="reseller") for i in range(60)
        )
        Partner.objects.create(name='=HYPERLINK("http://evil")', partner_type="reseller", website_domain="-x")
        Partner.objects.create(name="Not a reseller", partner_type="technology")
    response = staff(world).get("/alpha/partners/export.csv?type=reseller&page=3")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="alpha-partners-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["id", "name", "partner_type", "status", "stage"]
    names = [row[1] for row in body]
    assert len(body) == 62  # 60 + the formula one + P1, not one page of them
    assert "Not a reseller" not in names
    evil = next(row for row in body if "HYPERLINK" in row[1])
    assert evil[1].startswith("'=") and evil[header.index("website_domain")] == "'-x"


def test_csv_export_of_another_tenant_is_hidden(world: World) -> None:
    assert world.client("vendor_admin").get("/bravo/partners/export.csv").status_code == 404


# --- new / edit -------------------------------------------------------------------------------------


def test_new_partner_form_creates_and_shows_errors_in_place(world: World) -> None:
    client = staff(world)
    page = client.get("/alpha/partners/new/")
    assert page.status_code == 200 and b'name="partner_type"' in page.content
    response = client.post(
        "/alpha/partners/new/",
        {
            "name": "Brand New",
            "partner_type": "services",
            "status": "prospect",
            "stage": "recruit",
            "country": "fr",
        },
    )
    partner = unscoped(Partner).get(name="Brand New")
    assert response.status_code == 302 and response["Location"] == f"/alpha/partners/{partner.pk}/"
    assert partner.country == "FR"
    duplicate = client.post(
        "/alpha/partners/new/",
        {"name": "brand new", "partner_type": "services", "status": "prospect", "stage": "recruit"},
    )
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.content.decode()
    assert unscoped(Partner).filter(name__iexact="brand new").count() == 1


def test_edit_form_updates_and_refuses_bad_country(world: World) -> None:
    client = staff(world)
    url = f"/alpha/partners/{world.alpha.p1.pk}/edit/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"name": "P1 renamed", "partner_type": "reseller", "country": "QQ"})
    assert bad.status_code == 400 and "ISO 3166" in bad.content.decode()
    assert unscoped(Partner).get(pk=world.alpha.p1.pk).name == world.alpha.p1.name
    ok = client.post(url, {"name": "P1 renamed", "partner_type": "reseller", "country": "nl"})
    assert ok.status_code == 302
    stored = unscoped(Partner).get(pk=world.alpha.p1.pk)
    assert (stored.name, stored.country) == ("P1 renamed", "NL")


# --- partner 360 ------------------------------------------------------------------------------------


def test_detail_page_links_tabs_and_loads_the_open_one_lazily(world: World) -> None:
    pk = world.alpha.p1.pk
    body = staff(world).get(f"/alpha/partners/{pk}/").content.decode()
    assert f'hx-get="/alpha/partners/{pk}/profile/" hx-trigger="load"' in body
    for key in ("profile", "stages", "people", "tier"):
        assert f'href="/alpha/partners/{pk}/{key}/"' in body
        assert f'hx-get="/alpha/partners/{pk}/?tab={key}"' in body
    fragment = staff(world).get(f"/alpha/partners/{pk}/?tab=stages", headers=HX).content.decode()
    assert "<html" not in fragment and 'id="partner-tabs"' in fragment
    assert f'hx-get="/alpha/partners/{pk}/stages/" hx-trigger="load"' in fragment
    assert 'aria-current="page" href="/alpha/partners/' + str(pk) + '/stages/"' in fragment


@pytest.mark.parametrize("tab", ["profile", "stages", "people", "tier"])
def test_each_tab_is_a_full_page_and_an_htmx_fragment(world: World, tab: str) -> None:
    marker = f"panel-{tab}"
    client = staff(world)
    url = f"/alpha/partners/{world.alpha.p1.pk}/{tab}/"
    full = client.get(url).content.decode()
    assert "<html" in full and f'data-testid="{marker}"' in full and "partner-header" in full
    fragment = client.get(url, headers=HX).content.decode()
    assert (
        "<html" not in fragment and f'data-testid="{marker}"' in fragment and "partner-header" not in fragment
    )


def test_people_tab_lists_only_this_partners_people(world: World) -> None:
    body = staff(world).get(f"/alpha/partners/{world.alpha.p1.pk}/people/").content.decode()
    assert "partner_user@alpha.test" in body and "p2-partner_user@alpha.test" not in body


def test_stage_move_from_the_partner_page(world: World) -> None:
    client = staff(world)
    pk = world.alpha.p1.pk
    response = client.post(
        f"/alpha/partners/{pk}/stage/",
        {"to_stage": "accelerate", "reason": "Big year", "return_to": "partner"},
    )
    assert response.status_code == 302 and response["Location"] == f"/alpha/partners/{pk}/stages/"
    assert unscoped(Partner).get(pk=pk).stage == Stage.ACCELERATE
    history = client.get(response["Location"]).content.decode()
    assert "Big year" in history
    same = client.post(f"/alpha/partners/{pk}/stage/", {"to_stage": "accelerate", "reason": "Again"})
    assert same.status_code == 400 and "already at Accelerate" in same.content.decode()
    assert unscoped(StageChange).filter(partner_id=pk).count() == 1


def test_status_cost_and_tier_forms(world: World) -> None:
    admin = world.client("vendor_admin")
    pk = world.alpha.p1.pk
    ok = admin.post(f"/alpha/partners/{pk}/status/", {"status": "churned", "reason": "No pipeline"})
    assert ok.status_code == 302 and unscoped(Partner).get(pk=pk).status == "churned"
    bad = admin.post(f"/alpha/partners/{pk}/status/", {"status": "churned", "reason": "again"})
    assert bad.status_code == 400 and "already churned" in bad.content.decode()

    today = timezone.localdate()
    future = admin.post(
        f"/alpha/partners/{pk}/costs/",
        {"incurred_on": (today + timedelta(days=3)).isoformat(), "amount": "10", "description": "x"},
    )
    assert future.status_code == 400 and "future" in future.content.decode()
    added = admin.post(
        f"/alpha/partners/{pk}/costs/",
        {"incurred_on": today.isoformat(), "amount": "999.99", "description": "Booth"},
    )
    assert added.status_code == 302 and unscoped(AcquisitionCost).filter(partner_id=pk).count() == 1
    assert "999.99" in admin.get(f"/alpha/partners/{pk}/profile/").content.decode()

    with tenant_context(world.alpha.tenant):
        program = Program.objects.create(name="Ladder")
        low = Tier.objects.create(program=program, name="Low", rank=1)
        high = Tier.objects.create(program=program, name="High", rank=2)
        Partner.objects.filter(pk=pk).update(program=program, tier=low)
    missing = admin.post(f"/alpha/partners/{pk}/tier/override/", {"tier": high.pk, "reason": ""})
    assert missing.status_code == 400
    pinned = admin.post(f"/alpha/partners/{pk}/tier/override/", {"tier": high.pk, "reason": "Strategic"})
    assert pinned.status_code == 302 and unscoped(Partner).get(pk=pk).tier_id == high.pk
    assert (
        staff(world).post(f"/alpha/partners/{pk}/tier/override/", {"tier": low.pk, "reason": "x"}).status_code
        == 403
    )


# --- board ------------------------------------------------------------------------------------------


def test_board_shows_every_stage_with_cards_and_filters(world: World) -> None:
    early = add_partner(world, "Early Bird", stage=Stage.RECRUIT, partner_type="technology")
    body = staff(world).get("/alpha/board/").content.decode()
    for stage in Stage:
        assert f'data-testid="column-{stage.value}"' in body
    # Each card holds a badge slot that one request per board fills from the LTV engine.
    assert f'id="ltv-badge-{early.pk}"' in body and 'data-testid="ltv-badges-loader"' in body
    assert "Early Bird" in body
    filtered = staff(world).get("/alpha/board/?type=technology").content.decode()
    assert "Early Bird" in filtered and world.alpha.p1.name not in filtered


def test_board_move_without_htmx_redirects_back_with_filters(world: World) -> None:
    pk = world.alpha.p1.pk
    response = staff(world).post(
        f"/alpha/partners/{pk}/stage/",
        {
            "to_stage": "incentivize",
            "reason": "Moved on the board",
            "return_to": "board",
            "board_query": "type=reseller&x=1",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/alpha/board/?type=reseller"
    assert unscoped(Partner).get(pk=pk).stage == Stage.INCENTIVIZE
    assert unscoped(StageChange).get(partner_id=pk).reason == "Moved on the board"


def test_board_move_with_htmx_swaps_the_board(world: World) -> None:
    pk = world.alpha.p1.pk
    response = staff(world).post(
        f"/alpha/partners/{pk}/stage/",
        {
            "to_stage": "market",
            "reason": "Back to marketing",
            "return_to": "board",
            "board_query": "type=reseller",
        },
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and body.strip().startswith('<div id="board"')
    assert f"Moved {world.alpha.p1.name} to Market." in body
    market = body.split('data-testid="column-market"')[1].split("</section>")[0]
    assert f'data-testid="card-{pk}"' in market
    assert world.alpha.p2.name not in body  # the referral partner stays filtered out
    assert unscoped(Partner).get(pk=pk).stage == Stage.MARKET


def test_board_move_errors_show_on_the_board(world: World) -> None:
    pk = world.alpha.p1.pk
    data = {"to_stage": "sell", "reason": "x", "return_to": "board"}
    with_hx = staff(world).post(f"/alpha/partners/{pk}/stage/", data, headers=HX)
    assert with_hx.status_code == 400 and 'data-testid="board-error"' in with_hx.content.decode()
    without = staff(world).post(f"/alpha/partners/{pk}/stage/", data)
    assert without.status_code == 400 and "was not moved" in without.content.decode()
    assert not unscoped(StageChange).filter(partner_id=pk).exists()


def test_partner_roles_cannot_move_on_the_board(world: World) -> None:
    response = world.client("partner_admin").post(
        f"/alpha/partners/{world.alpha.p1.pk}/stage/", {"to_stage": "market", "reason": "x"}
    )
    assert response.status_code == 403
    assert not unscoped(StageChange).exists()


# --- portal profile and the pages that must keep working --------------------------------------------


def test_portal_profile(world: World) -> None:
    user = world.client("partner_user")
    page = user.get("/alpha/portal/profile/").content.decode()
    assert (
        world.alpha.p1.name in page and world.alpha.p2.name not in page and "portal-profile-form" not in page
    )
    assert (
        user.post("/alpha/portal/profile/", {"website_domain": "x.example", "country": "US"}).status_code
        == 403
    )
    admin = world.client("partner_admin")
    assert 'data-testid="portal-profile-form"' in admin.get("/alpha/portal/profile/").content.decode()
    bad = admin.post("/alpha/portal/profile/", {"website_domain": "nope", "country": "US"})
    assert bad.status_code == 400 and "example.com" in bad.content.decode()
    ok = admin.post("/alpha/portal/profile/", {"website_domain": "https://www.p1.example", "country": "us"})
    assert ok.status_code == 302
    stored = unscoped(Partner).get(pk=world.alpha.p1.pk)
    assert (stored.website_domain, stored.country) == ("p1.example", "US")


def test_home_stage_pages_and_nav_still_work(world: World) -> None:
    client = staff(world)
    home = client.get("/alpha/").content.decode()
    assert 'href="/alpha/partners/"' in home and 'href="/alpha/board/"' in home
    assert client.get("/alpha/stages/sell/").status_code == 200
    assert (
        'href="/alpha/portal/profile/"' in world.client("partner_user").get("/alpha/portal/").content.decode()
    )


def test_directory_is_for_vendor_roles_only(world: World) -> None:
    assert world.client("partner_admin").get("/alpha/partners/").status_code == 403
    assert world.client("partner_admin").get(f"/alpha/partners/{world.alpha.p1.pk}/").status_code == 403


def test_partner_type_choices_cover_every_type(world: World) -> None:
    body = staff(world).get("/alpha/partners/new/").content.decode()
    for kind in PartnerType:
        assert f'value="{kind.value}"' in body

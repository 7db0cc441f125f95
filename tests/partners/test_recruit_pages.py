"""Pages of programs, tiers, segments, the ideal profile and prospects: flows, errors in place, htmx."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from partners.models import (
    Partner,
    PartnerType,
    ProfileCriterion,
    Program,
    Prospect,
    ProspectStatus,
    Segment,
    Tier,
)
from partners.services_profile import ideal_profile_save
from partners.services_program import program_create, segment_create, tier_create
from partners.services_recruit import prospect_create
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import TenantWorld, World, unscoped
from tests.test_pages import _field_errors


@pytest.fixture
def setup(world: World) -> Iterator[dict[str, Any]]:
    """A default program with three tiers, a segment and a two-criterion ideal profile in alpha."""
    alpha = world.alpha
    admin = alpha.members["vendor_admin"]
    with tenant_context(alpha.tenant):
        program = program_create(actor=admin, name="Partner Program")
        tiers = [tier_create(actor=admin, program=program, name=n) for n in ("Registered", "Silver", "Gold")]
        segment = segment_create(actor=admin, name="MSP mid-market")
        ideal_profile_save(
            actor=admin,
            program=program,
            criteria=[
                {"kind": "partner_type", "values": ["reseller"], "weight": "3"},
                {"kind": "size", "min_value": 50, "max_value": 500, "weight": "1"},
            ],
        )
    yield {"program": program, "tiers": tiers, "segment": segment}


def _prospect(world: World, program: Program, name: str, **fields: Any) -> Prospect:
    alpha: TenantWorld = world.alpha
    with tenant_context(alpha.tenant):
        return prospect_create(
            actor=alpha.members["vendor_staff"],
            name=name,
            partner_type=fields.pop("partner_type", "reseller"),
            program_id=program.pk,
            **fields,
        )


def _body(response: Any) -> str:
    return response.content.decode()


# --- programs and tiers -------------------------------------------------------------------------


def test_program_list_shows_programs_and_admin_form(world: World, setup: dict[str, Any]) -> None:
    body = _body(world.client("vendor_admin").get("/alpha/config/programs/"))
    assert "Partner Program" in body and "Default" in body and 'id="new-program"' in body
    staff_body = _body(world.client("vendor_staff").get("/alpha/config/programs/"))
    assert "Partner Program" in staff_body and 'id="new-program"' not in staff_body


def test_program_create_duplicate_shows_error_in_place(world: World, setup: dict[str, Any]) -> None:
    before = unscoped(Program).count()
    response = world.client("vendor_admin").post("/alpha/config/programs/", {"name": "partner program"})
    assert response.status_code == 400
    assert "already exists" in " ".join(_field_errors(response)["name"])
    assert unscoped(Program).count() == before


def test_program_create_redirects_to_its_page(world: World, setup: dict[str, Any]) -> None:
    response = world.client("vendor_admin").post(
        "/alpha/config/programs/", {"name": "Alliances", "is_default": "on"}
    )
    program = unscoped(Program).get(name="Alliances")
    assert response.status_code == 302 and response["Location"] == f"/alpha/config/programs/{program.pk}/"
    assert program.is_default and not unscoped(Program).get(pk=setup["program"].pk).is_default


def test_program_page_lists_the_ladder_in_rank_order(world: World, setup: dict[str, Any]) -> None:
    body = _body(world.client("vendor_staff").get(f"/alpha/config/programs/{setup['program'].pk}/"))
    assert body.index("Registered") < body.index("Silver") < body.index("Gold")
    assert "tier_move" not in body and "Move Gold" not in body  # staff read only


def test_tier_move_buttons_reorder_the_ladder(world: World, setup: dict[str, Any]) -> None:
    client = world.client("vendor_admin")
    registered, _silver, gold = setup["tiers"]
    response = client.post(f"/alpha/config/tiers/{gold.pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    ranks = dict(unscoped(Tier).filter(program=setup["program"]).values_list("name", "rank"))
    assert ranks == {"Registered": 1, "Gold": 2, "Silver": 3}
    refused = client.post(f"/alpha/config/tiers/{registered.pk}/move/", {"direction": "up"})
    assert refused.status_code == 400 and "already the entry" in _body(refused)


def test_deleting_a_tier_in_use_shows_why(world: World, setup: dict[str, Any]) -> None:
    silver = setup["tiers"][1]
    with tenant_context(world.alpha.tenant):
        Partner.objects.filter(pk=world.alpha.p1.pk).update(program=setup["program"], tier=silver)
    response = world.client("vendor_admin").post(f"/alpha/config/tiers/{silver.pk}/delete/")
    assert response.status_code == 400
    assert 'data-testid="tier-error"' in _body(response) and "move them to another tier" in _body(response)
    assert unscoped(Tier).filter(pk=silver.pk).exists()


def test_tier_create_duplicate_rank_error_in_place(world: World, setup: dict[str, Any]) -> None:
    url = f"/alpha/config/programs/{setup['program'].pk}/tiers/new/"
    response = world.client("vendor_admin").post(url, {"name": "Diamond", "rank": "2"})
    assert response.status_code == 400
    assert "taken by Silver" in " ".join(_field_errors(response)["rank"])
    assert 'value="Diamond"' in _body(response)
    assert world.client("vendor_admin").post(url, {"name": "Diamond"}).status_code == 302
    assert unscoped(Tier).get(name="Diamond").rank == 4


# --- segments -----------------------------------------------------------------------------------


def test_segment_duplicate_error_in_place_and_search_fragment(world: World, setup: dict[str, Any]) -> None:
    client = world.client("vendor_admin")
    response = client.post("/alpha/config/segments/", {"name": "msp MID-market"})
    assert response.status_code == 400 and _field_errors(response)["name"]
    assert unscoped(Segment).filter(tenant=world.alpha.tenant).count() == 1
    fragment = client.get("/alpha/config/segments/?q=nothing-like-it", headers={"HX-Request": "true"})
    assert _body(fragment).lstrip().startswith('<div id="results">')
    assert "No segments match" in _body(fragment) and "HX-Request" in fragment["Vary"]


def test_segment_edit(world: World, setup: dict[str, Any]) -> None:
    url = f"/alpha/config/segments/{setup['segment'].pk}/"
    response = world.client("vendor_admin").post(
        url, {"name": "MSP, mid-market", "description": "100+ seats"}
    )
    assert response.status_code == 302
    assert unscoped(Segment).get(pk=setup["segment"].pk).description == "100+ seats"


# --- ideal profile ------------------------------------------------------------------------------


def _formset(*rows: dict[str, str], initial: int = 0) -> dict[str, str]:
    data = {"criteria-TOTAL_FORMS": str(len(rows)), "criteria-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"criteria-{index}-{key}": value for key, value in row.items()})
    return data


def test_ideal_profile_save_replaces_criteria_and_rescores(world: World, setup: dict[str, Any]) -> None:
    program = setup["program"]
    prospect = _prospect(world, program, "Brightpath IT", country="US", employees=100)
    assert prospect.score == Decimal("100.0")
    data = _formset(
        {"kind": "country", "values": "US, CA", "weight": "1"},
        {"kind": "segment", "values": "MSP mid-market", "weight": "1"},
        {"kind": "", "values": "", "weight": ""},  # an empty extra row is ignored
    )
    response = world.client("vendor_admin").post(f"/alpha/config/programs/{program.pk}/ideal-profile/", data)
    assert response.status_code == 302
    kinds = sorted(unscoped(ProfileCriterion).filter(profile__program=program).values_list("kind", flat=True))
    assert kinds == ["country", "segment"]
    assert unscoped(Prospect).get(pk=prospect.pk).score == Decimal("50.0")


def test_ideal_profile_bad_row_error_in_place(world: World, setup: dict[str, Any]) -> None:
    program = setup["program"]
    data = _formset({"kind": "partner_type", "values": "plumber", "weight": "2"})
    response = world.client("vendor_admin").post(f"/alpha/config/programs/{program.pk}/ideal-profile/", data)
    assert response.status_code == 400
    assert "Unknown partner type" in " ".join(_field_errors(response)["criteria-0-values"])
    assert unscoped(ProfileCriterion).filter(profile__program=program).count() == 2


def test_ideal_profile_read_only_for_staff_and_nav_link(world: World, setup: dict[str, Any]) -> None:
    program = setup["program"]
    response = world.client("vendor_staff").get(f"/alpha/config/programs/{program.pk}/ideal-profile/")
    assert "Reseller" in _body(response) and "50 to 500 employees" in _body(response)
    assert 'data-testid="profile-form"' not in _body(response)
    redirect = world.client("vendor_admin").get("/alpha/config/ideal-profile/")
    assert redirect["Location"] == f"/alpha/config/programs/{program.pk}/ideal-profile/"


def test_nav_has_configure_and_prospect_links(world: World, setup: dict[str, Any]) -> None:
    body = _body(world.client("vendor_admin").get("/alpha/prospects/"))
    for href in ("/alpha/config/programs/", "/alpha/config/segments/", "/alpha/config/ideal-profile/"):
        assert f'href="{href}"' in body
    assert 'href="/alpha/prospects/"' in _body(world.client("vendor_staff").get("/alpha/"))


# --- prospects ----------------------------------------------------------------------------------


def test_prospect_list_sorted_by_score_with_filters(world: World, setup: dict[str, Any]) -> None:
    program = setup["program"]
    _prospect(world, program, "Low Fit Referrals", partner_type="referral")
    _prospect(world, program, "High Fit Resellers", employees=120)
    with tenant_context(world.alpha.tenant):
        Prospect.objects.filter(name="Low Fit Referrals").update(status=ProspectStatus.CONTACTED)
    client = world.client("vendor_staff")
    body = _body(client.get("/alpha/prospects/"))
    assert body.index("High Fit Resellers") < body.index("Low Fit Referrals")
    contacted = _body(client.get("/alpha/prospects/?status=contacted"))
    assert "Low Fit Referrals" in contacted and "High Fit Resellers" not in contacted
    searched = _body(client.get("/alpha/prospects/?q=high&type=reseller", headers={"HX-Request": "true"}))
    assert searched.lstrip().startswith('<div id="results">') and "High Fit Resellers" in searched
    empty = _body(client.get("/alpha/prospects/?q=zzz&status=bogus&program=abc"))
    assert "No prospects match" in empty


def test_prospect_list_empty_state_and_pagination(world: World, setup: dict[str, Any]) -> None:
    client = world.client("vendor_staff")
    assert "No prospects yet" in _body(client.get("/alpha/prospects/"))
    with tenant_context(world.alpha.tenant):
        Prospect.objects.bulk_create(
            Prospect(name=f"Bulk {i:02}", partner_type=PartnerType.RESELLER, program=setup["program"])
            for i in range(30)
        )
    page_two = _body(client.get("/alpha/prospects/?page=2"))
    assert "Page 2 of 2" in page_two and "Bulk 29" in page_two and "Bulk 00" not in page_two


def test_prospect_create_flow_and_errors(world: World, setup: dict[str, Any]) -> None:
    client = world.client("vendor_staff")
    assert client.get("/alpha/prospects/new/").status_code == 200
    bad = client.post(
        "/alpha/prospects/new/",
        {
            "name": "Acme Reseller",
            "partner_type": "reseller",
            "program": setup["program"].pk,
            "country": "USA",
        },
    )
    assert bad.status_code == 400 and _field_errors(bad)["country"]
    assert not unscoped(Prospect).filter(name="Acme Reseller").exists()
    good = client.post(
        "/alpha/prospects/new/",
        {
            "name": "Acme Reseller",
            "partner_type": "reseller",
            "program": setup["program"].pk,
            "employees": "25",
            "segments": [setup["segment"].pk],
            "capabilities": "cloud, security",
        },
    )
    prospect = unscoped(Prospect).get(name="Acme Reseller")
    assert good.status_code == 302 and good["Location"] == f"/alpha/prospects/{prospect.pk}/"
    assert prospect.capabilities == ["cloud", "security"]
    assert prospect.score == Decimal("87.5")  # type 3 of 3, size 25 of min 50: half of 1


def test_prospect_page_explains_the_score(world: World, setup: dict[str, Any]) -> None:
    prospect = _prospect(world, setup["program"], "Keystone Systems", employees=25)
    body = _body(world.client("vendor_staff").get(f"/alpha/prospects/{prospect.pk}/"))
    assert 'data-testid="score-explanation"' in body
    assert "25 employees is below 50: 50% credit." in body and "87.5" in body


def test_status_change_needs_reason_to_reject(world: World, setup: dict[str, Any]) -> None:
    prospect = _prospect(world, setup["program"], "Granite Peak IT")
    client = world.client("vendor_staff")
    refused = client.post(f"/alpha/prospects/{prospect.pk}/status/", {"status": "rejected", "reason": ""})
    assert refused.status_code == 400 and _field_errors(refused)["reason"]
    done = client.post(
        f"/alpha/prospects/{prospect.pk}/status/", {"status": "rejected", "reason": "Too small"}
    )
    assert done.status_code == 302
    assert unscoped(Prospect).get(pk=prospect.pk).status == ProspectStatus.REJECTED
    event = unscoped(AuditEvent).get(verb="prospect.status_changed", object_id=str(prospect.pk))
    assert event.after == {"status": "rejected", "reason": "Too small"}


def test_convert_button_flow(world: World, setup: dict[str, Any]) -> None:
    prospect = _prospect(world, setup["program"], "Copperfield Solutions")
    client = world.client("vendor_staff")
    refused = client.post(f"/alpha/prospects/{prospect.pk}/convert/")
    assert refused.status_code == 400 and "Only qualified prospects convert" in _body(refused)
    assert 'data-testid="convert"' not in _body(client.get(f"/alpha/prospects/{prospect.pk}/"))
    client.post(f"/alpha/prospects/{prospect.pk}/status/", {"status": "qualified"})
    assert 'data-testid="convert"' in _body(client.get(f"/alpha/prospects/{prospect.pk}/"))
    response = client.post(f"/alpha/prospects/{prospect.pk}/convert/")
    partner = unscoped(Partner).get(name="Copperfield Solutions")
    assert response.status_code == 302 and response["Location"] == f"/alpha/partners/{partner.pk}/"
    again = client.post(f"/alpha/prospects/{prospect.pk}/convert/")
    assert again.status_code == 400 and "already converted" in _body(again)
    assert unscoped(Partner).filter(name="Copperfield Solutions").count() == 1

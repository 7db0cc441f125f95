"""Services of ideal profiles and prospects: scoring on write, pipeline status, conversion.

A refused call changes nothing: no row, no audit event."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partners import services_recruit
from partners.models import (
    ChecklistItem,
    IdealProfile,
    Partner,
    PartnerStatus,
    PartnerType,
    ProfileCriterion,
    Program,
    Prospect,
    ProspectSegment,
    ProspectStatus,
    Segment,
    Stage,
)
from partners.services_profile import ideal_profile_save
from partners.services_program import (
    segment_create,
    segment_update,
)
from partners.services_recruit import (
    prospect_convert,
    prospect_create,
    prospect_status_change,
    prospect_update,
)
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import TenantWorld, World
from tests.partners import recruit_support
from tests.partners.recruit_support import admin_of, recruit_state, staff_of

# Shared fixtures, resolved by pytest through these module names.
alpha = recruit_support.alpha
program = recruit_support.program

# --- ideal profile and scores -------------------------------------------------------------------


def _profile(alpha: TenantWorld, program: Program, segment: Segment | None = None) -> IdealProfile:
    criteria: list[dict[str, Any]] = [
        {"kind": "partner_type", "values": ["Reseller"], "weight": "3"},
        {"kind": "country", "values": ["us", "CA"], "weight": "1"},
    ]
    if segment is not None:
        criteria.append({"kind": "segment", "values": [segment.name], "weight": "2"})
    return ideal_profile_save(actor=admin_of(alpha), program=program, criteria=criteria)


def test_profile_normalises_values_and_rescores_prospects(alpha: TenantWorld, program: Program) -> None:
    segment = segment_create(actor=admin_of(alpha), name="MSP")
    prospect = prospect_create(
        actor=staff_of(alpha),
        name="Brightpath IT",
        partner_type="reseller",
        program_id=program.pk,
        country="DE",
    )
    assert prospect.score == Decimal("0") and prospect.score_explanation == []
    _profile(alpha, program, segment)
    stored = ProfileCriterion.objects.filter(profile__program=program).order_by("-weight")
    assert [(c.kind, c.values) for c in stored] == [
        ("partner_type", ["reseller"]),
        ("segment", [segment.pk]),
        ("country", ["US", "CA"]),
    ]
    prospect.refresh_from_db()
    assert prospect.score == Decimal("50.0")  # type matches (3 of 6)
    assert [row["matched"] for row in prospect.score_explanation] == [1.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("criterion", "message"),
    [
        ({"kind": "partner_type", "values": ["plumber"], "weight": "1"}, "Unknown partner type"),
        ({"kind": "country", "values": ["USA"], "weight": "1"}, "two-letter"),
        ({"kind": "segment", "values": ["Nope"], "weight": "1"}, "No segment"),
        ({"kind": "size", "min_value": 500, "max_value": 10, "weight": "1"}, "maximum"),
        ({"kind": "size", "weight": "1"}, "minimum, a maximum"),
        ({"kind": "capability", "values": [], "weight": "1"}, "at least one"),
        ({"kind": "country", "values": ["US"], "weight": "0"}, "between 0.01 and 100"),
        ({"kind": "mood", "values": ["happy"], "weight": "1"}, "Choose one of"),
    ],
)
def test_bad_criteria_are_refused_and_change_nothing(
    alpha: TenantWorld, program: Program, criterion: dict[str, Any], message: str
) -> None:
    _profile(alpha, program)
    before = (recruit_state(), list(ProfileCriterion.objects.values_list("kind", "values")))
    with pytest.raises(ValidationError) as error:
        ideal_profile_save(actor=admin_of(alpha), program=program, criteria=[criterion])
    assert message in " ".join(error.value.message_dict["criteria"])
    assert (recruit_state(), list(ProfileCriterion.objects.values_list("kind", "values"))) == before


def test_prospect_score_follows_its_own_changes(alpha: TenantWorld, program: Program) -> None:
    _profile(alpha, program)
    prospect = prospect_create(
        actor=staff_of(alpha),
        name="Northstar MSP",
        partner_type="services",
        program_id=program.pk,
        country="US",
    )
    assert prospect.score == Decimal("25.0")
    updated = prospect_update(
        actor=staff_of(alpha),
        prospect=prospect,
        name="Northstar MSP",
        partner_type="reseller",
        program_id=program.pk,
    )
    assert updated.score == Decimal("75.0")
    assert Prospect.objects.get(pk=prospect.pk).score == Decimal("75.0")


def test_prospect_validation_reports_every_field(alpha: TenantWorld, program: Program) -> None:
    prospect_create(actor=staff_of(alpha), name="Taken", partner_type="reseller", program_id=program.pk)
    before = recruit_state()
    with pytest.raises(ValidationError) as error:
        prospect_create(
            actor=staff_of(alpha),
            name="taken",
            partner_type="plumber",
            program_id=999_999,
            website_domain="not a domain",
            country="USA",
            segment_ids=[999_999],
            owner_id=alpha.members["partner_user"].user_id,
        )
    assert set(error.value.message_dict) == {
        "name",
        "partner_type",
        "program",
        "website_domain",
        "country",
        "segments",
        "owner",
    }
    assert recruit_state() == before


def test_domain_is_normalised(alpha: TenantWorld, program: Program) -> None:
    prospect = prospect_create(
        actor=staff_of(alpha),
        name="Web",
        partner_type="reseller",
        program_id=program.pk,
        website_domain="https://Web.Example.com/about",
    )
    assert prospect.website_domain == "web.example.com"


def test_partner_roles_cannot_work_prospects(alpha: TenantWorld, program: Program) -> None:
    with pytest.raises(PermissionDenied):
        prospect_create(
            actor=alpha.members["partner_admin"], name="X", partner_type="reseller", program_id=program.pk
        )


# --- status and conversion ----------------------------------------------------------------------


@pytest.fixture
def prospect(alpha: TenantWorld, program: Program) -> Prospect:
    segment = segment_create(actor=admin_of(alpha), name="MSP")
    return prospect_create(
        actor=staff_of(alpha),
        name="Summit Cloud Partners",
        partner_type="services",
        program_id=program.pk,
        website_domain="summitcloud.example",
        country="GB",
        segment_ids=[segment.pk],
        owner_id=staff_of(alpha).user_id,
    )


def test_status_change_is_audited_with_its_reason(alpha: TenantWorld, prospect: Prospect) -> None:
    prospect_status_change(actor=staff_of(alpha), prospect=prospect, status="contacted", reason="Intro call")
    event = AuditEvent.objects.get(verb="prospect.status_changed")
    assert event.before == {"status": "new"}
    assert event.after == {"status": "contacted", "reason": "Intro call"}


def test_rejection_needs_a_reason(alpha: TenantWorld, prospect: Prospect) -> None:
    with pytest.raises(ValidationError) as error:
        prospect_status_change(actor=staff_of(alpha), prospect=prospect, status="rejected", reason=" ")
    assert "reason" in error.value.message_dict
    assert Prospect.objects.get(pk=prospect.pk).status == ProspectStatus.NEW


def test_converted_is_not_a_manual_status(alpha: TenantWorld, prospect: Prospect) -> None:
    with pytest.raises(ValidationError, match="Convert to partner"):
        prospect_status_change(actor=staff_of(alpha), prospect=prospect, status="converted")


def test_only_qualified_prospects_convert(alpha: TenantWorld, prospect: Prospect) -> None:
    before = recruit_state()
    with pytest.raises(ValidationError, match="Only qualified prospects convert"):
        prospect_convert(actor=staff_of(alpha), prospect=prospect)
    assert recruit_state() == before


def test_convert_creates_an_onboarding_partner_once(alpha: TenantWorld, prospect: Prospect) -> None:
    prospect_status_change(actor=staff_of(alpha), prospect=prospect, status="qualified")
    partner = prospect_convert(actor=staff_of(alpha), prospect=prospect)
    assert (partner.name, partner.partner_type, partner.country) == (
        "Summit Cloud Partners",
        "services",
        "GB",
    )
    assert (partner.status, partner.stage) == (PartnerStatus.ONBOARDING, Stage.ONBOARD)
    assert partner.program_id == prospect.program_id and partner.owner_id == prospect.owner_id
    assert partner.tier is not None and partner.tier.name == "Registered"  # the program's entry tier
    assert set(partner.segments.values_list("name", flat=True)) == {"MSP"}
    fresh = Prospect.objects.get(pk=prospect.pk)
    assert fresh.status == ProspectStatus.CONVERTED and fresh.converted_partner_id == partner.pk
    assert AuditEvent.objects.filter(verb="prospect.converted", object_id=str(prospect.pk)).exists()
    before = recruit_state()
    with pytest.raises(ValidationError, match="already converted"):
        prospect_convert(actor=staff_of(alpha), prospect=fresh)
    with pytest.raises(ValidationError):
        prospect_status_change(actor=staff_of(alpha), prospect=fresh, status="new")
    assert recruit_state() == before


def test_convert_starts_the_onboarding_checklist(
    alpha: TenantWorld, prospect: Prospect, monkeypatch: Any
) -> None:
    started: list[int] = []

    def fake_start(*, actor: Any, partner: Partner) -> list[ChecklistItem]:
        started.append(partner.pk)
        return []

    monkeypatch.setattr(services_recruit, "checklist_start", fake_start)
    prospect_status_change(actor=staff_of(alpha), prospect=prospect, status="qualified")
    partner = prospect_convert(actor=staff_of(alpha), prospect=prospect)
    assert started == [partner.pk]


def test_a_failed_convert_writes_nothing(alpha: TenantWorld, prospect: Prospect, monkeypatch: Any) -> None:
    prospect_status_change(actor=staff_of(alpha), prospect=prospect, status="qualified")

    def failing_start(*, actor: Any, partner: Partner) -> list[ChecklistItem]:
        raise ValidationError({"partner": "Checklist template is broken."})

    monkeypatch.setattr(services_recruit, "checklist_start", failing_start)
    before = recruit_state()
    with pytest.raises(ValidationError, match="broken"):
        prospect_convert(actor=staff_of(alpha), prospect=prospect)
    assert recruit_state() == before
    assert not Partner.objects.filter(name="Summit Cloud Partners").exists()
    fresh = Prospect.objects.get(pk=prospect.pk)
    assert fresh.status == ProspectStatus.QUALIFIED and fresh.converted_partner_id is None


def test_convert_refused_when_a_partner_has_the_name(alpha: TenantWorld, prospect: Prospect) -> None:
    Partner.objects.create(name="Summit Cloud Partners", partner_type=PartnerType.SERVICES)
    prospect_status_change(actor=staff_of(alpha), prospect=prospect, status="qualified")
    before = recruit_state()
    with pytest.raises(ValidationError) as error:
        prospect_convert(actor=staff_of(alpha), prospect=prospect)
    assert "name" in error.value.message_dict
    assert recruit_state() == before
    assert ProspectSegment.objects.filter(prospect=prospect).count() == 1


def test_another_tenants_ids_are_refused(world: World, alpha: TenantWorld, program: Program) -> None:
    with tenant_context(world.bravo.tenant):
        bravo_program = Program.objects.create(name="Bravo Program")
        bravo_segment = Segment.objects.create(name="Bravo Segment")
    before = recruit_state()
    with pytest.raises(ValidationError) as error:
        prospect_create(
            actor=staff_of(alpha),
            name="Cross",
            partner_type="reseller",
            program_id=bravo_program.pk,
            segment_ids=[bravo_segment.pk],
        )
    assert {"program", "segments"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        ideal_profile_save(
            actor=admin_of(alpha),
            program=program,
            criteria=[{"kind": "segment", "values": [str(bravo_segment.pk)], "weight": "1"}],
        )
    assert recruit_state() == before


def test_renaming_a_wanted_segment_refreshes_explanations(alpha: TenantWorld, program: Program) -> None:
    segment = segment_create(actor=admin_of(alpha), name="MSP")
    _profile(alpha, program, segment)
    prospect = prospect_create(
        actor=staff_of(alpha),
        name="Renamed",
        partner_type="reseller",
        program_id=program.pk,
        segment_ids=[segment.pk],
    )
    segment_update(actor=admin_of(alpha), segment=segment, name="MSP, mid-market")
    labels = [row["criterion"] for row in Prospect.objects.get(pk=prospect.pk).score_explanation]
    assert "Segment: MSP, mid-market" in labels

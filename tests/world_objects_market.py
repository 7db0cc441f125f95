"""World objects of the market concept for the authorization matrix and the isolation crawler.

MDF requests come in the state each action needs (requested, approved, claimed), so every allowed
cell of the matrix is a legitimate transition. `health_q1`/`health_q2` are the questions of the
active questionnaire that assessment payloads answer; `assessment` is a self-assessment against an
older, inactive questionnaire so it never adds questions a payload would leave unanswered.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from partners.models import (
    Answer,
    Assessment,
    Campaign,
    MdfRequest,
    MdfStatus,
    Question,
    Questionnaire,
    Respondent,
)
from tests.world_objects import factory

if TYPE_CHECKING:
    from tests.conftest import TenantWorld


def _partner(world: TenantWorld, other_partner: bool) -> Any:
    return world.p2 if other_partner else world.p1


@factory("campaign")
def campaign(world: TenantWorld, other_partner: bool) -> Campaign:
    marker = world.visible_marker(other_partner=other_partner)
    return Campaign.objects.create(
        partner=_partner(world, other_partner),
        name=f"Spring launch {marker}".strip(),
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 4, 30),
        goal=f"40 qualified leads {marker}".strip(),
        budget=Decimal("12000.00"),
    )


def _mdf(world: TenantWorld, other_partner: bool, status: str) -> MdfRequest:
    marker = world.visible_marker(other_partner=other_partner)
    approved = Decimal("800.00") if status in (MdfStatus.APPROVED, MdfStatus.CLAIMED) else None
    claimed = Decimal("500.00") if status == MdfStatus.CLAIMED else None
    return MdfRequest.objects.create(
        partner=_partner(world, other_partner),
        purpose=f"Trade show booth {marker}".strip(),
        amount_requested=Decimal("1000.00"),
        amount_approved=approved,
        amount_claimed=claimed,
        claim_proof=f"Invoice 17 {marker}".strip() if claimed else "",
        status=status,
    )


@factory("mdf_request")
def mdf_request(world: TenantWorld, other_partner: bool) -> MdfRequest:
    return _mdf(world, other_partner, MdfStatus.REQUESTED)


@factory("mdf_request_approved")
def mdf_request_approved(world: TenantWorld, other_partner: bool) -> MdfRequest:
    return _mdf(world, other_partner, MdfStatus.APPROVED)


@factory("mdf_request_claimed")
def mdf_request_claimed(world: TenantWorld, other_partner: bool) -> MdfRequest:
    return _mdf(world, other_partner, MdfStatus.CLAIMED)


def _active_questionnaire() -> Questionnaire:
    questionnaire, _ = Questionnaire.objects.get_or_create(name="Health check", defaults={"is_active": True})
    return questionnaire


def _question(world: TenantWorld, other_partner: bool, domain: str, position: int) -> Question:
    marker = world.visible_marker(other_partner=other_partner)
    return Question.objects.create(
        questionnaire=_active_questionnaire(),
        domain=domain,
        text=f"The partner invests in the relationship {marker}".strip(),
        weight=position,
        position=position,
    )


@factory("health_q1")
def health_q1(world: TenantWorld, other_partner: bool) -> Question:
    return _question(world, other_partner, "Investment and planning", 1)


@factory("health_q2")
def health_q2(world: TenantWorld, other_partner: bool) -> Question:
    return _question(world, other_partner, "Engagement", 2)


@factory("health_question")
def health_question(world: TenantWorld, other_partner: bool) -> Question:
    return _question(world, other_partner, "Capability", 3)


@factory("assessment")
def assessment(world: TenantWorld, other_partner: bool) -> Assessment:
    marker = world.visible_marker(other_partner=other_partner)
    earlier = Questionnaire.objects.create(name=f"Earlier health check {marker}".strip(), is_active=False)
    question = Question.objects.create(
        questionnaire=earlier, domain="Capability", text=f"Certified engineers {marker}".strip()
    )
    member = (world.p2_members if other_partner else world.members)["partner_admin"]
    made = Assessment.objects.create(
        partner=_partner(world, other_partner),
        questionnaire=earlier,
        respondent_side=Respondent.PARTNER,
        respondent=member.user,
        domain_scores={"Capability": 75.0},
        overall_score=Decimal("75.0"),
    )
    Answer.objects.create(assessment=made, question=question, score=4)
    return made

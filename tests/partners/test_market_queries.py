"""Market and health lists cost the same number of queries with 10 rows as with 100."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest

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
from prm.tenancy import tenant_context
from tests.conftest import World
from tests.test_query_counts import assert_flat_query_count


def add_mdf(world: World, n: int) -> None:
    """n requests for P1 in every state, each tied to a campaign and decided by someone."""
    alpha = world.alpha
    states = list(MdfStatus)
    with tenant_context(alpha.tenant):
        campaigns = Campaign.objects.bulk_create(
            Campaign(
                partner=alpha.p1,
                name=f"Campaign {n}-{i}",
                starts_on=datetime.date(2026, 1, 1),
                ends_on=datetime.date(2026, 2, 1),
                goal="Leads",
                budget=Decimal("1000"),
            )
            for i in range(n)
        )
        rows = []
        for i, campaign in enumerate(campaigns):
            status = states[i % len(states)]
            decided = status != MdfStatus.REQUESTED
            spent = status in (MdfStatus.CLAIMED, MdfStatus.REIMBURSED)
            rows.append(
                MdfRequest(
                    partner=alpha.p1,
                    campaign=campaign,
                    purpose=f"Request {n}-{i}",
                    amount_requested=Decimal("500"),
                    amount_approved=Decimal("400") if decided and status != MdfStatus.REJECTED else None,
                    amount_claimed=Decimal("300") if spent else None,
                    status=status,
                    requested_by=alpha.members["partner_user"].user,
                    decided_by=alpha.members["vendor_staff"].user if decided else None,
                )
            )
        MdfRequest.objects.bulk_create(rows)


def add_assessments(world: World, n: int) -> None:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        questionnaire, _ = Questionnaire.objects.get_or_create(name="Health", defaults={"is_active": True})
        questions = Question.objects.bulk_create(
            Question(questionnaire=questionnaire, domain=f"Domain {i}", text=f"Q{i}") for i in range(3)
        )
        for i in range(n):
            side = Respondent.VENDOR if i % 2 else Respondent.PARTNER
            member = alpha.members["vendor_staff" if side == Respondent.VENDOR else "partner_admin"]
            made = Assessment.objects.create(
                partner=alpha.p1,
                questionnaire=questionnaire,
                respondent_side=side,
                respondent=member.user,
                domain_scores={q.domain: 50.0 for q in questions},
                overall_score=Decimal("50.0"),
            )
            Answer.objects.bulk_create(Answer(assessment=made, question=q, score=3) for q in questions)


def _p1(world: World) -> int:
    return int(world.alpha.p1.pk)


LISTS: list[tuple[str, str, Callable[[World], str], Callable[[World, int], None], bool]] = [
    ("mdf_queue", "vendor_staff", lambda w: "/alpha/mdf/", add_mdf, False),
    ("mdf_queue htmx", "vendor_admin", lambda w: "/alpha/mdf/?status=&q=Request", add_mdf, True),
    ("portal_mdf", "partner_user", lambda w: "/alpha/portal/mdf/", add_mdf, False),
    ("partner_tab_market", "vendor_staff", lambda w: f"/alpha/partners/{_p1(w)}/market/", add_mdf, False),
    (
        "partner_tab_health",
        "vendor_staff",
        lambda w: f"/alpha/partners/{_p1(w)}/health/",
        add_assessments,
        False,
    ),
    ("portal_health", "partner_admin", lambda w: "/alpha/portal/health/", add_assessments, False),
    (
        "api_mdf_request_list",
        "vendor_staff",
        lambda w: "/api/v1/alpha/mdf-requests/?page_size=500",
        add_mdf,
        False,
    ),
    (
        "api_campaign_list",
        "partner_admin",
        lambda w: "/api/v1/alpha/campaigns/?page_size=500",
        add_mdf,
        False,
    ),
    (
        "api_assessment_list",
        "vendor_admin",
        lambda w: "/api/v1/alpha/assessments/?page_size=500",
        add_assessments,
        False,
    ),
]


@pytest.mark.parametrize(("name", "role", "url", "add", "hx"), LISTS, ids=[row[0] for row in LISTS])
def test_list_query_count_does_not_grow_with_rows(
    world: World,
    name: str,
    role: str,
    url: Callable[[World], str],
    add: Callable[[World, int], None],
    hx: bool,
) -> None:
    assert_flat_query_count(world, name=name, role=role, url=url(world), add_rows=add, hx=hx)

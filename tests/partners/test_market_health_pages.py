"""Health pages: the partner's health tab (side by side, chart data, history), the assessment form, the
portal self-assessment and the vendor admin's questionnaire configuration."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from partners.models import Assessment, Question, Questionnaire, Respondent
from partners.services_health import assessment_submit, question_add
from prm.tenancy import tenant_context
from tests.conftest import World, unscoped
from tests.partners.test_market_pages import _scripts_are_external_or_data
from tests.test_pages import _field_errors

D = Decimal


def setup_questions(world: World) -> list[Question]:
    with tenant_context(world.alpha.tenant):
        admin = world.alpha.members["vendor_admin"]
        return [
            question_add(actor=admin, domain="Capability", text="Certified engineers", weight=1),
            question_add(actor=admin, domain="Capability", text="On-time go-lives", weight=3),
            question_add(actor=admin, domain="Engagement", text="Joins reviews", weight=2),
        ]


def submit(world: World, role: str, scores: list[int], *, partner: str = "p1") -> Assessment:
    alpha = world.alpha
    with tenant_context(alpha.tenant):
        questions = list(Question.objects.filter(questionnaire__is_active=True).order_by("position"))
        members = alpha.members if partner == "p1" else alpha.p2_members
        return assessment_submit(
            actor=members[role],
            partner=getattr(alpha, partner),
            answers={q.pk: s for q, s in zip(questions, scores, strict=True)},
        )


def form_data(questions: list[Question], scores: list[str]) -> dict[str, Any]:
    return {"question": [q.pk for q in questions], "score": scores}


def chart_data(body: str) -> dict[str, Any]:
    found = re.search(r'<script id="health-chart-data" type="application/json">(.*?)</script>', body, re.S)
    assert found, "the chart data travels in a json_script element"
    return dict(json.loads(found.group(1)))


# --- the vendor's health tab ----------------------------------------------------------------------


def test_health_tab_shows_both_sides_side_by_side(world: World) -> None:
    setup_questions(world)
    submit(world, "vendor_staff", [5, 1, 4])  # Capability 25.0, Engagement 75.0
    submit(world, "partner_user", [5, 5, 5])  # Capability 100.0, Engagement 100.0
    client = world.client("vendor_staff")
    body = client.get(f"/alpha/partners/{world.alpha.p1.pk}/health/").content.decode()
    rows = re.findall(
        r'<tr><td>(Capability|Engagement)</td>\s*<td class="num">([\d.]+)</td>'
        r'\s*<td class="num">([\d.]+)</td>',
        body,
    )
    assert rows == [("Capability", "25.0", "100.0"), ("Engagement", "75.0", "100.0")]
    data = chart_data(body)
    assert data["domains"] == ["Capability", "Engagement"]
    assert data["vendor"] == [25.0, 75.0] and data["partner"] == [100.0, 100.0]
    assert "health_chart.js" in body and "chart.umd.min.js" in body
    assert _scripts_are_external_or_data(body)


def test_health_tab_htmx_partial_and_history_pager(world: World) -> None:
    setup_questions(world)
    for _ in range(12):
        submit(world, "vendor_staff", [3, 3, 3])
    client = world.client("vendor_admin")
    url = f"/alpha/partners/{world.alpha.p1.pk}/health/"
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="tab-health"') and "partner-header" not in fragment
    assert "Page 1 of 2" in fragment
    history = client.get(f"{url}?page=2", headers={"HX-Request": "true", "HX-Target": "health-history"})
    assert history.content.decode().lstrip().startswith('<div class="card" id="health-history"')
    assert "Page 2 of 2" in history.content.decode()


def test_health_tab_without_questionnaire_or_assessments(world: World) -> None:
    body = world.client("vendor_admin").get(f"/alpha/partners/{world.alpha.p1.pk}/health/").content.decode()
    assert "There is no health questionnaire yet" in body and "No assessments yet" in body
    assert "/alpha/config/health/" in body


def test_assess_form_marks_each_unanswered_question(world: World) -> None:
    questions = setup_questions(world)
    url = f"/alpha/partners/{world.alpha.p1.pk}/health/assess/"
    client = world.client("vendor_staff")
    response = client.post(url, form_data(questions, ["4", "", "9"]))
    body = response.content.decode()
    assert response.status_code == 400
    assert body.count('class="form-row has-error"') == 2
    assert "Answer this question with a score from 1 to 5." in body and "Scores run from 1" in body
    assert re.search(rf'id="score-{questions[0].pk}"[^>]*>.*?<option value="4" selected>', body, re.S)
    assert not unscoped(Assessment).exists()
    done = client.post(url, form_data(questions, ["5", "1", "4"]))
    assert done.status_code == 302 and done["Location"] == f"/alpha/partners/{world.alpha.p1.pk}/health/"
    stored = unscoped(Assessment).get()
    assert stored.respondent_side == Respondent.VENDOR and stored.overall_score == D("41.7")


def test_assess_form_refuses_a_damaged_post(world: World) -> None:
    questions = setup_questions(world)
    response = world.client("vendor_staff").post(
        f"/alpha/partners/{world.alpha.p1.pk}/health/assess/",
        {"question": [q.pk for q in questions], "score": ["3"]},
    )
    assert response.status_code == 400 and "incomplete" in response.content.decode()
    assert not unscoped(Assessment).exists()


def test_assessment_detail_lists_the_answers(world: World) -> None:
    setup_questions(world)
    assessment = submit(world, "vendor_staff", [5, 1, 4])
    body = world.client("vendor_admin").get(f"/alpha/assessments/{assessment.pk}/").content.decode()
    assert "On-time go-lives" in body and "1 / 5" in body and "41.7" in body


# --- portal ---------------------------------------------------------------------------------------


def test_portal_self_assessment_and_the_vendors_view(world: World) -> None:
    questions = setup_questions(world)
    submit(world, "vendor_staff", [1, 1, 1])
    client = world.client("partner_user")
    response = client.post("/alpha/portal/health/", form_data(questions, ["5", "5", "3"]))
    assert response.status_code == 302
    mine = unscoped(Assessment).get(respondent_side=Respondent.PARTNER)
    assert (
        mine.partner_id == world.alpha.p1.pk and mine.respondent == world.alpha.members["partner_user"].user
    )
    body = client.get("/alpha/portal/health/").content.decode()
    data = chart_data(body)
    assert data["vendor"] == [0.0, 0.0] and data["partner"] == [100.0, 50.0]
    assert "Vendor&#x27;s view" in body or "Vendor's view" in body
    assert f"/alpha/portal/health/{mine.pk}/" in body


def test_portal_never_shows_another_partners_assessments(world: World) -> None:
    setup_questions(world)
    theirs = submit(world, "partner_admin", [2, 2, 2], partner="p2")
    client = world.client("partner_admin")
    body = client.get("/alpha/portal/health/").content.decode()
    assert "No self-assessments yet" in body and f"/alpha/portal/health/{theirs.pk}/" not in body
    assert client.get(f"/alpha/portal/health/{theirs.pk}/").status_code == 404


def test_portal_cannot_open_the_vendors_answers(world: World) -> None:
    setup_questions(world)
    vendor = submit(world, "vendor_staff", [2, 2, 2])
    assert world.client("partner_admin").get(f"/alpha/portal/health/{vendor.pk}/").status_code == 404


def test_portal_missing_answer_is_marked(world: World) -> None:
    questions = setup_questions(world)
    response = world.client("partner_admin").post(
        "/alpha/portal/health/", form_data(questions, ["5", "", "3"])
    )
    assert response.status_code == 400 and response.content.decode().count("has-error") == 1
    assert not unscoped(Assessment).exists()


# --- configuration --------------------------------------------------------------------------------


def test_config_groups_questions_by_domain(world: World) -> None:
    setup_questions(world)
    body = world.client("vendor_admin").get("/alpha/config/health/").content.decode()
    assert (
        body.index("<h2>Capability</h2>") < body.index("On-time go-lives") < body.index("<h2>Engagement</h2>")
    )
    assert '<datalist id="health-domains">' in body and "Investment and planning" in body


def test_config_standard_questionnaire_then_refused_twice(world: World) -> None:
    client = world.client("vendor_admin")
    assert client.post("/alpha/config/health/standard/").status_code == 302
    assert unscoped(Question).count() >= 8
    again = client.post("/alpha/config/health/standard/")
    assert again.status_code == 400 and "exists already" in again.content.decode()
    assert unscoped(Questionnaire).count() == 1


def test_config_add_question_errors_in_place(world: World) -> None:
    client = world.client("vendor_admin")
    response = client.post("/alpha/config/health/", {"domain": "", "text": "Joins reviews", "weight": "11"})
    assert response.status_code == 400
    errors = _field_errors(response)
    assert errors["domain"] and errors["weight"] and errors["text"] == []
    assert not unscoped(Question).exists()


def test_answered_question_delete_is_refused_with_the_reason(world: World) -> None:
    questions = setup_questions(world)
    submit(world, "vendor_staff", [3, 3, 3])
    response = world.client("vendor_admin").post(f"/alpha/config/health/questions/{questions[0].pk}/delete/")
    assert response.status_code == 400 and "new questionnaire version" in response.content.decode()
    assert unscoped(Question).filter(pk=questions[0].pk).exists()


def test_new_version_page_flow(world: World) -> None:
    setup_questions(world)
    client = world.client("vendor_admin")
    refused = client.post("/alpha/config/health/new-version/", {"name": ""})
    assert refused.status_code == 400
    assert client.post("/alpha/config/health/new-version/", {"name": "Health 2027"}).status_code == 302
    assert unscoped(Questionnaire).get(is_active=True).name == "Health 2027"

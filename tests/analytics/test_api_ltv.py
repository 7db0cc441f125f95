"""LTV API: partner rows (shape, filters, 400s, ordering, partner isolation), runs (vendor-only
reads, vendor-admin refit requests that join an active run, Idempotency-Key), flat query counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from analytics.models import LtvRun, PartnerLtv, RunStatus
from partners.models import Partner, PartnerType
from prm.tenancy import tenant_context
from tests.analytics.factories import make_partner_ltv, make_run
from tests.conftest import P2_MARKER, World, unscoped
from tests.test_query_counts import assert_flat_query_count

pytestmark = pytest.mark.django_db

API = "/api/v1/alpha"
PARTNER_KEYS = {
    "partner",
    "partner_name",
    "ltv",
    "ltv_low",
    "ltv_high",
    "realised",
    "predicted",
    "future",
    "costs",
    "acquisition_costs",
    "by_stream",
    "by_kind",
    "costs_by_kind",
    "customers",
    "ltv_cac",
    "payback_months",
    "nrr",
    "grr",
    "customer_churn",
    "churn_risk",
    "churn_reasons",
    "models_used",
    "valued_from",
    "as_of",
    "computed_at",
}
RUN_KEYS = {
    "id",
    "kind",
    "trigger",
    "status",
    "progress",
    "step",
    "as_of",
    "created_at",
    "started_at",
    "finished_at",
    "duration_seconds",
    "timings",
    "segments",
    "partners_computed",
    "customers_scored",
    "error",
}


def post(client: Client, url: str, data: dict[str, Any] | None = None, *, key: str = "") -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, json.dumps(data or {}), content_type="application/json", headers=headers)


def rows(world: World, **p1_fields: Any) -> tuple[PartnerLtv, PartnerLtv]:
    """LTV rows of P1 (as given) and P2 (smaller, riskier, with P2's marker in its reasons)."""
    with tenant_context(world.alpha.tenant):
        p1 = make_partner_ltv(partner=world.alpha.p1, run=make_run(), **p1_fields)
        p2 = make_partner_ltv(
            partner=world.alpha.p2,
            ltv=Decimal("40000.00"),
            ltv_low=Decimal("20000.00"),
            ltv_high=Decimal("65000.00"),
            churn_risk=0.7,
            ltv_cac=2.5,
            churn_reasons=[{"code": "no_recent_deal", "text": f"Quiet {P2_MARKER}", "weight": 0.3}],
        )
    return p1, p2


# --- partner rows -----------------------------------------------------------------------------------


def test_partner_row_has_every_key_with_money_as_strings(world: World) -> None:
    rows(world)
    response = world.client("vendor_staff").get(f"{API}/ltv/partners/{world.alpha.p1.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == PARTNER_KEYS
    assert body["partner"] == world.alpha.p1.pk and body["partner_name"] == world.alpha.p1.name
    assert (body["ltv"], body["ltv_low"], body["ltv_high"]) == ("125000.00", "98000.00", "161000.00")
    assert (body["realised"], body["predicted"], body["future"], body["costs"]) == (
        "80000.00",
        "40000.00",
        "15000.00",
        "10000.00",
    )
    assert body["by_stream"]["new"] == {"realised": "50000.00", "predicted": "10000.00"}
    assert body["by_kind"]["influenced"] == {"realised": "10000.00", "predicted": "5000.00"}
    assert body["costs_by_kind"] == {"support": "3000.00", "mdf": "2000.00", "acquisition": "5000.00"}
    assert body["ltv_cac"] == 25.0 and body["payback_months"] == 7.0
    assert (body["nrr"], body["grr"], body["customer_churn"], body["churn_risk"]) == (1.08, 0.91, 0.12, 0.35)
    assert body["churn_reasons"][0] == {
        "code": "no_recent_deal",
        "text": "No deal registered in 140 days",
        "weight": 0.25,
    }
    assert body["models_used"] == [
        {"population": "transactional", "segment": "pooled", "model": "bgnbd", "pooled": True}
    ]
    assert body["valued_from"] == "2024-01-01" and body["as_of"] == "2026-11-30" and body["computed_at"]


def test_list_is_paginated_and_ordered_by_ltv_by_default(world: World) -> None:
    rows(world)
    body = world.client("vendor_admin").get(f"{API}/ltv/partners/").json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == 2
    assert [row["partner"] for row in body["results"]] == [world.alpha.p1.pk, world.alpha.p2.pk]
    assert set(body["results"][0]) == PARTNER_KEYS


@pytest.mark.parametrize(
    ("ordering", "first"),
    [("ltv", "p2"), ("-ltv", "p1"), ("churn_risk", "p1"), ("-churn_risk", "p2"), ("ltv_cac", "p2")],
)
def test_ordering(world: World, ordering: str, first: str) -> None:
    rows(world)
    body = world.client("vendor_staff").get(f"{API}/ltv/partners/?ordering={ordering}").json()
    assert body["results"][0]["partner"] == getattr(world.alpha, first).pk


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("partner={p1}", ["p1"]),
        ("partner_type=referral", ["p2"]),
        ("min_ltv=50000", ["p1"]),
        ("min_ltv=40000.00", ["p1", "p2"]),
        ("churn_risk_min=0.5", ["p2"]),
        ("churn_risk_min=0.9", []),
        ("q=Partner One", ["p1"]),
    ],
)
def test_filters(world: World, query: str, expected: list[str]) -> None:
    rows(world)
    url = f"{API}/ltv/partners/?" + query.format(p1=world.alpha.p1.pk)
    body = world.client("vendor_staff").get(url).json()
    assert [row["partner"] for row in body["results"]] == [getattr(world.alpha, p).pk for p in expected]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("partner=abc", "partner"),
        ("partner_type=distributor-ish", "partner_type"),
        ("min_ltv=lots", "min_ltv"),
        ("min_ltv=NaN", "min_ltv"),
        ("churn_risk_min=high", "churn_risk_min"),
        ("churn_risk_min=1.5", "churn_risk_min"),
    ],
)
def test_malformed_filters_answer_400_naming_the_parameter(world: World, query: str, param: str) -> None:
    response = world.client("vendor_staff").get(f"{API}/ltv/partners/?{query}")
    assert response.status_code == 400 and list(response.json()) == [param]


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_see_only_their_own_row(world: World, role: str) -> None:
    rows(world)
    client = world.client(role)
    listed = client.get(f"{API}/ltv/partners/")
    assert [row["partner"] for row in listed.json()["results"]] == [world.alpha.p1.pk]
    assert P2_MARKER not in listed.content.decode()
    asked_for_p2 = client.get(f"{API}/ltv/partners/?partner={world.alpha.p2.pk}&ordering=-churn_risk")
    assert asked_for_p2.json()["count"] == 0
    assert client.get(f"{API}/ltv/partners/{world.alpha.p1.pk}/").status_code == 200
    other = client.get(f"{API}/ltv/partners/{world.alpha.p2.pk}/")
    assert other.status_code == 404 and P2_MARKER not in other.content.decode()


def test_detail_is_404_before_the_first_computation_and_for_other_tenants(world: World) -> None:
    client = world.client("vendor_admin")
    assert client.get(f"{API}/ltv/partners/{world.alpha.p1.pk}/").status_code == 404
    with tenant_context(world.bravo.tenant):
        make_partner_ltv(partner=world.bravo.p1)
    assert client.get(f"{API}/ltv/partners/{world.bravo.p1.pk}/").status_code == 404
    assert client.get(f"{API}/ltv/partners/").json()["count"] == 0


def test_ltv_endpoints_are_read_only(world: World) -> None:
    rows(world)
    client = world.client("vendor_admin")
    assert post(client, f"{API}/ltv/partners/").status_code == 405
    detail = f"{API}/ltv/partners/{world.alpha.p1.pk}/"
    assert client.patch(detail, "{}", content_type="application/json").status_code == 405
    assert client.delete(detail).status_code == 405


# --- runs -------------------------------------------------------------------------------------------


def test_vendor_roles_list_runs_with_every_key(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        run = make_run()
    for role in ("vendor_admin", "vendor_staff"):
        body = world.client(role).get(f"{API}/ltv/runs/").json()
        assert [row["id"] for row in body["results"]] == [run.pk]
        row = body["results"][0]
        assert set(row) == RUN_KEYS
        assert (row["kind"], row["trigger"], row["status"], row["progress"]) == (
            "refit",
            "manual",
            "succeeded",
            100,
        )
        assert row["duration_seconds"] == pytest.approx(3.0, abs=0.01)
        assert row["timings"] == {"load": 0.5, "fit": 1.2, "score": 0.8, "store": 0.4}
        assert row["segments"][0]["model"] == "bgnbd" and row["segments"][0]["pooled"] is True
        assert row["segments"][0]["customers"] == 420 and row["partners_computed"] == 12
        detail = world.client(role).get(f"{API}/ltv/runs/{run.pk}/")
        assert detail.status_code == 200 and detail.json() == row


def test_run_filters(world: World) -> None:
    with tenant_context(world.alpha.tenant):
        make_run()
        failed = make_run(status=RunStatus.FAILED, error="numerical trouble")
    client = world.client("vendor_staff")
    body = client.get(f"{API}/ltv/runs/?status=failed").json()
    assert [row["id"] for row in body["results"]] == [failed.pk] and body["results"][0]["error"]
    bad = client.get(f"{API}/ltv/runs/?status=exploded")
    assert bad.status_code == 400 and list(bad.json()) == ["status"]


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_cannot_see_runs(world: World, role: str) -> None:
    with tenant_context(world.alpha.tenant):
        run = make_run()
    client = world.client(role)
    assert client.get(f"{API}/ltv/runs/").status_code == 403
    assert client.get(f"{API}/ltv/runs/{run.pk}/").status_code == 403
    assert post(client, f"{API}/ltv/runs/").status_code == 403
    assert unscoped(LtvRun).count() == 1


def test_vendor_admin_requests_a_refit_and_a_second_request_joins_it(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = world.client("vendor_admin")
    with (
        mock.patch("analytics.tasks.ltv_refit_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        created = post(client, f"{API}/ltv/runs/")
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == RUN_KEYS | {"joined_active_run"}
    assert body["joined_active_run"] is False and body["status"] == "queued" and body["trigger"] == "manual"
    delay.assert_called_once_with(tenant_id=world.alpha.tenant.pk, run_id=body["id"])
    with mock.patch("analytics.tasks.ltv_refit_task.delay") as again:
        joined = post(client, f"{API}/ltv/runs/")
    assert joined.status_code == 200 and joined.json()["id"] == body["id"]
    assert joined.json()["joined_active_run"] is True
    again.assert_not_called()
    assert unscoped(LtvRun).count() == 1


def test_vendor_staff_cannot_request_a_refit(world: World) -> None:
    with mock.patch("analytics.tasks.ltv_refit_task.delay") as delay:
        response = post(world.client("vendor_staff"), f"{API}/ltv/runs/")
    assert response.status_code == 403
    delay.assert_not_called()
    assert unscoped(LtvRun).count() == 0


def test_refit_request_replays_with_the_same_idempotency_key(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = world.client("vendor_admin")
    with (
        mock.patch("analytics.tasks.ltv_refit_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = post(client, f"{API}/ltv/runs/", key="refit-1")
        second = post(client, f"{API}/ltv/runs/", key="refit-1")
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert delay.call_count == 1
    other_body = post(client, f"{API}/ltv/runs/", {"as_of": "2026-01-01"}, key="refit-1")
    assert other_body.status_code == 422
    assert unscoped(LtvRun).count() == 1


def test_run_of_another_tenant_is_404(world: World) -> None:
    with tenant_context(world.bravo.tenant):
        run = make_run()
    assert world.client("vendor_admin").get(f"{API}/ltv/runs/{run.pk}/").status_code == 404
    assert world.client("vendor_admin").get(f"{API}/ltv/runs/").json()["count"] == 0


# --- query counts -----------------------------------------------------------------------------------


def add_ltv_rows(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        start = Partner.objects.count()
        for i in range(n):
            partner = Partner.objects.create(
                name=f"Bulk partner {start + i}", partner_type=PartnerType.RESELLER
            )
            make_partner_ltv(partner=partner, ltv=Decimal(1000 + start + i))


def add_runs(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        for _ in range(n):
            make_run(status=RunStatus.FAILED)


def test_partner_list_query_count_is_flat(world: World) -> None:
    url = f"{API}/ltv/partners/?page_size=200"
    assert_flat_query_count(
        world, name="api_ltv_partner_list", role="vendor_staff", url=url, add_rows=add_ltv_rows
    )


def test_run_list_query_count_is_flat(world: World) -> None:
    url = f"{API}/ltv/runs/?page_size=200"
    assert_flat_query_count(world, name="api_ltv_run_list", role="vendor_admin", url=url, add_rows=add_runs)

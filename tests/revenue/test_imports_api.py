"""The imports API: upload as multipart or JSON, 201 with the job (done, failed with its errors, or
pending for a large file), 400 for an unusable file, 409 for the same file again, Idempotency-Key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from revenue import services_imports
from revenue.models import Customer, ImportJob, ImportStatus
from tests.conftest import World, unscoped
from tests.revenue.test_imports_support import csv_bytes

pytestmark = pytest.mark.django_db
URL = "/api/v1/alpha/imports/"


@pytest.fixture
def api(world: World) -> Client:
    return world.client("vendor_admin")


def post_json(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json", headers=headers)


def test_a_multipart_upload_imports_and_answers_the_job(api: Client) -> None:
    data = csv_bytes([["name", "domain"], ["Initech", "initech.com"]])
    response = api.post(URL, {"kind": "customers", "file": SimpleUploadedFile("crm.csv", data, "text/csv")})
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["status"], job["progress"], job["total_rows"], job["imported_rows"]) == (
        "succeeded",
        100,
        1,
        1,
    )
    assert (
        job["file_name"] == "crm.csv"
        and job["errors"] == []
        and job["created_by"] == "vendor_admin@alpha.test"
    )
    assert unscoped(Customer).get().domain == "initech.com"
    detail = api.get(f"{URL}{job['id']}/").json()
    assert detail["status"] == "succeeded" and detail["sha256"] == job["sha256"]


def test_a_file_with_bad_rows_is_a_failed_job_listing_its_errors(api: Client) -> None:
    response = post_json(api, {"kind": "customers", "content": "name,country\nInitech,XX\n,US\n"})
    assert response.status_code == 201
    job = response.json()
    assert job["status"] == "failed" and job["error_count"] == 2
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(2, "country"), (3, "name")]
    assert not unscoped(Customer).exists()
    listed = api.get(f"{URL}?status=failed").json()
    assert listed["count"] == 1 and "errors" not in listed["results"][0]


def test_an_unusable_file_is_a_400_and_no_job(api: Client) -> None:
    response = post_json(api, {"kind": "customers", "content": "name;domain\nA;b.com\n"})
    assert response.status_code == 400
    assert "semicolons" in response.json()["file"][0]
    assert post_json(api, {"kind": "customers"}).status_code == 400
    assert post_json(api, {"kind": "deals", "content": "name\nA\n"}).status_code == 400
    assert not unscoped(ImportJob).exists()


def test_the_same_file_again_is_a_409_naming_the_first(api: Client) -> None:
    first = post_json(api, {"kind": "customers", "content": "name\nInitech\n", "file_name": "a.csv"}).json()
    again = post_json(api, {"kind": "customers", "content": "name\nInitech\n", "file_name": "b.csv"})
    assert again.status_code == 409
    assert again.json()["earlier_import"] == first["id"] and again.json()["earlier_status"] == "succeeded"
    assert unscoped(ImportJob).count() == 1


def test_an_idempotency_key_replays_the_answer(api: Client) -> None:
    body = {"kind": "customers", "content": "name\nInitech\n"}
    first = post_json(api, body, **{"Idempotency-Key": "import-1"})
    replay = post_json(api, body, **{"Idempotency-Key": "import-1"})
    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true" and replay.json()["id"] == first.json()["id"]
    assert unscoped(ImportJob).count() == 1 and unscoped(Customer).count() == 1


def test_a_large_file_is_pending_for_the_background(api: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services_imports, "SYNC_MAX_ROWS", 2)
    response = post_json(api, {"kind": "customers", "content": "name\nA\nB\nC\n"})
    assert response.status_code == 201
    job = response.json()
    assert (job["status"], job["progress"], job["total_rows"]) == ("pending", 0, 3)
    assert unscoped(ImportJob).get().status == ImportStatus.PENDING  # the task runs after commit


def test_partner_roles_and_other_tenants_see_no_imports(world: World, api: Client) -> None:
    job = post_json(api, {"kind": "customers", "content": "name\nInitech\n"}).json()
    assert world.client("partner_admin").get(URL).status_code == 403
    assert (
        world.client("vendor_admin", tenant="bravo").get(f"/api/v1/bravo/imports/{job['id']}/").status_code
        == 404
    )

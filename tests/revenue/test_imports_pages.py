"""The import pages: upload (file or pasted rows), an import's page with its progress bar and its
errors by row and column, the list with filters and export, the template files."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prm.tenancy import tenant_context
from revenue.models import Customer, ImportJob, ImportStatus
from tests.conftest import TenantWorld, World, unscoped
from tests.revenue.test_imports_support import csv_bytes, start
from tests.test_query_counts import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha(world: World) -> TenantWorld:
    return world.alpha


@pytest.fixture
def staff(world: World) -> Client:
    return world.client("vendor_staff")


def upload(client: Client, kind: str, data: bytes, name: str = "crm.csv") -> Any:
    return client.post(
        "/alpha/imports/new/", {"kind": kind, "file": SimpleUploadedFile(name, data, "text/csv")}
    )


def job_of(response: Any) -> ImportJob:
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    return unscoped(ImportJob).get(pk=pk)


def test_the_upload_page_explains_the_columns_and_offers_templates(staff: Client) -> None:
    body = staff.get("/alpha/imports/new/?kind=revenue").content.decode()
    assert "All or nothing" in body and 'enctype="multipart/form-data"' in body
    for kind in ("customers", "revenue", "attributions", "costs"):
        assert f"/alpha/imports/template/{kind}.csv" in body
    assert 'data-testid="columns-revenue" open' in body
    assert "customer_ref" in body and "contract_end" in body


def test_a_template_has_the_columns_and_an_example_row(staff: Client) -> None:
    response = staff.get("/alpha/imports/template/costs.csv")
    assert response["Content-Type"].startswith("text/csv")
    header, example = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == ["partner", "kind", "date", "amount", "description", "external_ref"]
    assert example[1] == "enablement"
    assert staff.get("/alpha/imports/template/deals.csv").status_code == 404


def test_a_clean_file_imports_and_its_page_shows_it_done(staff: Client) -> None:
    response = upload(
        staff, "customers", csv_bytes([["name", "domain"], ["Initech", "initech.com"], ["Globex", ""]])
    )
    assert response.status_code == 302
    job = job_of(response)
    assert job.status == ImportStatus.SUCCEEDED and unscoped(Customer).count() == 2
    page = staff.get(response["Location"])
    body = page.content.decode()
    assert "Imported 2 rows from crm.csv" in body  # the message after the redirect
    assert 'data-testid="import-percent">100%' in body
    assert "hx-trigger" not in body.split('data-testid="import-job"')[1].split(">")[0]


def test_a_bad_file_imports_nothing_and_its_page_lists_every_error(staff: Client) -> None:
    data = csv_bytes(
        [["name", "domain", "country"], ["Initech", "not a domain", "US"], ["", "globex.com", "XX"]]
    )
    response = upload(staff, "customers", data)
    job = job_of(response)
    assert job.status == ImportStatus.FAILED and not unscoped(Customer).exists()
    body = staff.get(response["Location"]).content.decode()
    assert "not imported" in body and "Nothing of this file was imported" in body
    table = body.split('data-testid="import-errors"')[1]
    for row, column in (("2", "domain"), ("3", "name"), ("3", "country")):
        assert f'<td class="num">{row}</td><td class="mono">{column}</td>' in table
    exported = staff.get(f"/alpha/imports/{job.pk}/errors.csv").content.decode()
    assert list(csv.reader(io.StringIO(exported)))[0:2] == [
        ["row", "column", "message"],
        ["2", "domain", "“not a domain” is not a website domain; write it like example.com."],
    ]


def test_pasted_rows_import_like_a_file(staff: Client) -> None:
    response = staff.post("/alpha/imports/new/", {"kind": "customers", "pasted": "name\r\nInitech\r\nGlobex"})
    assert response.status_code == 302
    assert job_of(response).file_name == "pasted.csv"
    assert unscoped(Customer).count() == 2


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"kind": "customers"}, "Choose a CSV file, or paste its rows below."),
        ({"pasted": "name\nA"}, "Choose what the file holds."),
        (
            {"kind": "customers", "file": SimpleUploadedFile("x.csv", "name\nCafé\n".encode("latin-1"))},
            "not UTF-8",
        ),
        (
            {"kind": "customers", "file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04\x00\x00binary")},
            "not a CSV",
        ),
    ],
    ids=["no-file", "no-kind", "latin-1", "xlsx"],
)
def test_unusable_uploads_are_form_errors(staff: Client, post: dict[str, Any], message: str) -> None:
    response = staff.post("/alpha/imports/new/", post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not unscoped(ImportJob).exists()


def test_the_same_file_twice_is_refused_with_a_link_to_the_first(staff: Client) -> None:
    data = csv_bytes([["name"], ["Initech"]])
    first = job_of(upload(staff, "customers", data))
    again = upload(staff, "customers", data, name="copy.csv")
    assert again.status_code == 400
    body = again.content.decode()
    assert "This file was already imported" in body
    assert f'href="/alpha/imports/{first.pk}/"' in body
    assert unscoped(ImportJob).count() == 1


def test_a_running_import_polls_its_progress_until_done(alpha: TenantWorld, staff: Client) -> None:
    with tenant_context(alpha.tenant):
        job = ImportJob.objects.create(
            kind="revenue",
            file_name="big.csv",
            sha256="a" * 64,
            content="",
            total_rows=10_000,
            processed_rows=10_000,
            imported_rows=5_000,
            status=ImportStatus.RUNNING,
        )
    body = staff.get(f"/alpha/imports/{job.pk}/").content.decode()
    assert f'hx-get="/alpha/imports/{job.pk}/progress/" hx-trigger="every 1s"' in body
    assert "Writing rows: 5,000 of 10,000" in body and 'data-testid="import-percent">75%' in body
    assert f'href="/alpha/imports/{job.pk}/"' in body  # a plain link for browsers without htmx
    fragment = staff.get(f"/alpha/imports/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and 'hx-trigger="every 1s"' in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"] and fragment["Cache-Control"] == "no-store"
    with tenant_context(alpha.tenant):
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.SUCCEEDED, imported_rows=10_000)
    done = staff.get(f"/alpha/imports/{job.pk}/progress/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "100%" in done and "Imported 10,000 rows" in done
    assert "<html" in staff.get(f"/alpha/imports/{job.pk}/progress/").content.decode()  # opened directly


def test_errors_page_through(alpha: TenantWorld, staff: Client) -> None:
    rows: list[list[Any]] = [["name", "country"]] + [[f"Company {i}", "XX"] for i in range(120)]
    job = start(alpha, "customers", rows)
    page_two = staff.get(f"/alpha/imports/{job.pk}/?page=2", headers={"HX-Request": "true"}).content.decode()
    assert "Page 2 of 3" in page_two and '<td class="num">52</td>' in page_two
    assert '<td class="num">51</td>' not in page_two


def test_the_list_filters_and_exports(alpha: TenantWorld, staff: Client) -> None:
    start(alpha, "customers", [["name"], ["Initech"]], name="good.csv")
    start(alpha, "customers", [["name", "country"], ["Globex", "XX"]], name="bad.csv")
    body = staff.get("/alpha/imports/?status=failed").content.decode()
    assert "bad.csv" in body and "good.csv" not in body
    assert 'href="/alpha/imports/export/?status=failed"' in body
    exported = staff.get("/alpha/imports/export/?status=failed").content.decode()
    lines = list(csv.reader(io.StringIO(exported)))
    assert lines[0][:4] == ["id", "kind", "file_name", "status"] and len(lines) == 2
    assert lines[1][2:4] == ["bad.csv", "failed"]
    fragment = staff.get("/alpha/imports/?q=good", headers={"HX-Request": "true"}).content.decode()
    assert "good.csv" in fragment and "<html" not in fragment


def add_jobs(world: World, n: int) -> None:
    with tenant_context(world.alpha.tenant):
        user = world.alpha.members["vendor_staff"].user
        first = ImportJob.objects.count()
        errors = [{"row": 2, "column": "a", "message": "b"}] * 50
        ImportJob.objects.bulk_create(
            ImportJob(
                kind="costs",
                file_name=f"f{first + i}.csv",
                sha256=f"{first + i:064d}",
                content="x" * 1000,
                errors=errors,
                created_by=user,
                status="failed",
            )
            for i in range(n)
        )


@pytest.mark.parametrize(
    ("name", "url"),
    [("import_list", "/alpha/imports/"), ("api_import_list", "/api/v1/alpha/imports/?page_size=500")],
)
def test_query_count_does_not_grow_with_imports(world: World, name: str, url: str) -> None:
    assert_flat_query_count(world, name=name, role="vendor_staff", url=url, add_rows=add_jobs)

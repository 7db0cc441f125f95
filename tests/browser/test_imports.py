"""CSV imports in a real browser on the demo data: a file with bad rows imports nothing and lists its
errors by row and column; a clean file, large enough for the background, shows its progress bar
filling (polled with htmx) until it is done and its rows exist. Screenshots: imports-errors.png,
imports-done.png."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from prm.tenancy import platform_context
from revenue import services_imports
from revenue.models import Customer, ImportStatus
from tests.browser.conftest import BrowserErrors, log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

BAD = b"name,domain,country\nUmbrella Imports,not a domain,US\n,umbrella-two.example,XX\n"


def good_file(rows: int) -> bytes:
    lines = ["name,domain,country,external_ref"]
    lines += [f"Imported Company {i},imported-{i}.example,DE,IMP-{i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def choose_and_upload(page: Page, name: str, data: bytes) -> None:
    page.locator("input[name=kind][value=customers]").check()
    page.locator("input[name=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_role("button", name="Check and import").click()


def slow_worker(*, tenant_id: int, import_job_id: int) -> None:
    """A worker that picks the job up a little later, in another thread (its own connection), so the
    page shows the job waiting and running before it is done, as with a real Celery worker."""
    from revenue.tasks import import_run_task

    def work() -> None:
        time.sleep(1.5)
        try:
            import_run_task.apply(kwargs={"tenant_id": tenant_id, "import_job_id": import_job_id})
        finally:
            connection.close()

    threading.Thread(target=work, daemon=True).start()


def test_bad_file_shows_every_error_and_good_file_fills_the_progress_bar(
    page: Page,
    live_server: LiveServer,
    demo_world: None,
    screenshot_dir: Path,
    browser_errors: BrowserErrors,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log_in(page, live_server, "staff@acme.example")
    page.goto(f"{live_server.url}/acme/imports/new/")
    expect(page.locator("[data-testid=columns-customers]")).to_contain_text("external_ref")

    choose_and_upload(page, "crm-export.csv", BAD)
    expect(page).to_have_url(re.compile(r".*/acme/imports/\d+/$"))
    expect(page.locator("[data-testid=import-status]")).to_have_text("Failed, nothing imported")
    errors = page.locator("[data-testid=import-errors] tbody tr")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_contain_text("domain")
    expect(errors.nth(1)).to_contain_text("name")
    expect(errors.nth(2)).to_contain_text("country")
    page.screenshot(path=screenshot_dir / "imports-errors.png", full_page=True)

    monkeypatch.setattr(services_imports, "SYNC_MAX_ROWS", 100)
    monkeypatch.setattr(services_imports, "_enqueue", slow_worker)
    page.goto(f"{live_server.url}/acme/imports/new/")
    choose_and_upload(page, "crm-customers.csv", good_file(400))
    expect(page.locator("[data-testid=import-phase]")).to_contain_text("Waiting")
    expect(page.locator("[data-testid=import-percent]")).to_have_text("100%", timeout=20_000)
    expect(page.locator("[data-testid=import-status]")).to_have_text("Imported")
    expect(page.locator("[data-testid=import-phase]")).to_have_text("Imported 400 rows")
    page.screenshot(path=screenshot_dir / "imports-done.png", full_page=True)
    with platform_context():
        assert Customer.unscoped.filter(external_ref__startswith="IMP-").count() == 400

    page.goto(f"{live_server.url}/acme/imports/")
    rows = page.locator("[data-testid=import-table] tbody tr")
    expect(rows.first).to_contain_text("crm-customers.csv")
    expect(rows.nth(1)).to_contain_text("crm-export.csv")
    assert ImportStatus.SUCCEEDED.label == "Imported"
    browser_errors.assert_none()

"""Browser fixtures: one Debian Chromium per test module, a fresh context and page per test.

Every page records console errors and uncaught exceptions; a test that leaves any behind fails,
because that is where Content-Security-Policy violations and missing static files show up.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
# Generous enough for a cold Chromium on a loaded CI runner, short enough to fail fast on a hang.
TIMEOUT_MS = 15_000


@dataclass
class BrowserErrors:
    """What the page reported as broken: console errors (CSP violations, failed loads) and uncaught
    exceptions. `expected` lets one step tolerate a known message (a deliberate 400 response)."""

    messages: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        text = f"console.error: {message.text} (at {url or '?'})"
        if any(fragment in text for fragment in self.expected):
            return
        self.messages.append(text)

    def on_pageerror(self, error: Error) -> None:
        self.messages.append(f"pageerror: {error.name}: {error.message}")

    def assert_none(self) -> None:
        # Cleared before raising, so the page fixture's teardown does not report them a second time.
        reported, self.messages = self.messages, []
        assert not reported, "The browser reported errors:\n" + "\n".join(reported)


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    # CI sets PRM_REQUIRE_BROWSER=1 so that a runner without Chromium fails instead of passing green.
    if os.environ.get("PRM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"PRM_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


# Module scope, not session: while Playwright runs, any later test in the session would see its loop.
@pytest.fixture(scope="module")
def playwright_session() -> Iterator[Playwright]:
    _chromium_or_skip()
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio loop running in the main thread, and Django refuses
        # ORM calls (seeding, flushing) from such a thread; our code is synchronous, so the guard is
        # noise here. Set only while Playwright runs: a process-wide setting would leak into other
        # tests' subprocesses and fail `check --deploy` (async.E001) in tests/test_settings.py.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            yield playwright


@pytest.fixture(scope="module")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def page(browser: Browser, browser_errors: BrowserErrors) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", browser_errors.on_console)
    page.on("pageerror", browser_errors.on_pageerror)
    yield page
    context.close()
    # Tests check at the end themselves; this catches errors from a test that failed earlier or
    # forgot, so nothing the browser complained about goes unseen.
    if browser_errors.messages:
        pytest.fail("The browser reported errors:\n" + "\n".join(browser_errors.messages), pytrace=False)


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


DEMO_PASSWORD = "demo-pass-2026"


@pytest.fixture
def demo_world() -> None:
    """The seeded demo is the world of the browser tests, so screenshots show realistic pages."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


def log_in(page: Page, live_server: Any, email: str) -> None:
    """Log in through the real form with the demo password."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Wait for the redirect, so a following goto cannot cut the login POST short.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

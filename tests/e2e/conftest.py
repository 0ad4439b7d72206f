"""Browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's live server.

Playwright's own browser download is not used: we launch ``/usr/bin/chromium`` (``CHROMIUM`` overrides it),
headless with ``--no-sandbox``. Without Chromium or the playwright package the tests skip with a reason, and
fail instead when REQUIRE_SERVICES=1 (as in CI). A failing journey leaves a full-page screenshot of every
page it opened in ``test-artifacts/``.
"""

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import services_required

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _missing(reason: str) -> None:
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if os.path.exists(candidate) else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        _missing("needs Chromium: apt-get install chromium (or set CHROMIUM=/path/to/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("needs the playwright package: pip install -e '.[dev]'")
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses ORM calls from a
    # thread with a running loop. Allow them while the browser is up (only during these tests).
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
            yield chromium
            chromium.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def open_page(
    browser: Any, live_server: Any, request: pytest.FixtureRequest, settings: Any
) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (its own cookies): one per user in a journey."""
    settings.SITE_URL = live_server.url  # links that leave the site (calendar address, mails) lead back here
    contexts: list[Any] = []
    pages: list[Any] = []

    def make(locale: str = "nl-NL") -> Any:
        ctx = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            timezone_id="Europe/Amsterdam",
            accept_downloads=True,
            bypass_csp=True,  # axe-core is injected as an inline script; the app itself keeps its CSP
        )
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        new = ctx.new_page()
        pages.append(new)
        return new

    yield make

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
        for i, failed_page in enumerate(pages):
            suffix = f"-{i + 1}" if len(pages) > 1 else ""
            # A screenshot must never hide the real failure.
            with contextlib.suppress(Exception):
                failed_page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(open_page: Callable[..., Any]) -> Any:
    return open_page()

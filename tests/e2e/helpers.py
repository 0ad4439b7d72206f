"""Small helpers for the browser journeys: log in, run axe-core, keyboard use."""

import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.support import services_required

HERE = Path(__file__).resolve().parent
AXE_VERSION = "4.14.1"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "pw-for-tests-123"  # tests/factories.make_user's default


def login(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


@cache
def axe_source() -> str:
    """axe-core from the npm registry, installed once into tests/e2e/node_modules (git-ignored)."""
    if not AXE.exists():
        try:
            subprocess.run(
                [
                    "npm",
                    "install",
                    "--no-save",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                    str(HERE),
                    f"axe-core@{AXE_VERSION}",
                ],
                check=True,
                capture_output=True,
                timeout=180,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            reason = f"needs axe-core from npm (npm install axe-core@{AXE_VERSION} failed: {exc})"
            if services_required():
                pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
            pytest.skip(reason)
    return AXE.read_text()


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A/AA rules and best practices) on the current page; return the violations
    of the given impacts, each with the offending nodes' selectors for a readable failure message."""
    page.add_script_tag(content=axe_source())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary).slice(0, 5),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    details = "\n".join(
        f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations
    )
    assert not violations, f"axe-core on {page.url}:\n{details}"


def press_until_focused(page: Any, selector: str, key: str = "Tab", limit: int = 80) -> None:
    """Tab through the page until the element matching ``selector`` has focus: keyboard-only navigation."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} was never reached with {key} in {limit} presses on {page.url}")


def member(role: str, organisation: Any, email: str, first_name: str = "") -> Any:
    """A verified user with one membership; logs in with PASSWORD."""
    from tests.factories import make_membership, make_user

    user = make_membership(role, organisation, make_user(email))
    if first_name:
        user.first_name = first_name
        user.save(update_fields=["first_name"])
    return user

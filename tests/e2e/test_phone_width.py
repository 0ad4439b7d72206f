"""Every page of every role works on a 375 px phone: nothing scrolls sideways.

The roles are the demo region's logins (one per role); the pages are what each role is offered: the entries of
the navigation registry (core/navigation.py) as the menu renders them, the links on the dashboard, and from
each of those pages one link per kind of detail page (the run review, a course, a case, ...). Tables may
scroll inside their own container; the page itself may not.
"""

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from accounts import demo
from tests.e2e.helpers import login

PHONE = {"width": 375, "height": 812}
# Not pages of ours to lay out, or not pages at all: Django's admin, the API browser, files and exports.
SKIP = re.compile(r"^/(admin|api|static|media)/|\.(json|csv|ics|pdf|png)$|/export/|/logout/|/reauthenticate/")
LINKS = """sel => [...document.querySelectorAll(sel)].map(a => a.getAttribute('href'))"""


def _local(href: str | None) -> str | None:
    if not href or href.startswith(("#", "mailto:", "tel:")):
        return None
    parts = urlsplit(href)
    if (
        parts.netloc
        and parts.netloc not in {"localhost", "127.0.0.1"}
        and not parts.netloc.startswith("localhost:")
    ):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if not path.startswith("/") or SKIP.search(parts.path) else path


def _kind(path: str) -> str:
    """One visit per kind of page: /matching/runs/12/ and /matching/runs/13/ are the same layout."""
    return re.sub(r"/\d+(?=/|$)", "/N", urlsplit(path).path)


def _links(page: Any, selector: str) -> list[str]:
    return [p for p in (_local(h) for h in page.evaluate(LINKS, selector)) if p]


def _overflow(page: Any, path: str) -> str | None:
    page.goto(path)  # dead links and refusals are the crawler's business (tests/security): width only here
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE["width"]:
        return None
    wide = page.evaluate(
        """limit => [...document.querySelectorAll('main *, header *')]
            .filter(el => el.getBoundingClientRect().right > limit + 0.5)
            .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > limit + 0.5))
            .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                + ' ' + el.textContent.trim().slice(0, 30))""",
        PHONE["width"],
    )
    return f"{path}: scrollWidth {width} ({', '.join(wide)})"


def _pages_of(page: Any) -> list[str]:
    page.goto("/dashboard/")
    first = _links(page, "nav.main-nav a") + _links(page, "main a")
    seen: dict[str, str] = {}
    for path in first:
        seen.setdefault(_kind(path), path)
    for path in list(dict.fromkeys(_links(page, "nav.main-nav a"))):
        page.goto(path)
        for deeper in _links(page, "main a"):
            seen.setdefault(_kind(deeper), deeper)
    return list(seen.values())


@pytest.fixture
def demo_region(transactional_db: None) -> list[tuple[str, str]]:
    call_command("seed_demo", verbosity=0)
    logins = demo.seed().logins  # idempotent: the logins of the region just seeded
    first_per_role = {role: email for role, email, _ in reversed(logins)}  # the first login of each role
    return list(reversed(first_per_role.items()))


def test_it_never_scrolls_sideways_on_a_phone_for_any_role(
    open_page: Any, demo_region: list[tuple[str, str]]
) -> None:
    problems: list[str] = []
    visited: list[str] = []
    for role, email in demo_region:
        page = open_page()
        page.set_viewport_size(PHONE)
        login(page, email, demo.DEMO_PASSWORD)
        for path in _pages_of(page):
            visited.append(_kind(path))
            if (problem := _overflow(page, path)) is not None:
                problems.append(f"{role}: {problem}")
        page.context.close()

    assert len(visited) > 40
    assert {"/courses/mine/", "/matching/runs/N/", "/caseloads/", "/courses/organise/"} <= set(visited)
    assert not problems, "\n".join(problems)


LABELS = "() => [...document.querySelectorAll('table.stack td[data-label]')].map(td => td.dataset.label)"
ROW_DISPLAY = "() => [...new Set([...document.querySelectorAll('table.stack tbody tr')].map(tr => getComputedStyle(tr).display))]"
CELLS_OFF_SCREEN = """limit => [...document.querySelectorAll('table.stack td, table.stack th[scope=row]')]
    .filter(el => el.getBoundingClientRect().right > limit + 0.5).map(el => el.textContent.trim().slice(0, 30))"""


def test_it_shows_status_actions_and_reasons_as_cards_on_a_phone(
    open_page: Any, demo_region: list[tuple[str, str]]
) -> None:
    teacher = open_page()
    teacher.set_viewport_size(PHONE)
    login(teacher, "leerkracht@overstap.demo", demo.DEMO_PASSWORD)
    teacher.goto("/courses/mine/")
    coordinator = open_page()
    coordinator.set_viewport_size(PHONE)
    login(coordinator, "maatjes@overstap.demo", demo.DEMO_PASSWORD)
    coordinator.goto("/matching/runs/")
    coordinator.locator("main table a[href^='/matching/runs/']").first.click()

    for page, labels in (
        (teacher, {"Datum", "Status"}),
        (coordinator, {"Maatje", "School", "Waarom", "Status"}),
    ):
        assert page.evaluate(CELLS_OFF_SCREEN, PHONE["width"]) == [], page.url
        assert set(page.evaluate(LABELS)) == labels
        assert page.evaluate(ROW_DISPLAY) == ["block"]

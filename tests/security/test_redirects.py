"""Open redirects: every view that reads ``next`` goes through core.redirects, which keeps the person on
this site. External, scheme-relative, javascript: and backslash addresses fall back to the view's own page."""

import ast
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.roles import Role
from core.redirects import is_safe, next_url
from tests.courses.factories import make_edition, make_enrolment, make_module, make_teacher
from tests.factories import make_membership

HOSTILE = [
    "https://evil.example/login",
    "http://evil.example",
    "//evil.example/",
    "///evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    " //evil.example",
    "data:text/html,<script>alert(1)</script>",
]
SAFE = ["/matching/matches/?status=proposed", "/courses/", "http://testserver/courses/"]


@pytest.mark.parametrize("url", HOSTILE)
def test_it_refuses_an_address_off_the_site(url):
    request = RequestFactory().post("/", {"next": url})

    assert is_safe(request, url) is False
    assert next_url(request, "courses:my_courses") == reverse("courses:my_courses")


@pytest.mark.parametrize("url", SAFE)
def test_it_keeps_an_address_on_the_site(url):
    request = RequestFactory().post("/", {"next": url})

    assert next_url(request, "courses:my_courses") == url


def test_it_reads_next_from_the_query_string_when_the_form_has_none():
    request = RequestFactory().get("/", {"next": "/courses/"})

    assert next_url(request, "dashboard") == "/courses/"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", HOSTILE)
def test_it_sends_the_matching_bulk_approval_home_instead_of_off_the_site(tree, url):
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.municipality_a1)

    response = _client(coordinator).post(reverse("matching:bulk_approve"), {"next": url})

    assert response.status_code == 302
    assert response["Location"] == reverse("matching:match_list")


def test_it_sends_the_matching_bulk_approval_back_to_the_page_on_the_site(tree):
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.municipality_a1)

    response = _client(coordinator).post(reverse("matching:bulk_approve"), {"next": SAFE[0]})

    assert response["Location"] == SAFE[0]


@pytest.mark.parametrize("url", HOSTILE)
def test_it_sends_a_cancelled_enrolment_home_instead_of_off_the_site(tree, url):
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(make_edition(make_module(tree.region_a)), teacher)

    response = _client(teacher).post(reverse("courses:cancel", args=[enrolment.pk]), {"next": url})

    assert response.status_code == 302
    assert response["Location"] == reverse("courses:my_courses")


def _reads_next(tree: ast.AST) -> bool:
    """``request.POST.get("next")``, ``request.GET["next"]`` and the like."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == "next":
            parent = getattr(node, "_parent", None)
            if isinstance(parent, ast.Call | ast.Subscript):
                return True
    return False


def test_it_leaves_reading_next_to_core_redirects_alone():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        if path.parts[len(root.parts)] in {".venv", "tests", "benchmarks"} or path.name == "redirects.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                child._parent = node  # type: ignore[attr-defined]
        if _reads_next(tree):
            offenders.append(str(path.relative_to(root)))

    assert offenders == []


@pytest.mark.parametrize("word", ["abc", "-1", "matching:match_list", "evil.example"])
def test_it_refuses_a_bare_word_that_is_no_path_from_the_root(rf, word):
    # Django would try to reverse "abc" as a URL name and fail with a server error (found by the crawler).
    from core.redirects import is_safe

    assert is_safe(rf.post("/", {"next": word}), word) is False

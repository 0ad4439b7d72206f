"""Logging in, switching language, and the accessibility of the pages everyone sees."""

import re

from playwright.sync_api import expect

from accounts.roles import Role
from tests.e2e.helpers import assert_accessible, login, member


def test_it_logs_a_teacher_in_and_shows_the_dashboard_in_dutch(page, tree) -> None:
    member(Role.TEACHER, tree.school_a, "teacher_a@example.test", "Lotte")

    login(page, "teacher_a@example.test")

    assert page.locator("html").get_attribute("lang") == "nl"
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Lotte")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()


def test_it_refuses_a_wrong_password_with_a_message(page, tree) -> None:
    member(Role.TEACHER, tree.school_a, "teacher_a@example.test")

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("teacher_a@example.test")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("form button[type=submit]").last.click()

    expect(page.get_by_text(re.compile("e-mailadres en/of wachtwoord is niet correct"))).to_be_visible()
    assert "/accounts/login/" in page.url


def test_it_switches_to_english_and_back(page, tree) -> None:
    member(Role.TEACHER, tree.school_a, "teacher_a@example.test", "Lotte")
    login(page, "teacher_a@example.test")

    page.get_by_role("button", name=re.compile("^EN")).click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Lotte")
    expect(page.get_by_role("button", name=re.compile("^EN"))).to_have_attribute("aria-current", "true")
    expect(
        page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))
    ).to_be_visible()

    page.get_by_role("button", name=re.compile("^NL")).click()

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Lotte")


def test_it_has_no_serious_accessibility_violations_on_the_public_pages(page, tree) -> None:
    for path in ("/", "/accounts/login/", "/accounts/password/reset/"):
        page.goto(path)
        assert_accessible(page)


def test_it_has_no_serious_accessibility_violations_on_the_dashboard_and_not_found_page(page, tree) -> None:
    member(Role.TEACHER, tree.school_a, "teacher_a@example.test")
    login(page, "teacher_a@example.test")

    assert_accessible(page)
    page.goto("/this-page-does-not-exist/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
    assert_accessible(page)

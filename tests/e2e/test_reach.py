"""Reach in the browser: a person of school A who opens school B's pupil by URL gets the not-found page,
with nothing of the pupil on it, while school A's own pupil opens normally."""

from playwright.sync_api import expect

from accounts.roles import Role
from tests.e2e.helpers import assert_accessible, login, member
from tests.matching.factories import make_pupil


def test_it_answers_not_found_for_a_pupil_of_another_school(open_page, tree) -> None:
    member(Role.SCHOOL_STAFF, tree.school_a, "ib_a@example.test")
    own = make_pupil(tree.school_a, first_name="Amira", last_initial="H")
    other = make_pupil(tree.school_b, first_name="Yusuf", last_initial="K")
    page = open_page()
    login(page, "ib_a@example.test")

    page.goto(f"/matching/pupils/{own.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amira")

    response = page.goto(f"/matching/pupils/{other.pk}/")

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
    expect(page.locator("main")).not_to_contain_text("Yusuf")
    assert_accessible(page)


def test_it_answers_not_found_for_a_neighbouring_school_in_the_same_municipality(open_page, tree) -> None:
    member(Role.SCHOOL_ADMIN, tree.school_a, "directie_a@example.test")
    neighbour = make_pupil(tree.school_a2, first_name="Olek")
    page = open_page()
    login(page, "directie_a@example.test")

    for path in (f"/matching/pupils/{neighbour.pk}/", f"/matching/pupils/{neighbour.pk}/edit/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 404
        expect(page.locator("main")).not_to_contain_text("Olek")

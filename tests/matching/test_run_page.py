"""The run page says how many pupils without a buddy it does not list, and finds a pupil by name."""

import pytest

from accounts.roles import Role
from matching import views_runs
from matching.models import UnmatchedPupil
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_match, make_pupil, make_run


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def coordinator_a(tree):
    return make_membership(Role.BUDDY_COORDINATOR, tree.region_a)


@pytest.fixture
def run(tree):
    run = make_run(tree.region_a, stats={"pupils": 7})
    make_match(make_pupil(tree.school_a, first_name="Hamid"), make_buddy(tree.school_a), run=run)
    make_match(make_pupil(tree.school_a, first_name="Olga"), make_buddy(tree.school_a), run=run)
    for first_name in ["Hamza", "Ana", "Bo", "Cas", "Dirk"]:
        UnmatchedPupil.objects.create(
            run=run,
            pupil=make_pupil(tree.school_a, first_name=first_name),
            school=tree.school_a,
            reason="no_free_capacity",
        )
    return run


def test_it_says_how_many_more_pupils_are_without_a_buddy(client, coordinator_a, run, monkeypatch):
    monkeypatch.setattr(views_runs, "UNMATCHED_SHOWN", 2)
    client.force_login(coordinator_a)

    response = client.get(f"/matching/runs/{run.pk}/")

    assert len(response.context["unmatched"]) == 2
    assert response.context["unmatched_more"] == 3
    assert "and 3 more; search by name to find one" in response.content.decode()


def test_it_says_nothing_more_when_every_pupil_is_listed(client, coordinator_a, run):
    client.force_login(coordinator_a)

    response = client.get(f"/matching/runs/{run.pk}/")

    assert response.context["unmatched_more"] == 0
    assert "more; search by name" not in response.content.decode()


def test_it_finds_pupils_by_name_among_proposals_and_pupils_without_a_buddy(client, coordinator_a, run):
    client.force_login(coordinator_a)

    response = client.post(f"/matching/runs/{run.pk}/", {"name": "ham"})

    assert [r["match"].pupil.first_name for r in response.context["rows"]] == ["Hamid"]
    assert [u.pupil.first_name for u in response.context["unmatched"]] == ["Hamza"]


@pytest.mark.parametrize("name", ["", "x" * 51])
def test_it_lists_everyone_for_an_empty_or_overlong_name(client, coordinator_a, run, name):
    client.force_login(coordinator_a)

    response = client.post(f"/matching/runs/{run.pk}/", {"name": name})

    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    assert len(response.context["unmatched"]) == 5

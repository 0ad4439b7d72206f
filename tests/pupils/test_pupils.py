from datetime import date

import pytest
from django.utils import translation

from core.errors import ServiceError
from pupils import services
from pupils.models import AccessLog, Pupil
from tests.factories import make_org
from tests.matching.factories import interest, make_pupil


def data(**extra):
    values = {
        "first_name": "Amira",
        "last_initial": "H",
        "birth_year": 2014,
        "grade": 6,
        "transition_date": date(2030, 1, 7),
        "home_languages": ["AR", "ku"],
        "other_languages": [],
    }
    values.update(extra)
    return values


def test_it_creates_a_pupil_with_normalised_languages_consent_and_a_log_entry(tree, coordinator_a):
    pupil = services.create_pupil(
        coordinator_a, tree.school_a, interests=[interest("chess")], consent_by="parent", **data()
    )

    assert (pupil.home_languages, pupil.stage) == (["ar", "ku"], "primary")
    assert (pupil.consent_by, pupil.consent_recorded_by) == ("parent", coordinator_a)
    assert pupil.consent_at is not None
    assert [i.code for i in pupil.interests.all()] == ["chess"]
    assert list(AccessLog.objects.values_list("pupil_id", "action")) == [(pupil.pk, "create")]


def test_it_checks_the_grade_against_the_school_stage(tree, coordinator_a):
    secondary = make_org("school", "Lyceum", tree.municipality_a1, stage="secondary")

    with pytest.raises(ServiceError) as exc:
        services.create_pupil(coordinator_a, secondary, **data(grade=7))

    assert exc.value.field == "grade"
    assert Pupil.objects.count() == 0


def test_it_requires_a_home_language(tree, coordinator_a):
    with pytest.raises(ServiceError) as exc:
        services.create_pupil(coordinator_a, tree.school_a, **data(home_languages=[]))

    assert exc.value.field == "home_languages"


def test_it_refuses_to_move_a_pupil_to_a_school_out_of_reach(tree, coordinator_a):
    pupil = make_pupil(tree.school_a)

    with pytest.raises(ServiceError) as exc:
        services.update_pupil(coordinator_a, pupil, school=tree.school_b)

    assert exc.value.field == "school"
    pupil.refresh_from_db()
    assert pupil.school == tree.school_a


def test_it_clears_consent_when_it_is_withdrawn(tree, coordinator_a):
    pupil = services.create_pupil(coordinator_a, tree.school_a, consent_by="parent", **data())

    services.update_pupil(coordinator_a, pupil, consent_by="")

    pupil.refresh_from_db()
    assert (pupil.consent_by, pupil.consent_at, pupil.consent_recorded_by) == ("", None, None)
    assert list(AccessLog.objects.values_list("action", flat=True).order_by("id")) == ["create", "change"]


def test_it_anonymises_keeping_what_reports_need(tree):
    pupil = make_pupil(tree.school_a, first_name="Amira", gender="f", interests=["chess"])

    assert services.anonymise([pupil.pk]) == 1
    assert services.anonymise([pupil.pk]) == 0

    pupil.refresh_from_db()
    assert (pupil.first_name, pupil.gender, pupil.interests.count()) == ("-", "", 0)
    assert (pupil.home_languages, pupil.grade) == (["ar"], 5)
    with translation.override("en"):
        assert pupil.display_name == f"Anonymised pupil #{pupil.pk}"

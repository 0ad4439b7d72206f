"""The school path by birth month: pure rules, then the page in the family's language."""

from datetime import date

import pytest

from parents.timeline import Stage, Step, timeline


def _when(result, step):
    return next(when for s, when, _ in result.steps if s == step)


def test_it_starts_compulsory_school_the_month_after_the_fifth_birthday():
    result = timeline(2021, 3, today=date(2026, 12, 1))
    assert _when(result, Step.MAY_START) == date(2025, 3, 1)
    assert _when(result, Step.COMPULSORY) == date(2026, 4, 1)
    assert result.stage == Stage.PRIMARY


def test_it_wraps_the_compulsory_month_over_the_new_year():
    assert _when(timeline(2021, 12, today=date(2026, 12, 1)), Step.COMPULSORY) == date(2027, 1, 1)


def test_it_moves_children_born_from_october_a_year_later_to_secondary_school():
    assert _when(timeline(2014, 9, today=date(2026, 12, 1)), Step.SECONDARY) == date(2026, 9, 1)
    assert _when(timeline(2014, 10, today=date(2026, 12, 1)), Step.SECONDARY) == date(2027, 9, 1)


@pytest.mark.parametrize(
    ("born", "stage", "newcomer_class"),
    [
        ((2024, 1), Stage.BEFORE_SCHOOL, ""),
        ((2022, 6), Stage.MAY_START, ""),
        ((2018, 5), Stage.PRIMARY, "ITK"),
        ((2012, 5), Stage.SECONDARY, "ISK"),
        ((2009, 5), Stage.QUALIFICATION, "ISK"),
        ((2006, 5), Stage.ADULT, ""),
    ],
)
def test_it_names_the_stage_and_newcomer_class_for_the_age(born, stage, newcomer_class):
    result = timeline(*born, today=date(2026, 12, 1))
    assert (result.stage, result.newcomer_class) == (stage, newcomer_class)


@pytest.mark.django_db
def test_it_shows_the_path_in_tigrinya_with_tigrinya_month_names(client, tree, settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    html = client.get("/ouders/ti/municipality-a1/schoolpad/", {"birth": "2021-03"}).content.decode()
    assert '<html lang="ti" dir="ltr" data-script="Ethi">' in html
    assert "ሚያዝያ 2026" in html  # April 2026: school becomes compulsory


@pytest.mark.django_db
@pytest.mark.parametrize("birth", ["2999-01", "abc", "1900-01"])
def test_it_refuses_a_birth_month_that_cannot_be_right(client, tree, birth):
    response = client.get("/ouders/nl/municipality-a1/schoolpad/", {"birth": birth})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()

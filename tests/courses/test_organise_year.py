"""The organiser's overview filters by year; an odd year is ignored, never a server error."""

import pytest
from django.utils import timezone


@pytest.mark.parametrize("year", ["0", "-1", "99999", "abc", "", "1999", "2101"])
def test_it_shows_this_year_for_an_odd_year(client, organiser_a, edition_a, year):
    client.force_login(organiser_a)
    response = client.get("/courses/organise/", {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


def test_it_shows_the_year_asked_for(client, organiser_a):
    client.force_login(organiser_a)
    response = client.get("/courses/organise/", {"year": "2031"})
    assert response.context["year"] == 2031
    assert response.context["years"] == [2030, 2031, 2032]

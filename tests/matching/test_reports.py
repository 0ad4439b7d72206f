import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from matching import reports
from matching.models import CheckIn, MatchStatus
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_match, make_pupil


def seed(tree):
    today = timezone.localdate()
    for i in range(6):
        pupil = make_pupil(
            tree.school_a, transition_date=today - timedelta(days=10 + i), home_languages=["ar"]
        )
        if i < 3:
            match = make_match(
                pupil,
                make_buddy(tree.school_a, languages=["ar"] if i < 2 else ["nl"]),
                status=MatchStatus.APPROVED,
                decided_at=timezone.now(),
                reasons=[["shared_home_language", {"languages": ["ar"]}]]
                if i < 2
                else [["no_shared_language", {}]],
            )
            if i == 0:
                CheckIn.objects.create(match=match, due_on=today - timedelta(days=1))
    make_pupil(tree.school_a2)  # a group of one


def test_it_reports_rates_median_days_and_overdue_check_ins(tree):
    seed(tree)
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.municipality_a1)

    report = reports.build(coordinator)

    school_a = next(r for r in report.schools if r.name == "School A")
    assert (school_a.pupils, school_a.waiting, school_a.matched) == (6, 3, 3)
    assert school_a.match_rate == 50.0
    assert school_a.language_rate == 66.7
    assert school_a.median_days == 11.0
    assert school_a.overdue_check_ins == 1
    municipality = report.municipalities[0]
    assert (municipality.name, municipality.pupils, municipality.matched) == ("Municipality A1", 7, 3)


def test_it_hides_groups_under_five_from_a_municipal_coordinator(tree):
    seed(tree)
    municipal = make_membership(Role.MUNICIPAL_COORDINATOR, tree.municipality_a1)

    report = reports.build(municipal)

    hidden = {r.name: r.hidden for r in report.schools}
    assert hidden == {"School A": False, "School A2": True}
    assert report.aggregate_only is True
    small = next(r for r in report.schools if r.name == "School A2")
    assert small.match_rate is None


def test_it_renders_the_report_with_a_chart_and_table_without_names(tree):
    seed(tree)
    municipal = make_membership(Role.MUNICIPAL_COORDINATOR, tree.municipality_a1)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(municipal)

    body = client.get(reverse("matching:report")).content.decode()

    assert "<svg" in body
    assert "fewer than five pupils: hidden" in body
    assert re.search(r"Pupil\d+", body) is None  # no pupil names anywhere


@pytest.mark.parametrize("role", [Role.SCHOOL_STAFF, Role.TEACHER])
def test_it_refuses_reports_without_the_capability(tree, role):
    user = make_membership(role, tree.school_a)
    client = Client()
    client.force_login(user)

    assert client.get(reverse("matching:report")).status_code == 404

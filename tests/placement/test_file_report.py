"""A school reports a newcomer: eligibility with its reason, the regular-class route, and bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from caseloads.models import SupportRequest
from core.errors import Forbidden, ServiceError
from placement import services
from placement.models import EligibilityRule, Interim, Report, ReportStatus
from pupils.models import AccessLog, AccessSubject
from tests.placement.factories import make_report

pytestmark = pytest.mark.django_db


def _data(**extra: object) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "first_name": "Amira",
        "last_initial": "B",
        "birth_year": today.year - 8,
        "birth_month": 1,
        "arrival_date": today - timedelta(days=10),
        "home_languages": ["ar"],
        "parent_phone": "0612345678",
        "letter_language": "ar",
    }
    data.update(extra)
    return data


def test_it_puts_an_eligible_child_on_the_waiting_list_and_logs_the_creation(reg):
    report = services.file_report(reg.school_staff, reg.tree.school_a, **_data())
    assert report.status == ReportStatus.WAITING
    assert report.eligibility_reason == "Qualifies: 8 years old, in the Netherlands for 0 months."
    assert list(AccessLog.objects.values_list("pupil_id", "subject", "action")) == [
        (report.pk, AccessSubject.REPORT, "create")
    ]


def test_it_routes_a_child_who_does_not_qualify_to_a_regular_class_with_support(reg):
    EligibilityRule.objects.create(region=reg.tree.region_a, max_months_in_country=12)
    today = timezone.localdate()
    report = services.file_report(
        reg.school_staff, reg.tree.school_a, **_data(arrival_date=today.replace(year=today.year - 2))
    )
    assert report.status == ReportStatus.NOT_ELIGIBLE
    assert report.eligibility_reason == "In the Netherlands for more than 12 months."
    assert report.interim == Interim.REGULAR_WITH_SUPPORT
    request = SupportRequest.objects.get(pk=report.support_request_id)
    assert (request.school, request.filed_by, request.languages) == (
        reg.tree.school_a,
        reg.school_staff,
        ["ar"],
    )
    assert "Amira" not in request.description


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"birth_year": timezone.localdate().year + 1}, "birth_year", "The birth month lies in the future."),
        (
            {"arrival_date": timezone.localdate().replace(year=timezone.localdate().year - 9)},
            "arrival_date",
            "The arrival date lies before the birth month.",
        ),
        (
            {"arrival_date": timezone.localdate() + timedelta(days=1)},
            "arrival_date",
            "The arrival date lies in the future.",
        ),
        ({"home_languages": ["xx"]}, "home_languages", "Unknown language code: xx."),
        ({"birth_month": 13}, "birth_month", "Choose a month from 1 to 12."),
    ],
)
def test_it_refuses_bad_input_with_a_field_error_and_writes_nothing(reg, extra, field, message):
    with pytest.raises(ServiceError) as caught:
        services.file_report(reg.school_staff, reg.tree.school_a, **_data(**extra))
    assert (caught.value.field, caught.value.message) == (field, message)
    assert Report.objects.count() == 0
    assert AccessLog.objects.count() == 0


def test_it_refuses_a_sibling_out_of_reach(reg):
    other = make_report(reg.tree.school_a2)  # same region, but not this school's staff's report
    with pytest.raises(ServiceError) as caught:
        services.file_report(reg.school_staff, reg.tree.school_a, **_data(siblings=[other.pk]))
    assert caught.value.field == "siblings"
    assert Report.objects.count() == 1


def test_it_links_the_whole_family_when_a_sibling_is_given(reg):
    first = make_report(reg.tree.school_a)
    second = make_report(reg.tree.school_a)
    first.siblings.add(second)
    third = services.file_report(reg.school_staff, reg.tree.school_a, **_data(siblings=[first.pk]))
    assert sorted(third.siblings.values_list("pk", flat=True)) == sorted([first.pk, second.pk])
    assert sorted(second.siblings.values_list("pk", flat=True)) == sorted([first.pk, third.pk])


def test_it_refuses_a_report_for_a_school_out_of_reach(reg):
    with pytest.raises(Forbidden):
        services.file_report(reg.school_staff, reg.tree.school_b, **_data())
    assert Report.objects.count() == 0

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, ServiceError
from courses import completion
from courses.models import Attendance, Certificate, EditionStatus, EnrolmentStatus, Evaluation, Meeting
from tests.courses.factories import end_edition, make_edition, make_enrolment, make_teacher


def _started(edition):
    meeting = edition.meetings.first()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(minutes=10), ends_at=timezone.now() + timedelta(hours=2)
    )
    meeting.refresh_from_db()
    return meeting


def test_it_marks_attendance_in_bulk(tree, edition_a, organiser_a):
    present = make_enrolment(edition_a, make_teacher(tree.school_a))
    absent = make_enrolment(edition_a, make_teacher(tree.school_a))
    meeting = _started(edition_a)

    assert completion.mark_attendance(organiser_a, meeting, {present.pk}) == 1

    rows = dict(Attendance.objects.values_list("enrolment_id", "present"))
    assert rows == {present.pk: True, absent.pk: False}


def test_it_remarks_attendance_without_duplicates(tree, edition_a, organiser_a):
    enrolment = make_enrolment(edition_a, make_teacher(tree.school_a))
    meeting = _started(edition_a)
    completion.mark_attendance(organiser_a, meeting, set())

    completion.mark_attendance(organiser_a, meeting, {enrolment.pk})

    assert list(Attendance.objects.values_list("present", flat=True)) == [True]


def test_it_refuses_attendance_for_a_meeting_not_yet_started(tree, edition_a, organiser_a):
    enrolment = make_enrolment(edition_a, make_teacher(tree.school_a))

    with pytest.raises(ServiceError) as exc:
        completion.mark_attendance(organiser_a, edition_a.meetings.first(), {enrolment.pk})

    assert exc.value.code == "not_started"
    assert not Attendance.objects.exists()


def test_it_refuses_marking_people_who_are_not_participants(tree, edition_a, organiser_a):
    waitlisted = make_enrolment(edition_a, make_teacher(tree.school_a), EnrolmentStatus.WAITLISTED)
    confirmed = make_enrolment(edition_a, make_teacher(tree.school_a))

    with pytest.raises(ServiceError) as exc:
        completion.mark_attendance(organiser_a, _started(edition_a), {confirmed.pk, waitlisted.pk})

    assert exc.value.field == "present"
    assert not Attendance.objects.exists()


def test_it_refuses_attendance_by_a_non_organiser(tree, edition_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher)
    with pytest.raises(Forbidden):
        completion.mark_attendance(teacher, _started(edition_a), set())


def test_it_checks_in_with_the_code(tree, edition_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher)
    meeting = _started(edition_a)

    attendance = completion.check_in(teacher, f" {meeting.checkin_code.lower()} ")

    assert attendance.present is True
    assert attendance.method == Attendance.Method.CODE


def test_it_refuses_a_wrong_check_in_code(tree, edition_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher)
    _started(edition_a)

    with pytest.raises(ServiceError) as exc:
        completion.check_in(teacher, "WRONG9")

    assert exc.value.code == "wrong_code"
    assert exc.value.field == "code"
    assert not Attendance.objects.exists()


def test_it_refuses_a_code_of_a_meeting_the_teacher_is_not_in(tree, edition_a):
    make_enrolment(edition_a, make_teacher(tree.school_a))
    meeting = _started(edition_a)

    with pytest.raises(ServiceError) as exc:
        completion.check_in(make_teacher(tree.school_a), meeting.checkin_code)

    assert exc.value.code == "wrong_code"


def test_it_refuses_checking_in_before_the_meeting_starts(tree, edition_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher)

    with pytest.raises(ServiceError) as exc:
        completion.check_in(teacher, edition_a.meetings.first().checkin_code)

    assert exc.value.code == "not_started"
    assert not Attendance.objects.exists()


def test_it_completes_with_certificates_for_those_who_attended(tree, module_a, organiser_a):
    edition = make_edition(module_a, meetings=2, required_meetings=2)
    attended = make_enrolment(edition, make_teacher(tree.school_a))
    missed_one = make_enrolment(edition, make_teacher(tree.school_a))
    end_edition(edition)
    first, second = edition.meetings.order_by("starts_at")
    completion.mark_attendance(organiser_a, first, {attended.pk, missed_one.pk})
    completion.mark_attendance(organiser_a, second, {attended.pk})

    certificates = completion.complete_edition(organiser_a, edition)

    assert [c.enrolment_id for c in certificates] == [attended.pk]
    certificate = certificates[0]
    assert certificate.hours == Decimal("6.0")
    assert certificate.theme == "multilingualism"
    assert len(certificate.code) == 12
    edition.refresh_from_db()
    assert edition.status == EditionStatus.COMPLETED


def test_it_refuses_completing_before_the_last_meeting(tree, edition_a, organiser_a):
    with pytest.raises(ServiceError) as exc:
        completion.complete_edition(organiser_a, edition_a)
    assert exc.value.code == "not_ended"
    assert not Certificate.objects.exists()


def test_it_records_hours_per_theme_per_school_year(tree, module_a, organiser_a):
    teacher = make_teacher(tree.school_a)
    edition = make_edition(module_a)
    enrolment = make_enrolment(edition, teacher)
    end_edition(edition)
    completion.mark_attendance(organiser_a, edition.meetings.first(), {enrolment.pk})
    completion.complete_edition(organiser_a, edition)

    lines, total, certificates = completion.pd_record(teacher)

    assert total == Decimal("6.0")
    assert [(line.theme, line.hours) for line in lines] == [("multilingualism", Decimal("6.0"))]
    assert lines[0].school_year == certificates[0].school_year


def test_it_accepts_one_evaluation_after_the_edition(tree, edition_a):
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)
    end_edition(edition_a)

    completion.submit_evaluation(teacher, enrolment, rating=4, comments="Useful")
    with pytest.raises(Conflict):
        completion.submit_evaluation(teacher, enrolment, rating=5)

    summary = completion.evaluation_summary(edition_a)
    assert (summary.count, summary.average, summary.comments) == (1, 4.0, ["Useful"])
    assert summary.distribution == [(5, 0), (4, 1), (3, 0), (2, 0), (1, 0)]


def test_it_refuses_an_evaluation_before_the_edition_ends(tree, edition_a):
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)
    with pytest.raises(ServiceError):
        completion.submit_evaluation(teacher, enrolment, rating=4)
    assert not Evaluation.objects.exists()


def test_it_refuses_a_rating_outside_1_to_5(tree, edition_a):
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)
    end_edition(edition_a)
    with pytest.raises(ServiceError) as exc:
        completion.submit_evaluation(teacher, enrolment, rating=6)
    assert exc.value.field == "rating"

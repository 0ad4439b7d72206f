from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from courses import completion
from courses.models import CalendarFeed, EditionStatus, Enrolment, EnrolmentStatus, Meeting
from tests.courses.factories import end_edition, make_edition, make_enrolment, make_module, make_teacher
from tests.factories import make_membership


def _certified(tree, edition, organiser):
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition, teacher)
    end_edition(edition)
    completion.mark_attendance(organiser, edition.meetings.first(), {enrolment.pk})
    (certificate,) = completion.complete_edition(organiser, edition)
    return teacher, certificate


def test_it_shows_the_catalogue_with_filters(client, tree, module_a):
    make_edition(module_a)
    nt2 = make_edition(make_module(tree.region_a, title="NT2 basics", themes=["nt2"]))
    client.force_login(make_teacher(tree.school_a))

    response = client.get("/courses/?theme=nt2")

    assert response.status_code == 200
    assert [e.pk for e in response.context["page"]] == [nt2.pk]
    assert b"NT2 basics" in response.content


def test_it_hides_another_regions_editions_in_pages(client, tree, edition_a):
    client.force_login(make_teacher(tree.school_b))

    assert list(client.get("/courses/").context["page"]) == []
    assert client.get(f"/courses/editions/{edition_a.pk}/").status_code == 404
    assert client.post(f"/courses/editions/{edition_a.pk}/enrol/").status_code == 404
    assert client.get(f"/courses/modules/{edition_a.module_id}/").status_code == 404
    assert not Enrolment.objects.exists()


def test_it_answers_404_for_wrong_ids_in_pages(client, tree):
    client.force_login(make_teacher(tree.school_a))

    assert client.get("/courses/editions/999999/").status_code == 404
    assert client.post("/courses/enrolments/999999/cancel/").status_code == 404
    assert client.get("/courses/organise/editions/1/").status_code == 404


@pytest.mark.parametrize("count", [10, 200])
def test_it_renders_the_catalogue_in_a_constant_number_of_queries(client, tree, module_a, count):
    for _ in range(count):
        make_edition(module_a)
    client.force_login(make_teacher(tree.school_a))

    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/courses/")

    assert response.status_code == 200
    assert response.context["page"].paginator.count == count
    # 1 session, 2 user, 3 memberships (reach, cached on the user), 4 count, 5 the page of editions with
    # seat subqueries, module and organiser, 6 my enrolments among them, 7 modules without a date (none
    # here, so no query for my interests in them), 8 municipalities for the filter's select
    assert len(ctx.captured_queries) == 8


def test_it_enrols_from_the_page(client, tree, edition_a):
    client.force_login(make_teacher(tree.school_a))

    response = client.post(f"/courses/editions/{edition_a.pk}/enrol/", follow=True)

    assert response.redirect_chain == [(f"/courses/editions/{edition_a.pk}/", 302)]
    assert b"You are enrolled" in response.content


def test_it_shows_a_form_error_when_enrolment_has_closed(client, tree, module_a):
    now = timezone.now()
    edition = make_edition(
        module_a, enrol_opens_at=now - timedelta(days=3), enrol_closes_at=now - timedelta(days=1)
    )
    client.force_login(make_teacher(tree.school_a))

    response = client.post(f"/courses/editions/{edition.pk}/enrol/")

    assert response.status_code == 400
    assert response.context["errors"] == ["Enrolment for this edition has closed."]
    assert not Enrolment.objects.exists()


def test_it_shows_the_waitlist_position_in_my_courses(client, tree, module_a):
    edition = make_edition(module_a, capacity=1)
    make_enrolment(edition, make_teacher(tree.school_a))
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition, teacher, EnrolmentStatus.WAITLISTED)
    client.force_login(teacher)

    response = client.get("/courses/mine/")

    assert b"Waitlist position 1" in response.content


def test_it_refuses_a_wrong_check_in_code_with_a_form_error(client, tree, edition_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher)
    client.force_login(teacher)

    response = client.post("/courses/check-in/", {"code": "ZZZZZZ"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "code": ["This code does not match a meeting you are enrolled in."]
    }


def test_it_checks_in_from_the_phone_page(client, tree, edition_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher)
    meeting = edition_a.meetings.first()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    client.force_login(teacher)

    response = client.post("/courses/check-in/", {"code": meeting.checkin_code})

    assert response.status_code == 302
    assert meeting.attendances.get().present is True


def test_it_serves_a_personal_ical_feed(client, tree, module_a):
    teacher = make_teacher(tree.school_a)
    module_a.title = "Ouders, school; samen\\thuis"
    module_a.save()
    make_enrolment(make_edition(module_a), teacher)
    feed = CalendarFeed.objects.create(user=teacher)

    response = client.get(f"/courses/feed/{feed.token}.ics")

    body = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:Ouders\\, school\\; samen\\\\thuis\r\n" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert client.get("/courses/feed/not-a-token.ics").status_code == 404


def test_it_downloads_the_own_certificate_only(client, tree, edition_a, organiser_a):
    teacher, certificate = _certified(tree, edition_a, organiser_a)
    client.force_login(teacher)

    response = client.get(f"/courses/certificates/{certificate.code}.pdf")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    client.force_login(make_teacher(tree.school_a))
    assert client.get(f"/courses/certificates/{certificate.code}.pdf").status_code == 404


def test_it_verifies_a_certificate_publicly(client, tree, edition_a, organiser_a):
    _teacher, certificate = _certified(tree, edition_a, organiser_a)

    ok = client.get(f"/courses/verify/{certificate.code}/")
    wrong = client.get("/courses/verify/NOPE/")

    assert ok.status_code == 200
    assert b"This certificate is genuine." in ok.content
    assert wrong.status_code == 404


def test_it_downloads_the_pd_record_as_csv(client, tree, edition_a, organiser_a):
    teacher, certificate = _certified(tree, edition_a, organiser_a)
    client.force_login(teacher)

    response = client.get("/courses/mine/record/?format=csv")

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "School year,Completed on,Activity type,Title,Organiser,Provider,Theme,Contact hours,"
        "Self-study hours,Total hours,Verification code"
    )
    assert lines[1] == (
        f"{certificate.school_year},{certificate.completed_on:%m/%d/%Y},Course or training,Multilingual classrooms,"
        f"Region A,,Multilingualism,6.0,0.0,6.0,{certificate.code}"
    )


def test_it_escapes_formulas_in_the_participants_csv(client, tree, edition_a, organiser_a):
    teacher = make_teacher(tree.school_a)
    teacher.first_name, teacher.last_name = "=HYPERLINK(1)", "+Evil"
    teacher.save()
    make_enrolment(edition_a, teacher)
    client.force_login(organiser_a)
    url = f"/courses/organise/editions/{edition_a.pk}/participants.csv"
    prompt = client.get(url)  # names and addresses: the password again first
    assert prompt["Location"].startswith("/accounts/reauthenticate/")
    client.post(prompt["Location"], {"password": "pw-for-tests-123"})

    response = client.get(url)

    assert "'=HYPERLINK(1) +Evil" in response.content.decode("utf-8-sig")


def test_it_hides_organiser_pages_from_teachers_and_other_regions(client, tree, edition_a):
    client.force_login(make_teacher(tree.school_a))
    assert client.get("/courses/organise/").status_code == 404
    client.force_login(make_membership(Role.REGIONAL_COORDINATOR, tree.region_b))
    assert client.get(f"/courses/organise/editions/{edition_a.pk}/").status_code == 404
    assert client.get(f"/courses/organise/editions/{edition_a.pk}/participants.csv").status_code == 404


def test_it_shows_the_organiser_overview_with_chart_and_table(client, tree, edition_a, organiser_a):
    make_enrolment(edition_a, make_teacher(tree.school_a))
    client.force_login(organiser_a)

    response = client.get(f"/courses/organise/?year={timezone.localtime(edition_a.starts_at).year}")

    assert response.status_code == 200
    assert response.context["editions"][0].fill == 10
    assert b"<svg" in response.content
    assert b"10%" in response.content


def test_it_refuses_capacity_below_confirmed_with_a_form_error(client, tree, module_a, organiser_a):
    edition = make_edition(module_a, capacity=2)
    make_enrolment(edition, make_teacher(tree.school_a))
    make_enrolment(edition, make_teacher(tree.school_a))
    client.force_login(organiser_a)

    response = client.post(f"/courses/organise/editions/{edition.pk}/capacity/", {"capacity": 1})

    assert response.status_code == 400
    assert response.context["capacity_form"].errors == {
        "capacity": ["2 seats are already taken or reserved; the capacity cannot go below that."]
    }


def test_it_marks_attendance_from_the_sheet(client, tree, edition_a, organiser_a):
    present = make_enrolment(edition_a, make_teacher(tree.school_a))
    make_enrolment(edition_a, make_teacher(tree.school_a))
    meeting = edition_a.meetings.first()
    client.force_login(organiser_a)

    early = client.post(f"/courses/organise/meetings/{meeting.pk}/attendance/", {"present": [present.pk]})
    assert early.status_code == 400
    assert early.context["form"].non_field_errors() == [
        "Attendance can be taken once the meeting has started."
    ]
    assert not meeting.attendances.exists()

    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    response = client.post(f"/courses/organise/meetings/{meeting.pk}/attendance/", {"present": [present.pk]})
    assert response.status_code == 302
    assert sorted(meeting.attendances.values_list("present", flat=True)) == [False, True]


def test_it_creates_module_and_edition_through_pages(client, tree, organiser_a):
    client.force_login(organiser_a)

    response = client.post(
        "/courses/organise/modules/new/",
        {
            "title": "Wereldburgerschap",
            "summary": "Samen leven",
            "themes": ["world_citizenship"],
            "format": "study_day",
            "audience_stage": "all",
            "audience_role": "teachers",
            "pd_hours": "4",
            "organiser": tree.region_a.pk,
            "visible_in": tree.region_a.pk,
        },
    )
    assert response.status_code == 302
    module_id = int(response["Location"].split("/")[-4])
    bad = client.post(
        f"/courses/organise/modules/{module_id}/editions/new/",
        {
            "capacity": 10,
            "enrol_opens_at": "2027-01-10T10:00",
            "enrol_closes_at": "2027-01-01T10:00",
            "cancel_deadline": "2027-01-05T10:00",
            "promotion_mode": "immediate",
            "offer_hours": 48,
        },
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors == {"enrol_closes_at": ["Enrolment must close after it opens."]}


def test_it_shows_dashboard_panels(client, tree, edition_a, organiser_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher)
    client.force_login(teacher)
    assert b"Your upcoming courses" in client.get("/dashboard/").content
    client.force_login(organiser_a)
    assert b"Editions filling up" in client.get("/dashboard/").content


def test_it_lets_school_staff_name_a_teacher_for_a_reserved_seat(client, tree, edition_a):
    from courses import services

    staff = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    teacher = make_teacher(tree.school_a)
    reservation = services.reserve_seats(staff, edition_a, tree.school_a, 2)
    client.force_login(staff)

    assert client.get("/courses/team/").status_code == 200
    response = client.post(
        f"/courses/team/reservations/{reservation.pk}/name/", {f"r{reservation.pk}-teacher": teacher.pk}
    )

    assert response.status_code == 302
    assert Enrolment.objects.get(teacher=teacher).status == EnrolmentStatus.CONFIRMED


def test_it_cancels_an_edition_from_the_page(client, tree, edition_a, organiser_a):
    make_enrolment(edition_a, make_teacher(tree.school_a))
    client.force_login(organiser_a)

    response = client.post(f"/courses/organise/editions/{edition_a.pk}/cancel/", {"reason": "Sneeuw"})

    assert response.status_code == 302
    edition_a.refresh_from_db()
    assert edition_a.status == EditionStatus.CANCELLED

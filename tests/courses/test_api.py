from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.roles import Role
from courses.models import EditionStatus, Enrolment, EnrolmentStatus, Meeting
from tests.courses.factories import end_edition, make_edition, make_enrolment, make_module, make_teacher
from tests.factories import make_membership


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_it_enrols_and_answers_confirmed(tree, edition_a):
    teacher_a = make_teacher(tree.school_a)

    response = client_for(teacher_a).post(f"/api/v1/editions/{edition_a.pk}/enrol/")

    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    assert response.json()["waitlist_position"] is None


def test_it_enrols_on_the_waitlist_with_a_position(tree, module_a):
    edition = make_edition(module_a, capacity=1)
    make_enrolment(edition, make_teacher(tree.school_a))
    make_enrolment(edition, make_teacher(tree.school_a), EnrolmentStatus.WAITLISTED)

    response = client_for(make_teacher(tree.school_a)).post(f"/api/v1/editions/{edition.pk}/enrol/")

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["waitlist_position"]) == ("waitlisted", 2)


def test_it_answers_409_already_enrolled_when_enrolling_twice(tree, edition_a):
    teacher_a = make_teacher(tree.school_a)
    client = client_for(teacher_a)
    client.post(f"/api/v1/editions/{edition_a.pk}/enrol/")

    response = client.post(f"/api/v1/editions/{edition_a.pk}/enrol/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "You are already enrolled in this edition.",
        "code": "already_enrolled",
    }
    assert Enrolment.objects.count() == 1


def test_it_answers_400_after_the_window(tree, module_a):
    now = timezone.now()
    edition = make_edition(
        module_a, enrol_opens_at=now - timedelta(days=3), enrol_closes_at=now - timedelta(days=1)
    )

    response = client_for(make_teacher(tree.school_a)).post(f"/api/v1/editions/{edition.pk}/enrol/")

    assert response.status_code == 400
    assert response.json()["code"] == "window_closed"
    assert not Enrolment.objects.exists()


def test_it_answers_400_for_a_cancelled_edition(tree, module_a):
    edition = make_edition(module_a, status=EditionStatus.CANCELLED)

    response = client_for(make_teacher(tree.school_a)).post(f"/api/v1/editions/{edition.pk}/enrol/")

    assert (response.status_code, response.json()["code"]) == (400, "cancelled")


def test_it_answers_404_for_a_draft_edition(tree, module_a):
    edition = make_edition(module_a, status=EditionStatus.DRAFT)

    response = client_for(make_teacher(tree.school_a)).post(f"/api/v1/editions/{edition.pk}/enrol/")

    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_it_hides_another_regions_editions(tree, edition_a):
    teacher_b = make_teacher(tree.school_b)
    client = client_for(teacher_b)

    assert client.get("/api/v1/editions/").json()["count"] == 0
    assert client.get(f"/api/v1/editions/{edition_a.pk}/").status_code == 404
    assert client.post(f"/api/v1/editions/{edition_a.pk}/enrol/").status_code == 404
    assert client.get("/api/v1/modules/").json()["count"] == 0
    assert not Enrolment.objects.exists()


def test_it_answers_403_for_a_coordinator_who_cannot_enrol(tree, edition_a, organiser_a):
    response = client_for(organiser_a).post(f"/api/v1/editions/{edition_a.pk}/enrol/")

    assert (response.status_code, response.json()["code"]) == (403, "out_of_region")


def test_it_answers_404_for_a_wrong_id(tree):
    client = client_for(make_teacher(tree.school_a))

    assert client.post("/api/v1/editions/999999/enrol/").status_code == 404
    assert client.post("/api/v1/enrolments/999999/cancel/").status_code == 404
    assert client.get("/api/v1/editions/abc/").status_code == 404


def test_it_cancels_and_promotes(tree, module_a):
    edition = make_edition(module_a, capacity=1)
    teacher = make_teacher(tree.school_a)
    mine = make_enrolment(edition, teacher)
    waiting = make_enrolment(edition, make_teacher(tree.school_a), EnrolmentStatus.WAITLISTED)

    response = client_for(teacher).post(f"/api/v1/enrolments/{mine.pk}/cancel/")

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.CONFIRMED


def test_it_never_shows_another_teachers_enrolment(tree, edition_a):
    other = make_enrolment(edition_a, make_teacher(tree.school_a))
    client = client_for(make_teacher(tree.school_a))

    assert client.get("/api/v1/enrolments/").json()["count"] == 0
    assert client.get(f"/api/v1/enrolments/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/enrolments/{other.pk}/cancel/").status_code == 404
    other.refresh_from_db()
    assert other.status == EnrolmentStatus.CONFIRMED


def test_it_lists_enrolments_within_reach_for_organisers(tree, edition_a, organiser_a):
    make_enrolment(edition_a, make_teacher(tree.school_a))
    organiser_b = make_membership(Role.REGIONAL_COORDINATOR, tree.region_b)

    assert client_for(organiser_a).get(f"/api/v1/enrolments/?edition={edition_a.pk}").json()["count"] == 1
    assert client_for(organiser_b).get("/api/v1/enrolments/").json()["count"] == 0


def test_it_refuses_capacity_below_confirmed_with_a_field_error(tree, module_a, organiser_a):
    edition = make_edition(module_a, capacity=2)
    make_enrolment(edition, make_teacher(tree.school_a))
    make_enrolment(edition, make_teacher(tree.school_a))

    response = client_for(organiser_a).post(f"/api/v1/editions/{edition.pk}/capacity/", {"capacity": 1})

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "capacity": ["2 seats are already taken or reserved; the capacity cannot go below that."]
    }
    edition.refresh_from_db()
    assert edition.capacity == 2


def test_it_answers_404_to_a_teacher_changing_capacity(tree, edition_a):
    response = client_for(make_teacher(tree.school_a)).post(
        f"/api/v1/editions/{edition_a.pk}/capacity/", {"capacity": 50}
    )

    assert response.status_code == 404
    edition_a.refresh_from_db()
    assert edition_a.capacity == 10


def test_it_rejects_a_bad_capacity_value(tree, edition_a, organiser_a):
    response = client_for(organiser_a).post(
        f"/api/v1/editions/{edition_a.pk}/capacity/", {"capacity": "many"}
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["capacity"]


def test_it_cancels_an_edition_through_the_api(tree, edition_a, organiser_a):
    make_enrolment(edition_a, make_teacher(tree.school_a))

    response = client_for(organiser_a).post(f"/api/v1/editions/{edition_a.pk}/cancel/", {"reason": "Storm"})

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert list(Enrolment.objects.values_list("status", flat=True)) == [EnrolmentStatus.RELEASED]


def test_it_refuses_to_cancel_an_edition_through_the_api_without_a_message(tree, edition_a, organiser_a):
    make_enrolment(edition_a, make_teacher(tree.school_a))

    missing = client_for(organiser_a).post(f"/api/v1/editions/{edition_a.pk}/cancel/", {})
    blank = client_for(organiser_a).post(f"/api/v1/editions/{edition_a.pk}/cancel/", {"reason": "  "})

    assert [(r.status_code, list(r.json()["fields"])) for r in (missing, blank)] == [
        (400, ["reason"]),
        (400, ["reason"]),
    ]
    assert list(Enrolment.objects.values_list("status", flat=True)) == [EnrolmentStatus.CONFIRMED]


def test_it_filters_editions(tree, module_a):
    nt2 = make_module(tree.region_a, title="NT2", themes=["nt2"])
    make_edition(module_a)
    full = make_edition(nt2, capacity=1)
    make_enrolment(full, make_teacher(tree.school_a))
    client = client_for(make_teacher(tree.school_a))

    assert client.get("/api/v1/editions/?theme=nt2").json()["count"] == 1
    assert client.get("/api/v1/editions/?free=true").json()["count"] == 1
    month = timezone.localtime(full.starts_at).strftime("%Y-%m")
    assert client.get(f"/api/v1/editions/?month={month}").json()["count"] == 2
    assert client.get("/api/v1/editions/?month=2026-13").status_code == 400


def test_it_marks_attendance_and_checks_in(tree, edition_a, organiser_a):
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)
    meeting = edition_a.meetings.first()
    organiser = client_for(organiser_a)

    early = organiser.post(
        f"/api/v1/meetings/{meeting.pk}/attendance/", {"present": [enrolment.pk]}, format="json"
    )
    assert (early.status_code, early.json()["code"]) == (400, "not_started")

    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    wrong = client_for(teacher).post("/api/v1/check-in/", {"code": "ZZZZZZ"})
    assert wrong.status_code == 400
    assert wrong.json()["fields"] == {"code": ["This code does not match a meeting you are enrolled in."]}

    ok = client_for(teacher).post("/api/v1/check-in/", {"code": meeting.checkin_code})
    assert (ok.status_code, ok.json()["present"], ok.json()["method"]) == (201, True, "code")

    sheet = organiser.get(f"/api/v1/meetings/{meeting.pk}/attendance/")
    assert [row["enrolment"] for row in sheet.json()] == [enrolment.pk]


def test_it_hides_meetings_from_teachers(tree, edition_a):
    meeting = edition_a.meetings.first()
    response = client_for(make_teacher(tree.school_a)).get(f"/api/v1/meetings/{meeting.pk}/attendance/")
    assert response.status_code == 404


def test_it_returns_the_pd_record(tree, edition_a, organiser_a):
    from courses import completion

    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)
    end_edition(edition_a)
    completion.mark_attendance(organiser_a, edition_a.meetings.first(), {enrolment.pk})
    completion.complete_edition(organiser_a, edition_a)

    body = client_for(teacher).get("/api/v1/me/pd-record/").json()

    assert body["total_hours"] == "6.0"
    assert [(line["theme"], line["hours"]) for line in body["lines"]] == [("multilingualism", "6.0")]
    assert len(body["certificates"]) == 1


def test_it_evaluates_through_the_api(tree, edition_a):
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)
    end_edition(edition_a)
    client = client_for(teacher)

    assert client.post(f"/api/v1/enrolments/{enrolment.pk}/evaluation/", {"rating": 9}).status_code == 400
    assert client.post(f"/api/v1/enrolments/{enrolment.pk}/evaluation/", {"rating": 5}).status_code == 201


@pytest.mark.parametrize("count", [10, 200])
def test_it_lists_editions_in_a_constant_number_of_queries(tree, module_a, count):
    teacher = make_teacher(tree.school_a)
    for _ in range(count):
        make_edition(module_a, meetings=2)
    client = client_for(teacher)

    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/editions/?page_size=500")

    assert response.json()["count"] == count
    # 1 token + user, 2 memberships (reach), 3 count, 4 editions with seat subqueries and module,
    # 5 meetings of those editions (one prefetch)
    assert len(ctx.captured_queries) == 5

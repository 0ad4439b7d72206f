import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from matching import tasks
from matching.models import MatchRun, MatchStatus, RunStatus
from pupils.models import AccessLog
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_match, make_pupil


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def staff_a(tree):
    return make_membership(Role.SCHOOL_STAFF, tree.school_a)


def test_it_shows_a_pupil_and_logs_the_view(tree, staff_a):
    pupil = make_pupil(tree.school_a, first_name="Amira")

    response = browser(staff_a).get(reverse("matching:pupil_detail", args=[pupil.pk]))

    assert response.status_code == 200
    assert "Amira P." in response.content.decode()
    assert list(AccessLog.objects.values_list("pupil_id", "action", "context")) == [
        (pupil.pk, "view", "pupils.pupil_detail")
    ]


def test_it_answers_404_for_another_schools_pupil_page(tree, staff_a):
    other = make_pupil(tree.school_a2)

    assert browser(staff_a).get(reverse("matching:pupil_detail", args=[other.pk])).status_code == 404
    assert AccessLog.objects.count() == 0


def test_it_lists_only_own_school_pupils_and_logs_the_list(tree, staff_a):
    make_pupil(tree.school_a, first_name="Mine")
    make_pupil(tree.school_a2, first_name="Theirs")

    body = browser(staff_a).get(reverse("matching:pupil_list")).content.decode()

    assert "Mine P." in body
    assert "Theirs" not in body
    assert AccessLog.objects.filter(action="list").count() == 1


def test_it_filters_pupils_by_language(tree, coordinator_a):
    make_pupil(tree.school_a, first_name="Oleh", home_languages=["uk"])
    make_pupil(tree.school_a, first_name="Amira", home_languages=["ar"])

    body = browser(coordinator_a).get(reverse("matching:pupil_list") + "?language=uk").content.decode()

    assert "Oleh P." in body
    assert "Amira" not in body


def test_it_hides_pupil_pages_from_a_municipal_coordinator(tree):
    municipal = make_membership(Role.MUNICIPAL_COORDINATOR, tree.municipality_a1)
    pupil = make_pupil(tree.school_a)

    client = browser(municipal)

    assert client.get(reverse("matching:pupil_list")).status_code == 404
    assert client.get(reverse("matching:pupil_detail", args=[pupil.pk])).status_code == 404
    assert client.get(reverse("matching:match_list")).status_code == 404


def test_it_creates_a_pupil_through_the_form(tree, coordinator_a):
    data = {
        "first_name": "Amira",
        "last_initial": "H",
        "birth_year": 2014,
        "school": tree.school_a.pk,
        "grade": 6,
        "transition_date": "2030-01-07",
        "home_languages": ["ar"],
    }

    response = browser(coordinator_a).post(reverse("matching:pupil_create"), data)

    assert response.status_code == 302
    assert AccessLog.objects.get().action == "create"


def test_it_starts_a_run_from_the_page_and_shows_progress_json(
    tree, coordinator_a, django_capture_on_commit_callbacks
):
    make_pupil(tree.school_a)
    make_buddy(tree.school_a)
    client = browser(coordinator_a)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("matching:run_list"), {"scope": tree.school_a.pk, "buddy_kind": "peer"}
        )
    run = MatchRun.objects.get()
    queued = client.get(reverse("matching:run_progress", args=[run.pk])).json()
    tasks.run_matching(run.pk)
    done = client.get(reverse("matching:run_progress", args=[run.pk])).json()
    page = client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()

    assert response.status_code == 302
    assert queued == {"status": "queued", "percent": 0, "label": "Waiting for a worker…", "done": False}
    assert done == {
        "status": "done",
        "percent": 100,
        "label": "1 of 1 schools done, 1 pupils matched",
        "done": True,
    }
    assert "shares Arabic; same grade; buddy&#x27;s first pupil" in page


def test_it_refuses_run_pages_of_another_scope(tree, coordinator_a):
    run = MatchRun.objects.create(scope=tree.school_b, buddy_kind="peer", status=RunStatus.DONE)

    assert browser(coordinator_a).get(reverse("matching:run_detail", args=[run.pk])).status_code == 404
    assert browser(coordinator_a).get(reverse("matching:run_progress", args=[run.pk])).status_code == 404


def test_it_approves_from_the_match_page_and_highlights_overdue_check_ins(tree, coordinator_a):
    from datetime import timedelta

    from django.utils import timezone

    match = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))
    client = browser(coordinator_a)

    client.post(reverse("matching:match_detail", args=[match.pk]), {"action": "approve"})
    match.refresh_from_db()
    match.check_ins.filter(due_on=match.starts_on + timedelta(weeks=1)).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    page = client.get(reverse("matching:match_list") + "?status=approved").content.decode()

    assert match.status == MatchStatus.APPROVED
    assert "Check-in overdue" in page


def test_it_bulk_approves_from_the_review_page(tree, coordinator_a):
    buddy = make_buddy(tree.school_a, capacity=2)
    a = make_match(make_pupil(tree.school_a), buddy)
    b = make_match(make_pupil(tree.school_a), buddy)

    response = browser(coordinator_a).post(reverse("matching:bulk_approve"), {"match": [a.pk, b.pk]})

    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (MatchStatus.APPROVED, MatchStatus.APPROVED)


def test_it_shows_row_errors_on_the_import_page(tree, coordinator_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("p.csv", b"school,first_name,colour\n1,A,red\n")

    body = (
        browser(coordinator_a)
        .post(reverse("matching:import", args=["pupils"]), {"file": file})
        .content.decode()
    )

    assert "Unknown columns: colour." in body
    assert "Missing columns:" in body


def test_it_serves_the_import_template(tree, coordinator_a):
    response = browser(coordinator_a).get(reverse("matching:import_template", args=["buddies"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig").startswith("school,kind,first_name")


def test_it_shows_the_coordinator_panel_on_the_dashboard(tree, coordinator_a):
    make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))

    body = browser(coordinator_a).get(reverse("dashboard")).content.decode()

    assert "1 proposal waiting for review" in body


def test_it_renders_every_matching_page_for_a_coordinator(tree, coordinator_a):
    from matching.models import ImportJob

    pupil = make_pupil(tree.school_a)
    buddy = make_buddy(tree.school_a, capacity=2)
    proposed = make_match(make_pupil(tree.school_a), buddy, alternatives=[[buddy.pk, 1.0]])
    approved = make_match(pupil, buddy, status=MatchStatus.APPROVED)
    job = ImportJob.objects.create(kind="pupils", created_by=coordinator_a, rows_total=10)
    client = browser(coordinator_a)
    urls = [
        reverse("matching:pupil_list"),
        reverse("matching:pupil_create"),
        reverse("matching:pupil_edit", args=[pupil.pk]),
        reverse("matching:pupil_detail", args=[pupil.pk]),
        reverse("matching:buddy_list") + f"?kind=peer&school={tree.school_a.pk}",
        reverse("matching:buddy_create"),
        reverse("matching:buddy_edit", args=[buddy.pk]),
        reverse("matching:import", args=["buddies"]),
        reverse("matching:import_job", args=[job.pk]),
        reverse("matching:import_job_progress", args=[job.pk]),
        reverse("matching:run_list"),
        reverse("matching:run_detail", args=[proposed.run_id]),
        reverse("matching:match_list") + "?status=proposed",
        reverse("matching:match_detail", args=[proposed.pk]),
        reverse("matching:match_detail", args=[approved.pk]),
        reverse("matching:report"),
    ]

    statuses = {url: client.get(url).status_code for url in urls}

    assert statuses == dict.fromkeys(urls, 200)
    # The export asks for the password again first (logged in "long ago" as far as allauth knows).
    export = client.get(reverse("matching:pupil_export", args=[pupil.pk]))
    assert export.status_code == 302
    assert export["Location"].startswith("/accounts/reauthenticate/")


def test_it_hides_another_users_import_job(tree, coordinator_a):
    from matching.models import ImportJob

    job = ImportJob.objects.create(
        kind="pupils", created_by=make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    )

    assert browser(coordinator_a).get(reverse("matching:import_job", args=[job.pk])).status_code == 404

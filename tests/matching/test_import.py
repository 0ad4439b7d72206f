from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from matching import tasks
from matching.models import Buddy, ImportJob, ImportStatus
from matching.services import imports
from pupils.models import AccessLog, Pupil
from tests.factories import make_membership
from tests.matching.factories import IMPORT_DAY, interest, make_pupil

pytestmark = pytest.mark.usefixtures("import_day")
FUTURE = (timezone.localdate(IMPORT_DAY) + timedelta(days=30)).isoformat()
PAST = (timezone.localdate(IMPORT_DAY) - timedelta(days=1)).isoformat()
HEADER = (
    "school,first_name,last_initial,birth_year,grade,transition_date,home_languages,other_languages,interests"
)


@pytest.fixture
def coordinator_a(tree):
    tree.school_a.brin = "01AA"
    tree.school_a.save()
    tree.school_b.brin = "09BB"
    tree.school_b.save()
    return make_membership(Role.BUDDY_COORDINATOR, tree.municipality_a1)


def upload(client, path: str, text: str):
    file = SimpleUploadedFile("rows.csv", text.encode(), content_type="text/csv")
    return client.post(path, {"file": file}, format="multipart")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_it_imports_valid_pupils_in_one_go_and_logs_them(tree, coordinator_a):
    interest("football")
    text = f"{HEADER}\n01AA,Amira,H,2014,6,{FUTURE},ar;ku,en,football\n01AA,Oleh,K,2013,7,{FUTURE},uk,,\n"

    response = upload(api(coordinator_a), "/api/v1/pupils/import/", text)

    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 2
    amira = Pupil.objects.get(first_name="Amira")
    assert (amira.home_languages, amira.other_languages) == (["ar", "ku"], ["en"])
    assert [i.code for i in amira.interests.all()] == ["football"]
    assert AccessLog.objects.filter(action="create", context="pupils.import").count() == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"{HEADER},nationality\n01AA,Amira,H,2014,6,{FUTURE},ar,,,x\n",
            [{"row": 1, "field": "", "message": "Unknown columns: nationality."}],
        ),
        (
            f"{HEADER}\n01AA,Amira,H,2014,6,{FUTURE},arabic,,\n",
            [{"row": 2, "field": "home_languages", "message": "Unknown language code: arabic."}],
        ),
        (
            f"{HEADER}\n01AA,Amira,H,2014,6,{PAST},ar,,\n",
            [{"row": 2, "field": "transition_date", "message": "This date is in the past."}],
        ),
        (
            f"{HEADER}\n09BB,Amira,H,2014,6,{FUTURE},ar,,\n",
            [
                {
                    "row": 2,
                    "field": "school",
                    "message": "School 09BB does not exist or is outside your reach.",
                }
            ],
        ),
        (
            f"{HEADER}\n01AA,Amira,H,2014,6,{FUTURE},ar,,\n01AA,Amira,H,2014,6,{FUTURE},ar,,\n",
            [{"row": 3, "field": "", "message": "Duplicate of row 2."}],
        ),
    ],
    ids=["unknown_column", "bad_language", "past_date", "school_out_of_reach", "duplicate_row"],
)
def test_it_refuses_a_bad_file_with_row_messages_and_writes_nothing(tree, coordinator_a, text, expected):
    good_row = f"01AA,Oleh,K,2013,7,{FUTURE},uk,,\n"

    response = upload(
        api(coordinator_a), "/api/v1/pupils/import/", text + (good_row if "nationality" not in text else "")
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_rows"
    assert response.json()["rows"] == expected
    assert Pupil.objects.count() == 0
    assert AccessLog.objects.count() == 0


def test_it_refuses_a_pupil_already_registered(tree, coordinator_a):
    make_pupil(tree.school_a, first_name="Amira", last_initial="H", birth_year=2014)

    response = upload(
        api(coordinator_a), "/api/v1/pupils/import/", f"{HEADER}\n01AA,Amira,H,2014,6,{FUTURE},ar,,\n"
    )

    assert response.json()["rows"] == [
        {"row": 2, "field": "", "message": "This pupil is already registered."}
    ]
    assert Pupil.objects.count() == 1


def test_it_imports_buddies_and_checks_peer_grades(tree, coordinator_a):
    header = "school,kind,first_name,last_initial,grade,languages,capacity,available_until,consent_by"
    good = f"{header}\n01AA,peer,Lotte,J,6,nl;en,2,{FUTURE},parent\n01AA,staff,Joost,M,,nl,3,,self\n"
    bad = f"{header}\n01AA,peer,Lotte,J,,nl,4,{PAST},parent\n"
    client = api(coordinator_a)

    refused = upload(client, "/api/v1/buddies/import/", bad)
    created = upload(client, "/api/v1/buddies/import/", good)

    assert refused.json()["rows"] == [
        {"row": 2, "field": "available_until", "message": "This date is in the past."},
        {"row": 2, "field": "capacity", "message": "Give a whole number from 1 to 3."},
        {"row": 2, "field": "grade", "message": "A peer buddy needs a grade."},
    ]
    assert created.status_code == 201
    lotte = Buddy.objects.get(first_name="Lotte")
    assert (lotte.kind, lotte.grade, lotte.capacity, lotte.consent_at is not None) == ("peer", 6, 2, True)
    assert Buddy.objects.get(first_name="Joost").grade is None


def test_it_queues_a_large_file_as_a_job_with_progress(tree, coordinator_a, monkeypatch):
    monkeypatch.setattr(imports, "INLINE_ROWS", 2)
    monkeypatch.setattr(imports, "CHUNK", 2)
    rows = "".join(f"01AA,Pupil{i},X,2014,5,{FUTURE},pl,,\n" for i in range(5))
    with mock.patch("core.outbox.transaction.on_commit"):
        response = upload(api(coordinator_a), "/api/v1/pupils/import/", f"{HEADER}\n{rows}")

    assert response.status_code == 202
    job = ImportJob.objects.get(pk=response.json()["job"])
    assert (job.status, job.rows_total) == (ImportStatus.QUEUED, 5)
    assert Pupil.objects.count() == 0

    assert tasks.process_import(job.pk) is True
    assert tasks.process_import(job.pk) is False  # a second delivery does nothing

    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created_count, job.content) == (ImportStatus.DONE, 5, 5, "")
    assert Pupil.objects.count() == 5
    assert api(coordinator_a).get(f"/api/v1/import-jobs/{job.pk}/").json()["rows_done"] == 5


def test_it_offers_a_template_with_the_documented_columns():
    header = imports.template_rows("pupils")[0]

    assert ",".join(header) == (
        "school,first_name,last_initial,birth_year,grade,transition_date,home_languages,"
        "other_languages,interests,gender,buddy_gender_preference,consent_by"
    )

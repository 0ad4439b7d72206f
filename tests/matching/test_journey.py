"""The whole journey through the API: import pupils and buddies, run, watch progress, review, follow up,
end."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from matching.models import MatchRun
from tests.factories import make_membership
from tests.matching.factories import IMPORT_DAY

pytestmark = pytest.mark.usefixtures("import_day")
FUTURE = (timezone.localdate(IMPORT_DAY) + timedelta(days=21)).isoformat()


def test_it_goes_from_import_to_an_ended_match(tree, django_capture_on_commit_callbacks):
    tree.school_a.brin = "01AA"
    tree.school_a.save()
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.municipality_a1)
    api = APIClient()
    api.force_authenticate(coordinator)
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")
    pupils_csv = (
        "school,first_name,last_initial,birth_year,grade,transition_date,home_languages\n"
        f"01AA,Amira,H,2014,6,{FUTURE},ar\n01AA,Oleh,K,2014,6,{FUTURE},uk\n"
    )
    buddies_csv = (
        "school,kind,first_name,last_initial,grade,languages,capacity,consent_by\n"
        "01AA,peer,Lotte,J,6,nl;ar,1,parent\n01AA,peer,Daria,S,6,uk;nl,1,parent\n"
    )

    assert (
        api.post(
            "/api/v1/pupils/import/",
            {"file": SimpleUploadedFile("p.csv", pupils_csv.encode())},
            format="multipart",
        ).status_code
        == 201
    )
    assert (
        api.post(
            "/api/v1/buddies/import/",
            {"file": SimpleUploadedFile("b.csv", buddies_csv.encode())},
            format="multipart",
        ).status_code
        == 201
    )

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            "/api/v1/match-runs/", {"scope": tree.school_a.pk, "buddy_kind": "peer"}, format="json"
        )
    assert started.status_code == 202
    run = api.get(f"/api/v1/match-runs/{started.json()['id']}/").json()
    assert (run["status"], run["progress"]["percent"], run["stats"]["matched"]) == ("done", 100, 2)

    matches = api.get(f"/api/v1/matches/?run={run['id']}").json()["results"]
    by_pupil = {m["pupil"]["name"]: m for m in matches}
    assert by_pupil["Amira H."]["buddy"]["name"] == "Lotte J."
    assert by_pupil["Amira H."]["explanation"] == "shares Arabic; same grade; buddy's first pupil"

    with django_capture_on_commit_callbacks(execute=True):
        approved = api.post("/api/v1/matches/approve/", {"ids": [m["id"] for m in matches]}, format="json")
    assert len(approved.json()["approved"]) == 2

    match_id = by_pupil["Amira H."]["id"]
    assert (
        api.post(
            f"/api/v1/matches/{match_id}/check-ins/", {"outcome": "going_well"}, format="json"
        ).status_code
        == 201
    )
    assert (
        api.post(f"/api/v1/matches/{match_id}/fit/", {"fit": "good"}, format="json").json()["fit"] == "good"
    )
    ended = api.post(f"/api/v1/matches/{match_id}/end/", {"reason": "goals_met"}, format="json").json()
    assert (ended["status"], ended["end_reason"]) == ("ended", "goals_met")
    assert MatchRun.objects.get().status == "done"

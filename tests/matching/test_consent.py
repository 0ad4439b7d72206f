"""One consent rule for buddies: the same record (a peer buddy who consents for themself) is refused by
the web form, the CSV import and the API alike, each with the error on ``consent_by``, and nothing is
written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from matching import services
from matching.models import Buddy
from tests.factories import OrgTree
from tests.matching.factories import brin_coordinator

MESSAGE = "For a peer pupil, consent comes from a parent or guardian."
RECORD = {
    "kind": "peer",
    "first_name": "Lotte",
    "last_initial": "J",
    "grade": "6",
    "languages": ["nl", "en"],
    "capacity": "1",
    "consent_by": "self",
}


@pytest.fixture
def coordinator_a(tree: OrgTree):  # type: ignore[no-untyped-def]
    return brin_coordinator(tree.school_a)


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"


def test_it_refuses_self_consent_for_a_peer_in_the_web_form(client, tree, coordinator_a):  # type: ignore[no-untyped-def]
    client.force_login(coordinator_a)

    response = client.post(reverse("matching:buddy_create"), {**RECORD, "school": tree.school_a.pk})

    assert response.status_code == 200
    assert response.context["form"].errors == {"consent_by": [MESSAGE]}
    assert not Buddy.objects.exists()


def test_it_refuses_self_consent_for_a_peer_in_a_csv_row(client, coordinator_a):  # type: ignore[no-untyped-def]
    client.force_login(coordinator_a)
    text = (
        "school,kind,first_name,last_initial,grade,languages,capacity,consent_by\n"
        "01AA,peer,Lotte,J,6,nl;en,1,self\n"
    )
    upload = SimpleUploadedFile("buddies.csv", text.encode(), content_type="text/csv")

    response = client.post(reverse("matching:import", args=["buddies"]), {"file": upload})

    assert response.status_code == 400
    rows = [(e.row, e.field, e.message) for e in response.context["rows"]]
    assert rows == [(2, "consent_by", MESSAGE)]
    assert not Buddy.objects.exists()


def test_it_refuses_self_consent_for_a_peer_in_the_api(tree, coordinator_a):  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(coordinator_a)

    response = api.post(
        "/api/v1/buddies/", {**RECORD, "school": tree.school_a.pk}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"consent_by": [MESSAGE]}
    assert not Buddy.objects.exists()


def test_it_refuses_to_change_a_peer_to_self_consent_in_the_api(tree, coordinator_a):  # type: ignore[no-untyped-def]
    from tests.matching.factories import make_buddy

    buddy = make_buddy(tree.school_a)
    api = APIClient()
    api.force_authenticate(coordinator_a)

    response = api.patch(f"/api/v1/buddies/{buddy.pk}/", {"consent_by": "self"}, format="json")

    buddy.refresh_from_db()
    assert response.status_code == 400
    assert response.json()["fields"] == {"consent_by": [MESSAGE]}
    assert buddy.consent_by == "parent"


@pytest.mark.parametrize(
    ("kind", "consent_by"), [("staff", "self"), ("volunteer", "self"), ("peer", "parent")]
)
def test_it_accepts_the_consent_that_fits_the_kind(kind: str, consent_by: str) -> None:
    services.check_buddy_consent(kind, consent_by)

"""Security settings the issue names, beyond headers and sessions: exports ask for re-authentication,
uploads have a size limit, fields a role may not set are ignored or refused, and the region's privacy
officer can read the access log (ids only, never pupil data)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Invitation, Organisation
from accounts.roles import Role
from caseloads.models import Case, CaseStatus, RequestStatus, SupportRequest
from courses.models import EnrolmentStatus
from pupils import access
from pupils.models import AccessAction, AccessLog, Pupil
from tests.caseloads.factories import make_case, make_supporter
from tests.courses.factories import make_edition, make_enrolment, make_module, make_teacher
from tests.factories import OrgTree, make_membership
from tests.matching.factories import make_pupil


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"


# --- Exports ask for re-authentication ------------------------------------------------------------------


def _exports(tree: OrgTree) -> list[tuple[object, str]]:
    """Downloads of other people's personal data. (The region's hours report holds aggregates only, and a
    teacher's own PD record is their own; neither asks.)"""
    pupil = make_pupil(tree.school_a)
    edition = make_edition(make_module(tree.region_a))
    return [
        (
            make_membership(Role.BUDDY_COORDINATOR, tree.region_a),
            reverse("matching:pupil_export", args=[pupil.pk]),
        ),
        (
            make_membership(Role.REGIONAL_COORDINATOR, tree.region_a),
            f"/courses/organise/editions/{edition.pk}/participants.csv",
        ),
    ]


def test_it_asks_for_the_password_again_before_an_export(tree):
    for user, url in _exports(tree):
        client = Client()
        client.force_login(user)  # logged in long ago, as far as allauth knows

        response = client.get(url)

        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_reauthenticate")), url
        assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_it_exports_right_after_a_reauthentication(tree):
    for user, url in _exports(tree):
        client = Client()
        client.force_login(user)
        prompt = client.get(url)["Location"]

        # The password again, on allauth's page; it sends the person back to the export.
        back = client.post(prompt, {"password": "pw-for-tests-123"})

        assert back.status_code == 302, url
        assert back["Location"] == url
        assert client.get(url).status_code == 200, url


def test_it_answers_404_not_a_password_prompt_for_an_export_out_of_reach(tree):
    client = Client()
    client.force_login(make_membership(Role.BUDDY_COORDINATOR, tree.region_a))
    elsewhere = make_pupil(tree.school_b)

    assert client.get(reverse("matching:pupil_export", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("matching:pupil_export", args=[999999])).status_code == 404


def test_it_asks_for_the_password_again_before_changing_mfa(tree):
    client = Client()
    client.force_login(make_membership(Role.BUDDY_COORDINATOR, tree.region_a))

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


# --- Uploads have a size limit ---------------------------------------------------------------------------


def _csv_of(size: int) -> SimpleUploadedFile:
    header = b"first_name,last_initial\n"
    return SimpleUploadedFile("pupils.csv", header + b"x" * (size - len(header)), content_type="text/csv")


def test_it_refuses_an_api_import_larger_than_the_limit_with_a_400_and_a_message(tree, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    api = APIClient()
    api.force_authenticate(make_membership(Role.BUDDY_COORDINATOR, tree.region_a))

    response = api.post("/api/v1/pupils/import/", {"file": _csv_of(1001)}, format="multipart")

    assert response.status_code == 400
    assert response.json()["detail"] == "The file is too large: at most 1000\xa0bytes."
    assert response.json()["fields"] == {"file": ["The file is too large: at most 1000\xa0bytes."]}
    assert not Pupil.objects.exists()


def test_it_refuses_a_page_import_larger_than_the_limit_with_a_message(tree, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    client = Client()
    client.force_login(make_membership(Role.BUDDY_COORDINATOR, tree.region_a))

    response = client.post(reverse("matching:import", args=["pupils"]), {"file": _csv_of(1001)})

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The file is too large: at most 1000\xa0bytes."]
    assert not Pupil.objects.exists()


# --- Fields a role may not set ---------------------------------------------------------------------------


def test_it_ignores_a_status_sent_with_a_support_request(tree):
    api = APIClient()
    api.force_authenticate(make_membership(Role.SCHOOL_ADMIN, tree.school_a))

    response = api.post(
        "/api/v1/support-requests/",
        {
            "school": tree.school_a.pk,
            "topic": "language_development",
            "description": "Needs help",
            "status": RequestStatus.ALLOCATED,
            "decline_reason": "set by the caller",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    request = SupportRequest.objects.get()
    assert (request.status, request.decline_reason) == (RequestStatus.NEW, "")


def test_it_refuses_invitations_into_a_role_or_organisation_the_inviter_may_not_give(tree):
    api = APIClient()
    api.force_authenticate(make_membership(Role.SCHOOL_ADMIN, tree.school_a))

    for payload in (
        {"email": "x@example.test", "organisation": tree.region_a.pk, "role": Role.REGIONAL_COORDINATOR},
        {"email": "x@example.test", "organisation": tree.school_a.pk, "role": Role.MUNICIPAL_COORDINATOR},
        {"email": "x@example.test", "organisation": tree.school_b.pk, "role": Role.TEACHER},
    ):
        response = api.post("/api/v1/invitations/", payload, format="json")
        assert response.status_code in (400, 403), payload
    assert not Invitation.objects.exists()


def test_it_refuses_moving_a_pupil_to_a_school_outside_reach_and_ignores_read_only_fields(tree):
    api = APIClient()
    api.force_authenticate(make_membership(Role.BUDDY_COORDINATOR, tree.municipality_a1))
    pupil = make_pupil(tree.school_a)

    moved = api.patch(f"/api/v1/pupils/{pupil.pk}/", {"school": tree.school_b.pk}, format="json")
    created = api.post(
        "/api/v1/pupils/",
        {
            "first_name": "Nour",
            "last_initial": "K",
            "birth_year": 2015,
            "school": tree.school_a3.pk,  # in municipality A2: outside this coordinator's reach
            "grade": 4,
            "transition_date": "2026-09-01",
            "home_languages": ["ar"],
        },
        format="json",
    )
    stamped = api.patch(
        f"/api/v1/pupils/{pupil.pk}/",
        {
            "priority_since": "2020-01-01T00:00:00Z",
            "consent_at": "2020-01-01T00:00:00Z",
            "stage": "secondary",
        },
        format="json",
    )

    assert (moved.status_code, created.status_code) == (400, 400)
    assert stamped.status_code == 200
    pupil.refresh_from_db()
    assert (pupil.school_id, pupil.priority_since, pupil.consent_at, pupil.stage) == (
        tree.school_a.pk,
        None,
        None,
        "primary",
    )
    assert Pupil.objects.count() == 1


def test_it_ignores_status_supporter_and_school_sent_with_a_case_change(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    api = APIClient()
    api.force_authenticate(supporter)

    response = api.patch(
        f"/api/v1/cases/{case.pk}/",
        {"status": CaseStatus.CLOSED, "school": tree.school_b.pk, "supporter": None, "goals": "Read more"},
        format="json",
    )

    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.school_id, case.supporter_id, case.goals) == (
        CaseStatus.ACTIVE,
        tree.school_a.pk,
        supporter.pk,
        "Read more",
    )


def test_it_ignores_a_status_sent_with_an_enrolment(tree):
    edition = make_edition(make_module(tree.region_a), capacity=1)
    make_enrolment(edition, make_teacher(tree.school_a))
    teacher = make_teacher(tree.school_a)
    api = APIClient()
    api.force_authenticate(teacher)

    response = api.post(
        f"/api/v1/editions/{edition.pk}/enrol/", {"status": EnrolmentStatus.CONFIRMED}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["status"] == EnrolmentStatus.WAITLISTED


def test_it_refuses_an_organisation_under_a_parent_outside_reach(tree):
    api = APIClient()
    api.force_authenticate(make_membership(Role.REGIONAL_COORDINATOR, tree.region_a))

    response = api.post(
        "/api/v1/organisations/", {"kind": "school", "name": "Elsewhere", "parent": tree.municipality_b.pk}
    )

    assert response.status_code == 400
    assert not Organisation.objects.filter(name="Elsewhere").exists()


# --- The access log, for the region's privacy officer ----------------------------------------------------


def _logged(tree: OrgTree) -> tuple[Pupil, Pupil, object]:
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.region_a)
    mine = make_pupil(tree.school_a, first_name="Zaynabqx")
    theirs = make_pupil(tree.school_b, first_name="Elsewhereqx")
    access.record(coordinator, [mine.pk], AccessAction.VIEW, context="pupils.pupil_detail")
    access.record(coordinator, [mine.pk], AccessAction.EXPORT, context="matching.export")
    access.record(make_membership(Role.BUDDY_COORDINATOR, tree.region_b), [theirs.pk], AccessAction.VIEW)
    return mine, theirs, coordinator


def test_it_shows_the_privacy_officer_the_access_log_of_their_region_by_id_only(tree):
    mine, _theirs, coordinator = _logged(tree)
    officer = make_membership(Role.PRIVACY_OFFICER, tree.region_a)
    client = Client()
    client.force_login(officer)

    response = client.get(reverse("matching:access_log"))

    assert response.status_code == 200
    page = response.content.decode()
    entries = list(response.context["page"])
    assert {(e.pupil_id, e.action) for e in entries} == {
        (mine.pk, AccessAction.VIEW),
        (mine.pk, AccessAction.EXPORT),
    }
    assert "Zaynabqx" not in page
    assert "Elsewhereqx" not in page
    assert coordinator.email in page


def test_it_keeps_erasures_in_the_privacy_officers_view_after_the_pupil_is_gone(tree):
    from pupils import services

    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.region_a)
    pupil = make_pupil(tree.school_a)
    services.erase_pupil(coordinator, pupil.pk, reason="parent asked")
    client = Client()
    client.force_login(make_membership(Role.PRIVACY_OFFICER, tree.region_a))

    response = client.get(reverse("matching:access_log"))

    assert [(e.pupil_id, e.action) for e in response.context["page"]] == [(pupil.pk, AccessAction.ERASE)]
    assert "parent asked" in response.content.decode()


def test_it_filters_the_access_log_by_user_action_and_date(tree):
    mine, _theirs, coordinator = _logged(tree)
    other = make_membership(Role.BUDDY_COORDINATOR, tree.municipality_a1)
    access.record(other, [mine.pk], AccessAction.CHANGE)
    client = Client()
    client.force_login(make_membership(Role.PRIVACY_OFFICER, tree.region_a))
    url = reverse("matching:access_log")
    today = timezone.localdate()

    by_user = client.get(url, {"user": coordinator.pk}).context["page"]
    by_action = client.get(url, {"action": AccessAction.CHANGE}).context["page"]
    by_date = client.get(url, {"since": (today + timedelta(days=1)).isoformat()}).context["page"]
    on_the_day = client.get(url, {"date": today.isoformat()}).context["page"]

    assert {e.action for e in by_user} == {AccessAction.VIEW, AccessAction.EXPORT}
    assert [e.user_id for e in by_action] == [other.pk]
    assert list(by_date) == []
    assert len(on_the_day) == 3


@pytest.mark.parametrize(
    "role", [Role.BUDDY_COORDINATOR, Role.REGIONAL_COORDINATOR, Role.SCHOOL_ADMIN, Role.TEACHER]
)
def test_it_shows_the_access_log_to_no_one_else(tree, role):
    _logged(tree)
    client = Client()
    client.force_login(make_membership(role, tree.region_a if "coordinator" in role else tree.school_a))

    assert client.get(reverse("matching:access_log")).status_code == 404


def test_it_lists_the_access_log_in_a_fixed_number_of_queries(tree, django_assert_max_num_queries):
    mine, _theirs, coordinator = _logged(tree)
    for _ in range(30):
        access.record(coordinator, [mine.pk], AccessAction.VIEW)
    client = Client()
    client.force_login(make_membership(Role.PRIVACY_OFFICER, tree.region_a))

    # session, user, memberships, count, page of entries (with users), the user filter's choices, plus
    # the base template's own (navigation, messages): bounded whatever the number of entries.
    with django_assert_max_num_queries(12):
        assert client.get(reverse("matching:access_log")).status_code == 200

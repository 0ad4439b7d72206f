"""The grant log: every grant and end of a role, append-only, read and exported by the privacy officer."""

import csv
import io

import pytest
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import grants, services
from accounts.models import GrantEvent, GrantLogEntry, Membership
from accounts.roles import Role
from tests.factories import make_membership, make_user

PASSWORD = "pw-for-tests-123"


def accept(inviter, organisation, role, email):  # type: ignore[no-untyped-def]
    invitation = services.invite(inviter, email=email, organisation=organisation, role=role)
    return services.accept_invitation(invitation.token, password=PASSWORD, first_name="N", last_name="Ew")


def test_it_logs_an_accepted_invitation_and_an_ended_membership(tree):
    school_admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    teacher = accept(school_admin, tree.school_a, Role.TEACHER, "t@example.test")

    services.end_membership(school_admin, Membership.objects.get(user=teacher))

    assert list(
        GrantLogEntry.objects.order_by("pk").values_list(
            "event", "role", "organisation_name", "user_email", "actor_email"
        )
    ) == [
        (GrantEvent.GRANTED, Role.TEACHER, "School A", "t@example.test", school_admin.email),
        (GrantEvent.ENDED, Role.TEACHER, "School A", "t@example.test", school_admin.email),
    ]


def test_it_has_no_update_or_delete_path(tree):
    entry = grants.log(
        GrantEvent.GRANTED, user=make_user(), organisation=tree.school_a, role=Role.TEACHER, actor=None
    )

    for attempt in (
        lambda: GrantLogEntry.objects.update(reason="x"),
        lambda: GrantLogEntry.objects.filter(pk=entry.pk).delete(),
        entry.delete,
        entry.save,
    ):
        with pytest.raises(TypeError, match="append-only"):
            attempt()
    admin = site._registry[GrantLogEntry]
    request = RequestFactory().get("/")
    request.user = make_user(is_superuser=True, is_staff=True)
    assert (admin.has_add_permission(request), admin.has_change_permission(request, entry)) == (False, False)
    assert admin.has_delete_permission(request, entry) is False
    assert GrantLogEntry.objects.get(pk=entry.pk).reason == ""


def test_it_logs_a_grant_made_in_the_admin(tree):
    superuser = make_user(is_superuser=True, is_staff=True)
    person = make_user()
    client = Client()
    client.force_login(superuser)

    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": person.pk, "organisation": tree.school_a.pk, "role": Role.SCHOOL_STAFF},
    )

    assert response.status_code == 302
    assert list(GrantLogEntry.objects.values_list("event", "user_email", "actor_email")) == [
        (GrantEvent.GRANTED, person.email, superuser.email)
    ]


def test_it_shows_the_privacy_officer_the_log_of_their_region_only(tree):
    school_admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    accept(school_admin, tree.school_a, Role.TEACHER, "mine@example.test")
    accept(
        make_membership(Role.SCHOOL_ADMIN, tree.school_b), tree.school_b, Role.TEACHER, "theirs@example.test"
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_membership(Role.PRIVACY_OFFICER, tree.region_a))

    page = client.get(reverse("grant_log")).content.decode()

    assert "mine@example.test" in page
    assert "theirs@example.test" not in page
    assert f'href="{reverse("grant_log")}"' in page


def test_it_exports_the_log_as_csv_after_a_recent_login(tree):
    school_admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    accept(school_admin, tree.school_a, Role.TEACHER, "=cmd@example.test")
    officer = make_membership(Role.PRIVACY_OFFICER, tree.region_a)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})

    response = client.get(reverse("grant_log_csv"))

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["When", "Event", "Role", "Organisation", "Person", "By", "Reason"]
    assert [row[1:6] for row in rows[1:]] == [
        ["Granted", "Teacher", "School A", "'=cmd@example.test", school_admin.email]
    ]


def test_it_answers_404_for_the_log_to_everyone_else(tree):
    for user in (
        make_membership(Role.REGIONAL_COORDINATOR, tree.region_a),
        make_membership(Role.SCHOOL_ADMIN, tree.school_a),
    ):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("grant_log")).status_code == 404
        assert client.get(reverse("grant_log_csv")).status_code == 404

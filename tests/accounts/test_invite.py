import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, User
from accounts.roles import Role
from core.errors import ServiceError
from tests.factories import make_membership, make_user


@pytest.fixture
def school_admin_a(tree):
    return make_membership(Role.SCHOOL_ADMIN, tree.school_a)


def test_it_invites_and_sends_the_link_on_commit(tree, school_admin_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite(
            school_admin_a,
            email="New@Example.test",
            organisation=tree.school_a,
            role=Role.TEACHER,
            language="en",
        )

    assert invitation.email == "new@example.test"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.test"]
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body
    assert "School A" in mail.outbox[0].subject
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_it_sends_the_invitation_once_when_the_task_is_delivered_twice(tree, school_admin_a):
    from accounts.tasks import send_invitation_email

    invitation = services.invite(
        school_admin_a, email="x@example.test", organisation=tree.school_a, role=Role.TEACHER
    )

    assert send_invitation_email(invitation.pk) is True
    assert send_invitation_email(invitation.pk) is False
    assert len(mail.outbox) == 1


def test_it_accepts_an_invitation_end_to_end_through_the_pages(
    client, tree, school_admin_a, django_capture_on_commit_callbacks
):
    client.force_login(school_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitation_list"),
            {
                "email": "lotte@example.test",
                "organisation": tree.school_a.pk,
                "role": Role.TEACHER,
                "language": "nl",
            },
        )
    assert response.status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    path = link[link.index("/invitations/") :]
    client.logout()

    page = client.get(path)
    assert page.status_code == 200
    response = client.post(
        path,
        {
            "first_name": "Lotte",
            "last_name": "Jansen",
            "password1": "a-Long-passphrase-42",
            "password2": "a-Long-passphrase-42",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="lotte@example.test")
    assert user.first_name == "Lotte"
    assert list(Membership.objects.filter(user=user).values_list("organisation__name", "role")) == [
        ("School A", Role.TEACHER)
    ]
    assert user.emailaddress_set.get().verified is True
    assert client.get(reverse("dashboard")).status_code == 200
    # The link cannot be used twice.
    assert client.get(path).status_code == 404


def test_it_refuses_an_expired_invitation_and_creates_nothing(client, tree, school_admin_a):
    invitation = services.invite(
        school_admin_a, email="late@example.test", organisation=tree.school_a, role=Role.TEACHER
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timezone.timedelta(days=1))

    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {
            "first_name": "L",
            "last_name": "J",
            "password1": "a-Long-passphrase-42",
            "password2": "a-Long-passphrase-42",
        },
    )

    assert response.status_code == 404
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="late@example.test").exists()


def test_it_answers_404_for_an_unknown_invitation(client, db):
    assert client.get(reverse("invitation_accept", args=["nope"])).status_code == 404


def test_it_shows_a_form_error_for_a_weak_password_and_creates_nothing(client, tree, school_admin_a):
    invitation = services.invite(
        school_admin_a, email="weak@example.test", organisation=tree.school_a, role=Role.TEACHER
    )

    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {
            "first_name": "W",
            "last_name": "P",
            "password1": "12345678",
            "password2": "12345678",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(email="weak@example.test").exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_it_refuses_an_invitation_outside_the_inviters_reach(tree, school_admin_a):
    with pytest.raises(ServiceError) as exc:
        services.invite(school_admin_a, email="b@example.test", organisation=tree.school_b, role=Role.TEACHER)

    assert exc.value.field == "organisation"
    assert not Invitation.objects.exists()


def test_it_refuses_a_role_the_inviter_may_not_grant(tree, school_admin_a):
    with pytest.raises(ServiceError) as exc:
        services.invite(
            school_admin_a, email="b@example.test", organisation=tree.school_a, role=Role.REGIONAL_COORDINATOR
        )

    assert exc.value.field == "role"
    assert not Invitation.objects.exists()


def test_it_refuses_a_duplicate_open_invitation(tree, school_admin_a):
    services.invite(school_admin_a, email="dup@example.test", organisation=tree.school_a, role=Role.TEACHER)

    with pytest.raises(ServiceError) as exc:
        services.invite(
            school_admin_a, email="DUP@example.test", organisation=tree.school_a, role=Role.TEACHER
        )

    assert exc.value.code == "duplicate"
    assert Invitation.objects.count() == 1


def test_it_refuses_to_invite_an_existing_member_into_the_same_role(tree, school_admin_a):
    teacher = make_membership(Role.TEACHER, tree.school_a, make_user("t@example.test"))

    with pytest.raises(ServiceError):
        services.invite(school_admin_a, email=teacher.email, organisation=tree.school_a, role=Role.TEACHER)


def test_it_adds_a_membership_to_an_existing_account(tree, school_admin_a):
    existing = make_user("both@example.test")
    make_membership(Role.TEACHER, tree.school_a2, existing)
    invitation = services.invite(
        school_admin_a, email="both@example.test", organisation=tree.school_a, role=Role.SCHOOL_STAFF
    )

    user = services.accept_invitation(invitation.token, password="ignored-for-existing-1")

    assert user == existing
    assert set(user.memberships.values_list("role", flat=True)) == {Role.TEACHER, Role.SCHOOL_STAFF}


def test_it_shows_form_errors_for_a_bad_invitation_form(client, tree, school_admin_a):
    client.force_login(school_admin_a)

    response = client.post(
        reverse("invitation_list"),
        {
            "email": "not-an-email",
            "organisation": tree.school_b.pk,
            "role": Role.TEACHER,
            "language": "nl",
        },
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "organisation"}
    assert not Invitation.objects.exists()


def test_it_answers_404_on_the_invitation_page_for_a_teacher(client, tree):
    client.force_login(make_membership(Role.TEACHER, tree.school_a))

    assert client.get(reverse("invitation_list")).status_code == 404

"""The invite form offers only the roles the inviter may really grant, and marks those that need approval."""

from accounts.forms import InvitationForm
from accounts.roles import Role
from tests.factories import make_membership


def choices(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {value: str(label) for value, label in InvitationForm(user=user).fields["role"].choices}


def test_it_offers_a_municipal_coordinator_only_what_they_may_grant_and_marks_approval(tree):
    form_choices = choices(make_membership(Role.MUNICIPAL_COORDINATOR, tree.municipality_a1))

    assert form_choices == {
        Role.TEACHER: "Teacher",
        Role.SCHOOL_ADMIN: "School administrator (needs approval)",
        Role.SCHOOL_STAFF: "School staff (internal supervisor) (needs approval)",
        Role.BUDDY_COORDINATOR: "Buddy coordinator (needs approval)",
        Role.MUNICIPAL_COORDINATOR: "Municipal coordinator",
    }


def test_it_offers_a_school_admin_the_school_roles_without_approval(tree):
    user = make_membership(Role.SCHOOL_ADMIN, tree.school_a)

    assert choices(user) == {
        Role.TEACHER: "Teacher",
        Role.SCHOOL_ADMIN: "School administrator",
        Role.SCHOOL_STAFF: "School staff (internal supervisor)",
        Role.BUDDY_COORDINATOR: "Buddy coordinator",
    }
    assert InvitationForm(user=user).fields["role"].help_text == ""


def test_it_refuses_a_role_that_is_not_offered(tree):
    user = make_membership(Role.MUNICIPAL_COORDINATOR, tree.municipality_a1)
    form = InvitationForm(
        {
            "email": "x@example.test",
            "organisation": tree.municipality_a1.pk,
            "role": Role.PRIVACY_OFFICER,
            "language": "nl",
        },
        user=user,
    )

    assert not form.is_valid()
    assert list(form.errors) == ["role"]

"""Approving and refusing a grant: who may decide, what the inviter and the invitee are told, the pages,
the API and the dashboard panel."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import grants, services
from accounts.models import GrantEvent, GrantLogEntry, GrantRequest, GrantStatus, Membership
from accounts.roles import Role
from core.errors import ServiceError
from tests.factories import make_membership, make_user

PASSWORD = "pw-for-tests-123"


@pytest.fixture
def coordinator(tree):  # type: ignore[no-untyped-def]
    return make_membership(Role.MUNICIPAL_COORDINATOR, tree.municipality_a1)


@pytest.fixture
def privacy_officer(tree):  # type: ignore[no-untyped-def]
    return make_membership(Role.PRIVACY_OFFICER, tree.region_a)


def pending_grant(inviter, organisation, role=Role.BUDDY_COORDINATOR, email="alias@example.test"):  # type: ignore[no-untyped-def]
    invitation = services.invite(inviter, email=email, organisation=organisation, role=role)
    user = services.accept_invitation(invitation.token, password=PASSWORD, first_name="A", last_name="Lias")
    return GrantRequest.objects.get(user=user, status=GrantStatus.PENDING)


def browser(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_it_never_lets_the_inviter_or_the_invitee_approve(tree):
    # One person who is both regional coordinator and privacy officer, inviting an address of their own.
    both = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    make_membership(Role.PRIVACY_OFFICER, tree.region_a, user=both)
    grant = pending_grant(both, tree.municipality_a1)
    make_membership(Role.PRIVACY_OFFICER, tree.region_a, user=grant.user)

    for person in (both, grant.user):
        with pytest.raises(ServiceError) as refused:
            grants.approve(person, grant)
        assert refused.value.code == "out_of_reach"
        assert list(grants.approvable(person)) == []
    assert not Membership.objects.filter(user=grant.user, role=Role.BUDDY_COORDINATOR).exists()


def test_it_backs_the_second_person_rule_with_a_database_constraint(tree, coordinator):
    grant = pending_grant(coordinator, tree.school_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        GrantRequest.objects.filter(pk=grant.pk).update(decided_by=coordinator)


def test_it_lets_only_the_schools_admin_or_the_regions_privacy_officer_decide(tree, coordinator):
    grant = pending_grant(coordinator, tree.school_a)
    other_school_admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a2)
    other_region_officer = make_membership(Role.PRIVACY_OFFICER, tree.region_b)
    school_admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)

    assert list(grants.approvable(other_school_admin)) == []
    assert list(grants.approvable(other_region_officer)) == []
    assert list(grants.approvable(school_admin)) == [grant]


def test_it_approves_a_grant_tells_both_and_logs_it(
    tree, coordinator, privacy_officer, django_capture_on_commit_callbacks
):
    grant = pending_grant(coordinator, tree.municipality_a1)

    with django_capture_on_commit_callbacks(execute=True):
        grants.approve(privacy_officer, grant, reason="Nieuwe maatjescoördinator")

    assert Membership.objects.filter(
        user=grant.user, organisation=tree.municipality_a1, role=Role.BUDDY_COORDINATOR
    ).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, grant.user.email])
    assert all("approved" in m.subject or "goedgekeurd" in m.subject for m in mail.outbox)
    assert list(GrantLogEntry.objects.order_by("pk").values_list("event", "actor_email", "reason")) == [
        (GrantEvent.PENDING, coordinator.email, ""),
        (GrantEvent.APPROVED, privacy_officer.email, "Nieuwe maatjescoördinator"),
    ]


def test_it_refuses_a_grant_only_with_a_reason(tree, coordinator, privacy_officer):
    grant = pending_grant(coordinator, tree.municipality_a1)

    with pytest.raises(ServiceError) as missing:
        grants.refuse(privacy_officer, grant, reason="  ")
    grants.refuse(privacy_officer, grant, reason="Onbekend adres")

    assert missing.value.field == "reason"
    grant.refresh_from_db()
    assert (grant.status, grant.reason, grant.decided_by) == (
        GrantStatus.REFUSED,
        "Onbekend adres",
        privacy_officer,
    )
    assert not Membership.objects.filter(user=grant.user).exists()
    with pytest.raises(ServiceError) as again:
        grants.approve(privacy_officer, grant)
    assert again.value.code == "out_of_reach"


def test_it_shows_and_decides_pending_grants_on_the_page(tree, coordinator, privacy_officer):
    grant = pending_grant(coordinator, tree.municipality_a1)
    client = browser(privacy_officer)

    page = client.get(reverse("grant_list")).content.decode()
    no_reason = client.post(reverse("grant_list"), {"grant": grant.pk, "decision": "refuse", "reason": ""})
    approved = client.post(reverse("grant_list"), {"grant": grant.pk, "decision": "approve", "reason": ""})

    assert "alias@example.test" in page
    assert no_reason.status_code == 400
    assert "Say why you refuse this grant." in no_reason.content.decode()
    assert approved.status_code == 302
    assert Membership.objects.filter(user=grant.user, role=Role.BUDDY_COORDINATOR).exists()


def test_it_answers_404_for_a_grant_out_of_reach_on_the_page(tree, coordinator):
    grant = pending_grant(coordinator, tree.municipality_a1)
    elsewhere = make_membership(Role.PRIVACY_OFFICER, tree.region_b)

    response = browser(elsewhere).post(reverse("grant_list"), {"grant": grant.pk, "decision": "approve"})

    assert response.status_code == 404
    assert browser(make_user()).get(reverse("grant_list")).status_code == 404


def test_it_puts_pending_grants_in_the_approvers_menu_and_dashboard(tree, coordinator, privacy_officer):
    pending_grant(coordinator, tree.municipality_a1)

    page = browser(privacy_officer).get(reverse("dashboard")).content.decode()

    assert f'href="{reverse("grant_list")}"' in page
    assert "1 grant awaits your approval" in page
    assert "alias@example.test" in page


def test_it_lists_approves_and_refuses_grants_through_the_api(tree, coordinator, privacy_officer):
    first = pending_grant(coordinator, tree.municipality_a1)
    second = pending_grant(coordinator, tree.municipality_a1, email="other@example.test")
    api = APIClient()
    api.force_authenticate(privacy_officer)
    outsider = APIClient()
    outsider.force_authenticate(make_membership(Role.PRIVACY_OFFICER, tree.region_b))

    listed = api.get("/api/v1/grants/").json()
    no_reason = api.post(f"/api/v1/grants/{second.pk}/refuse/", {"reason": ""}, format="json")
    out_of_reach = outsider.post(f"/api/v1/grants/{first.pk}/approve/", {}, format="json")
    approved = api.post(f"/api/v1/grants/{first.pk}/approve/", {}, format="json")

    assert [g["email"] for g in listed["results"]] == ["alias@example.test", "other@example.test"]
    assert no_reason.status_code == 400
    assert no_reason.json()["fields"] == {"reason": ["Say why you refuse this grant."]}
    assert out_of_reach.status_code == 404
    assert approved.status_code == 200
    assert approved.json()["status"] == GrantStatus.APPROVED


def test_it_shows_the_inviter_that_an_accepted_invitation_awaits_approval(tree, coordinator):
    pending_grant(coordinator, tree.school_a)

    page = browser(coordinator).get(reverse("invitation_list")).content.decode()

    assert "accepted, awaiting approval" in page

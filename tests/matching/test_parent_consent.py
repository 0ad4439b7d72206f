"""A peer buddy's consent given and withdrawn by the parent: the buddy gains and loses consent, an approved
match ends with that reason and the coordinators are told once; a proposal without consent cannot be
approved, whatever channel it came by."""

import pytest
from django.core import mail
from django.test import Client

from accounts.roles import Role
from core.errors import ServiceError
from matching import parent_consent
from matching.models import BuddyConsentBy, BuddyKind, EndReason, Match, MatchStatus
from matching.services import review
from parents import consent
from parents.models import ConsentChannel, ConsentRequest
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_match, make_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_a(tree):
    return make_membership(Role.BUDDY_COORDINATOR, tree.school_a)


def test_it_gives_the_buddy_consent_when_the_parent_says_yes(tree, coordinator_a):
    buddy = make_buddy(tree.school_a, consent_by="", consent_at=None)
    assert not buddy.has_consent
    asked = parent_consent.ask(buddy, coordinator_a, parent_email="", language="ar")
    consent.answer(asked, given=True)
    buddy.refresh_from_db()
    assert (buddy.consent_by, buddy.consent_recorded_by) == (BuddyConsentBy.PARENT, None)
    assert buddy.has_consent


def test_it_ends_approved_matches_and_tells_the_coordinator_once_when_consent_is_withdrawn(
    tree, coordinator_a, django_capture_on_commit_callbacks
):
    buddy = make_buddy(tree.school_a, consent_by="", consent_at=None)
    asked = parent_consent.ask(buddy, coordinator_a, parent_email="", language="nl")
    consent.answer(asked, given=True)
    match = make_match(make_pupil(tree.school_a, first_name="Hamid"), buddy)
    review.approve(coordinator_a, match.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consent.revoke(ConsentRequest.objects.get(pk=asked.pk))
    match.refresh_from_db()
    buddy.refresh_from_db()
    assert (match.status, match.end_reason) == (MatchStatus.ENDED, EndReason.CONSENT_REVOKED)
    assert not buddy.has_consent
    assert [m.to for m in mail.outbox] == [[coordinator_a.email]]
    assert "Hamid" not in mail.outbox[0].subject
    from matching.notifications import notify_match_ended

    assert notify_match_ended(match.pk) is False  # a second delivery sends nothing
    assert len(mail.outbox) == 1


def test_it_refuses_to_approve_a_peer_buddy_without_consent(tree, coordinator_a):
    buddy = make_buddy(tree.school_a, consent_by="", consent_at=None)
    match = make_match(make_pupil(tree.school_a), buddy)
    with pytest.raises(ServiceError) as refused:
        review.approve(coordinator_a, match.pk)
    assert refused.value.code == "consent_missing"
    assert Match.objects.get(pk=match.pk).status == MatchStatus.PROPOSED


def test_it_refuses_to_approve_without_consent_through_the_api(tree, coordinator_a):
    buddy = make_buddy(tree.school_a, consent_by="", consent_at=None)
    match = make_match(make_pupil(tree.school_a), buddy)
    client = Client()
    client.force_login(coordinator_a)
    response = client.post(f"/api/v1/matches/{match.pk}/approve/", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "consent_missing"
    assert Match.objects.get(pk=match.pk).status == MatchStatus.PROPOSED


def test_it_asks_only_for_peer_buddies(tree, coordinator_a):
    staff_buddy = make_buddy(tree.school_a, kind=BuddyKind.STAFF)
    with pytest.raises(ServiceError):
        parent_consent.ask(staff_buddy, coordinator_a, parent_email="", language="nl")
    assert ConsentRequest.objects.count() == 0


def test_it_shows_the_parents_answers_on_the_buddy_page(tree, coordinator_a):
    buddy = make_buddy(tree.school_a, consent_by="", consent_at=None)
    client = Client()
    client.force_login(coordinator_a)
    response = client.post(f"/matching/buddies/{buddy.pk}/consent/", {"parent_email": "", "language": "ti"})
    assert response.status_code == 302
    asked = ConsentRequest.objects.get(subject="matching.buddy", subject_id=buddy.pk)
    assert asked.language == "ti"
    page = client.get(f"/matching/buddies/{buddy.pk}/edit/").content.decode()
    assert f"/ouders/beheer/toestemming/{asked.pk}/brief.pdf" in page
    consent.answer(asked, given=True, channel=ConsentChannel.LINK)
    consent.revoke(ConsentRequest.objects.get(pk=asked.pk))
    page = client.get(f"/matching/buddies/{buddy.pk}/edit/").content.decode()
    assert page.count('class="consent-history"') == 1
    assert "Gegeven" in page and "Ingetrokken" in page  # noqa: PT018 - the two answers, in Dutch


def test_it_hides_the_consent_of_another_schools_buddy(tree):
    other = make_buddy(tree.school_b, consent_by="", consent_at=None)
    coordinator_a = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    client = Client()
    client.force_login(coordinator_a)
    response = client.post(f"/matching/buddies/{other.pk}/consent/", {"parent_email": "", "language": "nl"})
    assert response.status_code == 404
    assert not ConsentRequest.objects.filter(subject_id=other.pk).exists()

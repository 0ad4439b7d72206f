from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail

from accounts.roles import Role
from core.errors import Conflict, NotFound, ServiceError
from core.models import OutboxMessage
from matching import notifications
from matching.models import CheckIn, Match, MatchStatus, RunStatus
from matching.services import review
from tests.factories import make_membership, make_user
from tests.matching.factories import make_buddy, make_match, make_pupil


def test_it_approves_schedules_check_ins_and_queues_the_notification(tree, coordinator_a):
    match = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))

    review.approve(coordinator_a, match.pk)

    match.refresh_from_db()
    assert match.status == MatchStatus.APPROVED
    assert match.decided_by == coordinator_a
    due = list(CheckIn.objects.filter(match=match).values_list("due_on", flat=True))
    start = match.starts_on
    assert due[:3] == [start + timedelta(weeks=1), start + timedelta(weeks=2), start + timedelta(weeks=6)]
    assert len(due) == 3 + 5  # then monthly: months 2..6 of a six-month term
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("matching.notify_match_approved", [match.pk])
    ]


def test_it_refuses_approval_when_the_buddy_is_full(tree, coordinator_a):
    buddy = make_buddy(tree.school_a, capacity=1)
    make_match(make_pupil(tree.school_a), buddy, status=MatchStatus.APPROVED)
    pending = make_match(make_pupil(tree.school_a), buddy)

    with pytest.raises(ServiceError) as exc:
        review.approve(coordinator_a, pending.pk)

    assert exc.value.code == "buddy_full"
    pending.refresh_from_db()
    assert pending.status == MatchStatus.PROPOSED
    assert CheckIn.objects.count() == 0


def test_it_refuses_a_second_approved_buddy_of_the_same_kind(tree, coordinator_a):
    pupil = make_pupil(tree.school_a)
    make_match(pupil, make_buddy(tree.school_a), status=MatchStatus.APPROVED)
    second = make_match(pupil, make_buddy(tree.school_a))

    with pytest.raises(Conflict):
        review.approve(coordinator_a, second.pk)


def test_it_refuses_to_approve_a_proposal_of_a_run_still_running(tree, coordinator_a):
    match = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))
    match.run.status = RunStatus.RUNNING
    match.run.save()

    with pytest.raises(ServiceError) as exc:
        review.approve(coordinator_a, match.pk)

    assert exc.value.code == "run_not_done"


def test_it_answers_404_when_approving_out_of_reach(tree, coordinator_a):
    match = make_match(make_pupil(tree.school_b), make_buddy(tree.school_b))

    with pytest.raises(NotFound):
        review.approve(coordinator_a, match.pk)


def test_it_rejects_and_refuses_to_change_a_decided_match(tree, coordinator_a):
    match = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))

    review.reject(coordinator_a, match.pk)

    with pytest.raises(ServiceError) as exc:
        review.approve(coordinator_a, match.pk)
    assert exc.value.code == "not_proposed"
    assert Match.objects.get().status == MatchStatus.REJECTED


def test_it_swaps_to_an_alternative_with_fresh_reasons(tree, coordinator_a):
    pupil = make_pupil(tree.school_a, home_languages=["uk"], grade=5)
    first = make_buddy(tree.school_a, languages=["nl"], grade=5)
    other = make_buddy(tree.school_a, languages=["uk"], grade=6)
    match = make_match(pupil, first, alternatives=[[other.pk, 1.0]], cost=5.0)

    review.swap(coordinator_a, match.pk, other.pk)

    match.refresh_from_db()
    assert match.buddy_id == other.pk
    assert match.reasons == [
        ["shared_home_language", {"languages": ["uk"]}],
        ["grade_distance", {"distance": 1}],
        ["buddy_load", {"load": 0}],
    ]
    assert match.alternatives == [[first.pk, 5.0]]


def test_it_refuses_a_swap_to_a_buddy_that_was_not_an_alternative(tree, coordinator_a):
    match = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a), alternatives=[])
    stranger = make_buddy(tree.school_a)

    with pytest.raises(ServiceError) as exc:
        review.swap(coordinator_a, match.pk, stranger.pk)

    assert exc.value.field == "buddy"


def test_it_locks_a_proposal(tree, coordinator_a):
    match = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))

    review.lock(coordinator_a, match.pk)

    assert Match.objects.get().locked is True


def test_it_notifies_the_school_contacts_once_in_their_language(tree, coordinator_a):
    admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a, make_user(language="en"))
    staff = make_membership(Role.SCHOOL_STAFF, tree.school_a, make_user(language="nl"))
    make_membership(Role.TEACHER, tree.school_a)
    match = make_match(make_pupil(tree.school_a, first_name="Amira"), make_buddy(tree.school_a))
    review.approve(coordinator_a, match.pk)

    assert notifications.notify_match_approved(match.pk) is True
    assert notifications.notify_match_approved(match.pk) is False

    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin.email, staff.email])
    english = next(m for m in mail.outbox if m.to == [admin.email])
    assert english.subject == "A buddy match was approved at your school"
    assert "Amira" not in english.subject
    assert "Amira P." in english.body
    assert "We suggest an introduction meeting on" in english.body


def test_it_tells_the_school_again_after_a_failed_send_and_only_once_after_that(tree, coordinator_a):
    make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    match = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))
    review.approve(coordinator_a, match.pk)

    down = mock.patch("matching.notifications.get_connection", side_effect=ConnectionError("smtp down"))
    with down, pytest.raises(ConnectionError):
        notifications.notify_match_approved(match.pk)
    assert Match.objects.get(pk=match.pk).notified_at is None  # the retry may send
    assert mail.outbox == []

    assert notifications.notify_match_approved(match.pk) is True
    assert notifications.notify_match_approved(match.pk) is False
    assert len(mail.outbox) == 1
    assert Match.objects.get(pk=match.pk).notified_at is not None


def test_it_suggests_a_weekday_for_the_introduction_meeting():
    assert notifications.suggested_meeting(date(2026, 11, 26)) == date(2026, 11, 30)  # Thu -> Mon


def test_it_approves_many_in_buddy_order_and_reports_refusals(tree, coordinator_a):
    buddy = make_buddy(tree.school_a, capacity=1)
    a = make_match(make_pupil(tree.school_a), buddy)
    b = make_match(make_pupil(tree.school_a), buddy)
    out_of_reach = make_match(make_pupil(tree.school_b), make_buddy(tree.school_b))

    result = review.approve_many(coordinator_a, [b.pk, a.pk, out_of_reach.pk])

    assert result.approved == [a.pk]
    assert set(result.refused) == {b.pk, out_of_reach.pk}

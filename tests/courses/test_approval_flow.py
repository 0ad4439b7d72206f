"""Sign-up approval in one or two stages, a deputy for an absent approver, the reminder to approvers
and the trail the teacher reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.errors import ServiceError
from courses import approval, services
from courses.models import (
    ApprovalDecision,
    ApprovalReminder,
    ApprovalStage,
    ApproverAbsence,
    EnrolmentStatus,
)
from tests.courses.factories import make_edition, make_teacher
from tests.factories import make_membership


@pytest.fixture
def leader_a(tree):  # type: ignore[no-untyped-def]
    return make_membership(Role.SCHOOL_ADMIN, tree.school_a)


def _two_stage(module, **extra):  # type: ignore[no-untyped-def]
    return make_edition(module, requires_school_approval=True, requires_organiser_approval=True, **extra)


def _away(leader, deputy, school, days=3):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return approval.record_absence(
        leader, school, approver=leader, deputy=deputy, starts_on=today, ends_on=today + timedelta(days=days)
    )


def test_it_runs_two_stages_school_leader_then_organiser(tree, module_a, organiser_a, leader_a):
    edition = _two_stage(module_a)
    teacher = make_teacher(tree.school_a)
    enrolment = services.enrol(teacher, edition)
    assert (enrolment.status, enrolment.approval_stage) == (
        EnrolmentStatus.PENDING_APPROVAL,
        ApprovalStage.SCHOOL,
    )

    with pytest.raises(ServiceError) as caught:
        approval.decide(organiser_a, enrolment, approve=True)
    assert caught.value.code == "not_school_staff"

    enrolment = approval.decide(leader_a, enrolment, approve=True)
    assert (enrolment.status, enrolment.approval_stage) == (
        EnrolmentStatus.PENDING_APPROVAL,
        ApprovalStage.ORGANISER,
    )
    with pytest.raises(ServiceError) as caught:
        approval.decide(leader_a, enrolment, approve=True)
    assert caught.value.code == "not_organiser"

    enrolment = approval.decide(organiser_a, enrolment, approve=True)
    assert (enrolment.status, enrolment.approval_stage) == (EnrolmentStatus.CONFIRMED, "")
    assert list(ApprovalDecision.objects.values_list("stage", "decision", "decided_by")) == [
        ("school", "approved", leader_a.pk),
        ("organiser", "approved", organiser_a.pk),
    ]


def test_it_lets_a_deputy_approve_while_the_approver_is_away(tree, module_a, leader_a):
    edition = make_edition(module_a, requires_school_approval=True)
    deputy = make_teacher(tree.school_a)
    enrolment = services.enrol(make_teacher(tree.school_a), edition)
    with pytest.raises(ServiceError):
        approval.decide(deputy, enrolment, approve=True)  # not yet a deputy

    _away(leader_a, deputy, tree.school_a)
    assert list(approval.awaiting(deputy)) == [enrolment]
    enrolment = approval.decide(deputy, enrolment, approve=True)

    assert enrolment.status == EnrolmentStatus.CONFIRMED
    decision = ApprovalDecision.objects.get()
    assert (decision.decided_by, decision.on_behalf_of) == (deputy, leader_a)
    steps = approval.trail(enrolment)
    assert len(steps) == 1
    assert steps[0].done
    assert "deputy for" in steps[0].detail


def test_it_stops_the_deputy_when_the_absence_ends(tree, module_a, leader_a):
    edition = make_edition(module_a, requires_school_approval=True)
    deputy = make_teacher(tree.school_a)
    enrolment = services.enrol(make_teacher(tree.school_a), edition)
    absence = _away(leader_a, deputy, tree.school_a)

    approval.end_absence(leader_a, absence)

    assert not ApproverAbsence.objects.filter(pk=absence.pk).exists()  # started today: withdrawn whole
    with pytest.raises(ServiceError):
        approval.decide(deputy, enrolment, approve=True)
    assert list(approval.awaiting(deputy)) == []


def test_it_refuses_a_deputy_from_another_school_and_an_absence_in_the_past(tree, module_a, leader_a):
    today = timezone.localdate()
    stranger = make_teacher(tree.school_a2)
    with pytest.raises(ServiceError) as caught:
        approval.record_absence(
            leader_a, tree.school_a, approver=leader_a, deputy=stranger, starts_on=today, ends_on=today
        )
    assert caught.value.field == "deputy"
    with pytest.raises(ServiceError) as caught:
        approval.record_absence(
            leader_a,
            tree.school_a,
            approver=leader_a,
            deputy=make_teacher(tree.school_a),
            starts_on=today - timedelta(days=5),
            ends_on=today - timedelta(days=1),
        )
    assert caught.value.field == "ends_on"
    assert not ApproverAbsence.objects.exists()


def test_it_places_the_last_approval_on_the_waitlist_when_the_edition_is_full(
    tree, module_a, organiser_a, leader_a
):
    edition = _two_stage(module_a, capacity=1)
    first, second = (services.enrol(make_teacher(tree.school_a), edition) for _ in range(2))
    for enrolment in (first, second):
        approval.decide(leader_a, enrolment, approve=True)
        approval.decide(organiser_a, enrolment, approve=True)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED)


def test_it_respects_the_school_limit_on_approval(tree, module_a, leader_a):
    edition = make_edition(module_a, capacity=10, requires_school_approval=True, school_seat_limit=1)
    first, second = (services.enrol(make_teacher(tree.school_a), edition) for _ in range(2))

    statuses = [approval.decide(leader_a, e, approve=True).status for e in (first, second)]

    assert statuses == [EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED]


def test_it_records_a_decline_and_tells_the_teacher(
    tree, module_a, leader_a, mailoutbox, django_capture_on_commit_callbacks
):
    edition = _two_stage(module_a)
    enrolment = services.enrol(make_teacher(tree.school_a), edition)

    with django_capture_on_commit_callbacks(execute=True):
        enrolment = approval.decide(leader_a, enrolment, approve=False)

    assert enrolment.status == EnrolmentStatus.REJECTED
    assert ApprovalDecision.objects.get().decision == "rejected"
    assert len(mailoutbox) == 1


def test_it_reminds_each_approver_once_per_day(tree, module_a, organiser_a, leader_a, mailoutbox):
    edition = _two_stage(module_a)
    deputy = make_teacher(tree.school_a)
    staff = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    services.enrol(make_teacher(tree.school_a), edition)
    at_organiser = services.enrol(make_teacher(tree.school_a), edition)
    approval.decide(leader_a, at_organiser, approve=True)
    _away(leader_a, deputy, tree.school_a)

    assert approval.remind_approvers() == 3
    assert approval.remind_approvers() == 0  # the same day: nothing again

    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted([deputy.email, staff.email, organiser_a.email])  # the leader is away
    assert ApprovalReminder.objects.count() == 3
    tomorrow = timezone.now() + timedelta(days=1)
    assert approval.remind_approvers(tomorrow) == 3


def test_it_shows_the_teacher_where_the_request_stands(client, tree, module_a, leader_a):
    edition = _two_stage(module_a)
    teacher = make_teacher(tree.school_a)
    enrolment = services.enrol(teacher, edition)
    approval.decide(leader_a, enrolment, approve=True)
    client.force_login(teacher)

    page = client.get("/courses/mine/").content.decode()

    assert "The school leader: Approved by" in page
    assert "The organiser: awaiting decision" in page


def test_it_shows_absence_form_errors(client, tree, leader_a):
    client.force_login(leader_a)
    today = timezone.localdate()

    response = client.post(
        "/courses/approvals/absences/new/",
        {
            "school": tree.school_a.pk,
            "approver": leader_a.pk,
            "deputy": leader_a.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=2)).isoformat(),
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "The deputy must be someone else." in body
    assert "The absence must end on or after its first day." in body
    assert not ApproverAbsence.objects.exists()

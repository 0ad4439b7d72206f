from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.errors import ServiceError
from courses import completion
from courses.models import Certificate, Participant
from tests.courses.factories import end_edition, make_edition, make_enrolment, make_trajectory
from tests.factories import make_membership


def _trajectory(tree):
    return make_trajectory(tree.region_a, tree.school_a)


def _complete_module(module, participant, organiser):
    edition = make_edition(module)
    enrolment = make_enrolment(edition, participant.staff_member)
    end_edition(edition)
    completion.mark_attendance(organiser, edition.meetings.first(), {enrolment.pk})
    completion.complete_edition(organiser, edition)


def test_it_tracks_progress_per_participant(tree, organiser_a):
    _t, modules, participant = _trajectory(tree)
    _complete_module(modules[0], participant, organiser_a)

    progress = completion.participant_progress(participant)

    assert [(s.module_title, s.done) for s in progress] == [("Step 1", True), ("Step 2", False)]


def test_it_certifies_a_participant_once_every_step_and_the_plan_are_done(tree, organiser_a):
    _t, modules, participant = _trajectory(tree)
    for module in modules:
        _complete_module(module, participant, organiser_a)
    with pytest.raises(ServiceError) as exc:
        completion.complete_participant(organiser_a, participant)
    assert exc.value.code == "plan_open"
    Participant.objects.filter(pk=participant.pk).update(plan_approved_at=timezone.now())

    certificate = completion.complete_participant(organiser_a, participant)

    assert certificate.participant == participant
    assert certificate.hours == Decimal("60")
    assert Certificate.objects.filter(teacher=participant.staff_member).count() == 3


def test_it_refuses_certifying_with_open_steps(tree, organiser_a):
    _t, _modules, participant = _trajectory(tree)
    Participant.objects.filter(pk=participant.pk).update(plan_approved_at=timezone.now())
    with pytest.raises(ServiceError) as exc:
        completion.complete_participant(organiser_a, participant)
    assert exc.value.code == "steps_open"


def test_it_lets_the_staff_member_write_and_the_organiser_approve_the_plan(tree, organiser_a):
    _t, _modules, participant = _trajectory(tree)
    Participant.objects.filter(pk=participant.pk).update(personal_plan="", plan_approved_at=None)

    completion.save_plan(participant.staff_member, participant, "Warme overdracht en maatjesgesprekken.")
    approved = completion.approve_plan(organiser_a, participant)

    assert approved.personal_plan == "Warme overdracht en maatjesgesprekken."
    assert approved.plan_approved_at is not None


def test_it_refuses_a_plan_written_by_someone_else(tree):
    from core.errors import Forbidden

    _t, _modules, participant = _trajectory(tree)
    with pytest.raises(Forbidden):
        completion.save_plan(make_membership(Role.SCHOOL_STAFF, tree.school_a), participant, "x")


def test_it_refuses_approval_by_a_teacher(tree):
    from core.errors import Forbidden
    from tests.courses.factories import make_teacher

    _t, _modules, participant = _trajectory(tree)
    Participant.objects.filter(pk=participant.pk).update(personal_plan="Plan")
    with pytest.raises(Forbidden):
        completion.approve_plan(make_teacher(tree.school_a), participant)
    participant.refresh_from_db()
    assert participant.plan_approved_at is None


def test_it_shows_the_trajectory_to_its_staff_member_only(client, tree):
    from tests.courses.factories import make_teacher

    trajectory, _modules, participant = _trajectory(tree)
    client.force_login(participant.staff_member)
    assert client.get(f"/courses/trajectories/{trajectory.pk}/").status_code == 200
    client.force_login(make_teacher(tree.school_b))
    assert client.get(f"/courses/trajectories/{trajectory.pk}/").status_code == 404

"""Actions that cannot work are not offered; the page says why instead."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from courses import completion
from courses.models import Cohort, Participant, Theme, Trajectory, TrajectoryStep
from tests.courses.factories import end_edition, make_edition, make_enrolment, make_module, make_teacher
from tests.factories import make_membership

NOT_ENDED = "You can evaluate an edition you took part in once it has ended."


def test_it_explains_instead_of_offering_an_evaluation_of_a_future_course(client, tree, edition_a):
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)
    client.force_login(teacher)

    response = client.get(f"/courses/enrolments/{enrolment.pk}/evaluate/")

    assert response.status_code == 200
    assert response.context["reason"] == NOT_ENDED
    assert "form" not in response.context
    assert 'name="rating"' not in response.content.decode()


def test_it_offers_the_evaluation_once_the_course_has_ended(client, tree, edition_a):
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)
    end_edition(edition_a)
    client.force_login(teacher)

    response = client.get(f"/courses/enrolments/{enrolment.pk}/evaluate/")

    assert 'name="rating"' in response.content.decode()


def _participant_at_one_of_three_steps(tree, organiser):
    trajectory = Trajectory.objects.create(
        title="ITK-maatje",
        organiser=tree.region_a,
        years=3,
        pd_hours=Decimal("60"),
        theme=Theme.MULTILINGUALISM,
    )
    modules = [make_module(tree.region_a, title=f"Step {i}") for i in (1, 2, 3)]
    for i, module in enumerate(modules, start=1):
        TrajectoryStep.objects.create(trajectory=trajectory, module=module, year=i, order=1)
    cohort = Cohort.objects.create(trajectory=trajectory, name="Cohort 2026", starts_on=date(2026, 9, 1))
    staff = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    participant = Participant.objects.create(
        cohort=cohort, school=tree.school_a, staff_member=staff, plan_approved_at=timezone.now()
    )
    edition = make_edition(modules[0])
    enrolment = make_enrolment(edition, staff)
    end_edition(edition)
    completion.mark_attendance(organiser, edition.meetings.first(), {enrolment.pk})
    completion.complete_edition(organiser, edition)
    return trajectory, participant


def test_it_explains_instead_of_offering_to_certify_at_one_of_three_steps(client, tree, organiser_a):
    trajectory, participant = _participant_at_one_of_three_steps(tree, organiser_a)
    client.force_login(organiser_a)

    response = client.get(f"/courses/trajectories/{trajectory.pk}/")

    page = response.content.decode()
    assert f"/courses/organise/participants/{participant.pk}/complete/" not in page
    assert "1 of 3 steps" in page
    assert "Not every step of the trajectory is done yet." in page

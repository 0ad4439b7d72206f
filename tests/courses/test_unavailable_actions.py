"""Actions that cannot work are not offered; the page says why instead."""

from django.utils import timezone

from courses import completion
from tests.courses.factories import end_edition, make_edition, make_enrolment, make_teacher, make_trajectory

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
    trajectory, modules, participant = make_trajectory(
        tree.region_a, tree.school_a, steps=3, plan_approved_at=timezone.now()
    )
    staff = participant.staff_member
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

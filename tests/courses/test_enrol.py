from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from core.errors import Forbidden, ServiceError
from core.models import OutboxMessage
from courses import services
from courses.models import EditionStatus, Enrolment, EnrolmentStatus
from tests.courses.factories import make_edition, make_enrolment, make_module, make_teacher


def test_it_confirms_when_a_seat_is_free(tree, edition_a):
    teacher_a = make_teacher(tree.school_a)

    enrolment = services.enrol(teacher_a, edition_a)

    assert enrolment.status == EnrolmentStatus.CONFIRMED
    assert enrolment.school == tree.school_a
    assert services.waitlist_position(enrolment) is None


def test_it_waitlists_with_positions_when_full(tree, module_a):
    edition = make_edition(module_a, capacity=1)
    first, second, third = (make_teacher(tree.school_a) for _ in range(3))

    services.enrol(first, edition)
    waiting_1 = services.enrol(second, edition)
    waiting_2 = services.enrol(third, edition)

    assert waiting_1.status == EnrolmentStatus.WAITLISTED
    assert services.waitlist_position(waiting_1) == 1
    assert services.waitlist_position(waiting_2) == 2


def test_it_enqueues_the_confirmation_on_commit(tree, edition_a, django_capture_on_commit_callbacks):
    teacher_a = make_teacher(tree.school_a)

    with django_capture_on_commit_callbacks() as callbacks:
        enrolment = services.enrol(teacher_a, edition_a)

    assert len(callbacks) == 1
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("courses.send_enrolment_message", [enrolment.pk, "confirmation"])
    ]


def test_it_refuses_enrolling_twice(tree, edition_a):
    teacher_a = make_teacher(tree.school_a)
    services.enrol(teacher_a, edition_a)

    with pytest.raises(ServiceError) as exc:
        services.enrol(teacher_a, edition_a)

    assert exc.value.code == "already_enrolled"
    assert Enrolment.objects.filter(teacher=teacher_a).count() == 1


def test_it_allows_enrolling_again_after_cancelling(tree, edition_a):
    teacher_a = make_teacher(tree.school_a)
    services.cancel_enrolment(teacher_a, services.enrol(teacher_a, edition_a))

    again = services.enrol(teacher_a, edition_a)

    assert again.status == EnrolmentStatus.CONFIRMED
    assert Enrolment.objects.filter(teacher=teacher_a).count() == 2


def test_it_has_a_database_constraint_against_two_active_enrolments(tree, edition_a):
    teacher_a = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher_a)

    with pytest.raises(IntegrityError):
        make_enrolment(edition_a, teacher_a, status=EnrolmentStatus.WAITLISTED)


def test_it_refuses_enrolling_after_the_window(tree, module_a):
    edition = make_edition(
        module_a,
        enrol_closes_at=timezone.now() - timedelta(minutes=1),
        enrol_opens_at=timezone.now() - timedelta(days=3),
    )
    teacher_a = make_teacher(tree.school_a)

    with pytest.raises(ServiceError) as exc:
        services.enrol(teacher_a, edition)

    assert exc.value.code == "window_closed"
    assert exc.value.status == 400
    assert not Enrolment.objects.exists()


def test_it_refuses_enrolling_before_the_window(tree, module_a):
    edition = make_edition(module_a, enrol_opens_at=timezone.now() + timedelta(days=1))

    with pytest.raises(ServiceError) as exc:
        services.enrol(make_teacher(tree.school_a), edition)

    assert exc.value.code == "window_not_open"


def test_it_refuses_a_cancelled_edition(tree, module_a):
    edition = make_edition(module_a, status=EditionStatus.CANCELLED)

    with pytest.raises(ServiceError) as exc:
        services.enrol(make_teacher(tree.school_a), edition)

    assert exc.value.code == "cancelled"
    assert not Enrolment.objects.exists()


def test_it_refuses_a_draft_edition(tree, module_a):
    edition = make_edition(module_a, status=EditionStatus.DRAFT)

    with pytest.raises(ServiceError) as exc:
        services.enrol(make_teacher(tree.school_a), edition)

    assert exc.value.code == "not_published"


def test_it_refuses_a_teacher_outside_the_region(tree, edition_a):
    teacher_b = make_teacher(tree.school_b)

    with pytest.raises(Forbidden) as exc:
        services.enrol(teacher_b, edition_a)

    assert exc.value.status == 403
    assert not Enrolment.objects.exists()


def test_it_refuses_a_teacher_outside_the_municipality_of_a_municipal_module(tree):
    module = make_module(tree.municipality_a1)
    edition = make_edition(module)

    with pytest.raises(Forbidden):
        services.enrol(make_teacher(tree.school_a3), edition)
    assert services.enrol(make_teacher(tree.school_a), edition).status == EnrolmentStatus.CONFIRMED


def test_it_asks_the_school_first_when_approval_is_required(tree, module_a):
    edition = make_edition(module_a, requires_school_approval=True)

    enrolment = services.enrol(make_teacher(tree.school_a), edition)

    assert enrolment.status == EnrolmentStatus.PENDING_APPROVAL
    assert services.free_seats(edition) == 10

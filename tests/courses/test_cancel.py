from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, ServiceError
from core.models import OutboxMessage
from courses import services
from courses.models import EnrolmentStatus, PromotionMode
from tests.courses.factories import make_edition, make_enrolment, make_teacher


def test_it_promotes_the_first_waitlisted_when_a_seat_frees(tree, module_a):
    edition = make_edition(module_a, capacity=1)
    confirmed = services.enrol(make_teacher(tree.school_a), edition)
    first = services.enrol(make_teacher(tree.school_a), edition)
    second = services.enrol(make_teacher(tree.school_a), edition)

    services.cancel_enrolment(confirmed.teacher, confirmed)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == EnrolmentStatus.CONFIRMED
    assert second.status == EnrolmentStatus.WAITLISTED
    assert services.waitlist_position(second) == 1
    assert OutboxMessage.objects.filter(args=[first.pk, "promotion"]).count() == 1


def test_it_does_not_promote_when_a_waitlisted_teacher_leaves(tree, module_a):
    edition = make_edition(module_a, capacity=1)
    services.enrol(make_teacher(tree.school_a), edition)
    first = services.enrol(make_teacher(tree.school_a), edition)
    second = services.enrol(make_teacher(tree.school_a), edition)

    services.cancel_enrolment(first.teacher, first)

    second.refresh_from_db()
    assert second.status == EnrolmentStatus.WAITLISTED
    assert services.waitlist_position(second) == 1


def test_it_offers_the_seat_for_a_limited_time_in_offer_mode(tree, module_a):
    edition = make_edition(module_a, capacity=1, promotion_mode=PromotionMode.OFFER, offer_hours=48)
    confirmed = services.enrol(make_teacher(tree.school_a), edition)
    first = services.enrol(make_teacher(tree.school_a), edition)

    services.cancel_enrolment(confirmed.teacher, confirmed)

    first.refresh_from_db()
    assert first.status == EnrolmentStatus.OFFERED
    assert timedelta(hours=47, minutes=59) < first.offer_expires_at - timezone.now() <= timedelta(hours=48)
    assert services.free_seats(edition) == 0


def test_it_confirms_an_accepted_offer(tree, module_a):
    edition = make_edition(module_a, capacity=1, promotion_mode=PromotionMode.OFFER)
    teacher = make_teacher(tree.school_a)
    offered = make_enrolment(
        edition, teacher, EnrolmentStatus.OFFERED, offer_expires_at=timezone.now() + timedelta(hours=1)
    )

    services.accept_offer(teacher, offered)

    offered.refresh_from_db()
    assert offered.status == EnrolmentStatus.CONFIRMED
    assert offered.offer_expires_at is None


def test_it_refuses_an_expired_offer(tree, module_a):
    edition = make_edition(module_a, capacity=1, promotion_mode=PromotionMode.OFFER)
    teacher = make_teacher(tree.school_a)
    offered = make_enrolment(
        edition, teacher, EnrolmentStatus.OFFERED, offer_expires_at=timezone.now() - timedelta(minutes=1)
    )

    with pytest.raises(Conflict) as exc:
        services.accept_offer(teacher, offered)

    assert exc.value.code == "offer_expired"
    offered.refresh_from_db()
    assert offered.status == EnrolmentStatus.OFFERED


def test_it_passes_an_expired_offer_to_the_next_in_line(tree, module_a):
    edition = make_edition(module_a, capacity=1, promotion_mode=PromotionMode.OFFER)
    offered = make_enrolment(
        edition,
        make_teacher(tree.school_a),
        EnrolmentStatus.OFFERED,
        offer_expires_at=timezone.now() - timedelta(minutes=1),
    )
    nxt = make_enrolment(edition, make_teacher(tree.school_a), EnrolmentStatus.WAITLISTED)

    assert services.expire_offers() == 1
    assert services.expire_offers() == 0

    offered.refresh_from_db()
    nxt.refresh_from_db()
    assert offered.status == EnrolmentStatus.EXPIRED
    assert nxt.status == EnrolmentStatus.OFFERED


def test_it_refuses_a_teacher_cancelling_after_the_deadline(tree, module_a):
    edition = make_edition(module_a, cancel_deadline=timezone.now() - timedelta(hours=1))
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition, teacher)

    with pytest.raises(ServiceError) as exc:
        services.cancel_enrolment(teacher, enrolment)

    assert exc.value.code == "deadline_passed"
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CONFIRMED


def test_it_lets_the_organiser_cancel_after_the_deadline(tree, module_a, organiser_a):
    edition = make_edition(module_a, cancel_deadline=timezone.now() - timedelta(hours=1))
    enrolment = make_enrolment(edition, make_teacher(tree.school_a))

    services.cancel_enrolment(organiser_a, enrolment)

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED


def test_it_refuses_cancelling_someone_elses_enrolment(tree, edition_a):
    enrolment = make_enrolment(edition_a, make_teacher(tree.school_a))

    with pytest.raises(Forbidden):
        services.cancel_enrolment(make_teacher(tree.school_a), enrolment)


def test_it_refuses_cancelling_twice(tree, edition_a):
    teacher = make_teacher(tree.school_a)
    enrolment = services.enrol(teacher, edition_a)
    services.cancel_enrolment(teacher, enrolment)

    with pytest.raises(Conflict):
        services.cancel_enrolment(teacher, enrolment)


def test_it_refuses_cancelling_in_a_completed_edition(tree, module_a, organiser_a):
    from courses.models import EditionStatus

    edition = make_edition(module_a, status=EditionStatus.COMPLETED)
    enrolment = make_enrolment(edition, make_teacher(tree.school_a))

    with pytest.raises(Conflict) as exc:
        services.cancel_enrolment(organiser_a, enrolment)

    assert exc.value.code == "closed"
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CONFIRMED

"""Capacity per school: at most N seats per school, and a self-promoting waitlist that skips teachers
whose school is at its limit and takes the next eligible one."""

import pytest

from accounts.roles import Role
from core.errors import ServiceError
from courses import school_limit, services
from courses.models import EnrolmentStatus, PromotionMode, SeatReservation
from tests.courses.factories import make_edition, make_enrolment, make_teacher
from tests.factories import make_membership


def test_it_waitlists_a_teacher_whose_school_holds_its_limit(tree, module_a):
    edition = make_edition(module_a, capacity=10, school_seat_limit=2)
    a1, a2, a3 = (make_teacher(tree.school_a) for _ in range(3))
    other = make_teacher(tree.school_a2)

    statuses = [services.enrol(t, edition).status for t in (a1, a2, a3, other)]

    assert statuses == [
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.WAITLISTED,
        EnrolmentStatus.CONFIRMED,
    ]
    assert school_limit.school_seats(edition, tree.school_a.pk) == 2


def test_it_promotes_the_next_eligible_teacher_and_skips_one_over_the_limit(tree, module_a):
    edition = make_edition(module_a, capacity=3, school_seat_limit=2)
    a1, a2 = make_teacher(tree.school_a), make_teacher(tree.school_a)
    b1 = make_teacher(tree.school_a2)
    first = [services.enrol(t, edition) for t in (a1, a2, b1)]  # full: 2 of A, 1 of A2
    a3, b2 = make_teacher(tree.school_a), make_teacher(tree.school_a2)
    waiting_a3 = services.enrol(a3, edition)  # first in line, but school A is at its limit
    waiting_b2 = services.enrol(b2, edition)

    services.cancel_enrolment(b1, first[2])  # frees one seat

    waiting_a3.refresh_from_db()
    waiting_b2.refresh_from_db()
    assert waiting_a3.status == EnrolmentStatus.WAITLISTED
    assert waiting_b2.status == EnrolmentStatus.CONFIRMED
    assert services.waitlist_position(waiting_a3) == 1  # keeps their place

    services.cancel_enrolment(a1, first[0])  # school A is under its limit again

    waiting_a3.refresh_from_db()
    assert waiting_a3.status == EnrolmentStatus.CONFIRMED


def test_it_offers_only_within_the_limit_in_offer_mode(tree, module_a):
    edition = make_edition(module_a, capacity=2, school_seat_limit=1, promotion_mode=PromotionMode.OFFER)
    a1, b1 = make_teacher(tree.school_a), make_teacher(tree.school_a2)
    held = [services.enrol(t, edition) for t in (a1, b1)]
    a2, b2 = make_teacher(tree.school_a), make_teacher(tree.school_a2)
    wa, wb = services.enrol(a2, edition), services.enrol(b2, edition)

    services.cancel_enrolment(b1, held[1])

    wa.refresh_from_db()
    wb.refresh_from_db()
    assert (wa.status, wb.status) == (EnrolmentStatus.WAITLISTED, EnrolmentStatus.OFFERED)


def test_it_promotes_the_held_back_teachers_when_the_limit_is_raised(tree, module_a, organiser_a):
    edition = make_edition(module_a, capacity=10, school_seat_limit=1)
    enrolments = [services.enrol(make_teacher(tree.school_a), edition) for _ in range(3)]
    assert [e.status for e in enrolments].count(EnrolmentStatus.WAITLISTED) == 2

    promoted = school_limit.set_school_limit(organiser_a, edition, 2)

    assert [e.pk for e in promoted] == [enrolments[1].pk]
    promoted = school_limit.set_school_limit(organiser_a, edition, None)
    assert [e.pk for e in promoted] == [enrolments[2].pk]


def test_it_refuses_a_limit_below_what_a_school_holds(tree, module_a, organiser_a):
    edition = make_edition(module_a, capacity=10)
    for _ in range(3):
        services.enrol(make_teacher(tree.school_a), edition)

    with pytest.raises(ServiceError) as caught:
        school_limit.set_school_limit(organiser_a, edition, 2)

    assert (caught.value.code, caught.value.field) == ("below_held", "school_seat_limit")
    edition.refresh_from_db()
    assert edition.school_seat_limit is None


def test_it_counts_reserved_seats_towards_the_school_limit(tree, module_a):
    edition = make_edition(module_a, capacity=10, school_seat_limit=3)
    staff = make_membership(Role.SCHOOL_STAFF, tree.school_a)

    with pytest.raises(ServiceError) as caught:
        services.reserve_seats(staff, edition, tree.school_a, 4)
    assert caught.value.code == "school_limit"

    services.reserve_seats(staff, edition, tree.school_a, 2)
    assert SeatReservation.objects.get(edition=edition).seats == 2
    first = services.enrol(make_teacher(tree.school_a), edition)
    second = services.enrol(make_teacher(tree.school_a), edition)
    assert (first.status, second.status) == (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED)


def test_it_shows_the_limit_form_error_on_the_waitlist_page(client, tree, module_a, organiser_a):
    edition = make_edition(module_a, capacity=10)
    make_enrolment(edition, make_teacher(tree.school_a))
    make_enrolment(edition, make_teacher(tree.school_a))
    client.force_login(organiser_a)

    response = client.post(
        f"/courses/organise/editions/{edition.pk}/school-limit/", {"school_seat_limit": "1"}
    )

    assert response.status_code == 400
    assert "the limit cannot go below that" in response.content.decode()
    response = client.post(
        f"/courses/organise/editions/{edition.pk}/school-limit/", {"school_seat_limit": "x"}
    )
    assert response.status_code == 400
    edition.refresh_from_db()
    assert edition.school_seat_limit is None

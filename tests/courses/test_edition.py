from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.errors import Conflict, Forbidden, ServiceError
from core.models import OutboxMessage
from courses import services
from courses.models import EditionStatus, EnrolmentStatus, Format, Module, SeatReservation, Theme
from tests.courses.factories import make_edition, make_teacher
from tests.factories import make_membership


def test_it_promotes_as_many_as_fit_when_capacity_rises(tree, module_a, organiser_a):
    edition = make_edition(module_a, capacity=1)
    services.enrol(make_teacher(tree.school_a), edition)
    waiting = [services.enrol(make_teacher(tree.school_a), edition) for _ in range(3)]

    promoted = services.change_capacity(organiser_a, edition, 3)

    assert [e.pk for e in promoted] == [waiting[0].pk, waiting[1].pk]
    statuses = [
        e.status for e in type(waiting[0]).objects.filter(pk__in=[w.pk for w in waiting]).order_by("pk")
    ]
    assert statuses == [EnrolmentStatus.CONFIRMED, EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED]


def test_it_refuses_capacity_below_the_confirmed_count(tree, module_a, organiser_a):
    edition = make_edition(module_a, capacity=3)
    for _ in range(3):
        services.enrol(make_teacher(tree.school_a), edition)

    with pytest.raises(ServiceError) as exc:
        services.change_capacity(organiser_a, edition, 2)

    assert exc.value.code == "below_confirmed"
    assert exc.value.field == "capacity"
    edition.refresh_from_db()
    assert edition.capacity == 3


def test_it_refuses_capacity_changes_by_an_organiser_of_another_region(tree, edition_a):
    organiser_b = make_membership(Role.REGIONAL_COORDINATOR, tree.region_b)

    with pytest.raises(Forbidden):
        services.change_capacity(organiser_b, edition_a, 20)


def test_it_releases_everyone_when_the_edition_is_cancelled(tree, module_a, organiser_a):
    edition = make_edition(module_a, capacity=1)
    confirmed = services.enrol(make_teacher(tree.school_a), edition)
    waiting = services.enrol(make_teacher(tree.school_a), edition)

    released = services.cancel_edition(organiser_a, edition, "The trainer is ill.")

    assert released == 2
    edition.refresh_from_db()
    assert edition.status == EditionStatus.CANCELLED
    assert edition.cancellation_reason == "The trainer is ill."
    for e in (confirmed, waiting):
        e.refresh_from_db()
        assert e.status == EnrolmentStatus.RELEASED
    assert (
        OutboxMessage.objects.filter(
            task="courses.send_enrolment_message", args__1="edition_cancelled"
        ).count()
        == 2
    )


def test_it_refuses_cancelling_a_cancelled_edition(tree, module_a, organiser_a):
    edition = make_edition(module_a, status=EditionStatus.CANCELLED)

    with pytest.raises(Conflict) as exc:
        services.cancel_edition(organiser_a, edition)

    assert exc.value.code == "invalid_transition"


def test_it_publishes_a_draft_and_invites_the_interest_list_and_theme_followers(tree, module_a, organiser_a):
    edition = make_edition(module_a, status=EditionStatus.DRAFT)

    services.publish_edition(organiser_a, edition)

    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("courses.notify_interest", [edition.pk]),
        ("courses.notify_theme_followers", [edition.pk]),
    ]


def test_it_refuses_publishing_without_meetings(tree, module_a, organiser_a):
    edition = make_edition(module_a, status=EditionStatus.DRAFT, meetings=0)

    with pytest.raises(ServiceError) as exc:
        services.publish_edition(organiser_a, edition)

    assert exc.value.code == "no_meetings"
    edition.refresh_from_db()
    assert edition.status == EditionStatus.DRAFT


def test_it_creates_a_module_edition_and_meetings(tree, organiser_a):
    module = services.create_module(
        organiser_a,
        title="NT2 in de klas",
        summary="Taalsteun",
        themes=[Theme.DUTCH_SECOND_LANGUAGE, Theme.MULTILINGUALISM],
        format=Format.TRAINING_MODULE,
        pd_hours=Decimal("12"),
        organiser=tree.region_a,
        visible_in=tree.municipality_a1,
    )
    now = timezone.now()
    edition = services.create_edition(
        organiser_a,
        module,
        capacity=20,
        enrol_opens_at=now,
        enrol_closes_at=now + timedelta(days=10),
        cancel_deadline=now + timedelta(days=9),
    )
    services.add_meeting(
        organiser_a,
        edition,
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=2),
        venue="Hal",
    )
    services.add_meeting(
        organiser_a,
        edition,
        starts_at=now + timedelta(days=13),
        ends_at=now + timedelta(days=13, hours=2),
        venue="Hal",
    )

    edition.refresh_from_db()
    assert module.themes == ",nt2,multilingualism,"
    assert module.primary_theme == "nt2"
    assert edition.status == EditionStatus.DRAFT
    assert edition.starts_at == now + timedelta(days=13)
    assert edition.ends_at == now + timedelta(days=20, hours=2)


def test_it_refuses_a_meeting_that_ends_before_it_starts(tree, edition_a, organiser_a):
    now = timezone.now()
    with pytest.raises(ServiceError) as exc:
        services.add_meeting(
            organiser_a, edition_a, starts_at=now, ends_at=now - timedelta(hours=1), venue="x"
        )
    assert exc.value.field == "ends_at"


def test_it_refuses_a_module_visible_outside_reach(tree):
    municipal = make_membership(Role.MUNICIPAL_COORDINATOR, tree.municipality_a1)
    with pytest.raises(Forbidden):
        services.create_module(
            municipal,
            title="x",
            summary="y",
            themes=[Theme.PARENT_CONTACT],
            format=Format.STUDY_DAY,
            pd_hours=Decimal("1"),
            organiser=tree.municipality_a1,
            visible_in=tree.region_a,
        )
    assert not Module.objects.exists()


def test_it_reserves_seats_and_names_teachers_later(tree, module_a):
    edition = make_edition(module_a, capacity=3)
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    teacher_a = make_teacher(tree.school_a)

    reservation = services.reserve_seats(staff_a, edition, tree.school_a, 2)
    outsider = services.enrol(make_teacher(tree.school_a2), edition)
    late = services.enrol(make_teacher(tree.school_a2), edition)
    named = services.name_teacher(staff_a, reservation, teacher_a)

    reservation.refresh_from_db()
    assert outsider.status == EnrolmentStatus.CONFIRMED
    assert late.status == EnrolmentStatus.WAITLISTED
    assert named.status == EnrolmentStatus.CONFIRMED
    assert reservation.seats == 1
    assert services.free_seats(edition) == 0


def test_it_refuses_reserving_more_seats_than_free(tree, module_a):
    edition = make_edition(module_a, capacity=2)
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)

    with pytest.raises(ServiceError) as exc:
        services.reserve_seats(staff_a, edition, tree.school_a, 3)

    assert exc.value.field == "seats"
    assert not SeatReservation.objects.exists()


def test_it_refuses_reserving_for_another_school(tree, edition_a):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)

    with pytest.raises(Forbidden):
        services.reserve_seats(staff_a, edition_a, tree.school_a2, 1)


def test_it_refuses_a_teacher_from_another_school_for_a_reservation(tree, edition_a):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    reservation = services.reserve_seats(staff_a, edition_a, tree.school_a, 1)

    with pytest.raises(ServiceError) as exc:
        services.name_teacher(staff_a, reservation, make_teacher(tree.school_a2))

    assert exc.value.field == "teacher"


def test_it_lapses_unnamed_reservations_and_promotes(tree, module_a):
    edition = make_edition(module_a, capacity=2)
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    reservation = services.reserve_seats(staff_a, edition, tree.school_a, 2)
    waiting = services.enrol(make_teacher(tree.school_a2), edition)
    SeatReservation.objects.filter(pk=reservation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert services.lapse_reservations() == 1
    assert services.lapse_reservations() == 0

    waiting.refresh_from_db()
    reservation.refresh_from_db()
    assert reservation.status == SeatReservation.Status.LAPSED
    assert waiting.status == EnrolmentStatus.CONFIRMED


def test_it_lets_school_staff_approve_a_pending_enrolment(tree, module_a):
    edition = make_edition(module_a, capacity=1, requires_school_approval=True)
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    pending = services.enrol(make_teacher(tree.school_a), edition)

    services.decide_approval(staff_a, pending, approve=True)

    pending.refresh_from_db()
    assert pending.status == EnrolmentStatus.CONFIRMED


def test_it_refuses_approval_by_staff_of_another_school(tree, module_a):
    edition = make_edition(module_a, requires_school_approval=True)
    staff_a2 = make_membership(Role.SCHOOL_STAFF, tree.school_a2)
    pending = services.enrol(make_teacher(tree.school_a), edition)

    with pytest.raises(Forbidden):
        services.decide_approval(staff_a2, pending, approve=True)
    pending.refresh_from_db()
    assert pending.status == EnrolmentStatus.PENDING_APPROVAL


def test_it_keeps_an_interest_list_once_per_person(tree, module_a):
    teacher = make_teacher(tree.school_a)

    services.register_interest(teacher, module_a)
    services.register_interest(teacher, module_a)

    assert module_a.interests.count() == 1


def test_it_refuses_interest_in_a_module_of_another_region(tree, module_a):
    with pytest.raises(Forbidden):
        services.register_interest(make_teacher(tree.school_b), module_a)

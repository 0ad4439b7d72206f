"""The organiser moves waitlisted teachers with a reason (logged, append-only) and offers seats by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ServiceError
from courses import services, waitlist_control
from courses.models import Enrolment, EnrolmentStatus, WaitlistMove
from tests.courses.factories import make_edition, make_teacher


def _full_with_waitlist(tree, module, waiting=3, **extra):  # type: ignore[no-untyped-def]
    edition = make_edition(module, capacity=1, **extra)
    services.enrol(make_teacher(tree.school_a), edition)
    return edition, [services.enrol(make_teacher(tree.school_a2), edition) for _ in range(waiting)]


def _order(edition) -> list[int]:  # type: ignore[no-untyped-def]
    return list(
        Enrolment.objects.filter(edition=edition, status=EnrolmentStatus.WAITLISTED)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
    )


def test_it_moves_a_teacher_up_and_down_and_logs_each_move(tree, module_a, organiser_a):
    edition, (a, b, c) = _full_with_waitlist(tree, module_a)

    waitlist_control.move(organiser_a, c, direction="up", reason="Intern begeleider, needed for the project")
    assert _order(edition) == [a.pk, c.pk, b.pk]
    waitlist_control.move(organiser_a, a, direction="down", reason="Asked to wait for the spring edition")
    assert _order(edition) == [c.pk, a.pk, b.pk]

    log = list(
        WaitlistMove.objects.order_by("at", "pk").values_list(
            "enrolment", "action", "from_position", "to_position"
        )
    )
    assert log == [(c.pk, "up", 3, 2), (a.pk, "down", 1, 2)]
    with pytest.raises(TypeError):
        WaitlistMove.objects.update(reason="")
    with pytest.raises(TypeError):
        WaitlistMove.objects.first().delete()


def test_it_promotes_in_the_changed_order(tree, module_a, organiser_a):
    edition, (a, b, _c) = _full_with_waitlist(tree, module_a)
    waitlist_control.move(organiser_a, b, direction="up", reason="Priority school")

    services.change_capacity(organiser_a, edition, 2)

    assert Enrolment.objects.get(pk=b.pk).status == EnrolmentStatus.CONFIRMED
    assert Enrolment.objects.get(pk=a.pk).status == EnrolmentStatus.WAITLISTED


@pytest.mark.parametrize(
    ("who", "direction", "reason", "code"),
    [
        (0, "up", "r", "at_end"),
        (2, "down", "r", "at_end"),
        (1, "up", "  ", "required"),
        (1, "left", "r", "invalid"),
    ],
)
def test_it_refuses_a_bad_move_and_changes_nothing(tree, module_a, organiser_a, who, direction, reason, code):
    edition, waiting = _full_with_waitlist(tree, module_a)
    before = _order(edition)

    with pytest.raises(ServiceError) as caught:
        waitlist_control.move(organiser_a, waiting[who], direction=direction, reason=reason)

    assert caught.value.code == code
    assert _order(edition) == before
    assert not WaitlistMove.objects.exists()


def test_it_offers_a_seat_by_hand_only_with_a_seat_or_an_extra_one(tree, module_a, organiser_a):
    edition, (a, b, c) = _full_with_waitlist(tree, module_a)

    with pytest.raises(ServiceError) as caught:
        waitlist_control.offer_by_hand(organiser_a, c, reason="Speaker's colleague")
    assert caught.value.code == "no_free_seat"

    offered = waitlist_control.offer_by_hand(organiser_a, c, reason="Speaker's colleague", add_seat=True)

    edition.refresh_from_db()
    assert edition.capacity == 2
    assert offered.status == EnrolmentStatus.OFFERED
    assert offered.offer_expires_at is not None
    assert WaitlistMove.objects.get().action == "offer"
    assert _order(edition) == [a.pk, b.pk]


def test_it_keeps_the_school_limit_when_offering_by_hand(tree, module_a, organiser_a):
    edition = make_edition(module_a, capacity=5, school_seat_limit=1)
    services.enrol(make_teacher(tree.school_a), edition)
    waiting = services.enrol(make_teacher(tree.school_a), edition)

    with pytest.raises(ServiceError) as caught:
        waitlist_control.offer_by_hand(organiser_a, waiting, reason="Why not", add_seat=True)

    assert caught.value.code == "school_limit"
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.WAITLISTED


def test_it_shows_the_waitlist_in_order_and_the_hand_offer_error(client, tree, module_a, organiser_a):
    edition, (a, b, c) = _full_with_waitlist(tree, module_a)
    client.force_login(organiser_a)

    page = client.get(f"/courses/organise/editions/{edition.pk}/waitlist/").content.decode()
    assert (
        page.index(a.teacher.get_full_name())
        < page.index(b.teacher.get_full_name())
        < page.index(c.teacher.get_full_name())
    )

    response = client.post(f"/courses/organise/enrolments/{c.pk}/offer-seat/", {f"o{c.pk}-reason": "x"})
    assert response.status_code == 400
    assert "No seat is free." in response.content.decode()
    response = client.post(f"/courses/organise/enrolments/{c.pk}/offer-seat/", {f"o{c.pk}-reason": ""})
    assert response.status_code == 400
    response = client.post(
        f"/courses/organise/enrolments/{c.pk}/move/",
        {f"m{c.pk}-reason": "Colleague", f"m{c.pk}-direction": "up"},
    )
    assert response.status_code == 302
    assert _order(edition) == [a.pk, c.pk, b.pk]


def test_it_refuses_a_hand_offer_once_the_edition_has_started(tree, module_a, organiser_a):
    edition, (a, _b, _c) = _full_with_waitlist(tree, module_a)
    edition.starts_at = timezone.now() - timedelta(minutes=5)
    edition.save(update_fields=["starts_at"])

    with pytest.raises(ServiceError) as caught:
        waitlist_control.offer_by_hand(organiser_a, a, reason="Late", add_seat=True)

    assert caught.value.code == "started"
    edition.refresh_from_db()
    assert edition.capacity == 1

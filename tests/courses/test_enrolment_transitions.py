"""Enrolment status moves through one table, ENROLMENT_TRANSITIONS (issue 11): the verbs keep their own
messages and codes, and a refusal names where the enrolment is and where it was asked to go."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from core.transitions import InvalidTransition
from courses import services, waitlist_control
from courses.models import ACTIVE_STATUSES, ENROLMENT_TRANSITIONS, EnrolmentStatus
from tests.courses.factories import make_enrolment, make_teacher

S = EnrolmentStatus
FINAL = (S.CANCELLED, S.REJECTED, S.EXPIRED, S.RELEASED)


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (S.PENDING_APPROVAL, S.CONFIRMED, True),
        (S.PENDING_APPROVAL, S.WAITLISTED, True),
        (S.PENDING_APPROVAL, S.REJECTED, True),
        (S.WAITLISTED, S.OFFERED, True),
        (S.WAITLISTED, S.CONFIRMED, True),
        (S.OFFERED, S.CONFIRMED, True),
        (S.OFFERED, S.EXPIRED, True),
        (S.CONFIRMED, S.WAITLISTED, False),
        (S.CONFIRMED, S.OFFERED, False),
        (S.CONFIRMED, S.REJECTED, False),
        (S.WAITLISTED, S.EXPIRED, False),
        (S.WAITLISTED, S.REJECTED, False),
        (S.PENDING_APPROVAL, S.OFFERED, False),
    ],
)
def test_it_holds_the_enrolment_table(source: str, target: str, allowed: bool) -> None:
    assert ENROLMENT_TRANSITIONS.allows(source, target) is allowed


def test_every_active_status_can_be_cancelled_and_released_and_the_inactive_ones_are_final() -> None:
    table = ENROLMENT_TRANSITIONS
    for status in ACTIVE_STATUSES:
        assert {S.CANCELLED, S.RELEASED} <= table.moves[status]
    assert all(table.moves[status] == frozenset() for status in FINAL)


def test_cancelling_twice_keeps_its_message_and_code_and_names_the_move(tree, edition_a) -> None:  # type: ignore[no-untyped-def]
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)
    services.cancel_enrolment(teacher, enrolment)

    with translation.override("en"), pytest.raises(InvalidTransition) as refused:
        services.cancel_enrolment(teacher, enrolment)

    assert (refused.value.message, refused.value.code, refused.value.status) == (
        "This enrolment is no longer active.",
        "not_active",
        409,
    )
    assert (refused.value.source, refused.value.target) == (S.CANCELLED, S.CANCELLED)


def test_offering_a_confirmed_seat_by_hand_keeps_its_message_and_code(tree, edition_a, organiser_a) -> None:  # type: ignore[no-untyped-def]
    enrolment = make_enrolment(edition_a, make_teacher(tree.school_a))

    with translation.override("en"), pytest.raises(InvalidTransition) as refused:
        waitlist_control.offer_by_hand(organiser_a, enrolment, reason="Out of turn")

    assert (refused.value.message, refused.value.code) == (
        "This teacher is not on the waitlist.",
        "not_waitlisted",
    )
    assert (refused.value.source, refused.value.target) == (S.CONFIRMED, S.OFFERED)
    enrolment.refresh_from_db()
    assert enrolment.status == S.CONFIRMED


def test_no_courses_module_sets_an_enrolment_status_past_the_table() -> None:
    """Only a new enrolment's first status is set directly (in ``enrol`` and ``_place``); every change goes
    through ENROLMENT_TRANSITIONS.move/update. The control below shows the scan finds a direct write."""
    direct = re.compile(r"enrolment\.status = |\.update\(status=EnrolmentStatus\.")
    courses = Path(__file__).resolve().parents[2] / "courses"
    found = {
        (path.relative_to(courses).as_posix(), line.strip())
        for path in courses.rglob("*.py")  # the packages too (models/, services/)
        if path.name != "demo.py"  # builds rows for the demo as they would stand
        for line in path.read_text().splitlines()
        if direct.search(line)
    }
    assert found == {
        ("services/enrolling.py", "enrolment.status = target"),
        ("services/enrolling.py", "enrolment.status = EnrolmentStatus.PENDING_APPROVAL"),
    }
    assert direct.search("        enrolment.status = EnrolmentStatus.CANCELLED")

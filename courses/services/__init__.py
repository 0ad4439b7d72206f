"""Verbs of the catalogue and of enrolment. One transaction each; every verb that changes who holds a seat
locks the edition row first (``locking._lock_edition``) and only then counts, so two requests can never both
take the last seat. Messages go out through the outbox on commit.

The verbs live in ``editions`` (modules, editions, meetings, interest), ``enrolling`` (enrol, cancel, the
waitlist, approval), ``reservations`` (a school's reserved seats) and ``locking`` (the locks and counts they
share); they are exported here, so ``from courses.services import enrol`` and ``services.enrol`` work
everywhere.
"""

from courses.services.editions import (
    EDITION_EDIT_FIELDS,
    add_meeting,
    cancel_edition,
    change_capacity,
    create_edition,
    create_module,
    publish_edition,
    register_interest,
    transition,
    update_edition,
)
from courses.services.enrolling import (
    accept_offer,
    cancel_enrolment,
    decide_approval,
    enrol,
    expire_offers,
)
from courses.services.locking import (
    RankedEnrolment,
    WaitlistRank,
    free_seats,
    seats_taken,
    waitlist_position,
    with_waitlist_position,
)
from courses.services.reservations import (
    lapse_reservations,
    name_teacher,
    release_reservation,
    reserve_seats,
)

__all__ = [
    "EDITION_EDIT_FIELDS",
    "RankedEnrolment",
    "WaitlistRank",
    "accept_offer",
    "add_meeting",
    "cancel_edition",
    "cancel_enrolment",
    "change_capacity",
    "create_edition",
    "create_module",
    "decide_approval",
    "enrol",
    "expire_offers",
    "free_seats",
    "lapse_reservations",
    "name_teacher",
    "publish_edition",
    "register_interest",
    "release_reservation",
    "reserve_seats",
    "seats_taken",
    "transition",
    "update_edition",
    "waitlist_position",
    "with_waitlist_position",
]

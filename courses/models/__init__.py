"""Professional development: a catalogue of modules, dated editions with meetings, enrolments with a
self-promoting waitlist, seat reservations, attendance, certificates (the PD record) and trajectories.

Invariants live here as database constraints; the verbs that move rows between states live in
``courses/services/`` (enrolment) and ``courses/completion.py`` (attendance, certificates, evaluations).

One module per part, all imported here: Django finds the models of the ``courses`` app in this package,
the migrations (``courses.models.checkin_code`` and the other defaults) and every import of
``courses.models`` keep their names.
"""

from courses.models.catalogue import (
    EDITION_TRANSITIONS,
    FORMAT_ACTIVITY,
    ActivityType,
    AudienceRole,
    AudienceStage,
    Edition,
    EditionStatus,
    Format,
    Meeting,
    Module,
    PromotionMode,
    Theme,
)
from courses.models.codes import (
    CODE_ALPHABET,
    checkin_code,
    feed_token,
    random_code,
    school_year,
    verification_code,
)
from courses.models.enrolment import (
    ACTIVE_STATUSES,
    ENROLMENT_TRANSITIONS,
    SEAT_STATUSES,
    ApprovalStage,
    Attendance,
    Enrolment,
    EnrolmentMessage,
    EnrolmentStatus,
    Evaluation,
    Interest,
    SeatReservation,
)
from courses.models.flow import (
    ApprovalDecision,
    ApprovalReminder,
    ApproverAbsence,
    EditionSeries,
    ThemeAlert,
    ThemeAlertSent,
    WaitlistMove,
)
from courses.models.messages import (
    CalendarFeed,
    FollowUpMessage,
    MeetingChangeMessage,
)
from courses.models.records import (
    Certificate,
    Cohort,
    Participant,
    Trajectory,
    TrajectoryStep,
)

__all__ = [
    "ACTIVE_STATUSES",
    "CODE_ALPHABET",
    "EDITION_TRANSITIONS",
    "ENROLMENT_TRANSITIONS",
    "FORMAT_ACTIVITY",
    "SEAT_STATUSES",
    "ActivityType",
    "ApprovalDecision",
    "ApprovalReminder",
    "ApprovalStage",
    "ApproverAbsence",
    "Attendance",
    "AudienceRole",
    "AudienceStage",
    "CalendarFeed",
    "Certificate",
    "Cohort",
    "Edition",
    "EditionSeries",
    "EditionStatus",
    "Enrolment",
    "EnrolmentMessage",
    "EnrolmentStatus",
    "Evaluation",
    "FollowUpMessage",
    "Format",
    "Interest",
    "Meeting",
    "MeetingChangeMessage",
    "Module",
    "Participant",
    "PromotionMode",
    "SeatReservation",
    "Theme",
    "ThemeAlert",
    "ThemeAlertSent",
    "Trajectory",
    "TrajectoryStep",
    "WaitlistMove",
    "checkin_code",
    "feed_token",
    "random_code",
    "school_year",
    "verification_code",
]

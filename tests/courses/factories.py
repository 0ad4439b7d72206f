"""Course factories, built per test. Editions come published, open for enrolment, with one meeting a
week from now, unless told otherwise."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Role
from courses.models import (
    Cohort,
    Edition,
    EditionStatus,
    Enrolment,
    EnrolmentStatus,
    Format,
    Meeting,
    Module,
    Participant,
    Theme,
    Trajectory,
    TrajectoryStep,
)
from tests.factories import make_membership


def make_module(
    organiser: Organisation,
    visible_in: Organisation | None = None,
    *,
    themes: list[str] | None = None,
    **extra: object,
) -> Module:
    extra.setdefault("title", "Multilingual classrooms")
    extra.setdefault("summary", "Use every language in the room.")
    extra.setdefault("format", Format.STUDY_DAY)
    extra.setdefault("pd_hours", Decimal("6.0"))
    return Module.objects.create(
        organiser=organiser,
        visible_in=visible_in or organiser,
        themes=Module.wrap_themes(themes or [Theme.MULTILINGUALISM]),
        **extra,
    )


def make_edition(
    module: Module,
    *,
    capacity: int = 10,
    status: str = EditionStatus.PUBLISHED,
    meetings: int = 1,
    start: timezone.datetime | None = None,
    **extra: object,
) -> Edition:
    now = timezone.now()
    start = start or now + timedelta(days=7)
    extra.setdefault("enrol_opens_at", now - timedelta(days=1))
    extra.setdefault("enrol_closes_at", start - timedelta(hours=1))
    extra.setdefault("cancel_deadline", start - timedelta(days=2))
    edition = Edition.objects.create(module=module, capacity=capacity, status=status, **extra)
    for i in range(meetings):
        Meeting.objects.create(
            edition=edition,
            starts_at=start + timedelta(days=7 * i),
            ends_at=start + timedelta(days=7 * i, hours=3),
            venue="Stadhuis, Grote Markt 2",
        )
    if meetings:
        edition.starts_at = start
        edition.ends_at = start + timedelta(days=7 * (meetings - 1), hours=3)
        edition.save(update_fields=["starts_at", "ends_at"])
    return edition


def make_teacher(school: Organisation, **extra: object) -> User:
    from tests.factories import make_user

    return make_membership(Role.TEACHER, school, make_user(**extra) if extra else None)


def make_enrolment(
    edition: Edition, teacher: User, status: str = EnrolmentStatus.CONFIRMED, **extra: object
) -> Enrolment:
    school = teacher.memberships.first().organisation
    if status == EnrolmentStatus.CONFIRMED:
        extra.setdefault("confirmed_at", timezone.now())
    return Enrolment.objects.create(edition=edition, teacher=teacher, school=school, status=status, **extra)


def end_edition(edition: Edition) -> None:
    """Move every meeting into the past (so attendance, completion and evaluation are possible)."""
    shift = edition.ends_at - timezone.now() + timedelta(hours=1)
    for meeting in edition.meetings.all():
        meeting.starts_at -= shift
        meeting.ends_at -= shift
        meeting.save()
    edition.starts_at -= shift
    edition.ends_at -= shift
    edition.enrol_opens_at -= shift
    edition.enrol_closes_at -= shift
    edition.save()


def make_trajectory(
    organiser: Organisation, school: Organisation, steps: int = 2, **participant: object
) -> tuple[Trajectory, list[Module], Participant]:
    """A trajectory with one module per year, a cohort, and one participant (school staff at ``school``)."""
    trajectory = Trajectory.objects.create(
        title="ITK-maatje", organiser=organiser, years=3, pd_hours=Decimal("60"), theme=Theme.MULTILINGUALISM
    )
    modules = [make_module(organiser, title=f"Step {i}") for i in range(1, steps + 1)]
    for i, module in enumerate(modules, start=1):
        TrajectoryStep.objects.create(trajectory=trajectory, module=module, year=i, order=1)
    cohort = Cohort.objects.create(trajectory=trajectory, name="Cohort 2026", starts_on=date(2026, 9, 1))
    staff = make_membership(Role.SCHOOL_STAFF, school)
    return (
        trajectory,
        modules,
        Participant.objects.create(cohort=cohort, school=school, staff_member=staff, **participant),
    )

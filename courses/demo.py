"""Demo data for professional development in Zuid-Kennemerland: a year of modules and editions on
multilingualism, NT2, world citizenship and parent contact; enrolments, full editions with waitlists,
completed editions with attendance, evaluations and certificates; the ITK-maatje trajectory with cohorts.

Idempotent: modules are found by title, editions by (module, label), trajectories by title; a second run
adds nothing. Dates are relative to the day of the first run.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import DemoContext, _user
from accounts.models import Membership, Organisation, User
from accounts.roles import Role
from courses.models import (
    FORMAT_ACTIVITY,
    Attendance,
    Certificate,
    Cohort,
    Edition,
    EditionStatus,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    Format,
    Interest,
    Meeting,
    Module,
    Participant,
    PromotionMode,
    Theme,
    Trajectory,
    TrajectoryStep,
    school_year,
)

VENUES = [
    "Bibliotheek Haarlem Centrum, Gasthuisstraat 32, Haarlem",
    "Raadhuis Heemstede, Raadhuisplein 1, Heemstede",
    "Pletterij, Lange Herenvest 122, Haarlem",
    "Het Kleurrijk, Zaanenstraat 9, Haarlem",
    "Gemeentehuis Zandvoort, Swaluestraat 2, Zandvoort",
]


@dataclass(frozen=True)
class EditionSpec:
    label: str
    day_offset: int  # first meeting, days from today
    capacity: int
    enrolled: int
    meetings: int = 1
    offer_mode: bool = False
    approval: bool = False


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    summary: str
    themes: tuple[str, ...]
    format: str
    hours: str
    organiser: str  # "region" or a municipality name
    visible_in: str
    editions: tuple[EditionSpec, ...]
    description: str = ""


T = Theme
MODULES: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "Meertaligheid als kracht in de klas",
        "Hoe je de thuistalen van nieuwkomers inzet bij het leren.",
        (T.MULTILINGUALISM, T.DUTCH_SECOND_LANGUAGE),
        Format.STUDY_DAY,
        "6",
        "region",
        "region",
        (
            EditionSpec("Najaar", -150, 24, 22),
            EditionSpec("Voorjaar", 40, 24, 12),
            EditionSpec("Zomer", 190, 24, 2),
        ),
        "Een studiedag vol praktijkvoorbeelden: translanguaging, meertalige woordmuren en ouders als taalbron.",
    ),
    ModuleSpec(
        "NT2-didactiek voor de reguliere groep",
        "Taalsteun in de zaakvakken voor leerlingen die net Nederlands leren.",
        (T.DUTCH_SECOND_LANGUAGE,),
        Format.TRAINING_MODULE,
        "15",
        "region",
        "region",
        (
            EditionSpec("Ronde 1", -120, 16, 16, meetings=4),
            EditionSpec("Ronde 2", 20, 10, 16, meetings=4, offer_mode=True),
        ),
        "Vier bijeenkomsten met opdrachten in de eigen groep. Aanwezigheid bij drie van de vier is vereist.",
    ),
    ModuleSpec(
        "Netwerk nieuwkomersonderwijs Haarlem",
        "Collega's van Haarlemse scholen delen wat werkt bij de overstap uit de nieuwkomersklas.",
        (T.DUTCH_SECOND_LANGUAGE, T.PARENT_CONTACT),
        Format.NETWORK_MEETING,
        "2",
        "Haarlem",
        "Haarlem",
        (
            EditionSpec("September", -75, 30, 18),
            EditionSpec("Januari", 12, 30, 9),
            EditionSpec("April", 110, 30, 0),
        ),
    ),
    ModuleSpec(
        "Wereldburgerschap in de onderbouw",
        "Lessen over verschillen, vooroordelen en samen leven, vanaf groep 1.",
        (T.WORLD_CITIZENSHIP,),
        Format.STUDY_DAY,
        "5",
        "region",
        "region",
        (EditionSpec("Editie 2025", -200, 20, 14), EditionSpec("Editie 2026", 60, 8, 11)),
    ),
    ModuleSpec(
        "Gesprekken met ouders zonder gedeelde taal",
        "Tolken, beeldmateriaal en sleutelfiguren: het oudergesprek met nieuwkomersgezinnen.",
        (T.PARENT_CONTACT, T.MULTILINGUALISM),
        Format.LECTURE,
        "3",
        "region",
        "region",
        (EditionSpec("Avond 1", -40, 40, 25), EditionSpec("Avond 2", 30, 6, 9, approval=False)),
    ),
    ModuleSpec(
        "Trauma-sensitief lesgeven aan nieuwkomers",
        "Signalen herkennen en veiligheid bieden in de klas.",
        (T.WORLD_CITIZENSHIP,),
        Format.TRAINING_MODULE,
        "9",
        "region",
        "region",
        (EditionSpec("Ronde 1", 75, 18, 5, meetings=3, approval=True),),
    ),
    ModuleSpec(
        "Meertalige ouderavonden organiseren",
        "Van uitnodiging tot tafelindeling: een ouderavond waar iedereen meedoet.",
        (T.PARENT_CONTACT,),
        Format.STUDY_DAY,
        "4",
        "region",
        "region",
        (),  # no dated edition yet: teachers can join the interest list
    ),
)

ITK_STEPS = (
    ("ITK-maatje jaar 1: de overstap begeleiden", 1),
    ("ITK-maatje jaar 2: taal en welbevinden", 2),
    ("ITK-maatje jaar 3: borgen in het schoolteam", 3),
)


def _org(ctx: DemoContext, key: str) -> Organisation:
    return ctx.region if key == "region" else ctx.municipalities[key]


def _teachers(ctx: DemoContext) -> list[tuple[User, Organisation]]:
    users = [ctx.users[k] for k in sorted(ctx.users) if k.startswith("teacher")]
    schools = {
        m.user_id: m.organisation
        for m in Membership.objects.filter(user__in=users, role=Role.TEACHER).select_related("organisation")
    }
    return [(u, schools[u.pk]) for u in users if u.pk in schools]


def _edition(module: Module, spec: EditionSpec, index: int) -> tuple[Edition, bool]:
    existing = Edition.objects.filter(module=module, label=spec.label).first()
    if existing is not None:
        return existing, False
    today = timezone.localtime().replace(hour=13, minute=30, second=0, microsecond=0)
    start = today + timedelta(days=spec.day_offset)
    past = spec.day_offset < 0
    edition = Edition.objects.create(
        module=module,
        label=spec.label,
        capacity=spec.capacity,
        status=EditionStatus.COMPLETED if past else EditionStatus.PUBLISHED,
        enrol_opens_at=start - timedelta(days=60),
        enrol_closes_at=start - timedelta(days=2),
        cancel_deadline=start - timedelta(days=7),
        reservation_deadline=start - timedelta(days=14),
        requires_school_approval=spec.approval,
        promotion_mode=PromotionMode.OFFER if spec.offer_mode else PromotionMode.IMMEDIATE,
        required_meetings=spec.meetings - 1 if spec.meetings > 2 else None,
    )
    for i in range(spec.meetings):
        Meeting.objects.create(
            edition=edition,
            starts_at=start + timedelta(days=14 * i),
            ends_at=start + timedelta(days=14 * i, hours=3),
            venue=VENUES[(index + i) % len(VENUES)],
        )
    edition.starts_at = start
    edition.ends_at = start + timedelta(days=14 * (spec.meetings - 1), hours=3)
    edition.save(update_fields=["starts_at", "ends_at"])
    return edition, True


def _enrol(
    ctx: DemoContext, edition: Edition, spec: EditionSpec, pool: list[tuple[User, Organisation]]
) -> None:
    chosen = ctx.rng.sample(pool, min(spec.enrolled, len(pool)))
    if spec.enrolled and ctx.users["teacher"] not in [u for u, _ in chosen]:
        chosen[0] = next(p for p in pool if p[0] == ctx.users["teacher"])  # the demo teacher sees a full life
    base = edition.enrol_opens_at + timedelta(hours=1)
    for i, (teacher, school) in enumerate(chosen):
        queued = base + timedelta(hours=3 * i)
        if spec.approval and i % 3 == 2:
            status = EnrolmentStatus.PENDING_APPROVAL
        else:
            status = EnrolmentStatus.CONFIRMED if i < spec.capacity else EnrolmentStatus.WAITLISTED
        Enrolment.objects.create(
            edition=edition,
            teacher=teacher,
            school=school,
            status=status,
            queued_at=queued,
            confirmed_at=queued if status == EnrolmentStatus.CONFIRMED else None,
        )


COMMENTS = [
    "Direct toepasbaar in mijn groep.",
    "Veel voorbeelden, graag meer tijd voor uitwisseling.",
    "De casussen uit de praktijk waren het sterkst.",
    "",
    "Goede sprekers; de locatie was wat krap.",
]


def _complete(ctx: DemoContext, edition: Edition) -> None:
    meetings = list(edition.meetings.all())
    needed = edition.required_meetings or len(meetings)
    completed_on = timezone.localdate(edition.ends_at)
    for i, enrolment in enumerate(edition.enrolments.filter(status=EnrolmentStatus.CONFIRMED).order_by("pk")):
        missed = 2 if i % 9 == 8 else 0  # a few miss too much to complete
        for j, meeting in enumerate(meetings):
            Attendance.objects.get_or_create(
                enrolment=enrolment,
                meeting=meeting,
                defaults={
                    "present": j >= missed,
                    "method": Attendance.Method.CODE if j % 2 else Attendance.Method.SHEET,
                    "marked_at": meeting.starts_at,
                },
            )
        if len(meetings) - min(missed, len(meetings)) >= needed:
            Certificate.objects.get_or_create(
                enrolment=enrolment,
                defaults={
                    "teacher_id": enrolment.teacher_id,
                    "title": str(edition),
                    "theme": edition.module.primary_theme,
                    "hours": edition.module.pd_hours,
                    "completed_on": completed_on,
                    "school_year": school_year(completed_on),
                },
            )
        if i % 2 == 0:
            Evaluation.objects.get_or_create(
                enrolment=enrolment,
                defaults={"rating": ctx.rng.choice([3, 4, 4, 5, 5]), "comments": ctx.rng.choice(COMMENTS)},
            )


def _trajectory(ctx: DemoContext) -> None:
    trajectory, created = Trajectory.objects.get_or_create(
        title="ITK-maatje",
        defaults={
            "description": (
                "Drie jaar scholing voor de medewerker die op de ontvangende school nieuwkomers begeleidt bij de "
                "overstap uit de ITK: groepsbijeenkomsten en een persoonlijk ontwikkelplan."
            ),
            "organiser": ctx.region,
            "years": 3,
            "pd_hours": Decimal("60"),
            "theme": Theme.MULTILINGUALISM,
        },
    )
    if not created:
        return
    modules = []
    for order, (title, year) in enumerate(ITK_STEPS, start=1):
        module, _new = Module.objects.get_or_create(
            title=title,
            organiser=ctx.region,
            defaults={
                "summary": "Groepsbijeenkomsten van het ITK-maatjetraject.",
                "themes": Module.wrap_themes([Theme.MULTILINGUALISM, Theme.DUTCH_SECOND_LANGUAGE]),
                "format": Format.TRAINING_MODULE,
                "pd_hours": Decimal("20"),
                "visible_in": ctx.region,
                "audience_role": "school_staff",
            },
        )
        TrajectoryStep.objects.create(trajectory=trajectory, module=module, year=year, order=order)
        modules.append(module)
    today = timezone.localdate()
    cohort_2025 = Cohort.objects.create(
        trajectory=trajectory, name="Cohort 2025", starts_on=date(today.year - 1, 9, 1)
    )
    cohort_2026 = Cohort.objects.create(
        trajectory=trajectory, name="Cohort 2026", starts_on=date(today.year, 9, 1)
    )
    schools = ["De Kring", "Schoterschool", "Parkschool", "De Duinroos", "Crayenesterschool"]
    staff: list[tuple[Organisation, User]] = [(ctx.school("De Kring"), ctx.users["school_staff"])]
    for i, name in enumerate(schools[1:], start=1):
        school = ctx.school(name)
        user = _user(f"itk{i}@overstap.demo", ctx.rng.choice(["Sara", "Mehmet", "Linda", "Karim"]), "Maatje")
        Membership.objects.get_or_create(user=user, organisation=school, role=Role.SCHOOL_STAFF)
        staff.append((school, user))
    participants = []
    for i, (school, user) in enumerate(staff):
        cohort = cohort_2025 if i < 3 else cohort_2026
        participants.append(
            Participant.objects.create(
                cohort=cohort,
                school=school,
                staff_member=user,
                personal_plan="Doelen: warme overdracht, maatjesgesprekken, taalsteun in de eerste maanden.",
                plan_approved_at=timezone.now() if cohort == cohort_2025 else None,
            )
        )
    # Year 1 of cohort 2025 is done: a completed edition of the first module with its three staff members.
    spec = EditionSpec("Cohort 2025 · jaar 1", -90, 12, 0, meetings=3)
    edition, _new = _edition(modules[0], spec, 0)
    for p in participants[:3]:
        Enrolment.objects.get_or_create(
            edition=edition,
            teacher=p.staff_member,
            defaults={
                "school": p.school,
                "status": EnrolmentStatus.CONFIRMED,
                "confirmed_at": edition.enrol_opens_at,
            },
        )
    _complete(ctx, edition)
    # Year 2 is planned for both cohorts' staff.
    year2, new = _edition(modules[1], EditionSpec("Cohort 2025 · jaar 2", 35, 12, 0, meetings=3), 1)
    if new:
        for p in participants[:3]:
            Enrolment.objects.create(
                edition=year2,
                teacher=p.staff_member,
                school=p.school,
                status=EnrolmentStatus.CONFIRMED,
                confirmed_at=timezone.now(),
            )


def seed(ctx: DemoContext) -> None:
    pool = _teachers(ctx)
    for index, spec in enumerate(MODULES):
        organiser = _org(ctx, spec.organiser)
        module, _created = Module.objects.get_or_create(
            title=spec.title,
            organiser=organiser,
            defaults={
                "summary": spec.summary,
                "description": spec.description,
                "themes": Module.wrap_themes(list(spec.themes)),
                "format": spec.format,
                "activity_type": FORMAT_ACTIVITY[spec.format],
                "pd_hours": Decimal(spec.hours),
                "visible_in": _org(ctx, spec.visible_in),
            },
        )
        for edition_spec in spec.editions:
            edition, created = _edition(module, edition_spec, index)
            if not created:
                continue
            _enrol(ctx, edition, edition_spec, pool)
            if edition.status == EditionStatus.COMPLETED:
                _complete(ctx, edition)
        if not spec.editions:
            for key in ("teacher", "teacher_b", "teacher03"):
                if key in ctx.users:
                    Interest.objects.get_or_create(module=module, user=ctx.users[key])
    _trajectory(ctx)

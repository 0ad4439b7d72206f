"""The demo region's newcomer register: coordinates on schools, three newcomer-class locations with groups,
the placement officer and a location's staff, and three years of reports with a realistic rhythm (more after
the summer holiday and after the spring housing rounds). Most children of the first two years have moved on;
the current year fills the groups, and a waiting list remains for a placement run.

Idempotent: nothing is added when the region already has reports. A demo builder, so it writes rows directly.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from accounts.demo import DemoContext, _user
from accounts.models import Membership, Organisation
from accounts.roles import OrganisationKind, Role
from placement.models import Group, Interim, Placement, PlacementStatus, Report, ReportStatus

CENTRES = {
    "Haarlem": (52.381, 4.637),
    "Heemstede": (52.353, 4.617),
    "Bloemendaal": (52.404, 4.620),
    "Zandvoort": (52.372, 4.533),
}
LOCATIONS = [
    (
        "ITK Haarlem-Noord",
        "Haarlem",
        (52.398, 4.640),
        [("Groep 6-8 A", "primary", 6, 8, 16), ("Groep 9-11", "primary", 9, 11, 16)],
    ),
    (
        "ITK Heemstede",
        "Heemstede",
        (52.350, 4.620),
        [("Groep 4-7", "primary", 4, 7, 14), ("Groep 8-11", "primary", 8, 11, 14)],
    ),
    (
        "ISK Haarlem",
        "Haarlem",
        (52.373, 4.650),
        [("ISK 12-14", "secondary", 12, 14, 20), ("ISK 15-17", "secondary", 15, 17, 20)],
    ),
]
NAMES = [
    "Amira",
    "Yusuf",
    "Olena",
    "Dmytro",
    "Sara",
    "Ali",
    "Hana",
    "Mateo",
    "Ivan",
    "Noor",
    "Samir",
    "Lina",
    "Omar",
    "Mariam",
    "Bogdan",
    "Aya",
]
LANGS = [["ar"], ["uk"], ["uk", "ru"], ["ti"], ["pl"], ["tr"], ["so"], ["es"], ["fa"], ["ar", "ku"]]


def _weekly_reports(day: date) -> float:
    """Expected reports in the week of ``day``: a base, a peak after the summer, one after housing rounds."""
    base = 2.0
    if day.month in (9, 10):
        base += 3.0
    if day.month in (3, 4):
        base += 1.5
    if day.month in (7, 8):
        base -= 1.5
    return base


def _locations(ctx: DemoContext) -> list[Group]:
    for school in ctx.schools:
        if school.latitude is None:
            lat, lon = CENTRES.get(school.parent.name if school.parent else "", (52.38, 4.63))
            school.latitude = Decimal(f"{lat + ctx.rng.uniform(-0.02, 0.02):.5f}")
            school.longitude = Decimal(f"{lon + ctx.rng.uniform(-0.03, 0.03):.5f}")
            Organisation.objects.filter(pk=school.pk).update(
                latitude=school.latitude, longitude=school.longitude
            )
    groups = []
    for name, municipality, (lat, lon), rows in LOCATIONS:
        location = Organisation.objects.filter(kind=OrganisationKind.NEWCOMER_CLASS, name=name).first()
        if location is None:
            location = Organisation.objects.create(
                kind=OrganisationKind.NEWCOMER_CLASS,
                name=name,
                parent=ctx.municipalities[municipality],
                latitude=Decimal(str(lat)),
                longitude=Decimal(str(lon)),
            )
        for gname, stage, low, high, cap in rows:
            group, _ = Group.objects.get_or_create(
                location=location,
                name=gname,
                defaults={
                    "stage": stage,
                    "age_min": low,
                    "age_max": high,
                    "capacity": cap,
                    "intake_days": [1, 3],
                },
            )
            groups.append(group)
    return groups


def _people(ctx: DemoContext, groups: list[Group]) -> None:
    officer = _user("aanmeldpunt@overstap.demo", "Ingrid", "Hoekstra")
    Membership.objects.get_or_create(user=officer, organisation=ctx.region, role=Role.PLACEMENT_OFFICER)
    staff = _user("itk.noord@overstap.demo", "Karim", "Bouzid")
    Membership.objects.get_or_create(
        user=staff, organisation=groups[0].location, role=Role.NEWCOMER_CLASS_STAFF
    )
    ctx.users["placement_officer"], ctx.users["newcomer_staff"] = officer, staff
    ctx.logins.append((str(Role.PLACEMENT_OFFICER.label), officer.email, ctx.region.name))
    ctx.logins.append((str(Role.NEWCOMER_CLASS_STAFF.label), staff.email, groups[0].location.name))


MAX_RETRY_WEEKS = 12


def seed(ctx: DemoContext) -> None:
    groups = _locations(ctx)
    _people(ctx, groups)
    if Report.objects.filter(school__path__startswith=ctx.region.path).exists():
        return
    today = timezone.localdate()
    day = today - timedelta(weeks=156)
    occupied_until: dict[int, list[date]] = {g.pk: [] for g in groups}
    while day <= today:
        for _ in range(_poisson(ctx, _weekly_reports(day))):
            _one_child(ctx, groups, occupied_until, day + timedelta(days=ctx.rng.randint(0, 4)), today)
        day += timedelta(weeks=1)
    for group in Group.objects.filter(pk__in=[g.pk for g in groups]).annotate(
        n=Count("placements", filter=Q(placements__status__in=["approved", "started"]))
    ):
        Group.objects.filter(pk=group.pk).update(occupied=group.n)


def _poisson(ctx: DemoContext, mean: float) -> int:
    count, limit, product = 0, 2.718281828 ** (-mean), ctx.rng.random()
    while product > limit:
        count += 1
        product *= ctx.rng.random()
    return count


def _one_child(
    ctx: DemoContext, groups: list[Group], occupied_until: dict[int, list[date]], reported: date, today: date
) -> None:
    if reported > today:
        return
    rng = ctx.rng
    age = rng.choice([5, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
    school = rng.choice(ctx.schools)
    eligible = rng.random() > 0.08
    report = Report.objects.create(
        school=school,
        first_name=rng.choice(NAMES),
        last_initial=rng.choice("ABDEHKMNS"),
        birth_year=reported.year - age,
        birth_month=rng.randint(1, 12),
        arrival_date=reported - timedelta(days=rng.randint(5, 60) if eligible else 900),
        home_languages=rng.choice(LANGS),
        prior_schooling_years=rng.randint(0, min(age - 4, 8)) if age > 4 else 0,
        parent_phone=f"06{rng.randint(10000000, 99999999)}",
        letter_language="",
        status=ReportStatus.WAITING if eligible else ReportStatus.NOT_ELIGIBLE,
        eligibility_reason="Voldoet: nieuwkomer" if eligible else "Langer dan 24 maanden in Nederland.",
        reported_at=timezone.make_aware(datetime.combine(reported, time(10))),
    )
    if not eligible:
        return
    start = reported + timedelta(days=rng.randint(4, 21))
    if start > today - timedelta(days=2):
        return  # still waiting: the officer's next placement run
    fits = [g for g in groups if g.age_min <= age <= g.age_max]
    # No free place at first: the officer's weekly runs try again as places free up, for up to a term.
    for _ in range(MAX_RETRY_WEEKS + 1):
        for group in fits:
            busy = [d for d in occupied_until[group.pk] if d > start]
            if len(busy) < group.capacity:
                _place(report, group, start, today, occupied_until, rng.randint(300, 400))
                return
        start += timedelta(weeks=1)
        if start > today - timedelta(days=2):
            if (today - reported).days > 14:  # waiting now, in a regular class with support meanwhile
                Report.objects.filter(pk=report.pk).update(
                    interim=Interim.REGULAR_WITH_SUPPORT, interim_since=reported + timedelta(days=14)
                )
            return
    # A term without a place: the child stays in the regular class with support, off the waiting list.
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.WITHDRAWN,
        interim=Interim.REGULAR_WITH_SUPPORT,
        interim_since=reported + timedelta(days=14),
    )


def _place(
    report: Report, group: Group, start: date, today: date, occupied_until: dict[int, list[date]], stay: int
) -> None:
    leave = start + timedelta(days=stay)
    occupied_until[group.pk].append(leave)
    left = leave <= today
    Placement.objects.create(
        report=report,
        group=group,
        status=PlacementStatus.ENDED if left else PlacementStatus.STARTED,
        reason="Demo",
        decided_at=timezone.make_aware(datetime.combine(start - timedelta(days=2), time(9))),
        start_date=start,
        outflow_date=leave if left or (leave - today).days < 60 else None,
        advised_grade=5 if group.stage == "primary" else 2,
        receiving_school=report.school if left else None,
    )
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.LEFT if left else ReportStatus.STARTED,
        location=group.location,
        left_at=leave if left else None,
    )

"""Demo data for caseloads: three supporter profiles, requests in every state across the demo schools, and
cases with visit histories over the last months. Idempotent: requests are found by school and description.

Rows are written directly (not through the services) so the seed sends no e-mails and can date things in
the past; every row still satisfies the same constraints the services keep.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import DemoContext
from caseloads.models import (
    Case,
    CaseStatus,
    NextStep,
    RequestStatus,
    Subject,
    SupporterProfile,
    SupportRequest,
    Topic,
    Transfer,
    Urgency,
    Visit,
    VisitKind,
)
from pupils.models import Pupil

PROFILES = {
    # key: (expertise, languages, home municipality, hours per week)
    "supporter": ([Topic.LANGUAGE_DEVELOPMENT, Topic.PLACEMENT], ["nl", "uk", "ru", "en"], "Haarlem", 24),
    "supporter_b": (
        [Topic.MULTILINGUALISM, Topic.PARENT_CONTACT],
        ["nl", "ar", "fr", "ber"],
        "Heemstede",
        20,
    ),
    "supporter_c": (
        [Topic.WORLD_CITIZENSHIP, Topic.LANGUAGE_DEVELOPMENT],
        ["nl", "en", "de"],
        "Bloemendaal",
        16,
    ),
}

# school, subject, topic, urgency, languages, description, status, supporter key or None, days ago
REQUESTS = [
    (
        "De Kring",
        Subject.PUPIL,
        Topic.PLACEMENT,
        Urgency.HIGH,
        ["uk"],
        "Er zijn twee Oekraïense leerlingen gekomen; welke groep past bij hen?",
        "allocated",
        "supporter",
        110,
    ),
    (
        "De Kring",
        Subject.TEAM,
        Topic.MULTILINGUALISM,
        Urgency.NORMAL,
        ["ar"],
        "Het team wil de thuistalen in de klas inzetten.",
        "allocated",
        "supporter_b",
        95,
    ),
    (
        "Het Spaarnepark",
        Subject.CLASS,
        Topic.LANGUAGE_DEVELOPMENT,
        Urgency.NORMAL,
        [],
        "Groep 5 heeft vier nieuwkomers; de woordenschat blijft achter.",
        "allocated",
        "supporter",
        80,
    ),
    (
        "Crayenesterschool",
        Subject.TEAM,
        Topic.PARENT_CONTACT,
        Urgency.LOW,
        ["ar", "ti"],
        "Ouders komen zelden naar de rapportgesprekken.",
        "allocated",
        "supporter_b",
        70,
    ),
    (
        "Het Duinpad",
        Subject.CLASS,
        Topic.WORLD_CITIZENSHIP,
        Urgency.NORMAL,
        ["en"],
        "Een projectweek over waar we vandaan komen.",
        "allocated",
        "supporter_c",
        60,
    ),
    (
        "De Duinroos",
        Subject.PUPIL,
        Topic.LANGUAGE_DEVELOPMENT,
        Urgency.HIGH,
        ["pl"],
        "Een leerling in groep 3 spreekt nog nauwelijks.",
        "allocated",
        "supporter_c",
        40,
    ),
    (
        "Spaarne College",
        Subject.CLASS,
        Topic.PLACEMENT,
        Urgency.NORMAL,
        ["ar"],
        "Toetsing voor drie leerlingen die uit de nieuwkomersklas doorstromen.",
        "allocated",
        "supporter",
        130,
    ),
    (
        "De Zonnewijzer",
        Subject.TEAM,
        Topic.MULTILINGUALISM,
        Urgency.NORMAL,
        ["tr"],
        "Hoe praten we met ouders over de taal thuis?",
        "new",
        None,
        3,
    ),
    (
        "Schoterschool",
        Subject.PUPIL,
        Topic.LANGUAGE_DEVELOPMENT,
        Urgency.HIGH,
        ["uk", "ru"],
        "Nieuwkomer in groep 6 met leesproblemen.",
        "new",
        None,
        9,
    ),
    (
        "Heemstede College",
        Subject.CLASS,
        Topic.WORLD_CITIZENSHIP,
        Urgency.LOW,
        [],
        "Lessen burgerschap voor de internationale klas.",
        "triage",
        None,
        16,
    ),
    (
        "Zandvoort College",
        Subject.TEAM,
        Topic.PARENT_CONTACT,
        Urgency.NORMAL,
        ["so"],
        "Tolken bij ouderavonden.",
        "declined",
        None,
        30,
    ),
]

DECLINE_REASON = "Tolken regelt de tolkendienst van de gemeente; we hebben je vraag aan hen doorgegeven."


def _profiles(ctx: DemoContext) -> None:
    for key, (expertise, languages, municipality, hours) in PROFILES.items():
        SupporterProfile.objects.update_or_create(
            user=ctx.users[key],
            defaults={
                "service": ctx.support_service,
                "expertise": sorted(expertise),
                "languages": languages,
                "home_municipality": ctx.municipalities[municipality],
                "contract_hours_per_week": Decimal(hours),
                "active": True,
            },
        )


def _visits(ctx: DemoContext, case: Case, opened_days_ago: int) -> None:
    today = timezone.localdate()
    rng = ctx.rng
    kinds = list(VisitKind.values)
    day = opened_days_ago - rng.randint(5, 12)
    last = None
    while day > 2:
        last = Visit.objects.create(
            case=case,
            supporter=case.supporter,
            date=today - timedelta(days=day),
            kind=rng.choice(kinds),
            duration_minutes=rng.choice([45, 60, 90, 120]),
            preparation_minutes=rng.choice([15, 30, 45]),
            travel_minutes=rng.choice([10, 20, 30, 40]),
            notes="In de klas meegekeken en de ondersteuning (scaffolding) met de leerkracht besproken.",
            next_visit_date=today - timedelta(days=max(day - 21, 1)),
            done=True,
        )
        day -= rng.randint(14, 28)
    if last is not None:
        NextStep.objects.create(
            visit=last,
            case=case,
            description="Leerkracht probeert plaatjeskaarten uit in de kring",
            due_date=today - timedelta(days=3),
        )
        NextStep.objects.create(
            visit=last,
            case=case,
            description="Het taalportret met de ouders delen",
            due_date=today + timedelta(days=10),
        )
    if case.status == CaseStatus.ACTIVE:
        Visit.objects.create(
            case=case,
            supporter=case.supporter,
            date=today + timedelta(days=rng.randint(3, 20)),
            kind=VisitKind.TEACHER_ADVICE,
            duration_minutes=60,
            preparation_minutes=30,
            travel_minutes=20,
            done=False,
        )


def seed(ctx: DemoContext) -> None:
    _profiles(ctx)
    now = timezone.now()
    staff = ctx.users["school_staff"]
    for index, (school_name, subject, topic, urgency, languages, description, status, key, days) in enumerate(
        REQUESTS
    ):
        school = ctx.school(school_name)
        if SupportRequest.objects.filter(school=school, description=description).exists():
            continue
        request = SupportRequest.objects.create(
            school=school,
            filed_by=staff if school_name == "De Kring" else None,
            subject=subject,
            topic=topic,
            urgency=urgency,
            languages=languages,
            description=description,
            status=status,
            decline_reason=DECLINE_REASON if status == RequestStatus.DECLINED else "",
            decided_at=now - timedelta(days=days - 5) if status in ("allocated", "declined") else None,
        )
        SupportRequest.objects.filter(pk=request.pk).update(created_at=now - timedelta(days=days))
        if subject == Subject.PUPIL:
            pupils = list(Pupil.objects.filter(school=school, anonymised_at__isnull=True).order_by("pk")[:2])
            request.pupils.set(pupils)
        if status != RequestStatus.ALLOCATED or key is None:  # only allocated requests name a supporter
            continue
        case_status = CaseStatus.ACTIVE
        if index == 6:
            case_status = CaseStatus.CLOSED
        elif index == 3:
            case_status = CaseStatus.PAUSED
        case = Case.objects.create(
            request=request,
            supporter=ctx.users[key],
            school=school,
            topic=topic,
            goals="Leerkrachten plannen lessen met visuele ondersteuning; leerlingen stromen binnen een periode in de gewone groep in.",
            planned_hours_per_month=request.estimated_hours,
            status=case_status,
            closed_at=now - timedelta(days=20) if case_status == CaseStatus.CLOSED else None,
            closing_summary="Leerlingen geplaatst in groep 6 en 7; het team gaat verder met het leesplan."
            if case_status == CaseStatus.CLOSED
            else "",
            advisor=ctx.users["supporter_c"] if index == 0 else None,
        )
        Case.objects.filter(pk=case.pk).update(opened_at=now - timedelta(days=days - 5))
        case.pupils.set(list(request.pupils.all()))
        _visits(ctx, case, days - 5)
        if index == 2:
            Transfer.objects.create(
                case=case,
                from_supporter=case.supporter,
                to_supporter=ctx.users["supporter_c"],
                message="Ik ben vanaf volgende maand met verlof; kun jij deze overnemen?",
            )

"""Demo data for buddy matching: interests, pupils and buddies across the demo schools, one finished run
with approved, pending and rejected pairs, and check-ins. Idempotent: skips what already exists."""

from datetime import timedelta

from django.utils import timezone

from accounts.demo import DemoContext
from accounts.roles import OrganisationKind
from matching.models import Buddy, BuddyKind, CheckIn, CheckInOutcome, Match, MatchRun, MatchStatus, RunStatus
from matching.services import followup, runs
from pupils.models import Interest, Pupil

INTERESTS = [
    ("football", "Voetbal", "Football"),
    ("drawing", "Tekenen", "Drawing"),
    ("music", "Muziek", "Music"),
    ("dance", "Dansen", "Dance"),
    ("gaming", "Gamen", "Gaming"),
    ("reading", "Lezen", "Reading"),
    ("swimming", "Zwemmen", "Swimming"),
    ("cooking", "Koken", "Cooking"),
    ("chess", "Schaken", "Chess"),
    ("basketball", "Basketbal", "Basketball"),
    ("science", "Natuur en techniek", "Science"),
    ("animals", "Dieren", "Animals"),
]

# Home languages of newcomer pupils in the region, roughly by frequency.
HOME_LANGUAGES = [
    "ar",
    "uk",
    "uk",
    "ar",
    "pl",
    "tr",
    "ti",
    "es",
    "pt",
    "zh",
    "hi",
    "en",
    "so",
    "fa",
    "ro",
    "bg",
]
PUPIL_NAMES = [
    "Amira",
    "Oleh",
    "Zofia",
    "Yusuf",
    "Selam",
    "Lucía",
    "João",
    "Mei",
    "Aarav",
    "Noor",
    "Daria",
    "Mehmet",
    "Filmon",
    "Sofia",
    "Wei",
    "Priya",
    "Hamza",
    "Iryna",
    "Kacper",
    "Elif",
    "Yonas",
    "Mateo",
    "Ana",
    "Li",
]
BUDDY_NAMES = [
    "Lotte",
    "Daan",
    "Sanne",
    "Bram",
    "Emma",
    "Luuk",
    "Julia",
    "Sem",
    "Tess",
    "Finn",
    "Noa",
    "Milan",
    "Sara",
    "Youssef",
    "Fatma",
    "Bilal",
    "Olena",
    "Marta",
    "Ayşe",
    "Kevin",
]
BRIDGE = {"ar": ["ar", "nl", "en"], "uk": ["uk", "ru", "nl"], "pl": ["pl", "nl", "en"], "tr": ["tr", "nl"]}


def _interests() -> list[Interest]:
    for code, nl, en in INTERESTS:
        Interest.objects.get_or_create(code=code, defaults={"name_nl": nl, "name_en": en})
    return list(Interest.objects.filter(code__in=[c for c, _nl, _en in INTERESTS]))


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    interests = _interests()
    schools = [s for s in ctx.schools if s.kind == OrganisationKind.SCHOOL]
    if not Pupil.objects.filter(school__in=schools).exists():
        today = timezone.localdate()
        pupils: list[Pupil] = []
        buddies: list[Buddy] = []
        for school in schools:
            limit = 8 if school.stage == "primary" else 6
            for _ in range(rng.randint(4, 8)):
                home = rng.choice(HOME_LANGUAGES)
                pupils.append(
                    Pupil(
                        first_name=rng.choice(PUPIL_NAMES),
                        last_initial=rng.choice("ABDEHKMNRSTY"),
                        birth_year=today.year
                        - (6 + rng.randint(2, limit) if limit == 8 else 12 + rng.randint(0, 5)),
                        school=school,
                        stage=school.stage,
                        grade=rng.randint(3, limit) if limit == 8 else rng.randint(1, limit),
                        transition_date=today + timedelta(days=rng.randint(-30, 60)),
                        home_languages=[home],
                        other_languages=["en"] if rng.random() < 0.3 else [],
                        consent_by="parent",
                        consent_at=timezone.now(),
                    )
                )
            for _ in range(rng.randint(3, 6)):
                home = rng.choice(HOME_LANGUAGES + ["nl"] * 6)
                buddies.append(
                    Buddy(
                        kind=BuddyKind.PEER,
                        school=school,
                        first_name=rng.choice(BUDDY_NAMES),
                        last_initial=rng.choice("BDGJKMPSVW"),
                        grade=rng.randint(4, limit) if limit == 8 else rng.randint(1, limit),
                        languages=BRIDGE.get(home, [home, "nl"]),
                        capacity=rng.randint(1, 2),
                        consent_by="parent",
                        consent_at=timezone.now(),
                    )
                )
            buddies.append(
                Buddy(
                    kind=BuddyKind.STAFF,
                    school=school,
                    first_name=rng.choice(BUDDY_NAMES),
                    last_initial=rng.choice("BDGJKMPSVW"),
                    languages=["nl", "en"],
                    capacity=3,
                    consent_by="self",
                    consent_at=timezone.now(),
                    trained_on=today - timedelta(days=rng.randint(30, 400)),
                )
            )
        Pupil.objects.bulk_create(pupils)
        Buddy.objects.bulk_create(buddies)
        through_p = Pupil.interests.through
        through_b = Buddy.interests.through
        through_p.objects.bulk_create(
            [through_p(pupil_id=p.pk, interest_id=i.pk) for p in pupils for i in rng.sample(interests, 2)]
        )
        through_b.objects.bulk_create(
            [through_b(buddy_id=b.pk, interest_id=i.pk) for b in buddies for i in rng.sample(interests, 2)]
        )
    if not MatchRun.objects.filter(scope=ctx.region).exists():
        _completed_run(ctx)


def _completed_run(ctx: DemoContext) -> None:
    """Solve the region in-process (no worker needed) and review part of the proposals."""
    coordinator = ctx.users.get("buddy_region")
    run = MatchRun.objects.create(scope=ctx.region, buddy_kind=BuddyKind.PEER, started_by=coordinator)
    for index in runs.prepare_run(run.pk):
        runs.run_batch(run.pk, index)
    run.refresh_from_db()
    if run.status != RunStatus.DONE:
        return
    rng = ctx.rng
    now = timezone.now()
    today = timezone.localdate()
    proposals = list(Match.objects.filter(run=run).order_by("pupil_id"))
    taken: dict[int, int] = {}
    capacity = dict(
        Buddy.objects.filter(pk__in=[m.buddy_id for m in proposals]).values_list("pk", "capacity")
    )
    for i, match in enumerate(proposals):
        roll = i % 10
        if roll < 5 and taken.get(match.buddy_id, 0) < capacity[match.buddy_id]:
            taken[match.buddy_id] = taken.get(match.buddy_id, 0) + 1
            started = today - timedelta(days=rng.randint(3, 70))
            match.status = MatchStatus.APPROVED
            match.decided_at = now - timedelta(days=(today - started).days)
            match.decided_by = coordinator
            match.starts_on = started
            match.ends_on = followup.add_months(started, 6)
            match.notified_at = match.decided_at
            match.fit = "good" if (today - started).days > 10 else ""
            match.save()
            followup.schedule_check_ins(match)
            past = list(CheckIn.objects.filter(match=match, due_on__lt=today).order_by("due_on"))
            # Most past check-ins are done; every fourth match leaves its latest one overdue.
            for j, check_in in enumerate(past):
                if i % 4 == 0 and j == len(past) - 1:
                    continue
                check_in.done_at = now - timedelta(days=(today - check_in.due_on).days)
                check_in.done_by = coordinator
                check_in.outcome = rng.choice(
                    [CheckInOutcome.GOING_WELL, CheckInOutcome.GOING_WELL, CheckInOutcome.NEEDS_ATTENTION]
                )
                check_in.save()
        elif roll == 9:
            match.status = MatchStatus.REJECTED
            match.decided_at = now
            match.decided_by = coordinator
            match.save()

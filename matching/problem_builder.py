"""From the database to the engine: which pupils a run covers, how they fall into groups and batches,
and one batch's :class:`matching.engine.Problem`, loaded in bulk.

Every load is a fixed number of ``values_list`` queries per batch (pupils, their interests, buddies,
their interests, buddy loads, locked pairs, exclusions), whatever the batch size: no query per pupil.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import Organisation
from accounts.roles import OrganisationKind
from matching.engine import NO_GRADE, Problem, problem_from_records, solve
from matching.models import Buddy, BuddyKind, EndReason, Match, MatchRun, MatchStatus
from pupils.models import Interest, Pupil, grade_level

#: Pupils per batch task (setting MATCHING_BATCH_PUPILS). A national run (100,000 pupils, 7,000
#: schools) gives 20 batches of ~350 schools. Measured on 2 cores: 3,000 (34 batches) took 56 s from
#: the API call to the last proposal, 6,000 (17 batches) 49 s, on the same loaded machine; every batch
#: pays ~10 queries and a transaction, and two workers still share 20 batches evenly.
BATCH_PUPILS = 5000

GENDER_CODES = {"": 0, "f": 1, "m": 2, "x": 3}


def _groups_and_paths(schools: QuerySet[Organisation]) -> tuple[dict[int, int], dict[int, str]]:
    rows = schools.filter(kind=OrganisationKind.SCHOOL).values_list(
        "id",
        "path",
        "parent_id",
        "parent__allow_cross_school_matching",
        "parent__parent__allow_cross_school_matching",
    )
    groups: dict[int, int] = {}
    paths: dict[int, str] = {}
    for sid, path, mid, m_allow, r_allow in rows:
        groups[sid] = mid if mid is not None and (m_allow or r_allow) else sid
        paths[sid] = path
    return groups, paths


def school_groups(schools: QuerySet[Organisation]) -> dict[int, int]:
    """School id -> group id: the municipality when it (or its region) allows cross-school pairs."""
    return _groups_and_paths(schools)[0]


def scope_schools(run: MatchRun) -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.SCHOOL, path__startswith=run.scope.path)


def eligible_pupils(run: MatchRun, school_ids: list[int] | None = None) -> QuerySet[Pupil]:
    """Pupils in the run's scope (or in ``school_ids``, already within it) without an approved match
    of the run's buddy kind."""
    active = Match.objects.filter(pupil=OuterRef("pk"), kind=run.buddy_kind, status=MatchStatus.APPROVED)
    if school_ids is None:
        qs = Pupil.objects.filter(
            school__kind=OrganisationKind.SCHOOL, school__path__startswith=run.scope.path
        )
    else:
        qs = Pupil.objects.filter(school_id__in=school_ids)
    qs = qs.filter(anonymised_at__isnull=True).filter(~Exists(active))
    if run.transition_before is not None:
        qs = qs.filter(Q(transition_date__lte=run.transition_before) | Q(priority_since__isnull=False))
    return qs


@dataclass
class PlannedBatch:
    groups: list[int]
    pupils: int


def plan_batches(run: MatchRun, batch_pupils: int | None = None) -> list[PlannedBatch]:
    """Groups with eligible pupils, in ascending id order, packed into batches of ~``batch_pupils``.

    Two queries: the scope's schools with their group, and pupil counts per school. A group is never
    split, so batches never compete for a buddy.
    """
    batch_pupils = batch_pupils or getattr(settings, "MATCHING_BATCH_PUPILS", BATCH_PUPILS)
    groups = school_groups(scope_schools(run))
    per_school = (
        eligible_pupils(run).values("school_id").annotate(n=Count("id")).values_list("school_id", "n")
    )
    per_group: dict[int, int] = {}
    for school_id, n in per_school:
        group = groups.get(school_id, school_id)
        per_group[group] = per_group.get(group, 0) + n
    batches: list[PlannedBatch] = []
    current = PlannedBatch([], 0)
    for group in sorted(per_group):
        if current.groups and current.pupils + per_group[group] > batch_pupils:
            batches.append(current)
            current = PlannedBatch([], 0)
        current.groups.append(group)
        current.pupils += per_group[group]
    if current.groups:
        batches.append(current)
    return batches


@dataclass
class LoadedBatch:
    problem: Problem
    school_of_pupil: dict[int, int]


def _tags(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for owner, code in rows:
        out.setdefault(owner, []).append(code)
    return out


def load_batch(run: MatchRun, groups: list[int]) -> LoadedBatch:
    """The engine problem for the run's pupils and buddies in ``groups`` (8 queries, whatever the size)."""
    candidates = Organisation.objects.filter(Q(pk__in=groups) | Q(parent_id__in=groups))
    wanted = set(groups)
    all_groups, paths = _groups_and_paths(candidates)
    group_of = {s: g for s, g in all_groups.items() if g in wanted}
    in_scope = [s for s in group_of if paths[s].startswith(run.scope.path)]
    pupil_rows = list(
        eligible_pupils(run, in_scope).values_list(
            "id",
            "school_id",
            "stage",
            "grade",
            "transition_date",
            "home_languages",
            "other_languages",
            "gender",
            "buddy_gender_preference",
        )
    )
    pupil_ids = {row[0] for row in pupil_rows}
    codes = dict(Interest.objects.values_list("id", "code"))
    # Interests, loads and earlier pairs are filtered by the batch's schools (a few hundred parameters,
    # indexed joins), not by lists of thousands of pupil/buddy ids: preparing 9,000 IN parameters cost
    # more Python time than the queries themselves.
    pupil_interests = _tags(
        (pid, codes[iid])
        for pid, iid in Pupil.interests.through.objects.filter(
            pupil__school_id__in=in_scope, pupil__anonymised_at__isnull=True
        ).values_list("pupil_id", "interest_id")
        if pid in pupil_ids
    )
    buddy_filter = {"kind": run.buddy_kind, "school_id__in": list(group_of), "anonymised_at__isnull": True}
    buddy_rows = list(
        Buddy.objects.filter(**buddy_filter).values_list(
            "id",
            "school_id",
            "school__stage",
            "grade",
            "languages",
            "gender",
            "capacity",
            "available_from",
            "available_until",
            "consent_at",
        )
    )
    buddy_ids = {row[0] for row in buddy_rows}
    on_buddy = {f"buddy__{key}": value for key, value in buddy_filter.items()}
    buddy_interests = _tags(
        (bid, codes[iid])
        for bid, iid in Buddy.interests.through.objects.filter(**on_buddy).values_list(
            "buddy_id", "interest_id"
        )
    )
    loads = dict(
        Match.objects.filter(status=MatchStatus.APPROVED, **on_buddy)
        .values("buddy_id")
        .annotate(n=Count("id"))
        .values_list("buddy_id", "n")
    )
    # Locked proposals of earlier finished runs are kept verbatim; rejected pairs and pairs that ended
    # as "not a fit" are never proposed again.
    pair_rows = Match.objects.filter(kind=run.buddy_kind, school_id__in=in_scope).filter(
        Q(status=MatchStatus.PROPOSED, locked=True, run__status="done")
        | Q(status=MatchStatus.REJECTED)
        | Q(status=MatchStatus.ENDED, end_reason=EndReason.NOT_A_FIT)
    )
    known_buddies = buddy_ids
    known_buddies = set(buddy_ids)
    locked: dict[int, int] = {}
    exclusions: list[tuple[int, int]] = []
    for pupil_id, buddy_id, status in pair_rows.exclude(run=run).values_list(
        "pupil_id", "buddy_id", "status"
    ):
        if buddy_id not in known_buddies or pupil_id not in pupil_ids:
            continue
        if status == MatchStatus.PROPOSED:
            locked.setdefault(pupil_id, buddy_id)
        else:
            exclusions.append((pupil_id, buddy_id))

    pupils = [
        {
            "id": pid,
            "group": group_of[school],
            "grade": grade_level(stage, grade),
            "home_languages": home or [],
            "languages": [*(home or []), *(other or [])],
            "interests": pupil_interests.get(pid, []),
            "gender": GENDER_CODES.get(gender, 0),
            "gender_pref": GENDER_CODES.get(pref, 0),
            "transition_day": transition,
        }
        for pid, school, stage, grade, transition, home, other, gender, pref in pupil_rows
    ]
    buddies = [
        {
            "id": bid,
            "group": group_of[school],
            "grade": grade_level(stage, grade) if grade else NO_GRADE,
            "languages": langs or [],
            "interests": buddy_interests.get(bid, []),
            "gender": GENDER_CODES.get(gender, 0),
            "capacity": capacity,
            "load": min(loads.get(bid, 0), capacity),
            "consent": run.buddy_kind != BuddyKind.PEER or consent_at is not None,
            "available_from": available_from,
            "available_until": available_until,
        }
        for bid, school, stage, grade, langs, gender, capacity, available_from, available_until, consent_at in (
            buddy_rows
        )
    ]
    problem = problem_from_records(pupils, buddies, exclusions=exclusions, locked=list(locked.items()))
    return LoadedBatch(problem, {row[0]: row[1] for row in pupil_rows})


def explain_pair(pupil: Pupil, buddy: Buddy) -> tuple[float, list[list[object]]]:
    """Cost and reasons for one chosen pair (after a swap), from the engine as a locked pair."""
    pupil_rec = {
        "id": pupil.pk,
        "group": 1,
        "grade": grade_level(pupil.stage, pupil.grade),
        "home_languages": pupil.home_languages,
        "languages": pupil.languages,
        "interests": [i.code for i in pupil.interests.all()],
        "gender": GENDER_CODES.get(pupil.gender, 0),
        "gender_pref": GENDER_CODES.get(pupil.buddy_gender_preference, 0),
        "transition_day": pupil.transition_date,
    }
    buddy_rec = {
        "id": buddy.pk,
        "group": 1,
        "grade": grade_level(buddy.school.stage, buddy.grade) if buddy.grade else NO_GRADE,
        "languages": buddy.languages,
        "interests": [i.code for i in buddy.interests.all()],
        "gender": GENDER_CODES.get(buddy.gender, 0),
        "capacity": buddy.capacity,
    }
    result = solve(problem_from_records([pupil_rec], [buddy_rec], locked=[(pupil.pk, buddy.pk)]))
    pair = result.pairs[0]
    reasons = [[code, params] for code, params in pair.reasons if code != "locked"]
    return pair.cost, reasons

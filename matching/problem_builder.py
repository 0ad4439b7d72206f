"""From the database to the engine: which pupils a run covers, how they fall into groups and batches,
and one batch's :class:`matching.engine.Problem`, loaded in bulk.

Every load is a fixed number of ``values_list`` queries per batch (pupils, their interests, buddies,
their interests, buddy loads, locked pairs, exclusions), whatever the batch size: no query per pupil.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import Organisation
from accounts.roles import OrganisationKind
from matching import columnar
from matching.engine import NO_GRADE, Buddies, Problem, Pupils, Weights, problem_from_records, solve
from matching.engine.records import buddies_from_records, pupils_from_records, to_day
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
    configured: int = getattr(settings, "MATCHING_BATCH_PUPILS", BATCH_PUPILS)
    size = batch_pupils or configured
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
        if current.groups and current.pupils + per_group[group] > size:
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


@dataclass
class BatchScope:
    group_of: dict[int, int]  # school id -> group id, for every school of the batch's groups
    in_scope: list[int]  # those schools inside the run's scope (whose pupils the run matches)


def _tags(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for owner, code in rows:
        out.setdefault(owner, []).append(code)
    return out


def load_batch(run: MatchRun, groups: list[int]) -> LoadedBatch:
    """The engine problem for the run's pupils and buddies in ``groups``, in a fixed number of queries
    (6 on PostgreSQL, 8 elsewhere), whatever the size."""
    scope = _batch_scope(run, groups)
    pupils_qs = eligible_pupils(run, scope.in_scope).order_by("transition_date", "id")
    buddies_qs = Buddy.objects.filter(
        kind=run.buddy_kind, school_id__in=list(scope.group_of), anonymised_at__isnull=True
    ).order_by("school_id", "first_name", "id")
    if connection.vendor == "postgresql":
        pupils, buddies, names, schools = _columns(run, scope, pupils_qs, buddies_qs)
    else:
        pupils, buddies, names, schools = _records(run, scope, pupils_qs, buddies_qs)
    locked, exclusions = _decided_pairs(run, scope.in_scope, pupils.ids, buddies.ids)
    problem = Problem(
        pupils=pupils,
        buddies=buddies,
        exclusions=np.array(exclusions, dtype=np.int64).reshape(-1, 2),
        locked=np.array(list(locked.items()), dtype=np.int64).reshape(-1, 2),
        weights=Weights(),
        language_names=tuple(names[0]),
        interest_names=tuple(names[1]),
    )
    return LoadedBatch(problem, dict(zip(pupils.ids.tolist(), schools, strict=True)))


def _batch_scope(run: MatchRun, groups: list[int]) -> BatchScope:
    candidates = Organisation.objects.filter(Q(pk__in=groups) | Q(parent_id__in=groups))
    wanted = set(groups)
    all_groups, paths = _groups_and_paths(candidates)
    group_of = {s: g for s, g in all_groups.items() if g in wanted}
    return BatchScope(group_of, [s for s in group_of if paths[s].startswith(run.scope.path)])


def _columns(
    run: MatchRun, scope: BatchScope, pupils_qs: QuerySet[Pupil], buddies_qs: QuerySet[Buddy]
) -> tuple[Pupils, Buddies, tuple[list[str], list[str]], list[int]]:
    """PostgreSQL: every column computed by the database, packed into one value per side (``columnar.py``)."""
    pupils, buddies, languages, interest_codes = columnar.load_sides(
        pupils_qs, buddies_qs, run.buddy_kind, to_day(date.today(), 0)
    )
    schools = pupils.group.tolist()
    keys = np.array(sorted(scope.group_of), dtype=np.int64)
    values = np.array([scope.group_of[k] for k in keys.tolist()], dtype=np.int64)
    pupils.group = values[np.searchsorted(keys, pupils.group)]
    buddies.group = values[np.searchsorted(keys, buddies.group)]
    return pupils, buddies, (languages, interest_codes), schools


def _records(
    run: MatchRun, scope: BatchScope, pupils_qs: QuerySet[Pupil], buddies_qs: QuerySet[Buddy]
) -> tuple[Pupils, Buddies, tuple[list[str], list[str]], list[int]]:
    """Other databases: rows as dicts, encoded by ``matching.engine.records``."""
    codes = dict(Interest.objects.values_list("id", "code"))
    pupils = _pupil_records(scope, pupils_qs, codes)
    buddies = _buddy_records(run, scope, buddies_qs, codes)
    languages = sorted(
        {t for p in pupils for t in p["languages"]} | {t for b in buddies for t in b["languages"]}
    )
    interests = sorted({t for recs in (pupils, buddies) for r in recs for t in r["interests"]})
    return (
        pupils_from_records(pupils, languages, interests),
        buddies_from_records(buddies, languages, interests),
        (languages, interests),
        [p["school"] for p in pupils],
    )


def _pupil_records(scope: BatchScope, pupils_qs: QuerySet[Pupil], codes: dict[int, str]) -> list[dict]:
    rows = list(
        pupils_qs.values_list(
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
    pupil_ids = {row[0] for row in rows}
    # Interests are filtered by the batch's schools (a few hundred parameters, indexed joins), not by
    # lists of thousands of pupil ids: preparing 9,000 IN parameters cost more than the queries.
    interests = _tags(
        (pid, codes[iid])
        for pid, iid in Pupil.interests.through.objects.filter(
            pupil__school_id__in=scope.in_scope, pupil__anonymised_at__isnull=True
        ).values_list("pupil_id", "interest_id")
        if pid in pupil_ids
    )
    return [
        {
            "id": pid,
            "school": school,
            "group": scope.group_of[school],
            "grade": grade_level(stage, grade),
            "home_languages": home or [],
            "languages": [*(home or []), *(other or [])],
            "interests": interests.get(pid, []),
            "gender": GENDER_CODES.get(gender, 0),
            "gender_pref": GENDER_CODES.get(pref, 0),
            "transition_day": transition,
        }
        for pid, school, stage, grade, transition, home, other, gender, pref in rows
    ]


def _buddy_records(
    run: MatchRun, scope: BatchScope, buddies_qs: QuerySet[Buddy], codes: dict[int, str]
) -> list[dict]:
    fields = ("id", "school_id", "school__stage", "grade", "languages", "gender", "capacity")
    rows = list(buddies_qs.values_list(*fields, "available_from", "available_until", "consent_at"))
    on_buddy: dict[str, object] = {
        "buddy__kind": run.buddy_kind,
        "buddy__school_id__in": list(scope.group_of),
        "buddy__anonymised_at__isnull": True,
    }
    interests = _tags(
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
    return [
        {
            "id": bid,
            "group": scope.group_of[school],
            "grade": grade_level(stage, grade) if grade else NO_GRADE,
            "languages": langs or [],
            "interests": interests.get(bid, []),
            "gender": GENDER_CODES.get(gender, 0),
            "capacity": capacity,
            "load": min(loads.get(bid, 0), capacity),
            "consent": run.buddy_kind != BuddyKind.PEER or consent_at is not None,
            "available_from": available_from,
            "available_until": available_until,
        }
        for bid, school, stage, grade, langs, gender, capacity, available_from, available_until, consent_at in rows
    ]


def _decided_pairs(
    run: MatchRun, in_scope: list[int], pupil_ids: np.ndarray, buddy_ids: np.ndarray
) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Locked proposals of earlier finished runs (kept verbatim) and pairs never to propose again
    (rejected, or ended as "not a fit"), among this batch's pupils and buddies."""
    rows = (
        Match.objects.filter(kind=run.buddy_kind, school_id__in=in_scope)
        .filter(
            Q(status=MatchStatus.PROPOSED, locked=True, run__status="done")
            | Q(status=MatchStatus.REJECTED)
            | Q(status=MatchStatus.ENDED, end_reason=EndReason.NOT_A_FIT)
        )
        .exclude(run=run)
        .values_list("pupil_id", "buddy_id", "status")
    )
    pairs = list(rows)
    known = np.isin(np.array([p[0] for p in pairs], dtype=np.int64), pupil_ids) & np.isin(
        np.array([p[1] for p in pairs], dtype=np.int64), buddy_ids
    )
    locked: dict[int, int] = {}
    exclusions: list[tuple[int, int]] = []
    for (pupil_id, buddy_id, status), ok in zip(pairs, known.tolist(), strict=True):
        if not ok:
            continue
        if status == MatchStatus.PROPOSED:
            locked.setdefault(pupil_id, buddy_id)
        else:
            exclusions.append((pupil_id, buddy_id))
    return locked, exclusions


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
    reasons: list[list[object]] = [[code, params] for code, params in pair.reasons if code != "locked"]
    return pair.cost, reasons

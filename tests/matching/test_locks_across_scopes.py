"""Locked and approved pairs survive every later run, of any scope (school, municipality, region), also
when the lock or approval is taken while a run is working; a person who sees a proposal can open its run,
and sees only their part of it."""

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from core.errors import ServiceError
from matching.models import Match, MatchRun, MatchStatus, RunStatus
from matching.services import review, runs
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_pupil

SCOPES = ("school_a", "school_a2", "school_a3", "municipality_a1", "municipality_a2", "region_a")
PUPILS_PER_SCHOOL = 2

run_step = st.tuples(st.just("run"), st.sampled_from(SCOPES), st.integers(0, 3), st.integers(0, 50))
decide_step = st.tuples(st.sampled_from(["lock", "approve"]), st.integers(0, 50))
steps = st.lists(st.one_of(run_step, decide_step), min_size=2, max_size=8)


def _decide(user, action: str, pick: int, decided: dict[str, set[tuple[int, int]]]) -> None:  # type: ignore[no-untyped-def]
    open_ = list(
        Match.objects.filter(status=MatchStatus.PROPOSED, run__status=RunStatus.DONE)
        .order_by("pk")
        .values_list("pk", "pupil_id", "buddy_id")
    )
    if not open_:
        return
    match_id, pupil_id, buddy_id = open_[pick % len(open_)]
    try:
        (review.lock if action == "lock" else review.approve)(user, match_id)
    except ServiceError:
        return  # a full buddy or an approved pupil: refused, nothing decided
    decided[action].add((pupil_id, buddy_id))


def _run(tree, user, scope: str, decide_after: int, pick: int, decided) -> None:  # type: ignore[no-untyped-def]
    """A run whose batches are written one by one, with a decision taken after ``decide_after`` of them."""
    run = MatchRun.objects.create(scope=getattr(tree, scope), buddy_kind="peer", started_by=user)
    pending = runs.prepare_run(run.pk)
    for n, index in enumerate(pending):
        if n == decide_after:
            _decide(user, "lock" if pick % 2 else "approve", pick, decided)
        runs.run_batch(run.pk, index)


def _surviving_problems(decided: dict[str, set[tuple[int, int]]]) -> list[str]:
    problems = []
    approved = set(Match.objects.filter(status=MatchStatus.APPROVED).values_list("pupil_id", "buddy_id"))
    locked = set(
        Match.objects.filter(status=MatchStatus.PROPOSED, locked=True).values_list("pupil_id", "buddy_id")
    )
    for pair in decided["approve"] - approved:
        problems.append(f"approved pair {pair} lost")
    for pair in decided["lock"] - locked - approved:  # a locked pair may since have been approved
        problems.append(f"locked pair {pair} lost")
    proposed = Counter(Match.objects.filter(status=MatchStatus.PROPOSED).values_list("pupil_id", flat=True))
    problems += [f"pupil {p} has {n} proposals" for p, n in proposed.items() if n > 1]
    approved_pupils = {p for p, _ in approved}
    problems += [f"approved pupil {p} proposed again" for p in proposed if p in approved_pupils]
    return problems


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps)
def test_it_keeps_every_lock_and_approval_through_runs_of_any_scope(tree, settings_override, plan):
    with transaction.atomic():
        user = make_membership(Role.BUDDY_COORDINATOR, tree.region_a)
        for school in (tree.school_a, tree.school_a2, tree.school_a3):
            for _ in range(PUPILS_PER_SCHOOL):
                make_pupil(school)
            make_buddy(school, capacity=1)
            make_buddy(school, capacity=2)
        decided: dict[str, set[tuple[int, int]]] = {"lock": set(), "approve": set()}
        for step in plan:
            if step[0] == "run":
                _run(tree, user, step[1], step[2], step[3], decided)
            else:
                _decide(user, step[0], step[1], decided)
            assert _surviving_problems(decided) == [], (plan, step)
        transaction.set_rollback(True)


@pytest.fixture
def settings_override(settings):  # type: ignore[no-untyped-def]
    settings.MATCHING_BATCH_PUPILS = PUPILS_PER_SCHOOL  # one school per batch: decisions between batches
    return settings


def test_it_lets_a_school_coordinator_open_a_regional_run_with_her_locked_pair_and_only_her_part(tree):
    """The case of the issue: De Kring's coordinator locked a pair; a regional run followed. The lock is
    in the regional run, she can open that run, sees her school's rows only, and who started it."""
    from django.test import Client
    from django.urls import reverse

    school_coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    regional = make_membership(Role.BUDDY_COORDINATOR, tree.region_a)
    outsider = make_membership(Role.BUDDY_COORDINATOR, tree.school_b)
    mine = make_pupil(tree.school_a)
    theirs = make_pupil(tree.school_a3)
    make_buddy(tree.school_a, capacity=1)
    make_buddy(tree.school_a3, capacity=1)
    school_run = MatchRun.objects.create(
        scope=tree.school_a, buddy_kind="peer", started_by=school_coordinator
    )
    for index in runs.prepare_run(school_run.pk):
        runs.run_batch(school_run.pk, index)
    locked = review.lock(school_coordinator, Match.objects.get(run=school_run).pk)
    region_run = MatchRun.objects.create(scope=tree.region_a, buddy_kind="peer", started_by=regional)
    for index in runs.prepare_run(region_run.pk):
        runs.run_batch(region_run.pk, index)

    carried = Match.objects.get(run=region_run, pupil=mine)
    assert (carried.buddy_id, carried.locked, carried.status) == (locked.buddy_id, True, MatchStatus.PROPOSED)
    client = Client()
    client.force_login(school_coordinator)
    page = client.get(reverse("matching:run_detail", args=[region_run.pk]))
    assert page.status_code == 200
    assert [row["match"].pupil_id for row in page.context["rows"]] == [mine.pk]
    assert theirs.pk not in [u.pupil_id for u in page.context["unmatched"]]
    assert page.context["partial"] is True
    assert f"Gestart door {regional.get_full_name() or regional.email} voor {tree.region_a.name}." in (
        page.content.decode()
    )
    assert client.get(reverse("matching:run_progress", args=[region_run.pk])).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("matching:run_detail", args=[region_run.pk])).status_code == 404

"""Bulk allocation: optimal against brute force on small random instances, never past anyone's free hours."""

import itertools
import random
from decimal import Decimal

import pytest

from accounts.roles import Role
from caseloads import allocation, services
from caseloads.models import Case, RequestStatus, SupporterProfile, Topic
from caseloads.workload import Load
from core.errors import Conflict
from tests.caseloads.factories import make_request, make_supporter
from tests.factories import make_membership

TOPICS = list(Topic.values)
LANGS = ["ar", "uk", "tr", "pl"]


def _instance(rng: random.Random, *, sizes: list[int]) -> tuple[list[allocation.RequestFacts], list[Load]]:
    n, m = rng.randint(1, 6), rng.randint(1, 3)
    requests = [
        allocation.RequestFacts(
            id=i + 1,
            topic=rng.choice(TOPICS),
            languages=frozenset(rng.sample(LANGS, rng.randint(0, 2))),
            municipality_id=rng.choice([1, 2]),
            hours=rng.choice(sizes),
        )
        for i in range(n)
    ]
    loads = []
    for c in range(m):
        profile = SupporterProfile(
            user_id=100 + c,
            expertise=rng.sample(TOPICS, rng.randint(0, 3)),
            languages=rng.sample(LANGS, rng.randint(0, 2)),
            home_municipality_id=rng.choice([1, 2, None]),
            active=rng.random() > 0.1,
        )
        contract = Decimal(rng.choice([0, 8, 17.3, 26, 34.7])).quantize(Decimal("0.1"))
        loads.append(Load(profile, contract, rng.choice([0, 4, 6, 12])))
    return requests, loads


def _value(columns, requests, loads, cost):
    """(requests allocated, total cost incl. the load-spreading place costs 0, 1, 2, ...)."""
    total, per = 0.0, {}
    for i, c in enumerate(columns):
        if c >= 0:
            total += cost[i, c] + per.get(c, 0)
            per[c] = per.get(c, 0) + 1
    return (sum(1 for c in columns if c >= 0), total)


def _hours_fit(columns, requests, loads) -> bool:
    used: dict[int, int] = {}
    for r, c in zip(requests, columns, strict=True):
        if c >= 0:
            used[c] = used.get(c, 0) + r.hours
    return all(Decimal(h) <= max(Decimal(0), loads[c].free) for c, h in used.items())


def _brute_force(requests, loads, cost, places=None):
    """Best (-count, cost) over every assignment that fits free hours (or, given ``places``, that uses at
    most ``places[c]`` requests of supporter c)."""

    def feasible(columns):
        if places is None:
            return _hours_fit(columns, requests, loads)
        return all(sum(1 for c in columns if c == k) <= places[k] for k in range(len(loads)))

    best = None
    for columns in itertools.product(range(-1, len(loads)), repeat=len(requests)):
        if any(c >= 0 and not cost[i, c] < float("inf") for i, c in enumerate(columns)):
            continue
        if not feasible(columns):
            continue
        count, total = _value(columns, requests, loads, cost)
        key = (-count, total)
        if best is None or key < best:
            best = key
    return best


def test_it_is_optimal_against_brute_force_when_requests_have_one_size():
    rng = random.Random(5)
    for _ in range(300):
        size = rng.choice([4, 6, 8])
        requests, loads = _instance(rng, sizes=[size])
        cost = allocation.cost_matrix(requests, loads)

        columns = list(allocation.solve(requests, loads))

        count, total = _value(columns, requests, loads, cost)
        assert _hours_fit(columns, requests, loads)
        assert (-count, total) == _brute_force(requests, loads, cost)


def test_it_never_exceeds_free_hours_and_is_optimal_in_its_slot_model_with_mixed_sizes():
    rng = random.Random(11)
    for _ in range(300):
        requests, loads = _instance(rng, sizes=[4, 6, 8])
        cost = allocation.cost_matrix(requests, loads)
        largest = max(r.hours for r in requests)
        places = [int(max(Decimal(0), ld.free) // largest) for ld in loads]

        columns = list(allocation.solve(requests, loads))

        assert _hours_fit(columns, requests, loads)
        # The exact part allocates as many as the best "every request is the largest size" packing; the
        # top-up only ever adds requests on top of that.
        slot_best = _brute_force(requests, loads, cost, places)
        assert _value(columns, requests, loads, cost)[0] >= -slot_best[0]
        true_best = _brute_force(requests, loads, cost)
        assert _value(columns, requests, loads, cost)[0] <= -true_best[0]


def test_it_gives_the_same_proposal_for_the_same_input():
    rng = random.Random(3)
    requests, loads = _instance(rng, sizes=[6])

    assert list(allocation.solve(requests, loads)) == list(allocation.solve(requests, loads))


@pytest.mark.django_db
def test_it_confirms_all_or_nothing_and_refuses_a_changed_queue(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    make_supporter(tree.support_a, hours=16)
    first = make_request(tree.school_a)
    proposal = services.propose_open(coordinator_a)
    make_request(tree.school_a2)  # a new request arrives meanwhile

    with pytest.raises(Conflict):
        services.confirm_open(coordinator_a, proposal.pairs, proposal.fingerprint)

    first.refresh_from_db()
    assert first.status == RequestStatus.NEW
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_it_leaves_requests_nobody_has_hours_for_to_the_coordinator(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a, hours=2)  # 8.7 h: one 6-hour request
    first = make_request(tree.school_a)
    second = make_request(tree.school_a2)

    proposal = services.propose_open(coordinator_a)

    assert proposal.pairs == [(first.pk, supporter.pk)]
    assert proposal.unassigned == [second.pk]
    assert proposal.hours == {supporter.pk: 6}


@pytest.mark.django_db
def test_it_refuses_confirmed_pairs_past_a_supporters_free_hours(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a, hours=2)  # 8.7 h: one 6-hour request
    first = make_request(tree.school_a)
    second = make_request(tree.school_a2)
    proposal = services.propose_open(coordinator_a)

    with pytest.raises(Conflict):
        services.confirm_open(
            coordinator_a, [(first.pk, supporter.pk), (second.pk, supporter.pk)], proposal.fingerprint
        )

    assert Case.objects.count() == 0

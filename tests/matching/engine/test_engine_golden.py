"""The engine's whole output on a seeded instance, pinned: speed work must not change one pair.

The digest covers every pair (ids, cost, reasons with their parameters, locked flag, alternatives with
their costs) and every unmatched pupil with its reason, in order, via their reprs (floats repr exactly).
It was taken from the engine before the output-building speed-ups of issue 14; if a deliberate change
of the output changes it, recompute it and say why in the commit.
"""

import dataclasses
import hashlib

import numpy as np
import pytest

from benchmarks.matching_engine import SEED, make_instance
from matching.engine import Result, iter_batches, merge_results, solve, solve_batch

DIGEST = "5451e0019a4d44f98d87ccc5f37dee2ad55bd9c1e1b8bdd1e0a1d8cacf2e81dc"


@pytest.fixture(scope="module")
def problem():
    base = make_instance(SEED, 4000, 12000, 300)
    # Locked pairs (some against the rules) and exclusions, so every reason shape is in the output.
    pupils, buddies = base.pupils, base.buddies
    locked = []
    for i in range(0, 4000, 97):
        same = np.flatnonzero(buddies.group == pupils.group[i])
        if same.size:
            locked.append((int(pupils.ids[i]), int(buddies.ids[same[-1]])))
    excluded = [
        (int(pupils.ids[i]), int(buddies.ids[j]))
        for i, j in zip(range(5, 4000, 53), range(0, 12000, 159), strict=False)
    ]
    return dataclasses.replace(
        base,
        locked=np.array(locked, dtype=np.int64).reshape(-1, 2),
        exclusions=np.array(excluded, dtype=np.int64).reshape(-1, 2),
    )


def digest(result: Result) -> str:
    return hashlib.sha256(repr((result.pairs, result.unmatched)).encode()).hexdigest()


def test_it_gives_the_pinned_output_with_every_reason_shape(problem):
    result = solve(problem)
    kinds = {code for pair in result.pairs for code, _ in pair.reasons}
    assert kinds == {
        "locked",
        "shared_home_language",
        "shared_language",
        "no_shared_language",
        "same_grade",
        "grade_distance",
        "shared_interests",
        "buddy_load",
    }
    assert result.stats.locked > 0
    assert result.unmatched
    assert digest(result) == DIGEST


def test_it_gives_the_pinned_output_with_workers_and_in_batches(problem):
    assert digest(solve(problem, workers=2, batch_size=500)) == DIGEST
    batches = [solve_batch(problem, groups) for groups in iter_batches(problem, batch_size=700)]
    assert digest(merge_results(reversed(batches))) == DIGEST

"""Pure buddy matching engine (no Django): exact, deterministic, explainable.

Public API:

* :func:`solve` - whole run; :func:`iter_batches` + :func:`solve_batch` + :func:`merge_results` - the
  same run cut into independent batches (Celery);
* :func:`assign` - generic exact capacitated assignment, reusable by other domains;
* input/output types in :mod:`matching.engine.problem`, :func:`encode_tags` for language/interest
  bitsets, :func:`problem_from_records` (and the per-side builders) to build inputs from dicts.
"""

from .assign import assign
from .problem import (
    DAY_MAX,
    DAY_MIN,
    NO_GRADE,
    UNMATCHED_REASONS,
    Buddies,
    Pair,
    Problem,
    Pupils,
    Result,
    Stats,
    Unmatched,
    Weights,
)
from .records import buddies_from_records, problem_from_records, pupils_from_records
from .solve import DEFAULT_BATCH_SIZE, iter_batches, merge_results, solve, solve_batch
from .tags import encode_tags

__all__ = [
    "DAY_MAX",
    "DAY_MIN",
    "DEFAULT_BATCH_SIZE",
    "NO_GRADE",
    "UNMATCHED_REASONS",
    "Buddies",
    "Pair",
    "Problem",
    "Pupils",
    "Result",
    "Stats",
    "Unmatched",
    "Weights",
    "assign",
    "buddies_from_records",
    "encode_tags",
    "iter_batches",
    "merge_results",
    "problem_from_records",
    "pupils_from_records",
    "solve",
    "solve_batch",
]

"""Writing a batch's proposals: many rows, once, idempotently.

Both paths insert with "ignore conflicts" against the unique constraint on (run, pupil), so a batch
written twice (a redelivered or retried task) adds nothing. On PostgreSQL the rows go in as one
``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING``: the same statement Django's
``bulk_create(ignore_conflicts=True)`` issues there, without building and preparing a model instance
per row. Measured on 5,000 proposals: 1.1-1.2 s with ``bulk_create``, 0.43-0.47 s this way (the
database's own insert time is in both); over a national run that is ~7 s of two workers' time.
Other databases (SQLite in development) use ``bulk_create``.
"""

import json
from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from matching import engine
from matching.models import Match, MatchRun, MatchStatus

#: Every column of matching_match except the id, in the order of the INSERT below. A test checks this
#: against the model so a new field cannot be forgotten here.
COLUMNS = (
    "run_id",
    "pupil_id",
    "buddy_id",
    "school_id",
    "kind",
    "status",
    "locked",
    "cost",
    "reasons",
    "alternatives",
    "created_at",
    "decided_at",
    "decided_by_id",
    "starts_on",
    "ends_on",
    "ended_at",
    "end_reason",
    "fit",
    "fit_at",
    "notified_at",
    "end_notified_at",
    "end_note",
    "reject_reason",
    "reject_note",
)

_INSERT = f"""
INSERT INTO matching_match ({", ".join(COLUMNS)})
SELECT %s, u.pupil, u.buddy, u.school, %s, %s, u.locked, u.cost, u.reasons::jsonb, u.alternatives::jsonb,
       %s, NULL, NULL, NULL, NULL, NULL, '', '', NULL, NULL, NULL, '', '', ''
FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::boolean[], %s::float8[], %s::text[], %s::text[])
     AS u(pupil, buddy, school, locked, cost, reasons, alternatives)
ON CONFLICT DO NOTHING
"""


def _reasons(pair: engine.Pair) -> list[list[object]]:
    return [[code, params] for code, params in pair.reasons]


def _alternatives(pair: engine.Pair) -> list[list[object]]:
    return [[buddy_id, cost] for buddy_id, cost in pair.alternatives]


def write_proposals(run: MatchRun, pairs: Sequence[engine.Pair], school_of: dict[int, int]) -> None:
    """Insert the proposals (call inside the batch's transaction)."""
    if not pairs:
        return
    if connection.vendor != "postgresql":
        Match.objects.bulk_create(
            [
                Match(
                    run_id=run.pk,
                    pupil_id=p.pupil_id,
                    buddy_id=p.buddy_id,
                    school_id=school_of[p.pupil_id],
                    kind=run.buddy_kind,
                    locked=p.locked,
                    cost=p.cost,
                    reasons=_reasons(p),
                    alternatives=_alternatives(p),
                )
                for p in pairs
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [
                run.pk,
                run.buddy_kind,
                MatchStatus.PROPOSED,
                timezone.now(),
                [p.pupil_id for p in pairs],
                [p.buddy_id for p in pairs],
                [school_of[p.pupil_id] for p in pairs],
                [p.locked for p in pairs],
                [p.cost for p in pairs],
                [json.dumps(_reasons(p)) for p in pairs],
                [json.dumps(_alternatives(p)) for p in pairs],
            ],
        )

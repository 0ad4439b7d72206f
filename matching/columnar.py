"""One batch's pupils and buddies straight from PostgreSQL into the engine's numpy columns.

The database computes every per-row value the engine needs (grade level, gender codes, days since the
epoch, buddy loads, and the language and interest *bitsets*, one ``int8`` per 64-bit word) and sends
the rows packed into one ``bytea`` (``fetch_int_columns``). Every column is a non-null ``int8``, so
each row has the same width and ``np.frombuffer`` reads the whole answer at once: no Python object per
pupil, buddy or tag (the record path, ``problem_builder._records``, built a dict per
row, lists per tag set, then walked them again to encode bitsets: 60% of a national run's load time).

Where a batch's load time went (issue 14, one 5,000-pupil batch of the national bench, EXPLAIN ANALYZE):
the buddies' query was planned at a cost of ~750,000 (per-row subqueries), over ``jit_above_cost``, and
PostgreSQL spent 0.3-0.5 s compiling it with JIT (inlining and optimisation) to run 0.15 s of work; the
batch's rows were selected as ``id IN (the queryset)``, a self-join that scanned the whole table; and
the language vocabulary was a query of its own that read every row's languages again, with parallel
workers for 20,000 rows. Now: ``load_settings`` turns JIT and parallel workers off for the load's
transaction; each side is one query that reads the batch's rows once (a materialised CTE of the
queryset itself), sends each row's language lists as an index into the side's *distinct* lists (a
batch has a few dozen) and those lists with it; interests and loads are one aggregate join each. The
vocabulary is the union of both sides' lists, and only those few dozen lists are encoded in Python.

Used for PostgreSQL only; other databases (SQLite in development) take the record path, which gives the
same Problem (a test compares the two).
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import F, QuerySet

from matching.engine import DAY_MAX, DAY_MIN, NO_GRADE, Buddies, Pupils
from matching.engine.tags import WORD_BITS, encode_tags
from matching.models import Buddy, BuddyKind, Match, MatchStatus
from pupils.models import Interest, Pupil, SchoolStage

_GENDER = "CASE {col} WHEN 'f' THEN 1 WHEN 'm' THEN 2 WHEN 'x' THEN 3 ELSE 0 END"
_DAYS = "COALESCE({col} - DATE '1970-01-01', {default})"

#: The batch queries' settings: a plan's cost grows with the per-row expressions, not with the work, and
#: JIT compiling (0.3-0.5 s for the buddies' query) cost more than the query; parallel workers cost their
#: start-up for a few thousand rows, on cores the other batch worker is using.
_SETTINGS = "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)"


@contextmanager
def load_settings() -> Iterator[None]:
    """A transaction for one batch's load (one consistent snapshot), without JIT or parallel workers
    (``set_config(..., true)``: until the transaction ends, the caller's when the load runs inside one)."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_SETTINGS)
        yield


#: A batch query's SQL and its parameters (``Query.sql_with_params``).
Sql = tuple[str, tuple[Any, ...]]
#: The parameters a batch query adds to its rows': vocabularies (lists) and codes.
Param = str | list[int]


def _rows(queryset: QuerySet, *fields: str, **aliases: F) -> Sql:
    """The queryset's rows as SQL for a CTE: only ``fields`` (and ``aliases``), no ORDER BY."""
    qs = queryset.order_by().annotate(**aliases) if aliases else queryset.order_by()
    return qs.values_list(*fields, *aliases).query.sql_with_params()


@dataclass
class Fetched:
    """One side of a batch: int64 columns, and the distinct language lists its rows point into."""

    cols: np.ndarray
    lists: list[list[str]]


def fetch_int_columns(
    rows: Sql,
    lists: Sequence[str],
    select: list[str],
    joins: str,
    order: str,
    params: list[Param],
) -> Fetched:
    """``WITH r AS (rows) SELECT select FROM r joins`` (every column a non-null int8), as an
    ``(n, len(select))`` int64 array; ``params`` are those of ``joins``.

    ``lists`` are jsonb columns of ``r``: their distinct values are the CTE ``s`` (``s.x``, numbered
    ``s.n`` from 0), which ``select`` refers to by joining ``s`` (``_list_index``), and come back as
    lists. The database packs the rows into ONE bytea (``int8send`` of each value, big-endian, in
    ``order``): a single value crosses the wire and ``np.frombuffer`` reads it. Binary COPY (one
    message per row) spent 0.3 s of a 15,000-buddy batch in psycopg's per-message loop.
    """
    packed = " || ".join(f"int8send(({c})::int8)" for c in select)
    every = " UNION ALL ".join(f"SELECT r.{c} AS x FROM r" for c in lists)
    sql = (
        f"WITH r AS MATERIALIZED ({rows[0]}), "
        "s AS MATERIALIZED (SELECT d.x, row_number() OVER () - 1 AS n "
        f"FROM (SELECT DISTINCT e.x FROM ({every}) AS e) AS d) "
        f"SELECT (SELECT string_agg({packed}, ''::bytea ORDER BY {order}) FROM r {joins}), "
        "ARRAY(SELECT s.x::text FROM s ORDER BY s.n)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows[1], *params])
        data, texts = cursor.fetchone()
    cols = (
        np.frombuffer(bytes(data), dtype=">i8").astype(np.int64).reshape(-1, len(select))
        if data is not None
        else np.empty((0, len(select)), dtype=np.int64)
    )
    return Fetched(cols, [_codes(text) for text in texts])


def _codes(text: str | None) -> list[str]:
    """A distinct list's codes (SQL NULL and JSON null: none), as text like ``jsonb_array_elements_text``."""
    codes = json.loads(text) if text is not None else None
    return [str(code) for code in codes or []]


def _list_index(alias: str, column: str) -> tuple[str, str]:
    """The select expression (the row's index into the distinct lists, -1 for none) and its join."""
    return f"COALESCE({alias}.n, -1)", f"LEFT JOIN s AS {alias} ON {alias}.x = r.{column}"


def _words(vocabulary: Sequence[object]) -> int:
    return max(1, -(-len(vocabulary) // WORD_BITS))


def _interest_join(through: str, owner: str, words: int) -> str:
    """A join giving ``it.w0 ...`` (interest bitset words) to each row ``r`` of the CTE: ``through`` is
    the m2m table, ``owner`` its column for the row's id. One parameter: the vocabulary's ids in bit order."""
    masks = ", ".join(
        f"bit_or(1::int8 << mod(v.k - 1, {WORD_BITS})::int) FILTER (WHERE (v.k - 1) / {WORD_BITS} = {w}) AS w{w}"
        for w in range(words)
    )
    return (
        f"LEFT JOIN (SELECT i.{owner} AS owner, {masks} FROM r AS o JOIN {through} i ON i.{owner} = o.id "
        "JOIN unnest(%s::int8[]) WITH ORDINALITY AS v(id, k) ON v.id = i.interest_id GROUP BY 1) AS it "
        "ON it.owner = r.id"
    )


def _interest_words(words: int) -> list[str]:
    return [f"COALESCE(it.w{w}, 0)" for w in range(words)]


def interest_vocabulary() -> tuple[list[int], list[str]]:
    """The managed interests, sorted by code: ids (bit order) and codes (names in reasons)."""
    rows = list(Interest.objects.order_by("code").values_list("id", "code"))
    return [r[0] for r in rows], [r[1] for r in rows]


def fetch_pupils(pupils: QuerySet[Pupil], interests: list[int], today: int) -> Fetched:
    """Pupils' columns (ordered like the model: transition date, id): id, school, grade level, gender,
    gender preference, transition day, home and other languages (list indexes), interest words."""
    rows = _rows(
        pupils,
        *("id", "school_id", "stage", "grade", "gender", "buddy_gender_preference", "transition_date"),
        *("home_languages", "other_languages"),
    )
    home, home_join = _list_index("lh", "home_languages")
    other, other_join = _list_index("lo", "other_languages")
    words = _words(interests)
    select = [
        "r.id",
        "r.school_id",
        f"CASE WHEN r.stage = '{SchoolStage.PRIMARY}' THEN r.grade ELSE 8 + r.grade END",
        _GENDER.format(col="r.gender"),
        _GENDER.format(col="r.buddy_gender_preference"),
        _DAYS.format(col="r.transition_date", default=int(today)),
        home,
        other,
        *_interest_words(words),
    ]
    joins = f"{home_join} {other_join} {_interest_join(Pupil.interests.through._meta.db_table, 'pupil_id', words)}"
    lists = ("home_languages", "other_languages")
    return fetch_int_columns(rows, lists, select, joins, "r.transition_date, r.id", [interests])


def fetch_buddies(buddies: QuerySet[Buddy], kind: str, interests: list[int]) -> Fetched:
    """Buddies' columns (ordered like the model: school, first name, id): id, school, grade level,
    gender, capacity, load, consent, available from/until, languages (list index), interest words."""
    rows = _rows(
        buddies,
        *("id", "school_id", "first_name", "grade", "gender", "capacity", "consent_at"),
        *("available_from", "available_until", "languages"),
        school_stage=F("school__stage"),
    )
    langs, langs_join = _list_index("lb", "languages")
    words = _words(interests)
    consent = "TRUE" if kind != BuddyKind.PEER else "r.consent_at IS NOT NULL"
    select = [
        "r.id",
        "r.school_id",
        f"CASE WHEN COALESCE(r.grade, 0) = 0 THEN {NO_GRADE} WHEN r.school_stage = '{SchoolStage.PRIMARY}' "
        "THEN r.grade ELSE 8 + r.grade END",
        _GENDER.format(col="r.gender"),
        "r.capacity",
        "LEAST(COALESCE(l.n, 0), r.capacity)",
        f"CASE WHEN {consent} THEN 1 ELSE 0 END",
        _DAYS.format(col="r.available_from", default=DAY_MIN),
        _DAYS.format(col="r.available_until", default=DAY_MAX),
        langs,
        *_interest_words(words),
    ]
    loads = (
        f"LEFT JOIN (SELECT m.buddy_id AS owner, COUNT(*) AS n FROM r AS o JOIN {Match._meta.db_table} m "
        "ON m.buddy_id = o.id AND m.status = %s GROUP BY 1) AS l ON l.owner = r.id"
    )
    joins = (
        f"{langs_join} {_interest_join(Buddy.interests.through._meta.db_table, 'buddy_id', words)} {loads}"
    )
    params: list[Param] = [interests, str(MatchStatus.APPROVED)]
    return fetch_int_columns(rows, ("languages",), select, joins, "r.school_id, r.first_name, r.id", params)


def _bits(side: Fetched, column: int, vocabulary: list[str]) -> np.ndarray:
    """The bitsets of one list-index column: its lists encoded once each, then picked per row (an index
    of -1, no list, picks the appended row of zeros)."""
    words = _words(vocabulary)
    encoded, _ = encode_tags(side.lists, vocabulary, words=words)
    return np.vstack([encoded, np.zeros((1, words), dtype=np.uint64)])[side.cols[:, column]]


def load_sides(
    pupils: QuerySet[Pupil], buddies: QuerySet[Buddy], kind: str, today: int
) -> tuple[Pupils, Buddies, list[str], list[str]]:
    """The engine's Pupils and Buddies for a batch (their ``group`` is still the school: the caller maps
    it), with the language vocabulary (every code used, sorted) and the interest codes (bit order)."""
    with load_settings():
        interest_ids, interest_codes = interest_vocabulary()
        p = fetch_pupils(pupils, interest_ids, today)
        b = fetch_buddies(buddies, kind, interest_ids)
    languages = sorted({code for side in (p, b) for codes in side.lists for code in codes})
    pupil_cols, buddy_cols = p.cols, b.cols
    return (
        Pupils(
            ids=pupil_cols[:, 0],
            group=pupil_cols[:, 1],
            grade=pupil_cols[:, 2],
            gender=pupil_cols[:, 3],
            gender_pref=pupil_cols[:, 4],
            transition_day=pupil_cols[:, 5],
            home_langs=_bits(p, 6, languages),
            langs=_bits(p, 7, languages),
            interests=np.ascontiguousarray(pupil_cols[:, 8:]).view(np.uint64),
        ),
        Buddies(
            ids=buddy_cols[:, 0],
            group=buddy_cols[:, 1],
            grade=buddy_cols[:, 2],
            gender=buddy_cols[:, 3],
            capacity=buddy_cols[:, 4],
            load=buddy_cols[:, 5],
            consent=buddy_cols[:, 6].astype(bool),
            available_from=buddy_cols[:, 7],
            available_until=buddy_cols[:, 8],
            langs=_bits(b, 9, languages),
            interests=np.ascontiguousarray(buddy_cols[:, 10:]).view(np.uint64),
        ),
        languages,
        interest_codes,
    )

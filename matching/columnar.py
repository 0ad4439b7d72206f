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
the vocabulary query launched parallel workers for 20,000 rows. Now: ``load_settings`` turns JIT and
parallel workers off for the load's transaction, every query reads the batch's rows once as a
materialised CTE of the queryset itself, language words are ``?`` tests against the (short) vocabulary,
interests and loads are one aggregate join each, and the vocabulary is one query over the distinct tag
*sets* (a few dozen) rather than every row's tags.

Used for PostgreSQL only; other databases (SQLite in development) take the record path, which gives the
same Problem (a test compares the two).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from django.db import connection, transaction
from django.db.models import F, QuerySet

from matching.engine import DAY_MAX, DAY_MIN, NO_GRADE, Buddies, Pupils
from matching.engine.tags import WORD_BITS
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
    """A transaction for one batch's load (one consistent snapshot), without JIT or parallel workers."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_SETTINGS)
        yield


def _rows(queryset: QuerySet, *fields: str, **aliases: F) -> tuple[str, tuple]:
    """The queryset's rows as SQL for a CTE: only ``fields`` (and ``aliases``), no ORDER BY."""
    qs = queryset.order_by().annotate(**aliases) if aliases else queryset.order_by()
    return qs.values_list(*fields, *aliases).query.sql_with_params()


def fetch_int_columns(
    rows: tuple[str, Sequence[object]], select: list[str], joins: str, order: str, params: Sequence[object]
) -> np.ndarray:
    """``WITH r AS (rows) SELECT select FROM r joins`` (every column a non-null int8), as an
    ``(n, len(select))`` int64 array; ``params`` are those of ``joins``.

    The database packs the rows into ONE bytea (``int8send`` of each value, big-endian, in ``order``):
    a single value crosses the wire and ``np.frombuffer`` reads it. Binary COPY (one message per row)
    spent 0.3 s of a 15,000-buddy batch in psycopg's per-message loop.
    """
    packed = " || ".join(f"int8send(({c})::int8)" for c in select)
    sql = (
        f"WITH r AS MATERIALIZED ({rows[0]}) "
        f"SELECT string_agg({packed}, ''::bytea ORDER BY {order}) FROM r {joins}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows[1], *params])
        data = cursor.fetchone()[0]
    if data is None:
        return np.empty((0, len(select)), dtype=np.int64)
    return np.frombuffer(bytes(data), dtype=">i8").astype(np.int64).reshape(-1, len(select))


def _words(vocabulary: Sequence[object]) -> int:
    return max(1, -(-len(vocabulary) // WORD_BITS))


def _language_join(alias: str, column: str, words: int) -> str:
    """A join giving ``alias.w0 ...`` (the bitset words of the jsonb language list ``column``) to each
    row ``r`` of the CTE. The words are computed once per distinct list (a batch has a few dozen), and
    each row finds its list by a hash join. One parameter per word: the vocabulary."""
    masks = ", ".join(
        f"(SELECT bit_or(1::int8 << mod(k, {WORD_BITS})::int) FROM (SELECT array_position(%s::text[], t) - 1 "
        f"AS k FROM jsonb_array_elements_text(s.x) AS t) AS q WHERE k / {WORD_BITS} = {w}) AS w{w}"
        for w in range(words)
    )
    return (
        f"LEFT JOIN (SELECT s.x, {masks} FROM (SELECT DISTINCT r.{column} AS x FROM r) AS s) AS {alias} "
        f"ON {alias}.x = r.{column}"
    )


def _coalesced(alias: str, words: int) -> list[str]:
    return [f"COALESCE({alias}.w{w}, 0)" for w in range(words)]


def _interest_join(through: str, owner: str, words: int) -> str:
    """A join giving ``it.w0 ...`` (interest bitset words) to each row ``r`` of the CTE: ``through`` is
    the m2m table, ``owner`` its column for the row's id. One parameter: the vocabulary's ids in bit order."""
    masks = ", ".join(
        f"bit_or(1::int8 << mod(v.k - 1, {WORD_BITS})::int) FILTER (WHERE (v.k - 1) / {WORD_BITS} = {w}) AS w{w}"
        for w in range(words)
    )
    return (
        f"LEFT JOIN (SELECT i.{owner} AS owner, {masks} FROM {through} i "
        "JOIN unnest(%s::int8[]) WITH ORDINALITY AS v(id, k) ON v.id = i.interest_id "
        f"WHERE i.{owner} IN (SELECT id FROM r) GROUP BY 1) it ON it.owner = r.id"
    )


def batch_vocabulary(
    pupils: QuerySet[Pupil], buddies: QuerySet[Buddy]
) -> tuple[list[str], list[int], list[str]]:
    """In one query: every language code of the batch's pupils and buddies, sorted (the engine's
    vocabulary), and the managed interests sorted by code: ids (bit order) and codes (names in reasons).

    The tags are expanded from the distinct tag *sets* (a few dozen), not from every row's."""
    pupil_sql, pupil_params = _rows(pupils, "home_languages", "other_languages")
    buddy_sql, buddy_params = _rows(buddies, "languages")
    interests = Interest._meta.db_table
    sql = (
        "SELECT ARRAY(SELECT DISTINCT jsonb_array_elements_text(x) FROM ("
        f"SELECT DISTINCT p.home_languages || p.other_languages AS x FROM ({pupil_sql}) p UNION "
        f"SELECT DISTINCT b.languages FROM ({buddy_sql}) b) AS tags), "
        f"ARRAY(SELECT id FROM {interests} ORDER BY code), ARRAY(SELECT code FROM {interests} ORDER BY code)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*pupil_params, *buddy_params])
        languages, ids, codes = cursor.fetchone()
    return sorted(languages), list(ids), list(codes)


def load_pupils(pupils: QuerySet[Pupil], languages: list[str], interests: list[int], today: int) -> Pupils:
    """The engine's Pupils for ``pupils`` (ordered like the model: transition date, id)."""
    rows = _rows(
        pupils,
        *("id", "school_id", "stage", "grade", "gender", "buddy_gender_preference", "transition_date"),
        *("home_languages", "other_languages"),
    )
    w0, w1 = _words(languages), _words(interests)
    select = [
        "r.id",
        "r.school_id",
        f"CASE WHEN r.stage = '{SchoolStage.PRIMARY}' THEN r.grade ELSE 8 + r.grade END",
        _GENDER.format(col="r.gender"),
        _GENDER.format(col="r.buddy_gender_preference"),
        _DAYS.format(col="r.transition_date", default=int(today)),
        *_coalesced("lh", w0),
        *_coalesced("lo", w0),
        *_coalesced("it", w1),
    ]
    joins = " ".join(
        [
            _language_join("lh", "home_languages", w0),
            _language_join("lo", "other_languages", w0),
            _interest_join(Pupil.interests.through._meta.db_table, "pupil_id", w1),
        ]
    )
    params = [*[languages] * (2 * w0), interests]
    cols = fetch_int_columns(rows, select, joins, "r.transition_date, r.id", params)
    return Pupils(
        ids=cols[:, 0],
        group=cols[:, 1],  # the school: the caller maps it to the group
        grade=cols[:, 2],
        gender=cols[:, 3],
        gender_pref=cols[:, 4],
        transition_day=cols[:, 5],
        home_langs=cols[:, 6 : 6 + w0].view(np.uint64),
        langs=cols[:, 6 + w0 : 6 + 2 * w0].view(np.uint64),
        interests=cols[:, 6 + 2 * w0 : 6 + 2 * w0 + w1].view(np.uint64),
    )


def _buddy_select(kind: str, words: tuple[int, int]) -> list[str]:
    consent = "TRUE" if kind != BuddyKind.PEER else "r.consent_at IS NOT NULL"
    return [
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
        *_coalesced("lb", words[0]),
        *_coalesced("it", words[1]),
    ]


def load_buddies(buddies: QuerySet[Buddy], kind: str, languages: list[str], interests: list[int]) -> Buddies:
    """The engine's Buddies for ``buddies`` (ordered like the model: school, first name, id)."""
    rows = _rows(
        buddies,
        *("id", "school_id", "first_name", "grade", "gender", "capacity", "consent_at"),
        *("available_from", "available_until", "languages"),
        school_stage=F("school__stage"),
    )
    w0, w1 = _words(languages), _words(interests)
    loads = (
        f"LEFT JOIN (SELECT m.buddy_id AS owner, COUNT(*) AS n FROM {Match._meta.db_table} m "
        "WHERE m.status = %s AND m.buddy_id IN (SELECT id FROM r) GROUP BY 1) l ON l.owner = r.id"
    )
    joins = " ".join(
        [
            _language_join("lb", "languages", w0),
            _interest_join(Buddy.interests.through._meta.db_table, "buddy_id", w1),
            loads,
        ]
    )
    params = [*[languages] * w0, interests, str(MatchStatus.APPROVED)]
    cols = fetch_int_columns(rows, _buddy_select(kind, (w0, w1)), joins, "r.school_id, r.first_name, r.id", params)
    return Buddies(
        ids=cols[:, 0],
        group=cols[:, 1],
        grade=cols[:, 2],
        gender=cols[:, 3],
        capacity=cols[:, 4],
        load=cols[:, 5],
        consent=cols[:, 6].astype(bool),
        available_from=cols[:, 7],
        available_until=cols[:, 8],
        langs=cols[:, 9 : 9 + w0].view(np.uint64),
        interests=cols[:, 9 + w0 : 9 + w0 + w1].view(np.uint64),
    )

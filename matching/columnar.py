"""One batch's pupils and buddies straight from PostgreSQL into the engine's numpy columns.

The database computes every per-row value the engine needs (grade level, gender codes, days since the
epoch, buddy loads, and the language and interest *bitsets*, one ``int8`` per 64-bit word) and sends
the rows packed into one ``bytea`` (``fetch_int_columns``). Every column is a non-null ``int8``, so
each row has the same width and ``np.frombuffer`` reads the whole answer at once: no Python object per
pupil, buddy or tag (the record path, ``problem_builder._records``, built a dict per
row, lists per tag set, then walked them again to encode bitsets: 60% of a national run's load time).

Used for PostgreSQL only; other databases (SQLite in development) take the record path, which gives the
same Problem (a test compares the two).
"""

from collections.abc import Sequence

import numpy as np
from django.db import connection
from django.db.models import QuerySet

from matching.engine import DAY_MAX, DAY_MIN, NO_GRADE, Buddies, Pupils
from matching.engine.tags import WORD_BITS
from matching.models import Buddy, BuddyKind, Match, MatchStatus
from pupils.models import Interest, Pupil, SchoolStage

_GENDER = "CASE {col} WHEN 'f' THEN 1 WHEN 'm' THEN 2 WHEN 'x' THEN 3 ELSE 0 END"
_DAYS = "COALESCE({col} - DATE '1970-01-01', {default})"


def _sql_of(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.values("pk").order_by().query.sql_with_params()


def fetch_int_columns(select: list[str], rest: str, order: str, params: Sequence[object]) -> np.ndarray:
    """``SELECT select FROM rest`` (every column a non-null int8), as an ``(n, len(select))`` int64 array.

    The database packs the rows into ONE bytea (``int8send`` of each value, big-endian, in ``order``):
    a single value crosses the wire and ``np.frombuffer`` reads it. Binary COPY (one message per row)
    spent 0.3 s of a 15,000-buddy batch in psycopg's per-message loop.
    """
    packed = " || ".join(f"int8send(({c})::int8)" for c in select)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT string_agg({packed}, ''::bytea ORDER BY {order}) FROM {rest}", list(params))
        data = cursor.fetchone()[0]
    if data is None:
        return np.empty((0, len(select)), dtype=np.int64)
    return np.frombuffer(bytes(data), dtype=">i8").astype(np.int64).reshape(-1, len(select))


def _word_masks(positions: str, words: int) -> list[str]:
    """SQL for the bitset words of one tag set: ``positions`` is a subquery yielding ``k``, each tag's
    0-based index in the vocabulary (NULL when not in it). One placeholder (the vocabulary) per word."""
    return [
        f"COALESCE((SELECT bit_or(1::int8 << mod(k, {WORD_BITS})) FROM ({positions}) AS x "
        f"WHERE k / {WORD_BITS} = {w}), 0)"
        for w in range(words)
    ]


def _words(vocabulary: Sequence[object]) -> int:
    return max(1, -(-len(vocabulary) // WORD_BITS))


def languages_used(pupils: QuerySet[Pupil], buddies: QuerySet[Buddy]) -> list[str]:
    """Every language code of the batch's pupils and buddies, sorted (the engine's vocabulary)."""
    pupil_sql, pupil_params = _sql_of(pupils)
    buddy_sql, buddy_params = _sql_of(buddies)
    sql = (
        "SELECT DISTINCT t FROM ("
        "SELECT jsonb_array_elements_text(p.home_languages || p.other_languages) AS t "
        f"FROM {Pupil._meta.db_table} p WHERE p.id IN ({pupil_sql}) UNION ALL "
        "SELECT jsonb_array_elements_text(b.languages) "
        f"FROM {Buddy._meta.db_table} b WHERE b.id IN ({buddy_sql})) AS x"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*pupil_params, *buddy_params])
        return sorted(row[0] for row in cursor.fetchall())


def interest_vocabulary() -> tuple[list[int], list[str]]:
    """The managed interests, sorted by code: ids (bit order) and codes (names in reasons)."""
    rows = list(Interest.objects.order_by("code").values_list("id", "code"))
    return [r[0] for r in rows], [r[1] for r in rows]


def _tag_columns(through: str, owner: str, lang_cols: list[str], words: tuple[int, int]) -> list[str]:
    """Bitset columns: one set of words per jsonb language column, then the interests (``through`` is
    the m2m table, ``owner`` its column and the outer row's id, e.g. ``("pupil_id", "p.id")``)."""
    out = []
    for col in lang_cols:
        out += _word_masks(
            f"SELECT array_position(%s::text[], t) - 1 AS k FROM jsonb_array_elements_text({col}) AS t",
            words[0],
        )
    column, outer = owner.split(" ")
    out += _word_masks(
        f"SELECT array_position(%s::int8[], i.interest_id) - 1 AS k FROM {through} i WHERE i.{column} = {outer}",
        words[1],
    )
    return out


def load_pupils(pupils: QuerySet[Pupil], languages: list[str], interests: list[int], today: int) -> Pupils:
    """The engine's Pupils for ``pupils`` (ordered like the model: transition date, id)."""
    words = (_words(languages), _words(interests))
    through = Pupil.interests.through._meta.db_table
    tags = _tag_columns(through, "pupil_id p.id", ["p.home_languages", "p.other_languages"], words)
    primary = str(SchoolStage.PRIMARY)
    select = [
        "p.id",
        "p.school_id",
        f"CASE WHEN p.stage = '{primary}' THEN p.grade ELSE 8 + p.grade END",
        _GENDER.format(col="p.gender"),
        _GENDER.format(col="p.buddy_gender_preference"),
        _DAYS.format(col="p.transition_date", default=int(today)),
        *tags,
    ]
    sql, params = _sql_of(pupils)
    rest = f"{Pupil._meta.db_table} p WHERE p.id IN ({sql})"
    tag_params = [languages] * (2 * words[0]) + [interests] * words[1]
    cols = fetch_int_columns(select, rest, "p.transition_date, p.id", [*tag_params, *params])
    w0, w1 = words
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


def load_buddies(buddies: QuerySet[Buddy], kind: str, languages: list[str], interests: list[int]) -> Buddies:
    """The engine's Buddies for ``buddies`` (ordered like the model: school, first name, id)."""
    words = (_words(languages), _words(interests))
    through = Buddy.interests.through._meta.db_table
    tags = _tag_columns(through, "buddy_id b.id", ["b.languages"], words)
    primary = str(SchoolStage.PRIMARY)
    consent = "TRUE" if kind != BuddyKind.PEER else "b.consent_at IS NOT NULL"
    load = (
        f"(SELECT COUNT(*) FROM {Match._meta.db_table} m "
        f"WHERE m.buddy_id = b.id AND m.status = '{MatchStatus.APPROVED}')"
    )
    select = [
        "b.id",
        "b.school_id",
        f"CASE WHEN COALESCE(b.grade, 0) = 0 THEN {NO_GRADE} WHEN s.stage = '{primary}' THEN b.grade "
        "ELSE 8 + b.grade END",
        _GENDER.format(col="b.gender"),
        "b.capacity",
        f"LEAST({load}, b.capacity)",
        f"CASE WHEN {consent} THEN 1 ELSE 0 END",
        _DAYS.format(col="b.available_from", default=DAY_MIN),
        _DAYS.format(col="b.available_until", default=DAY_MAX),
        *tags,
    ]
    sql, params = _sql_of(buddies)
    rest = (
        f"{Buddy._meta.db_table} b "
        f"JOIN {Buddy._meta.get_field('school').related_model._meta.db_table} s ON s.id = b.school_id "
        f"WHERE b.id IN ({sql})"
    )
    tag_params = [languages] * words[0] + [interests] * words[1]
    cols = fetch_int_columns(select, rest, "b.school_id, b.first_name, b.id", [*tag_params, *params])
    w0, w1 = words
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

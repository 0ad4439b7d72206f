"""The national instance of ``matching_e2e.py``, bulk-loaded with COPY (fixed seed, so every run of the
benchmark loads the same rows and a run's proposals can be compared across code versions).

12 regions under a national root, ~350 municipalities (10% pair across schools), 7,000 schools of
log-normal sizes, 100,000 pupils and 300,000 peer buddies (capacity 1-3) with languages and two
interests each; ``scale`` multiplies the counts. The random draws happen in one fixed order (the
generators are consumed by the COPYs in turn), which is what keeps the instance the same.
"""

import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from pupils.models import Interest

LANGS = ["ar", "uk", "pl", "tr", "ti", "en", "es", "pt", "zh", "hi", "so", "fa", "ro", "bg", "ru", "ur"]
LANGS += ["ku", "am"]
LANG_WEIGHTS = [20, 18, 10, 8, 6, 5, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2]
INTERESTS = ["football", "drawing", "music", "dance", "gaming", "reading", "swimming", "cooking", "chess"]
INTERESTS += ["science"]

ORG_COLUMNS = ["id", "kind", "name", "parent_id", "path", "brin", "stage", "allow_cross_school_matching"]
ORG_COLUMNS += ["created_at"]
PUPIL_COLUMNS = ["id", "first_name", "last_initial", "birth_year", "school_id", "stage", "grade"]
PUPIL_COLUMNS += ["transition_date", "home_languages", "other_languages", "gender", "buddy_gender_preference"]
PUPIL_COLUMNS += ["consent_by", "created_at", "updated_at"]
BUDDY_COLUMNS = ["id", "kind", "school_id", "first_name", "last_initial", "grade", "languages", "gender"]
BUDDY_COLUMNS += ["capacity", "consent_by", "consent_at", "created_at"]

Row = tuple[Any, ...]


@dataclass
class Counts:
    regions: int
    municipalities: int
    schools: int
    pupils: int
    buddies: int


def _copy(cursor: Any, table: str, columns: list[str], rows: Iterable[Row]) -> None:
    """COPY ``rows`` into ``table`` through the raw psycopg cursor (``cursor.cursor`` of Django's)."""
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _organisations(
    rng: random.Random, counts: Counts, now: datetime
) -> tuple[list[Row], list[tuple[int, str]]]:
    """The organisation rows (a national root, regions, municipalities, schools) and the schools (id, stage)."""
    # A national root (a "region" above the regions) so one run covers the country.
    orgs: list[Row] = [(1, "region", "Nederland", None, "/1/", "", "", False, now)]
    next_id = 2
    regions = []
    for r in range(counts.regions):
        orgs.append((next_id, "region", f"Region {r}", 1, f"/1/{next_id}/", "", "", False, now))
        regions.append(next_id)
        next_id += 1
    munis = []
    for m in range(counts.municipalities):
        region = regions[m % counts.regions]
        path = f"/1/{region}/{next_id}/"
        orgs.append(
            (next_id, "municipality", f"Municipality {m}", region, path, "", "", rng.random() < 0.1, now)
        )
        munis.append((next_id, path))
        next_id += 1
    schools = []
    for s in range(counts.schools):
        muni, mpath = munis[s % counts.municipalities]
        stage = "primary" if rng.random() < 0.7 else "secondary"
        orgs.append((next_id, "school", f"School {s}", muni, f"{mpath}{next_id}/", "", stage, False, now))
        schools.append((next_id, stage))
        next_id += 1
    return orgs, schools


def _langs(rng: random.Random) -> list[str]:
    return rng.choices(LANGS, LANG_WEIGHTS, k=1)


def _pupils(rng: random.Random, at: list[tuple[int, str]], today: date, now: datetime) -> Iterator[Row]:
    for i, (sid, stage) in enumerate(at):
        yield (
            *(i + 1, "P", "X", 2014, sid, stage, rng.randint(1, 8 if stage == "primary" else 6)),
            today + timedelta(days=rng.randint(0, 90)),
            json.dumps(_langs(rng)),
            json.dumps(["en"] if rng.random() < 0.3 else []),
            rng.choice("fm"),
            "f" if rng.random() < 0.05 else "",
            *("parent", now, now),
        )


def _buddies(rng: random.Random, at: list[tuple[int, str]], now: datetime) -> Iterator[Row]:
    for i, (sid, stage) in enumerate(at):
        yield (
            *(i + 1, "peer", sid, "B", "Y", rng.randint(1, 8 if stage == "primary" else 6)),
            json.dumps([*_langs(rng), "nl"]),
            rng.choice("fm"),
            rng.randint(1, 3),
            "parent" if rng.random() < 0.95 else "",
            now if rng.random() < 0.95 else None,
            now,
        )


def _interests(rng: random.Random, owners: int, interest_ids: list[int]) -> Iterator[Row]:
    return ((i + 1, iid) for i in range(owners) for iid in rng.sample(interest_ids, 2))


def load_instance(scale: float, seed: int = 2026) -> dict[str, int]:
    """Bulk-load organisations, pupils and buddies with COPY; returns counts. Not timed as part of the run."""
    rng = random.Random(seed)
    counts = Counts(
        12, max(12, int(350 * scale)), int(7000 * scale), int(100_000 * scale), int(300_000 * scale)
    )
    now, today = timezone.now(), timezone.localdate()
    for code in INTERESTS:
        Interest.objects.get_or_create(code=code, defaults={"name_nl": code, "name_en": code})
    interest_ids = list(Interest.objects.filter(code__in=INTERESTS).values_list("pk", flat=True))
    orgs, schools = _organisations(rng, counts, now)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        _copy(raw, "accounts_organisation", ORG_COLUMNS, orgs)
        cursor.execute("SELECT setval('accounts_organisation_id_seq', %s)", [len(orgs) + 1])
        # School sizes vary (log-normal weights), as in the engine benchmark.
        weights = [rng.lognormvariate(0, 0.8) for _ in schools]
        _copy(
            raw,
            "pupils_pupil",
            PUPIL_COLUMNS,
            _pupils(rng, rng.choices(schools, weights, k=counts.pupils), today, now),
        )
        _copy(
            raw,
            "pupils_pupil_interests",
            ["pupil_id", "interest_id"],
            _interests(rng, counts.pupils, interest_ids),
        )
        _copy(
            raw,
            "matching_buddy",
            BUDDY_COLUMNS,
            _buddies(rng, rng.choices(schools, weights, k=counts.buddies), now),
        )
        _copy(
            raw,
            "matching_buddy_interests",
            ["buddy_id", "interest_id"],
            _interests(rng, counts.buddies, interest_ids),
        )
        for table in ("pupils_pupil", "matching_buddy"):
            cursor.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        # What autovacuum does after a bulk insert (PostgreSQL 13+ vacuums on inserts too): statistics,
        # and the visibility map that lets the batch loads read the interest tables by index-only scans.
        # The shared bench server runs with autovacuum off, so without this every table looks unvacuumed.
        cursor.execute("VACUUM (ANALYZE)")
    return vars(counts)

"""End-to-end benchmark of a national match run: PostgreSQL, Redis, one real Celery worker.

Usage: ``python benchmarks/matching_e2e.py [--quick] [--concurrency 2] [--keep]``

1. Creates the database ``overstap_bench_matching`` (dropped at the end unless ``--keep``) and migrates it.
2. Loads a national-size instance with COPY (fixed seed): 12 regions, ~350 municipalities, 7,000 schools
   (10% of municipalities pair across schools), 100,000 pupils, 300,000 peer buddies with capacity 1-3,
   languages and interests. ``--quick`` loads a tenth of everything. Then ``VACUUM (ANALYZE)``, what
   autovacuum does after bulk inserts (the shared bench server runs with autovacuum off).
3. Starts one worker (``celery -A config worker -P prefork -c 2``: both cores) on Redis database 14.
4. Calls ``POST /api/v1/match-runs/`` (Django test client, as a superuser) for the whole country and
   times from the call to the run's close (the transaction that writes the last batch's proposals).
5. Measures the database floor on the same PostgreSQL: COPY out of the run's inputs (its pupils,
   buddies, their interests and the approved matches) plus COPY in of its proposals (into a temporary
   twin of matching_match with the same indexes).
6. Repeats 4-5 ``--rounds`` times (default 3: project, floor, project, floor, ...; each round's
   proposals are deleted before the next, so every round does the same work) and prints every round
   (with load, solve and write seconds summed over the batch tasks), the medians, the ratio
   project/floor against the target (<= 3x), the peak RSS of every worker process (``VmHWM``) and the
   load average before and after.

Needs ``DATABASE_URL`` (any database on the server; used to create the bench database). The bench
database is ``<BENCH_DB_NAME>_matching`` (default ``overstap_bench_matching``), Redis ``BENCH_REDIS_URL``
(default database 14).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("BENCH_DB_NAME", "overstap_bench") + "_matching"
LANGS = [
    "ar",
    "uk",
    "pl",
    "tr",
    "ti",
    "en",
    "es",
    "pt",
    "zh",
    "hi",
    "so",
    "fa",
    "ro",
    "bg",
    "ru",
    "ur",
    "ku",
    "am",
]
LANG_WEIGHTS = [20, 18, 10, 8, 6, 5, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2]
INTERESTS = [
    "football",
    "drawing",
    "music",
    "dance",
    "gaming",
    "reading",
    "swimming",
    "cooking",
    "chess",
    "science",
]


def _url_with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin(sql: str, base_url: str) -> None:
    import psycopg

    with psycopg.connect(_url_with_db(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _copy(cursor, table: str, columns: list[str], rows) -> int:  # type: ignore[no-untyped-def]
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def load_instance(scale: float, seed: int = 2026) -> dict[str, int]:
    """Bulk-load organisations, pupils and buddies with COPY; returns counts. Not timed as part of the run."""
    from django.db import connection
    from django.utils import timezone

    from pupils.models import Interest

    rng = random.Random(seed)
    n_schools = int(7000 * scale)
    n_pupils = int(100_000 * scale)
    n_buddies = int(300_000 * scale)
    n_regions = 12
    n_munis = max(n_regions, int(350 * scale))
    now = timezone.now()
    today = timezone.localdate()
    for code in INTERESTS:
        Interest.objects.get_or_create(code=code, defaults={"name_nl": code, "name_en": code})
    interest_ids = list(Interest.objects.filter(code__in=INTERESTS).values_list("pk", flat=True))

    # A national root (a "region" above the regions) so one run covers the country.
    orgs = [(1, "region", "Nederland", None, "/1/", "", "", False, now)]
    next_id = 2
    regions = []
    for r in range(n_regions):
        orgs.append((next_id, "region", f"Region {r}", 1, f"/1/{next_id}/", "", "", False, now))
        regions.append(next_id)
        next_id += 1
    munis = []
    for m in range(n_munis):
        region = regions[m % n_regions]
        path = f"/1/{region}/{next_id}/"
        orgs.append(
            (next_id, "municipality", f"Municipality {m}", region, path, "", "", rng.random() < 0.1, now)
        )
        munis.append((next_id, path))
        next_id += 1
    schools = []
    for s in range(n_schools):
        muni, mpath = munis[s % n_munis]
        stage = "primary" if rng.random() < 0.7 else "secondary"
        orgs.append((next_id, "school", f"School {s}", muni, f"{mpath}{next_id}/", "", stage, False, now))
        schools.append((next_id, stage))
        next_id += 1

    def langs() -> list[str]:
        return rng.choices(LANGS, LANG_WEIGHTS, k=1)

    with connection.cursor() as cursor:
        raw = cursor.cursor
        _copy(
            raw,
            "accounts_organisation",
            [
                "id",
                "kind",
                "name",
                "parent_id",
                "path",
                "brin",
                "stage",
                "allow_cross_school_matching",
                "created_at",
            ],
            orgs,
        )
        cursor.execute("SELECT setval('accounts_organisation_id_seq', %s)", [next_id])
        # School sizes vary (log-normal weights), as in the engine benchmark.
        weights = [rng.lognormvariate(0, 0.8) for _ in schools]
        pupil_school = rng.choices(schools, weights, k=n_pupils)
        _copy(
            raw,
            "pupils_pupil",
            [
                "id",
                "first_name",
                "last_initial",
                "birth_year",
                "school_id",
                "stage",
                "grade",
                "transition_date",
                "home_languages",
                "other_languages",
                "gender",
                "buddy_gender_preference",
                "consent_by",
                "created_at",
                "updated_at",
            ],
            (
                (
                    i + 1,
                    "P",
                    "X",
                    2014,
                    sid,
                    stage,
                    rng.randint(1, 8 if stage == "primary" else 6),
                    today + timedelta(days=rng.randint(0, 90)),
                    json.dumps(langs()),
                    json.dumps(["en"] if rng.random() < 0.3 else []),
                    rng.choice("fm"),
                    "f" if rng.random() < 0.05 else "",
                    "parent",
                    now,
                    now,
                )
                for i, (sid, stage) in enumerate(pupil_school)
            ),
        )
        _copy(
            raw,
            "pupils_pupil_interests",
            ["pupil_id", "interest_id"],
            ((i + 1, iid) for i in range(n_pupils) for iid in rng.sample(interest_ids, 2)),
        )
        buddy_school = rng.choices(schools, weights, k=n_buddies)
        _copy(
            raw,
            "matching_buddy",
            [
                "id",
                "kind",
                "school_id",
                "first_name",
                "last_initial",
                "grade",
                "languages",
                "gender",
                "capacity",
                "consent_by",
                "consent_at",
                "created_at",
            ],
            (
                (
                    i + 1,
                    "peer",
                    sid,
                    "B",
                    "Y",
                    rng.randint(1, 8 if stage == "primary" else 6),
                    json.dumps([*langs(), "nl"]),
                    rng.choice("fm"),
                    rng.randint(1, 3),
                    "parent" if rng.random() < 0.95 else "",
                    now if rng.random() < 0.95 else None,
                    now,
                )
                for i, (sid, stage) in enumerate(buddy_school)
            ),
        )
        _copy(
            raw,
            "matching_buddy_interests",
            ["buddy_id", "interest_id"],
            ((i + 1, iid) for i in range(n_buddies) for iid in rng.sample(interest_ids, 2)),
        )
        for table in ("pupils_pupil", "matching_buddy"):
            cursor.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        # What autovacuum does after a bulk insert (PostgreSQL 13+ vacuums on inserts too): statistics,
        # and the visibility map that lets the batch loads read the interest tables by index-only scans.
        # The shared bench server runs with autovacuum off, so without this every table looks unvacuumed.
        cursor.execute("VACUUM (ANALYZE)")
    return {
        "regions": n_regions,
        "municipalities": n_munis,
        "schools": n_schools,
        "pupils": n_pupils,
        "buddies": n_buddies,
    }


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# What a run must read: the columns of its pupils and buddies (with their interests and the approved
# matches that give buddy loads), as plain COPY out of the whole scope (here: the country).
FLOOR_INPUTS = (
    "SELECT id, school_id, stage, grade, transition_date, home_languages, other_languages, gender, "
    "buddy_gender_preference FROM pupils_pupil WHERE anonymised_at IS NULL",
    "SELECT pupil_id, interest_id FROM pupils_pupil_interests",
    "SELECT b.id, b.school_id, s.stage, b.grade, b.languages, b.gender, b.capacity, b.available_from, "
    "b.available_until, b.consent_at FROM matching_buddy b JOIN accounts_organisation s ON s.id = b.school_id "
    "WHERE b.kind = 'peer' AND b.anonymised_at IS NULL",
    "SELECT buddy_id, interest_id FROM matching_buddy_interests",
    "SELECT buddy_id FROM matching_match WHERE status = 'approved'",
)


def _floor(run_id: int) -> float:
    """Seconds for the database floor of a run: COPY out of its inputs, COPY in of its proposals (into a
    temporary twin of matching_match with the same indexes). Reading the proposals first is not timed."""
    from django.db import connection

    from matching.writing import COLUMNS

    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        with cursor.copy(
            f"COPY (SELECT {columns} FROM matching_match WHERE run_id = {int(run_id)}) TO STDOUT"
        ) as copy:
            proposals = b"".join(bytes(chunk) for chunk in copy)
        cursor.execute("DROP TABLE IF EXISTS floor_match")
        cursor.execute(
            "CREATE TEMP TABLE floor_match (LIKE matching_match INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
        began = time.perf_counter()
        for sql in FLOOR_INPUTS:
            with cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
                for _chunk in copy:
                    pass
        with cursor.copy(f"COPY floor_match ({columns}) FROM STDIN") as copy:
            copy.write(proposals)
        elapsed = time.perf_counter() - began
        cursor.execute("DROP TABLE floor_match")
    return elapsed


def _project(client, country, deadline_s: float = 900) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    """Seconds from POST /api/v1/match-runs/ to the run's close (the last batch's proposals written)."""
    from matching.models import MatchRun

    started = time.perf_counter()
    response = client.post("/api/v1/match-runs/", {"scope": country.pk, "buddy_kind": "peer"}, format="json")
    assert response.status_code == 202, response.content
    run = MatchRun.objects.get(pk=response.json()["id"])
    deadline = time.monotonic() + deadline_s
    while not run.is_finished and time.monotonic() < deadline:
        time.sleep(0.1)
        run.refresh_from_db()
    return time.perf_counter() - started, run


def _forget(run) -> None:  # type: ignore[no-untyped-def]
    """Remove a measured run's proposals, so the next round does the same work (nothing to retire)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM matching_match WHERE run_id = %s", [run.pk])
        cursor.execute("DELETE FROM matching_unmatchedpupil WHERE run_id = %s", [run.pk])


def _start_worker(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork"]
    command += ["-c", str(args.concurrency), "-l", "warning", "--without-gossip", "--without-mingle"]
    command += ["--without-heartbeat"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def _print_run(run, proposals: int) -> None:  # type: ignore[no-untyped-def]
    stats = run.stats
    print(
        f"  run {run.pk}: {run.status} {run.error} pupils {stats.get('pupils')}, matched {stats.get('matched')}, "
        f"unmatched {stats.get('unmatched')}, batches {run.batches_total}, proposals {proposals}; "
        f"summed over batch tasks: load {stats.get('load_seconds')} s, solve {stats.get('solve_seconds')} s, "
        f"write {stats.get('write_seconds')} s"
    )


def _rounds(args: argparse.Namespace, client, country) -> tuple[list[float], list[float], bool]:  # type: ignore[no-untyped-def]
    from matching.models import Match, RunStatus

    project: list[float] = []
    floor: list[float] = []
    ok = True
    for i in range(args.rounds):
        elapsed, run = _project(client, country)
        proposals = Match.objects.filter(run=run).count()
        ok = ok and run.status == RunStatus.DONE
        project.append(elapsed)
        floor.append(_floor(run.pk))
        print(f"round {i + 1}: project {project[-1]:.2f} s, database floor {floor[-1]:.2f} s")
        _print_run(run, proposals)
        if i + 1 < args.rounds:
            _forget(run)
    return project, floor, ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the national size (smoke test)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians of these)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    bench_url = _url_with_db(base_url, BENCH_DB)
    before = " ".join(f"{x:.2f}" for x in os.getloadavg())

    _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)', base_url)
    _admin(f'CREATE DATABASE "{BENCH_DB}"', base_url)
    os.environ.update(
        DATABASE_URL=bench_url, REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true"
    )
    import django

    django.setup()
    from django.core.management import call_command

    worker = None
    try:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        t1 = time.perf_counter()
        counts = load_instance(0.1 if args.quick else 1.0)
        t2 = time.perf_counter()
        print(f"setup: migrate {t1 - t0:.1f} s, COPY of the instance {t2 - t1:.1f} s: {counts}")

        import redis as redis_lib

        redis_lib.Redis.from_url(redis_url).flushdb()
        worker = _start_worker(args, {**os.environ, "DATABASE_URL": bench_url, "REDIS_URL": redis_url})
        time.sleep(4)  # worker start-up (imports numpy/scipy/Django), before the clock starts

        from rest_framework.test import APIClient

        from accounts.models import Organisation, User

        admin = User.objects.create_superuser("bench@example.test", "bench-password-123")
        client = APIClient()
        client.force_authenticate(admin)
        project, floor, ok = _rounds(args, client, Organisation.objects.get(pk=1))
        rss = {pid: _peak_rss_mb(pid) for pid in [worker.pid, *_children(worker.pid)]}
        p, f = statistics.median(project), statistics.median(floor)
        print(
            f"median of {args.rounds} interleaved rounds: POST /api/v1/match-runs/ to the last proposal {p:.2f} s, "
            f"database floor (COPY out of the inputs + COPY in of the proposals) {f:.2f} s"
        )
        print(f"ratio project/floor {p / f:.2f}x (target <= 3x): {'met' if p / f <= 3 else 'NOT MET'}")
        print("peak RSS per worker process (MB): " + ", ".join(f"{pid}: {mb:.0f}" for pid, mb in rss.items()))
        print(f"load average before {before}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0 if ok else 1
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)', base_url)


if __name__ == "__main__":
    sys.exit(main())

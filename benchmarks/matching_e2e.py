"""End-to-end benchmark of a national match run: PostgreSQL, Redis, one real Celery worker.

Usage: ``python benchmarks/matching_e2e.py [--quick] [--concurrency 2] [--keep]``

1. Creates the database ``overstap_bench_matching`` (dropped at the end unless ``--keep``) and migrates it.
2. Loads a national-size instance with COPY (fixed seed; ``matching_instance.py``): 12 regions, ~350 municipalities, 7,000 schools
   (10% of municipalities pair across schools), 100,000 pupils, 300,000 peer buddies with capacity 1-3,
   languages and interests. ``--quick`` loads a tenth of everything. Then ``VACUUM (ANALYZE)``, what
   autovacuum does after bulk inserts (the shared bench server runs with autovacuum off).
3. Starts one worker (``celery -A config worker -P prefork -c 2``: both cores) on Redis database 14.
4. Calls ``POST /api/v1/match-runs/`` (Django test client, as a superuser) for the whole country and
   times from the call to the run's close (the transaction that writes the last batch's proposals).
5. Measures the database floor on the same PostgreSQL: COPY out of the run's inputs (its pupils,
   buddies, their interests and the approved matches) plus COPY in of its proposals (into a temporary
   twin of matching_match with the same indexes). Beside it, the same into a logged twin with the real
   table's foreign keys, which every writer of proposals pays (printed, not the target).
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
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # Django is set up in main(), after the bench database is chosen
    from rest_framework.test import APIClient

    from accounts.models import Organisation
    from matching.models import MatchRun

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("BENCH_DB_NAME", "overstap_bench") + "_matching"


def _url_with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin(sql: str, base_url: str) -> None:
    import psycopg

    with psycopg.connect(_url_with_db(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


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


def _floor(run_id: int, durable: bool = False) -> float:
    """Seconds for the database floor of a run: COPY out of its inputs, COPY in of its proposals. Reading
    the proposals first is not timed.

    The floor the target is set against copies them into a temporary twin of matching_match with the same
    indexes: no WAL, no foreign keys. ``durable`` copies them into a logged twin that also has the real
    table's foreign keys (checked at the COPY's commit, deferred like Django's), which is what any writer of
    proposals pays: it is printed beside the first, for where the rest of the time goes, not as the target."""
    from django.db import connection

    from matching.writing import COLUMNS

    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        with cursor.copy(
            f"COPY (SELECT {columns} FROM matching_match WHERE run_id = {int(run_id)}) TO STDOUT"
        ) as copy:
            proposals = b"".join(bytes(chunk) for chunk in copy)
        cursor.execute("DROP TABLE IF EXISTS floor_match")
        kind = "TABLE" if durable else "TEMP TABLE"
        cursor.execute(
            f"CREATE {kind} floor_match (LIKE matching_match INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
        if durable:
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'matching_match'::regclass AND contype = 'f'"
            )
            for (definition,) in cursor.fetchall():
                cursor.execute(f"ALTER TABLE floor_match ADD {definition}")
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


def _project(client: APIClient, country: Organisation, deadline_s: float = 900) -> tuple[float, MatchRun]:
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


def _forget(run: MatchRun) -> None:
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


def _print_run(run: MatchRun, proposals: int) -> None:
    stats = run.stats
    print(
        f"  run {run.pk}: {run.status} {run.error} pupils {stats.get('pupils')}, matched {stats.get('matched')}, "
        f"unmatched {stats.get('unmatched')}, batches {run.batches_total}, proposals {proposals}; "
        f"summed over batch tasks: load {stats.get('load_seconds')} s, solve {stats.get('solve_seconds')} s, "
        f"write {stats.get('write_seconds')} s"
    )


def _rounds(
    args: argparse.Namespace, client: APIClient, country: Organisation
) -> tuple[list[float], list[float], list[float], bool]:
    from matching.models import Match, RunStatus

    project: list[float] = []
    floor: list[float] = []
    durable: list[float] = []
    ok = True
    for i in range(args.rounds):
        elapsed, run = _project(client, country)
        proposals = Match.objects.filter(run=run).count()
        ok = ok and run.status == RunStatus.DONE
        project.append(elapsed)
        floor.append(_floor(run.pk))
        durable.append(_floor(run.pk, durable=True))
        print(
            f"round {i + 1}: project {project[-1]:.2f} s, database floor {floor[-1]:.2f} s "
            f"(into a logged twin with the foreign keys: {durable[-1]:.2f} s)"
        )
        _print_run(run, proposals)
        if i + 1 < args.rounds:
            _forget(run)
    return project, floor, durable, ok


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the national size (smoke test)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians of these)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    return parser.parse_args()


def _set_up(args: argparse.Namespace) -> None:
    """Migrate the bench database and load the instance (not timed as part of any round)."""
    from django.core.management import call_command

    from benchmarks.matching_instance import load_instance

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t1 = time.perf_counter()
    counts = load_instance(0.1 if args.quick else 1.0)
    t2 = time.perf_counter()
    print(f"setup: migrate {t1 - t0:.1f} s, COPY of the instance {t2 - t1:.1f} s: {counts}")


def _measure(args: argparse.Namespace, worker: subprocess.Popen, before: str) -> int:
    """The interleaved rounds against the running worker, and the summary lines."""
    from rest_framework.test import APIClient

    from accounts.models import Organisation, User

    admin = User.objects.create_superuser("bench@example.test", "bench-password-123")
    client = APIClient()
    client.force_authenticate(admin)
    project, floor, durable, ok = _rounds(args, client, Organisation.objects.get(pk=1))
    rss = {pid: _peak_rss_mb(pid) for pid in [worker.pid, *_children(worker.pid)]}
    p, f = statistics.median(project), statistics.median(floor)
    print(
        f"median of {args.rounds} interleaved rounds: POST /api/v1/match-runs/ to the last proposal {p:.2f} s, "
        f"database floor (COPY out of the inputs + COPY in of the proposals) {f:.2f} s"
    )
    print(f"ratio project/floor {p / f:.2f}x (target <= 3x): {'met' if p / f <= 3 else 'NOT MET'}")
    d = statistics.median(durable)
    print(
        f"beside it: the floor into a logged twin with the foreign keys {d:.2f} s, project/that {p / d:.2f}x"
    )
    print("peak RSS per worker process (MB): " + ", ".join(f"{pid}: {mb:.0f}" for pid, mb in rss.items()))
    print(f"load average before {before}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


def _stop(worker: subprocess.Popen | None) -> None:
    if worker is not None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def main() -> int:
    args = _arguments()
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
    worker = None
    try:
        _set_up(args)
        import redis as redis_lib

        redis_lib.Redis.from_url(redis_url).flushdb()
        worker = _start_worker(args, {**os.environ, "DATABASE_URL": bench_url, "REDIS_URL": redis_url})
        time.sleep(4)  # worker start-up (imports numpy/scipy/Django), before the clock starts
        return _measure(args, worker, before)
    finally:
        _stop(worker)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)', base_url)


if __name__ == "__main__":
    sys.exit(main())

"""Where one enrolment request spends its time: the real middleware, token auth, throttling, the MFA check
and the outbox, in-process on PostgreSQL (and Redis when BENCH_REDIS_URL answers).

    .venv/bin/python benchmarks/profile_enrolment.py [--requests 30] [--profile]

Creates its own database (``<BENCH_DB_PREFIX>_profile``, default ``overstap_bench_profile``), migrates
it, builds one edition with a few seats and one teacher with a token per request, then sends the requests
one after another through Django's test client (the whole WSGI handler and middleware stack; no network)
and prints, for the last request: every query it made (``locked`` marks those between the edition's
``SELECT ... FOR UPDATE`` and the COMMIT), the median wall time per request, and the median time the
edition row stayed locked. ``--profile`` adds a pyinstrument profile of 40 more requests.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILED = 40  # requests in the profile (after the measured ones)
CPU_SAMPLES = 60  # requests per view for the CPU medians
sys.path.insert(0, str(ROOT))

from benchmarks import enrolment as bench  # noqa: E402  (the same environment and data as the benchmark)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--cprofile", action="store_true", help="cProfile (CPU) instead of pyinstrument")
    args = parser.parse_args()
    db = f"{bench.DB_NAME}_profile"
    bench.admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    bench.admin(f'CREATE DATABASE "{db}"')
    try:
        return _run(db, args)
    finally:
        from django.db import connections

        connections.close_all()
        bench.admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        if bench.redis_answers():
            bench._redis(check_empty=False)


def _run(db: str, args: argparse.Namespace) -> int:
    import subprocess

    tasks = "queued" if bench.redis_answers() else "inline"
    env = bench.environment(tasks, db)
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    editions, tokens = bench.setup(args.requests + PROFILED, 5, tasks, db)
    edition_id = editions[0]
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    url = f"/api/v1/editions/{edition_id}/enrol/"
    walls: list[float] = []
    locked: list[float] = []
    last = None
    for token in tokens[: args.requests]:
        queries: list[tuple[float, str]] = []

        def timed(execute, sql, params, many, context, _queries=queries):  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                _queries.append((began, time.perf_counter(), sql))

        commit = connection._commit

        def timed_commit(_queries=queries, _commit=commit):  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            try:
                return _commit()
            finally:
                _queries.append((began, time.perf_counter(), "COMMIT"))

        connection._commit = timed_commit
        began = time.perf_counter()
        with CaptureQueriesContext(connection), connection.execute_wrapper(timed):
            response = client.post(url, HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
        walls.append(time.perf_counter() - began)
        del connection._commit
        assert response.status_code == 201, response.content[:300]
        lock_at = next((q[0] for q in queries if "FOR UPDATE" in q[2] and "courses_edition" in q[2]), None)
        commit_at = next(
            (q[1] for q in queries if q[2].strip().upper() == "COMMIT" and lock_at and q[0] > lock_at), None
        )
        if lock_at is not None and commit_at is not None:
            locked.append(commit_at - lock_at)
        last = queries
    assert last is not None
    print(f"tasks {tasks}; {len(walls)} requests one after another, in-process, PostgreSQL {db}")
    lock_at = next((q[0] for q in last if "FOR UPDATE" in q[2] and "courses_edition" in q[2]), None)
    commit_at = next(
        (q[1] for q in last if q[2].strip().upper() == "COMMIT" and lock_at and q[0] > lock_at), None
    )
    print(f"queries of the last request: {len(last)}")
    for began, ended, sql in last:
        inside = lock_at is not None and commit_at is not None and lock_at <= began <= commit_at
        print(
            f"  {'locked' if inside else '      '} {(ended - began) * 1000:6.2f} ms  {' '.join(sql.split())[:150]}"
        )
    print(f"median wall per request      {statistics.median(walls) * 1000:.2f} ms")
    if locked:
        print(f"median edition row locked    {statistics.median(locked) * 1000:.2f} ms (lock to COMMIT)")
    cpu = {"project": [], "reference": []}
    extra_editions, extra_tokens = bench.setup(2 * CPU_SAMPLES, 5, tasks, db, editions=2)
    for i, token in enumerate(extra_tokens):
        kind = ("reference", "project")[i % 2]
        edition = extra_editions[i % 2]
        path = f"/api/v1/editions/{edition}/enrol/" if kind == "project" else f"/bench/enrol/{edition}/"
        began = time.process_time()
        response = client.post(path, HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
        cpu[kind].append(time.process_time() - began)
        assert response.status_code == 201, response.content[:300]
    print(
        f"median CPU in this process per request (interleaved, {CPU_SAMPLES} each): "
        f"reference {statistics.median(cpu['reference']) * 1000:.2f} ms, "
        f"project {statistics.median(cpu['project']) * 1000:.2f} ms, "
        f"ratio {statistics.median(cpu['project']) / statistics.median(cpu['reference']):.2f}x"
    )
    print(f"load average {bench.load_average()}")
    if args.cprofile:
        import cProfile
        import pstats

        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for token in tokens[args.requests :]:
            client.post(url, HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        return 0
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for token in tokens[args.requests :]:
            client.post(url, HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

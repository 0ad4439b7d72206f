"""Enrolment under load: gunicorn on PostgreSQL, several hundred simultaneous POST /api/v1/editions/{id}/enrol/.

    .venv/bin/python benchmarks/enrolment.py [--requests 400] [--capacity 50] [--workers 2-4] [--concurrency 64]
        [--tasks queued|inline]

Creates its own database (``overstap_bench`` on the server in BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432), migrates it, creates one edition with ``capacity`` seats and one
teacher with an API token per request, starts gunicorn on 127.0.0.1, fires every request from a thread
pool released together, then checks that exactly ``capacity`` enrolments are confirmed and the rest
waitlisted with distinct positions 1..n, prints requests per second and p50/p95/max latency, stops
gunicorn and drops the database. Only ever talks to 127.0.0.1.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB_NAME = "overstap_bench"
MAX_REQUESTS = 2000  # a bound, so a typo cannot turn the benchmark into a flood
# With a broker the web tier only queues the confirmation mails (as in production, where a worker sends
# them); the benchmark uses its own Redis database, refuses to start if it is not empty, and empties it
# at the end. Without Redis (--tasks inline) the mails are built inside the request, as in embedded mode.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _environment(tasks: str = "queued") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{SERVER}/{DB_NAME}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="true",
        # Mail is built (templates, .ics) but not delivered; tasks run in-process (no REDIS_URL).
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        API_THROTTLE_USER="100000/min",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    if tasks == "queued":
        env["REDIS_URL"] = REDIS_URL
    return env


def _redis(check_empty: bool) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    if check_empty:
        if client.dbsize():
            raise SystemExit(f"{REDIS_URL} is not empty; point BENCH_REDIS_URL at an unused database")
    else:
        client.flushdb()


def _setup(requests: int, capacity: int, tasks: str) -> tuple[int, list[str]]:
    """Create the edition and one teacher with a token per request, through the ORM of this process."""
    os.environ.update(_environment(tasks))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Membership, Organisation, User
    from accounts.roles import OrganisationKind, Role
    from courses.models import Edition, EditionStatus, Format, Meeting, Module, Theme

    region = Organisation.objects.create(kind=OrganisationKind.REGION, name="Bench region")
    municipality = Organisation.objects.create(
        kind=OrganisationKind.MUNICIPALITY, name="Bench town", parent=region
    )
    schools = [
        Organisation.objects.create(
            kind=OrganisationKind.SCHOOL, name=f"School {i}", parent=municipality, stage="primary"
        )
        for i in range(10)
    ]
    module = Module.objects.create(
        title="Benchmark study day",
        summary="Load test",
        themes=Module.wrap_themes([Theme.MULTILINGUALISM]),
        format=Format.STUDY_DAY,
        pd_hours=Decimal("6"),
        organiser=region,
        visible_in=region,
    )
    now = timezone.now()
    start = now + timedelta(days=14)
    edition = Edition.objects.create(
        module=module,
        capacity=capacity,
        status=EditionStatus.PUBLISHED,
        enrol_opens_at=now - timedelta(days=1),
        enrol_closes_at=start - timedelta(days=1),
        cancel_deadline=start - timedelta(days=2),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
    )
    Meeting.objects.create(edition=edition, starts_at=start, ends_at=start + timedelta(hours=3), venue="Hall")
    users = User.objects.bulk_create(
        [User(email=f"bench{i}@example.test", first_name="Bench", last_name=str(i)) for i in range(requests)]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, organisation=schools[i % len(schools)], role=Role.TEACHER)
            for i, u in enumerate(users)
        ]
    )
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
    return edition.pk, [t.key for t in tokens]


def _free_port() -> int:
    """A port nobody listens on, so the benchmark never measures someone else's server."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def _fire(url: str, tokens: list[str], concurrency: int) -> tuple[list[float], list[dict], float]:
    barrier = threading.Barrier(min(concurrency, len(tokens)))
    latencies: list[float] = []
    bodies: list[dict] = []
    lock = threading.Lock()

    def one(index: int) -> None:
        if index < barrier.parties:
            barrier.wait()  # the first wave leaves together
        request = urllib.request.Request(
            url,
            method="POST",
            data=b"",
            headers={"Authorization": f"Token {tokens[index]}", "Accept": "application/json"},
        )
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = {"status": f"http {exc.code}", "detail": exc.read()[:200].decode(errors="replace")}
        elapsed = time.perf_counter() - began
        with lock:
            latencies.append(elapsed)
            bodies.append(body)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(len(tokens))))
    return latencies, bodies, time.perf_counter() - began


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--capacity", type=int, default=50)
    # One sync worker per core: on a small machine more workers only queue for the CPU.
    parser.add_argument(
        "--workers", type=int, default=max(2, min(4, os.cpu_count() or 2)), choices=range(1, 9)
    )
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--tasks", choices=["queued", "inline"], default="queued")
    parser.add_argument("--port", type=int, default=0, help="default: a free port chosen by the OS")
    args = parser.parse_args()
    if not 1 <= args.requests <= MAX_REQUESTS or args.capacity >= args.requests:
        parser.error(f"need capacity < requests <= {MAX_REQUESTS}")

    port = args.port or _free_port()
    if args.tasks == "queued":
        _redis(check_empty=True)
    _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DB_NAME}"')
    gunicorn = None
    try:
        env = _environment(args.tasks)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        edition_id, tokens = _setup(args.requests, args.capacity, args.tasks)
        from django.db import connections

        connections.close_all()
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi:application",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--backlog",
                "2048",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/healthz", gunicorn)
        latencies, bodies, wall = _fire(
            f"{base}/api/v1/editions/{edition_id}/enrol/", tokens, args.concurrency
        )

        from courses import services
        from courses.models import Enrolment, EnrolmentStatus

        statuses = list(Enrolment.objects.filter(edition_id=edition_id).values_list("status", flat=True))
        confirmed = statuses.count(EnrolmentStatus.CONFIRMED)
        waitlisted = statuses.count(EnrolmentStatus.WAITLISTED)
        positions = sorted(
            e.waitlist_rank
            for e in services.with_waitlist_position(
                Enrolment.objects.filter(edition_id=edition_id, status=EnrolmentStatus.WAITLISTED)
            )
        )
        answered = {}
        for body in bodies:
            answered[body.get("status")] = answered.get(body.get("status"), 0) + 1
        connections.close_all()

        print(
            f"gunicorn workers      {args.workers} (sync), PostgreSQL database {DB_NAME}, tasks {args.tasks}"
        )
        print(
            f"requests              {len(latencies)} from {args.concurrency} threads, capacity {args.capacity}"
        )
        print(f"answers               {dict(sorted(answered.items(), key=lambda kv: str(kv[0])))}")
        errors = [b["detail"] for b in bodies if "detail" in b]
        if errors:
            print(f"first error           {errors[0]}")
        print(f"confirmed/waitlisted  {confirmed} / {waitlisted} (in the database)")
        print(f"requests per second   {len(latencies) / wall:.1f} (wall {wall:.2f} s)")
        print(
            f"latency               p50 {statistics.median(latencies) * 1000:.0f} ms · "
            f"p95 {_percentile(latencies, 0.95) * 1000:.0f} ms · max {max(latencies) * 1000:.0f} ms"
        )
        ok = (
            confirmed == args.capacity
            and waitlisted == args.requests - args.capacity
            and positions == list(range(1, waitlisted + 1))
        )
        print(
            "check                 "
            + ("OK: exactly capacity confirmed, waitlist positions 1..n" if ok else "FAILED")
        )
        return 0 if ok else 1
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            try:
                gunicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(gunicorn.pid, signal.SIGKILL)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if args.tasks == "queued":
            _redis(check_empty=False)


if __name__ == "__main__":
    sys.exit(main())

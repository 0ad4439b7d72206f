"""Enrolment under load against its reference, in the same run: gunicorn on PostgreSQL, bursts of
simultaneous POSTs at a fresh edition, alternately to the project's ``POST /api/v1/editions/{id}/enrol/``
and to a minimal plain-Django view with the same row lock (``benchmarks/reference_enrol.py``).

    .venv/bin/python benchmarks/enrolment.py [--rounds 3] [--requests 200] [--capacity 30]
        [--workers 4] [--threads 4] [--concurrency 200] [--tasks queued|inline]

Creates its own database (BENCH_DB_NAME, default ``overstap_bench``, on the server in BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432), migrates it, creates one edition of ``capacity`` seats per
round and one teacher with an API token per request, and starts ONE gunicorn (``config/gunicorn.py``,
gthread ``workers`` x ``threads``, production settings: MFA check on, throttles counting) that serves
both the project and the reference. Rounds are interleaved (reference, project, reference, project, ...)
so background load on this shared machine hits both alike; each round checks that exactly ``capacity``
enrolments are confirmed and the rest waitlisted at positions 1..n. Prints every round, the medians,
the ratios project/reference against the targets (>= 0.5x throughput, <= 2x p95) and the load average
before and after. Only ever talks to 127.0.0.1.
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
DB_NAME = os.environ.get("BENCH_DB_NAME", "overstap_bench")
MAX_REQUESTS = 2000  # a bound per round, so a typo cannot turn the benchmark into a flood
# With a broker the web tier only queues the confirmation mails (as in production, where a worker sends
# them); the benchmark uses its own Redis database, refuses to start if it is not empty, and empties it
# at the end. Without Redis (--tasks inline) the mails are built inside the request, as in embedded mode.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
WARM_UP = 48  # requests per view before the measured rounds
TARGET_THROUGHPUT = 0.5
TARGET_P95 = 2.0


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def environment(tasks: str = "queued", db: str = DB_NAME) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{SERVER}/{db}",
        DJANGO_SETTINGS_MODULE="benchmarks.reference_settings",
        # Production mode: the MFA check runs (teachers need no second factor, but the check still asks),
        # no browsable API; plain HTTP on the loopback.
        DEBUG="false",
        SECRET_KEY="benchmark-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_SSL_REDIRECT="false",
        # Mail is built (templates, .ics) but not delivered.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        # Throttles still count every request; the rate is only high enough not to refuse the burst.
        API_THROTTLE_USER="100000/min",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    if tasks == "queued":
        env["REDIS_URL"] = REDIS_URL
    return env


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except Exception:
        return False


def _redis(check_empty: bool) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    if check_empty:
        if client.dbsize():
            raise SystemExit(f"{REDIS_URL} is not empty; point BENCH_REDIS_URL at an unused database")
    else:
        client.flushdb()


def setup(
    teachers: int, capacity: int, tasks: str, db: str = DB_NAME, editions: int = 1
) -> tuple[list[int], list[str]]:
    """Create ``editions`` editions and one teacher with a token each, through the ORM of this process."""
    os.environ.update(environment(tasks, db))
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

    tag = Token.generate_key()[:8]  # setup may run twice in one database
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
    ids = []
    for _ in range(editions):
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
        Meeting.objects.create(
            edition=edition, starts_at=start, ends_at=start + timedelta(hours=3), venue="Hall"
        )
        ids.append(edition.pk)
    users = User.objects.bulk_create(
        [
            User(email=f"bench{i}.{tag}@example.test", first_name="Bench", last_name=str(i))
            for i in range(teachers)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, organisation=schools[i % len(schools)], role=Role.TEACHER)
            for i, u in enumerate(users)
        ]
    )
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
    return ids, [t.key for t in tokens]


def _free_port() -> int:
    """A port nobody listens on, so the benchmark never measures someone else's server."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
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
            with urllib.request.urlopen(request, timeout=120) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = {"status": f"http {exc.code}", "detail": exc.read()[:200].decode(errors="replace")}
        except OSError as exc:
            body = {"status": "no answer", "detail": type(exc).__name__}
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


def _exact(edition_id: int, requests: int, capacity: int) -> bool:
    from courses import services
    from courses.models import Enrolment, EnrolmentStatus

    statuses = list(Enrolment.objects.filter(edition_id=edition_id).values_list("status", flat=True))
    waitlisted = Enrolment.objects.filter(edition_id=edition_id, status=EnrolmentStatus.WAITLISTED)
    positions = sorted(e.waitlist_rank for e in services.with_waitlist_position(waitlisted))
    return (
        statuses.count(EnrolmentStatus.CONFIRMED) == capacity
        and statuses.count(EnrolmentStatus.WAITLISTED) == requests - capacity
        and positions == list(range(1, requests - capacity + 1))
    )


def _gunicorn(args: argparse.Namespace, port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "-c",
            "config/gunicorn.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread" if args.threads > 1 else "sync",
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


def _round(base: str, kind: str, edition_id: int, tokens: list[str], args: argparse.Namespace) -> dict:
    path = f"/api/v1/editions/{edition_id}/enrol/" if kind == "project" else f"/bench/enrol/{edition_id}/"
    latencies, bodies, wall = _fire(base + path, tokens, args.concurrency)
    from django.db import connections

    exact = _exact(edition_id, args.requests, args.capacity)
    connections.close_all()
    answered: dict[str, int] = {}
    for body in bodies:
        answered[str(body.get("status"))] = answered.get(str(body.get("status")), 0) + 1
    return {
        "kind": kind,
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies),
        "p95": _percentile(latencies, 0.95),
        "exact": exact,
        "answers": dict(sorted(answered.items())),
        "error": next((b["detail"] for b in bodies if "detail" in b), ""),
    }


def _report(rows: list[dict], args: argparse.Namespace, before: str) -> bool:
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads, PostgreSQL {DB_NAME}, tasks {args.tasks}; "
        f"{args.requests} requests from {args.concurrency} threads into {args.capacity} seats per round"
    )
    print(f"{'round':<7}{'view':<11}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}  check")
    for i, row in enumerate(rows):
        check = "exact" if row["exact"] else f"FAILED {row['answers']} {row['error'][:80]}"
        print(
            f"{i // 2 + 1:<7}{row['kind']:<11}{row['rps']:>8.1f}{row['p50'] * 1000:>9.0f}"
            f"{row['p95'] * 1000:>9.0f}  {check}"
        )
    median = {
        kind: {key: statistics.median(r[key] for r in rows if r["kind"] == kind) for key in ("rps", "p95")}
        for kind in ("reference", "project")
    }
    throughput = median["project"]["rps"] / median["reference"]["rps"]
    p95 = median["project"]["p95"] / median["reference"]["p95"]
    for kind in ("reference", "project"):
        print(f"median {kind:<10} {median[kind]['rps']:.1f} req/s, p95 {median[kind]['p95'] * 1000:.0f} ms")
    met = throughput >= TARGET_THROUGHPUT and p95 <= TARGET_P95
    print(
        f"ratio project/reference: throughput {throughput:.2f}x (target >= {TARGET_THROUGHPUT}x), "
        f"p95 {p95:.2f}x (target <= {TARGET_P95}x): {'met' if met else 'NOT MET'}"
    )
    print(f"load average before {before}, after {load_average()}")
    return all(r["exact"] for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds per view (median of these)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4, choices=range(1, 9))
    parser.add_argument("--threads", type=int, default=4, choices=range(1, 9))
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--tasks", choices=["queued", "inline"], default="queued")
    parser.add_argument("--port", type=int, default=0, help="default: a free port chosen by the OS")
    args = parser.parse_args()
    if not 1 <= args.requests <= MAX_REQUESTS or args.capacity >= args.requests or args.rounds < 1:
        parser.error(f"need capacity < requests <= {MAX_REQUESTS} and at least one round")

    before = load_average()
    port = args.port or _free_port()
    if args.tasks == "queued":
        _redis(check_empty=True)
    admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{DB_NAME}"')
    gunicorn = None
    try:
        env = environment(args.tasks)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        warm = min(args.requests, WARM_UP)
        editions, tokens = setup(
            args.requests * args.rounds * 2 + 2 * warm,
            args.capacity,
            args.tasks,
            DB_NAME,
            args.rounds * 2 + 1,
        )
        warm_edition, editions = editions[0], editions[1:]
        warm_tokens, tokens = tokens[: 2 * warm], tokens[2 * warm :]
        from django.db import connections

        connections.close_all()
        gunicorn = _gunicorn(args, port, env)
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/healthz", gunicorn)
        # Not measured: every worker thread imports, connects and fills its caches on its first requests.
        for kind, some in (("reference", warm_tokens[:warm]), ("project", warm_tokens[warm:])):
            path = (
                f"/api/v1/editions/{warm_edition}/enrol/"
                if kind == "project"
                else f"/bench/enrol/{warm_edition}/"
            )
            _fire(base + path, some, min(args.concurrency, 16))
        rows = []
        for i, edition_id in enumerate(editions):
            kind = ("reference", "project")[i % 2]
            rows.append(
                _round(base, kind, edition_id, tokens[i * args.requests : (i + 1) * args.requests], args)
            )
        return 0 if _report(rows, args, before) else 1
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
        admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if args.tasks == "queued":
            _redis(check_empty=False)


if __name__ == "__main__":
    sys.exit(main())

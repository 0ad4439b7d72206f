"""Mixed traffic against gunicorn + PostgreSQL for a fixed time; prints requests per second, latency
percentiles, the error count, CPU seconds per request (gunicorn's processes, from /proc) and the p95
against its target (300 ms at 16 clients), with the load average before and after.

    .venv/bin/python benchmarks/load.py [--seconds 30] [--clients 16] [--workers 4]

It creates its own database (overstap_bench_load), migrates it, loads the demo region, starts gunicorn on
127.0.0.1, and sends only to that address. The mix, per client loop: the catalogue (editions and modules through the API), an
enrolment (and its cancellation, so seats keep turning over), the buddy matches list, a caseload list.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DB_NAME", "overstap_bench") + "_load"
P95_TARGET_MS = 300.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    """A port nobody listens on, so the benchmark never measures someone else's server."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children (gunicorn's workers) that are alive."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def sh(*args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    pg = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    env = {
        **os.environ,
        "DATABASE_URL": f"{pg}/{DB}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "API_THROTTLE_USER": "1000000/min",
        "API_THROTTLE_ANON": "1000000/min",
    }
    env.pop("REDIS_URL", None)  # tasks in-process: this measures the web tier and the database
    sh("psql", f"{pg}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    sh("psql", f"{pg}/postgres", "-qc", f"CREATE DATABASE {DB}")
    python = sys.executable
    print("migrating and seeding the demo region ...", flush=True)
    sh(python, "manage.py", "migrate", "-v0", env=env)
    sh(python, "manage.py", "seed_demo", env=env)
    tokens = sh(python, "-c", TOKEN_SCRIPT, env=env).split()
    teacher_tokens, coordinator, supporter = tokens[:-2], tokens[-2], tokens[-1]
    edition = int(sh(python, "-c", EDITION_SCRIPT, env=env).strip())

    port = _free_port()
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except (
                urllib.error.URLError,
                ConnectionError,
                TimeoutError,
            ):  # booting workers may not answer in 1 s
                time.sleep(0.2)
        before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        cpu = _cpu_seconds(server.pid)
        results = run(base, args.seconds, args.clients, teacher_tokens, coordinator, supporter, edition)
        cpu = _cpu_seconds(server.pid) - cpu
    finally:
        server.terminate()
        server.wait(timeout=30)
        sh("psql", f"{pg}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    report(results, args, cpu, before)


def call(method: str, url: str, token: str | None) -> tuple[int, float]:
    request = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        status = 599
    return status, time.perf_counter() - start


def run(base, seconds, clients, teachers, coordinator, supporter, edition):  # type: ignore[no-untyped-def]
    samples: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def record(name: str, status: int, elapsed: float, ok: set[int]) -> None:
        with lock:
            samples.setdefault(name, []).append(elapsed)
            if status not in ok:
                errors[name] = errors.get(name, 0) + 1

    def client(n: int) -> None:
        rng = random.Random(n)
        token = teachers[n % len(teachers)]
        while time.monotonic() < deadline:
            record("catalogue api", *call("GET", f"{base}/api/v1/editions/", token), {200})
            record("modules api", *call("GET", f"{base}/api/v1/modules/", token), {200})
            status, elapsed = call("POST", f"{base}/api/v1/editions/{edition}/enrol/", token)
            # 409: already enrolled (a clear refusal; each client enrols again every loop)
            record("enrol", status, elapsed, {200, 201, 400, 409})
            record("matches list", *call("GET", f"{base}/api/v1/matches/", coordinator), {200})
            record("caseload", *call("GET", f"{base}/api/v1/cases/", supporter), {200})
            if rng.random() < 0.5:
                mine = call("GET", f"{base}/api/v1/enrolments/", token)
                record("my enrolments", *mine, {200})

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, errors, time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def report(results, args, cpu: float, before: str) -> None:  # type: ignore[no-untyped-def]
    samples, errors, elapsed = results
    every = [v for vs in samples.values() for v in vs]
    print(f"\nmixed load: {args.clients} clients, gunicorn -w {args.workers}, {elapsed:.1f} s, PostgreSQL")
    print(f"{'request':<16}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, values in sorted(samples.items()):
        print(
            f"{name:<16}{len(values):>8}{pct(values, 50):>9.1f}{pct(values, 95):>9.1f}{pct(values, 99):>9.1f}"
            f"{errors.get(name, 0):>8}"
        )
    print(
        f"{'all':<16}{len(every):>8}{pct(every, 50):>9.1f}{pct(every, 95):>9.1f}{pct(every, 99):>9.1f}"
        f"{sum(errors.values()):>8}"
    )
    print(f"requests per second: {len(every) / elapsed:.1f}   mean {statistics.mean(every) * 1000:.1f} ms")
    print(f"CPU seconds per request (gunicorn master and workers): {cpu / len(every) * 1000:.1f} ms")
    p95 = pct(every, 95)
    print(
        f"p95 {p95:.0f} ms at {args.clients} clients (target < {P95_TARGET_MS:.0f} ms): "
        + ("met" if p95 < P95_TARGET_MS else "NOT MET")
    )
    print(f"load average before {before}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


TOKEN_SCRIPT = """
import django; django.setup()
from rest_framework.authtoken.models import Token
from accounts.models import User
teachers = User.objects.filter(memberships__role="teacher").distinct().order_by("pk")[:40]
keys = [Token.objects.get_or_create(user=u)[0].key for u in teachers]
for email in ("maatjes@overstap.demo", "taal@overstap.demo"):
    keys.append(Token.objects.get_or_create(user=User.objects.get(email=email))[0].key)
print(" ".join(keys))
"""

EDITION_SCRIPT = """
import django; django.setup()
from courses.models import Edition
edition = Edition.objects.filter(status="published").order_by("-capacity", "pk").first()
print(edition.pk)
"""

if __name__ == "__main__":
    main()

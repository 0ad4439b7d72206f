"""Run a real Celery worker process against Redis and the test database, for integration tests.

The worker and this process use a Redis database of their own (index 15, or lower per pytest-xdist process), so a developer's running worker
never takes the test's tasks; this process publishes there for the duration of the ``with`` block.
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@contextmanager
def celery_worker(
    redis_url: str, *, extra_env: dict[str, str] | None = None, concurrency: int = 1, pool: str = "solo"
) -> Iterator[subprocess.Popen[str]]:
    redis_url = _isolated(redis_url)
    name = uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url,
        "DEBUG": "true",
        **(extra_env or {}),
    }
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-P",
        pool,
        "-c",
        str(concurrency),
        "-l",
        "info",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    log = open(ROOT / f"var-worker-{name}.log", "w+")  # noqa: SIM115 - closed in finally
    # A session (and process group) of its own: a test can kill the whole worker, pool children and all.
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    try:
        _wait_ready(log, proc)
        app.conf.task_always_eager = False
        app.conf.broker_url = redis_url
        _reset_connections()
        yield proc
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        _reset_connections()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.seek(0)
        output = log.read()
        log.close()
        Path(log.name).unlink(missing_ok=True)
        if "Traceback" in output:
            print(output[-4000:])  # shown by pytest when the test fails


def _isolated(redis_url: str) -> str:
    # One Redis database per pytest-xdist process (gw0 -> 15, gw1 -> 14, ...), none shared with a dev worker.
    # A REDIS_URL naming a database other than 0 gets that one instead (offset per xdist process), so suites
    # run side by side on one Redis (each with its own index) do not consume each other's tasks.
    parts = urlsplit(redis_url)
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    own = int(parts.path.strip("/") or 0)
    index = own + worker if own else 15 - worker
    return urlunsplit((parts.scheme, parts.netloc, f"/{index}", parts.query, parts.fragment))


def _reset_connections() -> None:
    # Publish over fresh connections to whichever broker is configured now.
    app._pool = None
    app.amqp._producer_pool = None


def _wait_ready(log, proc: subprocess.Popen[str], timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log.seek(0)
        if " ready." in log.read():
            return
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"celery worker exited early:\n{log.read()[-4000:]}")
        time.sleep(0.2)
    raise RuntimeError("celery worker did not become ready in time")


def wait_for(predicate, timeout: float = 60, interval: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False

"""The embedded mode: a real worker without Redis, and SQLite shared by two writing processes.

These tests start processes with the production settings module (``config.settings``) and the environment
``./overstap start`` gives them, on a SQLite file of their own; they need neither PostgreSQL nor Redis.
"""

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.worker import wait_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of ./overstap start without Redis, on a fresh SQLite file with the core tables."""
    tmp = tmp_path_factory.mktemp("embedded")
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        VAR_DIR=str(tmp / "var"),
        OVERSTAP_VENV=sys.prefix,
    )
    manage = [sys.executable, "manage.py", "migrate", "core", "-v0"]
    subprocess.run(manage, cwd=ROOT, env=env, check=True, timeout=120)
    return env


def _database(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"), timeout=30)


def _django(env: dict[str, str], code: str, *args: str) -> subprocess.Popen[str]:
    script = "import django; django.setup()\n" + textwrap.dedent(code)
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def embedded_worker(embedded_env: dict[str, str]) -> Iterator[Path]:
    """``./overstap embedded-worker``, the worker with beat that ``./overstap start`` runs beside the server."""
    log = Path(embedded_env["VAR_DIR"]) / "worker.log"
    log.unlink(missing_ok=True)
    proc = subprocess.Popen(
        ["bash", "overstap", "embedded-worker", "-c", "1"],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: log.exists() and " ready." in log.read_text(), timeout=90), "worker not ready"
        yield log
    finally:
        proc.terminate()  # warm shutdown, as Ctrl+C in ./overstap start
        assert proc.wait(timeout=30) == 0


PUBLISH = """
    from datetime import timedelta
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone
    from core import outbox
    from core.models import OutboxMessage

    assert not settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL == "filesystem://"
    # A message the web server could not send: only the worker's outbox sweep can send it now.
    stale = OutboxMessage.objects.create(task="core.flush_outbox", args=[])
    OutboxMessage.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with transaction.atomic():
        outbox.enqueue("core.flush_outbox")
    print(stale.pk)
"""


def test_it_runs_a_task_through_the_embedded_worker(
    embedded_env: dict[str, str], embedded_worker: Path
) -> None:
    publisher = _django({**embedded_env, "EMBEDDED_WORKER": "true"}, PUBLISH)
    out, _ = publisher.communicate(timeout=60)
    assert publisher.returncode == 0, out
    stale_id = int(out.strip().splitlines()[-1])

    def swept() -> bool:
        with _database(embedded_env) as db:
            row = db.execute(
                "SELECT dispatched_at FROM core_outboxmessage WHERE id = ?", (stale_id,)
            ).fetchone()
        return row[0] is not None

    assert wait_for(swept, timeout=60)
    log = embedded_worker.read_text()
    assert "Connected to filesystem://" in log
    assert "beat: Starting..." in log
    assert re.search(r"Task core\.flush_outbox\[[0-9a-f-]+\] succeeded", log)
    assert "Traceback" not in log


WRITE = """
    import sys, time
    from pathlib import Path
    from django.db import connection, transaction
    from core.models import OutboxMessage

    name, mode, barrier = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if mode == "deferred":  # the control: SQLite's default transactions, no busy wait
        connection.settings_dict["OPTIONS"].update(transaction_mode=None, timeout=0)
    (barrier / name).touch()
    while len(list(barrier.iterdir())) < 2:
        time.sleep(0.01)
    failures = 0
    for i in range(150):
        try:
            with transaction.atomic():
                # Read, then write in the same transaction: the pattern of every service verb.
                seen = OutboxMessage.objects.count()
                time.sleep(0.002)
                OutboxMessage.objects.create(task=f"{name}.{i}", args=[seen])
        except Exception as exc:
            assert "database is locked" in str(exc), exc
            failures += 1
    print(failures)
"""


def _write_from_two_processes(env: dict[str, str], mode: str, barrier: Path) -> tuple[int, int]:
    barrier.mkdir()
    with _database(env) as db:
        db.execute("DELETE FROM core_outboxmessage")
    writers = [_django(env, WRITE, name, mode, str(barrier)) for name in ("a", "b")]
    outputs = [w.communicate(timeout=120)[0] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], outputs
    with _database(env) as db:
        (rows,) = db.execute("SELECT count(*) FROM core_outboxmessage").fetchone()
    return rows, sum(int(o.strip().splitlines()[-1]) for o in outputs)


def test_it_lets_two_processes_write_sqlite_without_database_is_locked(
    embedded_env: dict[str, str], tmp_path: Path
) -> None:
    started = time.monotonic()
    rows, failures = _write_from_two_processes(embedded_env, "settings", tmp_path / "barrier")
    assert (rows, failures) == (300, 0)
    assert time.monotonic() - started < 120
    with _database(embedded_env) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_it_shows_the_control_fails_with_default_sqlite_transactions(
    embedded_env: dict[str, str], tmp_path: Path
) -> None:
    rows, failures = _write_from_two_processes(embedded_env, "deferred", tmp_path / "barrier")
    assert failures > 0
    assert rows == 300 - failures

"""The storm tests need PostgreSQL: on SQLite they skip with a reason (the README's test command passes on a
machine with only Python), and under REQUIRE_SERVICES=1 they fail instead, so CI cannot pass by skipping."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORM = "tests/faults/test_enrolment_storm.py"
ADDOPTS = "-p no:cacheprovider --strict-markers --import-mode=importlib"


def _run_storm_file_on_sqlite(**env: str) -> str:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "REQUIRE_SERVICES"}
    }
    result = subprocess.run(
        # One -q (the project's addopts add another, which drops the counts line); no migrations: the
        # tables are created straight from the models, which is all a skip or a fail needs.
        [sys.executable, "-m", "pytest", STORM, "-q", "--nomigrations", "-o", f"addopts={ADDOPTS}"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout.strip().splitlines()[-1]


def test_it_skips_every_storm_test_on_sqlite() -> None:
    assert _run_storm_file_on_sqlite().startswith("5 skipped in ")


def test_it_fails_every_storm_test_on_sqlite_when_services_are_required() -> None:
    # The gate fails in the fixture, so pytest reports the five as errors (setup failures), never as passed.
    assert _run_storm_file_on_sqlite(REQUIRE_SERVICES="1").startswith("5 errors in ")

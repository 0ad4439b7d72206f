"""Gates for tests that need real services: they skip with a reason when the services are not configured,
and fail instead when REQUIRE_SERVICES=1 (as in CI), so CI can never pass by skipping them."""

import os
import shutil
import sys
from pathlib import Path

import pytest
from django.conf import settings


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


def _missing(reason: str) -> None:
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def require_postgres() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://...")


def require_redis() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _missing("needs Redis: set REDIS_URL=redis://...")
    return url


def require_tool(name: str) -> str:
    """The path of a command-line tool from the dev dependencies (the virtual environment's bin first)."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which(name, path=search)
    if found is None:
        _missing(f"needs {name}: install the dev dependencies (pip install -e '.[dev]')")
    return str(found)

"""The placement engine is pure: importing it loads numpy and scipy, never Django nor another app."""

import subprocess
import sys

PROBE = """
import sys
import placement.engine
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(",".join(loaded))
"""


def test_it_imports_no_django_and_no_app():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    loaded = set(out.strip().split(","))
    assert {"numpy", "scipy", "placement"} <= loaded
    forbidden = {"django", "rest_framework", "celery", "config", "core", "accounts", "pupils", "caseloads"}
    forbidden |= {"courses", "matching", "parents", "api", "demo"}
    assert loaded & forbidden == set()

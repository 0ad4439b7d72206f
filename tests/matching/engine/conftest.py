import os

import pytest


@pytest.fixture(autouse=True)
def idle_machine(monkeypatch):
    """Engine tests that ask for workers get them whatever else runs on the machine.

    ``solve`` forks only as many workers as there are idle cores (by load average); the tests of the
    pool path must not silently fall back to one process on a busy CI machine.
    """
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))

"""A redis-server of the test's own on a free port, to stop and start at will: the shared one on 6379 serves
the other developers and is never stopped by a test."""

import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support import services_required
from tests.worker import wait_for


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        answer = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
        ).stdout.strip()
        return answer == "PONG"

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--daemonize", "yes"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        args += ["--logfile", str(self.directory / "redis.log")]
        subprocess.run(args, check=True, capture_output=True)
        assert wait_for(self.ping, timeout=20), "the private redis-server did not start"

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)
        assert wait_for(lambda: not self.ping(), timeout=10), "the private redis-server did not stop"


@contextmanager
def private_redis(directory: Path) -> Iterator[PrivateRedis]:
    if not shutil.which("redis-server"):
        if services_required():
            pytest.fail("REQUIRE_SERVICES=1 but redis-server is not installed")
        pytest.skip("needs a local redis-server")
    server = PrivateRedis(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()

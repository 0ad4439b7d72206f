"""Redis stopped and started again while requests come in: pages still answer, changes still commit, and
the tasks that could not be enqueued wait in the outbox until the sweep sends them, each exactly once."""

import shutil
import subprocess
import time
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from accounts.roles import Role
from core import outbox
from core.models import OutboxMessage
from tests.factories import make_membership, make_org_tree
from tests.support import require_postgres, require_redis
from tests.worker import celery_worker, wait_for

REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "{port}",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def _ping(port: int) -> bool:
    return (
        subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip()
        == "PONG"
    )


def _stop_redis(port: int) -> None:
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True)
    assert wait_for(lambda: not _ping(port), timeout=10), "redis did not stop"


def _start_redis(port: int) -> None:
    subprocess.run([arg.format(port=port) for arg in REDIS_START], check=True, capture_output=True)
    assert wait_for(lambda: _ping(port), timeout=20), "redis did not start again"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_keeps_tasks_through_a_redis_outage_and_sends_each_once(tmp_path):
    require_postgres()
    redis_url = require_redis()
    parts = urlsplit(redis_url)
    if parts.hostname not in {"127.0.0.1", "localhost"} or not shutil.which("redis-server"):
        pytest.skip("stopping Redis needs a local redis-server")
    port = parts.port or 6379
    tree = make_org_tree()
    admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    mail_dir = tmp_path / "mail"
    pages = Client()
    pages.force_login(admin)

    with celery_worker(
        redis_url,
        extra_env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        },
    ):
        _stop_redis(port)
        try:
            # Requests keep coming in while the broker is down.
            for i in range(3):
                response = pages.post(
                    reverse("invitation_list"),
                    {
                        "email": f"outage{i}@example.test",
                        "organisation": tree.school_a.pk,
                        "role": Role.TEACHER,
                        "language": "nl",
                    },
                )
                assert response.status_code == 302
            assert pages.get(reverse("invitation_list")).status_code == 200
            assert Invitation.objects.count() == 3
            assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 3
        finally:
            _start_redis(port)
        time.sleep(1)  # the worker reconnects on its own

        # What beat's sweep does every minute.
        assert outbox.flush(now=timezone.now() + timezone.timedelta(minutes=1)) == 3
        assert wait_for(lambda: Invitation.objects.filter(sent_at__isnull=False).count() == 3, timeout=60)
        # A second sweep finds nothing to send.
        assert outbox.flush(now=timezone.now() + timezone.timedelta(minutes=1)) == 0
        time.sleep(1)

    recipients = sorted(
        line.split(": ", 1)[1]
        for p in mail_dir.iterdir()
        for line in p.read_text().splitlines()
        if line.startswith("To: ")
    )
    # Each address exactly once: nothing lost, nothing sent twice.
    assert recipients == ["outage0@example.test", "outage1@example.test", "outage2@example.test"]

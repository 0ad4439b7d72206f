"""Redis stopped and started again while requests come in, on PostgreSQL with a real worker: pages and API
writes still answer (no 5xx: the throttles and the cache fall back to the process, sessions live in the
database), the changes commit, and the tasks that could not be enqueued wait in the outbox until the sweep
sends them, each exactly once.

The Redis is the test's own (``private_redis``, a free port): the shared server on 6379 is never stopped.
"""

from collections import Counter
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Invitation
from accounts.roles import Role
from core import cache as fail_soft
from core import outbox
from core.models import OutboxMessage
from courses.models import EnrolmentMessage, EnrolmentStatus
from tests.courses.factories import make_edition, make_module, make_teacher
from tests.factories import make_membership, make_org_tree
from tests.faults.private_redis import private_redis
from tests.support import require_postgres
from tests.worker import celery_worker, wait_for

ENROLMENTS = 50
CAPACITY = 30
INVITATIONS = 3


def _recipients(mail_dir: Path) -> Counter[str]:
    return Counter(
        line.split(": ", 1)[1]
        for p in mail_dir.iterdir()
        for line in p.read_text().splitlines()
        if line.startswith("To: ")
    )


def _swept(now) -> bool:  # type: ignore[no-untyped-def]
    outbox.flush(now=now)
    return not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()


def _use_cache_and_throttles_on(settings, monkeypatch, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": redis_url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # DRF reads the rates once, into a class attribute: set them there.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "60/min", "user": "1200/min", "token": "10/min"}
    )
    fail_soft.OUTAGE.down = False


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_answers_every_api_and_page_write_through_a_redis_outage_and_sends_each_message_once(
    tmp_path, settings, monkeypatch
):
    require_postgres()
    tree = make_org_tree()
    admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    edition = make_edition(make_module(tree.region_a), capacity=CAPACITY)
    teachers = [make_teacher(tree.school_a) for _ in range(ENROLMENTS)]
    tokens = [Token.objects.create(user=t).key for t in teachers]
    mail_dir = tmp_path / "mail"
    pages = Client()
    pages.force_login(admin)
    mail_env = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }

    with private_redis(tmp_path) as redis, celery_worker(redis.url, extra_env=mail_env):
        _use_cache_and_throttles_on(settings, monkeypatch, redis.url)
        redis.stop()
        api = APIClient()
        codes: Counter[int] = Counter()
        for token in tokens:
            api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            codes[api.post(f"/api/v1/editions/{edition.pk}/enrol/").status_code] += 1
        for i in range(INVITATIONS):
            response = pages.post(
                reverse("invitation_list"),
                {
                    "email": f"outage{i}@example.test",
                    "organisation": tree.school_a.pk,
                    "role": Role.TEACHER,
                    "language": "nl",
                },
            )
            codes[response.status_code] += 1
        codes[pages.get(reverse("invitation_list")).status_code] += 1

        assert codes == {201: ENROLMENTS, 302: INVITATIONS, 200: 1}  # not one 5xx
        assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == ENROLMENTS + INVITATIONS

        redis.start()
        # What beat's sweep does every minute, once the worker has reconnected on its own.
        later = timezone.now() + timezone.timedelta(minutes=1)
        assert wait_for(lambda: _swept(later), timeout=30), "the sweep could not reach the broker"
        assert wait_for(lambda: EnrolmentMessage.objects.count() == ENROLMENTS, timeout=90)
        assert wait_for(lambda: Invitation.objects.filter(sent_at__isnull=False).count() == INVITATIONS)
        assert wait_for(lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(), timeout=30)
        assert outbox.flush(now=timezone.now() + outbox.REDELIVER_AFTER * 2) == 0  # nothing left to send

    statuses = Counter(edition.enrolments.values_list("status", flat=True))
    assert statuses == {
        EnrolmentStatus.CONFIRMED: CAPACITY,
        EnrolmentStatus.WAITLISTED: ENROLMENTS - CAPACITY,
    }
    expected = Counter({t.email: 1 for t in teachers}) + Counter(
        {f"outage{i}@example.test": 1 for i in range(INVITATIONS)}
    )
    assert _recipients(mail_dir) == expected  # each exactly once: nothing lost, nothing sent twice

"""The cache fails soft: with Redis unreachable, requests keep working on a per-process fallback."""

import logging
import socket
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from core import cache as fail_soft
from core.models import OutboxMessage
from tests.courses.factories import make_edition, make_module, make_teacher


def _dead_redis_url() -> str:
    with socket.socket() as s:  # a port nobody listens on: connections are refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def dead_redis_cache(settings):  # type: ignore[no-untyped-def]
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": _dead_redis_url(),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    fail_soft.OUTAGE.down = False
    fail_soft.OUTAGE.skip_until = 0.0
    yield
    fail_soft.OUTAGE.down = False
    fail_soft.OUTAGE.skip_until = 0.0


def test_it_falls_back_to_a_local_cache_and_warns_once_per_outage(dead_redis_cache, caplog):
    caplog.set_level(logging.WARNING, logger="core.cache")
    cache.set("counter", 1)
    assert cache.incr("counter") == 2
    assert cache.get("counter") == 2
    assert cache.get_many(["counter", "missing"]) == {"counter": 2}
    assert cache.add("counter", 5) is False

    assert caplog.messages == ["cache unreachable (ConnectionError): using the local fallback"]


def test_it_tries_redis_again_after_the_pause_and_says_it_is_back(dead_redis_cache, caplog):
    caplog.set_level(logging.WARNING, logger="core.cache")
    with mock.patch("core.cache.time.monotonic", return_value=1000.0):
        assert cache.get("k", "default") == "default"
    with (
        mock.patch("core.cache.time.monotonic", return_value=1000.0 + fail_soft.RETRY_AFTER - 1),
        mock.patch("django.core.cache.backends.redis.RedisCache.get") as redis_get,
    ):
        cache.get("k")
    assert redis_get.call_count == 0  # skipped while the pause lasts
    with (
        mock.patch("core.cache.time.monotonic", return_value=1000.0 + fail_soft.RETRY_AFTER),
        mock.patch("django.core.cache.backends.redis.RedisCache.get", return_value="from redis"),
    ):
        assert cache.get("k") == "from redis"

    assert caplog.messages == [
        "cache unreachable (ConnectionError): using the local fallback",
        "cache reachable again",
    ]


@pytest.mark.django_db(transaction=True)
def test_it_throttles_and_writes_through_the_api_while_redis_is_down(dead_redis_cache, monkeypatch, tree):
    """DRF's throttle reads the cache: with Redis down it counts locally (fails open to a per-process
    limit, not to none) and the enrolment commits with its message in the outbox."""
    # DRF reads the rates once, into a class attribute: set them there.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "60/min", "user": "3/min", "token": "10/min"}
    )
    teacher = make_teacher(tree.school_a)
    module = make_module(tree.region_a)
    editions = [make_edition(module, capacity=5) for _ in range(4)]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=teacher).key}")

    codes = [client.post(f"/api/v1/editions/{e.pk}/enrol/").status_code for e in editions]

    assert codes == [201, 201, 201, 429]
    assert OutboxMessage.objects.filter(task="courses.send_enrolment_message").count() == 3


def test_it_keeps_sessions_out_of_the_cache():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"

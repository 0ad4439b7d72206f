"""A Redis cache that does not take the site down with it.

Django's ``RedisCache`` raises on a connection error, so with Redis stopped every request that touches the
cache (DRF's throttles, allauth's rate limits, import progress) answered 500. What the cache holds here is
never the only copy of anything: counters and progress. So while Redis is unreachable each process
falls back to a local in-process cache (the throttles keep counting, per process: they fail open to
a coarser limit, not to none), logs one warning per outage, and tries Redis again after ``RETRY_AFTER``.
Sessions live in the database (``SESSION_ENGINE``), not here.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: Seconds between tries of a Redis that failed: requests meanwhile skip it instead of each paying a
#: connection attempt (a refused connection is quick; an unreachable host waits the socket timeout).
RETRY_AFTER = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class _Outage:
    """Per process (the cache object itself is per thread): is Redis down, and until when to skip it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down = False
        self.skip_until = 0.0

    def skipping(self) -> bool:
        return self.down and time.monotonic() < self.skip_until

    def failed(self, exc: BaseException) -> None:
        with self.lock:
            if not self.down:
                logger.warning("cache unreachable (%s): using the local fallback", type(exc).__name__)
            self.down = True
            self.skip_until = time.monotonic() + RETRY_AFTER

    def succeeded(self) -> None:
        if self.down:
            with self.lock:
                if self.down:
                    logger.warning("cache reachable again")
                self.down = False


OUTAGE = _Outage()


class FailSoftRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._fallback = LocMemCache("overstap-cache-fallback", {"TIMEOUT": params.get("TIMEOUT", 300)})

    def _either(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not OUTAGE.skipping():
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as exc:
                OUTAGE.failed(exc)
            else:
                OUTAGE.succeeded()
                return result
        return getattr(self._fallback, name)(*args, **kwargs)


def _fail_soft(name: str) -> Callable[..., Any]:
    def method(self: FailSoftRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._either(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FailSoftRedisCache, _name, _fail_soft(_name))

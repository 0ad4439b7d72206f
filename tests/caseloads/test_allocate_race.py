"""Two coordinators allocate to the same supporter at once; only one request fits their free hours.

The control shows the test catches the race when the profile lock is taken away; then the lock prevents it.
Needs PostgreSQL (SQLite serialises whole transactions, so there is no race to see)."""

import threading
import time

import pytest
from django.db import connection

from accounts.roles import Role
from caseloads import workload
from caseloads.models import Case
from caseloads.services import allocating as services
from core.errors import ServiceError
from tests.caseloads.factories import make_request, make_supporter
from tests.factories import make_membership
from tests.support import require_postgres


def _race(coordinators, requests, supporter) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work(coordinator, request):
        try:
            barrier.wait()
            services.allocate(coordinator, request, supporter)
            outcomes.append("allocated")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=pair) for pair in zip(coordinators, requests, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(outcomes)


@pytest.fixture
def scene(tree):
    require_postgres()
    coordinators = [make_membership(Role.REGIONAL_COORDINATOR, tree.region_a) for _ in range(2)]
    supporter = make_supporter(tree.support_a, hours=2)  # 8.7 h a month: one 6-hour request fits
    requests = [make_request(tree.school_a), make_request(tree.school_a2)]
    return coordinators, requests, supporter


def _slow_load_of(real):
    def slow(profile):
        load = real(profile)
        time.sleep(0.3)  # widen the window between checking free hours and writing the case
        return load

    return slow


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_catches_the_race_without_the_lock(scene, monkeypatch):
    coordinators, requests, supporter = scene
    monkeypatch.setattr(workload, "load_of", _slow_load_of(workload.load_of))
    monkeypatch.setattr(
        services, "_lock_profile", lambda user, s: services.supporters_for(user).filter(user=s).first()
    )

    assert _race(coordinators, requests, supporter) == ["allocated", "allocated"]
    assert Case.objects.count() == 2  # over-allocated: what the lock prevents


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_allocates_only_what_fits_when_two_coordinators_race(scene, monkeypatch):
    coordinators, requests, supporter = scene
    monkeypatch.setattr(workload, "load_of", _slow_load_of(workload.load_of))

    assert _race(coordinators, requests, supporter) == ["allocated", "no_free_hours"]
    assert Case.objects.count() == 1

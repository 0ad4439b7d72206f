"""No page answers a server error, whoever asks and whatever they send.

For a user of every role in the demo region (and the superuser), the crawler in ``tests/crawl.py`` walks
every page of the URL conf: the objects in the user's reach that the pages link to, odd and out-of-range
ids, the query parameters each view reads with odd values, and every form the pages render posted empty,
with wrong types, negative, out-of-range and overlong values. Pages are discovered, not listed, so a new
page is crawled without touching this test.
"""

import time

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from tests.crawl import crawl

USERS = [
    "regio@overstap.demo",
    "privacy@overstap.demo",
    "gemeente.haarlem@overstap.demo",
    "maatjes@overstap.demo",
    "directie.dekring@overstap.demo",
    "ib.dekring@overstap.demo",
    "leerkracht@overstap.demo",
    "taal@overstap.demo",
    "admin@overstap.demo",
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The demo region, once for this module; the crawler rolls back every request it makes."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield
        call_command("flush", "--noinput", verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize("email", USERS)
def test_it_answers_no_server_error_on_any_page(demo, email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    started = time.monotonic()
    walk = crawl(client)
    print(
        f"{email}: {walk.requests} requests, {len(walk.fetched)} routes reached, {time.monotonic() - started:.1f} s"
    )
    assert walk.errors == [], "\n".join(walk.errors)
    assert len(walk.fetched) >= 3  # the walk reached real pages, not only the odd ids

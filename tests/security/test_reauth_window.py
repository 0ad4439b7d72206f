"""core/reauth.py as documented: a login or a re-authentication inside the window is enough for an export;
outside it, the export asks for the password again. The clock is moved, never pinned to a date."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from core.reauth import window_seconds
from tests.factories import make_membership
from tests.matching.factories import make_pupil

PASSWORD = "pw-for-tests-123"


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def export(tree):  # type: ignore[no-untyped-def]
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.region_a)
    return coordinator, reverse("matching:pupil_export", args=[make_pupil(tree.school_a).pk])


def _asks_for_password(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))


def _assert_window(client: Client, clock: time_machine.Traveller, url: str) -> None:
    """One second before the window closes the export is served; one second after, it asks again."""
    clock.shift(timedelta(seconds=window_seconds() - 1))
    assert client.get(url).status_code == 200

    clock.shift(timedelta(seconds=2))
    assert _asks_for_password(client.get(url))


def test_it_documents_a_ten_minute_window():
    assert window_seconds() == 600


def test_it_exports_inside_the_window_after_a_password_login_and_asks_after_it(export):
    coordinator, url = export
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        client = Client()
        login = client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})
        assert login.status_code == 302

        _assert_window(client, clock, url)


def test_it_exports_inside_the_window_after_a_reauthentication_and_asks_after_it(export):
    coordinator, url = export
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        client = Client()
        client.force_login(coordinator)  # no record of how: asks at once
        prompt = client.get(url)
        assert _asks_for_password(prompt)
        assert client.post(prompt["Location"], {"password": PASSWORD})["Location"] == url

        _assert_window(client, clock, url)


def test_it_counts_the_newest_record_so_a_reauthentication_renews_an_old_login(export):
    coordinator, url = export
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        client = Client()
        client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})
        clock.shift(timedelta(seconds=window_seconds() + 1))
        prompt = client.get(url)
        assert _asks_for_password(prompt)

        client.post(prompt["Location"], {"password": PASSWORD})
        clock.shift(timedelta(seconds=window_seconds() - 1))

        assert client.get(url).status_code == 200

"""The reach matrix: every API endpoint and every id-bearing page, walked by users of every role from
another region, against the full demo region. They see nothing (404/403 or an empty list) and change
nothing. Endpoints and pages are discovered, not listed, so a new unscoped one fails here.

Also: municipal coordinators within the region see aggregates, never a pupil's name.
"""

import hashlib
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import OrganisationKind, Role
from tests.factories import make_membership, make_org

DOMAIN_APPS = ("pupils", "courses", "matching", "caseloads", "placement")
NOT_SEEN = {403, 404, 405}
# An empty POST to an action may be refused as invalid before the object is looked up: a 400 then says
# nothing about the object (a missing id gets the same answer), and the fingerprint proves nothing changed.
REFUSED_WRITE = NOT_SEEN | {400}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The whole demo region, once for this module (the tests only read, or prove that writes fail)."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        region = make_org(OrganisationKind.REGION, "Elders")
        municipality = make_org(OrganisationKind.MUNICIPALITY, "Elders-gemeente", region)
        school = make_org(OrganisationKind.SCHOOL, "Elders-school", municipality)
        support = make_org(OrganisationKind.SUPPORT_SERVICE, "Elders-taal", region)
        location = make_org(OrganisationKind.NEWCOMER_CLASS, "Elders-itk", municipality)
        where = {
            Role.TEACHER: school,
            Role.SCHOOL_ADMIN: school,
            Role.SCHOOL_STAFF: school,
            Role.BUDDY_COORDINATOR: region,
            Role.LANGUAGE_SUPPORTER: support,
            Role.MUNICIPAL_COORDINATOR: municipality,
            Role.REGIONAL_COORDINATOR: region,
            Role.PRIVACY_OFFICER: region,
            Role.PLACEMENT_OFFICER: region,
            Role.NEWCOMER_CLASS_STAFF: location,
        }
        outsiders = {role: make_membership(role, org).pk for role, org in where.items()}
        yield outsiders
        # The module-scoped data lives outside the per-test transactions: remove it for later modules.
        call_command("flush", "--noinput", verbosity=0)


def _fingerprint() -> str:
    """A hash of every row of the domain apps, to prove a refused write changed nothing."""
    digest = hashlib.sha256()
    for app in DOMAIN_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.db_table.endswith("accesslog"):
                continue  # refused views are not logged, but the log may grow; it is append-only anyway
            for row in model.objects.order_by("pk").values_list():
                digest.update(repr(row).encode())
    return digest.hexdigest()


def _belongs_to_elsewhere(prefix: str, row: object) -> bool:
    """True when a listed row is the outsider's own region's (its organisations and memberships)."""
    from accounts.models import Organisation

    elsewhere = set(
        Organisation.objects.filter(
            path__startswith=Organisation.objects.get(name="Elders").path
        ).values_list("pk", flat=True)
    )
    if not isinstance(row, dict):
        return False
    if prefix == "organisations":
        return row.get("id") in elsewhere
    keys = ("organisation", "school", "scope", "organiser", "location", "region", "parent")
    return any(row.get(key) in elsewhere for key in keys)


def _sample_ids() -> list[int]:
    ids: set[int] = set()
    for app in DOMAIN_APPS:
        for model in apps.get_app_config(app).get_models():
            ids.update(model.objects.order_by("pk").values_list("pk", flat=True)[:4])
    return sorted(ids)[:40]


def _id_patterns() -> list[tuple[str, list[str]]]:
    """(url name, int kwargs) for every named page of the domain apps that takes int ids."""
    found = []

    def walk(patterns, namespace: str) -> None:  # type: ignore[no-untyped-def]
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                ints = [
                    k for k, conv in p.pattern.converters.items() if type(conv).__name__ == "IntConverter"
                ]
                if ints and namespace in DOMAIN_APPS:
                    found.append((f"{namespace}:{p.name}", ints))

    for app in ("courses", "matching", "caseloads", "placement"):
        walk(import_module(f"{app}.urls").urlpatterns, app)
    return found


def _router():  # type: ignore[no-untyped-def]
    from api.urls import router

    return router


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_it_shows_an_outsider_no_row_of_another_region_in_any_api_list(demo, role):
    api = APIClient()
    api.force_authenticate(User.objects.get(pk=demo[role]))
    leaks = {}
    for prefix, _viewset, _basename in _router().registry:
        response = api.get(f"/api/v1/{prefix}/")
        if response.status_code in NOT_SEEN:
            continue
        assert response.status_code == 200, (prefix, response.status_code)
        body = response.json()
        rows = body.get("results", body) if isinstance(body, dict) else body
        foreign = [r for r in rows if not _belongs_to_elsewhere(prefix, r)]
        if foreign:
            leaks[prefix] = len(foreign)
    assert leaks == {}, leaks


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_it_answers_an_outsider_404_for_every_id_in_the_api_and_changes_nothing(demo, role):
    api = APIClient()
    api.force_authenticate(User.objects.get(pk=demo[role]))
    before = _fingerprint()
    seen = []
    for prefix, viewset, _basename in _router().registry:
        model = getattr(getattr(viewset, "queryset", None), "model", None)
        ids = (
            list(model.objects.order_by("pk").values_list("pk", flat=True)[:3])
            if model
            else _sample_ids()[:5]
        )
        detail_actions = [a.url_path for a in viewset.get_extra_actions() if a.detail]
        for pk in ids:
            for method, path in [
                ("get", f"/api/v1/{prefix}/{pk}/"),
                ("patch", f"/api/v1/{prefix}/{pk}/"),
                ("delete", f"/api/v1/{prefix}/{pk}/"),
            ] + [("post", f"/api/v1/{prefix}/{pk}/{action}/") for action in detail_actions]:
                status = getattr(api, method)(path, {}, format="json").status_code
                if status not in (NOT_SEEN if method == "get" else REFUSED_WRITE):
                    seen.append((method, path, status))
    assert seen == [], seen[:10]
    assert _fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_it_answers_an_outsider_404_on_every_id_page_and_changes_nothing(demo, role):
    client = Client()
    client.force_login(User.objects.get(pk=demo[role]))
    ids = _sample_ids()
    before = _fingerprint()
    seen = []
    for name, kwargs in _id_patterns():
        for pk in ids:
            url = reverse(name, kwargs=dict.fromkeys(kwargs, pk))
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if status not in NOT_SEEN | {302}:
                    seen.append((method, url, status))
    assert seen == [], seen[:10]
    assert _fingerprint() == before


def _pupil_names() -> list[str]:
    from pupils.models import Pupil

    return [p.display_name for p in Pupil.objects.filter(anonymised_at__isnull=True)]


def _pages_without_ids() -> list[str]:
    urls = []
    for app in ("courses", "matching", "caseloads", "placement"):
        for p in import_module(f"{app}.urls").urlpatterns:
            if isinstance(p, URLPattern) and p.name and not p.pattern.converters:
                urls.append(reverse(f"{app}:{p.name}"))
            elif isinstance(p, URLResolver):
                for q in p.url_patterns:
                    if isinstance(q, URLPattern) and q.name and not q.pattern.converters:
                        urls.append(reverse(f"{p.namespace or app}:{q.name}"))
    return [*urls, reverse("dashboard")]


@pytest.mark.django_db
def test_it_shows_a_municipal_coordinator_numbers_but_no_pupil_names(demo):
    coordinator = User.objects.get(email="gemeente.haarlem@overstap.demo")
    client = Client()
    client.force_login(coordinator)
    api = APIClient()
    api.force_authenticate(coordinator)
    names = _pupil_names()
    assert names, "the demo has pupils"
    pattern = re.compile("|".join(re.escape(n) for n in names))

    leaks = []
    for url in _pages_without_ids():
        response = client.get(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            found = pattern.search(response.content.decode())
            if found:
                leaks.append((url, found.group(0)))
    for prefix, _viewset, _basename in _router().registry:
        response = api.get(f"/api/v1/{prefix}/")
        if response.status_code == 200:
            found = pattern.search(response.content.decode())
            if found:
                leaks.append((prefix, found.group(0)))

    assert leaks == [], leaks[:10]

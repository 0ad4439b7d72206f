"""The contract proven by a real consumer: a client generated from the schema with openapi-python-client
(offline), driving the API in-process through WSGI: token, enrol, enrol again (409), cancel, start a match
run and poll it until done. Skips without the tool; fails instead under REQUIRE_SERVICES=1."""

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType

import httpx
import pytest
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator

from accounts.roles import Role
from tests.courses.factories import make_edition, make_module, make_teacher
from tests.factories import make_membership, make_org_tree
from tests.matching.factories import make_buddy, make_pupil
from tests.support import require_tool

PACKAGE = "overstap_client"
POLLS = 20


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    tool = require_tool("openapi-python-client")
    where = tmp_path_factory.mktemp("client")
    (where / "schema.json").write_text(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    (where / "config.yaml").write_text("post_hooks: []\n")  # no formatter run on the generated code
    subprocess.run(
        [tool, "generate", "--path", "schema.json", "--meta", "none", "--config", "config.yaml",
         "--output-path", PACKAGE],
        cwd=where, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _load(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _transport() -> dict:
    return {"transport": httpx.WSGITransport(app=get_wsgi_application())}


def _signed_in(email: str) -> object:
    client_module, token_api, models = _load("client"), _load("api.auth.auth_token_create"), _load("models")
    anonymous = client_module.Client(base_url="http://testserver", httpx_args=_transport())
    token = token_api.sync(
        client=anonymous, body=models.TokenRequestRequest(email=email, password="pw-for-tests-123")
    )
    assert isinstance(token, models.Token)
    return client_module.AuthenticatedClient(
        base_url="http://testserver", token=token.token, prefix="Token", httpx_args=_transport()
    )


def test_it_imports_every_generated_operation(generated):
    import pkgutil

    api = _load("api")
    modules = [m.name for m in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.api.")]

    for name in modules:
        importlib.import_module(name)
    # One module per operation of the schema (83 when the contract was first proven, more since).
    from tests.schema_conformance import _schema

    operations = [
        m
        for path in _schema()["paths"].values()
        for m in path
        if m in {"get", "post", "put", "patch", "delete"}
    ]
    assert len([m for m in modules if m.count(".") == 3]) == len(operations)


@pytest.mark.django_db(transaction=True)
def test_it_enrols_cancels_and_runs_matching_with_the_generated_client(generated):
    models = _load("models")
    tree = make_org_tree()
    teacher = make_teacher(tree.school_a)
    edition = make_edition(make_module(tree.region_a), capacity=5)
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    for _ in range(2):
        make_pupil(tree.school_a)
        make_buddy(tree.school_a)

    as_teacher = _signed_in(teacher.email)
    enrolled = _load("api.editions.editions_enrol_create").sync(id=edition.pk, client=as_teacher)
    again = _load("api.editions.editions_enrol_create").sync_detailed(id=edition.pk, client=as_teacher)
    cancelled = _load("api.enrolments.enrolments_cancel_create").sync(id=enrolled.id, client=as_teacher)

    assert enrolled.status == models.EnrolmentStatusEnum.CONFIRMED
    assert (again.status_code, again.parsed.code) == (409, "already_enrolled")
    assert cancelled.status == models.EnrolmentStatusEnum.CANCELLED

    as_coordinator = _signed_in(coordinator.email)
    run = _load("api.match_runs.match_runs_create").sync(
        client=as_coordinator,
        body=models.StartRunRequest(scope=tree.school_a.pk, buddy_kind=models.BuddyKindEnum.PEER),
    )
    for _ in range(POLLS):
        run = _load("api.match_runs.match_runs_retrieve").sync(id=run.id, client=as_coordinator)
        if run.status in (models.MatchRunStatusEnum.DONE, models.MatchRunStatusEnum.FAILED):
            break
    matches = _load("api.matches.matches_list").sync(client=as_coordinator, run=run.id)

    assert (run.status, run.progress.percent) == (models.MatchRunStatusEnum.DONE, 100)
    assert matches.count == 2
    assert [(m.status, m.end_reason, m.fit) for m in matches.results] == [
        (models.MatchStatusEnum.PROPOSED, None, None)
    ] * 2

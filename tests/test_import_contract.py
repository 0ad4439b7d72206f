"""The directions of dependency between the apps (CONTRIBUTING.md) hold, and the contract that enforces them
(``[tool.importlinter]`` in pyproject.toml, also run by ``./overstap test`` as ``lint-imports``) refuses a
deliberate import against them: each case below adds one import to the real graph and names the contract
that must break."""

import copy
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract

configuration.configure()  # what lint-imports does first: the contracts look up its timer and printer

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_TYPES = {"forbidden": ForbiddenContract, "independence": IndependenceContract}


@cache
def _config() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


@cache
def _graph() -> grimp.ImportGraph:
    config = _config()
    return grimp.build_graph(
        *config["root_packages"],
        include_external_packages=config["include_external_packages"],
        cache_dir=None,
    )


def _check(graph: grimp.ImportGraph, contract_id: str | None = None) -> dict[str, bool]:
    """Contract id -> kept, for every contract (or the one named), on a copy of ``graph``."""
    config = _config()
    session = {key: value for key, value in config.items() if key != "contracts"}
    kept = {}
    for options in config["contracts"]:
        if contract_id is not None and options["id"] != contract_id:
            continue
        contract = CONTRACT_TYPES[options["type"]](
            name=options["name"], session_options=session, contract_options=options
        )
        kept[options["id"]] = contract.check(copy.deepcopy(graph), verbose=False).kept
    return kept


def _with_import(importer: str, imported: str) -> grimp.ImportGraph:
    graph = copy.deepcopy(_graph())
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    return graph


def test_it_keeps_every_contract_on_the_code_as_it_is() -> None:
    kept = _check(_graph())

    assert kept == dict.fromkeys((c["id"] for c in _config()["contracts"]), True)


@pytest.mark.parametrize(
    ("importer", "imported", "contract_id"),
    [
        ("courses.services", "matching.models", "domains-independent"),
        ("matching.services.review", "caseloads.services", "domains-independent"),
        ("caseloads.services", "courses.models", "domains-independent"),
        ("caseloads.services", "matching.models", "domains-independent"),
        ("matching.engine.costs", "django.db", "engine-pure"),
        ("matching.engine.solve", "matching.models", "engine-pure"),
        ("pupils.services", "api.errors", "no-api"),
        ("courses.views", "api.permissions", "no-api"),
        ("core.outbox", "config.celery", "core-plumbing"),
        ("core.forms", "accounts.models", "core-plumbing"),
        ("accounts.scoping", "pupils.models", "accounts-below-pupils"),
        ("pupils.services", "matching.services", "shared-base"),
        ("matching.services", "placement.models", "placement-upstream"),
        ("caseloads.services", "placement.services", "placement-upstream"),
        ("placement.queries", "courses.models", "placement-not-courses"),
        ("parents.consent", "matching.models", "parents-downstream"),
        ("accounts.views", "demo.management.commands.seed_demo", "no-demo"),
    ],
)
def test_it_refuses_an_import_against_the_directions(importer: str, imported: str, contract_id: str) -> None:
    assert _check(_graph(), contract_id) == {contract_id: True}  # the control: kept without the import

    assert _check(_with_import(importer, imported), contract_id) == {contract_id: False}


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("placement.services", "pupils.services"),
        ("placement.services", "caseloads.services"),
        ("placement.services", "matching.services"),
        ("placement.services", "parents.consent"),
        ("matching.services", "parents.consent"),
        ("caseloads.services", "matching.engine.assign"),
        ("api.views", "placement.services"),
        ("demo.apps", "placement.demo"),
    ],
)
def test_it_allows_the_documented_directions(importer: str, imported: str) -> None:
    kept = _check(_with_import(importer, imported))

    assert all(kept.values()), [name for name, ok in kept.items() if not ok]

"""Every API response the test suite receives is checked against the OpenAPI schema drf-spectacular
publishes: a status code the operation does not document, or a body that does not match the documented
schema, fails the test that received it (tests/conftest.py hooks this into Django's test client).

The schema is OpenAPI 3.0; its schema objects are JSON Schema but for ``nullable``, which is rewritten into
``anyOf: [..., {"type": "null"}]`` before validating with jsonschema.
"""

import json
import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

API_PREFIX = "/api/v1/"


class SchemaDrift(AssertionError):
    """An API response that the published schema does not describe."""


def _json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def _schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    """Path templates as patterns, literal ones first (``/matches/approve/`` before ``/matches/{id}/``)."""
    templates = sorted(_schema()["paths"], key=lambda t: (t.count("{"), t))
    return [(re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(t)) + "$"), t) for t in templates]


@cache
def _validator(template: str, method: str, status: str) -> Draft202012Validator | None:
    response = _schema()["paths"][template][method]["responses"][status]
    media = response.get("content", {}).get("application/json")
    if media is None:
        return None
    components = _json_schema(_schema().get("components", {}))
    # Formats are checked, as a generated client does: a blank optional e-mail is published as
    # oneOf [empty string, e-mail], which only the format tells apart.
    return Draft202012Validator(
        {"allOf": [_json_schema(media["schema"])], "components": components},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def operation_for(path: str, method: str) -> tuple[str, dict[str, Any]] | None:
    for pattern, template in _routes():
        if pattern.match(path):
            operation = _schema()["paths"][template].get(method.lower())
            return (template, operation) if operation is not None else None
    return None


def check(method: str, path: str, status: int, content_type: str, body: bytes) -> None:
    """Raise :class:`SchemaDrift` when the response is not one the schema documents for the operation."""
    if not path.startswith(API_PREFIX):
        return
    found = operation_for(path, method)
    if found is None:
        return  # no such operation (a 405, or a route outside the schema such as the router's root)
    template, operation = found
    name = f"{method.upper()} {template}"
    if str(status) not in operation["responses"]:
        documented = ", ".join(sorted(operation["responses"]))
        raise SchemaDrift(
            f"{name} answered {status}, which it does not document ({documented}): {body[:300]!r}"
        )
    if not body or not content_type.startswith("application/json"):
        return
    validator = _validator(template, method.lower(), str(status))
    if validator is None:
        return
    errors = sorted(validator.iter_errors(json.loads(body)), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(part) for part in errors[0].absolute_path) or "(body)"
        raise SchemaDrift(f"{name} {status}: {where}: {errors[0].message}")

"""The OpenAPI schema as clients read it: a summary, a description and documented responses on every
operation, and per operation only the errors it can give, in the one error shape of api/errors.py.

- :class:`AutoSchema` (``DEFAULT_SCHEMA_CLASS``) names the standard operations after their resource
  ("List editions", "Get one edition"); other operations carry a ``summary`` in their ``extend_schema``,
  and their docstring is the description.
- :func:`document_responses` (a post-processing hook) adds the errors an operation can give: 401/403/429 when
  it needs sign-in, 404 on a path with an id or a paginated list, 400 on writes and on GETs with filters that
  are validated, 415 where a request body is read. 409 only where the operation says so with
  :func:`conflict`, naming its codes.
"""

from typing import Any

from django.utils import translation
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {
                "oneOf": [{"type": "array", "items": {}}, {"type": "object"}, {"type": "string"}]
            },
        },
    },
    "required": ["detail"],
    "example": {
        "detail": "Invalid input.",
        "code": "invalid",
        "fields": {"capacity": ["Ensure this value is greater than or equal to 1."]},
    },
}

ERRORS = {
    "400": "Invalid input: see `fields` for the message per field, `code` for the reason.",
    "401": "Not signed in: send `Authorization: Token <token>` (see `POST /api/v1/auth/token/`).",
    "403": "Not allowed for this role, or a second factor must be set up first (`code: mfa_required`).",
    "404": "Not found, or outside your reach (also a page number past the last page).",
    "409": "Conflicts with the current state.",
    "415": "Unsupported media type: send `Content-Type: application/json`.",
    "429": "Too many requests: wait and retry.",
}

CRUD_SUMMARIES = {
    "list": "List {many}",
    "retrieve": "Get one {one}",
    "create": "Create a {one}",
    "update": "Replace a {one}",
    "partial_update": "Change a {one}",
    "destroy": "Delete a {one}",
}
WRITES = {"post", "put", "patch", "delete"}


def conflict(*codes: str) -> dict[int, OpenApiResponse]:
    """``responses`` entry for an operation that answers 409 with one of ``codes``."""
    listed = ", ".join(f"`{code}`" for code in codes)
    return {409: OpenApiResponse(description=f"Conflicts with the current state (`code`: {listed}).")}


class AutoSchema(openapi.AutoSchema):
    def _model_names(self) -> tuple[str, str] | None:
        get_serializer_class = getattr(self.view, "get_serializer_class", None)  # generic views only
        if get_serializer_class is None:
            return None
        try:
            model = get_serializer_class().Meta.model
        except AttributeError:
            return None
        with translation.override("en"):
            return str(model._meta.verbose_name), str(model._meta.verbose_name_plural)

    def get_summary(self) -> str | None:
        action = getattr(self.view, "action", None)
        template = CRUD_SUMMARIES.get(action) if isinstance(action, str) else None
        names = self._model_names() if template is not None else None
        if template is not None and names is not None:
            return template.format(one=names[0], many=names[1])
        return super().get_summary()


def _errors(path: str, method: str, operation: dict[str, Any]) -> set[str]:
    query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    errors = {"429"}
    security = operation.get("security", [])
    if security and {} not in security:  # signed in only
        errors |= {"401", "403"}
    if "{" in path or "page" in query:
        errors.add("404")
    if method in {"post", "put", "patch"} or query - {"page", "page_size"}:
        errors.add("400")
    if "requestBody" in operation:
        errors.add("415")
    return errors


def _success_description(
    method: str, operation: dict[str, Any], status: str, response: dict[str, Any]
) -> str:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref", "")
    name = ref.rsplit("/", 1)[-1].removeprefix("Paginated").removesuffix("List") or "result"
    if status == "204":
        return "Done; no content."
    if status == "202":
        return f"Accepted: the work runs in the background; poll the returned {name} for its progress."
    if status == "201":
        return f"Created: the new {name}."
    if method == "get":
        if ref.rsplit("/", 1)[-1].startswith("Paginated"):
            return f"One page of {name} objects within your reach, with `count`, `next` and `previous`."
        return f"The {name}" + (" list." if schema.get("type") == "array" else ".")
    return f"Done: the {name} as it is now."


def document_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in {"get", *WRITES}:
                continue
            operation.setdefault("security", [])  # no security listed: open to all (only the token endpoint)
            responses = operation.setdefault("responses", {})
            for status in sorted(_errors(path, method, operation)):
                responses.setdefault(status, {"description": ERRORS[status]})
            for status, response in responses.items():
                if status.startswith("4"):
                    response.setdefault("content", error)
                    response["description"] = response.get("description") or ERRORS[status]
                elif not response.get("description"):
                    response["description"] = _success_description(method, operation, status, response)
    return result

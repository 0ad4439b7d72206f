"""OpenAPI post-processing: document the error responses every operation can give, in the one error shape
of api/errors.py, so clients (and schema-based fuzzers) know 400/401/403/404/409/429 are part of the API."""

from typing import Any

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
}

ERRORS = {
    "400": "Invalid input: see `fields` for the message per field.",
    "401": "Not signed in.",
    "403": "Not allowed for this role.",
    "404": "Not found, or outside your reach.",
    "405": "Method not allowed.",
    "409": "Conflicts with the current state.",
    "415": "Unsupported media type.",
    "429": "Too many requests.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result

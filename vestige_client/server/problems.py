"""Every HTTP error of `vestige serve` as RFC 9457 problem details (`application/problem+json`).

One mapping from the client's error classes to HTTP statuses (STATUS_OF); a problem carries the
error's one-line message as `detail` and, for an error of the SQL API, its SQLSTATE as `code`
(docs/errors.md). A problem never carries a request header, so never a key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from starlette.responses import Response

from vestige_client import errors

PROBLEM_JSON = "application/problem+json"

# The one mapping: an error class (or its nearest base listed here) -> HTTP status. Anything else is 500.
STATUS_OF: dict[type[errors.VestigeError], int] = {
    errors.Unauthenticated: 401,
    errors.IdentityRefused: 403,
    errors.ReadOnlyKey: 403,
    errors.NotOwner: 403,
    errors.NotGroupMember: 403,
    errors.NoIdentity: 403,
    errors.NotFound: 404,
    errors.UnknownUser: 404,
    errors.Conflict: 409,
    errors.SwitchConflict: 409,
    errors.InvalidInput: 422,
    errors.InvalidVector: 422,
    errors.SecretRefused: 422,
    errors.ConnectionFailed: 503,
    errors.LockTimeout: 503,
    errors.EmbeddedServerError: 503,
    errors.SchemaError: 503,
    errors.EmbeddingError: 503,
    errors.ModelMismatch: 503,
    errors.RegistryConflict: 503,
    errors.ModelNotRegistered: 503,
}
QUERY_CANCELED = "57014"  # PostgreSQL cancelled the statement: [storage.postgres] statement_timeout


def status_of(error: errors.VestigeError) -> int:
    """The HTTP status of an error: its class's (or nearest base's) in STATUS_OF, else 500."""
    if isinstance(error, errors.VestigeDatabaseError) and error.sqlstate == QUERY_CANCELED:
        return 504
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 500


def problem(status: int, detail: str, *, headers: Mapping[str, str] | None = None, **extra: Any) -> Response:
    """A problem details response: type about:blank, the status's phrase as title, the detail."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    content = json.dumps(body | extra, ensure_ascii=False).encode()
    return Response(content, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON)


def error_problem(error: errors.VestigeError) -> Response:
    """The problem for an error of the client: its status, its message, and its SQLSTATE."""
    status = status_of(error)
    headers = {"WWW-Authenticate": 'Bearer realm="vestige"'} if status == 401 else None
    extra = {"code": error.sqlstate} if error.sqlstate else {}
    return problem(status, " ".join(str(error).split()), headers=headers, **extra)


def schema(status_codes: Sequence[int]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` entries of these statuses: each a problem details document."""
    body = {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {"type": "string", "description": "The SQLSTATE of an error of the SQL API."},
        },
    }
    return {
        code: {"description": HTTPStatus(code).phrase, "content": {PROBLEM_JSON: {"schema": body}}}
        for code in status_codes
    }

"""The REST API under /api/v1/: the tool handlers and Client methods, as HTTP routes.

Each route calls the client of the request's caller (the Gate's Identity) and returns JSON with
the SQL column names, like the MCP tools' structured content. A route that writes requires a
key with the write scope (a read-only key gets 403 before anything runs; PostgreSQL would refuse
the write too). The request body of search and ingest is the tool's own argument list (built from
the handler's signature), so both doors publish and check one contract. Errors are problem
details (problems.py).
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from fastapi.security import APIKeyHeader, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, create_model

from vestige_client import tools
from vestige_client.client import Client
from vestige_client.errors import InvalidInput
from vestige_client.models import ApiKey, Listed, Memory, Review, Stats, jsonable
from vestige_client.server import problems
from vestige_client.server.auth import reader, writer
from vestige_client.tool_arguments import describe

# Documented in the OpenAPI document only: the Gate has authenticated the request already.
_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer vst_...`.")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key: `X-API-Key: vst_...`.")

router = APIRouter(
    prefix="/api/v1",
    dependencies=[Security(_bearer), Security(_api_key)],
    responses=problems.schema([401, 403, 404, 413, 422, 429, 503, 504]),
)


Reader = Annotated[Client, Depends(reader)]
Writer = Annotated[Client, Depends(writer)]


def arguments_model(
    handler: Callable[..., tools.ToolResult], name: str, leave_out: Sequence[str] = ()
) -> type[BaseModel]:
    """A model of a tool handler's arguments (not its client, nor a door's keyword-only ones)."""
    parameters = list(inspect.signature(handler, eval_str=True).parameters.values())[1:]
    fields: dict[str, Any] = {
        p.name: (p.annotation, ... if p.default is inspect.Parameter.empty else p.default)
        for p in parameters
        if p.kind is not inspect.Parameter.KEYWORD_ONLY and p.name not in leave_out
    }
    return create_model(
        name, __config__=ConfigDict(extra="forbid"), __doc__=describe(handler.__doc__), **fields
    )


def arguments(body: BaseModel) -> dict[str, Any]:
    """A validated body as the handler's keyword arguments (nested models stay models)."""
    return {name: getattr(body, name) for name in type(body).model_fields}


def tool_route(
    method: str,
    path: str,
    model: type[BaseModel],
    run: Callable[[Client, dict[str, Any]], Any],
    *,
    write: bool,
    summary: str,
    status_code: int = 200,
) -> None:
    """A route whose JSON body is `model`, answered by `run(client, arguments)`."""

    def endpoint(client: Client, body: BaseModel) -> Any:
        return run(client, arguments(body))

    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "client", inspect.Parameter.KEYWORD_ONLY, annotation=Writer if write else Reader
            ),
            inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=model),
        ]
    )
    router.add_api_route(
        path,
        endpoint,
        methods=[method],
        summary=summary,
        description=model.__doc__ or "",
        status_code=status_code,
        name=summary,
    )


SearchArguments = arguments_model(tools.search, "SearchArguments")
IngestArguments = arguments_model(tools.smart_ingest, "IngestArguments")
NewMemoryArguments = arguments_model(
    tools.smart_ingest, "NewMemory", leave_out=("items", "batch_merge_policy")
)

tool_route(
    "POST",
    "/search",
    SearchArguments,
    lambda client, args: tools.search(client, **args).structured(),
    write=False,
    summary="Search memories",
)
tool_route(
    "POST",
    "/ingest",
    IngestArguments,
    lambda client, args: tools.smart_ingest(client, **args).structured(),
    write=True,
    summary="Store memories (smart ingest)",
)
tool_route(
    "POST",
    "/memories",
    NewMemoryArguments,
    lambda client, args: tools.smart_ingest(client, **args).structured(),
    write=True,
    summary="Store one memory (smart ingest)",
    status_code=201,
)


class MemoryEdit(BaseModel):
    """The new text of an own memory."""

    model_config = ConfigDict(extra="forbid")
    content: Annotated[str, Field(description=f"The new text, {tools.TEXT}; the review schedule is kept.")]


class Sharing(BaseModel):
    """Who may see an own memory."""

    model_config = ConfigDict(extra="forbid")
    visibility: tools.Visibility
    groups: tools.Groups = None


class Rating(BaseModel):
    """How well a memory held up."""

    model_config = ConfigDict(extra="forbid")
    rating: tools.Rating


MemoryPath = Annotated[uuid.UUID, Path(description="The memory's id, as returned by search or ingest.")]
KeyPath = Annotated[uuid.UUID, Path(description="The key's id, as listed by GET /api/v1/keys.")]


@router.get("/health", summary="Health")
def health(client: Reader, request: Request) -> dict[str, Any]:
    """Counts, model and database, as the memory_status tool's health view."""
    backend: str = request.app.state.backend
    return tools.status_health(client, backend).structured()


@router.get("/stats", summary="Statistics", response_model=Stats)
def stats(client: Reader) -> Any:
    """Counts and retention of the memories the caller can see."""
    return jsonable(client.stats())


@router.get("/memories", summary="List memories", response_model=list[Listed])
def list_memories(
    client: Reader,
    codebase: str | None = None,
    node_type: Annotated[list[str] | None, Query(description="Only memories of these types.")] = None,
    tag: Annotated[list[str] | None, Query(description="Only memories with one of these tags.")] = None,
    limit: Annotated[
        int, Query(ge=-(2**31), le=2**31 - 1, description="How many: 1 to 1000 (default 20).")
    ] = 20,
) -> Any:
    """The visible, current memories, newest first."""
    return jsonable(client.list_memories(codebase=codebase, node_types=node_type, tags=tag, limit=limit))


@router.get("/memories/{memory_id}", summary="Get a memory", response_model=Memory)
def get_memory(client: Reader, memory_id: MemoryPath) -> Any:
    """A visible memory."""
    return jsonable(client.get_memory(memory_id))


@router.patch("/memories/{memory_id}", summary="Edit a memory", response_model=Memory)
def edit_memory(client: Writer, memory_id: MemoryPath, edit: MemoryEdit) -> Any:
    """Replace the content of an own memory (embedded again; the review schedule is kept)."""
    tools.memory_edit(client, memory_id, edit.content)
    return jsonable(client.get_memory(memory_id))


@router.put("/memories/{memory_id}/visibility", summary="Share a memory")
def share_memory(client: Writer, memory_id: MemoryPath, sharing: Sharing) -> dict[str, Any]:
    """Set who may see an own memory: private, group (with groups) or public."""
    if sharing.visibility is None:
        raise InvalidInput("visibility is required", hint="private, group or public")
    return tools.memory_share(client, memory_id, sharing.visibility, sharing.groups).structured()


@router.delete("/memories/{memory_id}", summary="Delete a memory", status_code=204)
def delete_memory(client: Writer, memory_id: MemoryPath) -> Response:
    """Delete an own memory with its links and schedule."""
    client.delete_memory(memory_id)
    return Response(status_code=204)


@router.post("/memories/{memory_id}/review", summary="Review a memory", response_model=Review)
def review_memory(client: Writer, memory_id: MemoryPath, rating: Rating) -> Any:
    """Record how well an own memory held up (FSRS-6: 1 again, 2 hard, 3 good, 4 easy)."""
    return jsonable(client.review(memory_id, rating.rating))


@router.get("/keys", summary="My API keys", response_model=list[ApiKey])
def my_keys(client: Reader) -> Any:
    """The caller's own API keys (never a key itself)."""
    return jsonable(client.my_keys())


@router.delete("/keys/{key_id}", summary="Revoke one of my API keys", response_model=ApiKey)
def revoke_my_key(client: Writer, key_id: KeyPath) -> Any:
    """Revoke one of the caller's own keys; it is refused from the next request on."""
    return jsonable(client.revoke_my_key(key_id))

"""`vestige serve`: MCP over Streamable HTTP at /mcp, the REST API under /api/v1/, /healthz and
/readyz, in one process.

The process opens one root Client before it binds (the pool sized by [storage.postgres]
max_connections) and loads the embedding model once, on a background thread. Every request to
/mcp or /api/v1/ runs with the client of its caller (auth.py's Gate): the MCP tools are the stdio
server's (mcp_server.tools_server) with a Door that hands each call that client. /healthz says
the process is alive; /readyz that the database answers, the schema is current and the model is
loaded, and lists the read replicas (each one's state and lag, its URL masked: one that is not ok
leaves the reads to the primary and does not make the server unready). Uvicorn serves the ASGI
app; TLS is a reverse proxy's job.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from vestige_client import __version__, db
from vestige_client.client import Client
from vestige_client.config import Settings
from vestige_client.deployer import deploy
from vestige_client.errors import DatabaseUnreachable, IdentityRefused, VestigeError
from vestige_client.mcp_server import tools_server
from vestige_client.server import rest
from vestige_client.server.auth import Gate, identity_of, is_loopback
from vestige_client.server.dashboard import pages as dashboard
from vestige_client.server.dashboard.session import SessionSigner
from vestige_client.server.problems import error_problem, problem
from vestige_client.tool_arguments import problems_sentence

log = logging.getLogger("vestige.serve")

MCP_PATH = "/mcp"
SHUTDOWN_GRACE = 10  # seconds open requests get to finish on SIGTERM


class HttpDoor:
    """The MCP tools' door over HTTP: each call runs with the client of the request's caller."""

    def __init__(self, backend: str) -> None:
        self._door_args: dict[str, Any] = {"backend": backend}

    @property
    def door_args(self) -> dict[str, Any]:
        """What this door supplies to the handlers that ask for it (ToolSpec.door_args)."""
        return self._door_args

    def client_for(self, context: Context[Any, Any]) -> Client:
        """The client the Gate gave the HTTP request that carries this call."""
        request = context.request_context.request
        scope = getattr(request, "scope", None)
        if scope is None:
            raise ToolError("this tool call came without its HTTP request")
        return identity_of(scope).client


class ModelWarmUp:
    """The embedding model, loaded once on a background thread; readiness reads how it went."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._done = threading.Event()
        self._error: str | None = None

    def start(self) -> None:
        """Load the model in the background."""
        threading.Thread(target=self._load, name="vestige-model", daemon=True).start()

    def _load(self) -> None:
        try:
            self._client.embedder.embed_query("warm-up")
            self._client.model_hash()  # registered (or checked) once: every caller's client shares it
        except VestigeError as exc:
            self._error = str(exc)
            log.error("the embedding model did not load: %s", exc)
        finally:
            self._done.set()

    @property
    def not_ready(self) -> str | None:
        """Why the model is not ready, or None when it is loaded."""
        if not self._done.is_set():
            return "the embedding model is still loading"
        return f"the embedding model did not load: {self._error}" if self._error else None


def readiness(root: Client, settings: Settings, plan: deploy.Plan, model: ModelWarmUp) -> list[str]:
    """What keeps the server from being ready (empty when it is): the database, the schema, the model."""
    reasons = [reason for reason in [model.not_ready] if reason]
    try:
        root.health()  # DatabaseUnreachable within [storage.postgres] connect_timeout when it is away
        with db.operator(settings, start=False) as operator:
            schema = deploy.status(operator.conn, plan)
        if schema.state != "up-to-date":
            reasons.append(f"the schema is {schema.state}: {schema.message}")
    except DatabaseUnreachable as exc:
        reasons.append(str(exc))  # "database unreachable at <host:port or socket>: ..."
    except VestigeError as exc:
        reasons.append(f"the database: {exc}")
    return reasons


def bind_refusal(settings: Settings) -> str | None:
    """Why serving on [server] host is refused (auth off on an address others reach), or None."""
    host = settings.server.host
    if settings.auth.enabled or is_loopback(host):
        return None
    return (
        f"refusing to serve on {host} with [auth] enabled = false: anyone who can reach it would act as "
        f"user {settings.user.id} (serve on 127.0.0.1, or set [auth] enabled = true and give each person "
        "an API key with `vestige key create`)"
    )


def build_app(settings: Settings, root: Client) -> ASGIApp:
    """The whole server as one ASGI app: Gate (and CORS when configured) around the routes."""
    mcp = tools_server(HttpDoor(settings.storage.backend))
    mcp_app = mcp.streamable_http_app(
        streamable_http_path=MCP_PATH,
        json_response=True,
        stateless_http=True,  # every request authenticates on its own; no session to hijack or pin
        max_request_body_size=settings.server.max_body_bytes,
        # The Gate guards the Host when auth is off; with keys, a reverse proxy's Host is fine.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    model = ModelWarmUp(root)
    plan = deploy.bundled_plan()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        model.start()
        async with mcp.session_manager.run():
            yield

    app = FastAPI(
        title="Vestige",
        version=__version__,
        summary="Long-term memory for AI assistants: the REST API (MCP is served at /mcp).",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.backend = settings.storage.backend
    app.include_router(rest.router)
    sessions = SessionSigner.from_settings(settings.server)
    app.state.dashboard = dashboard.Dashboard(root, sessions, settings)

    # Stateless: there is no session whose messages a GET event stream could carry, so GET /mcp
    # is 405, as the transport allows (clients then only POST), never a stream left open to time out.
    @app.get(MCP_PATH, include_in_schema=False)
    def no_event_stream() -> Response:
        return problem(405, "this server sends no event stream: POST MCP messages", headers={"Allow": "POST"})

    app.router.routes.extend(mcp_app.routes)
    app.include_router(dashboard.router)  # "/" and the pages; the Gate signs them in by cookie
    _add_problem_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Any:
        reasons = await anyio.to_thread.run_sync(readiness, root, settings, plan, model)
        shown: dict[str, Any] = {}
        if settings.storage.postgres.replica_urls:
            shown["replicas"] = [dataclasses.asdict(state) for state in root.replicas()]
        if reasons:
            return problem(503, "not ready: " + "; ".join(reasons), **shown)
        return {"status": "ready", **shown}

    asgi: ASGIApp = Gate(app, root, settings, sessions)
    if settings.server.cors_origins:
        asgi = CORSMiddleware(
            asgi,
            allow_origins=list(settings.server.cors_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "Mcp-Protocol-Version"],
            expose_headers=["Retry-After", "Mcp-Session-Id"],
        )
    return asgi


def _add_problem_handlers(app: FastAPI) -> None:
    """Every error a route can end in, as problem details."""

    async def vestige_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, VestigeError)
        return error_problem(exc)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [{**p, "loc": tuple(p["loc"])[1:] or ("body",)} for p in exc.errors()]
        return problem(422, problems_sentence(problems, _body_schema(request)))

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return problem(exc.status_code, str(exc.detail), headers=exc.headers)

    async def crash(request: Request, exc: Exception) -> Response:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return problem(500, f"unexpected {type(exc).__name__} (logged on the server)")

    app.add_exception_handler(VestigeError, vestige_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, crash)


def _body_schema(request: Request) -> dict[str, Any]:
    """The JSON schema of the route's request body (its error sentences read the bounds from it)."""
    field = getattr(request.scope.get("route"), "body_field", None)
    model = getattr(getattr(field, "field_info", None), "annotation", None)
    return model.model_json_schema() if isinstance(model, type) and issubclass(model, BaseModel) else {}


def serve(settings: Settings) -> None:
    """Open the database, then answer HTTP on [server] host and port until SIGINT or SIGTERM."""
    with Client.open(settings) as root:
        if settings.auth.enabled and not root.is_service_session():
            raise IdentityRefused(
                "this login may not act for the users of API keys: it is not a member of vestige_service "
                "(or it is bound to one user)",
                hint="as the DBA: GRANT vestige_service TO <the login of [storage.postgres] url>, "
                "and do not bind that login with `vestige user bind`",
            )
        auth = "API keys" if settings.auth.enabled else f"no auth: every request runs as {settings.user.id}"
        url = f"http://{settings.server.host}:{settings.server.port}"
        print(f"vestige serve: {url}/mcp (MCP) and {url}/api/v1/ (REST); {auth}", file=sys.stderr)
        config = uvicorn.Config(
            build_app(settings, root),
            host=settings.server.host,
            port=settings.server.port,
            log_config=None,  # the [log] settings apply (mcp_server.configure_logging)
            access_log=False,  # the Gate logs each request with its key's id
            server_header=False,
            timeout_graceful_shutdown=SHUTDOWN_GRACE,
        )
        uvicorn.Server(config).run()

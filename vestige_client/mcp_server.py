"""`vestige-mcp`: the memory server for assistants, over MCP on stdio.

The server answers `initialize` and `tools/list` at once; the database (the embedded server is
started and deployed on first use) and the embedding model warm up on a background thread, and
a tool call waits for them up to STARTUP_WAIT seconds. The tools are the transport-agnostic
handlers of `vestige_client.tools`; this module only registers them: the JSON schema comes from a
handler's signature without its client, a VestigeError becomes a tool error with its message, an
invalid argument one sentence (`tool_arguments`), and a ToolResult a CallToolResult. A tool asks its
Door for the client of each call: here the Runtime's one client; `vestige serve` (HTTP) gives the
caller's own.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import logging
import sys
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import ValidationError

from vestige_client import __version__, config
from vestige_client.client import Client
from vestige_client.embed import resolve_embedder
from vestige_client.errors import ConfigError, VestigeError
from vestige_client.tool_arguments import argument_error, describe
from vestige_client.tools import TOOLS, ToolResult, ToolSpec

log = logging.getLogger("vestige.mcp")
Lifespan = Callable[[MCPServer[None]], AbstractAsyncContextManager[None]]

STARTUP_WAIT = 60.0  # seconds a tool call waits for the database and the model

INSTRUCTIONS = """\
Vestige is your long-term memory. It keeps facts, decisions and patterns across conversations,
recalls them by meaning and by exact words, strengthens what you use and lets the rest fade.

- At the start of a task, call `search` with what the task is about (and `codebase` when you work
  in one) before asking the user for context you may already have.
- When you learn something worth keeping (a preference, a decision and why, a pattern, a fact
  about the project), store it with `smart_ingest`; at the end of a task, send what you learned
  as one batch (`items`). Similar memories are reinforced or updated instead of duplicated, and a
  contradicted one is superseded, so just say what is true now.
- Use `codebase` for patterns and decisions of a code base, `intention` for things to do later or
  when a topic comes up (check them with the current context), `review` when you checked a memory
  against reality, and `memory` to read, correct, share or delete one memory by id.
"""


class Door(Protocol):
    """What a transport supplies to the tools: the client of a call, and the handlers' door_args."""

    @property
    def door_args(self) -> dict[str, Any]:
        """What this door supplies to the handlers that ask for it (ToolSpec.door_args)."""
        ...

    def client_for(self, context: Context[Any, Any]) -> Client:
        """The client a tool call runs with."""
        ...


class Runtime:
    """The client, opened on a background thread so the handshake never waits for it (stdio's Door)."""

    def __init__(self, settings: config.Settings, client: Client | None = None) -> None:
        self.settings = settings
        self._ready = threading.Event()
        self._client = client
        self._retry = threading.Lock()
        if client is not None:
            self._ready.set()

    @property
    def door_args(self) -> dict[str, Any]:
        """What this door supplies to the handlers that ask for it (ToolSpec.door_args)."""
        return {"backend": self.settings.storage.backend}

    def start(self) -> None:
        """Open the database and load the model in the background (unless a client was given)."""
        if self._ready.is_set():
            return
        threading.Thread(target=self._warm, name="vestige-warm-up", daemon=True).start()

    def _warm(self) -> None:
        # The model loads while the database opens (a first embedded start runs initdb meanwhile);
        # Client.open resolves the same embedder object.
        loading = threading.Thread(target=self._load_model, name="vestige-model", daemon=True)
        loading.start()
        try:
            client = Client.open(self.settings)
        except Exception as exc:
            log.error("start-up failed (retried at the next tool call): %s", exc)
            self._ready.set()
            return
        loading.join()
        self._client = client
        self._ready.set()
        log.info("ready: user %s, model %s", client.user_id, client.embedder.name)

    def _load_model(self) -> None:
        try:
            embedding = self.settings.embedding
            resolve_embedder(embedding.model, embedding).embed_query("warm-up")  # loads the model
        except Exception as exc:
            # Tools that do not embed still work; those that do report the error themselves.
            log.error("the embedding model did not load: %s", exc)

    def client(self) -> Client:
        """The open client, waiting for the warm-up up to STARTUP_WAIT seconds; a failed start is retried."""
        if not self._ready.wait(STARTUP_WAIT):
            raise ToolError(
                "Vestige is still starting (database and embedding model); try again in a few seconds"
            )
        with self._retry:
            if self._client is None:
                try:
                    self._client = Client.open(self.settings)
                except VestigeError as exc:
                    raise ToolError(f"Vestige could not start: {exc}") from exc
        return self._client

    def client_for(self, context: Context[Any, Any]) -> Client:
        """Every call of the stdio server runs with the one client."""
        return self.client()

    def close(self) -> None:
        """Close the client if it was opened."""
        if self._client is not None:
            self._client.close()


class VestigeTool(Tool):
    """An SDK tool whose failures read as one sentence: the handler's message, or the invalid argument.

    The SDK validates the arguments in `Tool.run` and raises a ToolError carrying pydantic's
    multi-line text (with a URL); it has no hook to format that error, and middleware or an
    extension's interceptor only see the finished text. So this subclass, registered through the
    public `MCPServer(tools=...)`, rewrites a ToolError whose cause is the ValidationError into one
    sentence built from the tool's published schema, and drops the SDK's `Error executing tool`
    prefix from the handler's own errors. Crashes (UnexpectedToolError) pass unchanged.
    """

    async def run(
        self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False
    ) -> Any:
        try:
            return await super().run(arguments, context, convert_result)
        except UnexpectedToolError:
            raise
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                raise ToolError(argument_error(cause, self.parameters)) from cause
            if type(cause) is ToolError:
                raise ToolError(str(cause)) from cause
            raise


def to_call_tool_result(result: ToolResult) -> CallToolResult:
    """A tool result with human-readable text and the same data as structured content."""
    return CallToolResult(
        content=[TextContent(type="text", text=result.text)], structured_content=result.structured()
    )


def mcp_tool(spec: ToolSpec, door: Door) -> Tool:
    """The SDK tool for a handler: its signature without the client and the door's arguments."""
    signature = inspect.signature(spec.handler, eval_str=True)
    published = [p for name, p in list(signature.parameters.items())[1:] if name not in spec.door_args]
    supplied = {name: door.door_args[name] for name in spec.door_args}

    # The SDK passes its Context to the parameter annotated with it (not published in the schema).
    def call(mcp_context: Context[Any, Any], **arguments: Any) -> CallToolResult:
        client = door.client_for(mcp_context)
        try:
            return to_call_tool_result(spec.handler(client, **arguments, **supplied))
        except VestigeError as exc:
            raise ToolError(str(exc)) from exc

    call.__name__ = spec.name
    call.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=published, return_annotation=CallToolResult
    )
    annotations = ToolAnnotations(
        title=spec.title, read_only_hint=spec.read_only, destructive_hint=spec.destructive
    )
    return VestigeTool.from_function(
        call, name=spec.name, description=describe(spec.handler.__doc__), annotations=annotations
    )


class VestigeServer(MCPServer[None]):
    """The SDK's server, but an unknown tool's name is quoted (repr): its refusal stays one line.

    The SDK answers `Unknown tool: <name>` with the name as sent, so a name holding a line break
    made a refusal of several lines.
    """

    TOOL_NAMES = frozenset(spec.name for spec in TOOLS)

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[None, Any] | None = None
    ) -> Any:
        if name not in self.TOOL_NAMES:
            raise ToolError(f"unknown tool {name!r}: the tools are {', '.join(sorted(self.TOOL_NAMES))}")
        return await super().call_tool(name, arguments, context)


def tools_server(door: Door, lifespan: Lifespan | None = None) -> MCPServer[None]:
    """The MCP server with every tool, each call running with the client the door gives."""
    tools: list[Tool] = [mcp_tool(spec, door) for spec in TOOLS]
    return VestigeServer(
        name="vestige", version=__version__, instructions=INSTRUCTIONS, lifespan=lifespan, tools=tools
    )


def build_server(settings: config.Settings, runtime: Runtime | None = None) -> MCPServer[None]:
    """The stdio server: every tool over one Runtime (opened by the server's lifespan)."""
    runtime = runtime or Runtime(settings)

    @asynccontextmanager
    async def lifespan(_: MCPServer[None]) -> AsyncIterator[None]:
        runtime.start()
        try:
            yield None
        finally:
            runtime.close()

    return tools_server(runtime, lifespan)


def configure_logging(settings: config.Settings) -> None:
    """Log as [log] says: its level, to its file or to standard error."""
    try:
        handler: logging.Handler = (
            logging.FileHandler(settings.log.file) if settings.log.file else logging.StreamHandler(sys.stderr)
        )
    except OSError as exc:
        raise ConfigError(f"cannot open [log] file {settings.log.file}: {exc.strerror}") from exc
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log.level.upper(), handlers=[handler], force=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `vestige-mcp` console script."""
    parser = argparse.ArgumentParser(
        prog="vestige-mcp", description="Vestige memory server for MCP clients (stdio)."
    )
    parser.add_argument("--config", type=Path, help="the vestige.toml to read")
    parser.add_argument("--data-dir", type=Path, help="the embedded PostgreSQL's data directory")
    parser.add_argument(
        "--check-config", action="store_true", help="check the configuration and the database, then exit"
    )
    args = parser.parse_args(argv)
    try:
        settings = config.load_settings(args.config)
        if args.data_dir is not None:
            embedded = dataclasses.replace(
                settings.storage.embedded, data_dir=args.data_dir.expanduser().resolve()
            )
            settings = dataclasses.replace(
                settings, storage=dataclasses.replace(settings.storage, embedded=embedded)
            )
        configure_logging(settings)
        if args.check_config:
            with Client.open(settings) as client:
                client.check_identity()
                health = client.health()
            print(
                f"configuration ok ({settings.source or 'defaults'}); database {health.status}",
                file=sys.stderr,
            )
            return 0
    except VestigeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    build_server(settings).run("stdio")
    return 0


if __name__ == "__main__":
    sys.exit(main())

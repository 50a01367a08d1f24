"""`vestige-mcp`: the memory server for assistants, over MCP on stdio.

The server answers `initialize` and `tools/list` at once; the database (the embedded server is
started and deployed on first use) and the embedding model warm up on a background thread, and
a tool call waits for them up to STARTUP_WAIT seconds. Each tool is a thin wrapper: parse (the
JSON schema comes from the signature), call the client, render text plus structured content.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import logging
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from vestige_client import __version__, config
from vestige_client.client import Client, NewMemory, SearchFilters
from vestige_client.errors import ConfigError, NotFound, VestigeError
from vestige_client.models import RecallHit, jsonable

log = logging.getLogger("vestige.mcp")

STARTUP_WAIT = 60.0  # seconds a tool call waits for the database and the model
MAX_CONTENT = 1_048_576  # characters; the database refuses more than 1 MiB anyway
MAX_BATCH = 20
DETAIL_CHARS = {"brief": 120, "summary": 500}  # "full" is the whole content
ASSOCIATIONS = 3

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

Content = Annotated[str, Field(min_length=1, max_length=MAX_CONTENT, description="The text of the memory.")]
Tags = Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=32)]
MemoryId = Annotated[uuid.UUID, Field(description="A memory id, as returned by search or smart_ingest.")]


class IngestItem(BaseModel):
    """One memory of a smart_ingest batch."""

    content: Content
    node_type: Annotated[str, Field(max_length=64)] = "fact"
    tags: Tags = Field(default_factory=list)
    source: Annotated[str | None, Field(max_length=1024)] = None
    codebase: Annotated[str | None, Field(max_length=256)] = None


P = ParamSpec("P")
R = TypeVar("R")


def _tool_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a VestigeError into a tool error whose text says what to do."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except VestigeError as exc:
            raise ToolError(str(exc)) from exc

    return wrapper


class Runtime:
    """The client, opened on a background thread so the handshake never waits for it."""

    def __init__(self, settings: config.Settings) -> None:
        self.settings = settings
        self._ready = threading.Event()
        self._client: Client | None = None
        self._retry = threading.Lock()

    def start(self) -> None:
        """Open the database and load the model in the background."""
        threading.Thread(target=self._warm, name="vestige-warm-up", daemon=True).start()

    def _warm(self) -> None:
        try:
            client = Client.open(self.settings)
        except Exception as exc:
            log.error("start-up failed (retried at the next tool call): %s", exc)
            self._ready.set()
            return
        try:
            client.embedder.embed_query("warm-up")  # loads the model
        except Exception as exc:
            # Tools that do not embed still work; those that do report the error themselves.
            log.error("the embedding model did not load: %s", exc)
        finally:
            self._client = client
            self._ready.set()
        log.info("ready: user %s, model %s", client.user_id, client.embedder.name)

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

    def close(self) -> None:
        """Close the client if it was opened."""
        if self._client is not None:
            self._client.close()


# --- rendering ----------------------------------------------------------------------------------


def result(text: str, structured: dict[str, Any]) -> CallToolResult:
    """A tool result with human-readable text and the same data as structured content."""
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=jsonable(structured)
    )


def at_detail(content: str, detail_level: str) -> str:
    """The content shortened for a detail level, at a word boundary, marked with an ellipsis."""
    limit = DETAIL_CHARS.get(detail_level)
    if detail_level == "brief":
        content = content.strip().splitlines()[0] if content.strip() else content
    if limit is None or len(content) <= limit:
        return content
    cut = content[:limit].rsplit(" ", 1)[0] or content[:limit]
    return cut.rstrip() + "…"


def tokens(item: Any) -> int:
    """Estimated tokens of an item as sent: characters of its JSON / 4, rounded up."""
    return -(-len(json.dumps(jsonable(item), ensure_ascii=False)) // 4)


def within_budget(items: Sequence[dict[str, Any]], budget: int | None) -> tuple[list[dict[str, Any]], int]:
    """The leading items that fit the token budget (whole items only), and how many were left out."""
    if budget is None:
        return list(items), 0
    kept: list[dict[str, Any]] = []
    used = 0
    for item in items:
        used += tokens(item)
        if used > budget:
            break
        kept.append(item)
    return kept, len(items) - len(kept)


def hit_view(hit: RecallHit, detail_level: str) -> dict[str, Any]:
    """One search result as the assistant sees it."""
    view = jsonable(hit)
    view["content"] = at_detail(hit.content, detail_level)
    if detail_level == "brief":
        for key in ("relevance", "importance", "recency", "fused_score", "fts_rank", "vector_rank"):
            view.pop(key)
    return dict(view)


def _line(view: dict[str, Any]) -> str:
    extras = [f"id {view['id']}"]
    if "score" in view:
        extras.append(f"score {view['score']:.3f}")
    if view.get("tags"):
        extras.append("tags " + ", ".join(view["tags"]))
    if view.get("codebase"):
        extras.append(f"codebase {view['codebase']}")
    return f"[{view['node_type']}] {view['content']} ({'; '.join(extras)})"


# --- the server ---------------------------------------------------------------------------------


def build_server(settings: config.Settings) -> MCPServer[None]:
    """The MCP server with every tool, over one Runtime."""
    runtime = Runtime(settings)

    @asynccontextmanager
    async def lifespan(_: MCPServer[None]) -> AsyncIterator[None]:
        runtime.start()
        try:
            yield None
        finally:
            runtime.close()

    server: MCPServer[None] = MCPServer(
        name="vestige", version=__version__, instructions=INSTRUCTIONS, lifespan=lifespan
    )

    @server.tool(
        annotations=ToolAnnotations(title="Search memory", read_only_hint=False, destructive_hint=False)
    )
    @_tool_errors
    def search(
        query: Annotated[
            str, Field(min_length=1, max_length=10_000, description="What to recall: words or a question.")
        ],
        limit: Annotated[int, Field(ge=1, le=50)] = 10,
        node_types: Annotated[
            list[str] | None, Field(description="Only these types (fact, decision, ...).")
        ] = None,
        tags: Annotated[list[str] | None, Field(description="Only memories with one of these tags.")] = None,
        codebase: Annotated[str | None, Field(description="Only memories of this codebase.")] = None,
        min_retention: Annotated[float | None, Field(ge=0, le=1)] = None,
        detail_level: Literal["brief", "summary", "full"] = "summary",
        token_budget: Annotated[int | None, Field(ge=50, le=200_000, description="Trim to ~tokens.")] = None,
    ) -> CallToolResult:
        """Recall memories by meaning and by exact words, ranked by relevance, importance and recency.

        Recalling strengthens your own memories (the testing effect). Up to 3 associated
        memories of the top hit are added. Use it at the start of a task and whenever you need
        context you may have stored before.
        """
        client = runtime.client()
        filters = SearchFilters(
            tags=tags, node_types=node_types, codebase=codebase, min_retention=min_retention
        )
        hits = client.recall(query, filters, limit=limit)
        views = [hit_view(hit, detail_level) for hit in hits]
        associations: list[dict[str, Any]] = []
        if hits:
            seen = {hit.id for hit in hits}
            for near in client.neighbors(hits[0].id, depth=2, limit=ASSOCIATIONS + len(seen)):
                if near.id not in seen and len(associations) < ASSOCIATIONS:
                    view = jsonable(near)
                    view["content"] = at_detail(near.content, detail_level)
                    associations.append(view)
        kept, omitted = within_budget([*views, *associations], token_budget)
        results, kept_associations = kept[: len(views)], kept[len(views) :]
        lines = [f"{i}. {_line(v)}" for i, v in enumerate(results, start=1)] or ["No memories found."]
        if kept_associations:
            lines.append("Associated with the top hit:")
            lines += [f"- [{a['node_type']}] {a['content']} (id {a['id']})" for a in kept_associations]
        if omitted:
            lines.append(f"({omitted} more left out to stay within the token budget)")
        structured = {"results": results, "associations": kept_associations, "omitted": omitted}
        return result("\n".join(lines), structured)

    @server.tool(
        annotations=ToolAnnotations(title="Store memories", read_only_hint=False, destructive_hint=False)
    )
    @_tool_errors
    def smart_ingest(
        content: Annotated[str | None, Field(min_length=1, max_length=MAX_CONTENT)] = None,
        node_type: Annotated[str, Field(max_length=64)] = "fact",
        tags: Tags | None = None,
        source: Annotated[str | None, Field(max_length=1024)] = None,
        codebase: Annotated[str | None, Field(max_length=256)] = None,
        force_create: bool = False,
        items: Annotated[list[IngestItem] | None, Field(min_length=1, max_length=MAX_BATCH)] = None,
        batch_merge_policy: Literal["smart", "force_create"] = "smart",
    ) -> CallToolResult:
        """Store what you learned: one memory (content) or a batch (items, at most 20).

        Each memory is compared with the closest ones you can see: a near duplicate reinforces
        the existing memory, a close one updates it (a dated [Updated] section), a contradicted
        or faded one is superseded, anything else is created. force_create (or
        batch_merge_policy force_create) always creates. The memories of one batch are linked
        in order. Returns the decision, similarity and id for each memory.
        """
        if (content is None) == (items is None):
            raise ToolError("give either content (one memory) or items (a batch), not both or neither")
        batch = (
            [
                IngestItem(
                    content=content, node_type=node_type, tags=tags or [], source=source, codebase=codebase
                )
            ]
            if content is not None
            else list(items or [])
        )
        force = force_create if content is not None else batch_merge_policy == "force_create"
        memories = [NewMemory(**item.model_dump()) for item in batch]
        outcomes = runtime.client().ingest(memories, force_create=force)
        lines = [
            f"{i}. {o.decision} {o.id}"
            + (f" (similarity {o.similarity:.2f})" if o.similarity is not None else "")
            for i, o in enumerate(outcomes, start=1)
        ]
        return result("\n".join(lines), {"results": outcomes})

    @server.tool(annotations=ToolAnnotations(title="One memory", read_only_hint=False, destructive_hint=True))
    @_tool_errors
    def memory(
        action: Literal["get", "get_batch", "edit", "delete", "promote", "demote", "state", "share"],
        id: MemoryId | None = None,
        ids: Annotated[list[uuid.UUID] | None, Field(min_length=1, max_length=100)] = None,
        content: Annotated[str | None, Field(min_length=1, max_length=MAX_CONTENT)] = None,
        visibility: Literal["private", "group", "public"] | None = None,
        groups: list[uuid.UUID] | None = None,
        reason: Annotated[str | None, Field(max_length=1000)] = None,
        confirm: bool = False,
    ) -> CallToolResult:
        """Read, correct, strengthen, weaken, share or delete memories by id.

        get / state (strengths, retention and review schedule) / promote (it proved useful) /
        demote (it was wrong or unhelpful) / delete (needs confirm: true) / edit (new content;
        the review schedule is kept) / share (visibility private, group with groups, or public)
        take id; get_batch takes ids. reason is logged.
        """
        client = runtime.client()
        if action == "get_batch":
            if not ids:
                raise ToolError("get_batch needs ids")
            found, missing = [], []
            for memory_id in ids:
                try:
                    found.append(client.get_memory(memory_id))
                except NotFound:
                    missing.append(memory_id)
            text = "\n".join(_line(jsonable(m)) for m in found) or "None of these memories is visible to you."
            return result(text, {"memories": found, "not_found": missing})
        if id is None:
            raise ToolError(f"{action} needs id")
        if reason:
            log.info("memory %s %s: %s", action, id, reason)
        if action == "get":
            found_memory = client.get_memory(id)
            return result(_line(jsonable(found_memory)), {"memory": found_memory})
        if action == "state":
            mem, sched = client.get_memory(id), client.get_scheduling(id)
            text = (
                f"retention {mem.retention:.2f}, retrieval {mem.retrieval_strength:.2f}, "
                f"storage {mem.storage_strength:.2f}, recalled {mem.access_count} times; "
                f"FSRS {sched.state}, next review {jsonable(sched.next_review)}"
            )
            return result(text, {"memory": mem, "scheduling": sched})
        if action in ("promote", "demote"):
            strengths = client.promote_memory(id) if action == "promote" else client.demote_memory(id)
            return result(
                f"{action}d {id}: retrieval strength {strengths.retrieval_strength:.2f}",
                {"strengths": strengths},
            )
        if action == "edit":
            if content is None:
                raise ToolError("edit needs content")
            client.update_memory(id, content=content)
            return result(f"edited {id}", {"id": id, "edited": True})
        if action == "delete":
            if not confirm:
                raise ToolError("delete is permanent: call again with confirm: true")
            client.delete_memory(id)
            return result(f"deleted {id}", {"id": id, "deleted": True})
        if visibility is None:
            raise ToolError("share needs visibility (private, group or public)")
        client.share_memory(id, visibility, groups or [])
        return result(
            f"{id} is now {visibility}", {"id": id, "visibility": visibility, "groups": groups or []}
        )

    @server.tool(
        annotations=ToolAnnotations(title="Codebase memory", read_only_hint=False, destructive_hint=False)
    )
    @_tool_errors
    def codebase(
        action: Literal["remember_pattern", "remember_decision", "get_context"],
        codebase: Annotated[str, Field(min_length=1, max_length=256, description="The codebase's name.")],
        name: Annotated[str | None, Field(max_length=256)] = None,
        description: Annotated[str | None, Field(max_length=MAX_CONTENT)] = None,
        decision: Annotated[str | None, Field(max_length=MAX_CONTENT)] = None,
        rationale: Annotated[str | None, Field(max_length=MAX_CONTENT)] = None,
        alternatives: list[str] | None = None,
        files: list[str] | None = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> CallToolResult:
        """Remember the patterns and decisions of a codebase, and get them back as context.

        remember_pattern takes name and description (and files); remember_decision takes
        decision and rationale (and alternatives, files); get_context lists the newest patterns
        and decisions of the codebase.
        """
        client = runtime.client()
        if action == "get_context":
            listed = client.list_memories(codebase=codebase, node_types=["pattern", "decision"], limit=limit)
            text = (
                "\n".join(_line(jsonable(m)) for m in listed) or f"Nothing remembered about {codebase} yet."
            )
            return result(text, {"codebase": codebase, "memories": listed})
        if action == "remember_pattern":
            if not name or not description:
                raise ToolError("remember_pattern needs name and description")
            text = f"Pattern: {name}\n{description}"
            node_type = "pattern"
        else:
            if not decision or not rationale:
                raise ToolError("remember_decision needs decision and rationale")
            text = f"Decision: {decision}\nRationale: {rationale}"
            if alternatives:
                text += "\nAlternatives considered: " + "; ".join(alternatives)
            node_type = "decision"
        if files:
            text += "\nFiles: " + ", ".join(files)
        item = NewMemory(text, node_type=node_type, tags=[node_type], codebase=codebase)
        outcome = client.ingest([item])[0]
        return result(f"{outcome.decision} {outcome.id}", {"result": outcome})

    @server.tool(
        annotations=ToolAnnotations(title="Intentions", read_only_hint=False, destructive_hint=False)
    )
    @_tool_errors
    def intention(
        action: Literal["set", "check", "update", "list"],
        content: Annotated[str | None, Field(min_length=1, max_length=10_000)] = None,
        trigger_type: Literal["manual", "time", "context", "event"] | None = None,
        trigger_data: dict[str, Any] | None = None,
        priority: Annotated[int | None, Field(ge=1, le=4)] = None,
        deadline: datetime | None = None,
        context: Annotated[str | None, Field(max_length=10_000)] = None,
        id: uuid.UUID | None = None,
        status: Literal["active", "triggered", "fulfilled", "cancelled", "snoozed", "expired"] | None = None,
        snoozed_until: datetime | None = None,
        tags: Tags | None = None,
    ) -> CallToolResult:
        """Remember to do something later or when a topic comes up, and check what is due.

        set: content, trigger_type (time with trigger_data.at, context with
        trigger_data.keywords, event with trigger_data.event, or manual), priority 1-4, deadline.
        check: pass the current context (what the user is talking about); returns the
        intentions that fire now. update: id plus status (fulfilled when done, cancelled, snoozed
        with snoozed_until, active) or new fields. list: your intentions.
        """
        client = runtime.client()
        if action == "set":
            if content is None:
                raise ToolError("set needs content")
            new_id = client.set_intention(
                content,
                trigger_type=trigger_type or "manual",
                trigger_data=trigger_data,
                priority=priority or 2,
                deadline=deadline,
                tags=tags or [],
            )
            return result(f"intention {new_id} set", {"id": new_id})
        if action == "check":
            fired = client.check_intentions(context)
            text = "\n".join(f"[{i.reason}, priority {i.priority}] {i.content} (id {i.id})" for i in fired)
            return result(text or "Nothing due.", {"intentions": fired})
        if action == "update":
            if id is None:
                raise ToolError("update needs id")
            client.update_intention(
                id,
                status=status,
                content=content,
                priority=priority,
                deadline=deadline,
                snoozed_until=snoozed_until,
                trigger_type=trigger_type,
                trigger_data=trigger_data,
                tags=tags,
            )
            return result(f"intention {id} updated", {"id": id})
        listed = client.list_intentions()
        text = "\n".join(f"[{i.status}, priority {i.priority}] {i.content} (id {i.id})" for i in listed)
        return result(text or "No intentions.", {"intentions": listed})

    @server.tool(annotations=ToolAnnotations(title="Memory status", read_only_hint=True))
    @_tool_errors
    def memory_status(view: Literal["health", "retention", "due", "timeline"] = "health") -> CallToolResult:
        """How your memory is doing: health (counts, model, backend), retention, due reviews, timeline."""
        client = runtime.client()
        if view == "health":
            health, stats = client.health(), client.stats()
            data = {"health": health, "stats": stats, "backend": settings.storage.backend}
            text = (
                f"{health.status}: {stats.total} memories visible ({stats.own} yours), model "
                f"{health.model_name or 'none yet'}, {settings.storage.backend} PostgreSQL "
                f"{health.postgres_version}"
            )
            return result(text, data)
        if view == "retention":
            stats = client.stats()
            data = {"avg_retention": stats.avg_retention, "retention_histogram": stats.retention_histogram}
            return result(json.dumps(jsonable(data)), data)
        if view == "due":
            due = client.due_memories()
            text = "\n".join(f"{jsonable(d.next_review)} {d.content} (id {d.memory_id})" for d in due)
            return result(text or "Nothing is due for review.", {"due": due})
        days = client.memory_timeline()
        text = "\n".join(f"{d.day}: {d.memories}" for d in days)
        return result(text or "No memories in the last 30 days.", {"timeline": days})

    @server.tool(annotations=ToolAnnotations(title="Memory graph", read_only_hint=True))
    @_tool_errors
    def graph(memory_id: MemoryId, depth: Annotated[int, Field(ge=1, le=5)] = 2) -> CallToolResult:
        """The memories linked to one: neighbours by spreading activation, and its edges with their types."""
        client = runtime.client()
        neighbors, edges = client.neighbors(memory_id, depth=depth), client.edges_of(memory_id)
        lines = [
            f"[{n.node_type}] {n.content} (id {n.id}, hops {n.hops}, activation {n.activation:.2f})"
            for n in neighbors
        ]
        lines += [f"{e.direction} {e.edge_type} {e.other_id} (weight {e.weight:.2f})" for e in edges]
        return result("\n".join(lines) or "No linked memories.", {"neighbors": neighbors, "edges": edges})

    @server.tool(
        annotations=ToolAnnotations(title="Review a memory", read_only_hint=False, destructive_hint=False)
    )
    @_tool_errors
    def review(
        memory_id: MemoryId,
        rating: Annotated[int, Field(ge=1, le=4, description="1 again, 2 hard, 3 good, 4 easy.")],
    ) -> CallToolResult:
        """Record how well one of your memories held up (FSRS-6); returns when it is due next."""
        outcome = runtime.client().review(memory_id, rating)
        return result(f"next review {jsonable(outcome.next_review)} ({outcome.state})", {"review": outcome})

    return server


def _configure_logging(settings: config.Settings) -> None:
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
        _configure_logging(settings)
        if args.check_config:
            with Client.open(settings) as client:
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

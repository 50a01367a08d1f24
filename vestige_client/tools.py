"""The memory tools, independent of any transport: one handler per tool and per action, with their
renderers beside them.

A handler takes a Client and plain typed arguments and returns a ToolResult: text for a reader
and the same data for a machine. It raises VestigeError (InvalidInput, VS006, for an argument an
action needs and did not get). The parameters are `Annotated` with pydantic `Field`s carrying the
bounds and the description an assistant reads, so a door that builds its schema from the
signature (the MCP server today, an HTTP door later) publishes and checks the same contract.
TOOLS lists the tool-level handlers; a door supplies their `door_args` itself (never the caller).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, Field

from vestige_client.client import Client, NewMemory, SearchFilters, redaction_note
from vestige_client.errors import InvalidInput, NotFound
from vestige_client.models import Ingested, Intention, Neighbor, RecallHit, jsonable

log = logging.getLogger("vestige.tools")

MAX_BATCH = 20  # memories per smart_ingest call
DETAIL_CHARS = {"brief": 120, "summary": 500}  # "full" is the whole content
ASSOCIATIONS = 3  # associated memories of the top search hit
TEXT = "at most 1 MiB of UTF-8 text"  # the rule itself is vestige.check_content, in bytes

T = TypeVar("T")


@dataclass(frozen=True)
class ToolResult:
    """What a tool answers: text for a reader, and the same data for a machine."""

    text: str
    data: dict[str, Any]

    def structured(self) -> dict[str, Any]:
        """The data as JSON values (SQL column names, ISO-8601 UTC times)."""
        return dict(jsonable(self.data))


@dataclass(frozen=True)
class ToolSpec:
    """A tool as a door publishes it: name, handler, title and hints, and the arguments the door supplies."""

    name: str
    handler: Callable[..., ToolResult]
    title: str
    read_only: bool
    destructive: bool | None = None
    door_args: tuple[str, ...] = ()


def _required(value: T | None, field: str, action: str, hint: str | None = None) -> T:
    """The value an action needs, or InvalidInput naming the field."""
    if value is None or value == "":
        raise InvalidInput(f"{field} is required for {action}", hint=hint)
    return value


# --- parameters ---------------------------------------------------------------------------------

MemoryId = Annotated[uuid.UUID, Field(description="The memory's id, as returned by search or smart_ingest.")]
# vestige.check_tags is the rule (every door applies it); the schema advertises the same numbers,
# which tests/test_mcp.py checks against SQL.
Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=r"\S")]
Tags = Annotated[list[Tag], Field(max_length=32)]
NodeType = Annotated[
    str,
    Field(
        max_length=64,
        description="The kind of memory: fact (default), concept, event, person, place, note, pattern, "
        "decision or reflection; any short word of at most 64 characters.",
    ),
]
Source = Annotated[
    str | None,
    Field(
        max_length=1024,
        description="Where it comes from (a URL, a file, a conversation); at most 1024 characters.",
    ),
]
CodebaseName = Annotated[
    str | None, Field(max_length=256, description="The codebase it belongs to (e.g. the repository's name).")
]
TAGS = "Labels to filter searches by: at most 32, each 1 to 64 characters."
MemoryTags = Annotated[Tags | None, Field(description=TAGS)]
# The event time (knowledge_nodes.valid_from): a zone is required, a time without one is ambiguous.
EventTime = Annotated[
    AwareDatetime | None,
    Field(description="When it happened, if not now (ISO 8601 with a time zone, e.g. 2023-05-08T13:56:00Z)."),
]


class IngestItem(BaseModel):
    """One memory of a smart_ingest batch."""

    content: Annotated[str, Field(description=f"The text of the memory (required), {TEXT}.")]
    node_type: NodeType = "fact"
    tags: Annotated[Tags, Field(description=TAGS)] = Field(default_factory=list)
    source: Source = None
    codebase: CodebaseName = None
    valid_from: EventTime = None

    def memory(self) -> NewMemory:
        """The memory to store."""
        return NewMemory(**self.model_dump())


# --- rendering ----------------------------------------------------------------------------------


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


def memory_line(view: dict[str, Any]) -> str:
    """One memory on one line: type, content, id, score, tags and codebase."""
    extras = [f"id {view['id']}"]
    if "score" in view:
        extras.append(f"score {view['score']:.3f}")
    if view.get("tags"):
        extras.append("tags " + ", ".join(view["tags"]))
    if view.get("codebase"):
        extras.append(f"codebase {view['codebase']}")
    return f"[{view['node_type']}] {view['content']} ({'; '.join(extras)})"


def memory_lines(rows: Sequence[Any], empty: str) -> str:
    """Rows of memories, one per line, or the empty message."""
    return "\n".join(memory_line(jsonable(row)) for row in rows) or empty


# --- search -------------------------------------------------------------------------------------

Query = Annotated[
    str,
    Field(
        max_length=10_000,
        description="What to recall (required, not blank): words, a question, or what the task is about.",
    ),
]
SearchLimit = Annotated[
    int, Field(ge=1, le=50, description="How many memories to return, 1 to 50 (default 10).")
]
NodeTypes = Annotated[
    list[str] | None,
    Field(description='Only memories of these types, e.g. ["decision", "pattern"]; omit for every type.'),
]
FilterTags = Annotated[
    list[str] | None, Field(description="Only memories with at least one of these tags; omit for any tags.")
]
FilterCodebase = Annotated[
    str | None,
    Field(description="Only memories of this codebase (the name given when storing); omit for all."),
]
MinRetention = Annotated[
    float | None,
    Field(
        ge=0,
        le=1,
        description="Only memories whose retention now (0 faded, 1 fresh) is at least this; omit for any.",
    ),
]
CreatedAfter = Annotated[
    datetime | None,
    Field(
        description="Only memories stored at or after this time (ISO 8601, e.g. 2030-01-01T00:00:00Z); "
        "omit for no lower bound."
    ),
]
CreatedBefore = Annotated[
    datetime | None,
    Field(description="Only memories stored before this time (ISO 8601); omit for no upper bound."),
]
IncludeSuperseded = Annotated[
    bool,
    Field(description="Also return memories a newer one superseded (corrected or replaced); default false."),
]
VisibilityKind = Literal["private", "group", "public"]  # the values SQL accepts (check_sharing)
FilterVisibility = Annotated[
    VisibilityKind | None,
    Field(
        description="Only that kind of the memories you can see: private (yours alone), group (shared with "
        "a group of yours) or public; omit for all.",
    ),
]
DetailLevel = Annotated[
    Literal["brief", "summary", "full"],
    Field(
        description="How much of each memory to return: brief (its first line, without the score's parts), "
        "summary (up to 500 characters; the default) or full (the whole text).",
    ),
]
TokenBudget = Annotated[
    int | None,
    Field(
        ge=50,
        le=200_000,
        description="Return only the whole results that fit in about this many tokens (JSON characters / 4), "
        "50 to 200000; omit for no budget.",
    ),
]


def search(
    client: Client,
    query: Query,
    limit: SearchLimit = 10,
    node_types: NodeTypes = None,
    tags: FilterTags = None,
    codebase: FilterCodebase = None,
    min_retention: MinRetention = None,
    created_after: CreatedAfter = None,
    created_before: CreatedBefore = None,
    include_superseded: IncludeSuperseded = False,
    visibility: FilterVisibility = None,
    detail_level: DetailLevel = "summary",
    token_budget: TokenBudget = None,
) -> ToolResult:
    """Recall memories by meaning and by exact words, ranked by relevance, importance and recency.

    A result's score, 0 to 1, is 0.5 relevance (the match of words and meaning, relative to the
    best match) + 0.3 importance (its retention strength) + 0.2 recency (how recently it
    happened). Recalling strengthens your own memories (the testing effect). Up to 3 associated
    memories of the top hit are added. Use it at the start of a task and whenever you need
    context you may have stored before.
    """
    filters = SearchFilters(
        tags=tags, node_types=node_types, codebase=codebase, min_retention=min_retention,
        created_after=created_after, created_before=created_before, include_superseded=include_superseded,
        visibility=visibility,
    )  # fmt: skip
    hits, near = client.recall_with_associations(query, filters, limit=limit, associations=ASSOCIATIONS)
    views = [hit_view(hit, detail_level) for hit in hits]
    kept, omitted = within_budget([*views, *associated(near, detail_level)], token_budget)
    results, associations = kept[: len(views)], kept[len(views) :]
    data = {"results": results, "associations": associations, "omitted": omitted}
    return ToolResult(render_search(results, associations, omitted), data)


def associated(near: Sequence[Neighbor], detail_level: str) -> list[dict[str, Any]]:
    """The memories associated with the top hit, as the assistant sees them."""
    return [{**jsonable(n), "content": at_detail(n.content, detail_level)} for n in near]


def render_search(
    results: Sequence[dict[str, Any]], associations: Sequence[dict[str, Any]], omitted: int
) -> str:
    """Numbered results, the associations of the top hit, and what the budget left out."""
    lines = [f"{i}. {memory_line(v)}" for i, v in enumerate(results, start=1)] or ["No memories found."]
    if associations:
        lines.append("Associated with the top hit:")
        lines += [f"- [{a['node_type']}] {a['content']} (id {a['id']})" for a in associations]
    if omitted:
        lines.append(f"({omitted} more left out to stay within the token budget)")
    return "\n".join(lines)


# --- smart_ingest -------------------------------------------------------------------------------

ONE_OF = "Give exactly one of content (one memory) or items (a batch)."
Content = Annotated[str | None, Field(description=f"The text of one memory, {TEXT}. {ONE_OF}")]
ForceCreate = Annotated[
    bool,
    Field(
        description="With content: store it as a new memory even when a similar one exists "
        "(no reinforce, update or supersede); default false.",
    ),
]
Items = Annotated[
    list[IngestItem] | None,
    Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"A batch of 1 to {MAX_BATCH} memories, each an object with content (required) and "
        f"optional node_type, tags, source, codebase and valid_from; stored in order and linked. {ONE_OF}",
    ),
]
MergePolicy = Annotated[
    Literal["smart", "force_create"],
    Field(
        description="With items: smart (default) compares each memory with the closest ones; "
        "force_create stores every item as a new memory.",
    ),
]


def smart_ingest(
    client: Client,
    content: Content = None,
    node_type: NodeType = "fact",
    tags: MemoryTags = None,
    source: Source = None,
    codebase: CodebaseName = None,
    valid_from: EventTime = None,
    force_create: ForceCreate = False,
    items: Items = None,
    batch_merge_policy: MergePolicy = "smart",
) -> ToolResult:
    """Store what you learned: exactly one of content (one memory) or items (a batch of at most 20).

    Each memory is compared with the closest ones you can see: a near duplicate reinforces the
    existing memory, a close one updates it (a dated [Updated] section), a contradicted or faded
    one is superseded, anything else is created. force_create (or batch_merge_policy
    force_create) always creates. The memories of one batch are linked in order. Returns the
    decision, similarity and id for each memory. node_type, tags, source, codebase and valid_from
    (when it happened, if not now) describe the memory given as content; each item of items
    carries its own.
    """
    if (content is None) == (items is None):
        raise InvalidInput("give exactly one of content (one memory) or items (a batch), not both or neither")
    if content is not None:
        one = NewMemory(content, node_type, tags or [], source, codebase=codebase, valid_from=valid_from)
        return ingest(client, [one], force_create)
    return ingest(client, [item.memory() for item in items or []], batch_merge_policy == "force_create")


def ingest(client: Client, memories: Sequence[NewMemory], force_create: bool) -> ToolResult:
    """Store memories through the gate and list each decision."""
    outcomes = client.ingest(memories, force_create=force_create)
    return ToolResult(render_ingested(outcomes), {"results": outcomes})


def render_ingested(outcomes: Sequence[Ingested]) -> str:
    """One numbered line per stored memory: decision, id, similarity and what was redacted."""
    return "\n".join(
        f"{i}. {o.decision} {o.id}"
        + (f" (similarity {o.similarity:.2f})" if o.similarity is not None else "")
        + _redacted(o)
        for i, o in enumerate(outcomes, start=1)
    )


def _redacted(outcome: Ingested) -> str:
    """`; redacted 1 secret: github_token` when the client redacted the text, else nothing."""
    return f"; {redaction_note(outcome.redacted)}" if outcome.redacted else ""


# --- memory -------------------------------------------------------------------------------------

MemoryAction = Annotated[
    Literal["get", "get_batch", "edit", "delete", "promote", "demote", "state", "share"],
    Field(
        description="What to do: get, get_batch (with ids), edit (with content), delete (with confirm true), "
        "promote (it proved useful), demote (it was wrong or unhelpful), state (strengths, retention, "
        "review schedule) or share (with visibility).",
    ),
]
OptionalMemoryId = Annotated[
    uuid.UUID | None,
    Field(
        description="The memory's id, as returned by search or smart_ingest; required by every action "
        "but get_batch."
    ),
]
MemoryIds = Annotated[
    list[uuid.UUID] | None,
    Field(min_length=1, max_length=100, description="For get_batch (required): 1 to 100 memory ids."),
]
NewContent = Annotated[
    str | None, Field(description=f"For edit (required): the new text, {TEXT}; the review schedule is kept.")
]
Visibility = Annotated[
    VisibilityKind | None,
    Field(
        description="For share (required): private (only you), group (members of the groups given in groups) "
        "or public (every user).",
    ),
]
Groups = Annotated[
    list[uuid.UUID] | None,
    Field(description="For share with visibility group: the ids of groups you belong to."),
]
Reason = Annotated[
    str | None,
    Field(
        max_length=1000, description="Why you do this, written to the server log; at most 1000 characters."
    ),
]
Confirm = Annotated[
    bool, Field(description="For delete: must be true, since deleting is permanent; default false.")
]


def memory(
    client: Client,
    action: MemoryAction,
    id: OptionalMemoryId = None,
    ids: MemoryIds = None,
    content: NewContent = None,
    visibility: Visibility = None,
    groups: Groups = None,
    reason: Reason = None,
    confirm: Confirm = False,
) -> ToolResult:
    """Read, correct, strengthen, weaken, share or delete memories by id.

    get, state (strengths, retention and review schedule), promote (it proved useful), demote (it
    was wrong or unhelpful), delete (needs confirm: true), edit (new content; the review schedule
    is kept) and share (visibility private, group with groups, or public) take id; get_batch
    takes ids. reason is logged.
    """
    if action == "get_batch":
        return memory_get_batch(client, _required(ids, "ids", action))
    memory_id = _required(id, "id", action)
    if reason:
        log.info("memory %s %s: %s", action, memory_id, reason)
    actions: dict[str, Callable[[], ToolResult]] = {
        "get": lambda: memory_get(client, memory_id),
        "state": lambda: memory_state(client, memory_id),
        "promote": lambda: memory_promote(client, memory_id),
        "demote": lambda: memory_demote(client, memory_id),
        "edit": lambda: memory_edit(client, memory_id, _required(content, "content", action)),
        "delete": lambda: memory_delete(client, memory_id, confirm),
        "share": lambda: memory_share(
            client, memory_id, _required(visibility, "visibility", action, "private, group or public"), groups
        ),
    }
    return actions[action]()


def memory_get(client: Client, id: uuid.UUID) -> ToolResult:
    """One visible memory."""
    found = client.get_memory(id)
    return ToolResult(memory_line(jsonable(found)), {"memory": found})


def memory_get_batch(client: Client, ids: Sequence[uuid.UUID]) -> ToolResult:
    """The visible memories of these ids, and the ids that are not found (or not visible)."""
    found, missing = [], []
    for memory_id in ids:
        try:
            found.append(client.get_memory(memory_id))
        except NotFound:
            missing.append(memory_id)
    text = memory_lines(found, "None of these memories is visible to you.")
    return ToolResult(text, {"memories": found, "not_found": missing})


def memory_state(client: Client, id: uuid.UUID) -> ToolResult:
    """Strengths, retention and the review schedule of a visible memory."""
    mem, sched = client.get_memory(id), client.get_scheduling(id)
    text = (
        f"retention {mem.retention:.2f}, retrieval {mem.retrieval_strength:.2f}, "
        f"storage {mem.storage_strength:.2f}, recalled {mem.access_count} times; "
        f"FSRS {sched.state}, next review {jsonable(sched.next_review)}"
    )
    return ToolResult(text, {"memory": mem, "scheduling": sched})


def memory_promote(client: Client, id: uuid.UUID) -> ToolResult:
    """Strengthen an own memory that proved useful."""
    strengths = client.promote_memory(id)
    return ToolResult(
        f"promoted {id}: retrieval strength {strengths.retrieval_strength:.2f}", {"strengths": strengths}
    )


def memory_demote(client: Client, id: uuid.UUID) -> ToolResult:
    """Weaken an own memory that was wrong or unhelpful."""
    strengths = client.demote_memory(id)
    return ToolResult(
        f"demoted {id}: retrieval strength {strengths.retrieval_strength:.2f}", {"strengths": strengths}
    )


def memory_edit(client: Client, id: uuid.UUID, content: str) -> ToolResult:
    """Replace the content of an own memory (the review schedule is kept)."""
    client.update_memory(id, content=content)
    return ToolResult(f"edited {id}", {"id": id, "edited": True})


def memory_delete(client: Client, id: uuid.UUID, confirm: bool) -> ToolResult:
    """Delete an own memory, only when confirmed."""
    if not confirm:
        raise InvalidInput("delete is permanent", hint="call again with confirm: true")
    client.delete_memory(id)
    return ToolResult(f"deleted {id}", {"id": id, "deleted": True})


def memory_share(
    client: Client, id: uuid.UUID, visibility: str, groups: Sequence[uuid.UUID] | None = None
) -> ToolResult:
    """Set who may see an own memory: private, group (with groups) or public."""
    client.share_memory(id, visibility, groups or [])
    data = {"id": id, "visibility": visibility, "groups": list(groups or [])}
    return ToolResult(f"{id} is now {visibility}", data)


# --- codebase -----------------------------------------------------------------------------------

CodebaseAction = Annotated[
    Literal["remember_pattern", "remember_decision", "get_context"],
    Field(
        description="What to do: remember_pattern (with name and description), remember_decision (with "
        "decision and rationale) or get_context (the newest patterns and decisions).",
    ),
]
Codebase = Annotated[
    str,
    Field(
        min_length=1,
        max_length=256,
        description="The codebase's name (required), e.g. the repository's name.",
    ),
]
PatternName = Annotated[
    str | None,
    Field(max_length=256, description="For remember_pattern (required): the pattern's short name."),
]
PatternText = Annotated[
    str | None,
    Field(description=f"For remember_pattern (required): what the pattern is and when to use it; {TEXT}."),
]
Decision = Annotated[
    str | None, Field(description=f"For remember_decision (required): what was decided; {TEXT}.")
]
Rationale = Annotated[str | None, Field(description=f"For remember_decision (required): why; {TEXT}.")]
Alternatives = Annotated[
    list[str] | None, Field(description="For remember_decision: the options considered and not chosen.")
]
Files = Annotated[
    list[str] | None, Field(description="For remember_pattern and remember_decision: the files it concerns.")
]
ContextLimit = Annotated[
    int,
    Field(
        ge=1,
        le=100,
        description="For get_context: how many patterns and decisions to return, 1 to 100 (default 20).",
    ),
]


def codebase(
    client: Client,
    action: CodebaseAction,
    codebase: Codebase,
    name: PatternName = None,
    description: PatternText = None,
    decision: Decision = None,
    rationale: Rationale = None,
    alternatives: Alternatives = None,
    files: Files = None,
    limit: ContextLimit = 20,
) -> ToolResult:
    """Remember the patterns and decisions of a codebase, and get them back as context.

    remember_pattern takes name and description (and files); remember_decision takes decision and
    rationale (and alternatives, files); get_context lists the newest patterns and decisions of
    the codebase.
    """
    actions: dict[str, Callable[[], ToolResult]] = {
        "get_context": lambda: codebase_get_context(client, codebase, limit),
        "remember_pattern": lambda: codebase_remember_pattern(
            client,
            codebase,
            _required(name, "name", action),
            _required(description, "description", action),
            files,
        ),
        "remember_decision": lambda: codebase_remember_decision(
            client,
            codebase,
            _required(decision, "decision", action),
            _required(rationale, "rationale", action),
            alternatives,
            files,
        ),
    }
    return actions[action]()


def codebase_get_context(client: Client, codebase: str, limit: int = 20) -> ToolResult:
    """The newest patterns and decisions of a codebase."""
    listed = client.list_memories(codebase=codebase, node_types=["pattern", "decision"], limit=limit)
    text = memory_lines(listed, f"Nothing remembered about {codebase} yet.")
    return ToolResult(text, {"codebase": codebase, "memories": listed})


def codebase_remember_pattern(
    client: Client, codebase: str, name: str, description: str, files: Sequence[str] | None = None
) -> ToolResult:
    """Store a pattern of a codebase."""
    return _remember(client, codebase, "pattern", f"Pattern: {name}\n{description}", files)


def codebase_remember_decision(
    client: Client,
    codebase: str,
    decision: str,
    rationale: str,
    alternatives: Sequence[str] | None = None,
    files: Sequence[str] | None = None,
) -> ToolResult:
    """Store a decision of a codebase, with its rationale and the alternatives considered."""
    text = f"Decision: {decision}\nRationale: {rationale}"
    if alternatives:
        text += "\nAlternatives considered: " + "; ".join(alternatives)
    return _remember(client, codebase, "decision", text, files)


def _remember(
    client: Client, codebase: str, node_type: str, text: str, files: Sequence[str] | None
) -> ToolResult:
    if files:
        text += "\nFiles: " + ", ".join(files)
    item = NewMemory(text, node_type=node_type, tags=[node_type], codebase=codebase)
    outcome = client.ingest([item])[0]
    return ToolResult(f"{outcome.decision} {outcome.id}{_redacted(outcome)}", {"result": outcome})


# --- intention ----------------------------------------------------------------------------------

IntentionAction = Annotated[
    Literal["set", "check", "update", "list"],
    Field(
        description="What to do: set (a new intention, with content), check (which intentions fire now, "
        "with context), update (with id) or list (your intentions).",
    ),
]
IntentionContent = Annotated[
    str | None, Field(description=f"For set (required) and update: what to do or remember; {TEXT}.")
]
TriggerType = Annotated[
    Literal["manual", "time", "context", "event"] | None,
    Field(
        description="For set and update: when it fires: time (at trigger_data.at or the deadline), context "
        "(when check's context mentions one of trigger_data.keywords), event (when check's context equals "
        "trigger_data.event) or manual (never by itself; the default for set).",
    ),
]
TriggerData = Annotated[
    dict[str, Any] | None,
    Field(
        description='For set and update: the trigger\'s data: {"at": "2030-01-01T09:00:00Z"} for time, '
        '{"keywords": ["deploy", "release"]} for context, {"event": "session_start"} for event.',
    ),
]
Priority = Annotated[
    int | None,
    Field(ge=1, le=4, description="For set and update: 1 (low) to 4 (critical); set defaults to 2."),
]
Deadline = Annotated[
    datetime | None,
    Field(
        description="For set and update: when it is due, an ISO 8601 date-time such as 2030-01-01T09:00:00Z."
    ),
]
CheckContext = Annotated[
    str | None,
    Field(
        max_length=10_000,
        description="For check: what the user is talking about now; context and event triggers are matched "
        "against it.",
    ),
]
IntentionId = Annotated[
    uuid.UUID | None,
    Field(description="For update (required): the intention's id, as returned by set or list."),
]
Status = Annotated[
    Literal["active", "triggered", "fulfilled", "cancelled", "snoozed", "expired"] | None,
    Field(
        description="For update: fulfilled when done, cancelled, snoozed (with snoozed_until), active, "
        "triggered or expired.",
    ),
]
SnoozedUntil = Annotated[
    datetime | None,
    Field(description="For update with status snoozed: when it comes back, a future ISO 8601 date-time."),
]
IntentionTags = Annotated[
    Tags | None, Field(description="For set and update: labels, at most 32, each 1 to 64 characters.")
]


def intention(
    client: Client,
    action: IntentionAction,
    content: IntentionContent = None,
    trigger_type: TriggerType = None,
    trigger_data: TriggerData = None,
    priority: Priority = None,
    deadline: Deadline = None,
    context: CheckContext = None,
    id: IntentionId = None,
    status: Status = None,
    snoozed_until: SnoozedUntil = None,
    tags: IntentionTags = None,
) -> ToolResult:
    """Remember to do something later or when a topic comes up, and check what is due.

    set: content, trigger_type (time with trigger_data.at, context with trigger_data.keywords,
    event with trigger_data.event, or manual), priority 1-4, deadline. check: pass the current
    context (what the user is talking about); returns the intentions that fire now. update: id
    plus status (fulfilled when done, cancelled, snoozed with snoozed_until, active) or new
    fields. list: your intentions.
    """
    if action == "check":
        return intention_check(client, context)
    if action == "list":
        return intention_list(client)
    if action == "set":
        text = _required(content, "content", action)
        return intention_set(
            client, text, trigger_type or "manual", trigger_data, priority or 2, deadline, tags
        )
    return intention_update(
        client, _required(id, "id", action), status=status, content=content, priority=priority,
        deadline=deadline, snoozed_until=snoozed_until, trigger_type=trigger_type,
        trigger_data=trigger_data, tags=tags,
    )  # fmt: skip


def intention_set(
    client: Client,
    content: str,
    trigger_type: str = "manual",
    trigger_data: dict[str, Any] | None = None,
    priority: int = 2,
    deadline: datetime | None = None,
    tags: Sequence[str] | None = None,
) -> ToolResult:
    """Store an intention and return its id."""
    new_id = client.set_intention(
        content, trigger_type=trigger_type, trigger_data=trigger_data, priority=priority, deadline=deadline,
        tags=tags or [],
    )  # fmt: skip
    return ToolResult(f"intention {new_id} set", {"id": new_id})


def intention_check(client: Client, context: str | None = None) -> ToolResult:
    """The intentions that fire now, for this context."""
    fired = client.check_intentions(context)
    text = "\n".join(f"[{i.reason}, priority {i.priority}] {i.content} (id {i.id})" for i in fired)
    return ToolResult(text or "Nothing due.", {"intentions": fired})


def intention_update(
    client: Client,
    id: uuid.UUID,
    *,
    status: str | None = None,
    content: str | None = None,
    priority: int | None = None,
    deadline: datetime | None = None,
    snoozed_until: datetime | None = None,
    trigger_type: str | None = None,
    trigger_data: dict[str, Any] | None = None,
    tags: Sequence[str] | None = None,
) -> ToolResult:
    """Change an own intention: status, content, priority, deadline, snooze, trigger or tags."""
    client.update_intention(
        id, status=status, content=content, priority=priority, deadline=deadline,
        snoozed_until=snoozed_until, trigger_type=trigger_type, trigger_data=trigger_data, tags=tags,
    )  # fmt: skip
    return ToolResult(f"intention {id} updated", {"id": id})


def intention_list(client: Client) -> ToolResult:
    """Your intentions."""
    listed: list[Intention] = client.list_intentions()
    text = "\n".join(f"[{i.status}, priority {i.priority}] {i.content} (id {i.id})" for i in listed)
    return ToolResult(text or "No intentions.", {"intentions": listed})


# --- memory_status ------------------------------------------------------------------------------

View = Annotated[
    Literal["health", "retention", "due", "timeline"],
    Field(
        description="What to show: health (counts, model and database; the default), retention (average and "
        "histogram), due (memories due for review) or timeline (memories per day they happened, last 30 "
        "days).",
    ),
]


def memory_status(client: Client, view: View = "health", *, backend: str) -> ToolResult:
    """How your memory is doing: health (counts, model, backend), retention, due reviews, timeline."""
    if view == "health":
        return status_health(client, backend)
    views: dict[str, Callable[[Client], ToolResult]] = {
        "retention": status_retention,
        "due": status_due,
        "timeline": status_timeline,
    }
    return views[view](client)


def status_health(client: Client, backend: str) -> ToolResult:
    """Counts, model and database; backend is the door's storage backend (embedded or postgres)."""
    health, stats = client.health(), client.stats()
    text = (
        f"{health.status}: {stats.total} memories visible ({stats.own} yours), model "
        f"{health.model_name or 'none yet'}, {backend} PostgreSQL {health.postgres_version}"
    )
    return ToolResult(text, {"health": health, "stats": stats, "backend": backend})


def status_retention(client: Client) -> ToolResult:
    """The average retention and its histogram."""
    stats = client.stats()
    data = {"avg_retention": stats.avg_retention, "retention_histogram": stats.retention_histogram}
    return ToolResult(json.dumps(jsonable(data)), data)


def status_due(client: Client) -> ToolResult:
    """Own memories due for review."""
    due = client.due_memories()
    text = "\n".join(f"{jsonable(d.next_review)} {d.content} (id {d.memory_id})" for d in due)
    return ToolResult(text or "Nothing is due for review.", {"due": due})


def status_timeline(client: Client) -> ToolResult:
    """Visible memories per day they happened (valid_from, else stored) over the last 30 days."""
    days = client.memory_timeline()
    text = "\n".join(f"{d.day}: {d.memories}" for d in days)
    return ToolResult(text or "No memories in the last 30 days.", {"timeline": days})


# --- graph and review ---------------------------------------------------------------------------

# vestige.neighbors follows at most 3 hops (v_max_depth): the schema says so, SQL would refuse 4 and 5
Depth = Annotated[int, Field(ge=1, le=3, description="How many hops of links to follow, 1 to 3 (default 2).")]
Rating = Annotated[
    int,
    Field(
        ge=1,
        le=4,
        description="How well the memory held up: 1 again (wrong or forgotten), 2 hard, 3 good, 4 easy.",
    ),
]


def graph(client: Client, memory_id: MemoryId, depth: Depth = 2) -> ToolResult:
    """The memories linked to one: neighbours by spreading activation, and its edges with their types."""
    neighbors, edges = client.neighbors(memory_id, depth=depth), client.edges_of(memory_id)
    lines = [
        f"[{n.node_type}] {n.content} (id {n.id}, hops {n.hops}, activation {n.activation:.2f})"
        for n in neighbors
    ]
    lines += [f"{e.direction} {e.edge_type} {e.other_id} (weight {e.weight:.2f})" for e in edges]
    return ToolResult("\n".join(lines) or "No linked memories.", {"neighbors": neighbors, "edges": edges})


def review(client: Client, memory_id: MemoryId, rating: Rating) -> ToolResult:
    """Record how well one of your memories held up (FSRS-6); returns when it is due next."""
    outcome = client.review(memory_id, rating)
    return ToolResult(f"next review {jsonable(outcome.next_review)} ({outcome.state})", {"review": outcome})


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec("search", search, "Search memory", read_only=False, destructive=False),
    ToolSpec("smart_ingest", smart_ingest, "Store memories", read_only=False, destructive=False),
    ToolSpec("memory", memory, "One memory", read_only=False, destructive=True),
    ToolSpec("codebase", codebase, "Codebase memory", read_only=False, destructive=False),
    ToolSpec("intention", intention, "Intentions", read_only=False, destructive=False),
    ToolSpec("memory_status", memory_status, "Memory status", read_only=True, door_args=("backend",)),
    ToolSpec("graph", graph, "Memory graph", read_only=True),
    ToolSpec("review", review, "Review a memory", read_only=False, destructive=False),
)

"""The read side of `vestige migrate copy`: an upstream Vestige SQLite store, read through a snapshot copy.

The store is never opened in place: `Snapshot` copies `vestige.db` and its `-wal`/`-shm` files
into a temporary directory, opens that copy read-only and hashes the source before and after.
Rows come out already mapped to this project's tables and valid for their CHECK constraints.
Features are detected from the file (`sqlite_master`, each row's columns), never from the
schema version: a column a store lacks gets the target's default. A row with one bad field is
kept with that field repaired or dropped; only rows that cannot be copied at all are skipped.
Both land in `Snapshot.problems`. The source format is described in
shared/fixtures/vestige-sqlite/README.md and DESIGN.md section 7.1.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np

from vestige_client.errors import SourceStoreError

NOMIC = "nomic-ai/nomic-embed-text-v1.5"
MINILM = "sentence-transformers/all-MiniLM-L6-v2"
MINILM_WIDTH = 384
# Lower-cased label -> model. The MiniLM labels are handled apart: early releases wrote
# `all-MiniLM-L6-v2` on nomic vectors, so that label means MiniLM only at MiniLM's width.
MODEL_ALIASES = {"nomic-embed-text-v1.5": NOMIC, "nomic-ai/nomic-embed-text-v1.5": NOMIC}
MINILM_LABELS = frozenset({"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"})

# Tables whose rows become rows here. Vectors come from embedding_profile_vectors (the active
# profile) when the store has embedding profiles, else from node_embeddings.
COPIED_TABLES = frozenset(
    {"knowledge_nodes", "node_embeddings", "embedding_profile_vectors", "memory_connections", "intentions"}
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Why each upstream table with no home here is not copied: reason -> the tables it covers.
_FATES = {
    "derived full-text index; the target keeps its own (search_tsv)": "knowledge_fts",
    "read for the report only": "schema_version",
    "read to choose and label the vectors; the target has its own model registry": (
        "embedding_profiles embedding_profile_state embedding_model"
    ),
    "upstream vector bookkeeping (manifests, re-embedding jobs, write journal)": (
        "embedding_profile_manifests embedding_profile_migrations embedding_profile_migration_checkpoints"
        " vector_journal"
    ),
    "a mirror of the active embedding profile's vectors, which are copied instead": "node_embeddings",
    "vectors of embedding profiles that are not active": "embedding_profile_vectors",
    "access history (pruned upstream after 90 days); the target keeps no access log": "memory_access_log",
    "history of upstream background jobs (consolidation, dreams, retention snapshots)": (
        "consolidation_history dream_history retention_snapshots"
    ),
    "generated upstream from memories by dreams; no home here": "insights",
    "ids of purged memories, with no content": "deletion_tombstones sync_tombstones erasure_tombstones",
    "upstream erasure jobs": "erasure_jobs erasure_steps erasure_generation_counter",
    "upstream FSRS weights; the target schedules with its own parameters": "fsrs_config",
    "upstream per-card state; the scheduling state on each memory row is copied": (
        "fsrs_cards memory_states state_transitions"
    ),
    "upstream session bookkeeping": "sessions",
    "dead V4 tables": "knowledge_edges compressed_memories",
    "upstream domain catalogue; each memory's domains are copied": "domains",
    "upstream merge jobs": "merge_plans merge_operations",
    "upstream composition, trace, receipt and artifact records": (
        "composition_events composition_members composition_outcomes agent_runs agent_traces"
        " memory_receipts memory_prs receipt_chain_state receipt_disclosures receipt_envelopes"
        " receipt_signing_keys artifact_lineage managed_artifacts"
    ),
    "upstream synaptic tagging and replay records": (
        "synaptic_capture_items synaptic_events synaptic_tags retrieval_replay_capsules"
        " retrieval_replay_items counterfactual_replays"
    ),
    "upstream suppression journals; each memory's suppression count is kept in metadata.upstream": (
        "suppression_operations suppression_cascade_effects"
    ),
    "upstream connector sync state": "connector_cursors",
    "upstream code anchors and feedback": "code_memory_anchors failure_feedback",
}
TABLE_FATE: dict[str, str] = {name: reason for reason, names in _FATES.items() for name in _words(names)}
UNKNOWN_TABLE_FATE = "a table this copier does not know: not copied"

PROVENANCE_COLUMNS = _words(
    "source_system source_id source_url source_updated_at content_hash synced_at source_project"
    " source_type source_author"
)
# Columns mapped onto target columns; every other non-null one is kept under metadata.upstream
# (nodes) or trigger_data.upstream_intention (intentions).
_MAPPED_NODE_COLUMNS = frozenset(
    _words(
        "id content node_type tags source domains domain_scores scope valid_from valid_until protected"
        " superseded_by storage_strength retrieval_strength retention_strength times_retrieved created_at"
        " updated_at last_accessed stability difficulty learning_state reps lapses next_review has_embedding"
    )
    + PROVENANCE_COLUMNS
)
_MAPPED_INTENTION_COLUMNS = frozenset(
    _words(
        "id content trigger_type trigger_data priority status deadline snoozed_until tags related_memories"
        " created_at updated_at"
    )
)
STATES = frozenset({"new", "learning", "review", "relearning"})
INTENTION_STATUSES = frozenset({"active", "triggered", "fulfilled", "cancelled", "snoozed", "expired"})
EDGE_TYPE = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_NODE_TYPE = 64
MAX_INT = 2**31 - 1
MIN_EDGE_WEIGHT = 0.001
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)

Warn = Callable[[str, str], None]  # (field, reason)

# The memories with their vector row, in one scan (both vector tables key a vector by its node).
# The vector's columns come under names no upstream column has.
VECTOR_COLUMNS = ("embedding", "dimensions", "model")
_JOINED = tuple(f"vestige copy: {column}" for column in VECTOR_COLUMNS)
NODES_SQL = "SELECT * FROM knowledge_nodes"
NODES_WITH_VECTORS_SQL = {
    "node_embeddings": """
SELECT n.*, v.embedding AS "vestige copy: embedding", v.dimensions AS "vestige copy: dimensions",
       v.model AS "vestige copy: model"
  FROM knowledge_nodes AS n LEFT JOIN node_embeddings AS v ON v.node_id = n.id""",
    "embedding_profile_vectors": """
SELECT n.*, v.embedding AS "vestige copy: embedding", v.dimensions AS "vestige copy: dimensions",
       v.model AS "vestige copy: model"
  FROM knowledge_nodes AS n
  LEFT JOIN embedding_profile_vectors AS v ON v.profile_id = ? AND v.node_id = n.id""",
}


@dataclass(frozen=True)
class Problem:
    """One line of the copy report: a row skipped, or a field repaired or dropped."""

    table: str
    id: str
    field: str | None
    reason: str
    skipped: bool


@dataclass(frozen=True)
class SourceNode:
    """A memory with its scheduling state and vector, in the shape of knowledge_nodes + scheduling."""

    id: uuid.UUID
    content: str
    node_type: str
    tags: list[str]
    source: str | None
    metadata: dict[str, Any]
    domains: list[str]
    domain_scores: dict[str, Any]
    codebase: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    protected: bool
    superseded_by: uuid.UUID | None
    storage_strength: float
    retrieval_strength: float
    retention_strength: float
    access_count: int
    last_accessed: datetime
    created_at: datetime
    updated_at: datetime
    stability: float | None
    difficulty: float | None
    state: str
    reps: int
    lapses: int
    last_review: datetime | None
    next_review: datetime
    retrievability: float
    vector: bytes | None
    vector_label: str | None


@dataclass(frozen=True)
class SourceEdge:
    """A directed link between two copied memories, in the shape of edges."""

    source_id: uuid.UUID
    target_id: uuid.UUID
    edge_type: str
    weight: float
    created_at: datetime
    last_activated: datetime | None
    activation_count: int


@dataclass(frozen=True)
class SourceIntention:
    """A reminder in the shape of intentions (trigger mapped, see map_trigger)."""

    id: uuid.UUID
    content: str
    trigger_type: str
    trigger_data: dict[str, Any]
    priority: int
    status: str
    deadline: datetime | None
    snoozed_until: datetime | None
    tags: list[str]
    related_memory_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime


def canonical_model(label: str | None, width: int, override: str | None = None) -> str | None:
    """Return the model a vector of this label and width was made by (the user's override wins)."""
    if override:
        return override
    if label is None:
        return None
    key = label.strip().lower()
    if key in MINILM_LABELS:
        return MINILM if width == MINILM_WIDTH else NOMIC
    return MODEL_ALIASES.get(key, label)


def parse_timestamp(value: object) -> datetime | None:
    """Parse an upstream timestamp (RFC3339, or SQLite's zoneless UTC form) to an aware UTC datetime."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    # The forms upstream writes (UTC, 0-9 fractional digits) without the regular expression.
    if len(text) >= 19 and text[4] == "-" and text[7] == "-" and text[10] in "Tt " and text[:19].isascii():
        rest = text[19:]
        zone = 6 if rest.endswith("+00:00") else 1 if rest[-1:] in ("Z", "z") else 0
        fraction = rest[: len(rest) - zone]
        if not fraction or (2 <= len(fraction) <= 10 and fraction[0] == "." and fraction[1:].isdecimal()):
            try:
                parsed = datetime.fromisoformat(f"{text[:10]}T{text[11:19]}{fraction[:7]}+00:00")
            except ValueError:
                parsed = None
            if parsed is not None and text[13] == ":" and text[16] == ":":
                return parsed
    return _parse_timestamp(text)


def _parse_timestamp(text: str) -> datetime | None:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    zone_info = UTC
    if zone and zone.upper() != "Z":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        zone_info = timezone(-offset if zone[0] == "-" else offset)
    try:
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=zone_info,
        )
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def map_trigger(
    column_type: object, raw: object, created_at: datetime, deadline: datetime | None, warn: Warn
) -> tuple[str, dict[str, Any]]:
    """Map an upstream intention trigger onto this project's (trigger_type, trigger_data).

    Upstream stores a JSON trigger object (`{"type":"time","at":...,"inMinutes":null,...}`, or
    `{}` for manual). Its `type` (else the trigger_type column) decides:
    time / duration -> time with `at` (RFC3339 as given, or created_at + in_minutes; without
    either, a time trigger on the deadline); context -> context with `keywords` = the
    codebase, file pattern and topic; event -> event with `event` = the condition;
    activity -> event with `event` = the activity; manual -> manual. Recurring, compound and
    anything the data does not support become manual, with a warning: nothing here fires them.
    The original trigger is always kept under trigger_data.upstream.
    """
    data: Any = {}
    if raw is not None:
        data = _load_json(raw)
        if not isinstance(data, dict):
            warn("trigger_data", "trigger_data is not a JSON object: dropped, kept as manual")
            return "manual", {"upstream": raw if isinstance(raw, str) else None}
    kind = str(data.get("type") or column_type or "manual").strip().lower()
    mapped: tuple[str, dict[str, Any]] | None = None
    if kind in ("time", "duration"):
        at = parse_timestamp(data.get("at"))
        minutes = next(
            (data[k] for k in ("in_minutes", "inMinutes", "minutes") if data.get(k) is not None), None
        )
        if at is None and isinstance(minutes, int | float) and 0 <= minutes < 10**8:
            at = created_at + timedelta(minutes=minutes)
        if at is not None:
            mapped = "time", {"at": at.isoformat()}
        elif deadline is not None:
            mapped = "time", {}
    elif kind == "context":
        keywords = [
            value.strip()
            for key in ("codebase", "file_pattern", "filePattern", "topic")
            if isinstance(value := data.get(key), str) and value.strip()
        ]
        if keywords:
            mapped = "context", {"keywords": keywords}
    elif kind in ("event", "activity"):
        name = (data.get("condition") or data.get("event")) if kind == "event" else data.get("activity")
        if isinstance(name, str) and name.strip():
            mapped = "event", {"event": name.strip()}
    elif kind == "manual":
        mapped = "manual", {}
    if mapped is None:
        warn("trigger_data", f"a {kind} trigger has no equivalent here: kept as manual (never fires)")
        mapped = "manual", {}
    trigger_type, trigger_data = mapped
    return trigger_type, {**trigger_data, "upstream": data}


class Snapshot:
    """A read-only snapshot copy of an upstream Vestige store, read in the shape of this project's tables."""

    def __init__(self, path: Path, content_limit: int) -> None:
        self.path = path / "vestige.db" if path.is_dir() else path
        self.content_limit = content_limit  # bytes of UTF-8: the database's vestige.content_limit()
        self.schema_version: int | None = None
        self.wal_nonempty = False
        self.source_unchanged: bool | None = None
        self.problems: list[Problem] = []
        self._seen: set[Problem] = set()
        self._hashes: dict[str, str] = {}
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._table_names: set[str] | None = None
        self._db: sqlite3.Connection | None = None
        self._now = datetime.now(UTC)
        self._copied: set[uuid.UUID] | None = None  # the memories read, once nodes() has run to its end
        self._counts: dict[str, int] | None = None
        self._profile: tuple[str, str | None] | None = None  # (active profile id, its model)

    def __enter__(self) -> Self:
        if not self.path.is_file():
            raise SourceStoreError(
                f"no Vestige store at {self.path}",
                hint="give the path of vestige.db or of the folder holding it",
            )
        self._hashes = _hash_files(self.path)
        wal = _sibling(self.path, "-wal")
        self.wal_nonempty = wal.is_file() and wal.stat().st_size > 0
        self._now = datetime.now(UTC)
        self._tmp = tempfile.TemporaryDirectory(prefix="vestige-migrate-")
        copy = Path(self._tmp.name) / "vestige.db"
        for suffix in ("", "-wal", "-shm"):
            if _sibling(self.path, suffix).is_file():
                shutil.copyfile(_sibling(self.path, suffix), _sibling(copy, suffix))
        try:
            # Read by one thread at a time: the copy reads in a thread of its own.
            self._db = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            tables = self._tables()
        except sqlite3.DatabaseError as exc:
            self._close()
            raise SourceStoreError(
                f"{self.path} is not a readable SQLite file: {exc}",
                hint="give the path of a Vestige vestige.db",
            ) from exc
        if "knowledge_nodes" not in tables:
            self._close()
            raise SourceStoreError(
                f"{self.path} is not a Vestige store (it has no knowledge_nodes table)",
                hint="give the path of a Vestige vestige.db",
            )
        if "schema_version" in tables:
            version = self._conn().execute("SELECT max(version) FROM schema_version").fetchone()[0]
            self.schema_version = version if isinstance(version, int) else None
        self._profile = self._active_profile(tables)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()
        self.source_unchanged = _hash_files(self.path) == self._hashes

    def table_counts(self) -> dict[str, int]:
        """Return the row count of every table in the store (not FTS5 shadow tables, not sqlite_*)."""
        if self._counts is None:
            self._counts = self._count_tables()
        return dict(self._counts)

    def _count_tables(self) -> dict[str, int]:
        conn = self._conn()
        virtual = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
            )
        ]
        shadows = {
            f"{name}_{part}" for name in virtual for part in ("data", "idx", "docsize", "config", "content")
        }
        counts: dict[str, int] = {}
        for name in sorted(self._tables() - shadows):
            if name.startswith("sqlite_"):
                continue
            try:
                # The name comes from the file's own catalogue and is quoted as an identifier
                # (the SQLite counterpart of psycopg.sql.Identifier).
                counts[name] = conn.execute(f"SELECT count(*) FROM {_quote_identifier(name)}").fetchone()[0]
            except sqlite3.OperationalError:
                continue  # a virtual table whose module this SQLite lacks: nothing to count
        return counts

    def not_copied_by_design(self) -> list[str]:
        """Return the tables that have rows but no home here (reasons in TABLE_FATE)."""
        copied = COPIED_TABLES - {"node_embeddings" if self._profile else "embedding_profile_vectors"}
        return [name for name, count in self.table_counts().items() if count and name not in copied]

    def nodes(self) -> Iterator[SourceNode]:
        """Yield the memories with their vectors in the store's order, each after the memory that
        supersedes it (one superseded by a memory not read yet waits for it)."""
        seen: set[uuid.UUID] = set()
        placed: set[uuid.UUID] = set()
        waiting: dict[uuid.UUID, list[tuple[str, SourceNode]]] = {}  # replacement -> memories it holds back
        for values in self._node_rows():
            item = self._map_node(values)
            if item is None:
                continue
            raw, node = item
            if node.id in seen:
                self._note("knowledge_nodes", raw, None, "duplicate id", skipped=True)
                continue
            seen.add(node.id)
            target = node.superseded_by
            if target == node.id:
                node = self._no_replacement(raw, node)
            elif target is not None and target not in placed:
                waiting.setdefault(target, []).append((raw, node))
                continue
            yield from self._place(node, placed, waiting)
        # Held back for good: a replacement that is not a copied memory, then cycles.
        for target in list(waiting):
            if target not in seen:
                for raw, node in waiting.pop(target):
                    yield from self._place(self._no_replacement(raw, node), placed, waiting)
        while waiting:  # what is left waits in cycles, or behind one: break each cycle once
            held = {node.id: (raw, node) for items in waiting.values() for raw, node in items}
            raw, node = next(iter(waiting.values()))[0]
            chain = [node.id]
            while (target := node.superseded_by) is not None and target not in chain:
                raw, node = held[target]
                chain.append(node.id)
            assert target is not None  # a held memory waits for its replacement
            waiting[target].remove((raw, node))
            if not waiting[target]:
                del waiting[target]
            self._note("knowledge_nodes", raw, "superseded_by", "superseded_by forms a cycle: dropped")
            yield from self._place(replace(node, superseded_by=None), placed, waiting)
        self._copied = seen

    def _place(
        self,
        node: SourceNode,
        placed: set[uuid.UUID],
        waiting: dict[uuid.UUID, list[tuple[str, SourceNode]]],
    ) -> Iterator[SourceNode]:
        """Yield a memory, then the memories it held back (and theirs)."""
        ready = [node]
        while ready:
            current = ready.pop()
            placed.add(current.id)
            yield current
            ready.extend(node for _, node in reversed(waiting.pop(current.id, [])))

    def _no_replacement(self, raw: str, node: SourceNode) -> SourceNode:
        reason = f"superseded_by {node.superseded_by} is not a copied memory: dropped"
        self._note("knowledge_nodes", raw, "superseded_by", reason)
        return replace(node, superseded_by=None)

    def _node_rows(self) -> Iterator[dict[str, Any]]:
        """The memories' rows, each with its vector row's columns under _JOINED (or looked up)."""
        conn = self._conn()
        table = "embedding_profile_vectors" if self._profile is not None else "node_embeddings"
        joined = table in self._tables() and set(VECTOR_COLUMNS) <= self._columns(table)
        params = (self._profile[0],) if self._profile is not None else ()
        rows = conn.execute(NODES_WITH_VECTORS_SQL[table] if joined else NODES_SQL, params if joined else ())
        rows.row_factory = None  # plain tuples: a dict per row is made once, below
        names = [column[0] for column in rows.description]
        for row in rows:
            values = dict(zip(names, row, strict=True))
            if not joined:
                values.update(zip(_JOINED, self._vector_row(str(values.get("id"))), strict=True))
            yield values

    def _columns(self, table: str) -> set[str]:
        return {row[1] for row in self._conn().execute("SELECT * FROM pragma_table_info(?)", (table,))}

    def _copied_ids(self) -> set[uuid.UUID]:
        if self._copied is None:
            for _ in self.nodes():
                pass
        assert self._copied is not None
        return self._copied

    def edges(self) -> Iterator[SourceEdge]:
        """Yield the links whose both ends are copied memories."""
        if "memory_connections" not in self._tables():
            return
        copied = self._copied_ids()
        for row in self._conn().execute("SELECT * FROM memory_connections"):
            edge = self._map_edge(dict(row), copied)
            if edge is not None:
                yield edge

    def intentions(self) -> Iterator[SourceIntention]:
        """Yield the intentions, their related memories limited to copied ones."""
        if "intentions" not in self._tables():
            return
        copied = self._copied_ids()
        for row in self._conn().execute("SELECT * FROM intentions"):
            intention = self._map_intention(dict(row), copied)
            if intention is not None:
                yield intention

    # --- mapping -------------------------------------------------------------------------------

    def _map_node(self, values: dict[str, Any]) -> tuple[str, SourceNode] | None:
        vector_row = [values.pop(column, None) for column in _JOINED]
        raw_id = str(values.get("id"))
        warn = self._warner("knowledge_nodes", raw_id)
        node_id = _uuid(values.get("id"))
        if node_id is None:
            self._note("knowledge_nodes", raw_id, None, "id is not a UUID", skipped=True)
            return None
        content = self._content(values.get("content"), "knowledge_nodes", raw_id, warn)
        if content is None:
            return None
        node_type = values.get("node_type")
        if not isinstance(node_type, str) or not node_type.strip():
            warn("node_type", "node_type is empty: set to fact")
            node_type = "fact"
        elif len(node_type) > MAX_NODE_TYPE:
            warn("node_type", f"node_type is longer than {MAX_NODE_TYPE} characters: cut")
            node_type = node_type[:MAX_NODE_TYPE]
        scope = values.get("scope")
        codebase = scope.strip() if isinstance(scope, str) and scope.strip() not in ("", "user") else None
        valid_from = _optional_time(values, "valid_from", warn)
        valid_until = _optional_time(values, "valid_until", warn)
        if valid_from is not None and valid_until is not None and valid_until < valid_from:
            warn("valid_until", "valid_until is before valid_from: dropped")
            valid_until = None
        superseded_by = _uuid(values.get("superseded_by"))
        if superseded_by is None and values.get("superseded_by") not in (None, ""):
            warn("superseded_by", "superseded_by is not a UUID: dropped")
        times = {
            field: _required_time(values, field, fallbacks, self._now, warn)
            for field, fallbacks in (
                ("created_at", ("updated_at", "last_accessed")),
                ("updated_at", ("created_at", "last_accessed")),
                ("last_accessed", ("updated_at", "created_at")),
            )
        }
        stability = _number(values, "stability", warn)
        if stability is not None and stability <= 0:
            warn("stability", "stability is not positive: dropped")
            stability = None
        difficulty = _number(values, "difficulty", warn)
        if difficulty is not None and not 1 <= difficulty <= 10:
            warn("difficulty", f"difficulty {difficulty} is outside [1, 10]: clamped")
            difficulty = min(max(difficulty, 1.0), 10.0)
        state = str(values.get("learning_state") or "new").strip().lower()
        if state not in STATES:
            warn("learning_state", f"learning_state {state!r} is unknown: set to new")
            state = "new"
        if state != "new" and (stability is None or difficulty is None):
            warn("learning_state", f"learning_state {state} without stability and difficulty: set to new")
            state = "new"
        reps = _count(values, "reps", warn)
        retention = _clamped(values, "retention_strength", 1.0, 0.0, 1.0, warn)
        accessed = parse_timestamp(values.get("last_accessed"))
        provenance = {c: _json_value(values[c]) for c in PROVENANCE_COLUMNS if values.get(c) is not None}
        upstream = {
            c: v if type(v) is int else _json_value(v)  # most are counters: no conversion
            for c, v in values.items()
            if v is not None and c not in _MAPPED_NODE_COLUMNS
        }
        metadata = {k: v for k, v in (("provenance", provenance), ("upstream", upstream)) if v}
        vector, vector_label = self._vector(node_id, *vector_row)
        node = SourceNode(
            id=node_id,
            content=content,
            node_type=node_type,
            tags=_string_list(values.get("tags"), "tags", warn),
            source=_text(values.get("source")),
            metadata=metadata,
            domains=_string_list(values.get("domains"), "domains", warn),
            domain_scores=_json_object(values.get("domain_scores"), "domain_scores", warn),
            codebase=codebase,
            valid_from=valid_from,
            valid_until=valid_until,
            protected=bool(_number(values, "protected", warn)),
            superseded_by=superseded_by,
            storage_strength=_clamped(values, "storage_strength", 1.0, 0.0, math.inf, warn),
            retrieval_strength=_clamped(values, "retrieval_strength", 1.0, 0.0, 1.0, warn),
            retention_strength=retention,
            access_count=_count(values, "times_retrieved", warn),
            last_accessed=times["last_accessed"],
            created_at=times["created_at"],
            updated_at=times["updated_at"],
            stability=stability,
            difficulty=difficulty,
            state=state,
            reps=reps,
            lapses=_count(values, "lapses", warn),
            # last_accessed doubles upstream as the last review, but a card never reviewed has none.
            last_review=accessed if reps > 0 or state != "new" else None,
            next_review=_optional_time(values, "next_review", warn) or times["created_at"],
            retrievability=retention,
            vector=vector,
            vector_label=vector_label,
        )
        return raw_id, node

    def _map_edge(self, values: dict[str, Any], copied: set[uuid.UUID]) -> SourceEdge | None:
        raw_source, raw_target = values.get("source_id"), values.get("target_id")
        key = f"{raw_source}->{raw_target}"
        warn = self._warner("memory_connections", key)
        source_id, target_id = _uuid(raw_source), _uuid(raw_target)
        for end, raw, parsed in (("source", raw_source, source_id), ("target", raw_target, target_id)):
            if parsed is None or parsed not in copied:
                reason = f"edge to a missing node ({end} {raw} is not a copied memory)"
                self._note("memory_connections", key, None, reason, skipped=True)
                return None
        assert source_id is not None and target_id is not None
        if source_id == target_id:
            self._note("memory_connections", key, None, "edge from a memory to itself", skipped=True)
            return None
        edge_type = str(values.get("link_type") or "related").strip().lower()
        if not EDGE_TYPE.fullmatch(edge_type):
            warn("link_type", f"link_type {edge_type!r} is not a valid edge type: set to related")
            edge_type = "related"
        created_at = _required_time(values, "created_at", ("last_activated",), self._now, warn)
        return SourceEdge(
            source_id=source_id,
            target_id=target_id,
            edge_type=edge_type,
            weight=_clamped(values, "strength", 1.0, MIN_EDGE_WEIGHT, 1.0, warn),
            created_at=created_at,
            last_activated=_optional_time(values, "last_activated", warn),
            activation_count=_count(values, "activation_count", warn),
        )

    def _map_intention(self, values: dict[str, Any], copied: set[uuid.UUID]) -> SourceIntention | None:
        raw_id = str(values.get("id"))
        warn = self._warner("intentions", raw_id)
        intention_id = _uuid(values.get("id"))
        if intention_id is None:
            self._note("intentions", raw_id, None, "id is not a UUID", skipped=True)
            return None
        content = self._content(values.get("content"), "intentions", raw_id, warn)
        if content is None:
            return None
        fallbacks = ("updated_at", "last_reminded_at", "fulfilled_at")
        created_at = _required_time(values, "created_at", fallbacks, self._now, warn)
        deadline = _optional_time(values, "deadline", warn)
        trigger_type, trigger_data = map_trigger(
            values.get("trigger_type"), values.get("trigger_data"), created_at, deadline, warn
        )
        # Upstream columns with no home (fulfilled_at, reminder_count, notes, source_type, ...).
        extra = {
            c: _json_value(v)
            for c, v in values.items()
            if c not in _MAPPED_INTENTION_COLUMNS and v is not None
        }
        if extra:
            trigger_data["upstream_intention"] = extra
        priority = int(_clamped(values, "priority", 2.0, 1.0, 4.0, warn))
        status = str(values.get("status") or "active").strip().lower()
        if status not in INTENTION_STATUSES:
            warn("status", f"status {status!r} is unknown: set to active")
            status = "active"
        related: list[uuid.UUID] = []
        for item in _string_list(values.get("related_memories"), "related_memories", warn):
            memory_id = _uuid(item)
            if memory_id is None or memory_id not in copied:
                warn("related_memories", f"related memory {item} is not a copied memory: dropped")
            elif memory_id not in related:
                related.append(memory_id)
        changes = [
            t
            for t in (
                parse_timestamp(values.get(c)) for c in ("updated_at", "fulfilled_at", "last_reminded_at")
            )
            if t is not None
        ]
        return SourceIntention(
            id=intention_id,
            content=content,
            trigger_type=trigger_type,
            trigger_data=trigger_data,
            priority=priority,
            status=status,
            deadline=deadline,
            snoozed_until=_optional_time(values, "snoozed_until", warn),
            tags=_string_list(values.get("tags"), "tags", warn),
            related_memory_ids=related,
            created_at=created_at,
            updated_at=max([created_at, *changes]),
        )

    def _content(self, value: object, table: str, row_id: str, warn: Warn) -> str | None:
        text = _text(value)
        if isinstance(value, str) and "\x00" in value:
            warn("content", "content has NUL characters: removed")
        if text is None or not text.strip():
            self._note(table, row_id, None, "empty content", skipped=True)
            return None
        if len(text.encode()) > self.content_limit:
            too_large = f"content is larger than {self.content_limit} bytes"
            self._note(table, row_id, None, too_large, skipped=True)
            return None
        return text

    def _vector_row(self, raw_id: str) -> tuple[object, object, object]:
        """(embedding, dimensions, model) of a memory's vector row, looked up alone (None: none)."""
        conn = self._conn()
        if self._profile is not None:
            row = conn.execute(
                "SELECT * FROM embedding_profile_vectors WHERE profile_id = ? AND node_id = ?",
                (self._profile[0], raw_id),
            ).fetchone()
        elif "node_embeddings" in self._tables():
            row = conn.execute("SELECT * FROM node_embeddings WHERE node_id = ?", (raw_id,)).fetchone()
        else:
            return None, None, None
        values = dict(row) if row is not None else {}
        return values.get("embedding"), values.get("dimensions"), values.get("model")

    def _vector(
        self, node_id: uuid.UUID, blob: object, dimensions: object, label: object
    ) -> tuple[bytes | None, str | None]:
        """The vector of a memory's vector row, checked (None when it has none or a bad one)."""
        if blob is None and dimensions is None and label is None:
            return None, None
        table = "embedding_profile_vectors" if self._profile is not None else "node_embeddings"
        if not isinstance(blob, bytes) or not blob or len(blob) % 4:
            size = len(blob) if isinstance(blob, bytes | str) else 0
            self._note(
                table,
                str(node_id),
                "embedding",
                f"truncated vector blob ({size} bytes): dropped, re-embed it",
            )
            return None, None
        width = len(blob) // 4
        if dimensions not in (None, width):
            self._note(
                table,
                str(node_id),
                "dimensions",
                f"dimensions says {dimensions} but the blob holds {width} floats: the blob wins",
            )
        if not np.isfinite(np.frombuffer(blob, dtype="<f4")).all():
            self._note(
                table, str(node_id), "embedding", "vector has NaN or infinite values: dropped, re-embed it"
            )
            return None, None
        if self._profile is not None and self._profile[1]:
            label = self._profile[1]
        return blob, label if isinstance(label, str) and label.strip() else None

    # --- plumbing ------------------------------------------------------------------------------

    def _active_profile(self, tables: set[str]) -> tuple[str, str | None] | None:
        if not {"embedding_profile_state", "embedding_profile_vectors"} <= tables:
            return None
        conn = self._conn()
        state = conn.execute("SELECT * FROM embedding_profile_state LIMIT 1").fetchone()
        active = dict(state).get("active_profile_id") if state is not None else None
        if not isinstance(active, str) or not active:
            return None
        model = None
        if "embedding_profiles" in tables:
            profile = conn.execute(
                "SELECT * FROM embedding_profiles WHERE profile_id = ?", (active,)
            ).fetchone()
            model = dict(profile).get("model_id") if profile is not None else None
        return active, model if isinstance(model, str) else None

    def _tables(self) -> set[str]:
        if self._table_names is None:
            rows = self._conn().execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            self._table_names = {row[0] for row in rows}
        return self._table_names

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise SourceStoreError("the snapshot is not open: `with Snapshot(path, limit) as snapshot: ...`")
        return self._db

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _note(
        self, table: str, row_id: str, field: str | None, reason: str, *, skipped: bool = False
    ) -> None:
        problem = Problem(table, row_id, field, reason, skipped)
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)

    def _warner(self, table: str, row_id: str) -> Warn:
        return lambda field, reason: self._note(table, row_id, field, reason)


# --- field helpers: each returns a valid value and reports what it had to change ---------------


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _hash_files(path: Path) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for suffix in ("", "-wal", "-shm"):
        file = _sibling(path, suffix)
        if file.is_file():
            digest = hashlib.sha256()
            with file.open("rb") as stream:
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(chunk)
            hashes[suffix] = digest.hexdigest()
    return hashes


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value).strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def _text(value: object) -> str | None:
    """Text without NUL characters (PostgreSQL text cannot hold them), or None."""
    return value.replace("\x00", "") if isinstance(value, str) else None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _NotFinite(Exception):
    """A JSON text holds NaN or Infinity, which jsonb cannot hold."""


def _refuse(constant: str) -> Any:
    raise _NotFinite(constant)


_JSON = json.JSONDecoder(parse_constant=_refuse)


def _load_json(raw: object) -> Any:
    """Parse JSON text; NaN and Infinity are refused (jsonb cannot hold them). Malformed, or nested
    deeper than Python's parser goes -> None."""
    try:
        if isinstance(raw, str):
            return _JSON.decode(raw)
        return json.loads(raw, parse_constant=_refuse) if isinstance(raw, bytes) else None
    except (ValueError, _NotFinite, RecursionError):
        return None


def _json_value(value: object) -> object:
    """A SQLite value as a jsonb-safe JSON value."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return _text(value) if isinstance(value, str) else value


def _string_list(raw: object, field: str, warn: Warn) -> list[str]:
    if raw is None:
        return []
    value = _load_json(raw)
    if not isinstance(value, list):
        warn(field, f"{field} is not a JSON array: dropped")
        return []
    items = [text for item in value if (text := _text(item)) is not None]
    if len(items) != len(value):
        warn(field, f"{field} has items that are not strings: dropped them")
    return items


def _json_object(raw: object, field: str, warn: Warn) -> dict[str, Any]:
    if raw is None:
        return {}
    value = _load_json(raw)
    if not isinstance(value, dict):
        warn(field, f"{field} is not a JSON object: dropped")
        return {}
    return value


def _optional_time(values: dict[str, Any], field: str, warn: Warn) -> datetime | None:
    raw = values.get(field)
    parsed = parse_timestamp(raw)
    if parsed is None and raw not in (None, ""):
        warn(field, f"{field} is not a timestamp ({_shown(raw)}): dropped")
    return parsed


def _required_time(
    values: dict[str, Any], field: str, fallbacks: tuple[str, ...], now: datetime, warn: Warn
) -> datetime:
    """Parse a required timestamp; a bad one falls back to the first good fallback field, then to now."""
    parsed = parse_timestamp(values.get(field))
    if parsed is not None:
        return parsed
    found = ((f, t) for f in fallbacks if (t := parse_timestamp(values.get(f))) is not None)
    fallback, value = next(found, ("the time of the copy", now))
    problem = "is missing" if values.get(field) is None else f"is not a timestamp ({_shown(values[field])})"
    warn(field, f"{field} {problem}: used {fallback}")
    return value


def _number(values: dict[str, Any], field: str, warn: Warn) -> float | None:
    raw = values.get(field)
    if raw is None:
        return None
    try:
        number = float(raw)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        warn(field, f"{field} is not a number ({_shown(raw)}): dropped")
        return None
    return number


def _clamped(
    values: dict[str, Any], field: str, default: float, low: float, high: float, warn: Warn
) -> float:
    number = _number(values, field, warn)
    if number is None:
        return default
    if not low <= number <= high:
        warn(field, f"{field} {number} is outside [{low}, {high}]: clamped")
        number = min(max(number, low), high)
    return number


def _count(values: dict[str, Any], field: str, warn: Warn) -> int:
    return int(_clamped(values, field, 0.0, 0.0, MAX_INT, warn))

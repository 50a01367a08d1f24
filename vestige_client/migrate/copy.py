"""`vestige migrate copy`: an upstream Vestige SQLite store into this project's database.

The source is read from a snapshot (vestige_client.migrate.source); rows go in batches through
`COPY … (FORMAT BINARY)` into the staging tables and `vestige.import_apply` moves each batch
into the memory tables, one transaction per batch. Re-running adds nothing that is there
already, so an interrupted copy converges when it is run again. Before anything is embedded or
staged, every text is judged by the database's secret detector (vestige.find_secrets): under
`[ingest] secrets = "refuse"` a memory or intention that holds a secret is not copied, under
"redact" it is copied with each secret replaced by [REDACTED:kind]; the report lists each secret
(row, kind, position, never the value). docs/migrate.md describes the mapping and the report.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, LiteralString, TypeVar

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from vestige_client import db, sql
from vestige_client.client import Client
from vestige_client.config import SecretPolicy, Settings
from vestige_client.embed import Vector, split_model_spec
from vestige_client.errors import SourceUpgradeRequired
from vestige_client.migrate import take_migrate_lock
from vestige_client.migrate.source import (
    Problem,
    Snapshot,
    SourceEdge,
    SourceIntention,
    SourceNode,
    canonical_model,
)
from vestige_client.models import Applied, SecretFound

T = TypeVar("T")
REFUSED_HINT = 'remove it from the source, or copy with [ingest] secrets = "redact"'
Progress = Callable[[str, int, int], None]  # (table, done, total)
Staged = tuple[LiteralString, list[str], str, list[tuple[Any, ...]]]  # COPY, its types, table, rows

NODE_TYPES = [
    "uuid", "text", "text", "text[]", "text", "jsonb", "text[]", "jsonb", "text", "timestamptz",
    "timestamptz", "bool", "uuid", "float8", "float8", "float8", "int4", "timestamptz", "timestamptz",
    "timestamptz", "vector", "float8", "float8", "float8", "text", "int4", "int4", "timestamptz",
    "timestamptz",
]  # fmt: skip
EDGE_TYPES = ["uuid", "uuid", "text", "float8", "timestamptz", "timestamptz", "int4"]
INTENTION_TYPES = [
    "uuid", "text", "text", "jsonb", "int4", "text", "timestamptz", "timestamptz", "text[]", "uuid[]",
    "timestamptz", "timestamptz",
]  # fmt: skip


@dataclass(frozen=True)
class CopyOptions:
    """What `vestige migrate copy` was asked to do."""

    source: Path
    dry_run: bool = False
    batch_size: int = 500
    allow_source_upgrade: bool = False
    reembed: bool = False
    source_model: str | None = None
    owner: str | None = None
    update: bool = False


@dataclass
class TableCount:
    """Source rows of one table against what the target holds after the copy."""

    table: str
    source: int
    inserted: int = 0
    updated: int = 0
    present: int = 0
    skipped: int = 0
    in_target: int = 0


@dataclass(frozen=True)
class SourceSecret:
    """A secret in a source row: where, what kind, and what the copy did (never the value).

    `position` is the character (from 1) in the source text; `action` is "refused" (the row is
    not copied) or "redacted" (copied with [REDACTED:kind] in its place).
    """

    table: str
    id: uuid.UUID
    kind: str
    position: int
    action: str


@dataclass
class CopyReport:
    """Everything the copy did or, with --dry-run, would do."""

    source: str
    schema_version: int | None
    dry_run: bool
    wal_nonempty: bool
    source_unchanged: bool | None = None
    owner_user_id: uuid.UUID | None = None
    target_model: str | None = None
    target_dimension: int | None = None
    tables: list[TableCount] = field(default_factory=list)
    vectors_copied: int = 0
    vectors_truncated: int = 0
    vectors_embedded: int = 0
    vectors_filled: int = 0  # memories copied earlier without a vector that got one now
    without_vector: list[uuid.UUID] = field(default_factory=list)
    not_copied_by_design: list[str] = field(default_factory=list)
    secrets: list[SourceSecret] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    index_built: bool = False
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        """Rows that could not be copied at all."""
        return sum(1 for p in self.problems if p.skipped)


@dataclass(frozen=True)
class _VectorPlan:
    """How source vectors map onto the registered model."""

    base: str
    dimension: int
    truncates: bool  # the registered model is a Matryoshka truncation (name@N)
    source_model: str | None

    def convert(self, node: SourceNode) -> tuple[Vector | None, bool]:
        """The vector to store for a node (or None), and whether it was truncated."""
        if node.vector is None:
            return None, False
        vector = np.frombuffer(node.vector, dtype="<f4").astype(np.float32)
        if canonical_model(node.vector_label, len(vector), self.source_model) != self.base:
            return None, False
        if len(vector) == self.dimension:
            return vector, False
        if self.truncates and len(vector) > self.dimension:
            head = vector[: self.dimension]
            norm = float(np.linalg.norm(head))
            return (head / norm if norm > 0 else head), True
        return None, False


def copy_store(settings: Settings, options: CopyOptions, progress: Progress | None = None) -> CopyReport:
    """Copy (or with dry_run, check) a Vestige SQLite store into the configured database."""
    started = time.monotonic()
    if not options.dry_run and not options.allow_source_upgrade:
        raise SourceUpgradeRequired(
            "Vestige SQLite stores have no owner, visibility or groups; this database does",
            hint="run again with --allow-source-upgrade: every memory is then owned by --owner "
            "(default: the configured user), private and in no group; the source is never changed",
        )
    with (
        db.operator(settings) as operator,
        # The reader skips a text the database would refuse: it judges with the database's limit.
        Snapshot(options.source, int(db.scalar(operator.conn, sql.CONTENT_LIMIT))) as snap,
        Client.open(settings) as client,
    ):
        report = CopyReport(
            source=str(options.source),
            schema_version=snap.schema_version,
            dry_run=options.dry_run,
            wal_nonempty=snap.wal_nonempty,
        )
        counts = snap.table_counts()
        report.not_copied_by_design = snap.not_copied_by_design()
        source_nodes = list(snap.nodes())
        edges, source_intentions = list(snap.edges()), list(snap.intentions())
        screen = _SecretScreen(operator.conn, settings.ingest.secrets, options.batch_size)
        nodes = screen.nodes(source_nodes)
        intentions = screen.intentions(source_intentions)
        report.secrets = screen.found
        owner = _owner(client, options.owner)
        report.owner_user_id = owner
        registered = client.registered_model()
        if options.dry_run:
            # Plan against the model a real copy would register, without registering it.
            name, dimension = (registered.name, registered.dimension) if registered else (
                client.embedder.name, client.embedder.dimension)  # fmt: skip
            model_hash = ""
        else:
            # Copying existing vectors needs only the model's signature, not the model itself.
            model_hash = client.model_hash(verify=options.reembed)
            name, dimension = client.embedder.name, client.embedder.dimension
        base, truncated_to = split_model_spec(name)
        plan = _VectorPlan(base, dimension, truncated_to is not None, options.source_model)
        report.target_model, report.target_dimension = name, dimension

        vectors: list[Vector | None] = []
        for node in nodes:
            vector, truncated = plan.convert(node)
            vectors.append(vector)
            report.vectors_copied += vector is not None
            report.vectors_truncated += truncated
        missing = [i for i, v in enumerate(vectors) if v is None]
        if options.reembed and missing and not options.dry_run:
            embedded = client.embedder.embed_documents([nodes[i].content for i in missing])
            for i, vector in zip(missing, embedded, strict=True):
                vectors[i] = vector
            report.vectors_embedded = len(missing)
        report.without_vector = [nodes[i].id for i, v in enumerate(vectors) if v is None]

        node_count = TableCount("knowledge_nodes", counts.get("knowledge_nodes", 0))
        edge_count = TableCount("memory_connections", counts.get("memory_connections", 0))
        intention_count = TableCount("intentions", counts.get("intentions", 0))
        report.tables = [node_count, edge_count, intention_count]
        conn = operator.conn
        conn.autocommit = False
        register_vector(conn)
        if not options.dry_run:
            node_rows = list(map(_node_row, nodes, vectors))
            edge_rows = list(map(_edge_row, edges))
            intention_rows = list(map(_intention_row, intentions))
            staged: list[Staged] = [
                (sql.COPY_IMPORT_NODES, NODE_TYPES, "knowledge_nodes", node_rows),
                (sql.COPY_IMPORT_EDGES, EDGE_TYPES, "memory_connections", edge_rows),
                (sql.COPY_IMPORT_INTENTIONS, INTENTION_TYPES, "intentions", intention_rows),
            ]
            apply = {"owner": owner, "model_hash": model_hash, "update": options.update}
            _load(conn, staged, apply, options.batch_size, report, progress)
        _count_present(conn, source_nodes, edges, source_intentions, report)
        report.problems = [*snap.problems, *screen.problems]
        for table in report.tables:
            table.skipped = sum(1 for p in report.problems if p.skipped and p.table == table.table)
    report.source_unchanged = snap.source_unchanged
    report.seconds = time.monotonic() - started
    return report


class _SecretScreen:
    """The source rows judged by vestige.find_secrets, a batch of texts per call, before anything is
    embedded or staged: a row with a secret is left out ("refuse") or redacted ("redact")."""

    def __init__(self, conn: psycopg.Connection[Any], policy: SecretPolicy, batch_size: int) -> None:
        self._conn = conn
        self._redact = policy == "redact"
        self._batch_size = batch_size
        self.found: list[SourceSecret] = []
        self.problems: list[Problem] = []

    def nodes(self, nodes: Sequence[SourceNode]) -> list[SourceNode]:
        """The memories to copy; a redacted one loses its source vector (made from the secret)."""
        flagged = self._judge("knowledge_nodes", [n.content for n in nodes], [n.id for n in nodes])
        if not self._redact:
            return [n for i, n in enumerate(nodes) if i not in flagged]
        texts = self._redacted([nodes[i].content for i in flagged])
        redacted = {
            i: replace(nodes[i], content=t, vector=None, vector_label=None)
            for i, t in zip(flagged, texts, strict=True)
        }
        return [redacted.get(i, n) for i, n in enumerate(nodes)]

    def intentions(self, intentions: Sequence[SourceIntention]) -> list[SourceIntention]:
        """The intentions to copy."""
        flagged = self._judge("intentions", [i.content for i in intentions], [i.id for i in intentions])
        if not self._redact:
            return [x for i, x in enumerate(intentions) if i not in flagged]
        texts = self._redacted([intentions[i].content for i in flagged])
        redacted = {i: replace(intentions[i], content=t) for i, t in zip(flagged, texts, strict=True)}
        return [redacted.get(i, x) for i, x in enumerate(intentions)]

    def _judge(self, table: str, contents: Sequence[str], ids: Sequence[uuid.UUID]) -> dict[int, None]:
        """Record the secrets of these texts in the report; return the indexes holding one (in order)."""
        secrets: dict[int, list[SecretFound]] = {}
        for done, batch in _batches(contents, self._batch_size):
            cursor = self._conn.cursor(row_factory=class_row(SecretFound))
            for secret in cursor.execute(sql.FIND_SECRETS, {"contents": list(batch)}):
                secrets.setdefault(done - len(batch) + secret.ordinal - 1, []).append(secret)
        action = "redacted" if self._redact else "refused"
        for index, found in sorted(secrets.items()):
            self.found += [SourceSecret(table, ids[index], s.kind, s.position, action) for s in found]
            where = ", ".join(f"{s.kind} at character {s.position}" for s in found)
            refused = f"holds a secret ({where}): not copied ({REFUSED_HINT})"
            reason = f"redacted {where}" if self._redact else refused
            self.problems.append(Problem(table, str(ids[index]), "content", reason, not self._redact))
        return dict.fromkeys(sorted(secrets))

    def _redacted(self, contents: Sequence[str]) -> list[str]:
        """The texts with each secret replaced by [REDACTED:kind] (vestige.redact_secrets), in order."""
        texts: list[str] = []
        for _, batch in _batches(contents, self._batch_size):
            texts += [row[0] for row in self._conn.execute(sql.REDACT_TEXTS, {"contents": list(batch)})]
        return texts


def _owner(client: Client, owner: str | None) -> uuid.UUID:
    return client.user_id if owner is None else client.resolve_user(owner)


def _load(
    conn: psycopg.Connection[Any],
    staged: Sequence[Staged],
    apply: dict[str, Any],
    batch_size: int,
    report: CopyReport,
    progress: Progress | None,
) -> None:
    """Stage and apply every batch, then rebuild the index (also when a batch fails)."""
    take_migrate_lock(conn)
    db.scalar(conn, sql.IMPORT_BEGIN)
    conn.commit()
    totals = Applied()
    try:
        for copy, types, table, rows in staged:
            for done, batch in _batches(rows, batch_size):
                totals += _apply(conn, copy, types, batch, apply)
                if progress:
                    progress(table, done, len(rows))
    finally:
        # Also after a failed batch: never leave the target without its HNSW index.
        conn.rollback()
        report.index_built = bool(db.scalar(conn, sql.IMPORT_FINISH))
        conn.commit()
        db.scalar(conn, sql.MIGRATE_UNLOCK)
        conn.commit()
    node_count, edge_count, intention_count = report.tables
    node_count.inserted, node_count.updated = totals.memories_inserted, totals.memories_updated
    node_count.present, report.vectors_filled = totals.memories_present, totals.vectors_filled
    edge_count.inserted, edge_count.present = totals.edges_inserted, totals.edges_present
    intention_count.inserted, intention_count.present = totals.intentions_inserted, totals.intentions_present


def _apply(
    conn: psycopg.Connection[Any],
    copy: Any,
    types: list[str],
    batch: Sequence[tuple[Any, ...]],
    apply: dict[str, Any],
) -> Applied:
    """One batch in one transaction: COPY into staging, then vestige.import_apply."""
    with conn.transaction(), conn.cursor(row_factory=class_row(Applied)) as cur:
        with cur.copy(copy) as writer:
            writer.set_types(types)
            for row in batch:
                writer.write_row(row)
        applied = cur.execute(sql.IMPORT_APPLY, apply).fetchone()
        assert applied is not None
        return applied


def _count_present(
    conn: psycopg.Connection[Any],
    nodes: Sequence[SourceNode],
    edges: Sequence[SourceEdge],
    intentions: Sequence[SourceIntention],
    report: CopyReport,
) -> None:
    """How many of the source's rows the target holds (before a dry run, after a copy)."""
    node_count, edge_count, intention_count = report.tables
    node_count.in_target = int(db.scalar(conn, sql.COUNT_NODES_PRESENT, {"ids": [n.id for n in nodes]}))
    params = {"sources": [e.source_id for e in edges], "targets": [e.target_id for e in edges]}
    edge_count.in_target = int(db.scalar(conn, sql.COUNT_EDGES_PRESENT, params))
    intention_ids = {"ids": [i.id for i in intentions]}
    intention_count.in_target = int(db.scalar(conn, sql.COUNT_INTENTIONS_PRESENT, intention_ids))
    conn.commit()


def _batches(rows: Sequence[T], size: int) -> Iterator[tuple[int, Sequence[T]]]:
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        yield start + len(batch), batch


def _node_row(n: SourceNode, vector: Vector | None) -> tuple[Any, ...]:
    return (
        n.id, n.content, n.node_type, n.tags, n.source, Jsonb(n.metadata), n.domains, Jsonb(n.domain_scores),
        n.codebase, n.valid_from, n.valid_until, n.protected, n.superseded_by, n.storage_strength,
        n.retrieval_strength, n.retention_strength, n.access_count, n.last_accessed, n.created_at,
        n.updated_at, vector, n.stability, n.difficulty, n.retrievability, n.state, n.reps, n.lapses,
        n.last_review, n.next_review,
    )  # fmt: skip


def _edge_row(e: SourceEdge) -> tuple[Any, ...]:
    return (
        e.source_id,
        e.target_id,
        e.edge_type,
        e.weight,
        e.created_at,
        e.last_activated,
        e.activation_count,
    )


def _intention_row(i: SourceIntention) -> tuple[Any, ...]:
    return (
        i.id, i.content, i.trigger_type, Jsonb(i.trigger_data), i.priority, i.status, i.deadline,
        i.snoozed_until, i.tags, i.related_memory_ids, i.created_at, i.updated_at,
    )  # fmt: skip

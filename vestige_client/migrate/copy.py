"""`vestige migrate copy`: an upstream Vestige SQLite store into this project's database.

The source is read from a snapshot (vestige_client.migrate.source) in a thread of its own, a few
batches ahead of the writer; rows go in batches through `COPY … (FORMAT BINARY)` into the staging
tables and `vestige.import_apply` moves each batch into the memory tables, one transaction per
batch. On an empty target `vestige.import_begin` drops the HNSW and secondary indexes and
`vestige.import_finish` builds them once at the end. Re-running adds nothing that is there
already, so an interrupted copy converges when it is run again. The database judges every staged
text with its secret detector (vestige.find_secrets, in import_apply): under `[ingest] secrets =
"refuse"` a memory or intention that holds a secret is not copied, under "redact" it is copied with
each secret replaced by [REDACTED:kind]; the report lists each secret (row, kind, position, never
the value). docs/migrate.md describes the mapping and the report.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, LiteralString, Self, TypeVar, cast

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from vestige_client import db, sql
from vestige_client.client import Client
from vestige_client.config import Settings
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
COPIED = ("knowledge_nodes", "memory_connections", "intentions")  # the tables of the report, in order
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
        report.tables = [TableCount(table, counts.get(table, 0)) for table in COPIED]
        conn = operator.conn
        conn.autocommit = False
        register_vector(conn)
        apply = {
            "owner": owner,
            "model_hash": model_hash,
            "update": options.update,
            "secrets": "redact" if settings.ingest.secrets == "redact" else "skip",
        }
        copier = _Copier(conn, client, options, plan, apply, report, progress)
        copier.run(snap)
        report.problems = [*snap.problems, *copier.problems]
        for table in report.tables:
            table.skipped = sum(1 for p in report.problems if p.skipped and p.table == table.table)
    report.source_unchanged = snap.source_unchanged
    report.seconds = time.monotonic() - started
    return report


@dataclass(frozen=True)
class _Nodes:
    nodes: list[SourceNode]


@dataclass(frozen=True)
class _Edges:
    edges: list[SourceEdge]


@dataclass(frozen=True)
class _Intentions:
    intentions: list[SourceIntention]


_Batch = _Nodes | _Edges | _Intentions


class _Copier:
    """The copy itself: batches read and mapped in a thread of their own (`_Ahead`) while this one
    stages and applies the batch before, one transaction per batch.

    The database judges every staged text for secrets (vestige.import_apply, by [ingest] secrets).
    The copy judges a batch itself (vestige.find_secrets) only where it must know first: in a dry
    run, which applies nothing, and with --reembed, which embeds nothing that holds a secret.
    """

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        client: Client,
        options: CopyOptions,
        plan: _VectorPlan,
        apply: dict[str, Any],
        report: CopyReport,
        progress: Progress | None,
    ) -> None:
        self._conn = conn
        self._client = client
        self._options = options
        self._plan = plan
        self._apply = apply
        self._report = report
        self._progress = progress
        self._screen = _SecretScreen(conn, apply["secrets"] == "redact", options.batch_size)
        self._judge = options.dry_run or options.reembed
        self._done: dict[str, int] = {}
        self._totals = Applied()
        self.problems: list[Problem] = []
        # What the source holds, for the counts of the report (in_target).
        self._node_ids: list[uuid.UUID] = []
        self._edge_ends: tuple[list[uuid.UUID], list[uuid.UUID]] = ([], [])
        self._intention_ids: list[uuid.UUID] = []

    def run(self, snap: Snapshot) -> None:
        """Read, stage and apply everything (or with dry_run only read and judge), then count."""
        with _Ahead(_read(snap, self._options.batch_size), depth=4) as batches:
            if self._options.dry_run:
                for batch in batches:
                    self._take(batch)
            else:
                self._load(batches)
        self._count_present()
        self.problems = self._screen.problems + self.problems
        self._report.secrets = self._screen.found + self._report.secrets

    def _load(self, batches: Iterable[_Batch]) -> None:
        """Stage and apply every batch, then build the indexes (also when a batch fails)."""
        conn = self._conn
        take_migrate_lock(conn)
        db.scalar(conn, sql.IMPORT_BEGIN)
        conn.commit()
        try:
            for batch in batches:
                self._take(batch)
        finally:
            # Also after a failed batch: never leave the target without its indexes.
            conn.rollback()
            self._report.index_built = bool(db.scalar(conn, sql.IMPORT_FINISH))
            conn.commit()
            db.scalar(conn, sql.MIGRATE_UNLOCK)
            conn.commit()
        node_count, edge_count, intention_count = self._report.tables
        totals = self._totals
        node_count.inserted, node_count.updated = totals.memories_inserted, totals.memories_updated
        node_count.present, self._report.vectors_filled = totals.memories_present, totals.vectors_filled
        edge_count.inserted, edge_count.present = totals.edges_inserted, totals.edges_present
        intention_count.inserted, intention_count.present = (
            totals.intentions_inserted,
            totals.intentions_present,
        )

    def _take(self, batch: _Batch) -> None:
        if isinstance(batch, _Nodes):
            self._node_ids += [n.id for n in batch.nodes]
            self._nodes(batch.nodes)
            self._advance("knowledge_nodes", len(batch.nodes))
        elif isinstance(batch, _Edges):
            self._edge_ends[0].extend(e.source_id for e in batch.edges)
            self._edge_ends[1].extend(e.target_id for e in batch.edges)
            rows = list(map(_edge_row, batch.edges))
            if not self._options.dry_run:
                self._stage(sql.COPY_IMPORT_EDGES, EDGE_TYPES, rows)
            self._advance("memory_connections", len(rows))
        else:
            self._intention_ids += [i.id for i in batch.intentions]
            intentions = self._screen.intentions(batch.intentions) if self._judge else batch.intentions
            if not self._options.dry_run:
                self._stage(
                    sql.COPY_IMPORT_INTENTIONS, INTENTION_TYPES, list(map(_intention_row, intentions))
                )
            self._advance("intentions", len(batch.intentions))

    def _nodes(self, source: list[SourceNode]) -> None:
        """One batch of memories: their vectors matched to the model (embedded with --reembed), staged."""
        report = self._report
        nodes = self._screen.nodes(source) if self._judge else source
        vectors: list[Vector | None] = []
        for node in nodes:
            vector, truncated = self._plan.convert(node)
            vectors.append(vector)
            report.vectors_copied += vector is not None
            report.vectors_truncated += truncated
        missing = [i for i, v in enumerate(vectors) if v is None]
        if self._options.reembed and missing and not self._options.dry_run:
            embedded = self._client.embedder.embed_documents([nodes[i].content for i in missing])
            for i, vector in zip(missing, embedded, strict=True):
                vectors[i] = vector
            report.vectors_embedded += len(missing)
        if self._options.dry_run:
            report.without_vector += [n.id for n, v in zip(nodes, vectors, strict=True) if v is None]
            return
        applied = self._stage(sql.COPY_IMPORT_NODES, NODE_TYPES, list(map(_node_row, nodes, vectors)))
        # A memory with a secret was left out by the database, or redacted without its vector.
        flagged = {uuid.UUID(s["id"]) for s in applied.secrets if s["item"] == "memory"}
        redact = self._apply["secrets"] == "redact"
        for node, vector in zip(nodes, vectors, strict=True):
            report.vectors_copied -= node.id in flagged and vector is not None
            if vector is None or (node.id in flagged and redact):
                report.without_vector.append(node.id)

    def _stage(self, copy: LiteralString, types: list[str], rows: Sequence[tuple[Any, ...]]) -> Applied:
        """One batch in one transaction: COPY into staging, then vestige.import_apply."""
        with self._conn.transaction(), self._conn.cursor(row_factory=class_row(Applied)) as cur:
            with cur.copy(copy) as writer:
                writer.set_types(types)
                for row in rows:
                    writer.write_row(row)
            applied = cur.execute(sql.IMPORT_APPLY, self._apply).fetchone()
        assert applied is not None
        self._totals += applied
        self._record(applied.secrets)
        return applied

    def _record(self, secrets: list[dict[str, Any]]) -> None:
        """The secrets the database found in a batch, in the report (a row per memory or intention)."""
        redact = self._apply["secrets"] == "redact"
        action = "redacted" if redact else "refused"
        rows: dict[tuple[str, uuid.UUID], list[dict[str, Any]]] = {}
        for secret in secrets:
            table = "knowledge_nodes" if secret["item"] == "memory" else "intentions"
            rows.setdefault((table, uuid.UUID(secret["id"])), []).append(secret)
        for (table, row_id), found in rows.items():
            self._report.secrets += [
                SourceSecret(table, row_id, s["kind"], s["position"], action) for s in found
            ]
            self.problems.append(_secret_problem(table, row_id, found, redact))

    def _advance(self, table: str, rows: int) -> None:
        self._done[table] = self._done.get(table, 0) + rows
        if self._progress:
            total = next(t.source for t in self._report.tables if t.table == table)
            self._progress(table, self._done[table], max(total, self._done[table]))

    def _count_present(self) -> None:
        """How many of the source's rows the target holds (before a dry run, after a copy)."""
        conn, (node_count, edge_count, intention_count) = self._conn, self._report.tables
        node_count.in_target = int(db.scalar(conn, sql.COUNT_NODES_PRESENT, {"ids": self._node_ids}))
        params = {"sources": self._edge_ends[0], "targets": self._edge_ends[1]}
        edge_count.in_target = int(db.scalar(conn, sql.COUNT_EDGES_PRESENT, params))
        intention_ids = {"ids": self._intention_ids}
        intention_count.in_target = int(db.scalar(conn, sql.COUNT_INTENTIONS_PRESENT, intention_ids))
        conn.commit()


def _read(snap: Snapshot, batch_size: int) -> Iterator[_Batch]:
    """The store in batches: memories, then edges and intentions (which need every memory read)."""
    for nodes in _chunks(snap.nodes(), batch_size):
        yield _Nodes(nodes)
    for edges in _chunks(snap.edges(), batch_size):
        yield _Edges(edges)
    for intentions in _chunks(snap.intentions(), batch_size):
        yield _Intentions(intentions)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class _Ahead(Generic[T]):
    """An iterator run in a thread of its own, up to `depth` items ahead of its reader: the store is
    read and mapped while the database applies the batch before. An error in the thread is raised
    to the reader; leaving the `with` block stops the thread."""

    def __init__(self, items: Iterator[T], depth: int) -> None:
        self._items = items
        self._queue: queue.Queue[tuple[bool, T | None, BaseException | None]] = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vestige-copy-reader", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def __iter__(self) -> Iterator[T]:
        while True:
            done, item, error = self._queue.get()
            if error is not None:
                failed: Future[None] = Future()  # the standard hand-over of a thread's error
                failed.set_exception(error)
                failed.result()  # raises it here, in the reader
            if done:
                return
            yield cast(T, item)

    def _run(self) -> None:
        try:
            for item in self._items:
                if not self._put((False, item, None)):
                    return
            self._put((True, None, None))
        except BaseException as exc:  # handed to the reader, which raises it
            self._put((True, None, exc))

    def _put(self, entry: tuple[bool, T | None, BaseException | None]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False


class _SecretScreen:
    """The source rows judged by vestige.find_secrets, a batch of texts per call, before anything is
    embedded or staged: a row with a secret is left out ("refuse") or redacted ("redact")."""

    def __init__(self, conn: psycopg.Connection[Any], redact: bool, batch_size: int) -> None:
        self._conn = conn
        self._redact = redact
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
        with self._conn.transaction():  # closed here: each batch's own transaction comes after
            for done, batch in _batches(contents, self._batch_size):
                cursor = self._conn.cursor(row_factory=class_row(SecretFound))
                for secret in cursor.execute(sql.FIND_SECRETS, {"contents": list(batch)}):
                    secrets.setdefault(done - len(batch) + secret.ordinal - 1, []).append(secret)
        action = "redacted" if self._redact else "refused"
        for index, found in sorted(secrets.items()):
            self.found += [SourceSecret(table, ids[index], s.kind, s.position, action) for s in found]
            self.problems.append(_secret_problem(table, ids[index], found, self._redact))
        return dict.fromkeys(sorted(secrets))

    def _redacted(self, contents: Sequence[str]) -> list[str]:
        """The texts with each secret replaced by [REDACTED:kind] (vestige.redact_secrets), in order."""
        texts: list[str] = []
        with self._conn.transaction():
            for _, batch in _batches(contents, self._batch_size):
                texts += [row[0] for row in self._conn.execute(sql.REDACT_TEXTS, {"contents": list(batch)})]
        return texts


def _owner(client: Client, owner: str | None) -> uuid.UUID:
    return client.user_id if owner is None else client.resolve_user(owner)


def _secret_problem(table: str, row_id: uuid.UUID, found: Sequence[Any], redact: bool) -> Problem:
    """The line of the report for a row that holds secrets (their kinds and positions, never a value)."""
    where = ", ".join(f"{_field(s, 'kind')} at character {_field(s, 'position')}" for s in found)
    refused = f"holds a secret ({where}): not copied ({REFUSED_HINT})"
    return Problem(table, str(row_id), "content", f"redacted {where}" if redact else refused, not redact)


def _field(secret: Any, name: str) -> Any:
    return secret[name] if isinstance(secret, dict) else getattr(secret, name)


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

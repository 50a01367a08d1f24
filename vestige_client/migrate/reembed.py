"""`vestige migrate reembed`, `rollback`, `cleanup` and `status`: switch the embedding model.

Online (the default), the active model keeps serving while the new model's vectors are written
beside the old ones (knowledge_nodes.embedding_pending), the new HNSW index is built
CONCURRENTLY, and one short transaction switches, after a last catch-up pass under the model
lock. The rules are SQL functions (vestige.reembed_*); this module only embeds and streams
vectors (COPY binary). docs/migrate.md describes the behaviour and the states.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from pgvector.psycopg import register_vector
from psycopg.rows import class_row

from vestige_client import db, local_postgres, sql
from vestige_client.config import Settings
from vestige_client.embed import Embedder, EmbeddingSettings, Vector, embedded_text, resolve_embedder
from vestige_client.errors import InvalidInput, LocksHeld, ModelMismatch, SwitchConflict
from vestige_client.migrate import take_migrate_lock
from vestige_client.models import ReembedStatus

Progress = Callable[[str, int, int], None]  # (phase, done, total)
Loader = Callable[[], Embedder]
Todo = tuple[uuid.UUID, str, str, str | None]  # id, content, its md5, the text before it in its batch
T = TypeVar("T")

SAMPLE = 256  # memories a dry run embeds to measure the rate
LOCKED_MAX = 256  # at most this many memories are embedded while the switch lock is held
LOCK_TIMEOUT = "500ms"  # under deadlock_timeout (1 s), so the switch is the one that gives way
LOCK_TRIES = 240  # a few minutes of giving way (each try waits up to 0.5 s, then sleeps up to 1 s)
CATCH_UP_PASSES = 5
INDEX_MEMORY = "512MB"  # maintenance_work_mem for the HNSW build (the session default is small)


@dataclass(frozen=True)
class ReembedOptions:
    """What `vestige migrate reembed` was asked to do."""

    model: str
    yes: bool = False
    offline: bool = False
    resume: bool = False
    batch_size: int = 128
    concurrent_index: bool = False
    dry_run: bool = False
    backup: Path | None = None
    no_backup_check: bool = False


@dataclass(frozen=True)
class Verification:
    """The registry, index and vectors after the command, and whether they are what it promised."""

    name: str | None
    dimension: int | None
    hash: str | None
    generation: int | None
    index_valid: bool
    missing: int
    previous: str | None  # the model kept for `vestige migrate rollback`; None after cleanup
    ok: bool


@dataclass
class ReembedReport:
    """What reembed or rollback did or, with --dry-run, would do."""

    model: str
    dimension: int
    hash: str
    outcome: str  # current, dry-run, switched, abandoned or rolled back
    memories: int = 0
    embedded: int = 0
    caught_up: int = 0  # embedded again because they were written or edited during the run
    rate: float | None = None  # memories per second (dry run: of the sample)
    estimated_seconds: float | None = None
    disk_bytes: int | None = None
    seconds: float = 0.0
    verification: Verification | None = None


def reembed(settings: Settings, options: ReembedOptions, progress: Progress | None = None) -> ReembedReport:
    """Switch the database to `options.model`, or (dry run) say what that would take."""
    started = time.monotonic()
    if not options.dry_run:
        _check_consent(options)
    embedder = resolve_embedder(options.model, settings.embedding)
    with _operator(settings) as (conn, writer):
        status = _status(conn)
        if status.active_hash is None:
            raise InvalidInput(
                "no embedding model is registered yet, so there is nothing to re-embed",
                hint=f"configure [embedding] model = {options.model!r}: the first client registers it",
            )
        embedder.load()  # a model that does not load changes nothing
        report = ReembedReport(embedder.name, embedder.dimension, embedder.hash, "current")
        if options.dry_run:  # reads only; vestige.reembed_prepare decides the real run
            if embedder.hash == status.active_hash:
                return _finish(conn, report, started)
            return _dry_run(conn, embedder, status, report, started)
        # --offline drops the old index for the run, unless --concurrent-index keeps it.
        concurrently = not options.offline or options.concurrent_index
        prepared = _locked(conn, sql.REEMBED_PREPARE, _signature(embedder, not concurrently))
        if prepared == "current":
            return _finish(conn, report, started)
        if prepared == "pending" and not options.resume:
            raise SwitchConflict(
                f"a switch to {embedder.name} was interrupted",
                hint="run the same command again with --resume: it embeds only the memories still missing",
            )
        _complete(conn, writer, lambda: embedder, options.batch_size, concurrently, report, progress)
        if options.offline:
            _locked(conn, sql.REEMBED_CLEANUP)  # the maintenance-window path keeps no rollback window
        report.outcome = "switched"
        return _finish(conn, report, started)


def rollback(settings: Settings, progress: Progress | None = None, batch_size: int = 128) -> ReembedReport:
    """Abandon a switch in progress, or switch back to the previous model (before cleanup)."""
    started = time.monotonic()
    with _operator(settings) as (conn, writer):
        outcome = _locked(conn, sql.REEMBED_ROLLBACK)
        status = _status(conn)
        if outcome == "abandoned":
            assert status.active_name and status.active_dimension and status.active_hash
            report = ReembedReport(status.active_name, status.active_dimension, status.active_hash, outcome)
            return _finish(conn, report, started)
        assert status.pending_name and status.pending_dimension and status.pending_hash
        report = ReembedReport(
            status.pending_name, status.pending_dimension, status.pending_hash, "rolled back"
        )
        # Only the memories written or edited since the switch need the previous model itself.
        load = _loader(status.pending_name, status.pending_hash, settings.embedding)
        _complete(conn, writer, load, batch_size, True, report, progress)
        return _finish(conn, report, started)


def cleanup(settings: Settings) -> str | None:
    """End the rollback window: drop the previous model's vectors; return its name (None: none)."""
    with _operator(settings) as (conn, _):
        previous = _status(conn).previous_name
        return previous if _locked(conn, sql.REEMBED_CLEANUP) else None


def status(settings: Settings) -> ReembedStatus:
    """Where a model switch stands."""
    with db.operator(settings, prepare=True) as operator:
        return _status(operator.conn)


# --- the steps ------------------------------------------------------------------------------------


def _complete(
    conn: psycopg.Connection[Any],
    writer: psycopg.Connection[Any],
    load: Loader,
    batch_size: int,
    concurrently: bool,
    report: ReembedReport,
    progress: Progress | None,
) -> None:
    """Embed what the pending model misses, build its index, catch up under the lock and switch."""
    missing = _status(conn).pending_missing or 0
    report.embedded += _fill(conn, writer, load, batch_size, "embedding", missing, progress)
    for _ in range(CATCH_UP_PASSES):  # memories written or edited meanwhile
        caught_up = _fill(conn, writer, load, batch_size, "catching up", 0, progress)
        report.caught_up += caught_up
        if caught_up <= LOCKED_MAX:
            break
    _ensure_index(conn, concurrently, progress)
    report.caught_up += _switch(conn, writer, load, report.hash, batch_size, progress)


def _fill(
    conn: psycopg.Connection[Any],
    writer: psycopg.Connection[Any],
    load: Loader,
    batch_size: int,
    phase: str,
    total: int,
    progress: Progress | None,
) -> int:
    """One pass over the memories without a pending vector; the writes overlap the embedding."""
    done = 0
    after: uuid.UUID | None = None
    with ThreadPoolExecutor(max_workers=1) as pool:
        in_flight: Future[int] | None = None
        while rows := _todo(conn, after, batch_size):
            after = rows[-1][0]
            embedder = load()
            staged = _staged(rows, embedder.embed_documents(_texts(rows)))
            if in_flight is not None:
                in_flight.result()
            in_flight = pool.submit(_apply, writer, embedder.hash, staged)
            done += len(rows)
            if progress is not None:
                progress(phase, done, max(total, done))
        if in_flight is not None:
            in_flight.result()
    return done


def _ensure_index(conn: psycopg.Connection[Any], concurrently: bool, progress: Progress | None) -> None:
    """Build the pending model's HNSW index; one a failed CONCURRENTLY build left invalid is rebuilt."""
    state = _status(conn).pending_index
    if state == "invalid":
        conn.execute(sql.DROP_PENDING_INDEX_CONCURRENTLY)
    if state != "valid":
        if progress is not None:
            progress("building the index", 0, 1)
        conn.execute(sql.SET_MAINTENANCE_WORK_MEM, {"mem": INDEX_MEMORY})
        ddl = str(db.scalar(conn, sql.PENDING_INDEX_SQL, {"concurrently": concurrently}))
        conn.execute(ddl.encode())  # composed in SQL by vestige.hnsw_index_sql, never here
    if progress is not None:
        progress("building the index", 1, 1)


def _switch(
    conn: psycopg.Connection[Any],
    writer: psycopg.Connection[Any],
    load: Loader,
    hash: str,
    batch_size: int,
    progress: Progress | None,
) -> int:
    """The last catch-up and the switch, in one transaction under the lock; it gives way to others."""

    def last_pass() -> int:
        conn.execute(sql.REEMBED_LOCK)
        rows = _todo(conn, None, LOCKED_MAX + 1)
        if len(rows) > LOCKED_MAX:
            raise _TooMany
        if rows:
            embedder = load()
            _apply(conn, embedder.hash, _staged(rows, embedder.embed_documents(_texts(rows))))
        conn.execute(sql.REEMBED_SWITCH, {"hash": hash})
        return len(rows)

    caught_up = 0
    while True:
        try:
            caught_up += _giving_way(conn, last_pass)
            break
        except _TooMany:  # too many to embed under the lock: one more pass without it
            caught_up += _fill(conn, writer, load, batch_size, "catching up", 0, progress)
    if progress is not None:
        progress("switching", 1, 1)
    return caught_up


class _TooMany(Exception):
    """The last catch-up found more memories than it embeds under the lock."""


def _dry_run(
    conn: psycopg.Connection[Any],
    embedder: Embedder,
    status: ReembedStatus,
    report: ReembedReport,
    started: float,
) -> ReembedReport:
    """Embed a sample to measure the rate; estimate the time and the disk the switch needs."""
    resuming = status.pending_hash == embedder.hash
    todo = (status.pending_missing or 0) if resuming else status.memories
    rows = _todo(conn, None, SAMPLE)
    clock = time.perf_counter()
    embedder.embed_documents(_texts(rows))
    elapsed = time.perf_counter() - clock
    report.outcome = "dry-run"
    report.memories = status.memories
    report.embedded = todo
    report.rate = len(rows) / elapsed if rows and elapsed > 0 else None
    report.estimated_seconds = todo / report.rate if report.rate else 0.0
    # Every row is written again (the old versions stay until VACUUM), the new vectors, and an
    # index that grows with the dimension.
    index = status.index_bytes * embedder.dimension // max(status.active_dimension or 1, 1)
    report.disk_bytes = status.table_bytes + todo * (4 * embedder.dimension + 8) + index
    report.seconds = time.monotonic() - started
    return report


def _finish(conn: psycopg.Connection[Any], report: ReembedReport, started: float) -> ReembedReport:
    """Check the registry, the index and the vectors, and record it in the report."""
    s = _status(conn)
    index_valid = s.active_index == "valid"
    report.verification = Verification(
        name=s.active_name,
        dimension=s.active_dimension,
        hash=s.active_hash,
        generation=s.generation,
        index_valid=index_valid,
        missing=s.active_missing,
        previous=s.previous_name,
        ok=s.active_hash == report.hash and index_valid and s.active_missing == 0 and s.pending_hash is None,
    )
    report.memories = s.memories
    report.seconds = time.monotonic() - started
    return report


# --- plumbing -------------------------------------------------------------------------------------


@contextmanager
def _operator(settings: Settings) -> Iterator[tuple[psycopg.Connection[Any], psycopg.Connection[Any]]]:
    """Two owner connections (one reads and switches, one writes vectors), under the migrate lock."""
    with db.operator(settings, prepare=True, owner=True) as operator:
        conn, writer = operator.conn, operator.connect(owner=True)
        register_vector(conn)
        register_vector(writer)
        take_migrate_lock(conn)
        try:
            yield conn, writer
        finally:
            if not conn.broken:
                conn.rollback()
                db.scalar(conn, sql.MIGRATE_UNLOCK)


def _locked(conn: psycopg.Connection[Any], query: Any, params: dict[str, Any] | None = None) -> Any:
    """Run one schema-changing statement, giving way (and trying again) while others hold locks."""
    return _giving_way(conn, lambda: db.scalar(conn, query, params))


def _giving_way(conn: psycopg.Connection[Any], work: Callable[[], T]) -> T:
    """Run `work` in a transaction whose lock waits are short; on a timeout, roll back and try again."""
    for attempt in range(LOCK_TRIES):
        try:
            with conn.transaction():
                conn.execute(sql.SET_LOCAL_LOCK_TIMEOUT, {"timeout": LOCK_TIMEOUT})
                return work()
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            time.sleep(min(0.1 * (attempt + 1), 1.0))
    raise LocksHeld(
        "could not lock the memories: long transactions hold them",
        hint="find them in pg_stat_activity (long 'active' or 'idle in transaction'), end them, "
        "then run the command again (with --resume for a reembed)",
    )


def _status(conn: psycopg.Connection[Any]) -> ReembedStatus:
    row = conn.cursor(row_factory=class_row(ReembedStatus)).execute(sql.REEMBED_STATUS).fetchone()
    assert row is not None
    return row


def _todo(conn: psycopg.Connection[Any], after: uuid.UUID | None, limit: int) -> list[Todo]:
    return conn.execute(sql.REEMBED_TODO, {"after": after, "limit": limit}).fetchall()


def _texts(rows: Sequence[Todo]) -> list[str]:
    """What each memory's vector embeds: its text, with the one before it in its ingest batch."""
    return [embedded_text(content, before) for _, content, _, before in rows]


def _staged(rows: Sequence[Todo], vectors: Sequence[Vector]) -> list[tuple[uuid.UUID, str, Vector]]:
    return [(id, md5, vector) for (id, _, md5, _), vector in zip(rows, vectors, strict=True)]


def _apply(conn: psycopg.Connection[Any], hash: str, staged: Sequence[tuple[Any, ...]]) -> int:
    """COPY a batch into the staging table and move it into the memories, in one transaction."""
    with conn.transaction(), conn.cursor() as cur:
        with cur.copy(sql.COPY_REEMBED_VECTORS) as copy:
            copy.set_types(["uuid", "text", "vector"])
            for row in staged:
                copy.write_row(row)
        return int(db.scalar(conn, sql.REEMBED_APPLY, {"hash": hash}))


def _signature(embedder: Embedder, offline: bool) -> dict[str, Any]:
    return {"name": embedder.name, "dimension": embedder.dimension, "hash": embedder.hash, "offline": offline}


def _loader(spec: str, hash: str, embedding: EmbeddingSettings) -> Loader:
    """Load a registered model on first use, checking this machine reproduces its hash."""

    @cache
    def load() -> Embedder:
        embedder = resolve_embedder(spec, embedding)
        embedder.load()
        if embedder.hash != hash:
            raise ModelMismatch(
                f"the model {spec} here has hash {embedder.hash}, the database registered {hash}",
                hint="install the same model (and revision) the database was embedded with",
            )
        return embedder

    return load


def _check_consent(options: ReembedOptions) -> None:
    if not options.yes:
        raise InvalidInput(
            "reembed writes new vectors for every memory and switches the model: it needs --yes",
            hint="take a backup (pg_dump --format=custom) and pass --backup PATH and --yes; "
            "--dry-run shows what it would take",
        )
    if options.backup is None:
        if not options.no_backup_check:
            raise InvalidInput(
                "reembed needs a backup taken before it: pass --backup PATH (a pg_dump archive, checked "
                "with pg_restore --list) or --no-backup-check",
                hint="pg_dump --format=custom --file=vestige-before-reembed.dump <database>",
            )
        return
    _check_backup(options.backup)


def _check_backup(path: Path) -> None:
    """The backup must be an archive pg_restore can list, holding the memories."""
    if not path.is_file():
        raise InvalidInput(f"no backup at {path}", hint="pg_dump --format=custom --file=PATH <database>")
    listing = subprocess.run(
        [str(local_postgres.bin_path("pg_restore")), "--list", str(path)], capture_output=True, text=True
    )
    if listing.returncode != 0:
        reason = (listing.stderr.strip().splitlines() or ["unreadable"])[0]
        raise InvalidInput(
            f"{path} is not an archive pg_restore can read ({reason})",
            hint="take it with pg_dump --format=custom (a plain SQL dump cannot be checked)",
        )
    if "TABLE DATA vestige knowledge_nodes" not in listing.stdout:
        raise InvalidInput(
            f"{path} holds no data of vestige.knowledge_nodes",
            hint="dump the Vestige database itself: pg_dump --format=custom --file=PATH <database>",
        )

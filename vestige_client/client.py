"""The client: one method per function of the SQL API, called as the configured user.

Text is embedded here (with the configured model, registered in the database on first use);
everything else happens in SQL (docs/sql-api.md says what each function does).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, LiteralString, TypeVar

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from vestige_client import db, keys, sql
from vestige_client.config import SecretPolicy, Settings
from vestige_client.embed import (
    DEFAULT_EMBEDDING,
    Embedder,
    EmbeddingSettings,
    Vector,
    in_context,
    resolve_embedder,
)
from vestige_client.errors import ModelMismatch, Unauthenticated
from vestige_client.models import (
    ApiKey,
    Caller,
    Domain,
    DomainMatch,
    DueMemory,
    Edge,
    EdgeOf,
    Group,
    Health,
    Ingested,
    Intention,
    LineageStep,
    Listed,
    Memory,
    Neighbor,
    RecallHit,
    ReembedStatus,
    RegisteredModel,
    RetentionPoint,
    Review,
    ReviewEvent,
    Scheduling,
    Screened,
    SearchHit,
    Stats,
    Strengths,
    TimelineDay,
    TriggeredIntention,
    User,
)

T = TypeVar("T")

logger = logging.getLogger(__name__)
EMBED_BATCH = 64


@dataclass(frozen=True)
class NewMemory:
    """A memory to store (the arguments of `vestige.insert_memory` that the client fills in)."""

    content: str
    node_type: str = "fact"
    tags: Sequence[str] = ()
    source: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    codebase: str | None = None
    visibility: str = "private"
    groups: Sequence[uuid.UUID] = ()
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    protected: bool = False


@dataclass(frozen=True)
class SearchFilters:
    """What a search may return (None: no restriction)."""

    tags: Sequence[str] | None = None
    node_types: Sequence[str] | None = None
    domains: Sequence[str] | None = None
    codebase: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    min_retention: float | None = None
    include_superseded: bool = False
    visibility: str | None = None  # private, group or public: only that kind of what the caller sees


class Client:
    """Vestige memory for one user, over one connection pool.

    `read_only`: every transaction is READ ONLY (PostgreSQL refuses a write: ReadOnlyKey) and
    `recall` does not write the testing effect; a read-only API key's requests run so.
    `secrets` (`[ingest] secrets`): "refuse" leaves a text as it is, and the database refuses one
    that holds a secret (SecretRefused, VS017); "redact" stores and embeds every text with its
    secrets replaced by [REDACTED:kind] (vestige.redact_secrets).
    """

    def __init__(
        self,
        database: db.Database,
        embedder: Embedder,
        user_id: uuid.UUID,
        read_only: bool = False,
        secrets: SecretPolicy = "refuse",
        embedding: EmbeddingSettings = DEFAULT_EMBEDDING,
    ) -> None:
        self._db = database
        self.embedder = embedder
        self.user_id = user_id
        self.read_only = read_only
        self.secrets = secrets
        self._embedding = embedding  # how to run a model the database switches to
        self._model_hash: str | None = None

    @classmethod
    def open(cls, settings: Settings) -> Client:
        """Connect as configured: start the embedded server and deploy when needed, resolve the user."""
        conninfo = db.server_conninfo(settings)
        db.prepare(conninfo, settings)
        database = db.Database(conninfo, settings)
        try:
            user_id = _id_of(database, None, settings.user.id, sql.FIND_USER, "handle")
            embedder = resolve_embedder(settings.embedding.model, settings.embedding)
            return cls(
                database, embedder, user_id, secrets=settings.ingest.secrets, embedding=settings.embedding
            )
        except BaseException:
            database.close()
            raise

    def close(self) -> None:
        """Close the connection pool."""
        self._db.close()

    def as_user(self, user_id: uuid.UUID, *, read_only: bool = False) -> Client:
        """A client for another caller over the same pool, model and registration (no I/O).

        Only a service session may name another caller (vestige.is_service_session): for any
        other login the database refuses it (IdentityRefused) at the first call.
        """
        client = Client(self._db, self.embedder, user_id, read_only, self.secrets, self._embedding)
        client._model_hash = self._model_hash
        return client

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[Any]]:
        with self._db.transaction(self.user_id, read_only=self.read_only) as conn:
            yield conn

    def _rows(self, cls: type[T], query: LiteralString, params: dict[str, Any]) -> list[T]:
        with self._tx() as conn:
            return conn.cursor(row_factory=class_row(cls)).execute(query, params).fetchall()

    def _row(self, cls: type[T], query: LiteralString, params: dict[str, Any]) -> T:
        rows = self._rows(cls, query, params)
        return rows[0]

    def _value(self, query: LiteralString, params: dict[str, Any]) -> Any:
        with self._tx() as conn:
            return db.scalar(conn, query, params)

    # A read-only call: on a read replica when one is ok (db.Database.read), else on the primary.
    def _read_rows(self, cls: type[T], query: LiteralString, params: dict[str, Any]) -> list[T]:
        def run(conn: psycopg.Connection[Any], _: bool) -> list[T]:
            return conn.cursor(row_factory=class_row(cls)).execute(query, params).fetchall()

        return self._db.read(self.user_id, run, read_only=self.read_only)

    def _read_row(self, cls: type[T], query: LiteralString, params: dict[str, Any]) -> T:
        return self._read_rows(cls, query, params)[0]

    def _read_value(self, query: LiteralString, params: dict[str, Any]) -> Any:
        def run(conn: psycopg.Connection[Any], _: bool) -> Any:
            return db.scalar(conn, query, params)

        return self._db.read(self.user_id, run, read_only=self.read_only)

    def replicas(self) -> list[db.ReplicaState]:
        """The read replicas as their last check found them (URLs masked)."""
        return self._db.replicas()

    def model_hash(self, verify: bool = True) -> str:
        """Return the hash of the configured model, registering it when the database has none.

        `vestige.register_model` decides: the same model again is a no-op, another one is refused
        (RegistryConflict, VS005, naming both and what to do). A model is registered only once it
        has loaded (so a wrong name@N cannot stamp the database), unless `verify` is False: a bulk
        copy of existing vectors needs only the model's signature.
        """
        if self._model_hash is None:
            if verify and self.registered_model() is None:
                self.embedder.load()
            embedder = self.embedder
            self._model_hash = self.register_model(embedder.name, embedder.dimension, embedder.hash).hash
        return self._model_hash

    def _following_model_switch(self, run: Callable[[], T]) -> T:
        """Run a call that embeds; when the database switched models under it, follow once and rerun."""
        try:
            return run()
        except ModelMismatch:
            if not self._follow_switch():
                raise
            return run()

    def _follow_switch(self) -> bool:
        """Take up the registered model when it is not ours any more; False when nothing changed."""
        current = self.registered_model()
        if current is None or self._model_hash is None or current.hash == self._model_hash:
            return False
        embedder = resolve_embedder(current.name, self._embedding)
        embedder.load()
        if embedder.hash != current.hash:
            return False
        logger.warning(
            "the database switched its embedding model to %s (generation %d); using it now. Set "
            "[embedding] model = %r in the configuration so the next start uses it too.",
            current.name,
            current.generation,
            current.name,
        )
        self.embedder, self._model_hash = embedder, current.hash
        return True

    # --- embedding registry -----------------------------------------------------------------

    def registered_model(self) -> RegisteredModel | None:
        """The registered embedding model, or None when there is none yet."""
        rows = self._rows(RegisteredModel, sql.REGISTERED_MODEL, {})
        return rows[0] if rows else None

    def register_model(self, name: str, dimension: int, hash: str) -> RegisteredModel:
        """Register an embedding model (a no-op when it is already the registered one)."""
        return self._row(
            RegisteredModel, sql.REGISTER_MODEL, {"name": name, "dimension": dimension, "hash": hash}
        )

    # --- memories ---------------------------------------------------------------------------

    def insert_memory(self, memory: NewMemory) -> uuid.UUID:
        """Embed and store one memory; return its id."""
        return self.insert_memories([memory])[0]

    def insert_memories(
        self, memories: Sequence[NewMemory], progress: Callable[[int], None] | None = None
    ) -> list[uuid.UUID]:
        """Embed and store memories in one transaction (all or none); return their ids in order."""
        memories, _ = self._screened(memories)

        def run() -> list[uuid.UUID]:
            model_hash = self.model_hash() if memories else None
            ids: list[uuid.UUID] = []
            with self._tx() as conn:
                for start in range(0, len(memories), EMBED_BATCH):
                    batch = memories[start : start + EMBED_BATCH]
                    vectors = self.embedder.embed_documents([m.content for m in batch])
                    params = [_insert_params(m, v, model_hash) for m, v in zip(batch, vectors, strict=True)]
                    cur = conn.cursor()
                    cur.executemany(sql.INSERT_MEMORY, params, returning=True)  # pipelined: one round trip
                    ids.extend(_fetch_id(result) for result in cur.results())
                    if progress is not None:
                        progress(len(batch))
            return ids

        return self._following_model_switch(run)

    def resolve_memory(self, memory: str) -> uuid.UUID:
        """The id of a memory given by its whole id, or by the first characters tables print."""
        return _id_of(self._db, self.user_id, memory, sql.FIND_MEMORY, "id")

    def get_memory(self, id: uuid.UUID) -> Memory:
        """Return a visible memory (VS008 otherwise)."""
        return self._read_row(Memory, sql.GET_MEMORY, {"id": id})

    def update_memory(
        self,
        id: uuid.UUID,
        *,
        content: str | None = None,
        node_type: str | None = None,
        tags: Sequence[str] | None = None,
        source: str | None = None,
        metadata: dict[str, Any] | None = None,
        codebase: str | None = None,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        protected: bool | None = None,
        superseded_by: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Change an own memory (None keeps a field); new content is embedded again."""
        params: dict[str, Any] = {
            "id": id,
            "content": content,
            "node_type": node_type,
            "tags": list(tags) if tags is not None else None,
            "source": source,
            "metadata": Jsonb(metadata) if metadata is not None else None,
            "codebase": codebase,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "protected": protected,
            "superseded_by": superseded_by,
        }

        if content is not None:
            content = params["content"] = self._screen([content])[0].content

        def run() -> uuid.UUID:
            embedding = self.embedder.embed_documents([content])[0] if content is not None else None
            params["embedding"] = embedding
            params["model_hash"] = self.model_hash() if embedding is not None else None
            return uuid.UUID(str(self._value(sql.UPDATE_MEMORY, params)))

        return self._following_model_switch(run)

    def delete_memory(self, id: uuid.UUID) -> None:
        """Delete an own memory with its edges and scheduling."""
        self._value(sql.DELETE_MEMORY, {"id": id})

    def share_memory(self, id: uuid.UUID, visibility: str, groups: Sequence[uuid.UUID] = ()) -> None:
        """Set who may see an own memory: private, group (with groups) or public."""
        self._value(sql.SHARE_MEMORY, {"id": id, "visibility": visibility, "groups": list(groups)})

    def touch_memories(self, ids: Sequence[uuid.UUID]) -> int:
        """Record a recall of own memories (the testing effect); return how many changed."""
        return int(self._value(sql.TOUCH_MEMORIES, {"ids": list(ids)}))

    def promote_memory(self, id: uuid.UUID) -> Strengths:
        """Strengthen an own memory."""
        return self._row(Strengths, sql.PROMOTE_MEMORY, {"id": id})

    def demote_memory(self, id: uuid.UUID) -> Strengths:
        """Weaken an own memory."""
        return self._row(Strengths, sql.DEMOTE_MEMORY, {"id": id})

    def apply_decay(self, at: datetime | None = None) -> int:
        """Let the caller's memories fade to `at` (default now); return how many changed."""
        return int(self._value(sql.APPLY_DECAY, {"at": at}))

    # --- search -----------------------------------------------------------------------------

    def search_hybrid(
        self, query: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[SearchHit]:
        """Search by words and by meaning (the query is embedded), the two scores fused."""
        return self._following_model_switch(lambda: self._search(sql.SEARCH_HYBRID, query, filters, limit))

    def _known_model(self, query: str, limit: int) -> None:
        """Before a search's transaction, the model's hash. The first time, finding it may load
        and register the model: the SQL rule refuses a blank query or a bad limit before that."""
        if self._model_hash is None:
            self._read_value(sql.CHECK_SEARCH, {"query": query, "limit": limit})
            self.model_hash()

    def _embed_checked(
        self, conn: psycopg.Connection[Any], query: str, limit: int, params: dict[str, Any]
    ) -> None:
        """In a search's transaction: the SQL rule refuses a blank query or a bad limit, then the
        query is embedded (a refused query never is)."""
        conn.execute(sql.CHECK_SEARCH, {"query": query, "limit": limit})
        params["embedding"] = self.embedder.embed_query(query)
        params["model_hash"] = self.model_hash()

    def _screen(self, contents: Sequence[str]) -> list[Screened]:
        """The texts as they are stored, in one SQL call before anything is embedded.

        The SQL content rule refuses a blank or too large text, and one that holds a secret
        (VS017) unless the policy is "redact": then each secret is first replaced by
        [REDACTED:kind] (vestige.redact_secrets), and the kinds redacted are given back.
        """
        if not contents:
            return []
        if self.secrets == "redact":
            screened = self._rows(Screened, sql.REDACT_CONTENTS, {"contents": list(contents)})
            for text in screened:
                if text.redacted:
                    logger.info("%s before storing a text", redaction_note(text.redacted))
            return screened
        self._value(sql.CHECK_CONTENTS, {"contents": list(contents)})
        return [Screened(content, []) for content in contents]

    def _screened(self, memories: Sequence[NewMemory]) -> tuple[list[NewMemory], list[Screened]]:
        """The memories with their texts as they are stored, and what was redacted (see `_screen`)."""
        screened = self._screen([m.content for m in memories])
        return [replace(m, content=s.content) for m, s in zip(memories, screened, strict=True)], screened

    def search_fts(
        self, query: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[SearchHit]:
        """Search by words only (no embedding)."""
        return self._read_rows(SearchHit, sql.SEARCH_FTS, _search_params(query, filters, limit))

    def search_vector(
        self, query: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[SearchHit]:
        """Search by meaning only (the query is embedded)."""
        return self._following_model_switch(lambda: self._search(sql.SEARCH_VECTOR, query, filters, limit))

    def _search(
        self, query_sql: LiteralString, query: str, filters: SearchFilters | None, limit: int
    ) -> list[SearchHit]:
        params = _search_params(query, filters, limit)
        self._known_model(query, limit)

        def run(conn: psycopg.Connection[Any], _: bool) -> list[SearchHit]:
            self._embed_checked(conn, query, limit, params)
            return conn.cursor(row_factory=class_row(SearchHit)).execute(query_sql, params).fetchall()

        return self._db.read(self.user_id, run, read_only=self.read_only)

    # --- cognitive functions ----------------------------------------------------------------

    def recall(
        self, query: str, filters: SearchFilters | None = None, limit: int = 10, touch: bool = True
    ) -> list[RecallHit]:
        """Search, blend relevance, importance and recency, and strengthen the caller's hits."""
        return self._recall(query, filters, limit, touch, associations=0)[0]

    def recall_with_associations(
        self, query: str, filters: SearchFilters | None = None, limit: int = 10, *, associations: int
    ) -> tuple[list[RecallHit], list[Neighbor]]:
        """`recall`, and up to `associations` memories linked to the top hit that are not hits
        themselves (spreading activation, two hops), read in the same transaction."""
        return self._recall(query, filters, limit, True, associations)

    def _recall(
        self, query: str, filters: SearchFilters | None, limit: int, touch: bool, associations: int
    ) -> tuple[list[RecallHit], list[Neighbor]]:
        params = _search_params(query, filters, limit)
        touch = touch and not self.read_only
        self._known_model(query, limit)

        # On a replica the search only reads; the testing effect is written on the primary, later.
        def recall_on(
            conn: psycopg.Connection[Any], replica: bool
        ) -> tuple[list[RecallHit], list[Neighbor], bool]:
            self._embed_checked(conn, query, limit, params)
            params["touch"] = touch and not replica
            if params["touch"]:
                conn.execute(sql.TOUCH_WITHOUT_WAITING)
            hits = conn.cursor(row_factory=class_row(RecallHit)).execute(sql.RECALL, params).fetchall()
            near: list[Neighbor] = []
            if hits and associations:
                seen = {hit.id for hit in hits}
                reached = conn.cursor(row_factory=class_row(Neighbor)).execute(
                    sql.NEIGHBORS, _neighbors_params(hits[0].id, limit=associations + len(seen))
                )
                near = [n for n in reached.fetchall() if n.id not in seen][:associations]
            return hits, near, replica

        def run() -> tuple[list[RecallHit], list[Neighbor]]:
            hits, near, replica = self._db.read(self.user_id, recall_on, read_only=self.read_only)
            if touch and replica and hits:
                self._db.touch_later(self.user_id, [hit.id for hit in hits])
            return hits, near

        return self._following_model_switch(run)

    def ingest(self, memories: Sequence[NewMemory], force_create: bool = False) -> list[Ingested]:
        """Store memories through prediction-error gating, in one transaction, one call each.

        `vestige.ingest` decides (force_create makes every decision a create) and links the
        memories of a batch in order (each names the previous one as p_after). With the policy
        "redact", each result lists the kinds of secret redacted from its text (`redacted`).
        """
        stored, screened = self._screened(memories)
        results = self._following_model_switch(lambda: self._ingest(stored, force_create))
        return [replace(r, redacted=s.redacted) for r, s in zip(results, screened, strict=True)]

    def _ingest(self, memories: Sequence[NewMemory], force_create: bool) -> list[Ingested]:
        model_hash = self.model_hash() if memories else None
        # Each text alone (what the gate compares), and each after the first with the one before
        # it (what is stored: embed.in_context), in one pass of the model.
        contents = [m.content for m in memories]
        vectors = self.embedder.embed_documents([*contents, *in_context(contents)[1:]])
        alone, paired = vectors[: len(contents)], [None, *vectors[len(contents) :]]
        results: list[Ingested] = []
        with self._tx() as conn:
            ingest = conn.cursor(row_factory=class_row(Ingested))
            for memory, vector, context in zip(memories, alone, paired, strict=True):
                params = _insert_params(memory, vector, model_hash)
                params["context_embedding"] = context
                params["force_create"] = force_create
                params["after"] = results[-1].id if results else None
                row = ingest.execute(sql.INGEST, params).fetchone()
                assert row is not None
                results.append(row)
        return results

    def list_memories(
        self,
        codebase: str | None = None,
        node_types: Sequence[str] | None = None,
        tags: Sequence[str] | None = None,
        limit: int = 20,
    ) -> list[Listed]:
        """The visible, current memories, newest first, optionally of one codebase, types or tags."""
        params = {
            "codebase": codebase,
            "node_types": list(node_types) if node_types is not None else None,
            "tags": list(tags) if tags is not None else None,
            "limit": limit,
        }
        return self._read_rows(Listed, sql.LIST_MEMORIES, params)

    def memory_timeline(self, days: int = 30) -> list[TimelineDay]:
        """Visible memories created per UTC day over the last `days` days."""
        return self._read_rows(TimelineDay, sql.MEMORY_TIMELINE, {"days": days})

    # --- scheduling -------------------------------------------------------------------------

    def review(self, memory_id: uuid.UUID, rating: int, reviewed_at: datetime | None = None) -> Review:
        """Review an own memory with an FSRS rating (1 again, 2 hard, 3 good, 4 easy)."""
        params = {"memory_id": memory_id, "rating": rating, "reviewed_at": reviewed_at}
        return self._row(Review, sql.REVIEW, params)

    def get_scheduling(self, memory_id: uuid.UUID) -> Scheduling:
        """Return the FSRS state of a visible memory."""
        return self._read_row(Scheduling, sql.GET_SCHEDULING, {"memory_id": memory_id})

    def due_memories(self, before: datetime | None = None, limit: int = 20) -> list[DueMemory]:
        """Own memories due for review before `before` (default now)."""
        return self._read_rows(DueMemory, sql.DUE_MEMORIES, {"before": before, "limit": limit})

    # --- graph ------------------------------------------------------------------------------

    def add_edge(
        self, source_id: uuid.UUID, target_id: uuid.UUID, edge_type: str = "related", weight: float = 1.0
    ) -> Edge:
        """Link two visible memories (an own source)."""
        params = {"source_id": source_id, "target_id": target_id, "edge_type": edge_type, "weight": weight}
        return self._row(Edge, sql.ADD_EDGE, params)

    def remove_edge(self, source_id: uuid.UUID, target_id: uuid.UUID, edge_type: str | None = None) -> int:
        """Remove edges between two memories (of one type, or all); return how many."""
        params = {"source_id": source_id, "target_id": target_id, "edge_type": edge_type}
        return int(self._value(sql.REMOVE_EDGE, params))

    def edges_of(
        self, memory_id: uuid.UUID, edge_type: str | None = None, direction: str = "both"
    ) -> list[EdgeOf]:
        """The edges of a visible memory (in, out or both)."""
        params = {"memory_id": memory_id, "edge_type": edge_type, "direction": direction}
        return self._read_rows(EdgeOf, sql.EDGES_OF, params)

    def neighbors(
        self,
        memory_id: uuid.UUID,
        depth: int = 2,
        edge_types: Sequence[str] | None = None,
        min_activation: float = 0.1,
        limit: int = 256,
    ) -> list[Neighbor]:
        """Memories reached from one by spreading activation."""
        params = _neighbors_params(memory_id, depth, edge_types, min_activation, limit)
        return self._read_rows(Neighbor, sql.NEIGHBORS, params)

    # --- domains ----------------------------------------------------------------------------

    def upsert_domain(
        self,
        id: str,
        label: str,
        *,
        centroid: Vector | None = None,
        top_terms: Sequence[str] | None = None,
        memory_count: int | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Domain:
        """Create or change a knowledge domain."""
        params = {
            "id": id,
            "label": label,
            "centroid": centroid,
            "model_hash": self.model_hash() if centroid is not None else None,
            "top_terms": list(top_terms) if top_terms is not None else None,
            "memory_count": memory_count,
            "metadata": Jsonb(metadata) if metadata is not None else None,
        }
        return self._row(Domain, sql.UPSERT_DOMAIN, params)

    def get_domain(self, id: str) -> Domain:
        """Return one knowledge domain."""
        return self._read_row(Domain, sql.GET_DOMAIN, {"id": id})

    def list_domains(self) -> list[Domain]:
        """Return every knowledge domain."""
        return self._read_rows(Domain, sql.LIST_DOMAINS, {})

    def delete_domain(self, id: str) -> None:
        """Delete a knowledge domain."""
        self._value(sql.DELETE_DOMAIN, {"id": id})

    def classify(self, text: str, limit: int = 3) -> list[DomainMatch]:
        """The domains closest to a text (the text is embedded)."""

        def run() -> list[DomainMatch]:
            params = {
                "embedding": self.embedder.embed_query(text),
                "model_hash": self.model_hash(),
                "limit": limit,
            }
            return self._read_rows(DomainMatch, sql.CLASSIFY, params)

        return self._following_model_switch(run)

    # --- intentions -------------------------------------------------------------------------

    def set_intention(
        self,
        content: str,
        *,
        trigger_type: str = "manual",
        trigger_data: dict[str, Any] | None = None,
        priority: int = 2,
        deadline: datetime | None = None,
        tags: Sequence[str] = (),
        related_memory_ids: Sequence[uuid.UUID] = (),
    ) -> uuid.UUID:
        """Remember to do something when a trigger fires; return the intention's id."""
        params = {
            "content": self._screen([content])[0].content if self.secrets == "redact" else content,
            "trigger_type": trigger_type,
            "trigger_data": Jsonb(trigger_data or {}),
            "priority": priority,
            "deadline": deadline,
            "tags": list(tags),
            "related_memory_ids": list(related_memory_ids),
        }
        return uuid.UUID(str(self._value(sql.SET_INTENTION, params)))

    def check_intentions(
        self, context: str | None = None, at: datetime | None = None
    ) -> list[TriggeredIntention]:
        """Own active intentions whose trigger fires for this context at this time."""
        return self._read_rows(TriggeredIntention, sql.CHECK_INTENTIONS, {"context": context, "at": at})

    def update_intention(
        self,
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
    ) -> uuid.UUID:
        """Change an own intention (None keeps a field)."""
        if content is not None and self.secrets == "redact":
            content = self._screen([content])[0].content
        params = {
            "id": id,
            "status": status,
            "content": content,
            "priority": priority,
            "deadline": deadline,
            "snoozed_until": snoozed_until,
            "trigger_type": trigger_type,
            "trigger_data": Jsonb(trigger_data) if trigger_data is not None else None,
            "tags": list(tags) if tags is not None else None,
        }
        return uuid.UUID(str(self._value(sql.UPDATE_INTENTION, params)))

    def list_intentions(self, statuses: Sequence[str] | None = None, limit: int = 50) -> list[Intention]:
        """Own intentions, optionally of some statuses."""
        params = {"statuses": list(statuses) if statuses is not None else None, "limit": limit}
        return self._read_rows(Intention, sql.LIST_INTENTIONS, params)

    # --- users and groups -------------------------------------------------------------------

    def create_user(
        self, handle: str, display_name: str | None = None, id: uuid.UUID | None = None
    ) -> uuid.UUID:
        """Create a user; return its id."""
        params = {"handle": handle, "display_name": display_name, "id": id}
        return uuid.UUID(str(self._value(sql.CREATE_USER, params)))

    def find_user(self, handle: str) -> uuid.UUID:
        """Return the id of the user with this handle (VS011 when there is none)."""
        return uuid.UUID(str(self._value(sql.FIND_USER, {"handle": handle})))

    def resolve_user(self, user: str) -> uuid.UUID:
        """The id of a user given by uuid or by handle."""
        return _id_of(self._db, None, user, sql.FIND_USER, "handle")

    def list_users(self) -> list[User]:
        """Every user, by handle."""
        return self._read_rows(User, sql.LIST_USERS, {})

    def list_groups(self) -> list[Group]:
        """The groups the caller belongs to, by name."""
        return self._read_rows(Group, sql.LIST_GROUPS, {})

    def resolve_group(self, group: str) -> uuid.UUID:
        """The id of a group given by uuid, or by the name of one of the caller's groups."""
        return _id_of(self._db, self.user_id, group, sql.FIND_GROUP, "name")

    def create_group(self, name: str) -> uuid.UUID:
        """Create a group with the caller as its admin; return its id."""
        return uuid.UUID(str(self._value(sql.CREATE_GROUP, {"name": name})))

    def add_group_member(self, group_id: uuid.UUID, user_id: uuid.UUID, role: str = "member") -> None:
        """Add a user to a group the caller administers."""
        self._value(sql.ADD_GROUP_MEMBER, {"group_id": group_id, "user_id": user_id, "role": role})

    def remove_group_member(self, group_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """Remove a user from a group (an admin, or the user leaving)."""
        self._value(sql.REMOVE_GROUP_MEMBER, {"group_id": group_id, "user_id": user_id})

    # --- overview ---------------------------------------------------------------------------

    def stats(self) -> Stats:
        """Counts and retention of the memories the caller can see."""
        return self._read_row(Stats, sql.STATS, {})

    def health(self) -> Health:
        """The state of the deployment."""
        return self._row(Health, sql.HEALTH, {})

    # --- API keys -----------------------------------------------------------------------------

    def authenticate(self, key: str) -> Caller:
        """The caller an API key names: Unauthenticated (VS016) when it is unknown, revoked or expired.

        Only a service session may ask (IdentityRefused, VS015, otherwise). The key is sent as its
        SHA-256 only; a text that is not shaped like a key is refused without a database call.
        """
        if not keys.looks_like_key(key):
            raise Unauthenticated("not an API key: a key is vst_ followed by 43 letters, digits, - and _")
        return self._caller(sql.AUTHENTICATE, {"key_hash": keys.key_hash(key)})

    def _caller(self, query: LiteralString, params: dict[str, Any]) -> Caller:
        """A key's caller, on the primary as the service login (authenticating notes the key's use)."""
        with self._db.transaction(None) as conn:
            caller = conn.cursor(row_factory=class_row(Caller)).execute(query, params).fetchone()
        assert caller is not None
        return caller

    def check_identity(self) -> None:
        """Check that the database accepts this client's user (IdentityRefused, VS015, for a login
        bound to another user; NoIdentity, VS001, for a login that may act for nobody)."""
        self._value(sql.CURRENT_USER_ID, {})

    def is_service_session(self) -> bool:
        """Whether this client's login may act for other users (a vestige_service member, not bound)."""
        return bool(self._value(sql.IS_SERVICE_SESSION, {}))

    def my_keys(self) -> list[ApiKey]:
        """The caller's own API keys, newest first (never a key or its hash)."""
        return self._rows(ApiKey, sql.MY_API_KEYS, {})

    def revoke_my_key(self, key_id: uuid.UUID) -> ApiKey:
        """Revoke one of the caller's own API keys (NotFound, VS008, for any other id)."""
        return self._row(ApiKey, sql.REVOKE_MY_API_KEY, {"id": key_id})

    # --- dashboard ----------------------------------------------------------------------------

    def authenticate_key_id(self, key_id: uuid.UUID) -> Caller:
        """The caller of the API key with this id: Unauthenticated (VS016) if unknown, revoked or expired."""
        return self._caller(sql.AUTHENTICATE_KEY_ID, {"key_id": key_id})

    def memory_reviews(self, memory_id: uuid.UUID, limit: int = 100) -> list[ReviewEvent]:
        """The reviews of a visible memory, newest first."""
        return self._read_rows(ReviewEvent, sql.MEMORY_REVIEWS, {"memory_id": memory_id, "limit": limit})

    def memory_lineage(self, memory_id: uuid.UUID) -> list[LineageStep]:
        """The supersession chain of a visible memory, both ways (step 0 is the memory)."""
        return self._read_rows(LineageStep, sql.MEMORY_LINEAGE, {"memory_id": memory_id})

    def retention_curve(self, memory_id: uuid.UUID, days: int = 60) -> list[RetentionPoint]:
        """The retention of a visible memory from today to `days` days on, one point a day."""
        return self._read_rows(RetentionPoint, sql.RETENTION_CURVE, {"memory_id": memory_id, "days": days})

    def reembed_status(self) -> ReembedStatus:
        """Where a model switch stands (models, vectors missing, indexes)."""
        return self._read_row(ReembedStatus, sql.REEMBED_STATUS, {})


def redaction_note(kinds: Sequence[str]) -> str:
    """What was redacted, for the caller and the log: `redacted 1 secret: github_token` (never a value)."""
    return f"redacted {len(kinds)} secret{'s' if len(kinds) != 1 else ''}: {', '.join(kinds)}"


def _fetch_id(cur: psycopg.Cursor[Any]) -> uuid.UUID:
    row = cur.fetchone()
    assert row is not None
    return uuid.UUID(str(row[0]))


def id_or_lookup(value: str, lookup: Callable[[str], object]) -> uuid.UUID:
    """A uuid as is; anything else is looked up (by the SQL function that decides: no I/O for a uuid)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return uuid.UUID(str(lookup(value)))


def _id_of(
    database: db.Database, caller: uuid.UUID | None, value: str, query: LiteralString, param: str
) -> uuid.UUID:
    """A uuid as is; anything else is looked up by the SQL function of `query`, as the caller."""

    def lookup(text: str) -> object:
        with database.transaction(caller) as conn:
            return db.scalar(conn, query, {param: text})

    return id_or_lookup(value, lookup)


def _insert_params(memory: NewMemory, vector: Vector, model_hash: str | None) -> dict[str, Any]:
    return {
        "content": memory.content,
        "node_type": memory.node_type,
        "tags": list(memory.tags),
        "source": memory.source,
        "metadata": Jsonb(memory.metadata),
        "embedding": vector,
        "model_hash": model_hash,
        "codebase": memory.codebase,
        "valid_from": memory.valid_from,
        "valid_until": memory.valid_until,
        "visibility": memory.visibility,
        "groups": list(memory.groups),
        "protected": memory.protected,
    }


def _neighbors_params(
    memory_id: uuid.UUID,
    depth: int = 2,
    edge_types: Sequence[str] | None = None,
    min_activation: float = 0.1,
    limit: int = 256,
) -> dict[str, Any]:
    return {
        "memory_id": memory_id,
        "depth": depth,
        "edge_types": list(edge_types) if edge_types is not None else None,
        "min_activation": min_activation,
        "limit": limit,
    }


def _search_params(query: str, filters: SearchFilters | None, limit: int) -> dict[str, Any]:
    f = filters or SearchFilters()
    return {
        "query": query,
        "limit": limit,
        "tags": list(f.tags) if f.tags is not None else None,
        "node_types": list(f.node_types) if f.node_types is not None else None,
        "domains": list(f.domains) if f.domains is not None else None,
        "codebase": f.codebase,
        "created_after": f.created_after,
        "created_before": f.created_before,
        "min_retention": f.min_retention,
        "include_superseded": f.include_superseded,
        "visibility": f.visibility,
        "embedding": None,
        "model_hash": None,
    }

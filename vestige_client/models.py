"""Rows the SQL API returns, as frozen dataclasses whose fields are the SQL output columns, and
their JSON form (the same names as keys, ISO-8601 UTC times) for `--json` and MCP results."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any


def jsonable(value: Any) -> Any:
    """Rows (and dicts or lists of them) as JSON values: SQL column names, ISO-8601 UTC times."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Path):
        return str(value)
    return value


@dataclass(frozen=True)
class Memory:
    """A memory, from `vestige.get_memory`."""

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
    owner_user_id: uuid.UUID
    visibility: str
    shared_with_groups: list[uuid.UUID]
    storage_strength: float
    retrieval_strength: float
    retention_strength: float
    retention: float
    access_count: int
    last_accessed: datetime | None
    protected: bool
    superseded_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    has_embedding: bool


@dataclass(frozen=True)
class SearchHit:
    """One result of `vestige.search_hybrid` (and its text-only and vector-only forms)."""

    id: uuid.UUID
    content: str
    node_type: str
    tags: list[str]
    score: float
    fts_rank: int | None
    fts_score: float | None
    vector_rank: int | None
    vector_similarity: float | None
    retention: float
    created_at: datetime


@dataclass(frozen=True)
class RecallHit:
    """One result of `vestige.recall`: a search hit with its blended score and the blend's parts."""

    id: uuid.UUID
    content: str
    node_type: str
    tags: list[str]
    codebase: str | None
    visibility: str
    score: float
    relevance: float
    importance: float
    recency: float
    fused_score: float
    fts_rank: int | None
    vector_rank: int | None
    vector_similarity: float | None
    retention: float
    created_at: datetime
    updated_at: datetime
    last_accessed: datetime | None


@dataclass(frozen=True)
class Ingested:
    """The outcome of `vestige.ingest`: create, reinforce, update or supersede."""

    decision: str
    id: uuid.UUID
    similarity: float | None
    matched_id: uuid.UUID | None
    # Not a column: the kinds of secret the client redacted from the text first ([ingest] secrets = "redact").
    redacted: list[str] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class User:
    """A user, from `vestige.list_users`."""

    id: uuid.UUID
    handle: str
    display_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class Caller:
    """Who a request runs as: the user of an API key, from `vestige.authenticate`."""

    key_id: uuid.UUID
    user_id: uuid.UUID
    handle: str
    scopes: list[str]

    @property
    def read_only(self) -> bool:
        """True for a key that may search and read but not change anything."""
        return "write" not in self.scopes


@dataclass(frozen=True)
class ApiKey:
    """An API key as the key functions show it (never its hash), from `vestige.list_api_keys`."""

    id: uuid.UUID
    user_id: uuid.UUID
    handle: str
    label: str
    scopes: list[str]
    status: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Group:
    """A group the caller belongs to, from `vestige.list_groups`."""

    id: uuid.UUID
    name: str
    role: str
    members: int
    created_at: datetime


@dataclass(frozen=True)
class Listed:
    """A memory from `vestige.list_memories`."""

    id: uuid.UUID
    content: str
    node_type: str
    tags: list[str]
    codebase: str | None
    owner_user_id: uuid.UUID
    visibility: str
    retention_strength: float
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class TimelineDay:
    """Memories that happened on one UTC day (valid_from, else stored), from `vestige.memory_timeline`."""

    day: date
    memories: int


@dataclass(frozen=True)
class Applied:
    """What `vestige.import_apply` did with one staged batch (summable over batches)."""

    memories_inserted: int = 0
    memories_updated: int = 0
    memories_present: int = 0
    vectors_filled: int = 0
    edges_inserted: int = 0
    edges_present: int = 0
    intentions_inserted: int = 0
    intentions_present: int = 0
    # Each secret found in the staged rows: {item: memory | intention, id, kind, position}.
    secrets: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def __add__(self, other: Applied) -> Applied:
        return Applied(*(getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(self)))


@dataclass(frozen=True)
class Strengths:
    """The strengths of a memory after `vestige.promote_memory` / `vestige.demote_memory`."""

    id: uuid.UUID
    storage_strength: float
    retrieval_strength: float
    retention_strength: float
    stability: float | None


@dataclass(frozen=True)
class Review:
    """The FSRS-6 state after `vestige.review`."""

    memory_id: uuid.UUID
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    state: str
    step: int | None
    reps: int
    lapses: int
    last_review: datetime | None
    next_review: datetime | None


@dataclass(frozen=True)
class Scheduling(Review):
    """The FSRS-6 state of a memory, from `vestige.get_scheduling`."""

    retrievability_now: float | None


@dataclass(frozen=True)
class DueMemory:
    """A memory due for review, from `vestige.due_memories`."""

    memory_id: uuid.UUID
    content: str
    node_type: str
    state: str
    next_review: datetime | None
    stability: float | None
    difficulty: float | None
    reps: int


@dataclass(frozen=True)
class Edge:
    """An edge, from `vestige.add_edge`."""

    source_id: uuid.UUID
    target_id: uuid.UUID
    edge_type: str
    weight: float
    created_at: datetime
    last_activated: datetime | None
    activation_count: int


@dataclass(frozen=True)
class EdgeOf(Edge):
    """An edge of one memory, from `vestige.edges_of`."""

    direction: str
    other_id: uuid.UUID


@dataclass(frozen=True)
class Neighbor:
    """A memory reached by spreading activation, from `vestige.neighbors`."""

    id: uuid.UUID
    content: str
    node_type: str
    hops: int
    activation: float
    path: list[uuid.UUID]


@dataclass(frozen=True)
class Domain:
    """A knowledge domain, from `vestige.get_domain` / `list_domains` / `upsert_domain`."""

    id: str
    label: str
    has_centroid: bool
    top_terms: list[str]
    memory_count: int
    metadata: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class DomainMatch:
    """A domain close to a vector, from `vestige.classify`."""

    domain_id: str
    label: str
    similarity: float


@dataclass(frozen=True)
class Intention:
    """An intention, from `vestige.list_intentions`."""

    id: uuid.UUID
    owner_user_id: uuid.UUID
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


@dataclass(frozen=True)
class TriggeredIntention(Intention):
    """An intention whose trigger fired, from `vestige.check_intentions`."""

    reason: str


@dataclass(frozen=True)
class ReembedStatus:
    """Where a model switch stands, from `vestige.reembed_status`."""

    active_name: str | None
    active_dimension: int | None
    active_hash: str | None
    generation: int | None
    pending_name: str | None
    pending_dimension: int | None
    pending_hash: str | None
    rolling_back: bool | None
    previous_name: str | None
    previous_dimension: int | None
    previous_hash: str | None
    memories: int
    active_missing: int
    pending_missing: int | None
    previous_missing: int | None
    active_index: str
    pending_index: str
    previous_index: str
    import_running: bool
    table_bytes: int
    index_bytes: int


@dataclass(frozen=True)
class RegisteredModel:
    """The embedding registry, from `vestige.registered_model` / `register_model`."""

    name: str
    dimension: int
    hash: str
    generation: int
    registered_at: datetime
    pending_name: str | None
    pending_dimension: int | None
    pending_hash: str | None
    previous_name: str | None
    previous_dimension: int | None
    previous_hash: str | None


@dataclass(frozen=True)
class Stats:
    """Counts and retention of the memories visible to the caller, from `vestige.stats`."""

    total: int
    own: int
    shared_with_me: int
    public_not_own: int
    with_embedding: int
    by_node_type: dict[str, int]
    avg_retention: float | None
    retention_histogram: Any
    due_now: int
    edges: int
    active_intentions: int
    oldest: datetime | None
    newest: datetime | None


@dataclass(frozen=True)
class Health:
    """The state of the deployment, from `vestige.health`."""

    status: str
    reasons: list[str]
    postgres_version: str
    pgvector_version: str
    model_name: str | None
    model_dimension: int | None
    model_generation: int | None
    memories: int
    memories_without_embedding: int
    hnsw_index_valid: bool | None
    fts_language: str


@dataclass(frozen=True)
class Screened:
    """A text as a client stores it (secrets redacted by `vestige.redact_secrets`), and the kinds redacted."""

    content: str
    redacted: list[str]


@dataclass(frozen=True)
class SecretFound:
    """A secret in the text `ordinal` (from 1) of a batch, from `vestige.find_secrets`; never the value."""

    ordinal: int
    kind: str
    position: int
    length: int


@dataclass(frozen=True)
class StoredSecret:
    """A secret in a stored memory or intention, from `vestige.stored_secrets` (never the value)."""

    item: str
    id: uuid.UUID
    owner_user_id: uuid.UUID
    kind: str
    position: int


@dataclass(frozen=True)
class ReviewEvent:
    """One review of a memory, from `vestige.memory_reviews`."""

    reviewed_at: datetime
    rating: int
    state_before: str | None
    state_after: str | None
    stability: float | None
    difficulty: float | None
    next_review: datetime | None


@dataclass(frozen=True)
class LineageStep:
    """A memory of a supersession chain, from `vestige.memory_lineage` (step 0: the memory asked about)."""

    step: int
    id: uuid.UUID
    content: str
    node_type: str
    created_at: datetime
    superseded_by: uuid.UUID | None
    superseded_at: datetime | None
    decision: str | None


@dataclass(frozen=True)
class RetentionPoint:
    """The retention of a memory `day` days from now (vestige.retention_now)."""

    day: int
    retention: float

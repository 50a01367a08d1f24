"""`vestige secrets scan` and `redact`: the secrets already stored, found and redacted by the operator.

The detector is the database's (vestige.find_secrets, through the operator function
vestige.stored_secrets); a redacted text is computed in SQL (vestige.redact_secrets) and only
embedded here, with the registered model, before vestige.redact_stored_memory stores it with its
vector. Intentions have no vector: vestige.redact_stored_intentions redacts them all in SQL.
Nothing here reads or prints a secret's value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from pgvector.psycopg import register_vector
from psycopg.rows import class_row

from vestige_client import sql
from vestige_client.db import operator_only
from vestige_client.embed import Embedder, EmbeddingSettings, resolve_embedder
from vestige_client.errors import RegistryConflict
from vestige_client.models import RegisteredModel, StoredSecret

OPERATOR_ONLY = (
    "finding and redacting stored secrets reads every user's memories: it is an operator command",
    "vestige secrets",
)

BATCH = 64  # memories embedded per round trip
Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass(frozen=True)
class Redaction:
    """What `vestige secrets redact` did."""

    memories: int  # memories redacted (text and vector)
    changed: int  # memories that changed (or went) while they were embedded: left as they are
    intentions: int  # intentions redacted
    secrets: int  # secrets found before


def scan(conn: psycopg.Connection[Any]) -> list[StoredSecret]:
    """Every secret in a stored memory or intention: item, id, owner, kind and position (never the value)."""
    with operator_only(*OPERATOR_ONLY):
        return conn.cursor(row_factory=class_row(StoredSecret)).execute(sql.STORED_SECRETS).fetchall()


def redact(
    conn: psycopg.Connection[Any], embedding: EmbeddingSettings, progress: Progress | None = None
) -> Redaction:
    """Redact every stored secret: each memory's text and vector (embedded again), then the intentions."""
    found = scan(conn)
    ids = list(dict.fromkeys(s.id for s in found if s.item == "memory"))  # each memory once, in order
    embedder, model_hash = _registered_embedder(conn, embedding) if ids else (None, None)
    redacted = changed = 0
    for start in range(0, len(ids), BATCH):
        rows = conn.execute(sql.REDACTED_MEMORIES, {"ids": ids[start : start + BATCH]}).fetchall()
        texts: list[str] = [row[1] for row in rows]
        vectors = embedder.embed_documents(texts) if embedder is not None else [None] * len(texts)
        for (memory_id, text), vector in zip(rows, vectors, strict=True):
            params = {"id": memory_id, "content": text, "embedding": vector, "model_hash": model_hash}
            with operator_only(*OPERATOR_ONLY):
                stored = conn.execute(sql.REDACT_STORED_MEMORY, params).fetchone()
            if stored is not None and stored[0]:
                redacted += 1
            else:
                changed += 1
        if progress is not None:
            progress("memories", min(start + BATCH, len(ids)), len(ids))
    with operator_only(*OPERATOR_ONLY):
        row = conn.execute(sql.REDACT_STORED_INTENTIONS).fetchone()
    intentions = int(row[0]) if row is not None else 0
    return Redaction(redacted, changed, intentions, len(found))


def _registered_embedder(
    conn: psycopg.Connection[Any], embedding: EmbeddingSettings
) -> tuple[Embedder | None, str | None]:
    """The registered model, to embed redacted texts with (None when no model is registered yet)."""
    registered = conn.cursor(row_factory=class_row(RegisteredModel)).execute(sql.REGISTERED_MODEL).fetchone()
    if registered is None:
        return None, None
    register_vector(conn)
    embedder = resolve_embedder(registered.name, embedding)
    if embedder.hash != registered.hash:
        raise RegistryConflict(
            f"the registered model {registered.name} (hash {registered.hash}) is not the one installed "
            f"here (hash {embedder.hash})",
            hint="run `vestige secrets redact` where the registered model's package is installed",
        )
    return embedder, registered.hash

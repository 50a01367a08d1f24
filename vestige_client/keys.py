"""API keys as a client holds them: drawn here, shown once, and sent to the database only as a hash.

A key is `vst_` and 43 URL-safe characters (32 random bytes, 256 bits). The database stores and
looks up the SHA-256 of the whole key text (vestige.create_api_key, vestige.authenticate), so
the plaintext never reaches it, its statement log or a backup; why a fast hash is right for keys
of this entropy is written beside vestige.authenticate.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import class_row

from vestige_client import sql
from vestige_client.db import operator_only
from vestige_client.models import ApiKey

OPERATOR_ONLY = ("API keys are managed by the operator", "vestige key")

PREFIX = "vst_"
RANDOM_BYTES = 32
_SHAPE = re.compile(rf"{PREFIX}[A-Za-z0-9_-]{{43}}")


def new_key() -> str:
    """A new key: `vst_` and 256 random bits, URL-safe base64 without padding."""
    return PREFIX + secrets.token_urlsafe(RANDOM_BYTES)


def key_hash(key: str) -> bytes:
    """The SHA-256 of the key text: what the database stores and looks up."""
    return hashlib.sha256(key.encode("utf-8")).digest()


def looks_like_key(text: str) -> bool:
    """Whether a text has the shape of a key (a cheap check before any database call)."""
    return _SHAPE.fullmatch(text) is not None


# --- The operator's side (`vestige key`): functions not granted to the application role. ---------


def create(
    conn: psycopg.Connection[Any],
    user_id: uuid.UUID,
    label: str,
    *,
    read_only: bool = False,
    expires_at: datetime | None = None,
) -> tuple[str, ApiKey]:
    """Draw a key for a user and store its hash; return the key (to show once) and its record."""
    key = new_key()
    params = {
        "user_id": user_id,
        "label": label,
        "key_hash": key_hash(key),
        "scopes": ["read"] if read_only else ["read", "write"],
        "expires_at": expires_at,
    }
    with operator_only(*OPERATOR_ONLY):
        record = conn.cursor(row_factory=class_row(ApiKey)).execute(sql.CREATE_API_KEY, params).fetchone()
    assert record is not None
    return key, record


def list_keys(conn: psycopg.Connection[Any], user_id: uuid.UUID | None = None) -> list[ApiKey]:
    """Every key (or one user's), newest first: never a key or its hash."""
    with operator_only(*OPERATOR_ONLY):
        cursor = conn.cursor(row_factory=class_row(ApiKey))
        return cursor.execute(sql.LIST_API_KEYS, {"user_id": user_id}).fetchall()


def revoke(conn: psycopg.Connection[Any], key_id: uuid.UUID) -> ApiKey:
    """Revoke a key (NotFound, VS008, when there is none): the next request with it is refused."""
    with operator_only(*OPERATOR_ONLY):
        cursor = conn.cursor(row_factory=class_row(ApiKey))
        record = cursor.execute(sql.REVOKE_API_KEY, {"id": key_id}).fetchone()
    assert record is not None
    return record

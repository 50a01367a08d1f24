"""`vestige migrate`: bring memories in from an upstream Vestige SQLite store (copy), and switch
the embedding model (reembed, rollback, cleanup, status)."""

from __future__ import annotations

from typing import Any

import psycopg

from vestige_client import db, sql
from vestige_client.errors import MigrateBusy


def take_migrate_lock(conn: psycopg.Connection[Any]) -> None:
    """One `vestige migrate` command at a time per database; released with the session."""
    if not db.scalar(conn, sql.MIGRATE_LOCK):
        raise MigrateBusy("another `vestige migrate` command is running on this database; wait for it")

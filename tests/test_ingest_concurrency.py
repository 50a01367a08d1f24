"""vestige.ingest is atomic under concurrent ingests of one user: the advisory lock it takes before
looking at neighbours makes the second of two identical ingests wait, then reinforce the first."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
import pytest

USER = "00000000-0000-0000-0000-000000000001"
INGEST = """
SELECT decision, id, similarity, matched_id
  FROM vestige.ingest(p_content => %(content)s, p_embedding => %(embedding)s::public.vector,
                      p_model_hash => repeat('a', 64))
"""
WAITING_ON_ADVISORY_LOCK = """
SELECT count(*) FROM pg_locks WHERE pid = %(pid)s AND locktype = 'advisory' AND NOT granted
"""
REGISTER_MODEL = """
SELECT vestige.register_model(p_name => 'test-3d', p_dimension => 3, p_hash => repeat('a', 64))
"""
ROW = {"content": "The nightly backup runs at 02:00", "embedding": "[0.6,0.8,0]"}


def _begin_as_local_user(conn: psycopg.Connection[Any]) -> None:
    conn.execute("SET ROLE vestige_app")
    conn.execute("SELECT set_config('vestige.user_id', %s, true)", (USER,))


def test_two_identical_concurrent_ingests_create_once_then_reinforce(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute(REGISTER_MODEL)

        with psycopg.connect(database) as a, psycopg.connect(database) as b:
            _begin_as_local_user(a)
            created = a.execute(INGEST, ROW).fetchone()
            assert created is not None and created[0] == "create"

            outcome: dict[str, Any] = {}

            def ingest_in_b() -> None:
                try:
                    _begin_as_local_user(b)
                    outcome["row"] = b.execute(INGEST, ROW).fetchone()
                    b.commit()
                except BaseException as exc:  # reported by the main thread
                    outcome["error"] = exc

            worker = threading.Thread(target=ingest_in_b, daemon=True)
            worker.start()
            try:
                # B must block on A's advisory lock (and not finish on its own).
                deadline = time.monotonic() + 10
                while admin.execute(WAITING_ON_ADVISORY_LOCK, {"pid": b.info.backend_pid}).fetchone() != (1,):
                    worker.join(timeout=0.01)
                    assert worker.is_alive(), f"B finished without waiting for A: {outcome}"
                    assert time.monotonic() < deadline, "B never waited on the ingest lock"
                a.commit()
                worker.join(timeout=30)
            finally:
                if worker.is_alive():
                    a.rollback()
                    admin.execute("SELECT pg_cancel_backend(%s)", (b.info.backend_pid,))
                    worker.join(timeout=30)

            assert "error" not in outcome, outcome.get("error")
            decision, memory_id, similarity, matched_id = outcome["row"]
            assert (decision, memory_id, matched_id) == ("reinforce", created[1], created[1])
            assert similarity == pytest.approx(1.0)

        rows = admin.execute("SELECT id, access_count FROM vestige.knowledge_nodes").fetchall()
        assert rows == [(created[1], 1)]

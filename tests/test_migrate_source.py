"""The read side of `vestige migrate copy` on the three sample upstream stores (no database needed)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vestige_client.errors import VestigeError
from vestige_client.migrate.source import (
    MINILM,
    NOMIC,
    TABLE_FATE,
    Problem,
    Snapshot,
    SourceEdge,
    SourceIntention,
    SourceNode,
    canonical_model,
    parse_timestamp,
)

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "vestige-sqlite"
STORES = ["v4-early-768", "v18-modern-256", "v35-profiles"]
CONTENT_LIMIT = 1_048_576  # what the database's vestige.content_limit() returns (copy passes it)


@pytest.fixture(scope="module", autouse=True)
def fixtures_present() -> None:
    assert FIXTURES.is_dir(), f"the sample stores are missing: expected them in {FIXTURES}"


@dataclass(frozen=True)
class Read:
    """One sample store read end to end, with its sidecar."""

    sidecar: dict[str, Any]
    snapshot: Snapshot
    nodes: list[SourceNode]
    edges: list[SourceEdge]
    intentions: list[SourceIntention]


def read(path: Path) -> Read:
    with Snapshot(path, CONTENT_LIMIT) as snapshot:
        nodes, edges, intentions = list(snapshot.nodes()), list(snapshot.edges()), list(snapshot.intentions())
    sidecar = path.with_suffix(".json")
    meta = json.loads(sidecar.read_text()) if sidecar.is_file() else {}
    return Read(meta, snapshot, nodes, edges, intentions)


@pytest.fixture(scope="module", params=STORES)
def store(request: pytest.FixtureRequest) -> Read:
    return read(FIXTURES / f"{request.param}.db")


@pytest.fixture
def tmp_store(tmp_path: Path) -> Path:
    """A writable copy of the V18 sample store."""
    path = tmp_path / "vestige.db"
    shutil.copyfile(FIXTURES / "v18-modern-256.db", path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_sample_row_is_read_and_none_is_skipped(store: Read) -> None:
    sidecar, snapshot, nodes, edges, intentions = (
        store.sidecar,
        store.snapshot,
        store.nodes,
        store.edges,
        store.intentions,
    )
    tables = sidecar["tables"]
    assert [p for p in snapshot.problems if p.skipped] == []
    assert (len(nodes), len(edges), len(intentions)) == (
        tables["knowledge_nodes"],
        tables["memory_connections"],
        tables["intentions"],
    )
    assert snapshot.schema_version == sidecar["schema_version"]


def test_table_counts_match_the_sidecar_and_unhomed_tables_are_listed(store: Read) -> None:
    sidecar = store.sidecar
    with Snapshot(FIXTURES / sidecar["file"], CONTENT_LIMIT) as again:
        counts, not_copied = again.table_counts(), again.not_copied_by_design()
    assert counts == sidecar["tables"]
    expected = {name for name, rows in sidecar["tables"].items() if rows} - {
        "knowledge_nodes",
        "memory_connections",
        "intentions",
        "node_embeddings" if "embedding_profile_vectors" not in counts else "embedding_profile_vectors",
    }
    assert set(not_copied) == expected
    assert "knowledge_fts" in not_copied and all(name in TABLE_FATE for name in not_copied)


def test_vectors_count_and_width_match_the_sidecar(store: Read) -> None:
    sidecar, nodes = store.sidecar, store.nodes
    with_vector = [n for n in nodes if n.vector is not None]
    assert len(with_vector) == sidecar["memories"] - sidecar["knowledge_nodes"]["without_vector"]
    assert {len(n.vector) // 4 for n in with_vector if n.vector} == set(sidecar["embedding_dims"])
    groups = sidecar["embeddings"].get("embedding_profile_vectors", sidecar["embeddings"]["node_embeddings"])
    assert Counter(n.vector_label for n in with_vector) == Counter({g["model"]: g["rows"] for g in groups})


def test_sample_nodes_satisfy_the_target_check_constraints(store: Read) -> None:
    nodes, edges, intentions = store.nodes, store.edges, store.intentions
    for n in nodes:
        assert n.content.strip() and n.node_type.strip() and len(n.node_type) <= 64
        assert n.storage_strength >= 0 and 0 <= n.retrieval_strength <= 1 and 0 <= n.retention_strength <= 1
        assert n.state in {"new", "learning", "review", "relearning"}
        assert n.state == "new" or (n.stability is not None and n.difficulty is not None)
        assert n.stability is None or n.stability > 0
        assert n.difficulty is None or 1 <= n.difficulty <= 10
        assert n.valid_from is None or n.valid_until is None or n.valid_until >= n.valid_from
        assert n.superseded_by != n.id and n.codebase != "user"
        for t in (n.created_at, n.updated_at, n.last_accessed, n.next_review):
            assert t.tzinfo is UTC
    for e in edges:
        assert 0 < e.weight <= 1 and e.source_id != e.target_id
        assert e.edge_type in {"temporal", "semantic", "causal", "part_of", "user_defined"}
    for i in intentions:
        assert i.trigger_type in {"time", "context", "event", "manual"} and 1 <= i.priority <= 4
        assert i.trigger_type != "time" or "at" in i.trigger_data or i.deadline is not None
        assert "upstream" in i.trigger_data


def test_superseding_memories_come_first_and_counts_match(store: Read) -> None:
    sidecar, nodes = store.sidecar, store.nodes
    position = {n.id: index for index, n in enumerate(nodes)}
    superseded = [n for n in nodes if n.superseded_by is not None]
    assert all(position[n.superseded_by] < position[n.id] for n in superseded if n.superseded_by)
    assert len(superseded) == sidecar["knowledge_nodes"].get("superseded", 0)
    assert sum(n.protected for n in nodes) == sidecar["knowledge_nodes"].get("protected", 0)


def test_scope_becomes_codebase_with_user_blank_and_null_as_none(store: Read) -> None:
    sidecar, nodes = store.sidecar, store.nodes
    scopes = Counter(sidecar["knowledge_nodes"]["scopes"])
    expected = Counter({k: v for k, v in scopes.items() if k not in ("user", "None")})
    expected[None] = scopes["user"] + scopes["None"]
    assert Counter(n.codebase for n in nodes) == expected


def test_v35_project_scopes_and_connector_provenance_are_kept() -> None:
    nodes = read(FIXTURES / "v35-profiles.db").nodes
    assert {n.codebase for n in nodes} >= {
        "family-trip-2026",
        "home-renovation",
        "photo-blog",
        "pet-care-app",
    }
    connector = [n for n in nodes if "provenance" in n.metadata]
    assert len(connector) == 5
    assert all(n.metadata["provenance"]["source_system"] == "github" for n in connector)
    assert all(len(n.metadata["provenance"]["content_hash"]) == 64 for n in connector)
    suppressed = [n for n in nodes if n.metadata["upstream"].get("suppression_count", 0) > 0]
    assert len(suppressed) == 3


def test_v35_reads_the_active_profile_vectors_not_the_legacy_mirror(tmp_path: Path) -> None:
    path = tmp_path / "vestige.db"
    shutil.copyfile(FIXTURES / "v35-profiles.db", path)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM node_embeddings")
    nodes = read(path).nodes
    assert sum(n.vector is not None for n in nodes) == 293
    assert {n.vector_label for n in nodes if n.vector} == {NOMIC}


def test_both_timestamp_formats_parse_to_utc() -> None:
    sidecar = json.loads((FIXTURES / "v18-modern-256.json").read_text())
    external = {uuid.UUID(q["id"]) for q in sidecar["quirks"] if q["kind"] == "external_writer_row"}
    nodes = read(FIXTURES / "v18-modern-256.db").nodes
    by_id = {n.id: n for n in nodes}
    assert by_id[uuid.UUID("96351f45-94a6-41fb-a580-f14128eca579")].created_at == datetime(
        2026, 3, 22, 0, 28, 40, tzinfo=UTC
    )
    assert by_id[uuid.UUID("f2d3c0f9-a620-469a-a253-315a2f53f2ff")].created_at == datetime(
        2026, 3, 6, 19, 32, 19, 574565, tzinfo=UTC
    )
    assert all(by_id[i].next_review == by_id[i].created_at for i in external), "NULL next_review: due now"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-04T10:15:02.123456789+00:00", datetime(2026, 3, 4, 10, 15, 2, 123456, tzinfo=UTC)),
        ("2026-03-04T10:15:02Z", datetime(2026, 3, 4, 10, 15, 2, tzinfo=UTC)),
        ("2026-03-04T10:15:02.5+00:00", datetime(2026, 3, 4, 10, 15, 2, 500000, tzinfo=UTC)),
        ("2026-03-04 10:15:02", datetime(2026, 3, 4, 10, 15, 2, tzinfo=UTC)),
        ("2026-03-04T12:15:02+02:00", datetime(2026, 3, 4, 10, 15, 2, tzinfo=UTC)),
        ("2026-02-30 10:15:02", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_parse_timestamp(text: str | None, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    ("label", "width", "override", "expected"),
    [
        ("nomic-embed-text-v1.5", 256, None, NOMIC),
        ("nomic-ai/nomic-embed-text-v1.5", 768, None, NOMIC),
        ("all-MiniLM-L6-v2", 384, None, MINILM),
        ("sentence-transformers/all-MiniLM-L6-v2", 384, None, MINILM),
        ("all-MiniLM-L6-v2", 768, None, NOMIC),
        ("all-MiniLM-L6-v2", 256, None, NOMIC),
        ("BAAI/bge-base-en-v1.5", 768, None, "BAAI/bge-base-en-v1.5"),
        ("all-MiniLM-L6-v2", 768, "BAAI/bge-base-en-v1.5", "BAAI/bge-base-en-v1.5"),
        (None, 256, "my/model", "my/model"),
        (None, 256, None, None),
    ],
)
def test_canonical_model(label: str | None, width: int, override: str | None, expected: str | None) -> None:
    assert canonical_model(label, width, override) == expected


def test_intention_triggers_map_onto_the_target_types() -> None:
    intentions = read(FIXTURES / "v35-profiles.db").intentions
    by_type = Counter(i.trigger_type for i in intentions)
    assert by_type == Counter({"manual": 6, "event": 2, "time": 2})
    event = next(i for i in intentions if i.trigger_type == "event")
    assert event.trigger_data["event"] == "when we talk about the trip"
    assert event.trigger_data["upstream"] == {"type": "event", "condition": "when we talk about the trip"}
    time = next(i for i in intentions if i.trigger_type == "time")
    assert parse_timestamp(time.trigger_data["at"]) is not None


def test_relative_and_unsupported_triggers(tmp_store: Path) -> None:
    with sqlite3.connect(tmp_store) as db:
        db.execute(
            """UPDATE intentions SET trigger_type = 'time', trigger_data = '{"type":"time","in_minutes":1440}'
               WHERE id = '3d4ab923-90fb-4d21-8dd3-9933c2023647'"""
        )
    result = read(tmp_store)
    snapshot, intentions = result.snapshot, result.intentions
    by_id = {str(i.id): i for i in intentions}
    relative = by_id["3d4ab923-90fb-4d21-8dd3-9933c2023647"]
    assert relative.trigger_type == "time"
    assert relative.trigger_data["at"] == "2026-03-21T09:11:57.415098+00:00"
    assert relative.trigger_data["upstream"] == {"type": "time", "in_minutes": 1440}
    recurring = by_id["1cdc55bd-ae9c-4e48-a213-82ad5a3cf182"]
    assert recurring.trigger_type == "manual" and recurring.trigger_data["upstream"] == {"type": "recurring"}
    assert [p.field for p in snapshot.problems if p.id == str(recurring.id)] == ["trigger_data"]


def test_reading_never_changes_the_source() -> None:
    path = FIXTURES / "v18-modern-256.db"
    before = sha256(path)
    snapshot = read(path).snapshot
    assert snapshot.source_unchanged is True and snapshot.wal_nonempty is False
    assert sha256(path) == before


def test_a_live_wal_is_read_and_reported(tmp_store: Path) -> None:
    writer = sqlite3.connect(tmp_store)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute(
            "INSERT INTO knowledge_nodes (id, content, created_at, updated_at, last_accessed)"
            " VALUES ('0b7d2f4e-7c1a-4c39-9a55-3f1d5a8f0c01', 'written into the WAL', '2026-07-01 10:00:00',"
            " '2026-07-01 10:00:00', '2026-07-01 10:00:00')"
        )
        writer.commit()
        assert Path(f"{tmp_store}-wal").stat().st_size > 0, "the open writer keeps the WAL"
        result = read(tmp_store)
    finally:
        writer.close()
    assert result.snapshot.wal_nonempty is True and result.snapshot.source_unchanged is True
    assert uuid.UUID("0b7d2f4e-7c1a-4c39-9a55-3f1d5a8f0c01") in {n.id for n in result.nodes}


def test_a_text_over_the_limit_given_is_skipped_with_the_limit_named(tmp_store: Path) -> None:
    with Snapshot(tmp_store, 40) as snapshot:
        nodes = list(snapshot.nodes())
        problems = snapshot.problems
    assert nodes and all(len(n.content.encode()) <= 40 for n in nodes)
    skipped = [p for p in problems if p.skipped and p.reason == "content is larger than 40 bytes"]
    assert skipped, "the longer texts are skipped by the limit the database gave"


def test_a_store_changed_during_the_read_is_reported(tmp_store: Path) -> None:
    with Snapshot(tmp_store, CONTENT_LIMIT) as snapshot:
        with sqlite3.connect(tmp_store) as db:
            db.execute("UPDATE knowledge_nodes SET tags = '[]'")
        db.close()
    assert snapshot.source_unchanged is False


def test_bad_rows_are_repaired_or_skipped_and_the_rest_reads(tmp_store: Path) -> None:
    tags, stamp, blob, blank = (
        "f2d3c0f9-a620-469a-a253-315a2f53f2ff",
        "ab683b53-12d1-47d3-ab55-2e8813da1fec",
        "514ca0ba-a09a-4605-8798-3c991fdcd3cf",
        "3b0cf987-3700-49de-a96d-726df6c15533",
    )
    missing = "00000000-0000-4000-8000-000000000000"
    intention = "3d4ab923-90fb-4d21-8dd3-9933c2023647"
    b31c8cad = "b31c8cad-5f07-4aa6-94e4-b67cac709ad0"
    with sqlite3.connect(tmp_store) as db:
        db.execute("UPDATE knowledge_nodes SET tags = '[\"john\"' WHERE id = ?", (tags,))
        db.execute("UPDATE knowledge_nodes SET created_at = 'last tuesday' WHERE id = ?", (stamp,))
        db.execute("UPDATE node_embeddings SET embedding = zeroblob(1023) WHERE node_id = ?", (blob,))
        db.execute("UPDATE knowledge_nodes SET content = '  ' WHERE id = ?", (blank,))
        db.execute(
            "UPDATE knowledge_nodes SET superseded_by = ?, valid_from = '2026-05-01T00:00:00Z',"
            " valid_until = '2026-04-01T00:00:00Z' WHERE id = ?",
            (blank, tags),
        )
        db.execute(
            "UPDATE memory_connections SET link_type = 'SEMANTIC' WHERE source_id = ? AND target_id = ?",
            (blob, b31c8cad),
        )
        db.execute(
            "UPDATE intentions SET related_memories = ? WHERE id = ?", (f'["{missing}", "{tags}"]', intention)
        )
        db.executemany(
            "INSERT INTO memory_connections"
            " (source_id, target_id, strength, link_type, created_at, last_activated) VALUES"
            " (?, ?, 1.5, 'Cross Ref', '2026-03-07T10:00:00+00:00', '2026-03-07T10:00:00+00:00')",
            [(tags, missing), (tags, stamp)],
        )
        blank_edges = db.execute(
            "SELECT count(*) FROM memory_connections WHERE ? IN (source_id, target_id)", (blank,)
        ).fetchone()[0]
    result = read(tmp_store)
    snapshot, nodes, edges, intentions = result.snapshot, result.nodes, result.edges, result.intentions
    by_id = {str(n.id): n for n in nodes}
    problems = {(p.table, p.id, p.field): p for p in snapshot.problems}

    assert len(nodes) == 298 and blank not in by_id
    assert problems["knowledge_nodes", blank, None] == Problem(
        "knowledge_nodes", blank, None, "empty content", skipped=True
    )
    assert by_id[tags].tags == [] and problems["knowledge_nodes", tags, "tags"].skipped is False
    assert "not a JSON array" in problems["knowledge_nodes", tags, "tags"].reason
    assert by_id[stamp].created_at == by_id[stamp].updated_at
    assert "used updated_at" in problems["knowledge_nodes", stamp, "created_at"].reason
    assert by_id[blob].vector is None and by_id[blob].vector_label is None
    assert "truncated vector blob" in problems["node_embeddings", blob, "embedding"].reason

    dangling = problems["memory_connections", f"{tags}->{missing}", None]
    assert dangling.skipped and dangling.reason.startswith("edge to a missing node")
    assert len(edges) == 164 + 1 - blank_edges
    assert sum(p.skipped and p.table == "memory_connections" for p in snapshot.problems) == 1 + blank_edges
    repaired = next(e for e in edges if (str(e.source_id), str(e.target_id)) == (tags, stamp))
    assert (repaired.edge_type, repaired.weight) == ("related", 1.0)
    assert {p.field for p in snapshot.problems if p.id == f"{tags}->{stamp}"} == {"link_type", "strength"}
    upper = next(e for e in edges if (str(e.source_id), str(e.target_id)) == (blob, b31c8cad))
    assert upper.edge_type == "semantic", "link types are lower-cased"

    assert by_id[tags].superseded_by is None and by_id[tags].valid_until is None
    assert by_id[tags].valid_from == datetime(2026, 5, 1, tzinfo=UTC)
    assert {"superseded_by", "valid_until"} <= {p.field for p in snapshot.problems if p.id == tags}
    related = next(i for i in intentions if str(i.id) == intention).related_memory_ids
    assert related == [uuid.UUID(tags)]
    assert missing in problems["intentions", intention, "related_memories"].reason


def test_a_missing_store_says_what_to_give() -> None:
    missing = FIXTURES / "nope.db"
    with pytest.raises(VestigeError, match="no Vestige store at"), Snapshot(missing, CONTENT_LIMIT):
        pass


def test_tags_nested_too_deep_are_dropped_with_a_warning(tmp_store: Path) -> None:
    node = "f2d3c0f9-a620-469a-a253-315a2f53f2ff"
    with sqlite3.connect(tmp_store) as db:
        db.execute("UPDATE knowledge_nodes SET tags = ? WHERE id = ?", ("[" * 10_000 + "]" * 10_000, node))
    result = read(tmp_store)
    assert next(n for n in result.nodes if str(n.id) == node).tags == []
    assert [p.field for p in result.snapshot.problems if p.id == node] == ["tags"]


def test_a_memory_waits_for_a_replacement_read_later_and_cycles_are_broken_once(tmp_store: Path) -> None:
    with sqlite3.connect(tmp_store) as db:
        db.execute("UPDATE knowledge_nodes SET superseded_by = NULL")
        first, second, third, last = [
            row[0] for row in db.execute("SELECT id FROM knowledge_nodes ORDER BY rowid LIMIT 4")
        ]
        missing = "00000000-0000-4000-8000-00000000000a"
        updates = [(last, first), (third, second), (second, third), (missing, last)]
        db.executemany("UPDATE knowledge_nodes SET superseded_by = ? WHERE id = ?", updates)
    db.close()
    result = read(tmp_store)
    nodes, problems = result.nodes, result.snapshot.problems
    position = {str(n.id): i for i, n in enumerate(nodes)}
    assert len(nodes) == len(position) == 299, "every memory should be read once"
    by_id = {str(n.id): n for n in nodes}
    assert str(by_id[first].superseded_by) == last and position[last] < position[first]
    assert by_id[last].superseded_by is None
    assert [p.id for p in problems if "not a copied memory" in p.reason] == [last]
    cycle = [p.id for p in problems if p.reason == "superseded_by forms a cycle: dropped"]
    assert len(cycle) == 1 and cycle[0] in (second, third)
    kept = third if cycle[0] == second else second
    assert by_id[cycle[0]].superseded_by is None and position[cycle[0]] < position[kept]
    assert all(position[str(n.superseded_by)] < position[str(n.id)] for n in nodes if n.superseded_by)

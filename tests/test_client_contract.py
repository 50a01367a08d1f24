"""One contract for search and ingest (issue 12): the client passes every filter to recall, the
SQL rules refuse a blank query, a bad limit or a too large text before anything is embedded, and
ingest is decided, contradiction included, and linked in SQL, one call per memory."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from vestige_client import config, errors, sql
from vestige_client.client import Client, NewMemory, SearchFilters
from vestige_client.embed import Vector


class NoEmbedding:
    """An embedder that fails the test if a text reaches it."""

    name = "sentence-transformers/all-MiniLM-L6-v2"
    dimension = 384
    hash = "0" * 64

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]:
        raise AssertionError(f"{len(texts)} texts were embedded before the SQL rule refused them")

    def embed_query(self, text: str) -> Vector:
        raise AssertionError(f"the query {text[:20]!r} was embedded before the SQL rule refused it")

    def load(self) -> None:
        raise AssertionError("the model was loaded before the SQL rule refused the call")


@pytest.fixture
def client(database: str, tmp_path: Path) -> Iterator[Client]:
    env = {"VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(tmp_path)}
    with Client.open(config.load_settings(None, env=env)) as opened:
        yield opened


@pytest.fixture
def unembedding(client: Client) -> Client:
    client.embedder = NoEmbedding()
    return client


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_a_blank_query_is_refused_by_sql_before_it_is_embedded(unembedding: Client, query: str) -> None:
    for search in (unembedding.recall, unembedding.search_hybrid, unembedding.search_vector):
        with pytest.raises(errors.InvalidInput, match="the query is empty"):
            search(query)
    with pytest.raises(errors.InvalidInput, match="the query is empty"):
        unembedding.search_fts(query)


def test_once_the_model_is_known_a_search_still_checks_the_query_before_embedding_it(client: Client) -> None:
    client.recall("backups")  # the model's hash is known now: the check moves into the search's transaction
    client.embedder = NoEmbedding()
    for search in (client.recall, client.search_hybrid, client.search_vector):
        with pytest.raises(errors.InvalidInput, match="the query is empty"):
            search("  ")
        with pytest.raises(errors.InvalidInput, match="invalid limit 0: must be between 1 and 1000"):
            search("backups", limit=0)


def test_a_bad_limit_is_refused_by_sql_before_the_query_is_embedded(unembedding: Client) -> None:
    with pytest.raises(errors.InvalidInput, match="invalid limit 0: must be between 1 and 1000"):
        unembedding.recall("backups", limit=0)


def test_a_text_over_1_mib_is_refused_by_sql_before_the_model_loads(unembedding: Client) -> None:
    big = "x" * (2 * 1024 * 1024)
    with pytest.raises(errors.InvalidInput, match="content is 2097152 bytes, more than the 1 MiB"):
        unembedding.ingest([NewMemory("fine"), NewMemory(big)])
    with pytest.raises(errors.InvalidInput, match="more than the 1 MiB"):
        unembedding.insert_memories([NewMemory(big)])
    with pytest.raises(errors.InvalidInput, match="content is empty"):
        unembedding.insert_memories([NewMemory("fine"), NewMemory("  ")])


def test_the_limit_counts_bytes_not_characters(unembedding: Client) -> None:
    # 600,000 two-byte characters: fewer characters than 1 MiB, more bytes.
    with pytest.raises(errors.InvalidInput, match="content is 1200000 bytes"):
        unembedding.ingest([NewMemory("é" * 600_000)])


def test_recall_passes_every_filter_of_search_hybrid(client: Client, database: str) -> None:
    old = client.insert_memory(NewMemory("The walrus pipeline moved to the new cluster"))
    new = client.insert_memory(NewMemory("The walrus pipeline runs every hour"))
    replaced = client.insert_memory(NewMemory("The walrus pipeline runs every day"))
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute(
            "UPDATE vestige.knowledge_nodes SET created_at = now() - interval '40 days', domains = '{infra}'"
            " WHERE id = %s",
            (old,),
        )
        admin.execute("UPDATE vestige.knowledge_nodes SET superseded_by = %s WHERE id = %s", (new, replaced))
    day_ago = datetime.now(UTC) - timedelta(days=1)

    def recalled(filters: SearchFilters) -> set[object]:
        return {hit.id for hit in client.recall("walrus pipeline", filters, touch=False)}

    assert recalled(SearchFilters()) == {old, new}
    assert recalled(SearchFilters(domains=["infra"])) == {old}
    assert recalled(SearchFilters(created_after=day_ago)) == {new}
    assert recalled(SearchFilters(created_before=day_ago)) == {old}
    assert recalled(SearchFilters(include_superseded=True)) == {old, new, replaced}
    plain = client.search_hybrid(
        "walrus pipeline", SearchFilters(include_superseded=True, created_after=day_ago)
    )
    assert recalled(SearchFilters(include_superseded=True, created_after=day_ago)) == {h.id for h in plain}


def test_ingest_supersedes_a_contradicted_memory_by_the_sql_signal(client: Client) -> None:
    first = client.ingest([NewMemory("The nightly database backup runs at 02:00")])[0]
    second = client.ingest([NewMemory("The nightly database backup runs at 03:00")])[0]
    assert (first.decision, second.decision, second.matched_id) == ("create", "supersede", first.id)
    assert client.get_memory(first.id).superseded_by == second.id


def test_a_batch_is_linked_in_order_by_sql(client: Client) -> None:
    results = client.ingest(
        [
            NewMemory("We chose Postgres for the memory store"),
            NewMemory("Alice prefers tabs over spaces in Go code"),
            NewMemory("The office plants are watered on Fridays"),
        ]
    )
    ids = [r.id for r in results]
    for earlier, later in itertools.pairwise(ids):
        edges = client.edges_of(earlier, edge_type="temporal", direction="out")
        assert [(e.other_id, e.weight) for e in edges] == [(later, 1.0)]


def test_the_client_holds_no_gating_logic() -> None:
    source = (Path(__file__).resolve().parent.parent / "vestige_client" / "client.py").read_text()
    assert "contradict" not in source and "NEAREST" not in source and "ADD_EDGE, {**edge" not in source
    with pytest.raises(ModuleNotFoundError):
        __import__("vestige_client.contradiction")


def test_group_names_resolve_among_the_callers_groups(client: Client) -> None:
    group = client.create_group("platform")
    assert client.resolve_group("platform") == group
    assert client.resolve_group(str(group)) == group
    assert [(g.name, g.role, g.members) for g in client.list_groups()] == [("platform", "admin", 1)]
    with pytest.raises(errors.NotFound, match="no group named 'elsewhere'"):
        client.resolve_group("elsewhere")
    assert "local" in {u.handle for u in client.list_users()}


def test_only_a_search_touch_commits_without_waiting_for_the_disk(
    client: Client, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The touch's transaction has synchronous_commit off; the touch lands; nothing else is affected."""
    seen: list[tuple[str, str]] = []
    execute = psycopg.Cursor.execute

    def spying(cursor: psycopg.Cursor[Any], query: Any, params: Any = None, **kw: Any) -> Any:
        if query in (sql.RECALL, sql.INGEST):
            setting = cursor.connection.execute("SHOW synchronous_commit").fetchone()
            assert setting is not None
            seen.append(("recall" if query is sql.RECALL else "ingest", setting[0]))
        return execute(cursor, query, params, **kw)

    monkeypatch.setattr(psycopg.Cursor, "execute", spying)
    stored = client.ingest([NewMemory("The walrus pipeline runs every hour")])[0].id
    client.recall("walrus pipeline", touch=False)
    client.recall("walrus pipeline")
    client.ingest([NewMemory("Alice prefers tabs over spaces in Go code")])
    assert seen == [("ingest", "on"), ("recall", "on"), ("recall", "off"), ("ingest", "on")]
    with psycopg.connect(database) as admin:
        assert admin.execute(
            "SELECT access_count FROM vestige.knowledge_nodes WHERE id = %s", (stored,)
        ).fetchone() == (1,)

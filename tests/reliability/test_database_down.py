"""The database going away under a running client and server, and coming back (issue 14).

Each test runs its own embedded PostgreSQL in a temporary data directory (never the suite's
shared server), stops it as a crash would (`pg_ctl stop --mode immediate`) and starts it again:

- a running Client says DatabaseUnreachable within its connect timeout, not "busy" after
  acquire_timeout, and the first call after the server is back succeeds without a new Client;
- a thread ingesting one memory at a time while the server dies: every ingest that returned is
  there after the restart, and the stream goes on by itself;
- the embedded default starts its stopped server again at the next call;
- `vestige serve`: /readyz answers 503 "database unreachable" and the MCP `memory_status` tool
  says so, both as promptly, and both recover.

Pointed at the server by a URL (`[storage] backend = "postgres"`), Vestige never starts it: the
tests that must see it stay down use a URL; the embedded-default test uses the data directory.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import psycopg
import pytest
from anyio.from_thread import start_blocking_portal
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult
from test_serve import Server, free_port, start, stop, wait_until

from reliability.figures import record
from vestige_client import config, errors, local_postgres
from vestige_client.client import Client, NewMemory
from vestige_client.db import Database

CONNECT_TIMEOUT = 2  # seconds, libpq's minimum: [storage.postgres] connect_timeout of every test here
PROMPT = CONNECT_TIMEOUT + 3  # "within the connect timeout", with room for a loaded machine
WAIT = 60.0  # seconds: the most a stream or a restart may take before the test fails


@dataclass
class OwnServer:
    """This test's own embedded PostgreSQL, its database `vestige` deployed, and a home without config."""

    data_dir: Path
    home: Path

    @property
    def socket(self) -> str:
        """The socket file a message names for this server."""
        return f"{self.data_dir}/.s.PGSQL.{local_postgres.PORT}"

    @property
    def url(self) -> str:
        """A libpq conninfo for the database `vestige` (superuser; Vestige switches to vestige_app)."""
        server = local_postgres.LocalServer(self.data_dir, self.data_dir, local_postgres.PORT)
        return server.conninfo("vestige")

    def env(self, *, embedded: bool = False) -> dict[str, str]:
        """The settings' environment: by URL (Vestige never starts it), or as the embedded default."""
        where = (
            {"VESTIGE_STORAGE__EMBEDDED__DATA_DIR": str(self.data_dir)}
            if embedded
            else {"VESTIGE_DATABASE_URL": self.url}
        )
        return {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home),
            "VESTIGE_CONFIG": "",
            "VESTIGE_STORAGE__POSTGRES__CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
            **where,
        }

    def settings(self, *, embedded: bool = False, **env: str) -> config.Settings:
        return config.load_settings(None, env={**self.env(embedded=embedded), **env})

    def crash(self) -> None:
        """Stop the server at once, as a crash would (the next start recovers from the WAL)."""
        local_postgres.stop(self.data_dir, mode="immediate")
        assert not local_postgres.status(self.data_dir).running

    def start(self) -> None:
        local_postgres.start(self.data_dir)


@pytest.fixture(scope="module")
def stopped_cluster() -> Iterator[Path]:
    """A data directory made the way the embedded default makes it (database `vestige`, the schema,
    user local), then stopped cleanly: each test runs a copy of it, its own server."""
    scratch = Path(tempfile.mkdtemp(prefix="vestige-down-template-"))
    made = OwnServer(scratch / "pg", scratch / "home")
    made.home.mkdir()
    try:
        with Client.open(made.settings(embedded=True)):
            pass
        local_postgres.stop(made.data_dir)  # fast: a shutdown checkpoint, so a copy starts clean
        yield made.data_dir
    finally:
        local_postgres.stop(made.data_dir)
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def own(stopped_cluster: Path) -> Iterator[OwnServer]:
    """This test's own embedded server (a copy of the stopped cluster), running; stopped and removed after."""
    scratch = Path(tempfile.mkdtemp(prefix="vestige-down-"))
    server = OwnServer(scratch / "pg", scratch / "home")
    server.home.mkdir()
    try:
        # cp -a keeps the owner: as root, the server runs as the system user embedded_postgres
        subprocess.run(["cp", "-a", str(stopped_cluster), str(server.data_dir)], check=True)
        server.start()
        yield server
    finally:
        local_postgres.stop(server.data_dir)
        shutil.rmtree(scratch, ignore_errors=True)


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """What the call returned, or the error it raised, and how long it took."""
    started = time.monotonic()
    try:
        outcome = call()
    except errors.VestigeError as exc:
        outcome = exc
    return outcome, time.monotonic() - started


def test_a_running_client_says_database_unreachable_promptly_and_recovers_by_itself(own: OwnServer) -> None:
    with Client.open(own.settings()) as client:
        assert client.stats().total == 0
        own.crash()
        down, elapsed = timed(client.stats)
        assert isinstance(down, errors.DatabaseUnreachable), down
        says = f"database unreachable at {own.socket}: is the PostgreSQL server running? "
        assert str(down).startswith(says + "Vestige retries by itself ("), str(down)
        assert "busy" not in str(down) and "max_connections" not in str(down)
        assert elapsed < PROMPT, f"DatabaseUnreachable after {elapsed:.1f} s"
        again, again_elapsed = timed(client.stats)
        assert isinstance(again, errors.DatabaseUnreachable) and again_elapsed < PROMPT
        assert not local_postgres.status(own.data_dir).running, "Vestige never starts a server named by a URL"
        own.start()
        back, back_elapsed = timed(client.stats)
        assert not isinstance(back, errors.VestigeError), f"the first call after the restart failed: {back}"
        assert back.total == 0
    record(
        "database down: running client",
        f"1 fault (immediate stop); DatabaseUnreachable in {elapsed:.2f} s and {again_elapsed:.2f} s "
        f"(bound {PROMPT} s); first call after the restart succeeded in {back_elapsed:.2f} s",
    )


def test_a_busy_pool_is_still_told_apart_from_an_unreachable_database(own: OwnServer) -> None:
    settings = own.settings(
        VESTIGE_STORAGE__POSTGRES__MAX_CONNECTIONS="1", VESTIGE_STORAGE__POSTGRES__ACQUIRE_TIMEOUT="0.5"
    )
    database = Database(own.url, settings)

    def another_transaction() -> None:
        with database.transaction(None):
            pass

    try:
        with database.transaction(None):  # holds the one connection
            busy, elapsed = timed(another_transaction)
        assert type(busy) is errors.ConnectionFailed, busy
        assert str(busy) == "all database connections are busy (raise [storage.postgres] max_connections)"
        assert elapsed >= 0.5
    finally:
        database.close()


@dataclass
class Stream:
    """A thread ingesting one memory at a time, and what each ingest answered."""

    client: Client
    acknowledged: list[uuid.UUID]
    refused: list[str]  # the error class of each ingest that failed because the database was away
    unexpected: list[str]
    changed: threading.Condition
    done: threading.Event

    def run(self) -> None:
        number = 0
        while not self.done.is_set():
            number += 1
            text = f"Stream note {number}: the build cache of runner {uuid.uuid4().hex[:8]} was rotated"
            try:
                [outcome] = self.client.ingest([NewMemory(text, tags=["stream"])], force_create=True)
            except errors.ConnectionFailed as exc:  # DatabaseUnreachable (or a connection lost mid-call)
                self._note(self.refused, type(exc).__name__)
            except Exception as exc:
                self._note(self.unexpected, repr(exc))
                return
            else:
                self._note(self.acknowledged, outcome.id)

    def _note(self, into: list[Any], item: Any) -> None:
        with self.changed:
            into.append(item)
            self.changed.notify_all()

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT
        with self.changed:
            while not condition():
                assert not self.unexpected, self.unexpected
                if time.monotonic() > deadline:
                    pytest.fail(f"the ingest stream did not reach this within {WAIT:g} s: {what}")
                self.changed.wait(deadline - time.monotonic())


def test_every_ingest_acknowledged_around_an_immediate_stop_is_there_after_the_restart(
    own: OwnServer,
) -> None:
    with Client.open(own.settings()) as client:
        client.ingest([NewMemory("The stream starts after this note")])  # the model loaded and registered
        stream = Stream(client, [], [], [], threading.Condition(), threading.Event())
        thread = threading.Thread(target=stream.run, name="ingest-stream")
        thread.start()
        try:
            stream.wait_until(lambda: len(stream.acknowledged) >= 10, "10 ingests before the stop")
            own.crash()
            stream.wait_until(lambda: len(stream.refused) >= 1, "an ingest refused while the server is down")
            before_restart = len(stream.acknowledged)
            own.start()
            stream.wait_until(
                lambda: len(stream.acknowledged) >= before_restart + 10, "10 ingests after the restart"
            )
        finally:
            stream.done.set()
            thread.join(WAIT)
        assert not thread.is_alive() and not stream.unexpected, stream.unexpected
    assert set(stream.refused) <= {"DatabaseUnreachable"}, stream.refused
    with psycopg.connect(own.url) as conn:
        rows = conn.execute(
            "SELECT id FROM vestige.knowledge_nodes WHERE id = ANY(%s)", [stream.acknowledged]
        ).fetchall()
    lost = set(stream.acknowledged) - {row[0] for row in rows}
    assert not lost, f"{len(lost)} acknowledged ingests are missing after the restart"
    record(
        "database down: ingest stream",
        f"1 fault (immediate stop mid-stream); {len(stream.acknowledged)} writes acknowledged "
        f"({len(stream.acknowledged) - before_restart} after the restart), {len(stream.refused)} refused "
        f"while down, {len(lost)} lost",
    )


def test_the_embedded_default_starts_its_stopped_server_again_by_itself(own: OwnServer) -> None:
    with Client.open(own.settings(embedded=True)) as client:
        [stored] = client.ingest([NewMemory("The embedded server outlives a crash")])
        own.crash()
        back, elapsed = timed(lambda: client.get_memory(stored.id))
        assert not isinstance(back, errors.VestigeError), f"the call after the stop failed: {back}"
        assert back.content == "The embedded server outlives a crash"
        assert local_postgres.status(own.data_dir).running
    record(
        "database down: embedded default",
        f"1 fault (immediate stop); the next call started the server again and succeeded in {elapsed:.2f} s",
    )


# --- vestige serve: /readyz and memory_status ---------------------------------------------------


@contextmanager
def serve(own: OwnServer) -> Iterator[str]:
    """`vestige serve` without keys on 127.0.0.1, by URL; its URL once /readyz says ready. Stopped after."""
    port = free_port()
    process = start({**own.env(), "VESTIGE_AUTH__ENABLED": "false"}, own.home, port)
    running = Server(f"http://127.0.0.1:{port}", own.home, process)
    try:
        wait_until(running, "/readyz")
        yield running.url
    finally:
        stop(process)


def memory_status(url: str) -> CallToolResult:
    """The MCP tool `memory_status` (health) over the server's /mcp."""
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(httpx2.AsyncClient(timeout=60)) as http,
        portal.wrap_async_context_manager(streamable_http_client(f"{url}/mcp", http_client=http)) as (
            read,
            write,
        ),
        portal.wrap_async_context_manager(ClientSession(read, write)) as session,
    ):
        portal.call(session.initialize)
        result: CallToolResult = portal.call(session.call_tool, "memory_status", {"view": "health"})
        return result


def test_readyz_and_memory_status_say_database_unreachable_promptly_then_recover(own: OwnServer) -> None:
    with serve(own) as url, httpx2.Client(base_url=url, timeout=60) as http:
        assert not memory_status(url).is_error
        own.crash()
        ready, ready_elapsed = timed(lambda: http.get("/readyz"))
        assert ready.status_code == 503 and ready_elapsed < PROMPT, (ready.status_code, ready_elapsed)
        detail = ready.json()["detail"]
        assert detail.startswith(f"not ready: database unreachable at {own.socket}:"), detail
        assert "Vestige retries by itself" in detail
        assert http.get("/healthz").status_code == 200, "the process is alive: nothing to restart"
        status, status_elapsed = timed(lambda: memory_status(url))
        assert status.is_error and status_elapsed < PROMPT, (status, status_elapsed)
        assert status.content[0].text.startswith(f"database unreachable at {own.socket}:")
        own.start()
        assert http.get("/readyz").status_code == 200, "the first probe after the restart is ready"
        health = memory_status(url)
        assert not health.is_error and health.structured_content is not None
        assert health.structured_content["health"]["postgres_version"]
    record(
        "database down: vestige serve",
        f"1 fault (immediate stop); /readyz 503 in {ready_elapsed:.2f} s, memory_status error in "
        f"{status_elapsed:.2f} s (bound {PROMPT} s); both ready again at the first call after the restart",
    )

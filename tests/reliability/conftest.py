"""What the reliability tests share: a store (a database cloned from the template, with user alice
and her group `team`), the two servers over it (`vestige-mcp` on stdio, `vestige serve` on
127.0.0.1 with an API key of alice), and a fingerprint of everything a tool call can write.

The helpers are plain functions and context managers so that bench/soak.py runs the same checks
longer, without pytest; the fixtures below only wrap them. The servers are started with the
helpers of tests/test_mcp.py and tests/test_serve.py.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import psycopg
import pytest
from test_mcp import Mcp, mcp_server
from test_serve import Server, free_port, mcp_session, start, stop, wait_until

from vestige_client import keys

USER = "alice"
# Everything a tool call can write, as one hash: each row of the tables the tools write, in a fixed
# order (a memory without its vector and text-search columns: they follow its content). Read as
# the superuser, so row-level security hides nothing.
FINGERPRINT = """
SELECT md5(concat_ws('|',
    (SELECT string_agg((to_jsonb(n) - 'embedding' - 'search_tsv')::text, ',' ORDER BY n.id)
       FROM vestige.knowledge_nodes AS n),
    (SELECT string_agg(to_jsonb(e)::text, ',' ORDER BY e.source_id, e.target_id, e.edge_type)
       FROM vestige.edges AS e),
    (SELECT string_agg(to_jsonb(s)::text, ',' ORDER BY s.memory_id) FROM vestige.scheduling AS s),
    (SELECT string_agg(to_jsonb(r)::text, ',' ORDER BY r.id) FROM vestige.review_events AS r),
    (SELECT string_agg(to_jsonb(i)::text, ',' ORDER BY i.id) FROM vestige.intentions AS i)))
"""


@dataclass(frozen=True)
class Store:
    """A deployed database (superuser conninfo) with alice and her group."""

    conninfo: str
    user_id: uuid.UUID
    group_id: uuid.UUID


def prepare_store(conninfo: str) -> Store:
    """Create alice and her group `team` in a deployed database."""
    with psycopg.connect(conninfo) as conn:
        user = conn.execute("SELECT vestige.create_user(p_handle => %s)", [USER]).fetchone()
        assert user is not None
        conn.execute("SELECT set_config('vestige.user_id', %s, true)", [str(user[0])])
        group = conn.execute("SELECT vestige.create_group(p_name => 'team')").fetchone()
        assert group is not None
    return Store(conninfo, user[0], group[0])


@pytest.fixture
def store(database: str) -> Store:
    """A fresh store for each test (tests/conftest.py's `database`, dropped at the end)."""
    return prepare_store(database)


def fingerprint(conninfo: str) -> str:
    """The hash of every row a tool call can write (see FINGERPRINT)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(FINGERPRINT).fetchone()
    assert row is not None
    return str(row[0])


# --- the two servers ------------------------------------------------------------------------------


@dataclass
class Running:
    """A server and its client: the MCP session, the server's process id and its log file."""

    transport: str
    mcp: Mcp
    pid: int
    log: Path

    def alive(self) -> bool:
        """The server process has not exited."""
        return alive(self.pid)


def alive(pid: int) -> bool:
    """The process runs (a zombie, exited but not yet reaped, does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def kill(pid: int) -> None:
    """SIGKILL a process we started, and wait until it is gone."""
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not alive(pid), f"process {pid} to die of SIGKILL", within=30)


def server_env(home: Path) -> dict[str, str]:
    """What both servers are given: a log file at info level (crashes are logged there)."""
    return {"VESTIGE_LOG__FILE": str(home / "server.log"), "VESTIGE_LOG__LEVEL": "info"}


@contextmanager
def stdio_server(store: Store, home: Path) -> Iterator[Running]:
    """`vestige-mcp` for alice, with an initialized session; stopped at the end."""
    before = set(children_running("vestige-mcp"))
    with mcp_server(store.conninfo, home, user=USER, **server_env(home)) as mcp:
        [pid] = set(children_running("vestige-mcp")) - before  # the SDK's client started it
        yield Running("stdio", mcp, pid, home / "server.log")


def children_running(program: str) -> list[int]:
    """The ids of this process's descendants whose command line names the program."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if program in " ".join(child.cmdline()):
                found.append(child.pid)
        except psutil.Error:  # gone meanwhile
            pass
    return found


def serve_process(store: Store, home: Path, extra: dict[str, str] | None = None) -> Server:
    """Start `vestige serve` on a free port (not waiting for it), the rate limit out of the way."""
    env = {"VESTIGE_DATABASE_URL": store.conninfo, "VESTIGE_AUTH__RATE_LIMIT": "0", **server_env(home)}
    env.update(extra or {})
    port = free_port()
    return Server(f"http://127.0.0.1:{port}", home, start(env, home, port))


def api_key(store: Store) -> str:
    """A new API key of alice (made as `vestige key create` makes it)."""
    with psycopg.connect(store.conninfo, autocommit=True) as conn:
        return keys.create(conn, store.user_id, f"reliability-{uuid.uuid4().hex[:6]}")[0]


@contextmanager
def http_server(store: Store, home: Path) -> Iterator[Running]:
    """`vestige serve` with an MCP session as alice (Streamable HTTP, an API key); stopped at the end."""
    server = serve_process(store, home)
    try:
        wait_until(server, "/readyz")
        with mcp_session(server, api_key(store)) as mcp:
            yield Running("http", mcp, server.process.pid, server.log)
    finally:
        stop(server.process)


def server_crashes(log: Path) -> list[str]:
    """The lines of a server log that tell of a crash (a traceback, an unexpected exception)."""
    if not log.exists():
        return []
    marks = ("Traceback", "unexpected exception", "Exception in ASGI application")
    return [line for line in log.read_text(errors="replace").splitlines() if any(m in line for m in marks)]


def wait_for(condition: Callable[[], Any], what: str, within: float = 120.0) -> Any:
    """Poll condition until it returns something true (returned), failing after `within` seconds."""
    deadline = time.monotonic() + within
    while not (value := condition()):
        assert time.monotonic() < deadline, f"gave up after {within:g} s waiting for {what}"
        time.sleep(0.05)
    return value

"""SIGKILL of a server in the middle of a batch ingest: the batch is all or nothing, what was
committed before stays, and a fresh server on the same store works.

The kill lands mid-batch for sure. The store holds SEEDED memories and an ANCHOR; a superuser
session locks the anchor's row. The batch (smart ingest, 20 items) repeats the SEEDED texts first:
each reinforces its memory (a write, in the batch's transaction); then it repeats the anchor, whose
reinforce waits on the lock. The test sees that backend waiting with a transaction id (it has
written) and kills the server: `vestige-mcp` (spoken to in raw JSON-RPC on its stdin, so no client
waits on an answer that never comes) or `vestige serve` (a REST batch ingest from a thread). Then
the lock is released, the orphaned backend ends, and the batch's writes are counted: the seeded
memories and the anchor reinforced, the NEW texts stored. None or all of them may be there; a
fresh server then stores the whole batch. The servers get a lock timeout longer than the test's
wait, so the batch waits for the kill instead of failing by itself.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx2
import psycopg
import pytest
from mcp_types import LATEST_PROTOCOL_VERSION
from test_mcp import VESTIGE_MCP
from test_serve import stop

from reliability.conftest import (
    USER,
    Store,
    api_key,
    http_server,
    kill,
    serve_process,
    server_env,
    stdio_server,
    wait_for,
)
from reliability.figures import record

ANCHOR = "The incident channel is archived one week after the postmortem is published"
SEEDED = [
    "Design documents are reviewed in the architecture guild on Wednesdays",
    "The mobile app ships to the stores every second Monday",
    "Our Kafka topics keep seven days of messages by default",
    "Laptops are encrypted with full disk encryption before they are handed out",
    "The staging database is refreshed from an anonymised production snapshot",
    "Every public API endpoint needs a rate limit before launch",
    "Flaky tests are quarantined and get an owner within a day",
    "The finance team closes the books on the third working day",
    "Terraform state lives in a versioned bucket with locking",
    "Customer support escalates outages through the status page",
    "The style guide prefers active voice in error messages",
    "GPU runners are reserved for the machine learning team at night",
    "Dependencies are updated by a bot that opens one pull request a week",
    "Office plants are watered by the facilities team on Fridays",
]
NEW = [
    "The search service caches query embeddings for ten minutes",
    "Interview loops end with a debrief on the same day",
    "Backups of the wiki are kept for ninety days",
    "Production access requires a hardware security key",
    "The release notes are written by the engineer who merged the change",
]
BATCH = [*SEEDED, ANCHOR, *NEW]  # 20 items: 14 reinforces written before the one that waits
LOCK_TIMEOUT = {"VESTIGE_STORAGE__POSTGRES__LOCK_TIMEOUT": "600"}  # seconds: the kill comes first
ANCHOR_ID = "SELECT id FROM vestige.knowledge_nodes WHERE content = %s"
LOCK_ANCHOR = "SELECT 1 FROM vestige.knowledge_nodes WHERE id = %s FOR UPDATE"
# The backend of the batch: waiting on the lock we hold, with a transaction id (it has written).
BLOCKED_MID_BATCH = """
SELECT pid FROM pg_stat_activity
 WHERE datname = current_database() AND %(locker)s = ANY(pg_blocking_pids(pid)) AND backend_xid IS NOT NULL
"""
BACKEND_GONE = "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = %s"
# The batch's writes: a reinforce raises a memory's access count; a new text is a new memory.
REINFORCED = """
SELECT count(*) FILTER (WHERE access_count > 0), count(*) FROM vestige.knowledge_nodes WHERE content = ANY(%s)
"""


# --- vestige-mcp in raw JSON-RPC -------------------------------------------------------------------


class RawStdio:
    """A `vestige-mcp` process spoken to line by line: a request is sent without waiting for its answer."""

    def __init__(self, store: Store, home: Path) -> None:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CONFIG_HOME": str(home),
               "VESTIGE_DATABASE_URL": store.conninfo, "VESTIGE_USER__ID": USER, **server_env(home),
               **LOCK_TIMEOUT}  # fmt: skip
        self.stderr = (home / "stderr.txt").open("w")
        self.process = subprocess.Popen(
            [str(VESTIGE_MCP)], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr
        )
        self.answers: queue.Queue[dict[str, Any]] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        self.last_id = 0

    def _read(self, stdout: IO[bytes]) -> None:
        for line in stdout:
            self.answers.put(json.loads(line))

    def send(self, method: str, params: dict[str, Any], notification: bool = False) -> int:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if not notification:
            self.last_id += 1
            message["id"] = self.last_id
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        self.process.stdin.flush()
        return self.last_id

    def answer(self, request: int, within: float = 180.0) -> dict[str, Any]:
        while True:
            message = self.answers.get(timeout=within)
            if message.get("id") == request:
                assert "error" not in message, message
                result: dict[str, Any] = message["result"]
                return result

    def call(self, tool: str, **arguments: Any) -> int:
        return self.send("tools/call", {"name": tool, "arguments": arguments})

    def initialize(self) -> None:
        client = {"name": "reliability", "version": "1"}
        params = {"protocolVersion": LATEST_PROTOCOL_VERSION, "capabilities": {}, "clientInfo": client}
        self.answer(self.send("initialize", params))
        self.send("notifications/initialized", {}, notification=True)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.stderr.close()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


@dataclass
class Victim:
    """A server about to be killed: how to store memories through it, how to start the batch."""

    transport: str
    pid: int
    seed: Callable[[list[str]], None]  # stores texts, each as a new memory
    start_batch: Callable[[], None]  # sends the batch, returns at once


@contextmanager
def stdio_victim(store: Store, home: Path) -> Iterator[Victim]:
    raw = RawStdio(store, home)
    try:
        raw.initialize()

        def seed(texts: list[str]) -> None:
            stored = raw.answer(
                raw.call("smart_ingest", items=items(texts), batch_merge_policy="force_create")
            )
            assert not stored.get("isError"), stored

        def start_batch() -> None:  # its answer is never read: the server is killed meanwhile
            raw.call("smart_ingest", items=items())

        yield Victim("stdio", raw.process.pid, seed, start_batch)
    finally:
        raw.close()


@contextmanager
def http_victim(store: Store, home: Path) -> Iterator[Victim]:
    server = serve_process(store, home, LOCK_TIMEOUT)
    batches: list[threading.Thread] = []
    try:
        with server.http(api_key(store)) as http:
            wait_for(lambda: ready(http), "vestige serve to be ready")

            def seed(texts: list[str]) -> None:
                body = {"items": items(texts), "batch_merge_policy": "force_create"}
                stored = http.post("/api/v1/ingest", json=body)
                assert stored.status_code == 200, stored.text

            def batch() -> None:  # no answer comes: the server is killed meanwhile
                with suppress(httpx2.TransportError):
                    http.post("/api/v1/ingest", json={"items": items()})

            def start_batch() -> None:
                batches.append(threading.Thread(target=batch, daemon=True))
                batches[-1].start()

            yield Victim("http", server.process.pid, seed, start_batch)
            for thread in batches:
                thread.join(timeout=60)
    finally:
        stop(server.process)


def ready(http: httpx2.Client) -> bool:
    try:
        return http.get("/readyz").status_code == 200
    except httpx2.TransportError:
        return False


def items(texts: list[str] = BATCH) -> list[dict[str, Any]]:
    return [{"content": text, "tags": ["kill"]} for text in texts]


# --- the fault ------------------------------------------------------------------------------------


@dataclass
class Fault:
    """What one kill left: how many of the batch's writes were there after it, and after a fresh server."""

    transport: str
    kept: int = -1  # reinforced memories + new memories, after the kill
    fresh_kept: int = -1  # the same, after the batch went through a fresh server
    lost: int = -1  # memories stored before the batch and missing after the kill

    def line(self) -> str:
        return (
            f"SIGKILL of the {self.transport} server mid-batch ({len(SEEDED)} of {len(BATCH)} items"
            f" written, not committed): {self.kept} of {len(BATCH)} writes kept (all or nothing),"
            f" {self.lost} committed writes lost; a fresh server then wrote {self.fresh_kept} of {len(BATCH)}"
        )


def batch_writes(conn: psycopg.Connection[Any]) -> tuple[int, int]:
    """(the batch's writes found, memories stored before it that are still there)."""
    old = conn.execute(REINFORCED, [[*SEEDED, ANCHOR]]).fetchone()
    new = conn.execute(REINFORCED, [NEW]).fetchone()
    assert old is not None and new is not None
    return old[0] + new[1], old[1]


def kill_mid_batch(store: Store, victim: Victim) -> Fault:
    """Seed, lock the anchor, start the batch, kill the server once the batch waits mid-way."""
    victim.seed([*SEEDED, ANCHOR])
    fault = Fault(victim.transport)
    with (
        psycopg.connect(store.conninfo, autocommit=True) as watcher,
        psycopg.connect(store.conninfo) as locker,
    ):
        anchor = watcher.execute(ANCHOR_ID, [ANCHOR]).fetchone()
        assert anchor is not None
        locker.execute(LOCK_ANCHOR, [anchor[0]])
        victim.start_batch()

        def blocked() -> int | None:
            row = watcher.execute(BLOCKED_MID_BATCH, {"locker": locker.info.backend_pid}).fetchone()
            return None if row is None else int(row[0])

        backend = wait_for(blocked, f"the {victim.transport} batch to wait on the anchor, having written")
        kill(victim.pid)
        locker.rollback()
        wait_for(lambda: watcher.execute(BACKEND_GONE, [backend]).fetchone() == (True,), "the orphan to end")
        fault.kept, stayed = batch_writes(watcher)
    fault.lost = len(SEEDED) + 1 - stayed
    return fault


def fresh_batch(store: Store, home: Path, transport: str) -> int:
    """Send the whole batch through a fresh server of the same kind; the batch's writes found."""
    server = stdio_server(store, home) if transport == "stdio" else http_server(store, home)
    with server as running:
        outcomes = running.mcp.ok("smart_ingest", items=items())["results"]
    decisions = [outcome["decision"] for outcome in outcomes]
    assert decisions == ["reinforce"] * (len(SEEDED) + 1) + ["create"] * len(NEW), decisions
    with psycopg.connect(store.conninfo, autocommit=True) as conn:
        return batch_writes(conn)[0]


def fault_of(store: Store, home: Path, transport: str) -> Fault:
    """Kill a server of this kind mid-batch, then send the batch through a fresh one."""
    (home / "killed").mkdir()
    (home / "fresh").mkdir()
    with (stdio_victim if transport == "stdio" else http_victim)(store, home / "killed") as victim:
        fault = kill_mid_batch(store, victim)
    fault.fresh_kept = fresh_batch(store, home / "fresh", transport)
    return fault


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_a_server_killed_mid_batch_keeps_all_or_nothing_and_a_fresh_one_stores_the_batch(
    store: Store, tmp_path: Path, transport: str
) -> None:
    fault = fault_of(store, tmp_path, transport)
    record(f"kill {transport}", fault.line())
    check_fault(fault)


def check_fault(fault: Fault) -> None:
    """All or nothing of the batch, nothing committed before lost, the batch whole through a fresh server."""
    assert fault.kept in (0, len(BATCH)), f"{fault.kept} of the batch's {len(BATCH)} writes were kept"
    assert fault.lost == 0, "a memory committed before the kill is gone"
    assert fault.fresh_kept == len(BATCH)

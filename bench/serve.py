"""`vestige serve` under load: mixed MCP tool calls over Streamable HTTP against the same calls
through the in-process handlers, in the same run.

    .venv/bin/python bench/serve.py [--memories 10000] [--clients 16] [--calls 500] [--seed 42] [--keep]

A fresh database on the embedded server (VESTIGE_TEST_PGDATA, else /tmp/vestige-test-pg; or
VESTIGE_TEST_DSN), the whole plan deployed with the client's deployer. Four users; user 0 and 1
share group A, users 2 and 3 group B. The store: --memories LoCoMo dialogue turns (reused with a
suffix when there are fewer turns), owners in turn, visibility drawn private 50% / group 30% (the
owner's group) / public 20%, inserted through the product (Client.insert_memories, batches of 256
per owner, embedded with the configured model; timed apart). The turns the run will ingest are
held out of the store. Four API keys per user, made with `vestige key create`.

The calls: each client has its own key (client c: user c mod 4) and a fixed sequence (--seed) of
--calls calls: 80% `search` (a LoCoMo question), 15% `smart_ingest` (a held-out turn, each used
by one slot only), 5% split evenly between `memory` get (a memory the user can see) and `review`
(an own memory, rating 1-4).

Two paths run the same sequences with the same concurrency (one worker per client):
- http: a real `vestige serve` subprocess on 127.0.0.1 (rate limit out of the way, pool of --pool
  connections), one MCP session per client (the SDK's Streamable HTTP client; all sessions on one
  event loop in this process), each call timed around `session.call_tool`;
- in-process: the tools.py handlers on `root.as_user(user)` of one `Client.open` in this process
  (what the server calls for a request), one thread per client, the same pool size.
The sequences are cut into --blocks blocks; each block runs on both paths, the order alternating
(http first in even blocks, in-process first in odd ones), so both see the same machine load and
database state on average. A held-out turn is new to the path that ingests it first; the second
path then meets a duplicate (smart_ingest's decision differs): with the alternation each path
gets about half of each; the decisions are counted. Warm-up calls (unmeasured) open the pools and
sessions and load nothing new: the model is loaded in both processes before anything is timed.

The server logs at info level, so its per-request time inside the ASGI app (the Gate's log line:
authentication, MCP dispatch, the handler, the answer) is read back per call. After the load,
idle probes with one caller: GET /healthz (HTTP floor, no auth), MCP `ping` over HTTP (HTTP,
authentication and MCP, no tool) and `Client.authenticate` in this process (the key lookup).
The server is stopped and the database dropped at the end (--keep keeps the database).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import numpy as np
import psycopg
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult, TextContent

from vestige_client import __version__, config, tools
from vestige_client.client import Client, NewMemory

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

BIN = Path(sys.executable).parent
DEFAULT_DATA = common.REPO.parent / "shared" / "data" / "locomo"
USERS = 4
KINDS = ("search", "smart_ingest", "memory get", "review")
SHARES = (0.80, 0.15, 0.025, 0.025)
VISIBILITY = (("private", 0.5), ("group", 0.3), ("public", 0.2))
SEED_BATCH = 256
WARMUP = 5  # unmeasured calls per client and path: 4 searches and a memory get
PROBES = 200  # idle single-caller probes of each kind
READY_WITHIN = 300.0
GATE_LINE = re.compile(r"vestige\.serve: POST /mcp (\d+) ([\d.]+) ms key ([0-9a-f-]{36})")
HTTP, LOCAL = "http", "in-process"


@dataclass(frozen=True)
class Call:
    """One tool call of a client's sequence, with its JSON arguments."""

    kind: str
    tool: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Sample:
    """One timed call: its kind, client-side milliseconds, the error (None when it worked), and
    smart_ingest's decision."""

    kind: str
    ms: float
    error: str | None
    decision: str | None = None
    server_ms: float | None = None  # http: the Gate's time for this request, read from the server log


# --- the plan -------------------------------------------------------------------------------------


def draw_kinds(rng: np.random.Generator, clients: int, calls: int) -> list[list[str]]:
    """The kind of every call of every client."""
    picks = rng.choice(len(KINDS), size=(clients, calls), p=SHARES)
    return [[KINDS[k] for k in row] for row in picks]


@dataclass(frozen=True)
class Store:
    """The seeded memories: text, owner (user index), visibility; and which users see which."""

    texts: list[str]
    owners: list[int]
    visibility: list[str]

    def own(self, user: int) -> list[int]:
        return [i for i, o in enumerate(self.owners) if o == user]

    def visible(self, user: int) -> list[int]:
        mate = user ^ 1  # group A: users 0 and 1; group B: 2 and 3
        return [
            i
            for i, (o, v) in enumerate(zip(self.owners, self.visibility, strict=True))
            if o == user or v == "public" or (v == "group" and o == mate)
        ]


def build_store(rng: np.random.Generator, turns: Sequence[str], size: int) -> Store:
    """size memories from the turns (a suffix on the second and later rounds), owners in turn."""
    texts = [
        turns[i % len(turns)] + (f" (#{i // len(turns) + 1})" if i >= len(turns) else "") for i in range(size)
    ]
    names = [v for v, _ in VISIBILITY]
    visibility = [names[k] for k in rng.choice(len(names), size=size, p=[p for _, p in VISIBILITY])]
    return Store(texts, [i % USERS for i in range(size)], visibility)


def build_plan(
    rng: np.random.Generator,
    kinds: list[list[str]],
    questions: Sequence[str],
    new_turns: Sequence[str],
    store: Store,
    ids: Sequence[uuid.UUID],
) -> list[list[Call]]:
    """Every client's sequence of calls (client c acts as user c mod 4)."""
    own = [store.own(u) for u in range(USERS)]
    visible = [store.visible(u) for u in range(USERS)]
    fresh = iter(new_turns)
    plan: list[list[Call]] = []
    for client, row in enumerate(kinds):
        user = client % USERS
        calls: list[Call] = []
        for kind in row:
            if kind == "search":
                calls.append(Call(kind, "search", {"query": questions[int(rng.integers(len(questions)))]}))
            elif kind == "smart_ingest":
                calls.append(Call(kind, "smart_ingest", {"content": next(fresh)}))
            elif kind == "memory get":
                memory = ids[visible[user][int(rng.integers(len(visible[user])))]]
                calls.append(Call(kind, "memory", {"action": "get", "id": str(memory)}))
            else:
                memory = ids[own[user][int(rng.integers(len(own[user])))]]
                calls.append(
                    Call(kind, "review", {"memory_id": str(memory), "rating": int(rng.integers(1, 5))})
                )
        plan.append(calls)
    return plan


# --- seeding --------------------------------------------------------------------------------------


def seed(root: Client, store: Store) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """Users, their two groups and the store, through the client; return the users and memory ids."""
    users = [root.create_user(f"bench-user-{u}") for u in range(USERS)]
    groups = []
    for first in (0, 2):
        group = root.as_user(users[first]).create_group(f"bench-group-{first // 2}")
        root.as_user(users[first]).add_group_member(group, users[first + 1])
        groups.append(group)
    ids: list[uuid.UUID | None] = [None] * len(store.texts)
    for user in range(USERS):
        mine = store.own(user)
        client = root.as_user(users[user])
        for start in range(0, len(mine), SEED_BATCH):
            batch = mine[start : start + SEED_BATCH]
            memories = [
                NewMemory(
                    store.texts[i],
                    visibility=store.visibility[i],
                    groups=[groups[user // 2]] if store.visibility[i] == "group" else [],
                )
                for i in batch
            ]
            for i, memory_id in zip(batch, client.insert_memories(memories), strict=True):
                ids[i] = memory_id
        print(f"  user {user}: {len(mine)} memories", flush=True)
    assert all(i is not None for i in ids)
    return users, [i for i in ids if i is not None]


def make_keys(conninfo: str, home: Path, clients: int) -> list[str]:
    """One key per client (client c: user c mod 4), made as an operator makes one."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "VESTIGE_DATABASE_URL": conninfo,
    }
    made = []
    for client in range(clients):
        command = [str(BIN / "vestige"), "key", "create", "--user", f"bench-user-{client % USERS}"]
        done = subprocess.run(
            [*command, "--label", f"bench-client-{client}"], env=env, capture_output=True, text=True
        )
        if done.returncode != 0 or not done.stdout.startswith("vst_"):
            raise RuntimeError(f"vestige key create failed: {done.stderr.strip()}")
        made.append(done.stdout.strip())
    return made


# --- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(conninfo: str, home: Path, pool: int) -> Iterator[str]:
    """`vestige serve` on a free loopback port until the block ends (stopped whatever happens)."""
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "VESTIGE_DATABASE_URL": conninfo,
        "VESTIGE_STORAGE__POSTGRES__MAX_CONNECTIONS": str(pool),
        "VESTIGE_AUTH__RATE_LIMIT": "100000000",
        "VESTIGE_AUTH__RATE_BURST": "100000000",
        "VESTIGE_LOG__LEVEL": "info",
        "VESTIGE_LOG__FILE": str(home / "serve.log"),
    }
    url = f"http://127.0.0.1:{port}"
    with (home / "stderr.txt").open("w") as stderr:
        process = subprocess.Popen(
            [str(BIN / "vestige"), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + READY_WITHIN
        with httpx2.Client(base_url=url, timeout=30) as http:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"vestige serve exited {process.returncode}: {server_output(home)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"vestige serve not ready within {READY_WITHIN:g} s: {server_output(home)}"
                    )
                with contextlib.suppress(httpx2.TransportError):
                    if http.get("/readyz").status_code == 200:
                        break
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_output(home: Path) -> str:
    return "".join(p.read_text()[-3000:] for p in (home / "stderr.txt", home / "serve.log") if p.exists())


# --- the two paths ------------------------------------------------------------------------------


def tool_text(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


async def http_call(session: ClientSession, call: Call) -> Sample:
    start = time.perf_counter()
    try:
        result = await session.call_tool(call.tool, call.arguments)
    except Exception as exc:
        return Sample(call.kind, (time.perf_counter() - start) * 1000, f"{type(exc).__name__}: {exc}")
    ms = (time.perf_counter() - start) * 1000
    if result.is_error:
        return Sample(call.kind, ms, tool_text(result))
    decision = None
    if call.tool == "smart_ingest":
        decision = (result.structured_content or {})["results"][0]["decision"]
    return Sample(call.kind, ms, None, decision)


async def http_block(
    sessions: Sequence[ClientSession], calls: Sequence[Sequence[Call]]
) -> list[list[Sample]]:
    """Every client's calls of one block, the clients concurrently, each in order."""
    out: list[list[Sample]] = [[] for _ in sessions]

    async def run(client: int) -> None:
        for call in calls[client]:
            out[client].append(await http_call(sessions[client], call))

    async with anyio.create_task_group() as tg:
        for client in range(len(sessions)):
            tg.start_soon(run, client)
    return out


def local_call(client: Client, call: Call) -> Sample:
    """The handler the server runs for this call, on the caller's client."""
    args = call.arguments
    decision = None
    start = time.perf_counter()
    try:
        if call.tool == "search":
            tools.search(client, query=args["query"])
        elif call.tool == "smart_ingest":
            decision = tools.smart_ingest(client, content=args["content"]).data["results"][0].decision
        elif call.tool == "memory":
            tools.memory(client, action="get", id=uuid.UUID(args["id"]))
        else:
            tools.review(client, memory_id=uuid.UUID(args["memory_id"]), rating=args["rating"])
    except Exception as exc:
        return Sample(call.kind, (time.perf_counter() - start) * 1000, f"{type(exc).__name__}: {exc}")
    return Sample(call.kind, (time.perf_counter() - start) * 1000, None, decision)


def local_block(
    pool: ThreadPoolExecutor, clients: Sequence[Client], calls: Sequence[Sequence[Call]]
) -> list[list[Sample]]:
    """Every client's calls of one block on its own thread, each in order."""

    def run(client: int) -> list[Sample]:
        return [local_call(clients[client], call) for call in calls[client]]

    return list(pool.map(run, range(len(clients))))


class HttpPath:
    """One MCP session per key, all on one event loop (a portal's thread)."""

    def __init__(
        self, portal: BlockingPortal, stack: contextlib.ExitStack, url: str, keys: Sequence[str]
    ) -> None:
        self.portal = portal
        self.sessions: list[ClientSession] = []
        for key in keys:
            http = stack.enter_context(
                portal.wrap_async_context_manager(
                    httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=300)
                )
            )
            read, write = stack.enter_context(
                portal.wrap_async_context_manager(streamable_http_client(f"{url}/mcp", http_client=http))
            )
            session = stack.enter_context(portal.wrap_async_context_manager(ClientSession(read, write)))
            portal.call(session.initialize)
            self.sessions.append(session)

    def block(self, calls: Sequence[Sequence[Call]]) -> list[list[Sample]]:
        return self.portal.call(http_block, self.sessions, calls)


# --- the server's own times -----------------------------------------------------------------------


class GateLog:
    """The Gate's per-request lines of the server log, read back block by block."""

    def __init__(self, path: Path, key_ids: Sequence[uuid.UUID]) -> None:
        self.path = path
        self.key_ids = [str(k) for k in key_ids]
        self.offset = 0
        self.by_kind: dict[str, list[float]] = defaultdict(list)
        self.unmatched_blocks = 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size

    def read(self, calls: Sequence[Sequence[Call]]) -> list[list[float | None]]:
        """Pair the lines written since mark() with the block's calls, per key in order."""
        time.sleep(0.05)  # the last line is written just after its answer
        with self.path.open("rb") as f:
            f.seek(self.offset)
            text = f.read().decode(errors="replace")
        per_key: dict[str, list[float]] = defaultdict(list)
        for match in GATE_LINE.finditer(text):
            per_key[match.group(3)].append(float(match.group(2)))
        out: list[list[float | None]] = []
        for client, key_id in enumerate(self.key_ids):
            times = per_key.get(key_id, [])
            if len(times) != len(calls[client]):
                self.unmatched_blocks += 1
                out.append([None] * len(calls[client]))
                continue
            for call, ms in zip(calls[client], times, strict=True):
                self.by_kind[call.kind].append(ms)
            out.append(list(times))
        return out


# --- report ---------------------------------------------------------------------------------------


def fmt(ms: float) -> str:
    return f"{ms:.1f}"


def report(
    samples: dict[str, list[Sample]], gate: GateLog, wall: dict[str, float], clients: int
) -> tuple[float, float]:
    """Print the tables; return the http and in-process search p50."""
    rows = []
    p50: dict[tuple[str, str], tuple[float, float, float]] = {}
    for kind in KINDS:
        for path in (HTTP, LOCAL):
            got = [s for s in samples[path] if s.kind == kind]
            ok = [s.ms for s in got if s.error is None]
            errors = len(got) - len(ok)
            if not ok:
                rows.append([kind, path, len(got), errors, "-", "-", "-"])
                continue
            p50[kind, path] = common.percentiles(ok)
            rows.append([kind, path, len(got), errors, *(fmt(v) for v in p50[kind, path])])
    print("\n## Latency per call (client-side, ms)\n")
    print(common.markdown_table(["call", "path", "calls", "errors", "p50", "p95", "p99"], rows))

    print("\n## HTTP overhead: http / in-process, and the difference of the p50\n")
    rows = []
    for kind in KINDS:
        if (kind, HTTP) not in p50 or (kind, LOCAL) not in p50:
            continue
        h, i = p50[kind, HTTP], p50[kind, LOCAL]
        server = gate.by_kind.get(kind)
        gate_p = [fmt(v) for v in common.percentiles(server)[:2]] if server else ["-", "-"]
        rows.append(
            [
                kind,
                f"{h[0] / i[0]:.2f}",
                f"{h[1] / i[1]:.2f}",
                f"{h[2] / i[2]:.2f}",
                f"{h[0] - i[0]:+.1f}",
                *gate_p,
            ]
        )
    header = ["call", "p50 ratio", "p95 ratio", "p99 ratio", "Δ p50 (ms)", "server-side p50", "p95 (ms)"]
    print(common.markdown_table(header, rows))
    print(
        "\nserver-side = the Gate's time per request in the server (authentication, MCP, handler, answer),"
        f" paired with {sum(len(v) for v in gate.by_kind.values())} calls"
        f" ({gate.unmatched_blocks} client-blocks not paired)."
    )

    decisions = {path: Counter(s.decision for s in samples[path] if s.decision) for path in (HTTP, LOCAL)}
    print(
        "\nsmart_ingest decisions: "
        + "; ".join(f"{p} {dict(sorted(d.items()))}" for p, d in decisions.items())
    )
    for path in (HTTP, LOCAL):
        n = len(samples[path])
        rate = n / wall[path]
        print(f"{path}: {n} calls in {wall[path]:.1f} s of blocks ({rate:.0f} calls/s, {clients} clients)")
    failed = [s for path in (HTTP, LOCAL) for s in samples[path] if s.error]
    for s in failed[:10]:
        print(f"  error ({s.kind}): {str(s.error)[:300]}")
    return p50.get(("search", HTTP), (0.0,) * 3)[0], p50.get(("search", LOCAL), (0.0,) * 3)[0]


def probes(portal: BlockingPortal, url: str, key: str, root: Client) -> None:
    """Idle, one caller at a time: the HTTP floor, MCP ping over HTTP, and the key lookup."""

    async def http_probes() -> tuple[list[float], list[float]]:
        healthz: list[float] = []
        ping: list[float] = []
        async with httpx2.AsyncClient(base_url=url, timeout=60) as plain:
            for _ in range(PROBES):
                start = time.perf_counter()
                (await plain.get("/healthz")).raise_for_status()
                healthz.append((time.perf_counter() - start) * 1000)
        headers = {"Authorization": f"Bearer {key}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as http,
            streamable_http_client(f"{url}/mcp", http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            for _ in range(PROBES):
                start = time.perf_counter()
                await session.send_ping()
                ping.append((time.perf_counter() - start) * 1000)
        return healthz, ping

    healthz, ping = portal.call(http_probes)
    auth: list[float] = []
    for _ in range(PROBES):
        start = time.perf_counter()
        root.authenticate(key)
        auth.append((time.perf_counter() - start) * 1000)
    rows = [
        ["GET /healthz over HTTP (no auth, no MCP)", *(fmt(v) for v in common.percentiles(healthz))],
        ["MCP ping over HTTP (HTTP + auth + MCP, no tool)", *(fmt(v) for v in common.percentiles(ping))],
        ["Client.authenticate in process (the key lookup)", *(fmt(v) for v in common.percentiles(auth))],
    ]
    print(f"\n## Idle probes, one caller, {PROBES} each (ms)\n")
    print(common.markdown_table(["probe", "p50", "p95", "p99"], rows))


def run_blocks(
    plan: Sequence[Sequence[Call]],
    blocks: int,
    http: HttpPath,
    local: Callable[[Sequence[Sequence[Call]]], list[list[Sample]]],
    gate: GateLog,
    samples: dict[str, list[Sample]],
    wall: dict[str, float],
    dump: Path | None,
    began: float,
) -> None:
    """Each block of every sequence on both paths, http first in even blocks; collect the samples."""
    edges = np.linspace(0, len(plan[0]), blocks + 1).astype(int)
    for b in range(blocks):
        block = [calls[edges[b] : edges[b + 1]] for calls in plan]
        runs: list[tuple[str, Callable[[], list[list[Sample]]]]] = [
            (HTTP, functools.partial(http.block, block)),
            (LOCAL, functools.partial(local, block)),
        ]
        for path, run in runs if b % 2 == 0 else runs[::-1]:
            if path == HTTP:
                gate.mark()
            start = time.perf_counter()
            got = run()
            wall[path] += time.perf_counter() - start
            if path == HTTP:
                got = [
                    [dataclasses.replace(s, server_ms=ms) for s, ms in zip(row, times, strict=True)]
                    for row, times in zip(got, gate.read(block), strict=True)
                ]
            samples[path].extend(s for row in got for s in row)
            if dump is not None:
                with dump.open("a") as out:
                    for client, row in enumerate(got):
                        for s in row:
                            line = {"path": path, "block": b, "client": client, **dataclasses.asdict(s)}
                            out.write(json.dumps(line) + "\n")
        print(f"  block {b + 1}/{blocks} done, {time.perf_counter() - began:.0f} s", flush=True)


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--memories", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--calls", type=int, default=500, help="calls per client and path")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--blocks", type=int, default=10, help="blocks per sequence (the path order alternates)")
    ap.add_argument("--pool", type=int, help="database connections of each path (default clients + 4)")
    ap.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with memories.jsonl and queries.jsonl"
    )
    ap.add_argument(
        "--data-dir", help="embedded server data dir (default VESTIGE_TEST_PGDATA or /tmp/vestige-test-pg)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the database")
    ap.add_argument("--samples", type=Path, help="append every timed call to this file (JSON lines)")
    args = ap.parse_args(argv)
    pool_size = args.pool or args.clients + 4
    began = time.perf_counter()

    with open(args.data / "memories.jsonl") as f:
        turns = [json.loads(line)["text"] for line in f]
    with open(args.data / "queries.jsonl") as f:
        questions = [json.loads(line)["question"] for line in f]
    rng = np.random.default_rng(args.seed)
    kinds = draw_kinds(rng, args.clients, args.calls)
    ingests = sum(row.count("smart_ingest") for row in kinds)
    if ingests >= len(turns):
        raise SystemExit(f"{ingests} smart_ingest calls need as many new turns; the data has {len(turns)}")
    held_out = set(rng.choice(len(turns), size=ingests, replace=False).tolist())
    new_turns = [turns[i] for i in sorted(held_out)]
    rng.shuffle(new_turns)
    store = build_store(rng, [t for i, t in enumerate(turns) if i not in held_out], args.memories)

    info = common.machine()
    print(f"# vestige serve under load, {info['date']}")
    print(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}")
    print(
        f"plan: {args.memories} memories ({len(turns) - ingests} LoCoMo turns, reused with a suffix), "
        f"{args.clients} clients x {args.calls} calls, seed {args.seed}, {args.blocks} blocks, "
        f"pool {pool_size}; "
        f"calls per kind: {dict(Counter(k for row in kinds for k in row))}",
        flush=True,
    )

    server = common.server_conninfo(args.data_dir)
    samples: dict[str, list[Sample]] = {HTTP: [], LOCAL: []}
    wall = {HTTP: 0.0, LOCAL: 0.0}
    with (
        tempfile.TemporaryDirectory(prefix="vserve-", dir="/tmp") as tmp,
        common.fresh_database(server, "bench_serve", args.keep, whole_plan=True) as conninfo,
    ):
        home = Path(tmp)
        with psycopg.connect(conninfo) as conn:
            versions = common.server_versions(conn)
        print(f"PostgreSQL {versions['postgresql']}, pgvector {versions['pgvector']}, vestige {__version__}")
        env = {
            "VESTIGE_DATABASE_URL": conninfo,
            "HOME": tmp,
            "XDG_CONFIG_HOME": tmp,
            "VESTIGE_STORAGE__POSTGRES__MAX_CONNECTIONS": str(pool_size),
        }
        with Client.open(config.load_settings(None, env=env)) as root:
            root.embedder.load()
            start = time.perf_counter()
            users, ids = seed(root, store)
            seeding = time.perf_counter() - start
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            print(f"seeded {len(ids)} memories in {seeding:.1f} s ({len(ids) / seeding:.0f}/s)", flush=True)
            plan = build_plan(rng, kinds, questions, new_turns, store, ids)
            start = time.perf_counter()
            keys = make_keys(conninfo, home, args.clients)
            with psycopg.connect(conninfo) as conn:
                labels: dict[str, uuid.UUID] = dict(
                    conn.execute("SELECT label, id FROM vestige.api_keys").fetchall()
                )
            key_ids = [labels[f"bench-client-{c}"] for c in range(args.clients)]
            print(f"{len(keys)} keys made in {time.perf_counter() - start:.1f} s", flush=True)

            mine = [root.as_user(users[c % USERS]) for c in range(args.clients)]
            warm = [
                [
                    Call("search", "search", {"query": store.texts[int(rng.integers(len(store.texts)))]})
                    for _ in range(4)
                ]
                + [Call("memory get", "memory", {"action": "get", "id": str(ids[store.own(c % USERS)[c]])})]
                for c in range(args.clients)
            ]
            start = time.perf_counter()
            with (
                running_server(conninfo, home, pool_size) as url,
                start_blocking_portal() as portal,
                contextlib.ExitStack() as stack,
                ThreadPoolExecutor(args.clients, thread_name_prefix="client") as threads,
            ):
                print(f"server ready in {time.perf_counter() - start:.1f} s at {url}", flush=True)
                http = HttpPath(portal, stack, url, keys)
                gate = GateLog(home / "serve.log", key_ids)
                for warmed in (http.block(warm), local_block(threads, mine, warm)):
                    failed = [s.error for row in warmed for s in row if s.error]
                    if failed:
                        raise RuntimeError(f"warm-up failed: {failed[0]}")
                run_blocks(
                    plan,
                    args.blocks,
                    http,
                    functools.partial(local_block, threads, mine),
                    gate,
                    samples,
                    wall,
                    args.samples,
                    began,
                )
                probes(portal, url, keys[0], root)
                search_http, search_local = report(samples, gate, wall, args.clients)
                stderr = (home / "stderr.txt").read_text().strip()
                print(f"\nserver stderr (tail): {stderr[-1500:]}")

    errors = sum(1 for path in samples.values() for s in path if s.error)
    gap = search_http - search_local
    print(
        f"\nGoal: HTTP search p50 within 5 ms of in-process: {'met' if gap <= 5 else 'missed'} "
        f"(http {search_http:.1f} ms, in-process {search_local:.1f} ms, Δ {gap:+.1f} ms); errors {errors}."
    )
    print(f"seeding {seeding:.0f} s; whole run {time.perf_counter() - began:.0f} s")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

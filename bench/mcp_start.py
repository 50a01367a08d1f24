"""Cold start of `vestige-mcp`: spawn to the answers of `initialize`, `tools/list` and a first
`memory_status` call, over stdio with the MCP SDK's client, against a same-run baseline.

    .venv/bin/python bench/mcp_start.py [--runs 5]

Each run spawns a new server process twice: once against a fresh database of the test server
(VESTIGE_TEST_DSN or the embedded one in /tmp/vestige-test-pg), created and deployed before the
spawn (not timed), given as VESTIGE_DATABASE_URL; once with a fresh, empty embedded data directory
(VESTIGE_STORAGE__EMBEDDED__DATA_DIR), so its first tool call includes initdb, the server start
and the deploy. `memory_status` waits for the server's warm-up (database and embedding model).
The baselines spawn `python -c "import vestige_client.mcp_server"` (the server's import cost) and
`python -c pass`, and time them to exit. Every database and data directory is removed at the end.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import anyio
import psycopg
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, get_default_environment, stdio_client
from mcp_types import TextContent
from psycopg import sql

from vestige_client import local_postgres
from vestige_client.deployer import deploy

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

VESTIGE_MCP = Path(sys.executable).parent / "vestige-mcp"
STEPS = ("initialize", "tools/list", "memory_status")


@dataclass(frozen=True)
class Start:
    """Seconds from spawn to each answer of one cold start."""

    initialize: float
    tools_list: float
    memory_status: float


async def cold_start(env: dict[str, str], backend: str, errlog: TextIO) -> Start:
    """Spawn vestige-mcp, initialize, list the tools, call memory_status; time each from the spawn."""
    params = StdioServerParameters(command=str(VESTIGE_MCP), env=env)
    start = time.perf_counter()
    async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        initialized = time.perf_counter()
        tools = await session.list_tools()
        listed = time.perf_counter()
        status = await session.call_tool("memory_status", {})
        answered = time.perf_counter()
    if "search" not in {t.name for t in tools.tools}:
        raise RuntimeError("vestige-mcp listed no search tool")
    if status.is_error:
        text = " ".join(c.text for c in status.content if isinstance(c, TextContent))
        raise RuntimeError(f"memory_status failed: {text}")
    if (status.structured_content or {}).get("backend") != backend:
        raise RuntimeError(
            f"memory_status answered from {status.structured_content}, not the {backend} backend"
        )
    return Start(initialized - start, listed - start, answered - start)


def spawn_to_exit(code: str, env: dict[str, str]) -> float:
    """Seconds from spawning `python -c code` to its exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - start


def fresh_database(server: str) -> tuple[str, str]:
    """Create and deploy a new database on the server; return its name and conninfo."""
    name = f"bench_mcp_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conninfo = psycopg.conninfo.make_conninfo(server, dbname=name)
    deploy.deploy(conninfo, deploy.bundled_plan(), committer_name="bench", committer_email="bench@localhost")
    return name, conninfo


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def seconds(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    info = common.machine()
    print(f"# vestige-mcp cold start, {info['date']}")
    print(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}\n", flush=True)
    server = common.server_conninfo()
    starts: dict[str, list[Start]] = {"postgres": [], "embedded": []}
    baselines: dict[str, list[float]] = {"import": [], "pass": []}
    work = Path(tempfile.mkdtemp(prefix="vmcp-", dir="/tmp"))  # short: the socket path has a limit
    data_dirs: list[Path] = []
    try:
        with open(work / "server-stderr.log", "w") as errlog:
            for run in range(args.runs):
                env = {"XDG_CONFIG_HOME": str(work / "config"), "XDG_DATA_HOME": str(work / "data")}
                base = get_default_environment() | env
                baselines["import"].append(spawn_to_exit("import vestige_client.mcp_server", base))
                baselines["pass"].append(spawn_to_exit("pass", base))

                name, conninfo = fresh_database(server)
                try:
                    env_pg = {**env, "VESTIGE_DATABASE_URL": conninfo}
                    starts["postgres"].append(anyio.run(cold_start, env_pg, "postgres", errlog))
                finally:
                    drop_database(server, name)

                data_dir = work / f"pg{run}"
                data_dirs.append(data_dir)
                env_embedded = {**env, "VESTIGE_STORAGE__EMBEDDED__DATA_DIR": str(data_dir)}
                try:
                    starts["embedded"].append(anyio.run(cold_start, env_embedded, "embedded", errlog))
                finally:
                    local_postgres.stop(data_dir)
                print(f"  run {run + 1}/{args.runs} done", flush=True)
    except BaseException:
        print((work / "server-stderr.log").read_text()[-4000:], file=sys.stderr)
        raise
    finally:
        for data_dir in data_dirs:
            local_postgres.stop(data_dir)
        shutil.rmtree(work, ignore_errors=True)

    header = ["what", *(f"spawn → {s} (s)" for s in STEPS)]
    rows = [
        [
            f"vestige-mcp, {backend}",
            seconds([s.initialize for s in runs]),
            seconds([s.tools_list for s in runs]),
            seconds([s.memory_status for s in runs]),
        ]
        for backend, runs in starts.items()
    ]
    rows.append(
        [
            'baseline: python -c "import vestige_client.mcp_server" (to exit)',
            seconds(baselines["import"]),
            "",
            "",
        ]
    )
    rows.append(["baseline: python -c pass (to exit)", seconds(baselines["pass"]), "", ""])
    print(f"\nMedian of {args.runs} runs (min-max):\n")
    print(common.markdown_table(header, rows))
    init = max(statistics.median(s.initialize for s in runs) for runs in starts.values())
    verdict = "met" if init < 2 else "missed"
    print(f"\nGoal initialize < 2 s on a cold start: {verdict} (worst median {init:.2f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

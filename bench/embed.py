"""The default model on ONNX Runtime against sentence-transformers on torch, side by side in one run.

    .venv/bin/python bench/embed.py [--runs 3] [--queries 200] [--docs 1000] [--mcp-queries 100]

Texts: the LoCoMo dev split (../shared/data/locomo): its questions are the queries, its turns the
documents. Every part runs both runtimes (`[embedding] runtime`) in the same run, interleaved:

1. The embedder, in a fresh process per runtime and run: seconds from spawn to the first vector;
   one query at a time (each question once, no cache) p50/p95; a batch of --docs turns (docs/s);
   peak RSS of the process. Both on the machine's cores (ONNX Runtime threads 0 = every core;
   torch's default, the same number).
2. The choice of threads and batch size for ONNX Runtime: docs/s for threads 1 and 2 by batch
   size 4 to 64, one process each.
3. `vestige search` from a shell (process start, model load, embed, search) on each runtime,
   against `vestige stats` (the same start and connection, no model).
4. `vestige-mcp`: spawn to the answer of a first `memory_status` (which waits for the server's
   warm-up: database and model), the server's resident memory then (VmRSS, and its peak VmHWM),
   and MCP `search` on a store of 200 memories: --mcp-queries new questions (each embeds) and the
   same question again (its vector comes from the cache).

Runs on fresh databases of the test server (VESTIGE_TEST_DSN or the embedded one), dropped at the
end; every server process it spawns is stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

from vestige_client.embed import OnnxEmbedder

DATA = common.REPO.parent / "shared" / "data" / "locomo"
VESTIGE = Path(sys.executable).parent / "vestige"
VESTIGE_MCP = Path(sys.executable).parent / "vestige-mcp"
RUNTIMES = ("sentence-transformers", "onnx")
STORE = 200  # memories in the MCP store
BATCHES = (4, 8, 16, 32, 64)  # the batch sizes tried for ONNX Runtime


def questions(n: int) -> list[str]:
    lines = (DATA / "queries.jsonl").read_text().splitlines()
    return list(dict.fromkeys(json.loads(line)["question"] for line in lines))[:n]


def turns(n: int) -> list[str]:
    return [json.loads(line)["text"] for line in (DATA / "memories.jsonl").read_text().splitlines()[:n]]


# --- 1 and 2: the embedder in a process of its own ----------------------------------------------


def child(runtime: str, threads: int, batch: int, n_queries: int, n_docs: int) -> None:
    """Print "ready" at the first vector, then one JSON line of measurements."""
    from vestige_client.embed import DEFAULT_MODEL, EmbeddingSettings, OnnxEmbedder, resolve_embedder

    OnnxEmbedder.BATCH = batch
    embedder = resolve_embedder(DEFAULT_MODEL, EmbeddingSettings(runtime=runtime, threads=threads))  # type: ignore[arg-type]
    embedder.embed_documents(["the first vector"])
    print("ready", flush=True)
    queries, docs = questions(n_queries), turns(n_docs)
    for text in queries[:5]:
        embedder.embed_documents([text])  # warm the kernels
    single = []
    for text in queries:
        start = time.perf_counter()
        embedder.embed_documents([text])  # embed_query without its cache
        single.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    embedder.embed_documents(docs)
    docs_per_s = len(docs) / (time.perf_counter() - start)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    quantiles = statistics.quantiles(single, n=20)
    print(
        json.dumps(
            {"p50": statistics.median(single), "p95": quantiles[18], "docs_per_s": docs_per_s, "rss": rss_mb}
        )
    )


def embedder_run(runtime: str, threads: int, batch: int, n_queries: int, n_docs: int) -> dict[str, float]:
    args = [
        sys.executable,
        __file__,
        "--child",
        runtime,
        str(threads),
        str(batch),
        str(n_queries),
        str(n_docs),
    ]
    start = time.perf_counter()
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the {runtime} embedder did not start")
        first = time.perf_counter() - start
        result: dict[str, float] = json.loads(proc.stdout.readline())
    if proc.returncode:
        raise RuntimeError(f"the {runtime} embedder failed")
    return {"first": first, **result}


# --- 3: `vestige search` from a shell -----------------------------------------------------------


def timed(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, input=stdin, text=True, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


# --- 4: vestige-mcp -----------------------------------------------------------------------------


def server_memory() -> tuple[float, float]:
    """VmRSS and VmHWM (MB) of this process's vestige-mcp child."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields["PPid"]) == os.getpid() and b"vestige-mcp" in cmdline:
            return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    raise RuntimeError("no vestige-mcp child found")


async def mcp_run(env: dict[str, str], queries: list[str], errlog: Any) -> dict[str, float]:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=str(VESTIGE_MCP), env=env)
    start = time.perf_counter()
    async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        status = await session.call_tool("memory_status", {})
        first = time.perf_counter() - start
        if status.is_error:
            raise RuntimeError(f"memory_status failed: {status.content}")
        rss, hwm = server_memory()

        async def search(query: str) -> float:
            began = time.perf_counter()
            result = await session.call_tool("search", {"query": query})
            if result.is_error or not (result.structured_content or {}).get("results"):
                raise RuntimeError(f"search {query!r} found nothing: {result.content}")
            return (time.perf_counter() - began) * 1000

        new = [await search(query) for query in queries]
        cached = [await search(queries[0]) for _ in queries]
    return {
        "first": first,
        "rss": rss,
        "hwm": hwm,
        "new": statistics.median(new),
        "cached": statistics.median(cached),
    }


# --- the report ----------------------------------------------------------------------------------


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


Runs = dict[str, list[dict[str, float]]]


def measure_embedders(args: argparse.Namespace) -> tuple[Runs, dict[tuple[int, int], float]]:
    embedder: Runs = {r: [] for r in RUNTIMES}
    for run in range(args.runs):
        for runtime in RUNTIMES:
            embedder[runtime].append(embedder_run(runtime, 0, OnnxEmbedder.BATCH, args.queries, args.docs))
        print(f"  embedder run {run + 1}/{args.runs} done", flush=True)
    sweep = {
        (threads, batch): embedder_run("onnx", threads, batch, 10, args.docs)["docs_per_s"]
        for threads in (1, 2)
        for batch in BATCHES
    }
    print("  sweep done", flush=True)
    return embedder, sweep


def measure_commands(args: argparse.Namespace) -> tuple[dict[str, list[float]], list[float], Runs]:
    import anyio  # here, not at the top: the embedder processes (1, 2) import only what they measure
    from mcp.client.stdio import get_default_environment

    server = common.server_conninfo()
    search: dict[str, list[float]] = {r: [] for r in RUNTIMES}
    stats: list[float] = []
    mcp: Runs = {r: [] for r in RUNTIMES}
    store = "".join(text.replace("\n", " ") + "\n" for text in turns(STORE))
    mcp_queries = questions(args.mcp_queries)
    with (
        common.fresh_database(server, "bench_embed", whole_plan=True) as conninfo,
        tempfile.TemporaryDirectory(prefix="vemb-", dir="/tmp") as home,
        open(Path(home) / "server-stderr.log", "w") as errlog,
    ):
        base = {k: v for k, v in os.environ.items() if not k.startswith("VESTIGE_")}
        env = {**base, "VESTIGE_DATABASE_URL": conninfo, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}
        subprocess.run([str(VESTIGE), "ingest", "-"], env=env, input=store, text=True, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        for _ in range(args.runs):
            for runtime in RUNTIMES:
                on = {**env, "VESTIGE_EMBEDDING__RUNTIME": runtime}
                search[runtime].append(timed([str(VESTIGE), "search", "when is the release?"], on))
            stats.append(timed([str(VESTIGE), "stats"], env))
            for runtime in RUNTIMES:
                on = get_default_environment() | {
                    k: v for k, v in env.items() if k.startswith(("VESTIGE_", "XDG_"))
                }
                on["VESTIGE_EMBEDDING__RUNTIME"] = runtime
                mcp[runtime].append(anyio.run(mcp_run, on, mcp_queries, errlog))
    print("  command and MCP runs done\n", flush=True)
    return search, stats, mcp


def report(
    args: argparse.Namespace,
    embedder: Runs,
    sweep: dict[tuple[int, int], float],
    commands: tuple[dict[str, list[float]], list[float], Runs],
) -> None:
    search, stats, mcp = commands
    old, new = "sentence-transformers", "onnx"
    rows = []
    for label, key, unit in (
        ("spawn → first vector", "first", "s"),
        ("one query, p50", "p50", "ms"),
        ("one query, p95", "p95", "ms"),
        (f"batch of {args.docs} turns", "docs_per_s", "docs/s"),
        ("peak RSS of the process", "rss", "MB"),
    ):
        a, b = median(embedder[old], key), median(embedder[new], key)
        rows.append([f"{label} ({unit})", f"{a:.2f}", f"{b:.2f}", f"{b / a:.2f}"])
    s_old, s_new, s_base = (statistics.median(x) for x in (search[old], search[new], stats))
    rows.append(["`vestige search` cold (s)", f"{s_old:.2f}", f"{s_new:.2f}", f"{s_new / s_old:.2f}"])
    for label, key, unit in (
        ("vestige-mcp spawn → first `memory_status`", "first", "s"),
        ("vestige-mcp resident memory then (VmRSS)", "rss", "MB"),
        ("vestige-mcp peak resident memory (VmHWM)", "hwm", "MB"),
        (f"MCP `search`, {args.mcp_queries} new questions, median", "new", "ms"),
        ("MCP `search`, the same question again, median", "cached", "ms"),
    ):
        a, b = median(mcp[old], key), median(mcp[new], key)
        rows.append([f"{label} ({unit})", f"{a:.2f}", f"{b:.2f}", f"{b / a:.2f}"])
    print(f"Medians of {args.runs} runs, both runtimes in the same run:\n")
    print(common.markdown_table(["what", "sentence-transformers", "ONNX Runtime", "ONNX / ST"], rows))
    print(f"\nbaseline: `vestige stats` {s_base:.2f} s (`vestige search` on ONNX / it: {s_new / s_base:.2f})")
    saved_embed = median(embedder[old], "p50") - median(embedder[new], "p50")
    saved_search = median(mcp[old], "new") - median(mcp[new], "new")
    print(
        f"MCP `search` saved {saved_search:.1f} ms a new question; one query embedding {saved_embed:.1f} ms"
    )
    print("\nONNX Runtime batch throughput (docs/s) by threads and batch size, one process each:\n")
    print(common.markdown_table(
        ["threads", *(f"batch {b}" for b in BATCHES)],
        [[str(t), *(f"{sweep[t, b]:.0f}" for b in BATCHES)] for t in (1, 2)],
    ))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--mcp-queries", type=int, default=100)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        runtime, threads, batch, n_queries, n_docs = args.child
        child(runtime, int(threads), int(batch), int(n_queries), int(n_docs))
        return
    info = common.machine()
    print(f"# ONNX Runtime vs sentence-transformers, {info['date']}")
    print(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}\n", flush=True)
    embedder, sweep = measure_embedders(args)
    report(args, embedder, sweep, measure_commands(args))


if __name__ == "__main__":
    main()

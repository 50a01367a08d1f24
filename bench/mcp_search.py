"""MCP `search` end to end on a larger store: a real `vestige-mcp` over stdio, warm, new questions.

    .venv/bin/python bench/mcp_search.py [--store 10000] [--queries 200] [--runs 3]

A fresh database of the test server (VESTIGE_TEST_DSN or the embedded one) gets --store memories
(the LoCoMo turns, repeated with a "[k] " prefix past the 2,760 there are), inserted through the
client with the default model (no ingest gating, so the store has exactly that many). Then, per
run, a new `vestige-mcp` process (the MCP SDK's stdio client) answers `memory_status` (the
warm-up) and `search` for --queries LoCoMo questions, each new (its vector is embedded), then the
first question again --queries times (its vector comes from the query cache): the difference is
what embedding costs inside a search. The same questions go through the client in this process
once (`Client.recall`: the query embedding and the SQL, no MCP) as the baseline, then again with
their vectors cached, with and without the testing effect's write, interleaved. Medians of
the runs. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
import embed

from vestige_client import config
from vestige_client.client import Client, NewMemory


def store_texts(n: int) -> list[str]:
    turns = embed.turns(10**6)
    return [f"[{i // len(turns)}] {turns[i % len(turns)]}" if i >= len(turns) else turns[i] for i in range(n)]


def main() -> None:
    import anyio
    from mcp.client.stdio import get_default_environment

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    info = common.machine()
    print(f"# MCP search on {args.store:,} memories, {info['date']}")
    print(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}\n", flush=True)

    questions = embed.questions(args.queries)
    runs: list[dict[str, float]] = []
    direct: list[float] = []
    touched: list[float] = []
    untouched: list[float] = []
    with (
        common.fresh_database(common.server_conninfo(), "bench_mcp_search", whole_plan=True) as conninfo,
        tempfile.TemporaryDirectory(prefix="vms-", dir="/tmp") as home,
        open(Path(home) / "server-stderr.log", "w") as errlog,
    ):
        env = {"VESTIGE_DATABASE_URL": conninfo, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}
        settings = config.load_settings(None, env=env)
        started = time.perf_counter()
        with Client.open(settings) as client:
            client.insert_memories([NewMemory(text) for text in store_texts(args.store)])
        print(f"stored {args.store:,} memories in {time.perf_counter() - started:.0f} s", flush=True)
        server_env = get_default_environment() | env | {k: v for k, v in os.environ.items() if k == "PATH"}
        for run in range(args.runs):
            runs.append(anyio.run(embed.mcp_run, server_env, questions, errlog))
            if run == 0:  # once: later runs would find the questions' vectors in the query cache
                with Client.open(settings) as client:
                    for i in range(10):
                        client.recall(f"warm-up question {i}")  # the model and the plans
                    for question in questions:
                        began = time.perf_counter()
                        client.recall(question)
                        direct.append((time.perf_counter() - began) * 1000)
                    for question in questions:  # vectors cached now: with and without the touch, interleaved
                        for touch, samples in ((True, touched), (False, untouched)):
                            began = time.perf_counter()
                            client.recall(question, touch=touch)
                            samples.append((time.perf_counter() - began) * 1000)
            print(f"  run {run + 1}/{args.runs} done", flush=True)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    rows = [
        ["MCP `search`, a new question (embedded)", f"{median('new'):.2f}"],
        ["MCP `search`, the same question again (cached vector)", f"{median('cached'):.2f}"],
        ["baseline: `Client.recall` in this process, a new question (embedded)",
         f"{statistics.median(direct):.2f}"],
        ["`Client.recall`, cached vector", f"{statistics.median(touched):.2f}"],
        ["`Client.recall`, cached vector, no touch (what the testing effect's write costs)",
         f"{statistics.median(untouched):.2f}"],
        ["vestige-mcp spawn → first `memory_status` (s)", f"{median('first'):.2f}"],
        ["vestige-mcp resident memory (VmRSS, MB)", f"{median('rss'):.0f}"],
    ]  # fmt: skip
    print(f"\nMedians of {args.runs} runs, {args.queries} questions each (ms unless stated):\n")
    print(common.markdown_table(["what", "p50"], rows))


if __name__ == "__main__":
    main()

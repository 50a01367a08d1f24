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

With --against REV, each run also spawns a `vestige-mcp` of revision REV (a git worktree, its
Python on PYTHONPATH, this checkout's database), alternating which goes first, and the table
gains its figures and the ratios: the same run compares a change of the Python side (the schema
is this checkout's, so REV must work with it).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
import embed

from vestige_client import config
from vestige_client.client import Client, NewMemory


def store_texts(n: int) -> list[str]:
    turns = embed.turns(10**6)
    return [f"[{i // len(turns)}] {turns[i % len(turns)]}" if i >= len(turns) else turns[i] for i in range(n)]


@contextlib.contextmanager
def worktree(rev: str | None) -> Iterator[Path | None]:
    """A detached git worktree of rev (removed at the end), or None."""
    if rev is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="vms-against-", dir="/tmp") as parent:
        path = Path(parent) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=common.REPO, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        try:
            yield path
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=common.REPO, check=True)


Samples = list[float]


def in_process(settings: config.Settings, questions: list[str]) -> tuple[Samples, Samples, Samples]:
    """`Client.recall` in this process (ms): each question new, then cached with and without the
    touch, interleaved."""
    direct: list[float] = []
    touched: list[float] = []
    untouched: list[float] = []
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
    return direct, touched, untouched


def main() -> None:
    import anyio
    from mcp.client.stdio import get_default_environment

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="also run the vestige-mcp of this git revision")
    args = parser.parse_args()
    info = common.machine()
    print(f"# MCP search on {args.store:,} memories, {info['date']}")
    print(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}\n", flush=True)

    questions = embed.questions(args.queries)
    runs: list[dict[str, float]] = []
    baseline: list[dict[str, float]] = []
    direct: Samples = []
    touched: Samples = []
    untouched: Samples = []
    with (
        common.fresh_database(common.server_conninfo(), "bench_mcp_search", whole_plan=True) as conninfo,
        tempfile.TemporaryDirectory(prefix="vms-", dir="/tmp") as home,
        open(Path(home) / "server-stderr.log", "w") as errlog,
        worktree(args.against) as against,
    ):
        env = {"VESTIGE_DATABASE_URL": conninfo, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}
        settings = config.load_settings(None, env=env)
        started = time.perf_counter()
        with Client.open(settings) as client:
            client.insert_memories([NewMemory(text) for text in store_texts(args.store)])
        print(f"stored {args.store:,} memories in {time.perf_counter() - started:.0f} s", flush=True)
        server_env = get_default_environment() | env | {k: v for k, v in os.environ.items() if k == "PATH"}
        for run in range(args.runs):
            ours = {**server_env, "PYTHONPATH": str(common.REPO)}
            theirs = {**server_env, "PYTHONPATH": str(against)} if against else None
            if theirs and run % 2:
                baseline.append(anyio.run(embed.mcp_run, theirs, questions, errlog))
            runs.append(anyio.run(embed.mcp_run, ours, questions, errlog))
            if theirs and not run % 2:
                baseline.append(anyio.run(embed.mcp_run, theirs, questions, errlog))
            if run == 0:  # once: later runs would find the questions' vectors in the query cache
                direct, touched, untouched = in_process(settings, questions)
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
    if baseline:
        for key, what in (("new", "a new question"), ("cached", "the same question again")):
            before = statistics.median(r[key] for r in baseline)
            rows.append([f"MCP `search` of {args.against}, {what}", f"{before:.2f}"])
            rows.append([f"ratio this tree / {args.against}, {what}", f"{median(key) / before:.2f}"])
    print(f"\nMedians of {args.runs} runs, {args.queries} questions each (ms unless stated):\n")
    print(common.markdown_table(["what", "p50"], rows))


if __name__ == "__main__":
    main()

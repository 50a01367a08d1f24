"""`vestige migrate reembed` online, on a store of real texts, against baselines of the same run:

- the raw rate of the model: the same embedder, the same threads (`[embedding] threads`), embedding the same
  texts in batches of the same size, nothing else;
- search latency while idle: a separate process running `Client.search_hybrid` in a loop.

Then the online reembed (in this process, the same embedder object) while that search loop
runs again: the reembed's rate in its embedding pass and end to end (index build and switch
included), and the search latency during the run, with its errors (the goal is none).

    .venv/bin/python bench/reembed.py [--memories 10000] [--threads 1] [--batch-size 128] [--keep]

The memories are the LoCoMo turns (../shared/data/locomo, read in place), repeated with a
prefix to reach --memories. They are stored embedded with the default model (all-MiniLM-L6-v2,
384-d); the switch goes to the same model truncated to 256 dimensions (`@256`), which costs
the same to run, so the rate is the default model's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vestige_client import config
from vestige_client.client import Client, NewMemory
from vestige_client.embed import DEFAULT_MODEL, resolve_embedder
from vestige_client.migrate import reembed as switch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

TARGET = f"{DEFAULT_MODEL}@256"
DATA = common.REPO.parent / "shared" / "data" / "locomo" / "memories.jsonl"
QUERIES = [
    "What does Caroline do for a living?", "Where did Melanie go camping?", "Who likes painting?",
    "When is the charity race?", "What did they talk about adoption?", "Which book was recommended?",
    "Who went to the LGBTQ support group?", "What instrument does Melanie play?",
]  # fmt: skip


def texts(count: int) -> list[str]:
    turns = [json.loads(line)["text"] for line in DATA.read_text().splitlines()]
    return [f"[{i // len(turns)}] {turns[i % len(turns)]}" for i in range(count)]


def settings_for(database: str, home: str, threads: int = 0) -> config.Settings:
    env = {
        "VESTIGE_DATABASE_URL": database,
        "XDG_CONFIG_HOME": home,
        "VESTIGE_EMBEDDING__THREADS": str(threads),
    }
    return config.load_settings(None, env=env)


def search_loop(database: str, home: str, stop: Path, threads: int) -> None:
    """The search process: hybrid searches until `stop` exists; latencies and errors as JSON."""
    latencies: list[float] = []
    errors: list[str] = []
    models: dict[str, int] = {}
    with Client.open(settings_for(database, home, threads)) as client:
        for query in QUERIES:  # warm: model loaded, query vectors cached
            client.search_hybrid(query)
        print("ready", flush=True)
        i = 0
        while not stop.exists():
            query = QUERIES[i % len(QUERIES)]
            i += 1
            start = time.perf_counter()
            try:
                client.search_hybrid(query)
            except Exception as exc:  # every failure is a finding
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append((time.perf_counter() - start) * 1000)
            name = client.embedder.name
            models[name] = models.get(name, 0) + 1
    print(json.dumps({"latencies_ms": latencies, "errors": errors, "models": models}), flush=True)


@contextlib.contextmanager
def searching(database: str, home: str, threads: int) -> Iterator[dict[str, Any]]:
    """Run the search loop in another process for the duration of the block; its results after."""
    stop = Path(tempfile.mkdtemp()) / "stop"
    args = [sys.executable, __file__, "--loop", database, "--home", home, "--stop", str(stop),
            "--threads", str(threads)]  # fmt: skip
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    result: dict[str, Any] = {}
    try:
        yield result
    finally:
        stop.touch()
        out, _ = process.communicate(timeout=600)
        result.update(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=1, help="embedding threads (the same for every arm)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--data-dir")
    parser.add_argument("--loop", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--stop", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loop:
        search_loop(args.loop, args.home, Path(args.stop), args.threads)
        return

    home = tempfile.mkdtemp()
    server = common.server_conninfo(args.data_dir)
    corpus = texts(args.memories)
    with common.fresh_database(server, "bench_reembed", args.keep, whole_plan=True) as database:
        seed_start = time.perf_counter()
        with Client.open(settings_for(database, home)) as client:
            client.insert_memories([NewMemory(t) for t in corpus])
        seed_seconds = time.perf_counter() - seed_start

        # Baseline 1: the raw model, same embedder, same threads, same batches.
        target = resolve_embedder(TARGET, settings_for(database, home, args.threads).embedding)
        target.load()
        start = time.perf_counter()
        for i in range(0, len(corpus), args.batch_size):
            target.embed_documents(corpus[i : i + args.batch_size])
        raw_rate = len(corpus) / (time.perf_counter() - start)

        # Baseline 2: search latency while nothing else runs.
        with searching(database, home, args.threads) as idle:
            time.sleep(args.idle_seconds)

        # (time, memories done) at the first and the last progress call of each phase.
        phases: dict[str, list[tuple[float, int]]] = {}

        def progress(phase: str, done: int, total: int) -> None:
            now = (time.perf_counter(), done)
            phases.setdefault(phase, [now, now])[1] = now

        options = switch.ReembedOptions(TARGET, yes=True, no_backup_check=True, batch_size=args.batch_size)
        with searching(database, home, args.threads) as during:
            run_start = time.perf_counter()
            report = switch.reembed(settings_for(database, home, args.threads), options, progress)
            run_seconds = time.perf_counter() - run_start
            time.sleep(2.0)  # searches after the switch too
        (start_at, start_done), (end_at, end_done) = phases["embedding"]
        # The first progress call comes after the first batch: add one batch's worth of time.
        # The rate between the first and the last batch written (None with a single batch).
        fill_rate = (end_done - start_done) / (end_at - start_at) if end_done > start_done else None

    print_report(args, raw_rate, seed_seconds, report, run_seconds, fill_rate, idle, during)


def print_report(
    args: argparse.Namespace,
    raw_rate: float,
    seed_seconds: float,
    report: switch.ReembedReport,
    run_seconds: float,
    fill_rate: float | None,
    idle: dict[str, Any],
    during: dict[str, Any],
) -> None:
    m = common.machine()
    print(f"### reembed, {args.memories} memories ({m['date']}, {m['nproc']} cores, {m['cpu']})\n")
    print(f"embedding threads {args.threads}, batch {args.batch_size}; seeding took {seed_seconds:.1f} s\n")
    rows = [
        ["raw model (embed only)", f"{raw_rate:,.0f}", "1.00"],
        ["reembed, embedding pass", f"{fill_rate:,.0f}", f"{fill_rate / raw_rate:.2f}"]
        if fill_rate
        else ["reembed, embedding pass", "one batch: n/a", ""],
        ["reembed, end to end (index, catch-up, switch)", f"{report.embedded / run_seconds:,.0f}",
         f"{report.embedded / run_seconds / raw_rate:.2f}"],
    ]  # fmt: skip
    print(common.markdown_table(["memories per second", "rate", "ratio to raw"], rows))
    print(f"\nverified: {report.verification}\n")
    lat = []
    for label, result in (("idle", idle), ("during the online reembed", during)):
        p50, p95, p99 = common.percentiles(result["latencies_ms"])
        worst = max(result["latencies_ms"])
        lat.append([label, len(result["latencies_ms"]), len(result["errors"]), f"{p50:.1f}", f"{p95:.1f}",
                    f"{p99:.1f}", f"{worst:.0f}"])  # fmt: skip
    print(
        common.markdown_table(
            ["search_hybrid", "searches", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"], lat
        )
    )
    p99_ratio = common.percentiles(during["latencies_ms"])[2] / common.percentiles(idle["latencies_ms"])[2]
    print(f"\np99 during / idle: {p99_ratio:.2f}; searches by model during the run: {during['models']}")
    if during["errors"]:
        print("errors:", *during["errors"][:10], sep="\n  ")


if __name__ == "__main__":
    main()

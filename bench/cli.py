"""The `vestige` command as a user runs it: cold start of `vestige search` and bulk ingest from
stdin, each against a baseline measured in the same run (these machines are shared and noisy).

- cold start: `vestige search QUERY` (imports the embedding runtime, loads the model, embeds,
  searches) against `vestige stats` (same process start, connection and pool, no model);
- ingest: `vestige ingest -` of N lines against a bare process that loads the model and embeds
  the same N lines (no database), so the ratio is what the database adds.

    .venv/bin/python bench/cli.py [--runs 5] [--lines 1000]

Runs on a fresh database of the test server (VESTIGE_TEST_DSN or the embedded one), deployed
with the client's own deployer, and drops it at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

VESTIGE = Path(sys.executable).parent / "vestige"
WORDS = [
    *["backup", "deploy", "staging", "database", "index", "vector", "memory", "team", "release"],
    *["friday", "monday", "cluster", "schema", "table", "search", "model", "review", "note"],
    *["decision", "pattern", "latency", "budget", "customer", "invoice"],
]
EMBED_ONLY = (
    "import sys; from vestige_client.embed import DEFAULT_MODEL, resolve_embedder; "
    "resolve_embedder(DEFAULT_MODEL).embed_documents(sys.stdin.read().splitlines())"
)


def timed(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, input=stdin, text=True, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args()

    server = common.server_conninfo()
    rng = random.Random(1)
    lines = "".join(f"Note {i}: " + " ".join(rng.choices(WORDS, k=12)) + "\n" for i in range(args.lines))
    with (
        common.fresh_database(server, "bench_cli", whole_plan=True) as conninfo,
        tempfile.TemporaryDirectory() as home,
    ):
        base = {k: v for k, v in os.environ.items() if not k.startswith("VESTIGE_")}
        env = {**base, "VESTIGE_DATABASE_URL": conninfo, "XDG_CONFIG_HOME": home}
        timed([str(VESTIGE), "ingest", "warm-up memory"], env)  # registers the model
        search = [timed([str(VESTIGE), "search", "when is the release?"], env) for _ in range(args.runs)]
        stats = [timed([str(VESTIGE), "stats"], env) for _ in range(args.runs)]
        ingest = [timed([str(VESTIGE), "ingest", "-"], env, lines) for _ in range(args.runs)]
        embed = [timed([sys.executable, "-c", EMBED_ONLY], env, lines) for _ in range(args.runs)]

    s, b, i, e = (statistics.median(x) for x in (search, stats, ingest, embed))
    header = ["what", f"median of {args.runs} (s)", "baseline (s)", "ratio"]
    rows = [
        ["`vestige search` cold start / `vestige stats`", f"{s:.2f}", f"{b:.2f}", f"{s / b:.1f}"],
        [f"`vestige ingest -` {args.lines} lines / embed only", f"{i:.2f}", f"{e:.2f}", f"{i / e:.2f}"],
    ]
    print(common.markdown_table(header, rows))
    print(f"\ningest: {args.lines / i:.0f} memories/s end to end (process start and model load included)")


if __name__ == "__main__":
    main()

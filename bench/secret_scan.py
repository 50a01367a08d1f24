"""What the secret detector costs a write: `vestige.check_content` (blank, size and secrets) against
the same statement without the secret scan (`vestige.content_limit()` and `octet_length`), over the
same texts in the same run.

Texts: the LoCoMo dialogue turns (`../shared/data/locomo/memories.jsonl`, read in place), and one
text of 1 MiB made of them. Each statement runs over all the texts at once (one `unnest`), `--runs`
times; the table gives the median time per text and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any, LiteralString

import common
import psycopg

DATA = common.REPO.parent / "shared" / "data" / "locomo" / "memories.jsonl"
DETECTOR: LiteralString = "SELECT count(vestige.check_content(t)) FROM unnest(%(texts)s::text[]) AS t"
BASELINE: LiteralString = (
    "SELECT count(*) FROM unnest(%(texts)s::text[]) AS t"
    " WHERE t ~ '\\S' AND octet_length(t) <= vestige.content_limit()"
)
FIND: LiteralString = "SELECT count(*) FROM unnest(%(texts)s::text[]) AS t, vestige.find_secrets(t)"


def median_seconds(conn: psycopg.Connection[Any], query: LiteralString, texts: list[str], runs: int) -> float:
    """The median wall time of one statement over all the texts."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute(query, {"texts": texts})
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=5000, help="LoCoMo turns to check")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--data-dir", default=None, help="the embedded PostgreSQL's data directory")
    args = parser.parse_args()

    turns = [json.loads(line)["text"] for line in args.data.read_text().splitlines()[: args.texts]]
    big = ""
    while len(big.encode()) < (1 << 20) - 1000:
        big += " ".join(turns[:200]) + " "
    big = big.encode()[: (1 << 20) - 10].decode(errors="ignore")

    server = common.server_conninfo(args.data_dir)
    with (
        common.fresh_database(server, "bench_secret_scan", whole_plan=True) as db,
        common.connect(db, autocommit=True) as conn,
    ):
        print(common.machine(), common.server_versions(conn))
        found = conn.execute(FIND, {"texts": turns}).fetchone()
        rows = []
        for label, texts in ((f"{len(turns):,} LoCoMo turns", turns), ("one text of 1 MiB", [big])):
            with_scan = median_seconds(conn, DETECTOR, texts, args.runs)
            without = median_seconds(conn, BASELINE, texts, args.runs)
            per, base = 1000 * with_scan / len(texts), 1000 * without / len(texts)
            rows.append(
                [
                    label,
                    f"{per:.3f} ms",
                    f"{base:.3f} ms",
                    f"{with_scan / without:.1f}",
                    f"+{per - base:.3f} ms",
                ]
            )
        print(f"secrets found in the turns: {found[0] if found else '?'} (look-alikes all pass if 0)")
        print(
            common.markdown_table(
                ["texts", "check_content per text", "without the scan", "ratio", "the scan costs"], rows
            )
        )


if __name__ == "__main__":
    main()

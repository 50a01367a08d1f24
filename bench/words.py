"""The text leg on narrow rows (vestige.memory_words) against the same search on the wide rows.

    .venv/bin/python bench/words.py [--store 10000] [--queries 330] [--warmup 30]

A fresh database of the test server gets --store memories (the LoCoMo turns of
bench/mcp_search.py, stored through the client with the default model), then VACUUM ANALYZE.
The baseline is search_hybrid as deployed with one change: its text leg reads knowledge_nodes
(the wide rows, ~1.7 KB with the vector) instead of memory_words, through a text index on
knowledge_nodes that the benchmark builds for it (schema bench_wide; both dropped with the
database). Each LoCoMo question goes to both, alternating which goes first, as vestige_app for
the store's user: with its vector (what recall runs) and with words only. Prints p50/p95 per arm
and how many result lists differ.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
import embed
from mcp_search import store_texts

from vestige_client import config
from vestige_client.client import Client, NewMemory

DEPLOY = Path(__file__).resolve().parent.parent / "db" / "deploy" / "function_search_hybrid.sql"
NARROW = "FROM vestige.memory_words AS w"
# The same columns, read from the wide rows (the planner flattens the subquery onto knowledge_nodes).
WIDE = (
    "FROM (SELECT n.id, n.owner_user_id, n.visibility, n.shared_with_groups,"
    " n.superseded_by IS NOT NULL AS superseded, n.search_tsv FROM vestige.knowledge_nodes AS n) AS w"
)


def wide_function() -> str:
    """search_hybrid's CREATE FUNCTION as deployed, as bench_wide.search_hybrid, text leg on the wide rows."""
    text = DEPLOY.read_text()
    body = text[
        text.index("CREATE FUNCTION vestige.search_hybrid(") : text.index("$$;", text.index("AS $$")) + 3
    ]
    assert body.count(NARROW) == 1, "the text leg's FROM changed: update bench/words.py"
    return body.replace(
        "CREATE FUNCTION vestige.search_hybrid(", "CREATE FUNCTION bench_wide.search_hybrid("
    ).replace(NARROW, WIDE)


def prepare(conninfo: str) -> None:
    with common.connect(conninfo, autocommit=True) as su:
        su.execute("VACUUM ANALYZE vestige.knowledge_nodes")
        su.execute("VACUUM ANALYZE vestige.memory_words")
        su.execute(
            "CREATE INDEX bench_wide_search_tsv_idx ON vestige.knowledge_nodes USING gin (search_tsv)"
            " WITH (fastupdate = off)"
        )
        su.execute("ANALYZE vestige.knowledge_nodes")
        su.execute("CREATE SCHEMA bench_wide")
        su.execute("DO $$ BEGIN PERFORM '[1]'::public.vector; END $$")  # pgvector's hnsw.* settings
        su.execute(wide_function())  # a file of this repository
        su.execute("GRANT USAGE ON SCHEMA bench_wide TO vestige_app")
        su.execute("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA bench_wide TO vestige_app")


def measure(
    conninfo: str,
    user: uuid.UUID,
    model_hash: str,
    questions: list[str],
    vectors: Sequence[Any],
    warmup: int,
) -> dict[str, Any]:
    """Alternate the two functions per question; ms per arm and the result lists."""
    sql = {
        "narrow": "SELECT id FROM vestige.search_hybrid(p_query => %(q)s, p_embedding => %(v)s,"
        " p_model_hash => %(h)s, p_limit => 10)",
        "wide": "SELECT id FROM bench_wide.search_hybrid(p_query => %(q)s, p_embedding => %(v)s,"
        " p_model_hash => %(h)s, p_limit => 10)",
    }
    ms: dict[str, list[float]] = {arm: [] for arm in sql}
    ids: dict[str, list[list[uuid.UUID]]] = {arm: [] for arm in sql}
    with common.connect(conninfo) as app:
        for i, (question, vector) in enumerate(
            zip(questions[:warmup] + questions, [*vectors[:warmup], *vectors], strict=True)
        ):
            for arm in list(sql) if i % 2 else list(sql)[::-1]:
                app.execute("SET LOCAL ROLE vestige_app")
                app.execute("SELECT set_config('vestige.user_id', %s, true)", (str(user),))
                began = time.perf_counter()
                rows = app.execute(sql[arm], {"q": question, "v": vector, "h": model_hash}).fetchall()
                elapsed = (time.perf_counter() - began) * 1000
                app.commit()
                if i >= warmup:
                    ms[arm].append(elapsed)
                    ids[arm].append([r[0] for r in rows])
    differ = sum(a != b for a, b in zip(ids["narrow"], ids["wide"], strict=True))
    return {"ms": ms, "differ": differ, "n": len(questions)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=330)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    info = common.machine()
    print(f"# The text leg on narrow rows, {args.store:,} LoCoMo memories, {info['date']}")
    print(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}\n", flush=True)

    questions = embed.questions(args.queries)
    with (
        common.fresh_database(common.server_conninfo(), "bench_words", whole_plan=True) as conninfo,
        tempfile.TemporaryDirectory(prefix="vbw-", dir="/tmp") as home,
    ):
        settings = config.load_settings(None, env={"VESTIGE_DATABASE_URL": conninfo, "XDG_CONFIG_HOME": home})
        started = time.perf_counter()
        with Client.open(settings) as client:
            client.insert_memories([NewMemory(text) for text in store_texts(args.store)])
            vectors = [client.embedder.embed_query(q) for q in questions]
            model_hash = client.model_hash()
        print(f"stored {args.store:,} memories in {time.perf_counter() - started:.0f} s", flush=True)
        prepare(conninfo)
        with psycopg.connect(conninfo) as su:
            row = su.execute("SELECT owner_user_id FROM vestige.knowledge_nodes LIMIT 1").fetchone()
            assert row is not None
        rows = []
        for label, arm_vectors in (("words and vector", vectors), ("words only", [None] * len(vectors))):
            result = measure(conninfo, row[0], model_hash, questions, arm_vectors, args.warmup)
            narrow, wide = result["ms"]["narrow"], result["ms"]["wide"]
            rows.append(
                [
                    label,
                    f"{statistics.median(wide):.2f} / {np.percentile(wide, 95):.2f}",
                    f"{statistics.median(narrow):.2f} / {np.percentile(narrow, 95):.2f}",
                    f"{statistics.median(narrow) / statistics.median(wide):.2f}",
                    f"{result['differ']} of {result['n']}",
                ]
            )
    print(f"\n## search_hybrid, {args.queries} questions, p50 / p95 ms (alternated per question)\n")
    print(
        common.markdown_table(
            [
                "query",
                "wide rows (knowledge_nodes)",
                "narrow rows (memory_words)",
                "p50 ratio",
                "lists that differ",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()

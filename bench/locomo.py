"""Retrieval quality of the `search` path on LoCoMo: evidence recall@5/@10, MRR@10 and latency.

    python bench/locomo.py [--data ../shared/data/locomo] [--keep] [--runtime onnx|sentence-transformers]

A fresh database on the embedded test server (VESTIGE_TEST_DSN or /tmp/vestige-test-pg), deployed
with the client's own deployer (the whole plan), one user per conversation (vestige.create_user);
every dialogue turn of memories.jsonl is ingested through that user's Client with
`ingest(..., force_create=True)`, one batch per session (every turn stored, no gating), embedded
with the configured model (all-MiniLM-L6-v2, offline). Each question of queries.jsonl is asked
through its conversation's Client, once per arm, with limit 10 (the `search` tool's default);
recall@5 is taken on the first 5. Arms:

- text: Client.search_fts (vestige.search_fts);
- vector: Client.search_vector (vestige.search_vector);
- hybrid: Client.search_hybrid (vestige.search_hybrid, default depth), for reference;
- search, testing effect off: Client.recall(touch=False) (vestige.recall, what the MCP `search`
  tool calls, minus the touch);
- search, testing effect on: Client.recall() as shipped (touch=True), questions in the dataset's
  order, run after every other arm so the others see the untouched state and this one sees the
  touches of the questions before it.

Latencies are client-side per call, query embedding included (the query cache is bypassed, so
every call embeds). The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

from vestige_client import config, db, sql
from vestige_client.client import Client, NewMemory
from vestige_client.deployer import deploy
from vestige_client.embed import DEFAULT_MODEL, Embedder, EmbeddingSettings, Vector, resolve_embedder

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

LIMIT = 10
CUTS = (5, 10)
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}
DEFAULT_DATA = common.REPO.parent / "shared" / "data" / "locomo"

TEXT = "text: search_fts"
VECTOR = "vector: search_vector"
HYBRID = "hybrid: search_hybrid (reference)"
FULL_OFF = "search: recall, testing effect off"
FULL_ON = "search: recall, testing effect on (shipped)"

Arm = Callable[[Client, str], list[uuid.UUID]]
# Read-only arms, asked question by question on the untouched state; FULL_ON runs after them.
READ_ONLY_ARMS: dict[str, Arm] = {
    TEXT: lambda c, q: [h.id for h in c.search_fts(q, limit=LIMIT)],
    VECTOR: lambda c, q: [h.id for h in c.search_vector(q, limit=LIMIT)],
    HYBRID: lambda c, q: [h.id for h in c.search_hybrid(q, limit=LIMIT)],
    FULL_OFF: lambda c, q: [h.id for h in c.recall(q, limit=LIMIT, touch=False)],
}
ARMS = [TEXT, VECTOR, HYBRID, FULL_OFF, FULL_ON]
EMBEDS = {VECTOR, HYBRID, FULL_OFF, FULL_ON}

TOUCHED_SQL = """
SELECT count(*) FILTER (WHERE access_count > 0), max(access_count), min(retention_strength),
       max(retention_strength)
  FROM vestige.knowledge_nodes
"""


class UncachedEmbedder:
    """The configured embedder without the query cache; remembers how long the last query took."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.last_ms = 0.0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def hash(self) -> str:
        return self.inner.hash

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]:
        return self.inner.embed_documents(texts)

    def load(self) -> None:
        self.inner.load()

    def embed_query(self, text: str) -> Vector:
        start = time.perf_counter()
        vector = self.inner.embed_documents([text])[0]
        self.last_ms = (time.perf_counter() - start) * 1000
        return vector


@contextlib.contextmanager
def deployed_database(server: str, keep: bool) -> Iterator[str]:
    """A new database with the whole plan deployed (vestige.recall is needed); dropped at the end."""
    if "function_recall" not in {c.name for c in deploy.bundled_plan().changes}:
        raise SystemExit(
            "sqitch.plan has no function_recall yet: vestige.recall is needed for this benchmark"
        )
    with common.fresh_database(server, "bench_locomo", keep, whole_plan=True) as conninfo:
        yield conninfo


def load(
    database: db.Database, embedder: Embedder, memories: list[dict[str, Any]]
) -> tuple[dict[str, Client], dict[uuid.UUID, str]]:
    """One user and Client per conversation; every turn ingested with force_create, a batch per session."""
    clients: dict[str, Client] = {}
    for conv in sorted({m["conv"] for m in memories}):
        with database.transaction(None) as conn:
            row = conn.execute(sql.CREATE_USER, {"handle": conv, "display_name": None, "id": None}).fetchone()
        assert row is not None
        clients[conv] = Client(database, embedder, uuid.UUID(str(row[0])))
    turn_of: dict[uuid.UUID, str] = {}
    for (conv, _session), group in groupby(memories, key=lambda m: (m["conv"], m["session"])):
        batch = list(group)
        outcomes = clients[conv].ingest([NewMemory(m["text"]) for m in batch], force_create=True)
        for m, outcome in zip(batch, outcomes, strict=True):
            if outcome.decision != "create":
                raise RuntimeError(f"{conv}/{m['id']}: ingest said {outcome.decision}, expected create")
            turn_of[outcome.id] = f"{conv}/{m['id']}"
    return clients, turn_of


class Results:
    """Ids returned and milliseconds taken per arm and question (and the embedding's share)."""

    def __init__(self) -> None:
        self.ids: dict[str, list[list[uuid.UUID]]] = defaultdict(list)
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.embed_ms: dict[str, list[float]] = defaultdict(list)

    def ask(self, arm: str, fn: Arm, client: Client, embedder: UncachedEmbedder, question: str) -> None:
        start = time.perf_counter()
        ids = fn(client, question)
        self.ms[arm].append((time.perf_counter() - start) * 1000)
        self.ids[arm].append(ids)
        if arm in EMBEDS:
            self.embed_ms[arm].append(embedder.last_ms)


def evaluate(
    clients: dict[str, Client], embedder: UncachedEmbedder, questions: list[dict[str, Any]]
) -> Results:
    """Every read-only arm question by question, then the shipped search over all questions in order."""
    res = Results()
    start = time.perf_counter()
    for i, q in enumerate(questions, start=1):
        for arm, fn in READ_ONLY_ARMS.items():
            res.ask(arm, fn, clients[q["conv"]], embedder, q["question"])
        if i % 250 == 0:
            print(f"  read-only arms: {i}/{len(questions)}, {time.perf_counter() - start:.0f} s", flush=True)

    def full_on(c: Client, text: str) -> list[uuid.UUID]:
        return [h.id for h in c.recall(text, limit=LIMIT)]

    for q in questions:
        res.ask(FULL_ON, full_on, clients[q["conv"]], embedder, q["question"])
    print(f"  all arms: {time.perf_counter() - start:.0f} s", flush=True)
    return res


def scores(ids: list[uuid.UUID], evidence: set[str], turn_of: dict[uuid.UUID, str]) -> dict[str, float]:
    """Evidence recall at each cut and the reciprocal rank of the first evidence turn (0 if none)."""
    turns = [turn_of[i] for i in ids]
    out = {f"R@{k}": len(evidence & set(turns[:k])) / len(evidence) for k in CUTS}
    out["MRR@10"] = next((1.0 / r for r, t in enumerate(turns[:10], start=1) if t in evidence), 0.0)
    return out


METRICS = [f"R@{k}" for k in CUTS] + ["MRR@10"]


def per_question(
    res: Results, questions: list[dict[str, Any]], turn_of: dict[uuid.UUID, str]
) -> dict[str, dict[str, np.ndarray]]:
    """metric values[arm][metric] = array over questions."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for arm in ARMS:
        rows = [
            scores(ids, {f"{q['conv']}/{e}" for e in q["evidence"]}, turn_of)
            for ids, q in zip(res.ids[arm], questions, strict=True)
        ]
        out[arm] = {m: np.array([r[m] for r in rows]) for m in METRICS}
    return out


def report(res: Results, questions: list[dict[str, Any]], turn_of: dict[uuid.UUID, str]) -> None:
    values = per_question(res, questions, turn_of)
    print(f"\n## Overall ({len(questions)} questions)\n")
    rows = [[arm] + [f"{values[arm][m].mean():.3f}" for m in METRICS] for arm in ARMS]
    print(common.markdown_table(["arm", *METRICS], rows))

    print(f"\n## Paired difference: {FULL_ON} minus each arm (mean ± 95% interval over questions)\n")
    rows = []
    for arm in ARMS:
        if arm == FULL_ON:
            continue
        cells = []
        for m in METRICS:
            d = values[FULL_ON][m] - values[arm][m]
            cells.append(f"{d.mean():+.3f} ± {1.96 * d.std(ddof=1) / np.sqrt(len(d)):.3f}")
        rows.append([arm, *cells])
    print(common.markdown_table(["arm", *(f"Δ {m}" for m in METRICS)], rows))

    cats = sorted({q["category"] for q in questions})
    of_cat = {c: np.array([q["category"] == c for q in questions]) for c in cats}
    header = ["arm"] + [f"{c} {CATEGORIES.get(c, '?')} (n={of_cat[c].sum()})" for c in cats]
    for m in METRICS:
        print(f"\n## {m} by category\n")
        rows = [[arm] + [f"{values[arm][m][of_cat[c]].mean():.3f}" for c in cats] for arm in ARMS]
        print(common.markdown_table(header, rows))

    print("\n## Latency per call through the Client (ms, query embedding included)\n")
    rows = []
    for arm in ARMS:
        p50, p95, _ = common.percentiles(res.ms[arm])
        embed = f"{np.median(res.embed_ms[arm]):.2f}" if arm in EMBEDS else "-"
        rows.append([arm, f"{p50:.2f}", f"{p95:.2f}", embed])
    print(common.markdown_table(["arm", "p50", "p95", "embedding p50"], rows))

    differ = sum(a != b for a, b in zip(res.ids[FULL_ON], res.ids[FULL_OFF], strict=True))
    print(f"\nResult lists that differ between testing effect on and off: {differ} of {len(questions)}.")
    r10 = {arm: values[arm]["R@10"].mean() for arm in ARMS}
    met = r10[FULL_ON] >= 0.60 and r10[FULL_ON] > max(r10[TEXT], r10[VECTOR])
    print(
        f"Bar (search R@10 >= 0.60 and above text and vector): {'met' if met else 'missed'} "
        f"(search {r10[FULL_ON]:.3f}, text {r10[TEXT]:.3f}, vector {r10[VECTOR]:.3f})."
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with memories.jsonl and queries.jsonl"
    )
    ap.add_argument(
        "--data-dir", help="embedded server data dir (default VESTIGE_TEST_PGDATA or /tmp/vestige-test-pg)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the database")
    ap.add_argument(
        "--runtime", choices=["onnx", "sentence-transformers"], default="onnx", help="what runs the model"
    )
    args = ap.parse_args(argv)

    with open(args.data / "memories.jsonl") as f:
        memories = [json.loads(line) for line in f]
    with open(args.data / "queries.jsonl") as f:
        questions = [json.loads(line) for line in f]
    info = common.machine()
    print(f"# LoCoMo retrieval benchmark, {info['date']}")
    print(
        f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}; embedding runtime {args.runtime}"
    )
    print(
        f"data: {len(memories)} turns, {len(questions)} questions, "
        f"{len({m['conv'] for m in memories})} conversations",
        flush=True,
    )

    server = common.server_conninfo(args.data_dir)
    with (
        tempfile.TemporaryDirectory(prefix="vestige-locomo-") as tmp,
        deployed_database(server, args.keep) as conninfo,
    ):
        with psycopg.connect(conninfo) as conn:
            versions = common.server_versions(conn)
        print(f"PostgreSQL {versions['postgresql']}, pgvector {versions['pgvector']}", flush=True)
        settings = config.load_settings(None, env={"VESTIGE_DATABASE_URL": conninfo, "XDG_CONFIG_HOME": tmp})
        embedder = UncachedEmbedder(resolve_embedder(DEFAULT_MODEL, EmbeddingSettings(runtime=args.runtime)))
        database = db.Database(conninfo, settings)
        try:
            start = time.perf_counter()
            clients, turn_of = load(database, embedder, memories)
            print(f"ingested {len(turn_of)} turns in {time.perf_counter() - start:.0f} s", flush=True)
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE vestige.knowledge_nodes")
            res = evaluate(clients, embedder, questions)
            with psycopg.connect(conninfo) as conn:
                touched = conn.execute(TOUCHED_SQL).fetchone()
        finally:
            database.close()

    report(res, questions, turn_of)
    assert touched is not None
    print(
        f"After the run: {touched[0]} of {len(turn_of)} memories recalled at least once (at most "
        f"{touched[1]} times), retention_strength between {touched[2]:.3f} and {touched[3]:.3f}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

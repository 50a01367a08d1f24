"""Retrieval quality of the `search` path on LoCoMo: evidence recall@5/@10, MRR@10 and latency.

    python bench/locomo.py [--data ../shared/data/locomo] [--keep] [--runtime onnx|sentence-transformers]

A fresh database on the embedded test server (VESTIGE_TEST_DSN or /tmp/vestige-test-pg), deployed
with the client's own deployer (the whole plan), plus the search functions of before issue 17
(bench/before_issue17.sql, schema bench_before) as a frozen baseline. Every dialogue turn of
memories.jsonl is stored twice, with its session's date as valid_from (its event time), by two
users per conversation: "shipped", `ingest(..., force_create=True)` one batch per session (every
turn stored, each after the first embedded with the one before it, as ingest does); "plain",
`insert_memories` (each turn embedded alone, as before issue 17). Each question of queries.jsonl
is asked through its conversation's users, once per arm, with limit 10 (the `search` tool's
default); recall@5 is taken on the first 5. Arms (the store in brackets):

- text: Client.search_fts [shipped; the text leg is the same on both];
- vector: Client.search_vector, each turn alone [plain] and in context [shipped];
- hybrid before: bench_before.search_hybrid, RRF k = 60 over the ranks, depth 10 [plain];
- hybrid: vestige.search_hybrid (scores fused: text weight 0.5, 0.6 shipped, 0.7) at depth 10
  [shipped], and at 0.6 on the turns alone [plain];
- search before: bench_before.recall (RRF pool of 30, recency by last access) [plain], and
  search: vestige.recall [shipped], both with the testing effect off;
- with the testing effect on, after every other arm, questions in the dataset's order, each
  on its own store: search before [plain], and the shipped search through Client.recall
  [shipped].

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
from datetime import UTC, datetime
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

BEFORE_SQL = Path(__file__).resolve().parent / "before_issue17.sql"

TEXT = "text: search_fts"
VECTOR = "vector: search_vector, each turn alone"
VECTOR_CTX = "vector: search_vector, turn + the one before (shipped)"
RRF = "hybrid before: RRF k=60, depth 10, turns alone"
CONVEX_PLAIN = "hybrid: convex 0.6, depth 10, turns alone"
CONVEX_05 = "hybrid: convex 0.5, depth 10"
CONVEX = "hybrid: convex 0.6, depth 10 (shipped search_hybrid)"
CONVEX_07 = "hybrid: convex 0.7, depth 10"
BEFORE_OFF = "search before: RRF pool 30 + blend, effect off"
FULL_OFF = "search: convex pool 30 + blend, effect off"
BEFORE_ON = "search before issue 17, effect on"
FULL_ON = "search shipped (Client.recall), effect on"

# Bench-only statements: the shipped search_hybrid with a chosen weight, and the functions of
# before issue 17 (bench/before_issue17.sql, schema bench_before) for the same-run comparison.
HYBRID_WEIGHTED = """
SELECT id FROM vestige.search_hybrid(p_query => %(query)s, p_embedding => %(embedding)s,
                                     p_model_hash => %(model_hash)s, p_limit => %(limit)s,
                                     p_text_weight => %(weight)s)
"""
BEFORE_HYBRID = """
SELECT id FROM bench_before.search_hybrid(p_query => %(query)s, p_embedding => %(embedding)s,
                                          p_model_hash => %(model_hash)s, p_limit => %(limit)s)
"""
BEFORE_RECALL = """
SELECT id FROM bench_before.recall(p_query => %(query)s, p_embedding => %(embedding)s,
                                   p_model_hash => %(model_hash)s, p_limit => %(limit)s, p_touch => %(touch)s)
"""
SHIPPED_RECALL = """
SELECT id FROM vestige.recall(p_query => %(query)s, p_embedding => %(embedding)s,
                              p_model_hash => %(model_hash)s, p_limit => %(limit)s, p_touch => %(touch)s)
"""


def by_sql(statement: str, **extra: object) -> Callable[[Client, str], list[uuid.UUID]]:
    """An arm that runs one bench statement as the client's user, its query embedded."""

    def arm(c: Client, q: str) -> list[uuid.UUID]:
        vector = c.embedder.embed_query(q)
        params = {"query": q, "embedding": vector, "model_hash": c.model_hash(), "limit": LIMIT}
        with c._db.transaction(c.user_id) as conn:
            return [row[0] for row in conn.execute(statement, {**params, **extra}).fetchall()]

    return arm


Arm = Callable[[Client, str], list[uuid.UUID]]
# Read-only arms, asked question by question on the untouched stores, each on the store it names:
# "plain" (every turn embedded alone) or "shipped" (as ingest stores a batch: a turn with the one
# before it). The two arms with the testing effect on run after them, each on its own store.
READ_ONLY_ARMS: dict[str, tuple[str, Arm]] = {
    TEXT: ("shipped", lambda c, q: [h.id for h in c.search_fts(q, limit=LIMIT)]),
    VECTOR: ("plain", lambda c, q: [h.id for h in c.search_vector(q, limit=LIMIT)]),
    VECTOR_CTX: ("shipped", lambda c, q: [h.id for h in c.search_vector(q, limit=LIMIT)]),
    RRF: ("plain", by_sql(BEFORE_HYBRID)),
    CONVEX_PLAIN: ("plain", by_sql(HYBRID_WEIGHTED, weight=0.6)),
    CONVEX_05: ("shipped", by_sql(HYBRID_WEIGHTED, weight=0.5)),
    CONVEX: ("shipped", by_sql(HYBRID_WEIGHTED, weight=0.6)),
    CONVEX_07: ("shipped", by_sql(HYBRID_WEIGHTED, weight=0.7)),
    BEFORE_OFF: ("plain", by_sql(BEFORE_RECALL, touch=False)),
    FULL_OFF: ("shipped", by_sql(SHIPPED_RECALL, touch=False)),
}
TOUCHING_ARMS: dict[str, tuple[str, Arm]] = {
    BEFORE_ON: ("plain", by_sql(BEFORE_RECALL, touch=True)),
    FULL_ON: ("shipped", lambda c, q: [h.id for h in c.recall(q, limit=LIMIT)]),
}
ARMS = [*READ_ONLY_ARMS, *TOUCHING_ARMS]
EMBEDS = set(ARMS) - {TEXT}

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


def happened(memory: dict[str, Any]) -> datetime:
    """A turn's session date, its event time (LoCoMo gives a local time without zone: read as UTC)."""
    return datetime.strptime(memory["date"], "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


def load(
    database: db.Database, embedder: Embedder, memories: list[dict[str, Any]]
) -> tuple[dict[str, dict[str, Client]], dict[uuid.UUID, str]]:
    """Two users per conversation, each turn stored with its session's date as valid_from.

    "shipped": one `ingest` batch per session with force_create (every turn stored, the batch
    embedded as ingest embeds it: a turn with the one before it). "plain": `insert_memories`, each
    turn embedded alone, as before issue 17.
    """
    stores: dict[str, dict[str, Client]] = {"shipped": {}, "plain": {}}
    for conv in sorted({m["conv"] for m in memories}):
        for store, clients in stores.items():
            with database.transaction(None) as conn:
                user = {
                    "handle": conv if store == "shipped" else f"{conv}-plain",
                    "display_name": None,
                    "id": None,
                }
                row = conn.execute(sql.CREATE_USER, user).fetchone()
            assert row is not None
            clients[conv] = Client(database, embedder, uuid.UUID(str(row[0])))
    turn_of: dict[uuid.UUID, str] = {}
    for (conv, _session), group in groupby(memories, key=lambda m: (m["conv"], m["session"])):
        batch = list(group)
        news = [NewMemory(m["text"], valid_from=happened(m)) for m in batch]
        outcomes = stores["shipped"][conv].ingest(news, force_create=True)
        for m, outcome in zip(batch, outcomes, strict=True):
            if outcome.decision != "create":
                raise RuntimeError(f"{conv}/{m['id']}: ingest said {outcome.decision}, expected create")
            turn_of[outcome.id] = f"{conv}/{m['id']}"
        for m, memory_id in zip(batch, stores["plain"][conv].insert_memories(news), strict=True):
            turn_of[memory_id] = f"{conv}/{m['id']}"
    return stores, turn_of


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
    stores: dict[str, dict[str, Client]], embedder: UncachedEmbedder, questions: list[dict[str, Any]]
) -> Results:
    """Every read-only arm question by question, then the two touching arms over all questions in order."""
    res = Results()
    start = time.perf_counter()
    for i, q in enumerate(questions, start=1):
        for arm, (store, fn) in READ_ONLY_ARMS.items():
            res.ask(arm, fn, stores[store][q["conv"]], embedder, q["question"])
        if i % 250 == 0:
            print(f"  read-only arms: {i}/{len(questions)}, {time.perf_counter() - start:.0f} s", flush=True)
    for arm, (store, fn) in TOUCHING_ARMS.items():
        for q in questions:
            res.ask(arm, fn, stores[store][q["conv"]], embedder, q["question"])
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
        rows.append([arm, *(interval(values[FULL_ON][m] - values[arm][m]) for m in METRICS)])
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

    print(f"\n## By category: {FULL_ON} minus {BEFORE_ON} (mean ± 95% interval)\n")
    rows = []
    for c in cats:
        cells = [interval(values[FULL_ON][m][of_cat[c]] - values[BEFORE_ON][m][of_cat[c]]) for m in METRICS]
        rows.append([f"{c} {CATEGORIES.get(c, '?')} (n={of_cat[c].sum()})", *cells])
    print(common.markdown_table(["category", *(f"Δ {m}" for m in METRICS)], rows))

    differ = sum(a != b for a, b in zip(res.ids[FULL_ON], res.ids[FULL_OFF], strict=True))
    print(f"\nResult lists that differ between testing effect on and off: {differ} of {len(questions)}.")
    shipped = {m: values[FULL_ON][m].mean() for m in METRICS}
    low = {m: lower_bound(values[FULL_ON][m] - values[BEFORE_ON][m]) for m in ("R@10", "MRR@10")}
    lost = [
        f"{c} {m}"
        for c in cats
        for m in METRICS
        if (values[FULL_ON][m][of_cat[c]] - values[BEFORE_ON][m][of_cat[c]]).mean()
        < -half_width(values[FULL_ON][m][of_cat[c]] - values[BEFORE_ON][m][of_cat[c]])
    ]
    medians = {arm: common.percentiles(res.ms[arm])[0] for arm in (FULL_OFF, BEFORE_OFF)}
    print(
        f"Done-when: shipped R@10 {shipped['R@10']:.3f} (>= 0.69), MRR@10 {shipped['MRR@10']:.3f} (>= 0.48); "
        f"lower ends of the paired intervals against before: R@10 {low['R@10']:+.3f}, "
        f"MRR@10 {low['MRR@10']:+.3f} (> 0); categories lost by more than their interval: "
        f"{', '.join(lost) or 'none'}; recall p50 "
        f"{medians[FULL_OFF]:.2f} ms against {medians[BEFORE_OFF]:.2f} ms before (same path, effect off)."
    )


def half_width(d: np.ndarray) -> float:
    """Half the 95% interval of a mean of paired differences (1.96 standard errors)."""
    return float(1.96 * d.std(ddof=1) / np.sqrt(len(d)))


def lower_bound(d: np.ndarray) -> float:
    return float(d.mean() - half_width(d))


def interval(d: np.ndarray) -> str:
    return f"{d.mean():+.3f} ± {half_width(d):.3f}"


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
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(BEFORE_SQL.read_text())  # the search of before issue 17, schema bench_before
            stores, turn_of = load(database, embedder, memories)
            print(f"ingested {len(turn_of)} turns in {time.perf_counter() - start:.0f} s", flush=True)
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE vestige.knowledge_nodes")
                conn.execute("VACUUM ANALYZE vestige.memory_words")
            res = evaluate(stores, embedder, questions)
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

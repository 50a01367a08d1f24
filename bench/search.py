"""Search latency and HNSW recall of vestige.search_hybrid / search_vector on synthetic memories.

    python bench/search.py                      # 1k and 100k memories, 300 queries each
    python bench/search.py --sizes 1000,100000,1000000 --queries 200 --explain

For each size it creates a fresh database on the embedded server (or VESTIGE_TEST_DSN), deploys
the whole Sqitch plan, registers a 384-d model, COPYs N synthetic memories (see make_corpus),
builds the HNSW index (timed), VACUUM ANALYZEs, then measures:

- latency of search_hybrid called as vestige_app (SET ROLE + vestige.user_id per transaction)
  against the single statement it was before issue 16, run bare by the superuser and planned per
  call (common.HYBRID_BARE_SQL), interleaved query by query, with the result lists compared, for
  a caller who sees ~1% of the rows (owns them) and one who sees all of them;
- latency of vestige.recall (what the MCP `search` tool calls), testing effect included and
  committed (after the search_hybrid arms, so they see the state they always saw);
- recall@10 of search_vector (HNSW, iterative scan) against exact search with the same filter.

--shared-buffers SIZE sets the embedded server's shared_buffers (ALTER SYSTEM, then a restart)
before anything runs; the README says what each run used.

The database is dropped at the end (--keep to keep it). Results are printed as Markdown.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

DIM = 384
MODEL = "bench/clustered-384"
HASH = common.model_hash(MODEL, DIM)
NODE_TYPES = ["fact", "note", "event", "concept", "decision"]
# PostgreSQL's english.stop (the Snowball list), in its own order: the english parser drops them all.
STOP_WORDS = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
herself it its itself they them their theirs themselves what which who whom this that these those am is
are was were be been being have has had having do does did doing a an the and but if or because as until
while of at by for with about against between into through during before after above below to from up
down in out on off over under again further then once here there when where why how all any both each
few more most other some such no nor not only own same so than too very s t can will just don should now
""".split()  # noqa: SIM905


@dataclass
class Corpus:
    vectors: np.ndarray  # (n, DIM) float32, unit norm
    clusters: np.ndarray  # (n,) cluster of each row
    texts: list[str]
    tags: list[list[str]]
    node_types: list[str]


class Generator:
    """Clustered unit vectors and topic-correlated texts.

    Vectors: n_clusters gaussian centres on the unit sphere; a point is its centre plus a
    low-rank within-cluster variation (a random 24-d subspace per cluster, scale 0.8) plus
    isotropic noise (scale 0.35), normalised: cosine to its centre ~0.75, intrinsic dimension
    of a cluster ~24, like sentence embeddings rather than uniform noise. Cluster sizes follow
    a Dirichlet(1) draw (uneven).
    Texts: a vocabulary of 20,000 words with a Zipf (s = 1.1) background frequency: the 127
    English stop words first (dropped by the english parser, as in real text), then synthetic
    words of 2-4 consonant-vowel syllables; each cluster has 40 topic words (ranks >= 200).
    A memory has 6-20 words,
    each a topic word of its cluster with probability 0.4, else a background word; one tag (a
    topic word). A query has 2-5 words, each a topic word of its cluster with probability 0.7.
    """

    def __init__(self, seed: int, n_clusters: int = 300, vocab_size: int = 20000) -> None:
        self.rng = np.random.default_rng(seed)
        rng = self.rng
        c = rng.standard_normal((n_clusters, DIM))
        self.centres = c / np.linalg.norm(c, axis=1, keepdims=True)
        self.bases = rng.standard_normal((n_clusters, DIM, 24)) / np.sqrt(DIM)
        self.weights = rng.dirichlet(np.ones(n_clusters))
        self.vocab = self._vocabulary(vocab_size)
        ranks = np.arange(1, vocab_size + 1)
        p = 1.0 / ranks**1.1
        self.zipf = p / p.sum()
        # topic words from the middle of the frequency range (topical, not function-like)
        self.topics = np.stack(
            [rng.choice(np.arange(200, vocab_size), 40, replace=False) for _ in range(n_clusters)]
        )

    def _vocabulary(self, size: int) -> np.ndarray:
        """The 127 English stop words of PostgreSQL's english.stop take the most frequent ranks
        (as in real text, where the parser drops them), synthetic words the rest."""
        cons, vow = list("bcdfghjklmnprstvz"), list("aeiou")
        syll = [a + b for a in cons for b in vow]
        words: set[str] = set()
        while len(words) < size - len(STOP_WORDS):
            k = int(self.rng.integers(2, 5))
            words.add("".join(self.rng.choice(syll, k)))
        synthetic = sorted(words)
        self.rng.shuffle(synthetic)
        return np.array(STOP_WORDS + synthetic)

    def vectors(self, clusters: np.ndarray) -> np.ndarray:
        n = len(clusters)
        out = np.empty((n, DIM), dtype=np.float32)
        for start in range(0, n, 10000):
            cl = clusters[start : start + 10000]
            z = self.rng.standard_normal((len(cl), 24))
            low = np.einsum("ndk,nk->nd", self.bases[cl], z) / np.sqrt(24)  # norm ~1
            iso = self.rng.standard_normal((len(cl), DIM)) / np.sqrt(DIM)
            x = self.centres[cl] + 0.8 * low + 0.35 * iso
            out[start : start + len(cl)] = x / np.linalg.norm(x, axis=1, keepdims=True)
        return out

    def words(self, cluster: int, count: int, p_topic: float) -> list[str]:
        topic = self.rng.random(count) < p_topic
        idx = np.where(
            topic,
            self.rng.choice(self.topics[cluster], count),
            self.rng.choice(len(self.vocab), count, p=self.zipf),
        )
        return [str(w) for w in self.vocab[idx]]

    def corpus(self, n: int) -> Corpus:
        clusters = self.rng.choice(len(self.centres), n, p=self.weights)
        vectors = self.vectors(clusters)
        lengths = self.rng.integers(6, 21, n)
        # draw all background words at once (the per-row choice with p= is slow)
        total = int(lengths.sum())
        background = self.vocab[self.rng.choice(len(self.vocab), total, p=self.zipf)]
        is_topic = self.rng.random(total) < 0.4
        texts, tags = [], []
        pos = 0
        for i in range(n):
            cl, ln = clusters[i], lengths[i]
            topic_words = self.vocab[self.rng.choice(self.topics[cl], ln)]
            ws = np.where(is_topic[pos : pos + ln], topic_words, background[pos : pos + ln])
            pos += ln
            texts.append(" ".join(ws))
            tags.append([str(self.vocab[self.topics[cl][int(self.rng.integers(0, 40))]])])
        types = [NODE_TYPES[i] for i in self.rng.integers(0, len(NODE_TYPES), n)]
        return Corpus(vectors, clusters, texts, tags, types)

    def queries(self, n: int) -> tuple[np.ndarray, list[str]]:
        clusters = self.rng.choice(len(self.centres), n, p=self.weights)
        vectors = self.vectors(clusters)
        texts = [" ".join(self.words(int(c), int(self.rng.integers(2, 6)), 0.7)) for c in clusters]
        return vectors, texts


@dataclass
class Setup:
    conninfo: str
    caller_few: uuid.UUID  # owns ~1% of the rows and sees only those
    caller_all: uuid.UUID  # member of the group every other row is shared with: sees all
    group: uuid.UUID
    n: int
    seconds: dict[str, float]


def seed(
    conninfo: str, n: int, gen: Generator, maintenance_work_mem: str, single_user: bool = False
) -> Setup:
    """Users, group, model, N memories by COPY, scheduling rows, HNSW build, VACUUM ANALYZE.

    With single_user, every row is a private memory of caller_all (a local single-user install).
    """
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    corpus = gen.corpus(n)
    seconds["generate"] = time.perf_counter() - t

    rng = gen.rng
    caller_few, caller_all = common.seeded_uuid(rng), common.seeded_uuid(rng)
    others = [common.seeded_uuid(rng) for _ in range(200)]
    group = common.seeded_uuid(rng)
    few = rng.random(n) < 0.01
    owners = np.array(others, dtype=object)[rng.integers(0, len(others), n)]
    with common.connect(conninfo, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO vestige.users (id, handle) VALUES (%s, %s)",
                [(u, f"u{i}") for i, u in enumerate([caller_few, caller_all, *others])],
            )
            cur.execute(
                "INSERT INTO vestige.groups (id, name, created_by) VALUES (%s, 'everyone', %s)",
                (group, caller_all),
            )
            if not single_user:  # a local single-user install: its one user is in no group
                cur.execute(
                    "INSERT INTO vestige.group_memberships (group_id, user_id, role)"
                    " VALUES (%s, %s, 'admin')",
                    (group, caller_all),
                )
        common.register_model(conn, MODEL, DIM, HASH)
        # register_model built the (empty) HNSW index; drop it, load, rebuild it the same way and time it.
        index_def = conn.execute(
            "SELECT pg_get_indexdef('vestige.knowledge_nodes_embedding_idx'::regclass)"
        ).fetchone()
        assert index_def is not None
        conn.execute("DROP INDEX vestige.knowledge_nodes_embedding_idx")

        t = time.perf_counter()
        with (
            conn.transaction(),
            conn.cursor() as cur,
            cur.copy(
                "COPY vestige.knowledge_nodes (id, content, node_type, tags, owner_user_id, visibility,"
                " shared_with_groups, embedding) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(["uuid", "text", "text", "text[]", "uuid", "text", "uuid[]", "vector"])
            for i in range(n):
                row: tuple[object, ...]
                mid = common.seeded_uuid(rng)
                if single_user:
                    row = (
                        mid,
                        corpus.texts[i],
                        corpus.node_types[i],
                        corpus.tags[i],
                        caller_all,
                        "private",
                        [],
                        corpus.vectors[i],
                    )
                elif few[i]:
                    row = (
                        mid,
                        corpus.texts[i],
                        corpus.node_types[i],
                        corpus.tags[i],
                        caller_few,
                        "private",
                        [],
                        corpus.vectors[i],
                    )
                else:
                    row = (
                        mid,
                        corpus.texts[i],
                        corpus.node_types[i],
                        corpus.tags[i],
                        owners[i],
                        "group",
                        [group],
                        corpus.vectors[i],
                    )
                copy.write_row(row)
        conn.execute("INSERT INTO vestige.scheduling (memory_id) SELECT id FROM vestige.knowledge_nodes")
        seconds["copy"] = time.perf_counter() - t

        conn.execute(f"SET maintenance_work_mem = '{maintenance_work_mem}'")
        t = time.perf_counter()
        conn.execute(index_def[0])
        seconds["hnsw_build"] = time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE vestige.knowledge_nodes")
        conn.execute("VACUUM ANALYZE vestige.memory_words")
        conn.execute("VACUUM ANALYZE vestige.scheduling")
        seconds["vacuum_analyze"] = time.perf_counter() - t
        # The single statement of before ranks knowledge_nodes.search_tsv, whose index the schema
        # no longer has (the text leg reads memory_words): give the baseline the index it had.
        conn.execute(
            "CREATE INDEX bench_before_search_tsv_idx ON vestige.knowledge_nodes USING gin (search_tsv)"
            " WITH (fastupdate = off)"
        )
    return Setup(conninfo, caller_few, caller_all, group, n, seconds)


FUNCTION_SQL = (
    "SELECT * FROM vestige.search_hybrid(p_query => %(q)s, p_embedding => %(v)s,"
    " p_model_hash => %(h)s, p_limit => 10)"
)
RECALL_SQL = (
    "SELECT * FROM vestige.recall(p_query => %(q)s, p_embedding => %(v)s,"
    " p_model_hash => %(h)s, p_limit => 10)"
)
VECTOR_SQL = (
    "SELECT id FROM vestige.search_vector(p_embedding => %(v)s, p_model_hash => %(h)s, p_limit => 10)"
)
EXACT_SQL = """
SELECT n.id FROM vestige.knowledge_nodes AS n
 WHERE vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups,
                          %(user)s::uuid, %(groups)s::uuid[])
   AND n.superseded_by IS NULL
 ORDER BY (n.embedding <=> %(v)s::public.vector) + 0, n.id
 LIMIT 10
"""


def as_app(conn: psycopg.Connection[Any], user: uuid.UUID) -> None:
    """Open a transaction as vestige_app with this caller identity (not timed)."""
    conn.execute("SET LOCAL ROLE vestige_app")
    conn.execute("SELECT set_config('vestige.user_id', %s, true)", (str(user),))


def latency(
    setup: Setup, caller: uuid.UUID, groups: list[uuid.UUID], qv: np.ndarray, qt: list[str], warmup: int
) -> dict[str, list[float]]:
    """Interleave the function and the bare statement query by query; return ms per arm."""
    times: dict[str, list[float]] = {"function": [], "bare": []}
    ids: dict[str, list[list[uuid.UUID]]] = {"function": [], "bare": []}
    with common.connect(setup.conninfo) as app, common.connect(setup.conninfo) as bare:
        for s in common.BARE_SETTINGS:
            bare.execute(s)
        bare.execute(f"SET hnsw.ef_search = {common.ef_search(common.DEFAULT_DEPTH, 10)}")
        bare.commit()
        queries = [(qv[i], qt[i], common.tsqueries(bare, qt[i])) for i in range(len(qt))]
        bare.commit()

        def run_function(v: np.ndarray, q: str) -> float:
            as_app(app, caller)
            t = time.perf_counter()
            rows = app.execute(FUNCTION_SQL, {"q": q, "v": v, "h": HASH}).fetchall()
            dt = time.perf_counter() - t
            app.commit()
            ids["function"].append([r[0] for r in rows])
            return dt * 1000

        def run_bare(v: np.ndarray, ts: tuple[str | None, str | None]) -> float:
            t = time.perf_counter()
            params = common.bare_params(
                v=v,
                user=caller,
                groups=groups,
                depth=common.DEFAULT_DEPTH,
                limit=10,
                and_query=ts[0],
                or_query=ts[1],
                exact=common.exact_flags(bare, caller, groups),
            )
            rows = bare.execute(common.HYBRID_BARE_SQL, params).fetchall()
            dt = time.perf_counter() - t
            bare.commit()
            ids["bare"].append([r[0] for r in rows])
            return dt * 1000

        for v, q, ts in queries[:warmup]:
            run_function(v, q)
            run_bare(v, ts)
        for i, (v, q, ts) in enumerate(queries):
            # alternate which arm goes first so a systematic order effect cancels out
            if i % 2 == 0:
                times["function"].append(run_function(v, q))
                times["bare"].append(run_bare(v, ts))
            else:
                times["bare"].append(run_bare(v, ts))
                times["function"].append(run_function(v, q))
    # both arms must return the same rows, or the comparison is meaningless
    differ = sum(a != b for a, b in zip(ids["function"], ids["bare"], strict=True))
    times["differing_results"] = [float(differ)]
    return times


def recall_latency(
    setup: Setup, caller: uuid.UUID, qv: np.ndarray, qt: list[str], warmup: int
) -> list[float]:
    """ms per vestige.recall call, testing effect included and committed, as the MCP `search` does
    (rolled back instead, every touch would rewrite the row outside its page: not a real load)."""
    ms: list[float] = []
    with common.connect(setup.conninfo) as app:
        for i in range(-warmup, len(qt)):
            v, q = qv[i % len(qt)], qt[i % len(qt)]
            as_app(app, caller)
            t = time.perf_counter()
            app.execute(RECALL_SQL, {"q": q, "v": v, "h": HASH}).fetchall()
            dt = time.perf_counter() - t
            app.commit()
            if i >= 0:
                ms.append(dt * 1000)
    return ms


def recall(
    setup: Setup, caller: uuid.UUID, groups: list[uuid.UUID], qv: np.ndarray
) -> tuple[float, float, int]:
    """Mean recall@10 of search_vector against exact search; also the search_vector p50 (ms)."""
    hits, ms, short = [], [], 0
    with common.connect(setup.conninfo) as app, common.connect(setup.conninfo) as su:
        for v in qv:
            exact = [r[0] for r in su.execute(EXACT_SQL, {"user": caller, "groups": groups, "v": v})]
            su.commit()
            as_app(app, caller)
            t = time.perf_counter()
            approx = [r[0] for r in app.execute(VECTOR_SQL, {"v": v, "h": HASH})]
            ms.append((time.perf_counter() - t) * 1000)
            app.commit()
            if len(approx) < len(exact):
                short += 1
            hits.append(len(set(approx) & set(exact)) / max(len(exact), 1))
    return float(np.mean(hits)), float(np.median(ms)), short


def explain(setup: Setup, caller: uuid.UUID, groups: list[uuid.UUID], v: np.ndarray, q: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the bare statement, and auto_explain of the function's statement."""
    out = []
    with common.connect(setup.conninfo) as su:
        for s in common.BARE_SETTINGS:
            su.execute(s)
        su.execute(f"SET hnsw.ef_search = {common.ef_search(common.DEFAULT_DEPTH, 10)}")
        ts = common.tsqueries(su, q)
        params = common.bare_params(
            v=v,
            user=caller,
            groups=groups,
            depth=common.DEFAULT_DEPTH,
            limit=10,
            and_query=ts[0],
            or_query=ts[1],
            exact=common.exact_flags(su, caller, groups),
        )
        plan = su.execute("EXPLAIN (ANALYZE, BUFFERS) " + common.HYBRID_BARE_SQL, params).fetchall()
        out.append("-- bare statement\n" + "\n".join(r[0] for r in plan))
        su.rollback()
    with common.connect(setup.conninfo) as app:
        notices: list[str] = []
        app.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        app.execute("LOAD 'auto_explain'")
        for s in (
            "auto_explain.log_min_duration = 0",
            "auto_explain.log_analyze = on",
            "auto_explain.log_buffers = on",
            "auto_explain.log_nested_statements = on",
            "auto_explain.log_level = notice",
        ):
            app.execute("SET " + s)
        app.commit()
        as_app(app, caller)
        app.execute(FUNCTION_SQL, {"q": q, "v": v, "h": HASH}).fetchall()
        app.commit()
        # the function's statements that read the memories (the counts, the KNN arms, the rest)
        body = [m for m in notices if "on knowledge_nodes" in m]
        out.append("-- function (auto_explain, nested statements)\n" + "\n\n".join(body or notices))
    return re.sub(r"'\[[-0-9.e,]+\]'::vector", "'[...]'::vector", "\n\n".join(out))


def what_if(
    setup: Setup, callers: list[tuple[str, uuid.UUID, list[uuid.UUID]]], qv: np.ndarray
) -> list[list[object]]:
    """search_vector's statement (the hybrid statement with a vector only, limit 10) run bare at
    hnsw.ef_search 40, 100 (the function's floor), 200 and 400: recall@10 against exact search and p50.
    Returns table rows: size, caller, ef_search, p50 ms, recall@10."""
    rows: list[list[object]] = []
    with common.connect(setup.conninfo, autocommit=True) as su:
        for s in common.BARE_SETTINGS:
            su.execute(s)
        for label, user, groups in callers:
            truth = [
                {r[0] for r in su.execute(EXACT_SQL, {"user": user, "groups": groups, "v": v})} for v in qv
            ]
            for ef in (40, 100, 200, 400):
                su.execute(f"SET hnsw.ef_search = {ef}")
                ms, rec = [], []
                exact = common.exact_flags(su, user, groups)
                for v, ex in zip(qv, truth, strict=True):
                    params = common.bare_params(
                        v=v,
                        user=user,
                        groups=groups,
                        depth=10,
                        limit=10,
                        and_query=None,
                        or_query=None,
                        exact=exact,
                    )
                    t = time.perf_counter()
                    got = {r[0] for r in su.execute(common.HYBRID_BARE_SQL, params)}
                    ms.append((time.perf_counter() - t) * 1000)
                    rec.append(len(got & ex) / max(len(ex), 1))
                rows.append([f"{setup.n:,}", label, ef, f"{np.median(ms):.2f}", f"{np.mean(rec):.3f}"])
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,100000", help="comma-separated memory counts")
    ap.add_argument("--queries", type=int, default=300, help="queries per measurement (>= 200)")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--data-dir", help="embedded server data dir (default VESTIGE_TEST_PGDATA or /tmp/vestige-test-pg)"
    )
    ap.add_argument("--maintenance-work-mem", default="1GB", help="session setting for the HNSW build")
    ap.add_argument("--explain", action="store_true", help="print plans of one query per caller at each size")
    ap.add_argument(
        "--what-if",
        action="store_true",
        help="also measure search_vector's recall at hnsw.ef_search 40, 100, 200 and 400",
    )
    ap.add_argument("--keep", action="store_true", help="keep the databases")
    ap.add_argument("--shared-buffers", help="set the embedded server's shared_buffers first (restarts it)")
    ap.add_argument(
        "--single-user",
        action="store_true",
        help="every memory belongs to one caller (a local install) instead of 1%% / shared",
    )
    args = ap.parse_args(argv)

    server = common.server_conninfo(args.data_dir)
    if args.shared_buffers:
        server = common.set_shared_buffers(server, args.shared_buffers, args.data_dir)
    versions: dict[str, str] | None = None
    info = common.machine()
    print(f"# search benchmark, {info['date']}")
    print(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}")
    with psycopg.connect(server) as c:
        settings = c.execute(
            "SELECT current_setting('shared_buffers'), current_setting('work_mem')"
        ).fetchone()
    assert settings is not None
    print(f"server: shared_buffers {settings[0]}, work_mem {settings[1]}")

    lat_rows, ratio_rows, recall_rows, setup_rows, plans, whatif_rows = [], [], [], [], [], []
    for n in [int(s) for s in args.sizes.split(",")]:
        gen = Generator(args.seed)
        with common.fresh_database(server, "bench_search", keep=args.keep, whole_plan=True) as conninfo:
            if versions is None:
                with common.connect(conninfo) as c:
                    versions = common.server_versions(c)
                print(f"PostgreSQL {versions['postgresql']}, pgvector {versions['pgvector']}")
            setup = seed(conninfo, n, gen, args.maintenance_work_mem, args.single_user)
            with common.connect(conninfo) as c:
                size = c.execute(
                    "SELECT pg_size_pretty(pg_relation_size("
                    "'vestige.knowledge_nodes_embedding_idx')),"
                    # without the baseline's text index (the schema has none there)
                    " pg_size_pretty(pg_total_relation_size('vestige.knowledge_nodes')"
                    " - pg_relation_size('vestige.bench_before_search_tsv_idx')),"
                    " (SELECT count(*) FROM vestige.knowledge_nodes WHERE owner_user_id = %s),"
                    " pg_size_pretty(pg_total_relation_size('vestige.memory_words'))",
                    (setup.caller_few,),
                ).fetchone()
                assert size is not None
            s = setup.seconds
            setup_rows.append(
                [
                    f"{n:,}",
                    f"{size[2]:,}",
                    f"{s['copy']:.1f}",
                    f"{s['hnsw_build']:.1f}",
                    f"{s['vacuum_analyze']:.1f}",
                    size[0],
                    size[1],
                    size[3],
                ]
            )
            print(f"seeded {n:,}: {s}", flush=True)
            qv, qt = gen.queries(args.queries)
            callers = [("1% visible", setup.caller_few, []), ("all visible", setup.caller_all, [setup.group])]
            if args.single_user:
                callers = [("single user, owns all", setup.caller_all, [])]
            for label, caller, groups in callers:
                times = latency(setup, caller, groups, qv, qt, args.warmup)
                f50, f95, f99 = common.percentiles(times["function"])
                b50, b95, b99 = common.percentiles(times["bare"])
                lat_rows.append(
                    [f"{n:,}", label, "search_hybrid (vestige_app)", f"{f50:.2f}", f"{f95:.2f}", f"{f99:.2f}"]
                )
                lat_rows.append(
                    [
                        f"{n:,}",
                        label,
                        "single statement before (bare)",
                        f"{b50:.2f}",
                        f"{b95:.2f}",
                        f"{b99:.2f}",
                    ]
                )
                r50, r95, r99 = common.percentiles(recall_latency(setup, caller, qv, qt, args.warmup))
                lat_rows.append(
                    [f"{n:,}", label, "recall (vestige_app)", f"{r50:.2f}", f"{r95:.2f}", f"{r99:.2f}"]
                )
                differ = int(times["differing_results"][0])
                ratio_rows.append([f"{n:,}", label, f"{f50 / b50:.2f}", f"{f95 / b95:.2f}", differ])
                rc, vms, short = recall(setup, caller, groups, qv)
                recall_rows.append([f"{n:,}", label, f"{rc:.3f}", short, f"{vms:.2f}"])
                print(
                    f"{n:,} {label}: function p50 {f50:.2f} ms, bare p50 {b50:.2f} ms, recall@10 {rc:.3f}",
                    flush=True,
                )
                if args.explain and n == max(int(x) for x in args.sizes.split(",")):
                    plans.append(
                        f"### {n:,} rows, {label}\n```\n{explain(setup, caller, groups, qv[0], qt[0])}\n```"
                    )
            if args.what_if:
                whatif_rows += what_if(setup, callers, qv)

    print("\n## Seeding (seconds)\n")
    print(
        common.markdown_table(
            [
                "memories",
                "owned by the 1% caller",
                "COPY + scheduling",
                "HNSW build",
                "VACUUM ANALYZE",
                "HNSW index size",
                "table total size",
                "memory_words total size",
            ],
            setup_rows,
        )
    )
    print(f"\n## Hybrid search latency, ms ({args.queries} queries, limit 10, default depth)\n")
    print(common.markdown_table(["memories", "caller", "arm", "p50", "p95", "p99"], lat_rows))
    print("\n## Ratio search_hybrid / the single statement before\n")
    print(
        common.markdown_table(
            ["memories", "caller", "p50 ratio", "p95 ratio", "queries whose results differ"], ratio_rows
        )
    )
    print("\n## HNSW recall@10 (search_vector vs exact search, same visibility filter)\n")
    print(
        common.markdown_table(
            ["memories", "caller", "recall@10", "queries with < 10 results", "search_vector p50 ms"],
            recall_rows,
        )
    )
    if whatif_rows:
        print("\n## What if: search_vector's statement at other hnsw.ef_search values (bare, superuser)\n")
        print(
            common.markdown_table(
                ["memories", "caller", "hnsw.ef_search", "p50 ms", "recall@10"], whatif_rows
            )
        )
    for p in plans:
        print("\n" + p)
    return 0


if __name__ == "__main__":
    sys.exit(main())

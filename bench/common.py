"""Shared helpers for the benchmark scripts: a throw-away database on the embedded server, the
bare (non-function) copy of search_hybrid's statement, and small statistics helpers.

Not a test module: the scripts in this folder are run by hand (see bench/README.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from vestige_client import local_postgres
from vestige_client.deployer import deploy

REPO = Path(__file__).resolve().parent.parent
# Deploying up to this change is enough for the benchmarks (the search functions and what they need).
DEPLOY_TO = "function_search_vector"


def model_hash(name: str, dimension: int, revision: str = "bench") -> str:
    """A 64-hex model hash for the benchmark's registry row (any sha256 works for the database)."""
    return hashlib.sha256(f"{name}\n{dimension}\n{revision}".encode()).hexdigest()


def seeded_uuid(rng: np.random.Generator) -> uuid.UUID:
    """A version-4 uuid drawn from rng: ids (and so tie-breaks by id) repeat from run to run."""
    return uuid.UUID(bytes=rng.bytes(16), version=4)


def server_conninfo(data_dir: str | None = None) -> str:
    """Superuser conninfo of the server: VESTIGE_TEST_DSN, else the embedded PostgreSQL.

    The embedded server lives in --data-dir, else VESTIGE_TEST_PGDATA, else /tmp/vestige-test-pg
    (the same default as the test suite); it is started if it is not running and left running.
    """
    dsn = os.environ.get("VESTIGE_TEST_DSN")
    if dsn and data_dir is None:
        return dsn
    path = Path(data_dir or os.environ.get("VESTIGE_TEST_PGDATA", "/tmp/vestige-test-pg"))
    return local_postgres.start(path).conninfo()


def set_shared_buffers(server: str, size: str, data_dir: str | None = None) -> str:
    """Set the embedded server's shared_buffers (ALTER SYSTEM, restart); return its conninfo."""
    if os.environ.get("VESTIGE_TEST_DSN") and data_dir is None:
        raise SystemExit("--shared-buffers works on the embedded server only: set it on your server yourself")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER SYSTEM SET shared_buffers = {}").format(sql.Literal(size)))
    path = Path(data_dir or os.environ.get("VESTIGE_TEST_PGDATA", "/tmp/vestige-test-pg"))
    local_postgres.stop(path)
    return local_postgres.start(path).conninfo()


@contextlib.contextmanager
def fresh_database(server: str, prefix: str, keep: bool = False, whole_plan: bool = False) -> Iterator[str]:
    """Create a database, deploy the Sqitch plan up to DEPLOY_TO (with sqitch) or the whole plan
    (with the client's deployer), yield its conninfo, drop it."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conninfo = psycopg.conninfo.make_conninfo(server, dbname=name)
    try:
        if whole_plan:
            plan = deploy.bundled_plan()
            deploy.deploy(conninfo, plan, committer_name="bench", committer_email="bench@localhost")
        else:
            target = local_postgres.sqitch_target(conninfo)
            args = ["sqitch", "deploy", "--quiet", "--to", DEPLOY_TO, target]
            subprocess.run(args, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        yield conninfo
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def connect(conninfo: str, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A connection that never prepares statements (a stale plan can hide a settings change)."""
    from pgvector.psycopg import register_vector

    conn = psycopg.connect(conninfo, autocommit=autocommit, prepare_threshold=None)
    register_vector(conn)
    return conn


def register_model(conn: psycopg.Connection[Any], name: str, dimension: int, hsh: str) -> None:
    """vestige.register_model on an autocommit superuser connection."""
    conn.execute(
        "SELECT vestige.register_model(p_name => %s, p_dimension => %s, p_hash => %s)", (name, dimension, hsh)
    )


def server_versions(conn: psycopg.Connection[Any]) -> dict[str, str]:
    row = conn.execute(
        "SELECT current_setting('server_version'),"
        " (SELECT extversion FROM pg_extension WHERE extname = 'vector')"
    ).fetchone()
    assert row is not None
    return {"postgresql": row[0], "pgvector": row[1]}


def machine() -> dict[str, str]:
    """nproc, memory and CPU model of this machine."""
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    return {
        "nproc": str(os.cpu_count()),
        "memory": mem,
        "cpu": cpu,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def percentiles(samples_ms: Sequence[float]) -> tuple[float, float, float]:
    a = np.asarray(samples_ms, dtype=float)
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    return float(p50), float(p95), float(p99)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(out)


# The tsqueries search_hybrid derives from p_query (v_and, v_or), computed the same way; the bare
# statement below receives them as parameters, like the function's RETURN QUERY receives its locals.
TSQUERIES_SQL = """
SELECT CASE WHEN numnode(websearch_to_tsquery(s.fts_language, q.q)) = 0 THEN NULL
            ELSE websearch_to_tsquery(s.fts_language, q.q) END::text AS and_query,
       (SELECT string_agg('''' || replace(replace(l, '\\', '\\\\'), '''', '''''') || '''', ' | ')
          FROM unnest(tsvector_to_array(to_tsvector(s.fts_language, q.q))) AS l) AS or_query
  FROM vestige.settings AS s, (SELECT %(q)s::text AS q) AS q
 WHERE q.q IS NOT NULL AND length(to_tsvector(s.fts_language, q.q)) > 0
"""


def tsqueries(conn: psycopg.Connection[Any], query: str | None) -> tuple[str | None, str | None]:
    """(v_and, v_or) of search_hybrid for this query text, as tsquery text (None when absent)."""
    if query is None:
        return None, None
    row = conn.execute(TSQUERIES_SQL, {"q": query}).fetchone()
    if row is None:
        return None, None
    return row[0], row[1]


# The baseline: the RETURN QUERY statement of search_hybrid as it was before issue 16, when the
# whole search was one statement planned per call (the released v0.1.0 script, whose statement
# the later rework for blank queries kept as it was), with the function's parameters and locals
# replaced by psycopg placeholders. Run it as the superuser (no row-level security) with
# hnsw.iterative_scan = relaxed_order, hnsw.ef_search = ef_search(depth), enable_seqscan = off
# and a custom plan, as that function's SET clauses and body did. The function of today must
# return the same rows.
PLACEHOLDERS = {
    "p_embedding": "%(v)s::public.vector",
    "v_user": "%(user)s::uuid",
    "v_groups": "%(groups)s::uuid[]",
    "v_depth": "%(depth)s::integer",
    "v_and": "%(and)s::tsquery",
    "v_or": "%(or)s::tsquery",
    "p_limit": "%(limit)s::integer",
    "p_rrf_k": "%(k)s::integer",
    "p_tags": "%(tags)s::text[]",
    "p_node_types": "%(node_types)s::text[]",
    "p_domains": "%(domains)s::text[]",
    "p_codebase": "%(codebase)s::text",
    "p_created_after": "%(created_after)s::timestamptz",
    "p_created_before": "%(created_before)s::timestamptz",
    "p_min_retention": "%(min_retention)s::double precision",
    "p_include_superseded": "%(include_superseded)s::boolean",
    "v_exact_own": "%(exact_own)s::boolean",
    "v_exact_public": "%(exact_public)s::boolean",
    "v_exact_group": "%(exact_group)s::boolean",
}
HYBRID_SCRIPT = REPO / "db" / "deploy" / "function_search_hybrid@v0.1.0.sql"


def hybrid_bare_sql(script: Path = HYBRID_SCRIPT) -> str:
    """The RETURN QUERY statement of search_hybrid as a psycopg query with named placeholders."""
    text = script.read_text()
    match = re.search(r"\bRETURN QUERY\b(.*?);\s*\nEND\b", text, re.S)
    if match is None:
        raise RuntimeError(f"no RETURN QUERY ... ; END in {script}")
    body = "\n".join(line.split("--", 1)[0].rstrip() for line in match.group(1).splitlines())
    body = body.replace("%", "%%")
    for name, placeholder in PLACEHOLDERS.items():
        body = re.sub(rf"\b{name}\b", placeholder, body)
    leftover = sorted(set(re.findall(r"\b[pv]_[a-z_]+\b", body)))
    if leftover:
        raise RuntimeError(f"unmapped parameters or locals in search_hybrid's statement: {leftover}")
    return body


HYBRID_BARE_SQL = hybrid_bare_sql()

# The same statement ranking the text leg with ts_rank_cd (cover density) instead of ts_rank.
HYBRID_BARE_SQL_RANK_CD = re.sub(r"\bts_rank\(", "ts_rank_cd(", HYBRID_BARE_SQL)
assert HYBRID_BARE_SQL_RANK_CD != HYBRID_BARE_SQL

# The session settings search_hybrid attaches to itself (and ef_search below).
BARE_SETTINGS = ("SET hnsw.iterative_scan = 'relaxed_order'", "SET enable_seqscan = off")

# search_hybrid's default p_depth and its floor for hnsw.ef_search (keep in step with
# db/deploy/function_search_hybrid.sql).
DEFAULT_DEPTH = 10
EF_SEARCH_FLOOR = 100


def ef_search(depth: int, limit: int) -> int:
    """The hnsw.ef_search search_hybrid sets for this depth and limit."""
    return max(depth, limit, EF_SEARCH_FLOOR)


# The baseline statement searched a visibility arm exactly below this many rows (its
# c_exact_below), decided with the capped counts below, which the bare arm runs too (and is timed
# for).
EXACT_BELOW = 2000
EXACT_FLAGS_SQL = """
SELECT (SELECT count(*) FROM (SELECT FROM vestige.knowledge_nodes AS n
                               WHERE n.owner_user_id = %(user)s LIMIT %(below)s) AS s) < %(below)s,
       (SELECT count(*) FROM (SELECT FROM vestige.knowledge_nodes AS n
                               WHERE n.visibility = 'public' AND n.owner_user_id <> %(user)s
                               LIMIT %(below)s) AS s) < %(below)s,
       (SELECT count(*) FROM (SELECT FROM vestige.knowledge_nodes AS n
                               WHERE n.visibility = 'group' AND n.shared_with_groups && %(groups)s::uuid[]
                                 AND n.owner_user_id <> %(user)s LIMIT %(below)s) AS s) < %(below)s
"""


def exact_flags(
    conn: psycopg.Connection[Any], user: uuid.UUID, groups: Sequence[uuid.UUID]
) -> tuple[bool, ...]:
    """Which visibility arms search_hybrid would search exactly for this caller (own, public, group)."""
    row = conn.execute(
        EXACT_FLAGS_SQL, {"user": user, "groups": list(groups), "below": EXACT_BELOW}
    ).fetchone()
    assert row is not None
    return tuple(row)


def bare_params(
    *,
    v: Any,
    user: uuid.UUID,
    groups: Sequence[uuid.UUID],
    depth: int,
    limit: int,
    and_query: str | None,
    or_query: str | None,
    exact: tuple[bool, ...],
    k: int = 60,
) -> dict[str, Any]:
    """Parameters of HYBRID_BARE_SQL with every filter at its default (off)."""
    return {
        "v": v,
        "user": user,
        "groups": list(groups),
        "depth": max(depth, limit),
        "limit": limit,
        "k": k,
        "and": and_query,
        "or": or_query,
        "exact_own": exact[0],
        "exact_public": exact[1],
        "exact_group": exact[2],
        "tags": None,
        "node_types": None,
        "domains": None,
        "codebase": None,
        "created_after": None,
        "created_before": None,
        "min_retention": None,
        "include_superseded": False,
    }

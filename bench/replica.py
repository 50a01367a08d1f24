"""Searches through a streaming read replica while the primary takes writes, against the same
searches on the primary, in one run.

    .venv/bin/python bench/replica.py [--memories 5000] [--searches 300] [--data-dir DIR]

The primary is the embedded server (--data-dir, else VESTIGE_TEST_PGDATA, else
/tmp/vestige-test-pg); the replica is made from it with the wheel's `pg_basebackup -R` into a
temporary directory and started on its own unix socket. A fresh database gets the whole plan and
--memories memories (synthetic sentences, embedded with the configured model). Then a writer
thread stores one memory after another on the primary (its own client), while the searcher runs
the same queries through two clients of the same process: one of the primary alone, one with the
replica in `[storage.postgres] replica_urls`, in turn (primary, replica, primary, ...) so both
see the same load. Each query is embedded once before the timing (the client's query cache), so
the figures are the database's and the client's work. Errors are counted, not raised; the
replica client's reads that the replica really served are counted too. The replica, its
directory and the database are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from vestige_client import config, local_postgres
from vestige_client.client import Client, NewMemory

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

WORDS = (
    "backup", "cluster", "deploy", "release", "schema", "index", "vacuum", "replica", "queue",
    "worker", "cache", "token", "budget", "alert", "dashboard", "runbook", "rollback", "migration",
    "latency", "incident", "metric", "quota", "bucket", "archive", "export", "import", "gateway",
    "proxy", "certificate", "rotation", "cron", "pipeline", "runner", "artifact", "storage",
    "network", "firewall", "tenant", "invoice", "payroll", "customer", "ticket", "sprint", "review",
    "design", "decision", "pattern", "convention", "meeting",
)  # fmt: skip
TEAMS = ("platform", "search", "billing", "mobile", "data", "security", "web", "infra")


def sentence(rng: random.Random) -> str:
    """A memory-like sentence: a team, a few domain words, a number."""
    words = rng.sample(WORDS, 6)
    return (
        f"The {rng.choice(TEAMS)} team: {words[0]} {words[1]} uses the {words[2]} {words[3]} "
        f"and the {words[4]} {words[5]} every {rng.randint(2, 60)} minutes"
    )


def settings_for(primary: str, home: Path, replicas: str = "") -> config.Settings:
    env = {
        "VESTIGE_DATABASE_URL": primary,
        "XDG_CONFIG_HOME": str(home),
        "HOME": str(home),
        "VESTIGE_STORAGE__POSTGRES__REPLICA_URLS": replicas,
    }
    threads = os.environ.get("VESTIGE_EMBEDDING__THREADS")
    if threads:
        env["VESTIGE_EMBEDDING__THREADS"] = threads
    return config.load_settings(None, env)


class Writer(threading.Thread):
    """Stores one memory after another on the primary until stopped; counts them and its errors."""

    def __init__(self, client: Client, seed: int) -> None:
        super().__init__(name="bench-writer", daemon=True)
        self.client = client
        self.rng = random.Random(seed)
        self.written = 0
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.client.insert_memory(NewMemory(sentence(self.rng), tags=["bench"]))
                self.written += 1
            except Exception as exc:  # a benchmark counts errors; it does not stop on them
                self.errors.append(f"{type(exc).__name__}: {exc}")


def timed(call: Callable[[], Any]) -> tuple[float, str | None]:
    start = time.perf_counter()
    try:
        call()
    except Exception as exc:  # counted as an error of this arm
        return (time.perf_counter() - start) * 1000, f"{type(exc).__name__}: {exc}"
    return (time.perf_counter() - start) * 1000, None


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--memories", type=int, default=5000)
    parser.add_argument("--searches", type=int, default=300, help="per arm and operation")
    parser.add_argument("--data-dir", help="the primary's data directory (embedded server)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    server = common.server_conninfo(args.data_dir)
    host = Path(str(conninfo_to_dict(server).get("host", "")))
    if not (host / "PG_VERSION").is_file():
        raise SystemExit("bench/replica.py needs the embedded server (its data directory is replicated)")
    primary_server = local_postgres.LocalServer(
        host, host, int(str(conninfo_to_dict(server).get("port", 5432)))
    )
    rng = random.Random(16)
    root = Path(tempfile.mkdtemp(prefix="vestige-bench-replica-", dir="/tmp"))
    replica_dir = root / "pg"
    home = root / "home"
    home.mkdir()
    try:
        with common.fresh_database(server, "bench_replica", keep=args.keep, whole_plan=True) as primary:
            dbname = str(conninfo_to_dict(primary)["dbname"])
            with Client.open(settings_for(primary, home)) as seeder:
                started = time.perf_counter()
                texts = [NewMemory(sentence(rng), tags=["bench"]) for _ in range(args.memories)]
                seeder.insert_memories(texts)
                seeded = time.perf_counter() - started
            local_postgres.replicate(primary_server, replica_dir)
            replica = local_postgres.start(replica_dir).conninfo(dbname)
            with psycopg.connect(primary, autocommit=True) as conn:
                versions = common.server_versions(conn)
            run(args, primary, replica, home, rng, seeded, versions)
    finally:
        local_postgres.drop_replica(primary_server, replica_dir)
        shutil.rmtree(root, ignore_errors=True)


def run(
    args: argparse.Namespace,
    primary: str,
    replica: str,
    home: Path,
    rng: random.Random,
    seeded: float,
    versions: dict[str, str],
) -> None:
    queries = [" ".join(rng.sample(WORDS, 3)) for _ in range(args.searches)]
    with (
        Client.open(settings_for(primary, home)) as on_primary,
        Client.open(settings_for(primary, home, replica)) as through_replica,
        Client.open(settings_for(primary, home)) as writer_client,
    ):
        served = {"replica": 0}
        touch_later = through_replica._db.touch_later

        def noted(user_id: Any, ids: Any) -> None:  # a recall the replica served defers its touch
            served["replica"] += 1
            touch_later(user_id, ids)

        through_replica._db.touch_later = noted  # type: ignore[method-assign]
        for query in queries:  # the query vectors into the shared embedder's cache, plans warm
            on_primary.search_hybrid(query)
            through_replica.search_hybrid(query)
        writer = Writer(writer_client, seed=17)
        samples: dict[tuple[str, str], list[float]] = {}
        errors: dict[tuple[str, str], list[str]] = {}
        states: set[str] = set()
        lags: list[float] = []
        writer.start()
        started = time.perf_counter()
        try:
            for query in queries:
                for operation in ("recall", "search_hybrid"):
                    for arm, client in (("primary", on_primary), ("replica", through_replica)):
                        call: Callable[[str], Any] = getattr(client, operation)
                        ms, error = timed(lambda: call(query))  # noqa: B023 (called at once)
                        samples.setdefault((operation, arm), []).append(ms)
                        if error:
                            errors.setdefault((operation, arm), []).append(error)
                state = through_replica.replicas()[0]
                states.add(state.state)
                if state.lag is not None:
                    lags.append(state.lag)
        finally:
            writer.stop.set()
            writer.join()
        elapsed = time.perf_counter() - started
        through_replica._db.wait_for_touches(30)
    report(args, samples, errors, served["replica"], writer, elapsed, states, lags, seeded, versions)


def report(
    args: argparse.Namespace,
    samples: dict[tuple[str, str], list[float]],
    errors: dict[tuple[str, str], list[str]],
    served: int,
    writer: Writer,
    elapsed: float,
    states: set[str],
    lags: list[float],
    seeded: float,
    versions: dict[str, str],
) -> None:
    m = common.machine()
    print(f"# Read replica ({m['date']}, {m['nproc']} cores, {m['memory']}, {m['cpu']})\n")
    print(
        f"PostgreSQL {versions['postgresql']}, pgvector {versions['pgvector']}; primary and replica on this "
        "machine."
    )
    print(
        f"{args.memories} memories seeded in {seeded:.1f} s; {args.searches} queries per arm and operation, "
        f"in turn; meanwhile the writer stored {writer.written} memories on the primary "
        f"({writer.written / elapsed:.1f}/s, {len(writer.errors)} errors).\n"
    )
    rows = []
    for operation in ("recall", "search_hybrid"):
        p_primary = common.percentiles(samples[(operation, "primary")])
        p_replica = common.percentiles(samples[(operation, "replica")])
        for arm, (p50, p95, p99) in (("primary", p_primary), ("replica", p_replica)):
            rows.append(
                [
                    f"`{operation}`",
                    arm,
                    f"{p50:.2f}",
                    f"{p95:.2f}",
                    f"{p99:.2f}",
                    len(errors.get((operation, arm), [])),
                ]
            )
        rows.append(
            [f"`{operation}`", "**replica / primary**", f"**{p_replica[0] / p_primary[0]:.2f}**", "", "", ""]
        )
    print(common.markdown_table(["call", "arm", "p50 ms", "p95 ms", "p99 ms", "errors"], rows))
    print(
        f"\nRecalls the replica served (their testing effect deferred): {served} of {args.searches}. "
        f"Replica states seen: {', '.join(sorted(states))}; lag as checked: max "
        f"{max(lags, default=0):.2f} s, samples {len(lags)}."
    )
    for (operation, arm), found in sorted(errors.items()):
        print(f"- {operation} on {arm}: first error {found[0]}")
    for error in writer.errors[:3]:
        print(f"- writer: {error}")


if __name__ == "__main__":
    main()

"""A crowd on one store: OS processes (spawned), half through the Python client (`Client`, the
model loaded in the process) and half through `vestige serve` (its REST API with an API key), all
as alice, each running its own seeded mix of operations at the same moment: ingest a new memory,
ingest one shared text (the same for everyone, smart ingest), search, review one of a few shared
memories, delete a memory it stored.

Afterwards: no operation failed; no review was lost (for each reviewed memory, the successful
reviews counted by the processes = scheduling.reps = its review_events rows); the shared text is
held by exactly one memory (one create, every other ingest of it a reinforce); every memory a
process stored is there unless it deleted it, and none it deleted is.

The race the crowd meets now and then (two reviews of one memory at the same moment, the second
refused as "before the last review") is also played step by step, so it fails every time.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import httpx2
import psycopg

from reliability.figures import record
from vestige_client import config, sql
from vestige_client.client import Client, NewMemory

if TYPE_CHECKING:
    from test_serve import Server

    from reliability.conftest import Store

# A spawned process imports this module to find its target: what only the test itself needs (the
# servers' helpers, which import the MCP SDK, schemathesis and pytest fixtures) is imported where
# it is used, so each process starts in half a second instead of two.
USER = "alice"  # conftest.USER

PROCESSES = 4  # half through the client, half through vestige serve
OPERATIONS = 40  # per process
SEED = 14_2026
READY_WITHIN = 300.0  # seconds for a process to load the model and warm up
RUN_WITHIN = 300.0
SHARED = "The shared on-call handbook says the pager moves to the next engineer at noon on Tuesdays"
REVIEWED = [
    "The invoice service retries a failed webhook with exponential backoff",
    "Feature flags are cleaned up at the end of every quarter",
    "The data warehouse is refreshed from the replicas overnight",
    "New joiners pair with a buddy for their first two weeks",
]
QUERIES = ["on-call pager", "webhook retries", "feature flags", "warehouse refresh", "buddy for new joiners"]
SUBJECTS = ["The billing job", "Our mobile app", "The search cluster", "The intranet wiki", "The VPN"]
FACTS = ["moved to a new owner", "needs a restart after upgrades", "logs to the central store", "is frozen"]
# The mix: how often each operation is drawn.
MIX = {"ingest": 3, "identical": 2, "search": 3, "review": 3, "delete": 1}


class Door(Protocol):
    """One way in: the Python client or vestige serve."""

    def ingest(self, text: str) -> str: ...
    def identical(self) -> str: ...
    def search(self, query: str) -> None: ...
    def review(self, memory_id: str, rating: int) -> None: ...
    def delete(self, memory_id: str) -> None: ...
    def close(self) -> None: ...


class ClientDoor:
    """The Python client, as alice, with the real model."""

    def __init__(self, conninfo: str, home: str) -> None:
        env = {"VESTIGE_DATABASE_URL": conninfo, "VESTIGE_USER__ID": USER, "HOME": home}
        self.client = Client.open(config.load_settings(None, env=env))
        self.client.embedder.embed_query("warm-up")
        self.client.model_hash()

    def ingest(self, text: str) -> str:
        return str(self.client.ingest([NewMemory(text)], force_create=True)[0].id)

    def identical(self) -> str:
        return self.client.ingest([NewMemory(SHARED)])[0].decision

    def search(self, query: str) -> None:
        self.client.recall(query)

    def review(self, memory_id: str, rating: int) -> None:
        self.client.review(uuid.UUID(memory_id), rating)

    def delete(self, memory_id: str) -> None:
        self.client.delete_memory(uuid.UUID(memory_id))

    def close(self) -> None:
        self.client.close()


class HttpDoor:
    """vestige serve's REST API, with an API key of alice."""

    def __init__(self, url: str, key: str) -> None:
        self.http = httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120)
        deadline = time.monotonic() + READY_WITHIN
        while not self.up():  # vestige serve loads its model meanwhile
            if time.monotonic() > deadline:
                raise RuntimeError(f"vestige serve at {url} was not ready within {READY_WITHIN:g} s")
            time.sleep(0.1)

    def up(self) -> bool:
        try:
            return self.http.get("/readyz").status_code == 200
        except httpx2.TransportError:
            return False

    def answer(self, method: str, path: str, status: int, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        if response.status_code != status:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def ingest(self, text: str) -> str:
        stored = self.answer("POST", "/api/v1/memories", 201, {"content": text, "force_create": True})
        return str(stored["results"][0]["id"])

    def identical(self) -> str:
        return str(
            self.answer("POST", "/api/v1/memories", 201, {"content": SHARED})["results"][0]["decision"]
        )

    def search(self, query: str) -> None:
        self.answer("POST", "/api/v1/search", 200, {"query": query})

    def review(self, memory_id: str, rating: int) -> None:
        self.answer("POST", f"/api/v1/memories/{memory_id}/review", 200, {"rating": rating})

    def delete(self, memory_id: str) -> None:
        self.answer("DELETE", f"/api/v1/memories/{memory_id}", 204)

    def close(self) -> None:
        self.http.close()


@dataclass(frozen=True)
class Plan:
    """What one process does: its door, how many operations, its seed."""

    worker: int
    door: str  # "client" or "http"
    operations: int
    seed: int
    conninfo: str
    home: str
    url: str
    key: str


@dataclass
class Report:
    """What one process did and saw."""

    worker: int
    door: str
    done: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    reviews: Counter[str] = field(default_factory=Counter)  # successful reviews per memory
    identical: Counter[str] = field(default_factory=Counter)  # decisions of the shared text's ingests
    stored: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def run_plan(door: Door, plan: Plan, reviewed: list[str]) -> Report:
    """The plan's operations, in its seeded order; a failed operation is reported, not raised."""
    rng = random.Random(plan.seed * 100 + plan.worker)
    report = Report(plan.worker, plan.door)
    # Every process starts with the shared text, at the same moment: the first ingests race.
    drawn = ["identical", *rng.choices(list(MIX), weights=list(MIX.values()), k=plan.operations - 1)]
    for step, operation in enumerate(drawn):
        if operation == "delete" and len(report.stored) <= len(report.deleted):
            operation = "ingest"  # nothing of its own left to delete
        try:
            if operation == "ingest":
                text = f"{rng.choice(SUBJECTS)} {rng.choice(FACTS)} (note {plan.worker}-{step}-{plan.seed})"
                report.stored.append(door.ingest(text))
            elif operation == "identical":
                report.identical[door.identical()] += 1
            elif operation == "search":
                door.search(rng.choice(QUERIES))
            elif operation == "review":
                memory = rng.choice(reviewed)
                door.review(memory, rng.randint(1, 4))
                report.reviews[memory] += 1
            else:
                victim = next(m for m in report.stored if m not in report.deleted)
                door.delete(victim)
                report.deleted.append(victim)
        except Exception as exc:
            report.errors.append(f"{plan.door} worker {plan.worker} {operation}: {type(exc).__name__}: {exc}")
        report.done[operation] += 1
    return report


def crowd_process(plan: Plan, ready: Any, go: Any) -> None:
    """A spawned process: open its door, say so, wait for the start, run its plan, report."""
    try:
        door: Door = (
            ClientDoor(plan.conninfo, plan.home) if plan.door == "client" else HttpDoor(plan.url, plan.key)
        )
        try:
            ready.put(("ready", plan.worker))
            reviewed = go.get(timeout=READY_WITHIN)
            ready.put(("done", run_plan(door, plan, reviewed)))
        finally:
            door.close()
    except BaseException as exc:
        ready.put(("failed", f"worker {plan.worker} ({plan.door}): {type(exc).__name__}: {exc}"))


@contextmanager
def processes(plans: list[Plan]) -> Iterator[tuple[Any, Any]]:
    """Spawn one process per plan; they are joined at the end (killed at once after a failure)."""
    context = multiprocessing.get_context("spawn")
    ready, go = context.Queue(), context.Queue()
    started = [context.Process(target=crowd_process, args=(plan, ready, go), daemon=True) for plan in plans]
    for process in started:
        process.start()
    failed = True
    try:
        yield ready, go
        failed = False
    finally:
        for process in started:
            process.join(timeout=0 if failed else 30)
            if process.is_alive():
                process.kill()
                process.join()


def messages(ready: Any, kind: str, count: int, within: float) -> list[Any]:
    """The next `count` messages of this kind from the processes (a failure fails at once)."""
    found: list[Any] = []
    while len(found) < count:
        try:
            what, value = ready.get(timeout=within)
        except queue.Empty:
            raise AssertionError(f"{len(found)} of {count} processes said {kind!r} in {within:g} s") from None
        assert what != "failed", value
        assert what == kind, (what, value)
        found.append(value)
    return found


@dataclass
class Outcome:
    """The crowd's figures and what the store holds afterwards."""

    reports: list[Report]
    reps: dict[str, tuple[int, int, int]]  # memory -> (reviews counted, scheduling.reps, review events)
    shared_rows: tuple[int, int]  # rows holding the shared text: (current, all)
    stored_left: set[str]

    @property
    def errors(self) -> list[str]:
        return [error for report in self.reports for error in report.errors]

    @property
    def lost_updates(self) -> int:
        return sum(
            abs(counted - reps) + abs(counted - events) for counted, reps, events in self.reps.values()
        )

    def decisions(self) -> Counter[str]:
        return sum((report.identical for report in self.reports), Counter())

    def line(self) -> str:
        done = sum((report.done for report in self.reports), Counter())
        doors = Counter(report.door for report in self.reports)
        per = max(sum(report.done.values()) for report in self.reports)
        mix = ", ".join(f"{name} {done[name]}" for name in MIX)
        return (
            f"{len(self.reports)} processes ({doors['client']} client, {doors['http']} http)"
            f" x {per} operations ({mix}): {len(self.errors)} errors, {self.lost_updates} lost updates"
            f" (reviews = reps = review events on {len(self.reps)} memories), the shared text held by"
            f" {self.shared_rows[0]} memory ({self.shared_rows[1]} rows; {dict(self.decisions())})"
        )


def crowd(store: Store, server: Server, processes_count: int, operations: int, run_seed: int) -> Outcome:
    """Run the crowd against a store and a vestige serve (started, maybe not ready yet); read back
    what it left. The processes load their model while the server loads its own."""
    from reliability.conftest import api_key

    key = api_key(store)
    plans = [
        Plan(worker, "client" if worker % 2 == 0 else "http", operations, run_seed, store.conninfo,
             str(server.home), server.url, key)
        for worker in range(processes_count)
    ]  # fmt: skip
    with processes(plans) as (ready, go):
        seeding = HttpDoor(server.url, key)
        try:
            reviewed = [seeding.ingest(text) for text in REVIEWED]
        finally:
            seeding.close()
        messages(ready, "ready", processes_count, READY_WITHIN)
        for _ in plans:
            go.put(reviewed)
        reports: list[Report] = messages(ready, "done", processes_count, RUN_WITHIN)
    counted = sum((report.reviews for report in reports), Counter())
    stored = [memory for report in reports for memory in report.stored]
    with psycopg.connect(store.conninfo, autocommit=True) as conn:
        reps = {
            memory: (counted[memory], *row)
            for memory in reviewed
            if (row := conn.execute(REVIEWS, [memory]).fetchone()) is not None
        }
        shared = conn.execute(SHARED_ROWS, [SHARED]).fetchone()
        left = {str(row[0]) for row in conn.execute(STORED_LEFT, [stored])}
    assert shared is not None
    return Outcome(reports, reps, (shared[0], shared[1]), left)


REVIEWS = """
SELECT s.reps, (SELECT count(*) FROM vestige.review_events AS r WHERE r.memory_id = s.memory_id)
  FROM vestige.scheduling AS s WHERE s.memory_id = %s
"""
SHARED_ROWS = """
SELECT count(*) FILTER (WHERE superseded_by IS NULL), count(*) FROM vestige.knowledge_nodes WHERE content = %s
"""
STORED_LEFT = "SELECT id FROM vestige.knowledge_nodes WHERE id = ANY(%s::uuid[])"


def check(outcome: Outcome) -> None:
    """No error, no lost review, one memory for the shared text, the stored and deleted ones right."""
    assert outcome.errors == [], f"{len(outcome.errors)} operations failed: {outcome.errors[:5]}"
    assert len(outcome.reps) == len(REVIEWED), "a reviewed memory lost its scheduling row"
    assert outcome.lost_updates == 0, f"reviews counted, reps, review events: {outcome.reps}"
    ingests = sum(outcome.decisions().values())
    assert outcome.shared_rows == (1, 1), f"the shared text is in {outcome.shared_rows} rows"
    assert outcome.decisions() == Counter({"create": 1, "reinforce": ingests - 1}), outcome.decisions()
    stored = {memory for report in outcome.reports for memory in report.stored}
    deleted = {memory for report in outcome.reports for memory in report.deleted}
    assert outcome.stored_left == stored - deleted, "a stored memory is gone, or a deleted one is back"


def test_a_crowd_of_processes_through_the_client_and_serve_loses_nothing_and_duplicates_nothing(
    store: Store, tmp_path: Path
) -> None:
    from test_serve import stop

    from reliability.conftest import serve_process

    server = serve_process(store, tmp_path)
    try:
        outcome = crowd(store, server, PROCESSES, OPERATIONS, SEED)
    finally:
        stop(server.process)
    record("concurrency", outcome.line())
    check(outcome)


# --- two reviews at the same moment, step by step ------------------------------------------------

AS_ALICE = "SELECT set_config('role', 'vestige_app', true), set_config('vestige.user_id', %s, true)"
NEW_MEMORY = "SELECT vestige.insert_memory(p_content => 'Reviewed twice at the same moment')"
WAITING_ON = "SELECT %(blocker)s = ANY(pg_blocking_pids(%(pid)s))"
SCHEDULED = """
SELECT s.reps, (SELECT count(*) FROM vestige.review_events AS r WHERE r.memory_id = s.memory_id)
  FROM vestige.scheduling AS s WHERE s.memory_id = %s
"""


def test_two_reviews_of_one_memory_at_the_same_moment_both_count(store: Store) -> None:
    """The crowd's race, made certain: review B's transaction starts (as a pooled connection's does,
    with the caller's identity), review A takes the memory's schedule and commits while B waits on
    it; then B must count too (reps 2, two review events), not be refused as "before the last
    review" because its transaction started first."""
    user = [str(store.user_id)]
    review = {"rating": 3, "reviewed_at": None}
    with (
        psycopg.connect(store.conninfo, autocommit=True) as admin,
        psycopg.connect(store.conninfo) as a,
        psycopg.connect(store.conninfo) as b,
    ):
        with admin.transaction():
            admin.execute(AS_ALICE, user)
            created = admin.execute(NEW_MEMORY).fetchone()
        assert created is not None
        review["memory_id"] = created[0]
        b.execute(AS_ALICE, user)  # B's transaction, and its now(), start first
        a.execute(AS_ALICE, user)
        a.execute(sql.REVIEW, review)  # A holds the schedule
        outcome: dict[str, Any] = {}

        def review_in_b() -> None:
            try:
                outcome["row"] = b.execute(sql.REVIEW, review).fetchone()
                b.commit()
            except Exception as exc:  # reported by the test
                outcome["error"] = exc
                b.rollback()

        worker = threading.Thread(target=review_in_b, daemon=True)
        worker.start()
        try:
            deadline = time.monotonic() + 30
            waiting = {"blocker": a.info.backend_pid, "pid": b.info.backend_pid}
            while admin.execute(WAITING_ON, waiting).fetchone() != (True,):
                assert worker.is_alive(), f"B did not wait for A: {outcome}"
                assert time.monotonic() < deadline, "B never waited for A's review"
                worker.join(timeout=0.01)
            a.commit()
            worker.join(timeout=30)
        finally:
            if worker.is_alive():
                a.rollback()
                admin.execute("SELECT pg_cancel_backend(%s)", [b.info.backend_pid])
                worker.join(timeout=30)
        assert "error" not in outcome, f"the second review was refused: {outcome.get('error')}"
        assert admin.execute(SCHEDULED, [review["memory_id"]]).fetchone() == (2, 2)

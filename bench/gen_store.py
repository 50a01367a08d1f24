"""Generate a realistic upstream Vestige SQLite store (schema V18) of N memories for the copy benchmark.

The schema is the SQL stored in ../shared/fixtures/vestige-sqlite/v18-modern-256.db (read-only),
FTS5 table and triggers included; the rows follow the fixture's README: uuid4 ids, short English-like
content, RFC3339 timestamps with nanoseconds (~1% of the memories written by an outside writer with
SQLite-native timestamps and default FSRS fields), FSRS columns, scope 'user', one 256-d L2-normalised
little-endian float32 vector per memory labelled 'nomic-ai/nomic-embed-text-v1.5', ~N/2 edges, a few
intentions, schema_version 18. The same --seed gives the same file.

    .venv/bin/python bench/gen_store.py OUT.db --memories 100000 --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FIXTURE = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "vestige-sqlite" / "v18-modern-256.db"
MODEL = "nomic-ai/nomic-embed-text-v1.5"
DIMENSION = 256
START = dt.datetime(2026, 3, 4, 8, 0, tzinfo=dt.UTC)  # the fixture store's first open (v2.0.1)
SPAN_DAYS = 118  # ... to 30 June 2026
FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_docsize", "_config", "_content")

SPEAKERS = ["Andrew", "Audrey", "James", "John", "Maria", "Priya", "Tom", "Wei", "Lena", "Omar"]
TOPICS = ["work", "hiking", "games", "pets", "travel", "cooking", "music", "family", "health", "books"]
SUBJECTS = [
    *["I", "We", "My sister", "The team", "Our neighbour", "My manager", "The dog", "Everyone"],
    *["My friend", "The kids", "Grandma", "The landlord", "Our coach", "My partner"],
]
VERBS = [
    *["visited", "finished", "planned", "cancelled", "started", "enjoyed", "fixed", "booked"],
    *["forgot", "discussed", "painted", "bought", "cooked", "recorded", "read", "ordered"],
    *["moved", "adopted", "rescheduled", "found", "lost", "shared", "practised", "reviewed"],
]
ADJECTIVES = [
    *["new", "old", "small", "huge", "quiet", "busy", "lovely", "strange", "local", "favourite"],
    *["early", "late", "cheap", "expensive", "long", "short", "sunny", "rainy", "tricky", "simple"],
]
NOUNS = [
    *["trip", "garden", "kitchen", "recipe", "concert", "project", "deadline", "budget", "puppy"],
    *["bike", "novel", "guitar", "meeting", "report", "holiday", "apartment", "car", "camera"],
    *["marathon", "workshop", "album", "painting", "game", "release", "interview", "lake", "trail"],
    *["museum", "restaurant", "birthday", "wedding", "class", "course", "doctor", "plan", "photo"],
]
TAILS = [
    *["last weekend", "yesterday", "this morning", "on Friday", "before the holidays", "after work"],
    *["with the kids", "near the lake", "in the city", "at the office", "for the first time"],
    *["again", "at last", "over the summer", "next month", "before lunch", "in March"],
]
OPENERS = ["Hey!", "Guess what,", "Honestly,", "By the way,", "So,", "Wow,", "Yeah,", "Oh,", ""]
CLOSERS = [
    *["It was great!", "Can't wait to do it again.", "What do you think?", "Still not sure about it."],
    *["Worth it.", "Never again!", "We should go together.", "I'll tell you more later.", ""],
]

# Shares of the fixture store (README and sidecar of v18-modern-256.db).
NODE_TYPES = ["fact", "note", "pattern", "decision", "concept", "person", "event"]
NODE_TYPE_WEIGHTS = [130, 88, 27, 21, 16, 9, 8]
STATES = ["new", "review", "relearning", "learning"]
STATE_WEIGHTS = [161, 121, 11, 6]
LINK_TYPES = ["temporal", "semantic", "causal", "user_defined", "part_of"]
LINK_WEIGHTS = [87, 60, 9, 6, 2]


@dataclass(frozen=True)
class Store:
    """What was written: the row count of each filled table."""

    memories: int
    embeddings: int
    connections: int
    intentions: int


def rfc3339(t: dt.datetime, nanos: int) -> str:
    """RFC3339 in UTC as upstream (chrono, AutoSi) writes it: 0, 3, 6 or 9 fractional digits."""
    base = t.strftime("%Y-%m-%dT%H:%M:%S")
    if nanos == 0:
        frac = ""
    elif nanos % 1_000_000 == 0:
        frac = f".{nanos // 1_000_000:03d}"
    elif nanos % 1000 == 0:
        frac = f".{nanos // 1000:06d}"
    else:
        frac = f".{nanos:09d}"
    return f"{base}{frac}+00:00"


def sqlite_native(t: dt.datetime) -> str:
    """SQLite's datetime('now') form, as outside writers leave it."""
    return t.strftime("%Y-%m-%d %H:%M:%S")


def schema_sql(fixture: Path) -> tuple[list[str], list[str]]:
    """(statements to create the store, FTS triggers) from the fixture's sqlite_master, in creation order."""
    src = sqlite3.connect(f"file:{fixture}?mode=ro", uri=True)
    try:
        rows = src.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
    finally:
        src.close()
    virtual = [n for t, n, s in rows if t == "table" and s.upper().startswith("CREATE VIRTUAL TABLE")]
    shadow = {v + suffix for v in virtual for suffix in FTS_SHADOW_SUFFIXES}
    statements: list[str] = []
    triggers: list[str] = []
    for kind, name, text in rows:
        if name == "sqlite_sequence" or name in shadow:
            continue  # created by SQLite itself (AUTOINCREMENT, the FTS5 virtual table)
        (triggers if kind == "trigger" else statements).append(text)
    return statements, triggers


def sentence(rng: random.Random) -> str:
    """A short English-like dialogue turn: 'Speaker: ...'."""
    parts = [rng.choice(OPENERS)]
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        parts.append(
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} the {rng.choice(ADJECTIVES)} "
            f"{rng.choice(NOUNS)} {rng.choice(TAILS)}."
        )
    parts.append(rng.choice(CLOSERS))
    if parts[0].endswith(",") and not parts[1].startswith("I "):
        parts[1] = parts[1][0].lower() + parts[1][1:]
    text = " ".join(p for p in parts if p)
    return f"{rng.choice(SPEAKERS)}: {text}"


def unit_vectors(rng: np.random.Generator, n: int, clusters: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    """n L2-normalised float32 vectors around `clusters` random centres (memories of a session are alike)."""
    centres = rng.standard_normal((clusters, DIMENSION)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    which = np.sort(rng.integers(0, clusters, n))
    v = centres[which] + rng.standard_normal((n, DIMENSION)).astype(np.float32) * np.float32(0.06)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v.astype("<f4")


def memories(rng: random.Random, ids: list[str], vectors: np.ndarray[Any, Any]) -> Iterator[tuple[Any, ...]]:
    """(knowledge_nodes row, node_embeddings row) pairs in creation order."""
    n = len(ids)
    step = SPAN_DAYS * 86400 / max(n, 1)
    replaces = False  # this memory superseded the previous one
    for i, node_id in enumerate(ids):
        created = START + dt.timedelta(seconds=i * step + rng.random() * step)
        nanos = rng.randrange(1_000_000_000)
        if rng.random() < 0.02:
            nanos -= nanos % 1000  # some writers stop at microseconds
        outside = rng.random() < 0.01
        content = sentence(rng)
        speaker_tag = content.split(":", 1)[0].lower()
        tags = [speaker_tag]
        if rng.random() < 0.3:
            tags.append(rng.choice(TOPICS))
        if rng.random() < 0.25:
            tags.append(f"session-{1 + i * 30 // max(n, 1)}")
        if outside:
            stamp = sqlite_native(created)
            fsrs: tuple[Any, ...] = (1.0, 5.0, 0, 0, "new", 1.0, 1.0, 1.0, None, 0)
        else:
            stamp = rfc3339(created, nanos)
            state = rng.choices(STATES, STATE_WEIGHTS)[0]
            reps = 0 if state == "new" else rng.randint(1, 8)
            lapses = rng.randint(1, 3) if state == "relearning" else 0
            stability = {"new": 2.3, "learning": 0.2, "relearning": 1.2, "review": 18.0}[state] * rng.uniform(
                0.5, 1.5
            )
            days = 0 if state == "new" else max(1, round(stability))
            review = created + dt.timedelta(days=days, seconds=rng.randrange(86400))
            retrieval = rng.uniform(0.85, 1.0)
            fsrs = (
                stability,
                rng.uniform(1.0, 10.0),
                reps,
                lapses,
                state,
                rng.uniform(1.0, 3.0),
                retrieval,
                round(retrieval * rng.uniform(0.6, 0.8), 6),
                rfc3339(review, rng.randrange(1_000_000_000)) if days else stamp,
                days,
            )
        valid_from = valid_until = None
        if rng.random() < 0.15:
            past = created - dt.timedelta(days=rng.randint(200, 1500))
            valid_from = past.strftime("%Y-%m-%dT%H:%M:%S+00:00")
            if rng.random() < 0.5:
                valid_until = (past + dt.timedelta(days=rng.randint(1, 120))).strftime(
                    "%Y-%m-%dT%H:%M:%S+00:00"
                )
        sentiment = rng.choice((0.0, 0.0, 0.0, 0.35, -0.35, 0.6, -0.6))
        source = rng.choices((None, "conversation", "claude-desktop"), (192, 74, 19))[0]
        protected = int(rng.random() < 0.01)
        suppressed = rng.random() < 0.01
        if replaces:
            valid_from, valid_until = stamp, None
        superseded_by = ids[i + 1] if i + 1 < n and rng.random() < 0.007 else None
        replaces = superseded_by is not None
        if superseded_by is not None:
            valid_until = rfc3339(created + dt.timedelta(seconds=step), 0)
        node = (
            node_id,
            content,
            rng.choices(NODE_TYPES, NODE_TYPE_WEIGHTS)[0],
            stamp,
            stamp,
            stamp,
            *fsrs,
            sentiment,
            abs(sentiment),
            source,
            json.dumps(tags, separators=(",", ":")),
            1,
            MODEL,
            valid_from,
            valid_until,
            "user",
            rng.randint(1, 3) if suppressed else 0,
            rfc3339(created + dt.timedelta(days=1), rng.randrange(1_000_000_000)) if suppressed else None,
            protected,
            superseded_by,
        )
        embedded = (
            stamp if outside else rfc3339(created, min(nanos + rng.randrange(100_000_000), 999_999_999))
        )
        yield node, (node_id, vectors[i].tobytes(), DIMENSION, MODEL, embedded, 1)


NODE_INSERT = """
INSERT INTO knowledge_nodes (
    id, content, node_type, created_at, updated_at, last_accessed,
    stability, difficulty, reps, lapses, learning_state, storage_strength, retrieval_strength,
    retention_strength, next_review, scheduled_days, sentiment_score, sentiment_magnitude, source, tags,
    has_embedding, embedding_model, valid_from, valid_until, scope, suppression_count, suppressed_at,
    protected, superseded_by
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
EMBEDDING_INSERT = (
    "INSERT INTO node_embeddings (node_id, embedding, dimensions, model, created_at, version)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
EDGE_INSERT = (
    "INSERT INTO memory_connections (source_id, target_id, strength, link_type, created_at, last_activated,"
    " activation_count) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
INTENTION_INSERT = (
    "INSERT INTO intentions (id, content, trigger_type, trigger_data, priority, status, created_at, tags,"
    " related_memories, source_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

SCHEMA_VERSION_INSERT = "INSERT INTO schema_version (version, applied_at) VALUES (18, '2026-06-23 08:00:00')"
FSRS_CONFIG_INSERT = (
    "INSERT INTO fsrs_config (key, value, updated_at) VALUES ('w20', 0.1542, '2026-03-04 08:00:00')"
)


def edges(rng: random.Random, ids: list[str], count: int) -> list[tuple[Any, ...]]:
    """`count` directed edges, one per ordered pair: temporal to the next memory, the others random nearby."""
    n = len(ids)
    seen: set[tuple[int, int]] = set()
    out: list[tuple[Any, ...]] = []
    while len(out) < count and n > 1:
        link = rng.choices(LINK_TYPES, LINK_WEIGHTS)[0]
        a = rng.randrange(n - 1)
        b = a + 1 if link == "temporal" else rng.randrange(max(0, a - 500), min(n, a + 500))
        if a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        created = START + dt.timedelta(seconds=max(a, b) * SPAN_DAYS * 86400 / n + 1)
        stamp = rfc3339(created, rng.randrange(1_000_000_000))
        out.append(
            (
                ids[a],
                ids[b],
                round(rng.uniform(0.35, 1.0), 4),
                link,
                stamp,
                stamp,
                rng.choice((0, 0, 0, 1, 2)),
            )
        )
    return out


def intentions(rng: random.Random, ids: list[str]) -> list[tuple[Any, ...]]:
    """Eight reminders shaped like the fixture's (manual, time and recurring triggers; mcp and nlp)."""
    out: list[tuple[Any, ...]] = []
    for k in range(8):
        created = START + dt.timedelta(days=10 + k * 12, seconds=rng.randrange(86400))
        kind = ("manual", "time", "recurring")[k % 3]
        data: dict[str, Any] = {}
        if kind == "time":
            at = rfc3339(created + dt.timedelta(days=3), rng.randrange(1_000_000_000))
            data = {"type": "time", "at": at, "inMinutes": None, "codebase": None, "filePattern": None,
                    "topic": None, "condition": None}  # fmt: skip
        elif kind == "recurring":
            data = {"type": "recurring"}
        related = rng.sample(ids, k=min(len(ids), k % 3))
        out.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                f"Follow up: {sentence(rng)}",
                kind,
                json.dumps(data, separators=(",", ":")),
                rng.randint(1, 4),
                rng.choice(("active", "active", "active", "triggered", "fulfilled", "cancelled", "expired")),
                rfc3339(created, rng.randrange(1_000_000_000)),
                json.dumps(["intent:Planning"] if kind == "recurring" else [], separators=(",", ":")),
                json.dumps(related, separators=(",", ":")),
                rng.choice(("mcp", "nlp")),
            )
        )
    return out


def generate(out: Path, memories_n: int, seed: int, fixture: Path = FIXTURE) -> Store:
    """Write a fresh V18 store with memories_n memories to out (which must not exist)."""
    if out.exists():
        raise FileExistsError(f"{out} exists: remove it or give another path")
    statements, triggers = schema_sql(fixture)
    rng = random.Random(seed)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(memories_n)]
    vectors = unit_vectors(np.random.default_rng(seed), memories_n, clusters=max(1, memories_n // 40))
    conn = sqlite3.connect(out)
    try:
        conn.execute("PRAGMA page_size = 4096")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        for statement in statements:
            conn.execute(statement)
        with conn:
            rows = list(memories(rng, ids, vectors))
            conn.executemany(NODE_INSERT, (node for node, _ in rows))
            conn.executemany(EMBEDDING_INSERT, (emb for _, emb in rows))
            links = edges(rng, ids, memories_n // 2)
            conn.executemany(EDGE_INSERT, links)
            plans = intentions(rng, ids)
            conn.executemany(INTENTION_INSERT, plans)
            conn.execute(SCHEMA_VERSION_INSERT)
            conn.execute(FSRS_CONFIG_INSERT)
            conn.execute("INSERT INTO knowledge_fts(knowledge_fts) VALUES('rebuild')")
            for trigger in triggers:
                conn.execute(trigger)
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    return Store(memories=memories_n, embeddings=memories_n, connections=len(links), intentions=len(plans))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the store to write (must not exist)")
    parser.add_argument("--memories", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    store = generate(args.out, args.memories, args.seed)
    elapsed = time.perf_counter() - start
    size = args.out.stat().st_size / 1024 / 1024
    print(
        f"{args.out}: {store.memories} memories, {store.embeddings} vectors, {store.connections} edges,"
        f" {store.intentions} intentions, {size:.0f} MB in {elapsed:.1f} s"
    )


if __name__ == "__main__":
    main()

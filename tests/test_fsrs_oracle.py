"""FSRS-6 oracle: vestige.review must schedule exactly as py-fsrs (the `fsrs` package, 6.3.x).

Both sides use py-fsrs's defaults: the 21 default parameters, desired retention 0.9, maximum
interval 36500 days, learning steps 1 min and 10 min, relearning step 10 min; fuzzing is off.
Random review sequences (fixed seed) review each memory at random times around its due date,
some early, some late, some within the same day; after every review the SQL row must match
the py-fsrs card.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import LiteralString

import psycopg
import pytest
from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

LOCAL_USER = "00000000-0000-0000-0000-000000000001"

SEED = 20261126
SEQUENCES = 240
MAX_REVIEWS = 14
REL_TOL = 1e-6

SET_IDENTITY: LiteralString = "SELECT set_config('vestige.user_id', %(user_id)s, false)"
# A zone with daylight saving time: a due date n days ahead must still be n * 86400 s ahead.
SET_TIME_ZONE: LiteralString = "SET TimeZone = 'America/New_York'"
INSERT_MEMORY: LiteralString = "SELECT vestige.insert_memory(p_content => %(content)s)"
REVIEW: LiteralString = """
    SELECT r.state, r.step, r.stability, r.difficulty, r.next_review, r.last_review, r.reps
      FROM vestige.review(p_memory_id => %(memory_id)s, p_rating => %(rating)s,
                          p_reviewed_at => %(reviewed_at)s) AS r
"""
GET_SCHEDULING_NOW: LiteralString = """
    SELECT now(), g.retrievability_now
      FROM vestige.get_scheduling(p_memory_id => %(memory_id)s) AS g
"""
FSRS_PARAMETERS: LiteralString = """
    SELECT p.w, p.desired_retention, p.maximum_interval,
           extract(epoch FROM p.learning_steps[0]), extract(epoch FROM p.learning_steps[1]),
           extract(epoch FROM p.relearning_steps[0]),
           cardinality(p.learning_steps), cardinality(p.relearning_steps)
      FROM vestige.fsrs_parameters() AS p
"""
COUNT_EVENTS: LiteralString = "SELECT count(*) FROM vestige.review_events"

STATE_NAMES = {State.Learning: "learning", State.Review: "review", State.Relearning: "relearning"}

Conn = psycopg.Connection[tuple[object, ...]]


def _scheduler() -> Scheduler:
    return Scheduler(
        parameters=DEFAULT_PARAMETERS,
        desired_retention=0.9,
        learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
        relearning_steps=(timedelta(minutes=10),),
        maximum_interval=36500,
        enable_fuzzing=False,
    )


def _next_review_time(rng: random.Random, card: Card) -> datetime:
    """A review time at or after the last review: same day, early, around the due date, or late."""
    last = card.last_review if card.last_review is not None else card.due
    gap = max(card.due - last, timedelta(minutes=1))
    kind = rng.random()
    if kind < 0.15:
        at = last + timedelta(seconds=rng.uniform(0, 23 * 3600))
    elif kind < 0.40:
        at = last + gap * rng.uniform(0.1, 1.0)
    elif kind < 0.75:
        at = card.due + timedelta(seconds=rng.uniform(-3 * 3600, 3 * 3600))
    else:
        at = card.due + gap * rng.uniform(0.0, 3.0) + timedelta(days=rng.randint(0, 30))
    at = at.replace(microsecond=rng.randrange(1_000_000))
    return max(at, last)


def _rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


def test_sql_parameters_are_py_fsrs_defaults(conn: Conn) -> None:
    row = conn.execute(FSRS_PARAMETERS).fetchone()
    assert row is not None
    scheduler = _scheduler()
    assert tuple(row[0]) == tuple(scheduler.parameters)  # type: ignore[arg-type]
    assert row[1] == scheduler.desired_retention
    assert row[2] == scheduler.maximum_interval
    steps = [float(x) for x in row[3:6]]  # type: ignore[arg-type]
    assert steps == [s.total_seconds() for s in (*scheduler.learning_steps, *scheduler.relearning_steps)]
    assert row[6:8] == (len(scheduler.learning_steps), len(scheduler.relearning_steps))


def test_review_matches_py_fsrs_over_random_sequences(conn: Conn) -> None:
    conn.execute(SET_IDENTITY, {"user_id": LOCAL_USER})
    conn.execute(SET_TIME_ZONE)
    rng = random.Random(SEED)
    scheduler = _scheduler()
    base = datetime(2025, 1, 1, tzinfo=UTC)
    max_rel_stability = 0.0
    max_rel_difficulty = 0.0
    max_due_diff = 0.0
    reviews = 0
    visited: set[tuple[State, Rating, State]] = set()
    cards: list[tuple[uuid.UUID, Card]] = []

    for index in range(SEQUENCES):
        row = conn.execute(INSERT_MEMORY, {"content": f"oracle memory {index}"}).fetchone()
        assert row is not None
        memory_id = row[0]
        assert isinstance(memory_id, uuid.UUID)
        start = base + timedelta(seconds=rng.uniform(0, 400 * 86400))
        card = Card(card_id=index + 1, due=start)
        for done in range(1, rng.randint(1, MAX_REVIEWS) + 1):
            at = _next_review_time(rng, card)
            rating = Rating(rng.choices([1, 2, 3, 4], weights=[2, 2, 5, 2])[0])
            prior_state = card.state
            card, _log = scheduler.review_card(card, rating, review_datetime=at)
            got = conn.execute(
                REVIEW, {"memory_id": memory_id, "rating": int(rating), "reviewed_at": at}
            ).fetchone()
            assert got is not None
            state, step, stability, difficulty, next_review, last_review, reps = got
            where = f"sequence {index}, review {reviews}: {prior_state.name} rated {rating.name} at {at}"
            assert state == STATE_NAMES[card.state], where
            assert step == card.step, where
            assert isinstance(stability, float) and card.stability is not None
            assert isinstance(difficulty, float) and card.difficulty is not None
            max_rel_stability = max(max_rel_stability, _rel(stability, card.stability))
            max_rel_difficulty = max(max_rel_difficulty, _rel(difficulty, card.difficulty))
            assert stability == pytest.approx(card.stability, rel=REL_TOL, abs=0), where
            assert difficulty == pytest.approx(card.difficulty, rel=REL_TOL, abs=0), where
            assert isinstance(next_review, datetime) and isinstance(last_review, datetime)
            # compare in UTC: an aware datetime in a repeated DST hour never equals one in another zone
            due_diff = abs((next_review.astimezone(UTC) - card.due).total_seconds())
            max_due_diff = max(max_due_diff, due_diff)
            assert due_diff < 1.0, where
            assert last_review.astimezone(UTC) == at, where
            assert reps == done, where
            visited.add((prior_state, rating, card.state))
            reviews += 1
        cards.append((memory_id, card))

    # every FSRS transition must have been exercised
    for expected in [
        (State.Learning, Rating.Again, State.Learning),
        (State.Learning, Rating.Good, State.Review),
        (State.Learning, Rating.Easy, State.Review),
        (State.Review, Rating.Again, State.Relearning),
        (State.Review, Rating.Good, State.Review),
        (State.Relearning, Rating.Good, State.Review),
        (State.Relearning, Rating.Again, State.Relearning),
    ]:
        assert expected in visited, expected

    row = conn.execute(COUNT_EVENTS).fetchone()
    assert row == (reviews,)

    # retrievability now: as py-fsrs's get_card_retrievability at the database's now()
    for memory_id, card in cards[:40]:
        with conn.transaction():
            got_now = conn.execute(GET_SCHEDULING_NOW, {"memory_id": memory_id}).fetchone()
        assert got_now is not None
        now, retrievability_now = got_now
        assert isinstance(now, datetime) and isinstance(retrievability_now, float)
        expected_now = scheduler.get_card_retrievability(card, now.astimezone(UTC))
        assert retrievability_now == pytest.approx(expected_now, rel=REL_TOL, abs=1e-12)

    print(
        f"\nFSRS oracle: {SEQUENCES} sequences, {reviews} reviews; max relative error "
        f"stability {max_rel_stability:.3e}, difficulty {max_rel_difficulty:.3e}; "
        f"max due difference {max_due_diff} s"
    )

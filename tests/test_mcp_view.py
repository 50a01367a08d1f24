"""How vestige-mcp shapes search results: detail levels and the token budget (pure functions)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from vestige_client.models import RecallHit, jsonable
from vestige_client.tools import at_detail, hit_view, tokens, within_budget

LONG = "First line of a long memory\n" + " ".join(f"word{i}" for i in range(300))


def test_brief_keeps_the_first_line_and_summary_cuts_at_a_word() -> None:
    assert at_detail(LONG, "brief") == "First line of a long memory"
    summary = at_detail(LONG, "summary")
    assert len(summary) <= 501 and summary.endswith("…")
    assert summary[:-1].split()[-1] in LONG.split(), "the cut falls between words"
    assert at_detail(LONG, "full") == LONG
    assert at_detail("short", "summary") == "short"


def test_tokens_are_json_characters_over_four_rounded_up() -> None:
    item = {"content": "abcd"}
    assert tokens(item) == -(-len(json.dumps(item)) // 4)


def test_the_budget_keeps_whole_items_in_order() -> None:
    items = [{"content": "x" * 100}, {"content": "y" * 100}, {"content": "z" * 10}]
    cost = [tokens(i) for i in items]
    kept, omitted = within_budget(items, cost[0] + cost[1])
    assert kept == items[:2] and omitted == 1
    kept, omitted = within_budget(items, cost[0] + cost[1] - 1)
    assert kept == items[:1] and omitted == 2, "an item that does not fit is left out whole, never cut"
    assert within_budget(items, cost[0] - 1) == ([], 3)
    assert within_budget(items, None) == (items, 0)


def test_a_hit_view_uses_sql_column_names_and_utc_times() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    hit = RecallHit(
        id=uuid.UUID(int=1), content=LONG, node_type="fact", tags=["a"], codebase=None, visibility="private",
        score=0.9, relevance=1.0, importance=0.8, recency=0.9, fused_score=0.03, fts_rank=1, vector_rank=2,
        vector_similarity=0.7, retention=0.95, created_at=now, updated_at=now, last_accessed=None,
    )  # fmt: skip
    summary = hit_view(hit, "summary")
    assert summary["id"] == str(uuid.UUID(int=1)) and summary["created_at"] == "2026-11-26T12:00:00Z"
    assert summary["relevance"] == 1.0
    brief = hit_view(hit, "brief")
    assert brief["content"] == "First line of a long memory" and "relevance" not in brief
    assert jsonable([now]) == ["2026-11-26T12:00:00Z"]

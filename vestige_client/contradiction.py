"""A cheap contradiction signal for ingest gating (there is no language model here).

`contradicts(new, old)` is true when exactly one of the two texts is negated (not, never, no
longer, ...), or when both contain numbers or dates and they differ ("backups run at 02:00" vs
"backups run at 03:00"). It is only consulted for a near neighbour (cosine similarity >= 0.70),
where the texts already talk about the same thing; `vestige.ingest` then supersedes the old
memory instead of merging into it.
"""

from __future__ import annotations

import re

NEGATION = re.compile(
    r"\b(?:not|no|never|none|nothing|nobody|neither|nor|cannot|no longer|without)\b|n't\b", re.IGNORECASE
)
NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")


def contradicts(new: str, old: str) -> bool:
    """Whether `new` looks like it contradicts `old` (negation on one side only, or changed numbers)."""
    if bool(NEGATION.search(new)) != bool(NEGATION.search(old)):
        return True
    new_numbers, old_numbers = set(NUMBER.findall(new)), set(NUMBER.findall(old))
    return bool(new_numbers and old_numbers and new_numbers != old_numbers)

"""The contradiction signal that ingest gating uses for near neighbours."""

from __future__ import annotations

import pytest

from vestige_client.contradiction import contradicts


@pytest.mark.parametrize(
    ("new", "old"),
    [
        ("Backups run at 03:00 UTC", "Backups run at 02:00 UTC"),
        ("The release is on 2026-12-03", "The release is on 2026-12-01"),
        ("The API does not use PostgreSQL", "The API uses PostgreSQL"),
        ("We no longer deploy on Fridays", "We deploy on Fridays"),
        ("Alice doesn't like tabs", "Alice likes tabs"),
    ],
)
def test_negation_on_one_side_or_changed_numbers_contradict(new: str, old: str) -> None:
    assert contradicts(new, old)


@pytest.mark.parametrize(
    ("new", "old"),
    [
        ("Backups run nightly at 02:00", "Nightly backups run at 02:00"),
        ("The staging database is rebuilt each Monday", "The staging database is rebuilt every Monday"),
        ("We never deploy on Fridays", "Deploys do not happen on Fridays"),
        ("Backups run at 02:00", "Backups run nightly"),
    ],
)
def test_rewordings_and_added_detail_do_not(new: str, old: str) -> None:
    assert not contradicts(new, old)

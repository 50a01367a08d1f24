"""Each rule once, names that explain themselves (issue 12): checks on the package's source."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from vestige_client import sql
from vestige_client.client import Client
from vestige_client.deployer import statements

PACKAGE = Path(__file__).resolve().parent.parent / "vestige_client"
PYTHON = sorted(PACKAGE.rglob("*.py"))

# The statements of sql.py that call no vestige.* function, each kind named in its docstring.
NOT_A_FUNCTION_CALL = {
    "CONFIGURE_SESSION", "SET_IDENTITY", "READ_ONLY", "PGVECTOR_AVAILABLE",  # session and transaction set-up
    "TOUCH_WITHOUT_WAITING",  # the testing effect's transaction commits without waiting for the disk
    "DATABASE_EXISTS", "CREATE_DATABASE", "DROP_REPLICATION_SLOT",  # the local server: a database, a replica
    "MIGRATE_LOCK", "MIGRATE_UNLOCK",  # the migrate lock
    "COPY_IMPORT_NODES", "COPY_IMPORT_EDGES", "COPY_IMPORT_INTENTIONS", "COPY_REEMBED_VECTORS",  # COPYs
    "COUNT_NODES_PRESENT", "COUNT_EDGES_PRESENT", "COUNT_INTENTIONS_PRESENT",  # their presence counts
    "SET_OWNER_ROLE", "SET_LOCAL_LOCK_TIMEOUT", "SET_MAINTENANCE_WORK_MEM",  # the operator's session
    "DROP_PENDING_INDEX_CONCURRENTLY",  # index DDL outside a transaction
    "PRIMARY_POSITION", "REPLICA_POSITION", "TRANSACTION_WROTE",  # the read replicas' probe
}  # fmt: skip


def _statements(module: object) -> dict[str, str]:
    return {name: str(value) for name, value in vars(module).items() if name.isupper() and name != "SQL"}


def test_sql_py_holds_product_statements_that_call_the_sql_api_but_a_named_few() -> None:
    calls = re.compile(r"\bvestige\.\w+\(")
    others = {name for name, text in _statements(sql).items() if not calls.search(text)}
    assert others == NOT_A_FUNCTION_CALL
    assert not any("sqitch." in text for text in _statements(sql).values())


def test_the_sqitch_registry_statements_live_with_the_deployer() -> None:
    registry = _statements(statements)
    assert registry and all("sqitch" in text or "lock" in text.lower() for text in registry.values())


@pytest.mark.parametrize(
    "module", ["vestige_client.embedded", "vestige_client.deploy", "vestige_client.contradiction"]
)
def test_old_names_that_could_be_confused_are_gone(module: str) -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(module)
    assert not hasattr(Client, "_embedded")


@pytest.mark.parametrize(
    "rule",
    [
        r"1_?048_?576",  # the content limit: vestige.content_limit()
        r"ef_construction",  # the HNSW build parameters: vestige.hnsw_index_sql()
        r"0\.92|0\.75",  # the ingest gate's thresholds: vestige.ingest
    ],
)
def test_a_rule_of_the_database_is_not_restated_in_python(rule: str) -> None:
    pattern = re.compile(rule)
    found = [f"{path.name}:{n}" for path in PYTHON for n, line in enumerate(path.read_text().splitlines(), 1)
             if pattern.search(line) and not line.lstrip().startswith("#")]  # fmt: skip
    assert found == []

"""Write db/tests/00_structure.sql, the pinned contract, from a deployed database.

Run it only for an intended change of contract (a new function, a new parameter or column),
then read the diff: the test exists to make every such change visible in review. Connects with
the libpq environment (PGHOST, PGDATABASE, ...) to a database where the whole plan is deployed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, LiteralString

import psycopg
from psycopg.rows import dict_row

OUT = Path(__file__).resolve().parent.parent / "db" / "tests" / "00_structure.sql"

FUNCTIONS: LiteralString = """
SELECT p.proname AS name,
       ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) AS t) AS argtypes,
       pg_get_function_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS result,
       p.proretset AS setof,
       format_type(p.prorettype, NULL) AS rettype,
       p.prosecdef AS definer,
       CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END AS volatility,
       has_function_privilege('vestige_app', p.oid, 'EXECUTE') AS app_may_call
  FROM pg_proc AS p
  JOIN pg_namespace AS n ON n.oid = p.pronamespace
 WHERE n.nspname = 'vestige'
 ORDER BY 1, pg_get_function_identity_arguments(p.oid)
"""
TABLES: LiteralString = """
SELECT c.relname AS name, c.relrowsecurity AS rls,
       ARRAY(SELECT policyname::text FROM pg_policies AS p
              WHERE p.schemaname = 'vestige' AND p.tablename = c.relname ORDER BY 1) AS policies
  FROM pg_class AS c
  JOIN pg_namespace AS n ON n.oid = c.relnamespace
 WHERE n.nspname = 'vestige' AND c.relkind = 'r'
 ORDER BY 1
"""

# Assertions over every function of the schema, whatever the list below says.
GLOBAL_CHECKS = [
    ("every function should be owned by vestige_owner", "p.proowner <> 'vestige_owner'::regrole"),
    ("no function should be executable by PUBLIC", "has_function_privilege('public', p.oid, 'EXECUTE')"),
    (
        "every SECURITY DEFINER function should pin its search_path",
        "p.prosecdef AND NOT coalesce(p.proconfig, '{}') && ARRAY["
        "'search_path=vestige, pg_catalog, pg_temp', 'search_path=vestige, pg_catalog, public, pg_temp']",
    ),
    (
        "every function without a SQL-standard body should pin its search_path (search_candidates"
        " excepted: it must inline, and only definer functions call it)",
        "p.prosqlbody IS NULL AND p.proname <> 'search_candidates' AND NOT EXISTS"
        " (SELECT FROM unnest(coalesce(p.proconfig, '{}')) AS c WHERE c LIKE 'search_path=%')",
    ),
]


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def text_array(items: list[str]) -> str:
    """A SQL text[] literal."""
    return "ARRAY[" + ", ".join(quote(i) for i in items) + "]::text[]"


def function_assertions(f: dict[str, Any]) -> list[str]:
    """The assertions that pin one function."""
    name, args, volatility = f["name"], text_array(f["argtypes"]), f["volatility"]
    signature = quote(f"vestige.{name}({', '.join(f['argtypes'])})")
    returns = ("setof " if f["setof"] else "") + f["rettype"]
    lines = [
        f"SELECT has_function('vestige', {quote(name)}, {args}, "
        f"{quote(f'vestige.{name} should exist with these argument types')});",
        f"SELECT function_returns('vestige', {quote(name)}, {args}, {quote(returns)}, "
        f"{quote(f'{name} should return {returns}')});",
        f"SELECT is(pg_get_function_arguments({signature}::regprocedure), {quote(f['arguments'])}, "
        f"{quote(f'{name} should take exactly its documented named parameters and defaults')});",
        f"SELECT is(pg_get_function_result({signature}::regprocedure), {quote(f['result'])}, "
        f"{quote(f'{name} should return exactly its documented columns')});",
        f"SELECT volatility_is('vestige', {quote(name)}, {args}, {quote(volatility)}, "
        f"{quote(f'{name} should be {volatility}')});",
    ]
    if f["definer"]:
        kind = "API function" if f["app_may_call"] else "helper"
        lines.append(
            f"SELECT is_definer('vestige', {quote(name)}, {args}, "
            f"{quote(f'{kind} {name} should be SECURITY DEFINER')});"
        )
    else:
        lines.append(
            f"SELECT isnt_definer('vestige', {quote(name)}, {args}, "
            f"{quote(f'{name} should be SECURITY INVOKER')});"
        )
    if f["definer"] and f["app_may_call"]:
        lines.append(
            f"SELECT function_privs_are('vestige', {quote(name)}, {args}, 'vestige_app', "
            f"ARRAY['EXECUTE'], {quote(f'vestige_app should be allowed to call {name}')});"
        )
    elif not f["app_may_call"]:
        lines.append(
            f"SELECT function_privs_are('vestige', {quote(name)}, {args}, 'vestige_app', "
            f"ARRAY[]::text[], {quote(f'vestige_app should not be allowed to call {name}')});"
        )
    return lines


def render(conn: psycopg.Connection[dict[str, Any]]) -> str:
    """The text of db/tests/00_structure.sql."""
    functions = conn.execute(FUNCTIONS).fetchall()
    tables = conn.execute(TABLES).fetchall()
    lines = [
        "SELECT has_schema('vestige', 'schema vestige should exist');",
        "SELECT schema_owner_is('vestige', 'vestige_owner',"
        " 'schema vestige should be owned by vestige_owner');",
        "SELECT has_role('vestige_owner', 'role vestige_owner should exist');",
        "SELECT has_role('vestige_app', 'role vestige_app should exist');",
        "SELECT ok(NOT rolcanlogin, 'vestige_owner should not be able to log in')"
        " FROM pg_roles WHERE rolname = 'vestige_owner';",
        "SELECT ok(NOT rolcanlogin, 'vestige_app should not be able to log in')"
        " FROM pg_roles WHERE rolname = 'vestige_app';",
        "SELECT ok(string_to_array(split_part(extversion, '-', 1), '.')::int[] >= '{0,8,4}',"
        " 'pgvector should be 0.8.4 or later') FROM pg_extension WHERE extname = 'vector';",
        f"SELECT tables_are('vestige', {text_array([t['name'] for t in tables])},"
        " 'schema vestige should hold exactly the documented tables');",
    ]
    for t in tables:
        name = t["name"]
        lines.append(
            f"SELECT table_owner_is('vestige', {quote(name)}, 'vestige_owner', "
            f"{quote(f'table {name} should be owned by vestige_owner')});"
        )
        if t["rls"]:
            lines.append(
                f"SELECT ok(relrowsecurity AND NOT relforcerowsecurity, "
                f"{quote(f'row-level security should be enabled, not forced, on {name}')}) "
                f"FROM pg_class WHERE oid = {quote(f'vestige.{name}')}::regclass;"
            )
            lines.append(
                f"SELECT policies_are('vestige', {quote(name)}, {text_array(t['policies'])}, "
                f"{quote(f'table {name} should have exactly its documented policies')});"
            )
    names = sorted({f["name"] for f in functions})
    lines.append(
        f"SELECT functions_are('vestige', {text_array(names)}, "
        "'schema vestige should hold exactly the documented functions');"
    )
    for description, condition in GLOBAL_CHECKS:
        lines.append(
            "SELECT is((SELECT count(*)::int FROM pg_proc AS p JOIN pg_namespace AS n"
            f" ON n.oid = p.pronamespace WHERE n.nspname = 'vestige' AND {condition}), 0,"
            f" {quote(description)});"
        )
    for f in functions:
        lines += function_assertions(f)
    head = [
        "-- pgTAP: the contract of the vestige schema: roles, tables and their owners, row-level",
        "-- security, and every function's signature, return type, volatility, security and privileges.",
        "-- Every later part of the product calls this API: a change here is a change of contract.",
        "-- Generated by scripts/gen_structure_test.py; regenerate only for an intended change.",
        "BEGIN;",
        f"SELECT plan({len(lines)});",
        "",
    ]
    return "\n".join([*head, *lines, "", "SELECT * FROM finish();", "ROLLBACK;", ""])


def main() -> int:
    """Write db/tests/00_structure.sql from the connected database."""
    with psycopg.connect("", row_factory=dict_row) as conn:
        OUT.write_text(render(conn))
    return 0


if __name__ == "__main__":
    sys.exit(main())

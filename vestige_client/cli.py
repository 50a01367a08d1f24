"""The `vestige` command line: parse, call the client, render (rich tables, or `--json`).

One error boundary (`_Vestige.main`): every failure is one line on stderr, `error: what happened
(what to do)`, with exit code 1 when the command ran and failed and 2 when the command line is
wrong (then nothing ran). The SQL API's hints name its parameters; `_cli_words` puts the CLI's
names in their place. An unexpected exception is one line too; VESTIGE_DEBUG=1 shows its traceback.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from vestige_client import config, db, keys, local_postgres, sql, stored_secrets
from vestige_client.client import Client, NewMemory, SearchFilters, id_or_lookup
from vestige_client.deployer import deploy
from vestige_client.errors import ConfigError, InvalidInput, VestigeError
from vestige_client.migrate import reembed as switch
from vestige_client.migrate.copy import CopyOptions, CopyReport, copy_store
from vestige_client.models import RecallHit, SearchHit, jsonable

EXIT_CODES = (
    "Exit codes: 0 done; 1 failed (one line on stderr says why and what to do); 2 wrong command "
    "line (unknown command or option, missing or malformed argument, bytes that are not UTF-8): "
    "nothing was done; 130 interrupted. VESTIGE_DEBUG=1 prints the traceback of an unexpected error."
)
DEBUG_VARIABLE = "VESTIGE_DEBUG"


class _Vestige(TyperGroup):
    """The root command, and the one error boundary of the CLI."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; print any failure as one line on stderr and exit with its code."""
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:  # a caller that handles errors itself
            return super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            bad = _not_utf8(argv)
            if bad:
                code = _fail(bad, 2)
            else:
                code = super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as exc:  # click's usage errors (exit code 2) and the like
            code = _command_line_error(exc)
        except typer.Abort:
            code = _fail("aborted", 1)
        except VestigeError as exc:  # db.py maps every database error to one (the one boundary)
            code = _fail(str(exc), 1)
        except Exception as exc:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            code = _fail(
                f"unexpected {type(exc).__name__}: {exc} (this is a bug: please report it with the "
                f"traceback that {DEBUG_VARIABLE}=1 prints)",
                1,
            )
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_Vestige,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    help="Vestige: long-term memory for AI assistants, with PostgreSQL as the engine.",
    epilog=EXIT_CODES,
)


def _sub_app(help: str) -> typer.Typer:
    # Plain help (rich_markup_mode=None): flags show as flags, not as `--json <bool>`.
    return typer.Typer(no_args_is_help=True, rich_markup_mode=None, help=help)


db_app = _sub_app("The database: the embedded server and the schema.")
config_app = _sub_app("Show and check the configuration.")
user_app = _sub_app("Users (the people or agents memories belong to).")
group_app = _sub_app("Groups (memories can be shared with them).")
key_app = _sub_app("API keys of `vestige serve` (operator commands: run them as the database owner).")
migrate_app = _sub_app(
    "Move memories in (copy a Vestige SQLite store) and switch the embedding model (reembed)."
)
secrets_app = _sub_app(
    "Secrets already stored: find and redact them (operator commands: run them as the database owner)."
)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(user_app, name="user")
app.add_typer(group_app, name="group")
app.add_typer(key_app, name="key")
app.add_typer(migrate_app, name="migrate")
app.add_typer(secrets_app, name="secrets")

out = Console()
err = Console(stderr=True)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON: SQL column names as keys, ISO-8601 UTC times.")
]
RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}
JSONL_KEYS = {
    "content", "node_type", "tags", "source", "metadata", "codebase", "visibility", "groups", "valid_from",
}  # fmt: skip
# The deepest JSON line bulk ingest reads: what the MCP door's parser (pydantic-core) takes too; far
# deeper, Python's own JSON decoder and encoder run out of stack.
MAX_JSON_DEPTH = 200
ID_WIDTH = 8  # the first 8 hex digits of an id, like a git hash: `get`, `delete`, `review` take them

# The SQL API's hints name its parameters and functions; at the command line the CLI's own words
# stand in their place (the one mapping, applied to every error message).
CLI_WORDS = {
    "vestige.create_user(p_handle => ...)": "`vestige user create HANDLE`",
    "vestige.create_user (vestige user create HANDLE)": "`vestige user create HANDLE`",
    "vestige.add_group_member": "`vestige group add`",
    "in p_shared_with_groups (or p_groups)": "with --group",
    "Pass visibility group": "Pass --visibility group",
    "p_content": "TEXT",
    "p_query": "QUERY",
    "p_rating": "RATING",
    "p_limit": "--limit",
    "p_source": "--source",
    "p_tags": "--tags",
    "p_node_type": "--type",
    "p_codebase": "--codebase",
    "p_visibility": "--visibility",
    "p_role": "--role",
    "p_handle": "HANDLE",
    "p_display_name": "--name",
}
_SQL_WORDS = re.compile(
    "|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in sorted(CLI_WORDS, key=len, reverse=True))
)


@dataclasses.dataclass
class _Options:
    config: Path | None = None


_options = _Options()


@app.callback()
def _main(
    config_file: Annotated[
        Path | None,
        typer.Option("--config", help="The vestige.toml to read (default: VESTIGE_CONFIG, then ~/.config)."),
    ] = None,
) -> None:
    global out, err  # read the terminal and COLUMNS for this run (tests run many in one process)
    out, err = Console(), Console(stderr=True)
    _options.config = config_file
    # The pool logs each failed connection attempt; the command reports the cause once itself.
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)


# --- plumbing -----------------------------------------------------------------------------------


def _cli_words(text: str) -> str:
    """A message of the SQL API with the CLI's names for its parameters and functions."""
    return _SQL_WORDS.sub(lambda match: CLI_WORDS[match.group()], text)


def _fail(message: str, code: int) -> int:
    """Print `error: message` as one line on stderr; return the exit code."""
    print("error: " + _cli_words(" ".join(message.split())), file=sys.stderr)
    return code


def _command_line_error(exc: typer.TyperException) -> int:
    """A usage error of the parser as one line naming the help to read (exit 2); bare help exits 0."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":  # `vestige` or `vestige user` alone: the help
        print(exc.format_message())
        return 0
    message = exc.format_message().strip().rstrip(".").replace("(Possible options:", "(possible options:")
    message = message[:1].lower() + message[1:]
    if exc.exit_code == 2 and ctx is not None:
        see = f"see {ctx.command_path} --help"
        message = f"{message[:-1]}; {see})" if message.endswith(")") else f"{message} ({see})"
    return _fail(message, exc.exit_code)


def _not_utf8(argv: Sequence[str]) -> str | None:
    """The complaint about an argument that is not UTF-8 (Python keeps such bytes as surrogates)."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            byte = ord(arg[exc.start]) - 0xDC00
            return (
                f"an argument is not UTF-8 text: byte 0x{byte:02x} in '{_clip(shown, 60)}'; nothing was "
                "done (give text in UTF-8: convert a file with `iconv -t UTF-8` and pipe it to "
                "`vestige ingest -`)"
            )
    return None


@contextmanager
def _errors() -> Iterator[None]:
    """Turn a VestigeError into one line on stderr and exit code 1."""
    try:
        yield
    except VestigeError as exc:
        raise typer.Exit(_fail(str(exc), 1)) from exc


def _settings() -> config.Settings:
    return config.load_settings(_options.config)


@contextmanager
def _client() -> Iterator[Client]:
    with _errors(), Client.open(_settings()) as client:
        yield client


def _print_json(value: Any) -> None:
    print(json.dumps(jsonable(value), indent=2, ensure_ascii=False))


def _print_record(value: Any, title: str | None = None) -> None:
    """A dataclass (or dict) as a two-column table."""
    table = Table(title=title, show_header=False, box=None)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, item in jsonable(value).items():
        text = json.dumps(item) if isinstance(item, list | dict) else str(item)
        if isinstance(item, float):
            text = str(round(item, 3))  # --json has every digit
        table.add_row(key, "" if item is None else text)
    out.print(table)


def _split(values: str | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for v in values.split(",") if v.strip()]


def _clip(text: str, width: int) -> str:
    """The text on one line, cut at a word boundary with `…` when longer than width."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip(" ,;:") + "…"


def _memory_table(middle: str | None = None) -> Table:
    """Rows of memories: the short id (never cut), maybe one short column, the memory wrapped."""
    table = Table(box=box.SIMPLE, padding=(0, 1))
    table.add_column("id", no_wrap=True, min_width=ID_WIDTH)
    if middle:
        table.add_column(middle, no_wrap=True, justify="right")
    table.add_column("memory", ratio=1, overflow="fold")
    return table


TIMES = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M"]


def _utc(value: datetime | None) -> datetime | None:
    """A time from the command line: one without a zone is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _short_id(id: uuid.UUID) -> str:
    return str(id)[:ID_WIDTH]


def _memory_cell(content: str, details: str) -> Text:
    """The content, up to about four lines of the column, and a dim line of details under it."""
    cell = Text(_clip(content, 4 * max(out.width - ID_WIDTH - 14, 20)))
    cell.append("\n" + details, style="dim")
    return cell


def _when(value: datetime | None) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if value else "-"


# --- memories -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Pending:
    """A memory to store, its groups still as given (names or ids); `where` names its origin."""

    memory: NewMemory
    groups: list[str]
    where: str


@app.command()
def ingest(
    text: Annotated[
        str,
        typer.Argument(metavar="TEXT", help="The memory; `-` reads stdin: a memory per line, or JSON lines."),
    ],
    tags: Annotated[str | None, typer.Option(help="Comma-separated tags.")] = None,
    node_type: Annotated[str, typer.Option("--type", help="fact, decision, pattern, event, ...")] = "fact",
    codebase: Annotated[str | None, typer.Option(help="The codebase the memory belongs to.")] = None,
    visibility: Annotated[str, typer.Option(help="private, group or public.")] = "private",
    group: Annotated[
        list[str] | None, typer.Option(help="A group to share with, by name or id (repeatable).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Where the memory comes from.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Store a memory (or many from stdin, all or none)."""
    defaults = NewMemory(
        content="",
        node_type=node_type,
        tags=_split(tags) or [],
        source=source,
        codebase=codebase,
        visibility=visibility,
    )
    groups = group or []
    with _errors():
        if text == "-":
            pending = _read_stdin(defaults, groups)
        else:
            pending = [_Pending(dataclasses.replace(defaults, content=text), groups, "--group")]
    with _client() as client:
        memories = _resolve_groups(client, pending)
        if text != "-":
            ids = [client.insert_memory(memories[0])]
        else:
            with Progress(
                TextColumn("storing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
                disable=not err.is_terminal,
            ) as bar:
                task = bar.add_task("ingest", total=len(memories))
                ids = client.insert_memories(memories, progress=lambda n: bar.advance(task, n))
    if as_json:
        _print_json({"id": ids[0]} if text != "-" else {"count": len(ids), "ids": ids})
    elif text != "-":
        print(ids[0])
    else:
        out.print(f"Stored {len(ids)} memories.")


def _resolve_groups(client: Client, pending: Sequence[_Pending]) -> list[NewMemory]:
    """The memories with their groups as ids: each name (or id) resolved once, for the caller."""
    ids: dict[str, uuid.UUID] = {}
    memories = []
    for item in pending:
        for name in item.groups:
            if name not in ids:
                try:
                    ids[name] = client.resolve_group(name)
                except VestigeError as exc:
                    exc.message = f"{item.where}: {exc.message}"
                    raise
        memories.append(dataclasses.replace(item.memory, groups=[ids[name] for name in item.groups]))
    return memories


def _read_stdin(defaults: NewMemory, groups: list[str]) -> list[_Pending]:
    """Memories from stdin: plain lines, or JSON objects with a `content` key; blank lines skipped."""
    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"stdin is not UTF-8 text (bad byte at offset {exc.start}); nothing was stored",
            hint="pipe a text file: one memory per line, or JSON lines",
        ) from exc
    if "\x00" in text:
        raise InvalidInput("stdin contains NUL bytes (binary data?); nothing was stored")
    pending = []
    # Lines end at "\n" (or "\r\n") only: str.splitlines would also cut at a form feed or U+2028,
    # inside a plain line or a JSON string.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            pending.append(_jsonl_memory(line, number, defaults, groups))
        else:
            pending.append(_Pending(dataclasses.replace(defaults, content=line), groups, "--group"))
    if not pending:
        raise InvalidInput("no memories on stdin", hint="one memory per line, or JSON lines with `content`")
    return pending


def _jsonl_memory(line: str, number: int, defaults: NewMemory, groups: list[str]) -> _Pending:
    item = _json_line(line, number)
    if not isinstance(item, dict) or not isinstance(item.get("content"), str):
        raise InvalidInput(f"line {number}: a JSON line must be an object with a string `content`")
    unknown = sorted(set(item) - JSONL_KEYS)
    if unknown:
        allowed = ", ".join(sorted(JSONL_KEYS))
        raise InvalidInput(f"line {number}: unknown keys {', '.join(unknown)} (allowed: {allowed})")
    for key in ("tags", "groups"):
        if key in item and not (isinstance(item[key], list) and all(isinstance(v, str) for v in item[key])):
            raise InvalidInput(f"line {number}: {key} must be a list of strings")
    for key in ("node_type", "source", "codebase", "visibility"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise InvalidInput(f"line {number}: {key} must be a string")
    if "metadata" in item and not isinstance(item["metadata"], dict):
        raise InvalidInput(f"line {number}: metadata must be a JSON object")
    if "valid_from" in item:
        item["valid_from"] = _event_time(item["valid_from"], number)
    line_groups = item.pop("groups", groups)
    try:
        return _Pending(dataclasses.replace(defaults, **item), line_groups, f"line {number}")
    except TypeError as exc:
        raise InvalidInput(f"line {number}: {exc}") from exc


def _event_time(value: object, number: int) -> datetime | None:
    """A JSON line's valid_from (when the memory happened): ISO 8601 with a zone; null: when stored."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
        if when is not None and when.tzinfo is not None:
            when.astimezone(UTC)  # OverflowError: not a time between the years 1 and 9999 in UTC
    except (ValueError, OverflowError):
        when = None
    if when is None or when.tzinfo is None:
        shown = _clip(json.dumps(value, ensure_ascii=False), 40)
        raise InvalidInput(
            f"line {number}: invalid valid_from {shown}: must be an ISO 8601 time with a time zone, "
            "such as 2024-05-08T13:56:00Z or 2024-05-08T15:56:00+02:00; nothing was stored"
        )
    return when


def _json_line(line: str, number: int) -> Any:
    """The JSON value of one line, or InvalidInput naming the line (malformed, or nested too deep)."""
    try:
        item = json.loads(line)
        too_deep = _json_depth(item) > MAX_JSON_DEPTH
    except RecursionError:  # deeper than Python's parser goes
        too_deep = True
    except json.JSONDecodeError as exc:
        what = exc.msg.removesuffix(" at")
        raise InvalidInput(
            f"line {number} is not valid JSON: {what[:1].lower()}{what[1:]} at column {exc.colno}; "
            "nothing was stored",
            hint="a line that starts with { is read as a JSON object with a `content` key",
        ) from exc
    if too_deep:
        raise InvalidInput(
            f"line {number} nests JSON deeper than {MAX_JSON_DEPTH} levels; nothing was stored",
            hint="flatten its metadata",
        )
    return item


def _json_depth(value: object) -> int:
    """How many levels of objects and arrays a parsed JSON value nests (a scalar: 0), without recursion."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth + 1)
            pending.extend((child, depth + 1) for child in children)
    return deepest


IdArgument = Annotated[
    str, typer.Argument(metavar="ID", help="The memory's id, or its first characters as tables show them.")
]


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(metavar="QUERY", help="What to look for: words, a question, a description.")
    ],
    limit: Annotated[int, typer.Option(help="How many results.")] = 10,
    tags: Annotated[str | None, typer.Option(help="Only memories with one of these tags (a,b).")] = None,
    node_type: Annotated[str | None, typer.Option("--type", help="Only these comma-separated types.")] = None,
    codebase: Annotated[str | None, typer.Option(help="Only memories of this codebase.")] = None,
    after: Annotated[
        datetime | None,
        typer.Option(
            metavar="DATE",
            help="Only memories stored at or after this date or time (UTC if no zone).",
            formats=TIMES,
        ),
    ] = None,
    before: Annotated[
        datetime | None,
        typer.Option(
            metavar="DATE",
            help="Only memories stored before this date or time (UTC if no zone).",
            formats=TIMES,
        ),
    ] = None,
    min_retention: Annotated[
        float | None, typer.Option(help="Only memories whose retention now is at least this (0 to 1).")
    ] = None,
    include_superseded: Annotated[
        bool, typer.Option("--include-superseded", help="Also memories a newer one superseded.")
    ] = False,
    visibility: Annotated[
        str | None, typer.Option(help="Only the private, group or public memories of those you can see.")
    ] = None,
    plain: Annotated[
        bool, typer.Option("--plain", help="Rank by words and meaning only; strengthen nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Recall memories by words and by meaning.

    The same recall the assistant's search tool runs, best first.

    \b
    score, 0 to 1 = 0.5 relevance + 0.3 importance + 0.2 recency:
      relevance   how well it matches, relative to the best match (which gets 1)
      importance  its retention strength: 1 when new, lowered by demotion and by
                  decay maintenance, raised a little by each recall
      recency     exp(-days since it happened / 30): 1 now, 0.37 a month ago
    Recall strengthens the memories of yours it returns (the testing effect).
    --plain ranks by words and meaning alone and changes nothing: its score, 0 to 1,
    is 0.6 x the word match relative to the best + 0.4 x the meaning match scaled
    between the farthest and the nearest candidate.
    --json gives every part (relevance, importance, recency, fused_score, ranks).
    """
    filters = SearchFilters(
        tags=_split(tags), node_types=_split(node_type), codebase=codebase, min_retention=min_retention,
        created_after=_utc(after), created_before=_utc(before), include_superseded=include_superseded,
        visibility=visibility,
    )  # fmt: skip
    with _client() as client:
        hits: Sequence[SearchHit | RecallHit] = (
            client.search_hybrid(query, filters, limit=limit)
            if plain
            else client.recall(query, filters, limit=limit)
        )
    if as_json:
        _print_json(hits)
        return
    table = _memory_table("score")
    for hit in hits:
        details = " · ".join([hit.node_type, ", ".join(hit.tags)] if hit.tags else [hit.node_type])
        score = f"{hit.score:.4f}" if plain else f"{hit.score:.2f}"
        table.add_row(_short_id(hit.id), score, _memory_cell(hit.content, details))
    out.print(table if hits else "No memories found.")


@app.command()
def get(memory_id: IdArgument, as_json: JsonOption = False) -> None:
    """Show one memory.

    \b
    retention, 0 to 1: how well it is retained now =
      0.7 x retrieval_strength x the FSRS recall probability since the last use
      + 0.3 x min(storage_strength / 10, 1).
    A new memory shows 0.73 (both strengths start at 1: 0.7 + 0.03); it fades
    between uses. It is a strength score, not a probability.
    retention_strength is the stored value that search weighs as importance (1 when
    new); decay maintenance and demotion lower it, each recall raises it by 0.02.
    The review schedule is FSRS-6 (see vestige due --help): its retrievability is
    the recall probability as of the last review (1 right after one), and
    retrievability_now (the assistant's memory state view) the probability now,
    0 until the first review.
    """
    with _client() as client:
        memory = client.get_memory(client.resolve_memory(memory_id))
    _print_json(memory) if as_json else _print_record(memory)


@app.command()
def delete(memory_id: IdArgument, as_json: JsonOption = False) -> None:
    """Delete one of your memories."""
    with _client() as client:
        deleted = client.resolve_memory(memory_id)
        client.delete_memory(deleted)
    _print_json({"id": deleted, "deleted": True}) if as_json else out.print(f"Deleted {deleted}.")


@app.command()
def review(
    memory_id: IdArgument,
    rating: Annotated[
        str, typer.Argument(metavar="RATING", help="1 again, 2 hard, 3 good, 4 easy (number or word).")
    ],
    as_json: JsonOption = False,
) -> None:
    """Review one of your memories (FSRS-6).

    \b
    It prints the new schedule:
    stability       days until the recall probability falls to 0.9
    difficulty      1 (easy) to 10 (hard)
    retrievability  the recall probability as of this review: 1
    next_review     when to review it again (learning steps: 1 and 10 minutes)
    """
    number = int(rating) if rating.isdecimal() and rating.isascii() else None
    value = RATINGS.get(rating.lower(), number)
    with _errors():
        if value is None or value not in RATINGS.values():  # quote what was typed: "00" is not "0"
            raise InvalidInput(
                f"not a rating: {rating!r}", hint="Pass RATING between 1 and 4, or again, hard, good or easy."
            )
    with _client() as client:
        result = client.review(client.resolve_memory(memory_id), value)
    _print_json(result) if as_json else _print_record(result)


@app.command()
def due(
    limit: Annotated[int, typer.Option(help="How many.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """List your memories due for review, the longest due first.

    A new memory is due at once: FSRS schedules a new card's first review
    immediately. Then it comes back after 1 and 10 minutes while learning, and
    after days, growing with its stability, once learnt. Review one with
    `vestige review ID again|hard|good|easy`.
    """
    with _client() as client:
        rows = client.due_memories(limit=limit)
    if as_json:
        _print_json(rows)
        return
    table = _memory_table()
    for row in rows:
        details = f"{row.node_type} · {row.state}, due {_when(row.next_review)}"
        table.add_row(_short_id(row.memory_id), _memory_cell(row.content, details))
    out.print(table if rows else "Nothing is due.")


@app.command()
def stats(as_json: JsonOption = False) -> None:
    """Counts and retention of the memories you can see."""
    with _client() as client:
        result = client.stats()
    _print_json(result) if as_json else _print_record(result)


# --- users and groups ---------------------------------------------------------------------------


@user_app.command("create")
def user_create(
    handle: Annotated[
        str, typer.Argument(metavar="HANDLE", help="Short unique name: letters, digits and _ . @ -.")
    ],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user; print its id."""
    with _client() as client:
        user_id = client.create_user(handle, name)
    _print_json({"id": user_id, "handle": handle}) if as_json else print(user_id)


@user_app.command("list")
def user_list(as_json: JsonOption = False) -> None:
    """List the users: handle, id, display name."""
    with _client() as client:
        users = client.list_users()
    if as_json:
        _print_json(users)
        return
    table = Table(box=box.SIMPLE, padding=(0, 1))
    table.add_column("handle", overflow="fold")
    table.add_column("id", no_wrap=True, min_width=ID_WIDTH)
    table.add_column("name", overflow="fold")
    table.add_column("created", no_wrap=True)
    for user in users:
        table.add_row(user.handle, str(user.id), user.display_name or "", f"{user.created_at:%Y-%m-%d}")
    out.print(table if users else "No users.")


@group_app.command("create")
def group_create(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The group's unique name.")],
    as_json: JsonOption = False,
) -> None:
    """Create a group with you as its admin; print its id."""
    with _client() as client:
        group_id = client.create_group(name)
    _print_json({"id": group_id, "name": name}) if as_json else print(group_id)


@group_app.command("list")
def group_list(as_json: JsonOption = False) -> None:
    """List the groups you belong to: name, id, your role, how many members."""
    with _client() as client:
        groups = client.list_groups()
    if as_json:
        _print_json(groups)
        return
    table = Table(box=box.SIMPLE, padding=(0, 1))
    table.add_column("name", overflow="fold")
    table.add_column("id", no_wrap=True, min_width=ID_WIDTH)
    table.add_column("role", no_wrap=True)
    table.add_column("members", no_wrap=True, justify="right")
    for group in groups:
        table.add_row(group.name, str(group.id), group.role, str(group.members))
    out.print(table if groups else "You belong to no group.")


@group_app.command("add")
def group_add(
    group: Annotated[str, typer.Argument(metavar="GROUP", help="The group's name or id.")],
    user: Annotated[str, typer.Argument(metavar="USER", help="The user's handle or id.")],
    role: Annotated[str, typer.Option(help="member or admin.")] = "member",
    as_json: JsonOption = False,
) -> None:
    """Add a user to a group you administer."""
    with _client() as client:
        gid = client.resolve_group(group)
        uid = client.resolve_user(user)
        client.add_group_member(gid, uid, role)
    if as_json:
        _print_json({"group_id": gid, "user_id": uid, "role": role})
    else:
        out.print(f"Added {user} to {group} as {role}.")


@user_app.command("bind")
def user_bind(
    user: Annotated[str, typer.Argument(metavar="USER", help="The user's handle or id.")],
    login: Annotated[str, typer.Argument(metavar="LOGIN", help="The PostgreSQL login role.")],
    as_json: JsonOption = False,
) -> None:
    """Make LOGIN a personal login: its sessions are always USER (an operator command).

    A bound login cannot act as anyone else, whatever it sets; `vestige user unbind` undoes it.
    """
    _bind(user, login, as_json)


@user_app.command("unbind")
def user_unbind(
    user: Annotated[str, typer.Argument(metavar="USER", help="The user's handle or id.")],
    as_json: JsonOption = False,
) -> None:
    """Remove USER's personal login (an operator command): that login then has no identity."""
    _bind(user, None, as_json)


def _bind(user: str, login: str | None, as_json: bool) -> None:
    with _errors(), db.operator(_settings(), prepare=True) as operator:
        row = operator.conn.execute(
            sql.BIND_LOGIN, {"user_id": _operator_user(operator, user), "role": login}
        ).fetchone()
    assert row is not None
    if as_json:
        _print_json({"user_id": row[0], "handle": row[1], "login_role": row[2]})
    else:
        out.print(f"{row[1]} now logs in as {row[2]}." if login else f"{row[1]} has no personal login now.")


def _operator_user(operator: db.Operator, user: str) -> uuid.UUID:
    """A user's id as is, or looked up by handle (VS011 when there is none)."""
    return id_or_lookup(user, lambda handle: db.scalar(operator.conn, sql.FIND_USER, {"handle": handle}))


# --- API keys -----------------------------------------------------------------------------------

_DURATION = re.compile(r"(\d+)([hdw])")
_DURATION_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def _expiry(text: str | None) -> datetime | None:
    """--expires: a duration from now (12h, 90d, 8w) or a date or time (UTC if no zone)."""
    if text is None:
        return None
    duration = _DURATION.fullmatch(text.strip())
    if duration:
        seconds = int(duration.group(1)) * _DURATION_UNITS[duration.group(2)]
        return datetime.now(UTC) + timedelta(seconds=seconds)
    try:
        return _utc(datetime.fromisoformat(text))
    except ValueError:
        raise InvalidInput(
            f"invalid --expires {text!r}: must be a duration (12h, 90d, 8w) or a date (2027-03-01)"
        ) from None


@key_app.command("create")
def key_create(
    user: Annotated[str, typer.Option("--user", help="The user the key acts as (handle or id).")],
    label: Annotated[str, typer.Option("--label", help="What the key is for (laptop, ci).")],
    read_only: Annotated[bool, typer.Option("--read-only", help="Search and read only.")] = False,
    expires: Annotated[
        str | None, typer.Option("--expires", help="Expire after a duration (90d, 12h, 8w) or at a date.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API key and print it: the only time it is shown (only its hash is stored)."""
    with _errors():
        expires_at = _expiry(expires)
        with db.operator(_settings(), prepare=True) as operator:
            user_id = _operator_user(operator, user)
            key, record = keys.create(
                operator.conn, user_id, label, read_only=read_only, expires_at=expires_at
            )
    if as_json:
        _print_json({"key": key} | jsonable(record))
    else:
        print(key)


@key_app.command("list")
def key_list(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's keys (handle or id).")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the API keys: id, user, label, scopes, status, last use (never a key)."""
    with _errors(), db.operator(_settings(), prepare=True) as operator:
        records = keys.list_keys(operator.conn, _operator_user(operator, user) if user else None)
    if as_json:
        _print_json(records)
        return
    table = Table(box=box.SIMPLE, padding=(0, 1))
    for column in ("id", "user", "label", "scopes", "status", "last used", "expires"):
        table.add_column(column, no_wrap=True)
    for r in records:
        table.add_row(
            str(r.id), r.handle, r.label, "r" if r.scopes == ["read"] else "rw", r.status,
            f"{r.last_used_at:%Y-%m-%d}" if r.last_used_at else "never",
            f"{r.expires_at:%Y-%m-%d}" if r.expires_at else "never",
        )  # fmt: skip
    # Whole lines (full ids, for `vestige key revoke`), even when the terminal is narrower.
    Console(width=max(out.width, 120)).print(table if records else "No API keys.")


@key_app.command("revoke")
def key_revoke(
    key_id: Annotated[
        uuid.UUID, typer.Argument(metavar="ID", help="The key's id (from `vestige key list`).")
    ],
    as_json: JsonOption = False,
) -> None:
    """Revoke an API key: the next request with it is refused."""
    with _errors(), db.operator(_settings(), prepare=True) as operator:
        record = keys.revoke(operator.conn, key_id)
    if as_json:
        _print_json(record)
    else:
        out.print(f"Revoked key {record.id} ({record.handle}, {record.label}).")


# --- secrets already stored ---------------------------------------------------------------------


@secrets_app.command("scan")
def secrets_scan(as_json: JsonOption = False) -> None:
    """List the secrets in stored memories and intentions: item, id, owner, kind, position.

    Never a secret's value. Exit code 1 when any is found, 0 when none; `vestige secrets redact`
    replaces each by [REDACTED:kind].
    """
    with _errors(), db.operator(_settings(), prepare=True) as operator:
        found = stored_secrets.scan(operator.conn)
    if as_json:
        _print_json(found)
    elif found:
        table = Table(box=box.SIMPLE, padding=(0, 1))
        for column in ("item", "id", "owner", "kind", "position"):
            table.add_column(column, no_wrap=True)
        for s in found:
            table.add_row(s.item, str(s.id), str(s.owner_user_id), s.kind, str(s.position))
        Console(width=max(out.width, 150)).print(table)  # whole ids, even on a narrow terminal
    else:
        out.print("No secrets found.")
    if found:
        raise typer.Exit(1)


@secrets_app.command("redact")
def secrets_redact(as_json: JsonOption = False) -> None:
    """Redact every stored secret: [REDACTED:kind] in its place; memories are embedded again.

    The redacted text is computed in the database (vestige.redact_secrets); the memories' new
    vectors come from the registered model. Backups taken before still hold the secrets.
    """
    settings = _settings()
    with _errors(), db.operator(settings, prepare=True) as operator, _phases() as progress:
        done = stored_secrets.redact(operator.conn, settings.embedding, progress)
    if as_json:
        _print_json(done)
        return
    out.print(
        f"Found {_count(done.secrets, 'secret')}: redacted {_count(done.memories, 'memory', 'memories')} "
        f"(embedded again) and {_count(done.intentions, 'intention')}."
    )
    if done.changed:
        changed = _count(done.changed, "memory", "memories")
        out.print(f"{changed} changed while it was redacted and kept its text: run it again.")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


# --- database -----------------------------------------------------------------------------------


def _embedded_settings() -> config.Settings:
    settings = _settings()
    if settings.storage.backend != "embedded":
        raise ConfigError(
            "the storage backend is an external PostgreSQL, not the embedded server",
            hint="`vestige db start|stop` manage the embedded server only",
        )
    return settings


@db_app.command("start")
def db_start(as_json: JsonOption = False) -> None:
    """Start the embedded PostgreSQL (and deploy the schema on first start)."""
    with _errors():
        settings = _embedded_settings()
        with db.operator(settings, prepare=True):
            status = local_postgres.status(settings.storage.embedded.data_dir)
    _print_json(status) if as_json else _print_record(status, "embedded PostgreSQL")


@db_app.command("stop")
def db_stop(as_json: JsonOption = False) -> None:
    """Stop the embedded PostgreSQL."""
    with _errors():
        settings = _embedded_settings()
        local_postgres.stop(settings.storage.embedded.data_dir)
        status = local_postgres.status(settings.storage.embedded.data_dir)
    _print_json(status) if as_json else out.print("The embedded PostgreSQL is stopped.")


@db_app.command("status")
def db_status(as_json: JsonOption = False) -> None:
    """Show the server, whether the schema is deployed and current, and each read replica (starts nothing)."""
    result: dict[str, Any] = {}
    with _errors():
        settings = _settings()
        result["backend"] = settings.storage.backend
        if settings.storage.backend == "embedded":
            result["server"] = local_postgres.status(settings.storage.embedded.data_dir)
        if "server" not in result or result["server"].running:
            with db.operator(settings, start=False) as operator:  # status starts nothing
                result["schema"] = deploy.status(operator.conn, deploy.bundled_plan())
                if settings.storage.postgres.replica_urls:
                    result["replicas"] = db.probe_replicas(settings, operator.conn)
    if as_json:
        _print_json(result)
        return
    if "server" in result:
        _print_record(result["server"], "embedded PostgreSQL")
    schema = result.get("schema")
    out.print(f"schema: {schema.state} ({schema.message})" if schema else "schema: unknown (not running)")
    for replica in result.get("replicas", []):
        lag = "" if replica.lag is None else f", lag {replica.lag:.2f} s"
        out.print(f"replica {replica.url}: {replica.state}{lag} ({replica.detail})", markup=False)


@db_app.command("deploy")
def db_deploy(as_json: JsonOption = False) -> None:
    """Deploy the bundled Sqitch plan (recorded in Sqitch's registry, as `sqitch deploy` would)."""
    name, email = deploy.default_committer()
    with _errors(), db.operator(_settings()) as operator:
        plan = deploy.bundled_plan()
        deployed = deploy.deploy(operator.conninfo, plan, committer_name=name, committer_email=email)
    if as_json:
        _print_json({"deployed": deployed})
    else:
        out.print(f"Deployed {len(deployed)} changes." if deployed else "Nothing to deploy (up-to-date).")


@db_app.command("verify")
def db_verify(as_json: JsonOption = False) -> None:
    """Run the verify script of every deployed change; exit 1 if one fails."""
    with _errors(), db.operator(_settings()) as operator:
        results = deploy.verify(operator.conninfo, deploy.bundled_plan())
    if as_json:
        _print_json(results)
    else:
        table = Table("change", "ok", "detail", box=box.SIMPLE)
        for r in results:
            table.add_row(r.change, "ok" if r.ok else "FAILED", r.detail)
        out.print(table)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


# --- migrate ------------------------------------------------------------------------------------


@migrate_app.command("copy")
def migrate_copy(
    source: Annotated[
        Path, typer.Option("--from", help="The Vestige SQLite store (vestige.db); never changed.")
    ],
    to: Annotated[
        str | None, typer.Option("--to", help="Target PostgreSQL URL (default: the configured one).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and check everything, write nothing.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="Rows per transaction.")] = 500,
    allow_source_upgrade: Annotated[
        bool, typer.Option("--allow-source-upgrade", help="Give the memories an owner, private, no groups.")
    ] = False,
    reembed: Annotated[
        bool, typer.Option("--reembed", help="Embed memories whose vectors do not match.")
    ] = False,
    source_model: Annotated[
        str | None, typer.Option(help="The model that made the source's vectors.")
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Owner handle or id (default: the configured user).")
    ] = None,
    update: Annotated[
        bool, typer.Option("--update", help="Also refresh rows changed in the source.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Copy a Vestige SQLite store into this database (exit 1 when a row had to be skipped)."""
    options = CopyOptions(
        source, dry_run, batch_size, allow_source_upgrade, reembed, source_model, owner, update
    )
    with _errors():
        if not source.is_file():
            raise InvalidInput(
                f"no Vestige store at {source}", hint="pass the path of vestige.db with --from"
            )
        settings = _settings()
        if to is not None:
            settings = config.with_database_url(settings, to)
        with _phases() as progress:
            report = copy_store(settings, options, progress)
    if as_json:
        _print_json({**jsonable(report), "skipped": report.skipped})
    else:
        _print_copy_report(report)
    if report.skipped:
        raise typer.Exit(1)


@contextmanager
def _phases() -> Iterator[switch.Progress]:
    """One progress bar per phase (or table) on a terminal, with its rate and time left."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _RateColumn(),
        TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal,
    ) as bar:  # fmt: skip
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield progress


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f}/s" if task.speed else "")


def _print_copy_report(report: CopyReport) -> None:
    verb = "would copy" if report.dry_run else "copied"
    out.print(f"{report.source}: Vestige schema version {report.schema_version} ({verb})")
    table = Table("table", "source", "inserted", "updated", "present", "skipped", "in target", box=box.SIMPLE)
    for t in report.tables:
        table.add_row(
            t.table, *(str(v) for v in (t.source, t.inserted, t.updated, t.present, t.skipped, t.in_target))
        )
    out.print(table)
    out.print(
        f"vectors: {report.vectors_copied} copied ({report.vectors_truncated} truncated to "
        f"{report.target_dimension}-d), {report.vectors_embedded} embedded, {report.vectors_filled} "
        f"filled in, {len(report.without_vector)} without a vector; registered model {report.target_model}"
    )
    if report.without_vector:
        out.print(
            "  memories without a vector are found by words only: run the copy again with --reembed "
            "to embed them with the registered model"
        )
    if report.not_copied_by_design:
        out.print("not copied by design: " + ", ".join(report.not_copied_by_design))
    if report.secrets:
        rows = {(s.table, s.id, s.action) for s in report.secrets}
        counts = {a: sum(1 for row in rows if row[2] == a) for a in ("refused", "redacted")}
        out.print(
            f"secrets: {len(report.secrets)} found; {counts['refused']} rows not copied, "
            f"{counts['redacted']} copied redacted (each is listed below)"
        )
    if report.wal_nonempty:
        out.print("warning: the store's write-ahead log is not empty: it may be open in another program")
    if report.source_unchanged is False:
        out.print("warning: the store changed while it was read (another program wrote to it)")
    for problem in report.problems[:50]:
        kind = "skipped" if problem.skipped else "warning"
        where = f" {problem.field}" if problem.field else ""
        out.print(f"{kind}: {problem.table} {problem.id}{where}: {problem.reason}")
    if len(report.problems) > 50:
        out.print(f"… {len(report.problems) - 50} more problems (see --json)")
    out.print(f"done in {report.seconds:.1f} s")


@migrate_app.command("reembed")
def migrate_reembed(
    model: Annotated[str, typer.Option(help="The new model: a name or path, optionally name@N.")],
    yes: Annotated[bool, typer.Option("--yes", help="Really switch (without it, nothing changes).")] = False,
    backup: Annotated[
        Path | None, typer.Option(help="A pg_dump archive of this database taken before (checked).")
    ] = None,
    no_backup_check: Annotated[
        bool, typer.Option("--no-backup-check", help="Switch without checking a backup.")
    ] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Maintenance window: drop the index, rewrite, rebuild.")
    ] = False,
    concurrent_index: Annotated[
        bool, typer.Option("--concurrent-index", help="With --offline: keep the index while rewriting.")
    ] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an interrupted run.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Memories per batch.")] = 128,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Measure and estimate time and disk; change nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Switch the database to another embedding model; searches go on meanwhile (exit 1 if unverified)."""
    options = switch.ReembedOptions(
        model, yes, offline, resume, batch_size, concurrent_index, dry_run, backup, no_backup_check
    )
    with _errors(), _phases() as progress:
        report = switch.reembed(_settings(), options, progress)
    _print_switch_report(report, as_json)


@migrate_app.command("rollback")
def migrate_rollback(as_json: JsonOption = False) -> None:
    """Abandon a switch in progress, or switch back to the previous model (until cleanup)."""
    with _errors(), _phases() as progress:
        report = switch.rollback(_settings(), progress)
    _print_switch_report(report, as_json)


@migrate_app.command("cleanup")
def migrate_cleanup(as_json: JsonOption = False) -> None:
    """Drop the previous model's vectors and index: the end of the rollback window."""
    with _errors():
        dropped = switch.cleanup(_settings())
    if as_json:
        _print_json({"dropped": dropped})
    else:
        out.print(f"dropped the vectors of {dropped}" if dropped else "nothing to clean up")


@migrate_app.command("status")
def migrate_status(as_json: JsonOption = False) -> None:
    """The embedding models, the progress of a switch and the state of the HNSW indexes."""
    with _errors():
        state = switch.status(_settings())
    if as_json:
        _print_json(state)
        return
    _print_record(state, title="embedding models")


def _print_switch_report(report: switch.ReembedReport, as_json: bool) -> None:
    check = report.verification
    if as_json:
        _print_json(report)
    elif report.outcome == "dry-run":
        rate = f"{report.rate:,.0f} memories/s" if report.rate else "no memories to sample"
        out.print(
            f"would embed {report.embedded} memories with {report.model} ({report.dimension}-d): "
            f"{rate}, about {report.estimated_seconds or 0:,.0f} s; disk needed about "
            f"{(report.disk_bytes or 0) / 2**20:,.0f} MiB"
        )
    else:
        out.print(
            f"{report.outcome}: {report.model} ({report.dimension}-d); {report.embedded} memories embedded, "
            f"{report.caught_up} caught up, in {report.seconds:.1f} s"
        )
        if check is not None:
            out.print(
                f"verified: registry {check.name} ({check.dimension}-d, hash {check.hash}, generation "
                f"{check.generation}); HNSW index {'valid' if check.index_valid else 'NOT VALID'}; "
                f"{check.missing} memories without a vector; "
                + (f"{check.previous} kept for rollback" if check.previous else "no previous model kept")
            )
    if check is not None and not check.ok:
        raise typer.Exit(1)


# --- the HTTP server -----------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="The address to listen on (default: [server] host, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="The TCP port (default: [server] port, 8077).")
    ] = None,
    config_file: Annotated[
        Path | None, typer.Option("--config", help="The vestige.toml to read (as `vestige --config`).")
    ] = None,
) -> None:
    """Serve memory over HTTP: MCP (Streamable HTTP) at /mcp and the REST API under /api/v1/.

    Every request needs an API key (`Authorization: Bearer <key>` or `X-API-Key: <key>`) unless
    [auth] enabled = false, which is allowed on a loopback address only (exit 2 otherwise).
    """
    from vestige_client.mcp_server import configure_logging
    from vestige_client.server import app as server

    _options.config = config_file or _options.config
    with _errors():
        settings = _settings()
        where = dataclasses.replace(
            settings.server, host=host or settings.server.host, port=port or settings.server.port
        )
        settings = dataclasses.replace(settings, server=where)
        refusal = server.bind_refusal(settings)
        if refusal is not None:
            raise typer.Exit(_fail(refusal, 2))
        configure_logging(settings)
        logging.getLogger("psycopg.pool").setLevel(logging.WARNING)
        server.serve(settings)


# --- configuration ------------------------------------------------------------------------------


@config_app.command("print")
def config_print(as_json: JsonOption = False) -> None:
    """Show the effective configuration (secrets masked)."""
    with _errors():
        values = config.as_dict(_settings())
    if as_json:
        _print_json(values)
        return
    for line in _flatten(values):
        print(line)


def _flatten(values: dict[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in values.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key} = {json.dumps(value)}"


@config_app.command("check")
def config_check(as_json: JsonOption = False) -> None:
    """Validate the configuration, connect, and check the schema and the embedding model."""
    with _errors():
        settings = _settings()
        with Client.open(settings) as client:
            client.check_identity()
            health = client.health()
            model = client.registered_model()
            if model is not None:
                client.model_hash()  # raises RegistryConflict (VS005), with what to do, when they differ
    result = {
        "source": settings.source,
        "backend": settings.storage.backend,
        "user_id": client.user_id,
        "health": health,
        "registered_model": model.name if model else None,
        "configured_model": settings.embedding.model,
    }
    if as_json:
        _print_json(result)
        return
    out.print(f"configuration: ok ({settings.source or 'defaults'})")
    versions = f"PostgreSQL {health.postgres_version}, pgvector {health.pgvector_version}"
    out.print(f"database: {health.status}, {versions}")
    for reason in health.reasons:
        out.print(f"  - {reason}")
    out.print(f"user: {settings.user.id} ({client.user_id})")
    registered = result["registered_model"] or "none yet"
    out.print(f"embedding model: {settings.embedding.model} (registered: {registered})")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `vestige` console script."""
    app(args=list(argv) if argv is not None else None, prog_name="vestige")

"""The `vestige` command line: parse, call the client, render (rich tables, or `--json`)."""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import psycopg
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

from vestige_client import config, db, local_postgres
from vestige_client.client import Client, NewMemory, SearchFilters
from vestige_client.deployer import deploy
from vestige_client.errors import ConfigError, InvalidInput, VestigeError, from_database
from vestige_client.migrate import reembed as switch
from vestige_client.migrate.copy import CopyOptions, CopyReport, copy_store
from vestige_client.models import jsonable

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="Vestige: long-term memory for AI assistants, with PostgreSQL as the engine.",
)
db_app = typer.Typer(no_args_is_help=True, help="The database: the embedded server and the schema.")
config_app = typer.Typer(no_args_is_help=True, help="Show and check the configuration.")
user_app = typer.Typer(no_args_is_help=True, help="Users (the people or agents memories belong to).")
group_app = typer.Typer(no_args_is_help=True, help="Groups (memories can be shared with them).")
migrate_app = typer.Typer(
    no_args_is_help=True,
    help="Move memories in (copy a Vestige SQLite store) and switch the embedding model (reembed).",
)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(user_app, name="user")
app.add_typer(group_app, name="group")
app.add_typer(migrate_app, name="migrate")

out = Console()
err = Console(stderr=True)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON: SQL column names as keys, ISO-8601 UTC times.")
]
RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}
JSONL_KEYS = {"content", "node_type", "tags", "source", "metadata", "codebase", "visibility", "groups"}


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
    _options.config = config_file
    # The pool logs each failed connection attempt; the command reports the cause once itself.
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)


# --- plumbing -----------------------------------------------------------------------------------


@contextmanager
def _errors() -> Iterator[None]:
    """Turn an error into one line on stderr and exit code 1."""
    try:
        yield
    except (VestigeError, psycopg.Error) as exc:
        error = exc if isinstance(exc, VestigeError) else from_database(exc)
        print("error: " + " ".join(str(error).split()), file=sys.stderr)
        raise typer.Exit(1) from exc


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
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, item in jsonable(value).items():
        text = json.dumps(item) if isinstance(item, list | dict) else str(item)
        table.add_row(key, "" if item is None else text)
    out.print(table)


def _split(values: str | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for v in values.split(",") if v.strip()]


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- memories -----------------------------------------------------------------------------------


@app.command()
def ingest(
    text: Annotated[str, typer.Argument(help="The memory; `-` reads stdin: one memory per line, or JSONL.")],
    tags: Annotated[str | None, typer.Option(help="Comma-separated tags.")] = None,
    node_type: Annotated[str, typer.Option("--type", help="fact, decision, pattern, event, ...")] = "fact",
    codebase: Annotated[str | None, typer.Option(help="The codebase the memory belongs to.")] = None,
    visibility: Annotated[str, typer.Option(help="private, group or public.")] = "private",
    group: Annotated[list[str] | None, typer.Option(help="A group id to share with (repeatable).")] = None,
    source: Annotated[str | None, typer.Option(help="Where the memory comes from.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Store a memory (or many from stdin, all or none)."""
    with _errors():
        defaults = NewMemory(
            content="",
            node_type=node_type,
            tags=_split(tags) or [],
            source=source,
            codebase=codebase,
            visibility=visibility,
            groups=[_uuid(g, "--group") for g in group or []],
        )
        memories = _read_stdin(defaults) if text == "-" else [dataclasses.replace(defaults, content=text)]
        if not any(m.content.strip() for m in memories):
            raise InvalidInput("the memory is empty", hint="give the text to remember")
    with _client() as client:
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


def _read_stdin(defaults: NewMemory) -> list[NewMemory]:
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
    memories = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            memories.append(_jsonl_memory(line, number, defaults))
        else:
            memories.append(dataclasses.replace(defaults, content=line))
    if not memories:
        raise InvalidInput("no memories on stdin", hint="one memory per line, or JSON lines with `content`")
    return memories


def _jsonl_memory(line: str, number: int, defaults: NewMemory) -> NewMemory:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"line {number} is not valid JSON: {exc.msg}; nothing was stored") from exc
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
    if "groups" in item:
        item["groups"] = [_uuid(g, f"line {number} groups") for g in item["groups"]]
    try:
        return dataclasses.replace(defaults, **item)
    except TypeError as exc:
        raise InvalidInput(f"line {number}: {exc}") from exc


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise InvalidInput(f"{what}: {value!r} is not a uuid") from exc


IdArgument = Annotated[str, typer.Argument(help="The memory's id (a uuid).")]


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for: words, a question, a description.")],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many results.")] = 10,
    tags: Annotated[str | None, typer.Option(help="Only memories with one of these tags (a,b).")] = None,
    node_type: Annotated[str | None, typer.Option("--type", help="Only these comma-separated types.")] = None,
    codebase: Annotated[str | None, typer.Option(help="Only memories of this codebase.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Search memories by words and by meaning."""
    filters = SearchFilters(tags=_split(tags), node_types=_split(node_type), codebase=codebase)
    with _client() as client:
        hits = client.search_hybrid(query, filters, limit=limit)
    if as_json:
        _print_json(hits)
        return
    table = Table(box=box.SIMPLE)
    table.add_column("id", no_wrap=True, min_width=36)
    table.add_column("score")
    table.add_column("type")
    table.add_column("content", min_width=20, ratio=1)
    table.add_column("tags")
    for hit in hits:
        tag_list = ", ".join(hit.tags)
        table.add_row(str(hit.id), f"{hit.score:.4f}", hit.node_type, _short(hit.content), tag_list)
    out.print(table if hits else "No memories found.")


@app.command()
def get(memory_id: IdArgument, as_json: JsonOption = False) -> None:
    """Show one memory."""
    with _client() as client:
        memory = client.get_memory(_uuid(memory_id, "ID"))
    _print_json(memory) if as_json else _print_record(memory)


@app.command()
def delete(memory_id: IdArgument, as_json: JsonOption = False) -> None:
    """Delete one of your memories."""
    with _client() as client:
        client.delete_memory(_uuid(memory_id, "ID"))
    _print_json({"id": memory_id, "deleted": True}) if as_json else out.print(f"Deleted {memory_id}.")


@app.command()
def review(
    memory_id: IdArgument,
    rating: Annotated[str, typer.Argument(help="1 again, 2 hard, 3 good, 4 easy (number or word).")],
    as_json: JsonOption = False,
) -> None:
    """Review one of your memories (FSRS-6) and show when it is due next."""
    with _client() as client:
        value = RATINGS.get(rating.lower()) or (int(rating) if rating.isdecimal() and rating.isascii() else 0)
        result = client.review(_uuid(memory_id, "ID"), value)
    _print_json(result) if as_json else _print_record(result)


@app.command()
def due(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """List your memories that are due for review."""
    with _client() as client:
        rows = client.due_memories(limit=limit)
    if as_json:
        _print_json(rows)
        return
    table = Table(box=box.SIMPLE)
    table.add_column("memory_id", no_wrap=True, min_width=36)
    table.add_column("next_review")
    table.add_column("state")
    table.add_column("content", min_width=20, ratio=1)
    for row in rows:
        table.add_row(str(row.memory_id), jsonable(row.next_review), row.state, _short(row.content, 70))
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
    handle: Annotated[str, typer.Argument(help="Short unique name: letters, digits and _ . @ -.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user; print its id."""
    with _client() as client:
        user_id = client.create_user(handle, name)
    _print_json({"id": user_id, "handle": handle}) if as_json else print(user_id)


@group_app.command("create")
def group_create(
    name: Annotated[str, typer.Argument(help="The group's unique name.")], as_json: JsonOption = False
) -> None:
    """Create a group with you as its admin; print its id."""
    with _client() as client:
        group_id = client.create_group(name)
    _print_json({"id": group_id, "name": name}) if as_json else print(group_id)


@group_app.command("add")
def group_add(
    group_id: Annotated[str, typer.Argument(help="The group's id.")],
    user: Annotated[str, typer.Argument(help="The user's handle or id.")],
    role: Annotated[str, typer.Option(help="member or admin.")] = "member",
    as_json: JsonOption = False,
) -> None:
    """Add a user to a group you administer."""
    with _client() as client:
        gid = _uuid(group_id, "GROUP_ID")
        uid = client.resolve_user(user)
        client.add_group_member(gid, uid, role)
    if as_json:
        _print_json({"group_id": gid, "user_id": uid, "role": role})
    else:
        out.print(f"Added {user} to {group_id} as {role}.")


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
        conninfo = db.server_conninfo(settings)
        db.prepare(conninfo, settings)
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
    """Show the server and whether the schema is deployed and current (starts nothing)."""
    result: dict[str, Any] = {}
    with _errors():
        settings = _settings()
        result["backend"] = settings.storage.backend
        if settings.storage.backend == "embedded":
            server = local_postgres.status(settings.storage.embedded.data_dir)
            result["server"] = server
            # Attach to a running server only: status starts nothing.
            running = local_postgres.start(server.data_dir) if server.running else None
            conninfo = running.conninfo(db.EMBEDDED_DATABASE) if running else None
        else:
            conninfo = settings.storage.postgres.url or ""
        if conninfo is not None:
            with db.connect(conninfo, settings) as conn:
                result["schema"] = deploy.status(conn, deploy.bundled_plan())
    if as_json:
        _print_json(result)
        return
    if "server" in result:
        _print_record(result["server"], "embedded PostgreSQL")
    schema = result.get("schema")
    out.print(f"schema: {schema.state} ({schema.message})" if schema else "schema: unknown (not running)")


def _reachable_conninfo() -> str:
    """The database to deploy or verify, after one connection that explains a failure."""
    settings = _settings()
    conninfo = db.server_conninfo(settings)
    db.connect(conninfo, settings).close()
    return conninfo


@db_app.command("deploy")
def db_deploy(as_json: JsonOption = False) -> None:
    """Deploy the bundled Sqitch plan (recorded in Sqitch's registry, as `sqitch deploy` would)."""
    with _errors():
        conninfo = _reachable_conninfo()
        name, email = deploy.default_committer()
        deployed = deploy.deploy(conninfo, deploy.bundled_plan(), committer_name=name, committer_email=email)
    if as_json:
        _print_json({"deployed": deployed})
    else:
        out.print(f"Deployed {len(deployed)} changes." if deployed else "Nothing to deploy (up-to-date).")


@db_app.command("verify")
def db_verify(as_json: JsonOption = False) -> None:
    """Run the verify script of every deployed change; exit 1 if one fails."""
    with _errors():
        conninfo = _reachable_conninfo()
        results = deploy.verify(conninfo, deploy.bundled_plan())
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
            health = client.health()
            model = client.registered_model()
            if model is not None:
                client.model_hash()  # raises ModelMismatch, with what to do, when they differ
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

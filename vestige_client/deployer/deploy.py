"""Apply the Sqitch plan without the sqitch binary, recording it in Sqitch's own registry.

The rows written (schema `sqitch`: releases, projects, changes, dependencies, tags, events) are
the ones Sqitch 1.3.1 writes, so `sqitch status`, `verify`, `revert` and `deploy` keep working
on a database deployed here, and a database deployed by `sqitch deploy` is accepted as is.
The facts this follows are in the project notes on the Sqitch registry.

Each script runs the way Sqitch's psql does it: the whole file at once, in its own session,
outside the registry transaction. Scripts must be plain SQL (no psql meta-commands or
variables) and wrap their work in BEGIN ... COMMIT.
"""

from __future__ import annotations

import getpass
import hashlib
import pwd
import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row

from vestige_client.deployer import statements as sql
from vestige_client.errors import (
    DeployFailed,
    SchemaError,
    SchemaNewer,
    SchemaNotDeployed,
    SchemaOutOfDate,
)

REGISTRY_VERSION = "1.1"
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_CHANGE_ID = re.compile(r"[0-9a-f]{40}")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
# A change or tag line, once its note is cut off: [@]name [deps] date planner <email>
_PLAN_LINE = re.compile(
    r"[ \t]*(?P<tag>@)?(?P<name>[^ \t:@#\\]+)[ \t]*"
    r"(?:\[(?P<deps>[^\]]+)\][ \t]*)?"
    r"(?P<date>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)[ \t]*"
    r"(?P<planner_name>[^<]+)[ \t]+<(?P<planner_email>[^>]+)>"
)
_NOTE_ESCAPES = {"\\n": "\n", "\\r": "\r", "\\\\": "\\"}


# --- The plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """A plan tag (`@name`) on the change before it."""

    name: str
    tag_id: str
    note: str
    planner_name: str
    planner_email: str
    planned_at: datetime


@dataclass(frozen=True)
class Change:
    """One change line of the plan, with its Sqitch id and scripts."""

    name: str
    change_id: str
    script_hash: str | None
    note: str
    planner_name: str
    planner_email: str
    planned_at: datetime
    requires: tuple[str, ...]
    conflicts: tuple[str, ...]
    tags: tuple[Tag, ...]
    deploy_script: Path
    revert_script: Path
    verify_script: Path
    reworked: bool = False


@dataclass(frozen=True)
class Plan:
    """A parsed sqitch.plan: the project and its changes in deploy order."""

    project: str
    uri: str | None
    changes: tuple[Change, ...]
    top_dir: Path

    @classmethod
    def load(cls, plan_file: Path, top_dir: Path) -> Plan:
        """Parse `plan_file`; scripts are under `top_dir` (deploy/, revert/, verify/)."""
        return _parse_plan(plan_file, top_dir)

    def find(self, key: str) -> Change | None:
        """Find a change the way a dependency names it: `name`, `name@tag` or `@tag`."""
        name, at, tag = key.partition("@")
        if not at:
            return next((change for change in self.changes if change.name == name), None)
        tagged = next(
            (i for i, change in enumerate(self.changes) if any(t.name == f"@{tag}" for t in change.tags)),
            None,
        )
        if tagged is None:
            return None
        if not name:
            return self.changes[tagged]
        return next((c for c in reversed(self.changes[: tagged + 1]) if c.name == name), None)


def bundled_plan() -> Plan:
    """The plan shipped in the wheel (vestige_client/sqitch/, by setup.py) or, in a checkout, the repo's."""
    package_dir = Path(__file__).resolve().parent.parent
    bundled = package_dir / "sqitch"
    if (bundled / "sqitch.plan").is_file():
        return Plan.load(bundled / "sqitch.plan", bundled)
    root = package_dir.parent  # a checkout: sqitch.conf there sets top_dir = db
    return Plan.load(root / "sqitch.plan", root / "db")


@dataclass
class _Line:
    """A change or tag line while the plan is being read."""

    name: str
    deps: list[str]
    planned_at: datetime
    planner_name: str
    planner_email: str
    note: str
    tags: list[_Line]


def _parse_plan(plan_file: Path, top_dir: Path) -> Plan:
    """Read pragmas, change lines and tag lines, then give each change its Sqitch ids and scripts."""
    pragmas: dict[str, str] = {}
    lines: list[_Line] = []
    for number, text in enumerate(plan_file.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip() or text.lstrip(" \t").startswith("#"):
            continue
        if not lines and text.lstrip(" \t").startswith("%"):
            key, _, value = text.partition("#")[0].strip().lstrip("%").partition("=")
            pragmas[key.strip()] = value.strip()
            continue
        body, _, note = text.partition("#")
        match = _PLAN_LINE.fullmatch(body.rstrip(" \t"))
        if match is None:
            raise SchemaError(f"cannot read {plan_file} line {number}: run `sqitch plan` to check it")
        line = _Line(
            name=match["name"],
            deps=(match["deps"] or "").split(),
            planned_at=datetime.strptime(match["date"], _DATE_FORMAT).replace(tzinfo=UTC),
            planner_name=match["planner_name"],
            planner_email=match["planner_email"],
            note=_unescape(note.lstrip(" \t").strip()),
            tags=[],
        )
        if match["tag"]:
            if not lines:
                raise SchemaError(f"{plan_file} line {number}: a tag needs a change before it")
            lines[-1].tags.append(line)
        else:
            lines.append(line)
    if "project" not in pragmas:
        raise SchemaError(f"{plan_file} has no %project pragma")
    project, uri = pragmas["project"], pragmas.get("uri")
    header = f"project {project}\n" + (f"uri {_canonical_uri(uri)}\n" if uri else "")
    changes: list[Change] = []
    for i, line in enumerate(lines):
        parent = changes[-1].change_id if changes else None
        changes.append(_change(line, header, parent, project, _script_name(lines, i, top_dir), top_dir))
    return Plan(project=project, uri=uri, changes=tuple(changes), top_dir=top_dir)


def _change(
    line: _Line, header: str, parent: str | None, project: str, file_name: str, top_dir: Path
) -> Change:
    """Build a plan change; its id is the SHA-1 of the INFO text `sqitch show change` prints."""
    requires = tuple(_dependency(d, project) for d in line.deps if not d.startswith("!"))
    conflicts = tuple(_dependency(d[1:], project) for d in line.deps if d.startswith("!"))
    info = header + f"change {line.name}\n" + (f"parent {parent}\n" if parent else "")
    info += f"planner {line.planner_name} <{line.planner_email}>\ndate {_date(line.planned_at)}"
    if requires:
        info += "\nrequires" + "".join(f"\n  + {d}" for d in requires)
    if conflicts:
        info += "\nconflicts" + "".join(f"\n  - {d}" for d in conflicts)
    info += f"\n\n{line.note}" if line.note else ""
    change_id = _sha1("change", info)
    deploy_script = top_dir / "deploy" / file_name
    return Change(
        name=line.name,
        change_id=change_id,
        script_hash=hashlib.sha1(deploy_script.read_bytes()).hexdigest() if deploy_script.is_file() else None,
        note=line.note,
        planner_name=line.planner_name,
        planner_email=line.planner_email,
        planned_at=line.planned_at,
        requires=requires,
        conflicts=conflicts,
        tags=tuple(_tag(tag, header, change_id) for tag in line.tags),
        deploy_script=deploy_script,
        revert_script=top_dir / "revert" / file_name,
        verify_script=top_dir / "verify" / file_name,
        reworked=file_name != f"{line.name}.sql",
    )


def _tag(line: _Line, header: str, change_id: str) -> Tag:
    """Build a plan tag; its id is the SHA-1 of the INFO text `sqitch show tag` prints."""
    info = header + f"tag @{line.name}\nchange {change_id}\n"
    info += f"planner {line.planner_name} <{line.planner_email}>\ndate {_date(line.planned_at)}"
    info += f"\n\n{line.note}" if line.note else ""
    return Tag(
        name=f"@{line.name}",
        tag_id=_sha1("tag", info),
        note=line.note,
        planner_name=line.planner_name,
        planner_email=line.planner_email,
        planned_at=line.planned_at,
    )


def _script_name(lines: Sequence[_Line], index: int, top_dir: Path) -> str:
    """Return `name.sql`, or `name@tag.sql` for an instance of a change that is reworked later."""
    line = lines[index]
    rework = next((j for j in range(index + 1, len(lines)) if lines[j].name == line.name), None)
    if rework is None:
        return f"{line.name}.sql"
    # Tags between this instance and its rework, newest first, then this instance's own tags.
    tags = [tag.name for between in reversed(lines[index + 1 : rework]) for tag in between.tags]
    tags += [tag.name for tag in line.tags]
    names = [f"{line.name}@{tag}.sql" for tag in tags]
    if not names:
        raise SchemaError(f"change {line.name} is reworked without a tag in between: run `sqitch plan`")
    return next((name for name in names if (top_dir / "deploy" / name).is_file()), names[0])


def _dependency(text: str, project: str) -> str:
    """Write a dependency as Sqitch records it: no `project:` prefix for this project's own changes."""
    prefix, colon, rest = text.partition(":")
    return rest if colon and prefix == project else text


def _unescape(note: str) -> str:
    return re.sub(r"\\[nr\\]", lambda m: _NOTE_ESCAPES[m.group()], note)


def _canonical_uri(uri: str) -> str:
    """Lowercase the scheme and host and drop a default port, as Perl's URI->canonical does."""
    parts = urlsplit(uri)
    if not parts.hostname:
        return uri
    host = parts.hostname
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host += f":{parts.port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def _date(value: datetime) -> str:
    return value.strftime(_DATE_FORMAT)


def _sha1(kind: str, info: str) -> str:
    """Sqitch's ids: SHA-1 over a git-style header (`kind <byte length>\\0`) and the UTF-8 info."""
    data = info.encode()
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data).hexdigest()


# --- Status --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaStatus:
    """How the database's deployed changes compare with the plan."""

    state: Literal["up-to-date", "not-deployed", "out-of-date", "newer"]
    deployed: int
    planned: int
    last_change: str | None
    pending: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def message(self) -> str:
        """What the state means and what to do about it."""
        if self.state == "up-to-date":
            return f"all {self.planned} changes deployed"
        if self.state == "not-deployed":
            return (
                f"the Vestige schema is not deployed ({self.planned} changes planned); "
                "run `vestige db deploy`"
            )
        if self.state == "out-of-date":
            return f"{self.deployed} of {self.planned} changes deployed; run `vestige db deploy`"
        return (
            f"the database has changes this client does not know ({', '.join(self.unknown)}): "
            "upgrade vestige-postgres"
        )


def status(conn: psycopg.Connection[Any], plan: Plan) -> SchemaStatus:
    """Compare the changes recorded in the Sqitch registry with `plan`."""
    cur = conn.cursor(row_factory=tuple_row)
    deployed: list[tuple[str, str]] = []
    with conn.transaction():  # leaves the connection as it found it
        if _fetch_value(cur.execute(sql.REGISTRY_EXISTS)):
            deployed = cur.execute(sql.DEPLOYED_CHANGES, {"project": plan.project}).fetchall()
    planned = len(plan.changes)
    if not deployed:
        pending = tuple(change.name for change in plan.changes)
        return SchemaStatus("not-deployed", 0, planned, None, pending, ())
    # Like Sqitch, the position is the latest deployed change, found in the plan by its id.
    index = {change.change_id: i for i, change in enumerate(plan.changes)}
    unknown = tuple(name for change_id, name in deployed if change_id not in index)
    last_name = deployed[-1][1]
    if unknown:
        return SchemaStatus("newer", len(deployed), planned, last_name, (), unknown)
    pending = tuple(change.name for change in plan.changes[index[deployed[-1][0]] + 1 :])
    state: Literal["up-to-date", "out-of-date"] = "out-of-date" if pending else "up-to-date"
    return SchemaStatus(state, len(deployed), planned, last_name, pending, ())


def require_current(conn: psycopg.Connection[Any], plan: Plan) -> None:
    """Raise SchemaNotDeployed, SchemaOutOfDate or SchemaNewer unless the schema matches `plan`."""
    current = status(conn, plan)
    if current.state == "not-deployed":
        raise SchemaNotDeployed(current.message)
    if current.state == "out-of-date":
        raise SchemaOutOfDate(current.message)
    if current.state == "newer":
        raise SchemaNewer(current.message)


def _fetch_value(cur: psycopg.Cursor[tuple[Any, ...]]) -> Any:
    row = cur.fetchone()
    assert row is not None
    return row[0]


# --- Deploy --------------------------------------------------------------------------------------


def default_committer() -> tuple[str, str]:
    """Return (name, email) for the registry: the OS user's full name and `login@hostname`."""
    login = getpass.getuser()
    try:
        name = pwd.getpwnam(login).pw_gecos.split(",")[0].strip() or login
    except KeyError:
        name = login
    return name, f"{login}@{socket.gethostname()}"


@dataclass(frozen=True)
class _Committer:
    name: str
    email: str


class _ScriptFailed(Exception):
    """A deploy or revert script failed; the message is the server's."""


def deploy(
    conninfo: str, plan: Plan, *, committer_name: str, committer_email: str, lock_timeout: float = 60
) -> list[str]:
    """Deploy the changes of `plan` the database lacks; return their names (empty when up to date)."""
    who = _Committer(committer_name, committer_email)
    with psycopg.connect(conninfo, autocommit=True) as reg:
        cur = reg.cursor(row_factory=tuple_row)
        _lock(cur, lock_timeout)
        _install_registry(cur, who)
        _register_project(cur, plan, who)
        current = status(reg, plan)
        if current.state == "newer":
            raise SchemaNewer(current.message)
        if current.last_change is not None:
            # Late tags: tags added to the plan on the change deployed last.
            last = plan.changes[len(plan.changes) - len(current.pending) - 1]
            _insert_tags(cur, plan, last, who)
        pending = plan.changes[len(plan.changes) - len(current.pending) :]
        requires = _check_dependencies(cur, plan, pending)
        done: list[Change] = []
        for change in pending:
            try:
                _deploy_change(cur, conninfo, plan, change, requires[change.change_id], who)
            except _ScriptFailed as failure:
                cur.execute(sql.INSERT_EVENT, _event_params("fail", plan, change, who))
                message = f"deploying change {change.name} failed: {failure}"
                _revert_run(cur, conninfo, done, who, message)
                if done:
                    message += f"; reverted the {len(done)} changes deployed before it in this run"
                raise DeployFailed(message) from failure.__cause__
            done.append(change)
    return [change.name for change in done]


def _lock(cur: psycopg.Cursor[tuple[Any, ...]], timeout: float) -> None:
    """Take Sqitch's advisory lock, waiting at most `timeout` seconds for another deployer."""
    cur.execute(sql.SET_LOCK_TIMEOUT, {"timeout": f"{max(1, round(timeout * 1000))}ms"})
    try:
        cur.execute(sql.ADVISORY_LOCK)
    except psycopg.errors.LockNotAvailable as exc:
        raise DeployFailed(
            f"another deploy (vestige or sqitch) has been working on this database for {timeout:g} s: "
            "try again when it has finished"
        ) from exc
    cur.execute(sql.RESET_LOCK_TIMEOUT)


def _install_registry(cur: psycopg.Cursor[tuple[Any, ...]], who: _Committer) -> None:
    """Create the registry and its releases row, or check that the existing one is version 1.1."""
    if _fetch_value(cur.execute(sql.REGISTRY_EXISTS)):
        try:
            version = _fetch_value(cur.execute(sql.REGISTRY_VERSION))
        except psycopg.errors.UndefinedTable:
            version = "0"
        if version != REGISTRY_VERSION:
            raise DeployFailed(
                f"the Sqitch registry is version {version}, this client writes {REGISTRY_VERSION}: "
                "deploy with `sqitch deploy`, or upgrade vestige-postgres"
            )
        return
    ddl = resources.files("vestige_client.deployer").joinpath("registry.sql").read_bytes()
    with cur.connection.transaction():
        cur.execute(ddl)
        cur.execute(sql.LOCK_CHANGES)
        cur.execute(
            sql.INSERT_RELEASE, {"version": float(REGISTRY_VERSION), "name": who.name, "email": who.email}
        )


def _register_project(cur: psycopg.Cursor[tuple[Any, ...]], plan: Plan, who: _Committer) -> None:
    row = cur.execute(sql.PROJECT_URI, {"project": plan.project}).fetchone()
    if row is None:
        params = {"project": plan.project, "uri": plan.uri, "name": who.name, "email": who.email}
        cur.execute(sql.INSERT_PROJECT, params)
    elif row[0] != plan.uri:
        raise DeployFailed(
            f"project {plan.project} is registered in this database with URI {row[0]}, "
            f"the plan says {plan.uri}: fix the %uri pragma or the sqitch.projects row"
        )


def _check_dependencies(
    cur: psycopg.Cursor[tuple[Any, ...]], plan: Plan, pending: Sequence[Change]
) -> dict[str, list[str]]:
    """Resolve each pending change's requires to change ids, or fail before deploying anything."""
    seen: set[str] = set()  # changes this run deploys before the one being checked
    missing: list[str] = []
    conflicting: list[str] = []
    resolved: dict[str, list[str]] = {}
    for change in pending:
        resolved[change.change_id] = []
        for text in change.requires:
            dependency_id = _dependency_id(cur, plan, change, text, seen)
            if dependency_id is None:
                missing.append(text)
            else:
                resolved[change.change_id].append(dependency_id)
        conflicting += [text for text in change.conflicts if _dependency_id(cur, plan, change, text, seen)]
        seen.add(change.change_id)
    problems = []
    if conflicting:
        problems.append(f"conflicts with deployed changes: {' '.join(dict.fromkeys(conflicting))}")
    if missing:
        problems.append(f"missing required changes: {' '.join(dict.fromkeys(missing))}")
    already = cur.execute(sql.ALREADY_DEPLOYED, {"change_ids": [c.change_id for c in pending]}).fetchall()
    if already:
        problems.append(f"already deployed: {', '.join(row[0] for row in already)}")
    if problems:
        raise DeployFailed(f"cannot deploy: {'; '.join(problems)}")
    return resolved


def _dependency_id(
    cur: psycopg.Cursor[tuple[Any, ...]], plan: Plan, change: Change, text: str, seen: set[str]
) -> str | None:
    """Return the id of the deployed (or about to be deployed) change `text` names, or None."""
    project, _, key = text.rpartition(":")  # a project prefix means another project's change
    if project and "@" in key:
        raise DeployFailed(
            f"change {change.name} depends on {text}, a tag of another project, which this client "
            "does not resolve: use `sqitch deploy`"
        )
    if project and not _CHANGE_ID.fullmatch(key):
        row = cur.execute(sql.EXTERNAL_CHANGE_ID, {"project": project, "change": key}).fetchone()
        return None if row is None else str(row[0])
    if _CHANGE_ID.fullmatch(key):
        dependency_id = key
    else:
        found = plan.find(key)
        if found is None:
            return None
        dependency_id = found.change_id
    if dependency_id in seen:
        return dependency_id
    deployed = _fetch_value(cur.execute(sql.CHANGE_IS_DEPLOYED, {"change_id": dependency_id}))
    return dependency_id if deployed else None


def _deploy_change(
    cur: psycopg.Cursor[tuple[Any, ...]],
    conninfo: str,
    plan: Plan,
    change: Change,
    requires: list[str],
    who: _Committer,
) -> None:
    """Run one deploy script, then record it, both under the lock on sqitch.changes."""
    with cur.connection.transaction():
        cur.execute(sql.LOCK_CHANGES)
        _run_script(conninfo, change.deploy_script)
        try:
            _record_deploy(cur, plan, change, requires, who)
        except psycopg.Error as exc:
            # The script's work is committed: undo it, as Sqitch does, then report the failure.
            try:
                _run_script(conninfo, change.revert_script)
            except _ScriptFailed as revert_failure:
                raise _ScriptFailed(
                    f"{_server_message(exc)}; its revert also failed: {revert_failure}"
                ) from exc
            raise _ScriptFailed(f"recording it failed: {_server_message(exc)}") from exc


def _record_deploy(
    cur: psycopg.Cursor[tuple[Any, ...]], plan: Plan, change: Change, requires: list[str], who: _Committer
) -> None:
    cur.execute(
        sql.INSERT_CHANGE,
        {
            "change_id": change.change_id,
            "script_hash": change.script_hash,
            "change": change.name,
            "project": plan.project,
            "note": change.note,
            "committer_name": who.name,
            "committer_email": who.email,
            "planned_at": change.planned_at,
            "planner_name": change.planner_name,
            "planner_email": change.planner_email,
        },
    )
    dependencies: list[tuple[str, str, str | None]]
    dependencies = [("require", text, dep_id) for text, dep_id in zip(change.requires, requires, strict=True)]
    dependencies += [("conflict", text, None) for text in change.conflicts]
    cur.executemany(
        sql.INSERT_DEPENDENCY,
        [
            {"change_id": change.change_id, "type": kind, "dependency": text, "dependency_id": dep_id}
            for kind, text, dep_id in dependencies
        ],
    )
    _insert_tags(cur, plan, change, who)
    cur.execute(sql.INSERT_EVENT, _event_params("deploy", plan, change, who))


def _insert_tags(cur: psycopg.Cursor[tuple[Any, ...]], plan: Plan, change: Change, who: _Committer) -> None:
    """Record the change's plan tags that the registry does not have yet."""
    cur.executemany(
        sql.INSERT_TAG,
        [
            {
                "tag_id": tag.tag_id,
                "tag": tag.name,
                "project": plan.project,
                "change_id": change.change_id,
                "note": tag.note,
                "committer_name": who.name,
                "committer_email": who.email,
                "planned_at": tag.planned_at,
                "planner_name": tag.planner_name,
                "planner_email": tag.planner_email,
            }
            for tag in change.tags
        ],
    )


def _event_params(event: str, plan: Plan, change: Change, who: _Committer) -> dict[str, object]:
    return {
        "event": event,
        "change_id": change.change_id,
        "change": change.name,
        "project": plan.project,
        "note": change.note,
        "tags": [tag.name for tag in change.tags],
        "requires": list(change.requires),
        "conflicts": list(change.conflicts),
        "committer_name": who.name,
        "committer_email": who.email,
        "planned_at": change.planned_at,
        "planner_name": change.planner_name,
        "planner_email": change.planner_email,
    }


def _revert_run(
    cur: psycopg.Cursor[tuple[Any, ...]], conninfo: str, done: Iterable[Change], who: _Committer, failure: str
) -> None:
    """Revert the changes this run deployed, newest first, logging a revert event for each."""
    for change in reversed(list(done)):
        try:
            with cur.connection.transaction():
                cur.execute(sql.LOCK_CHANGES)
                _run_script(conninfo, change.revert_script)
                params = {
                    "change_id": change.change_id,
                    "committer_name": who.name,
                    "committer_email": who.email,
                }
                cur.execute(sql.REVERT_CHANGE, params)
        except _ScriptFailed as exc:
            raise DeployFailed(
                f"{failure}; then reverting change {change.name} failed too: {exc}. The schema needs "
                "repair: see `sqitch status` and `sqitch revert`"
            ) from exc


def _run_script(conninfo: str, script: Path, *, must_commit: bool = True) -> None:
    """Run a script file in its own autocommit session, as one simple query (psql --file does)."""
    if not script.is_file():
        raise _ScriptFailed(f"script {script} is missing")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        try:
            conn.execute(script.read_bytes())
        except psycopg.Error as exc:
            raise _ScriptFailed(_server_message(exc)) from exc
        if conn.info.transaction_status != TransactionStatus.IDLE:
            conn.rollback()  # psycopg would commit it on leaving the `with`
            if must_commit:
                raise _ScriptFailed(f"{script} left a transaction open (missing COMMIT?); it was rolled back")


def _server_message(exc: psycopg.Error) -> str:
    return exc.diag.message_primary or str(exc).strip()


# --- Verify --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of verifying one change."""

    change: str
    ok: bool
    detail: str


def verify(conninfo: str, plan: Plan) -> list[VerifyResult]:
    """Run the verify script of each deployed change and report planned changes not deployed."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        cur = conn.cursor(row_factory=tuple_row)
        deployed: list[tuple[str, str]] = []
        if _fetch_value(cur.execute(sql.REGISTRY_EXISTS)):
            deployed = cur.execute(sql.DEPLOYED_CHANGES, {"project": plan.project}).fetchall()
    index = {change.change_id: i for i, change in enumerate(plan.changes)}
    results: list[VerifyResult] = []
    for position, (change_id, name) in enumerate(deployed):
        if change_id not in index:
            results.append(VerifyResult(name, False, "not present in the plan"))
            continue
        change = plan.changes[index[change_id]]
        if index[change_id] != position:
            results.append(VerifyResult(name, False, "deployed out of plan order"))
        elif not change.reworked:  # Sqitch verifies a reworked change through its latest instance only
            results.append(_verify_change(conninfo, change))
    deployed_ids = {change_id for change_id, _ in deployed}
    results += [
        VerifyResult(c.name, False, "not deployed") for c in plan.changes if c.change_id not in deployed_ids
    ]
    return results


def _verify_change(conninfo: str, change: Change) -> VerifyResult:
    """Run one verify script; whatever it leaves open is rolled back."""
    try:
        _run_script(conninfo, change.verify_script, must_commit=False)
    except _ScriptFailed as exc:
        return VerifyResult(change.name, False, str(exc))
    return VerifyResult(change.name, True, "ok")

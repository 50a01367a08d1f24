"""The dashboard's routes: sign in and out, Overview, Search, Memory (with its edits) and Graph.

Each page calls the client of the request's caller (the Gate's Identity: the API key's user, read
only for a read-only key), through the same Client methods and tool handlers as MCP and REST, so
it shows what that user's assistant sees and changes what the tools may change. Every form
carries the session's CSRF token, checked before anything runs (403 otherwise); a read-only key
gets no edit forms, and its POSTs are refused (403). Pages are Jinja2 templates with autoescape on
(a memory is untrusted text), sent with a strict Content-Security-Policy.
"""

from __future__ import annotations

import functools
import json
import mimetypes
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ParamSpec

import anyio
import jinja2
from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response

from vestige_client import tools
from vestige_client.client import Client, SearchFilters
from vestige_client.config import Settings
from vestige_client.errors import (
    CsrfRefused,
    InvalidInput,
    NotFound,
    Unauthenticated,
    VestigeError,
)
from vestige_client.models import Neighbor, RecallHit, jsonable
from vestige_client.server import problems
from vestige_client.server.auth import IDENTITY, SIGN_IN, reader, session_of, writer
from vestige_client.server.dashboard import charts
from vestige_client.server.dashboard.session import CSRF_FIELD, SessionSigner

HERE = Path(__file__).resolve().parent
STATIC_FILES = {p.name: p for p in (HERE / "static").iterdir() if p.is_file()}  # served by name only
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
VISIBILITIES = ("private", "group", "public")
RATINGS = ((1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy"))
SEARCH_LIMITS = (10, 20, 50)
CURVE_DAYS = 60
TIMELINE_DAYS = 30
LISTED = 10  # due reviews and intentions on the overview
EDGES_SHOWN = 25
DONE = {  # what a redirect after a change says (never text from the request)
    "edited": "Saved the new text.",
    "shared": "Changed who can see it.",
    "promoted": "Promoted: it proved useful.",
    "demoted": "Demoted: it was wrong or unhelpful.",
    "reviewed": "Review recorded.",
    "deleted": "Deleted.",
}

P = ParamSpec("P")
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Dashboard:
    """What the pages share: the root client (to sign in), the session signer and the settings."""

    root: Client
    sessions: SessionSigner
    settings: Settings


def dashboard_of(request: Request) -> Dashboard:
    """The app's Dashboard (build_app puts it in app.state)."""
    dashboard: Dashboard = request.app.state.dashboard
    return dashboard


# --- responses ------------------------------------------------------------------------------


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A page, with the security headers; starts a session (for the CSRF token) when there is none."""
    dashboard = dashboard_of(request)
    session = session_of(request.scope)
    fresh = session is None
    if session is None:
        session = dashboard.sessions.new(None)
    identity = request.scope["state"].get(IDENTITY)
    caller = identity.caller if identity is not None else None
    page = TEMPLATES.get_template(template).render(
        csrf=dashboard.sessions.csrf_token(session),
        csrf_field=CSRF_FIELD,
        auth=dashboard.settings.auth.enabled,
        signed_in=identity is not None,
        user=caller.handle if caller is not None else dashboard.settings.user.id,
        read_only=identity is not None and identity.read_only,
        **context,
    )
    response = HTMLResponse(page, status_code=status, headers=SECURITY_HEADERS)
    if fresh:
        response.headers["Set-Cookie"] = dashboard.sessions.set_cookie(session, _secure(request))
    return response


def redirect(target: str, cookie: str | None = None) -> Response:
    """303 See Other to a page of this site."""
    response = Response(status_code=303, headers={**SECURITY_HEADERS, "Location": target})
    if cookie is not None:
        response.headers["Set-Cookie"] = cookie
    return response


def error_page(request: Request, error: VestigeError) -> Response:
    """An error as a page: the status of its class (problems.STATUS_OF), its one-line message."""
    status = 403 if isinstance(error, CsrfRefused) else problems.status_of(error)
    return render(request, "error.html", status, code=status, message=" ".join(str(error).split()))


def page(handler: Callable[P, Response]) -> Callable[P, Response]:
    """A GET page whose VestigeError becomes an error page (the request is the first argument)."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return handler(*args, **kwargs)
        except VestigeError as exc:
            request = kwargs.get("request", args[0] if args else None)
            assert isinstance(request, Request)
            return error_page(request, exc)

    return wrapper


def safe_next(target: str | None) -> str:
    """A page of this site to go to after signing in (never another site's: no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


# --- forms ----------------------------------------------------------------------------------


def check_csrf(request: Request, form: FormData) -> None:
    """The form's token must be its session's (CsrfRefused otherwise)."""
    if not dashboard_of(request).sessions.csrf_ok(session_of(request.scope), form.get(CSRF_FIELD)):
        raise CsrfRefused()


async def change(request: Request, action: Callable[[Client, FormData], str]) -> Response:
    """A POST that changes something: CSRF and write scope checked, then the action; 303 to its page."""
    try:
        form = await request.form()
        check_csrf(request, form)
        client = writer(request)
        target = await anyio.to_thread.run_sync(action, client, form)
    except VestigeError as exc:
        return error_page(request, exc)
    return redirect(target)


def field(form: FormData, name: str) -> str:
    """A text field of a form ('' when absent)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


# --- sign in and out --------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    """The sign-in form (with auth off there is nothing to sign in to)."""
    if not dashboard_of(request).settings.auth.enabled:
        return redirect("/")
    return render(request, "login.html", next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the key with the database, then start a session holding its id (never the key)."""
    dashboard = dashboard_of(request)
    if not dashboard.settings.auth.enabled:
        return redirect("/")
    form = await request.form()
    target = safe_next(field(form, "next"))
    try:
        check_csrf(request, form)
        caller = await anyio.to_thread.run_sync(dashboard.root.authenticate, field(form, "key").strip())
    except Unauthenticated:
        error = "That key is unknown, revoked or expired: check it, or ask the operator for a new one."
        return render(request, "login.html", 401, next=target, error=error)
    except VestigeError as exc:
        return error_page(request, exc)
    session = dashboard.sessions.new(caller.key_id)  # a new nonce: a new CSRF token after signing in
    return redirect(target, dashboard.sessions.set_cookie(session, _secure(request)))


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (the key itself stays valid: revoke it with `vestige key revoke`)."""
    form = await request.form()
    try:
        check_csrf(request, form)
    except CsrfRefused as exc:
        return error_page(request, exc)
    return redirect(SIGN_IN, SessionSigner.clear_cookie(_secure(request)))


@router.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for (an SVG)."""
    return static("favicon.svg")


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The style sheet (only the files in static/, by name)."""
    files = STATIC_FILES
    if name not in files:
        return Response("not found", status_code=404, headers=SECURITY_HEADERS, media_type="text/plain")
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    headers = {**SECURITY_HEADERS, "Cache-Control": "max-age=3600"}
    return Response(files[name].read_bytes(), headers=headers, media_type=media)


# --- overview ---------------------------------------------------------------------------------


@router.get("/")
@page
def overview(request: Request, done: str = "") -> Response:
    """Counts, retention, memories per day, due reviews, intentions, the model and a reembed's progress."""
    client = reader(request)
    stats = client.stats()
    histogram: Mapping[str, int] = stats.retention_histogram or {}
    per_day = {d.day: d.memories for d in client.memory_timeline(TIMELINE_DAYS)}
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=n) for n in range(TIMELINE_DAYS - 1, -1, -1)]
    reembed = client.reembed_status()
    progress = None
    if reembed.pending_name is not None:  # running, also on an empty store (0 of 0)
        embedded = reembed.memories - (reembed.pending_missing or 0)
        progress = {"name": reembed.pending_name, "done": embedded, "of": reembed.memories}
    return render(
        request,
        "overview.html",
        done=DONE.get(done),
        stats=stats,
        by_type=sorted(stats.by_node_type.items(), key=lambda kv: (-kv[1], kv[0])),
        retention_bars=charts.bars([(k, float(v)) for k, v in histogram.items()]),
        day_bars=charts.bars([(d.strftime("%d %b"), float(per_day.get(d, 0))) for d in days]),
        timeline=[(d, per_day.get(d, 0)) for d in days if per_day.get(d)],
        health=client.health(),
        model=client.registered_model(),
        progress=progress,
        due=client.due_memories(limit=LISTED),
        intentions=client.list_intentions(["active"], limit=LISTED),
    )


# --- search -----------------------------------------------------------------------------------


def _words(text: str) -> list[str] | None:
    items = [item.strip() for item in text.split(",") if item.strip()]
    return items or None


def _day(text: str, name: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return datetime.combine(date.fromisoformat(text.strip()), datetime.min.time(), UTC)
    except ValueError:
        raise InvalidInput(f"{name} must be a date such as 2030-01-31, not {text!r}") from None


def _limit(text: str) -> int:
    if text.strip().isdigit() and int(text) in SEARCH_LIMITS:
        return int(text)
    if not text.strip():
        return SEARCH_LIMITS[0]
    raise InvalidInput(f"limit must be one of {', '.join(map(str, SEARCH_LIMITS))}")


@router.get("/search")
@page
def search(
    request: Request,
    q: str = "",
    tags: str = "",
    types: str = "",
    codebase: str = "",
    visibility: str = "",
    after: str = "",
    before: str = "",
    superseded: str = "",
    limit: str = "",
) -> Response:
    """Recall with filters; each hit with its score and the parts of it."""
    form = {
        "q": q, "tags": tags, "types": types, "codebase": codebase, "visibility": visibility,
        "after": after, "before": before, "superseded": superseded, "limit": limit,
    }  # fmt: skip
    results: list[RecallHit] | None = None
    near: list[Neighbor] = []
    count = _limit(limit)
    if q.strip():
        filters = SearchFilters(
            tags=_words(tags),
            node_types=_words(types),
            codebase=codebase.strip() or None,
            created_after=_day(after, "after"),
            created_before=_day(before, "before"),
            include_superseded=bool(superseded),
            visibility=visibility or None,
        )
        results, near = reader(request).recall_with_associations(
            q, filters, limit=count, associations=tools.ASSOCIATIONS
        )
    associations = tools.associated(near, "summary")
    return render(
        request,
        "search.html",
        form=form,
        results=results,
        associations=associations,
        visibilities=VISIBILITIES,
        limits=SEARCH_LIMITS,
    )


# --- memory -----------------------------------------------------------------------------------


def _memory_label(client: Client, memory_id: uuid.UUID) -> str | None:
    try:
        return charts.short(client.get_memory(memory_id).content, 60)
    except NotFound:
        return None


@router.get("/memories/{memory_id}")
@page
def memory(request: Request, memory_id: uuid.UUID, done: str = "") -> Response:
    """A memory: content, tags, metadata, sharing, strengths, FSRS state and curve, reviews, edges, chain."""
    client = reader(request)
    mem = client.get_memory(memory_id)
    groups = client.list_groups()
    group_names = {g.id: g.name for g in groups}
    owners = {u.id: u.handle for u in client.list_users()}
    edges = client.edges_of(memory_id)[:EDGES_SHOWN]
    labels = {e.other_id: _memory_label(client, e.other_id) for e in edges}
    own = mem.owner_user_id == client.user_id
    return render(
        request,
        "memory.html",
        m=mem,
        done=DONE.get(done),
        owner=owners.get(mem.owner_user_id, str(mem.owner_user_id)),
        own=own,
        editable=own and not client.read_only,
        shared_with=[group_names.get(g, str(g)) for g in mem.shared_with_groups],
        groups=groups,
        metadata=json.dumps(jsonable(mem.metadata), indent=2, ensure_ascii=False) if mem.metadata else "",
        scheduling=client.get_scheduling(memory_id),
        curve=charts.retention_curve(client.retention_curve(memory_id, CURVE_DAYS)),
        reviews=client.memory_reviews(memory_id, 50),
        ratings=dict(RATINGS),
        rating_choices=RATINGS,
        edges=edges,
        labels=labels,
        lineage=client.memory_lineage(memory_id),
        visibilities=VISIBILITIES,
    )


def _edit(memory_id: uuid.UUID) -> Callable[[Client, FormData], str]:
    def run(client: Client, form: FormData) -> str:
        content = field(form, "content")
        if not content.strip():
            raise InvalidInput("the new text is empty", hint="write the memory's new text, or delete it")
        tools.memory_edit(client, memory_id, content)
        return f"/memories/{memory_id}?done=edited"

    return run


def _share(memory_id: uuid.UUID) -> Callable[[Client, FormData], str]:
    def run(client: Client, form: FormData) -> str:
        visibility = field(form, "visibility")
        if visibility not in VISIBILITIES:
            raise InvalidInput("visibility must be private, group or public")
        groups = [uuid.UUID(g) for g in form.getlist("groups") if isinstance(g, str) and _is_uuid(g)]
        tools.memory_share(client, memory_id, visibility, groups)
        return f"/memories/{memory_id}?done=shared"

    return run


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _strength(memory_id: uuid.UUID, promote: bool) -> Callable[[Client, FormData], str]:
    def run(client: Client, _: FormData) -> str:
        if promote:
            tools.memory_promote(client, memory_id)
            return f"/memories/{memory_id}?done=promoted"
        tools.memory_demote(client, memory_id)
        return f"/memories/{memory_id}?done=demoted"

    return run


def _review(memory_id: uuid.UUID) -> Callable[[Client, FormData], str]:
    def run(client: Client, form: FormData) -> str:
        rating = field(form, "rating")
        if rating not in {str(r) for r, _ in RATINGS}:
            raise InvalidInput("rating must be 1 (again), 2 (hard), 3 (good) or 4 (easy)")
        tools.review(client, memory_id, int(rating))
        return f"/memories/{memory_id}?done=reviewed"

    return run


def _delete(memory_id: uuid.UUID) -> Callable[[Client, FormData], str]:
    def run(client: Client, form: FormData) -> str:
        tools.memory_delete(client, memory_id, confirm=field(form, "confirm") == "yes")
        return "/?done=deleted"

    return run


@router.post("/memories/{memory_id}/edit")
async def edit_memory(request: Request, memory_id: uuid.UUID) -> Response:
    """New text for an own memory (embedded again; the review schedule is kept)."""
    return await change(request, _edit(memory_id))


@router.post("/memories/{memory_id}/share")
async def share_memory(request: Request, memory_id: uuid.UUID) -> Response:
    """Who may see an own memory."""
    return await change(request, _share(memory_id))


@router.post("/memories/{memory_id}/promote")
async def promote_memory(request: Request, memory_id: uuid.UUID) -> Response:
    """Strengthen an own memory."""
    return await change(request, _strength(memory_id, promote=True))


@router.post("/memories/{memory_id}/demote")
async def demote_memory(request: Request, memory_id: uuid.UUID) -> Response:
    """Weaken an own memory."""
    return await change(request, _strength(memory_id, promote=False))


@router.post("/memories/{memory_id}/review")
async def review_memory(request: Request, memory_id: uuid.UUID) -> Response:
    """An FSRS review of an own memory."""
    return await change(request, _review(memory_id))


@router.get("/memories/{memory_id}/delete")
@page
def confirm_delete(request: Request, memory_id: uuid.UUID) -> Response:
    """The confirmation step before deleting."""
    mem = reader(request).get_memory(memory_id)
    return render(request, "delete.html", m=mem, editable=mem.owner_user_id == reader(request).user_id)


@router.post("/memories/{memory_id}/delete")
async def delete_memory(request: Request, memory_id: uuid.UUID) -> Response:
    """Delete an own memory, once confirmed."""
    return await change(request, _delete(memory_id))


# --- graph ------------------------------------------------------------------------------------


@router.get("/graph/{memory_id}")
@page
def graph(request: Request, memory_id: uuid.UUID, depth: int = 2) -> Response:
    """The neighbourhood of a memory by spreading activation, drawn; each memory links on."""
    client = reader(request)
    start = client.get_memory(memory_id)
    neighbors = client.neighbors(memory_id, depth=depth)
    layout = charts.neighbourhood(memory_id, start.content, neighbors)
    return render(request, "graph.html", m=start, depth=depth, layout=layout, neighbors=neighbors)


def rows(items: Sequence[Any]) -> int:
    """How many (for templates)."""
    return len(items)


TEMPLATES.globals.update(chart=charts, rows=rows, rating_name=dict(RATINGS).get)

"""Who is calling `vestige serve`, and how often: the Gate in front of every route.

Per request, in this order: a request that does not come from this machine is refused when auth
is off (so a web page cannot reach the server through DNS rebinding); a body larger than
[server] max_body_bytes gets 413; on /mcp and /api/v1/ (but for the public paths), the API key
(`Authorization: Bearer` or `X-API-Key`) is authenticated by the database (`Client.authenticate`,
one SQL call) and the request runs with `root.as_user(caller)`, a Client of the key's user
(read-only for a read-only key); each key draws from its own token bucket (429 with Retry-After);
the request gets [server] request_timeout seconds (504). Every request is logged with the key's
id, never the key.

Every other path is the dashboard's, which never takes a key in a header: its identity is the
signed session cookie (dashboard/session.py), whose key id the database checks on every request
(`Client.authenticate_key_id`, one SQL call: a revoked or expired key ends the session); without
a valid session a page redirects to /login. A cookie never authenticates /mcp or /api/v1/ (a
browser would send it with any cross-site request). With auth off, the dashboard runs as the
configured user, like the API.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from urllib.parse import urlencode

import anyio
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vestige_client.client import Client
from vestige_client.config import Settings
from vestige_client.errors import ReadOnlyKey, Unauthenticated, VestigeError
from vestige_client.models import Caller
from vestige_client.server.dashboard.session import Session, SessionSigner, cookie_of
from vestige_client.server.problems import error_problem, problem

log = logging.getLogger("vestige.serve")

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/api/v1/openapi.json", "/api/v1/docs"})
API_PREFIXES = ("/mcp", "/api/v1")  # authenticated by a key in a header only
DASHBOARD_PUBLIC = ("/login", "/static", "/favicon.ico")  # the sign-in page, style sheet and icon
IDENTITY = "vestige.identity"  # the key of a request's Identity in the ASGI scope's state
SESSION = "vestige.session"  # the key of a dashboard request's Session (or None) in the scope's state
SIGN_IN = "/login"
NO_KEY = (
    "no API key: send the header Authorization: Bearer <key> or X-API-Key: <key> "
    "(an operator creates keys with `vestige key create`)"
)


@dataclass(frozen=True)
class Identity:
    """Who a request runs as: the client to call, and the key's caller (None when auth is off)."""

    client: Client
    caller: Caller | None

    @property
    def read_only(self) -> bool:
        """Whether the key may only read."""
        return self.caller is not None and self.caller.read_only


def identity_of(scope: Scope) -> Identity:
    """The Identity the Gate gave this request."""
    identity: Identity = scope["state"][IDENTITY]
    return identity


def reader(request: Request) -> Client:
    """The client of the request's caller (REST and dashboard)."""
    return identity_of(request.scope).client


def writer(request: Request) -> Client:
    """The client of the request's caller, who must hold a key with the write scope (ReadOnlyKey)."""
    identity = identity_of(request.scope)
    if identity.read_only:
        raise ReadOnlyKey()
    return identity.client


def session_of(scope: Scope) -> Session | None:
    """The dashboard session the Gate read from this request's cookie (None: none, or not valid)."""
    session: Session | None = scope["state"].get(SESSION)
    return session


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)


def is_api(path: str) -> bool:
    """Whether a path is MCP's or the REST API's (a key in a header, never a cookie)."""
    return _under(path, API_PREFIXES)


def is_dashboard_public(path: str) -> bool:
    """Whether a path is the dashboard's and needs no session (sign-in page, static files)."""
    return _under(path, DASHBOARD_PUBLIC)


def presented_key(headers: Headers) -> str | None:
    """The key a request presents: `Authorization: Bearer <key>`, else `X-API-Key: <key>`, else None."""
    scheme, _, credentials = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return headers.get("x-api-key", "").strip() or None


def is_loopback(host: str) -> bool:
    """Whether a host (maybe with a port, as in a Host header) is a loopback address or `localhost`."""
    if host.startswith("["):  # [::1]:8077
        name = host[1:].partition("]")[0]
    elif host.count(":") == 1:  # 127.0.0.1:8077, localhost:8077
        name = host.partition(":")[0]
    else:  # ::1, or a name without a port
        name = host
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute on average, at most `burst` at once.

    In process (one `vestige serve` holds every bucket); per_minute 0 turns it off.
    """

    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}

    def wait(self, key: Hashable) -> float:
        """0 when the request may go on (it takes a token), else the seconds until a token is back."""
        if self._rate == 0:
            return 0.0
        now = self._clock()
        tokens, then = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - then) * self._rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self._rate


class Gate:
    """The ASGI middleware in front of every route (see the module's docstring)."""

    def __init__(
        self, app: ASGIApp, root: Client, settings: Settings, sessions: SessionSigner | None = None
    ) -> None:
        self.app = app
        self.root = root
        self.sessions = sessions or SessionSigner.from_settings(settings.server)
        self.auth = settings.auth.enabled
        self.max_body = settings.server.max_body_bytes
        self.timeout = settings.server.request_timeout
        self.origins = frozenset(settings.server.cors_origins)
        self.limiter = RateLimiter(settings.auth.rate_limit, settings.auth.rate_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(receive, send, self.max_body)
        identity: Identity | None = None
        try:
            headers = Headers(scope=scope)
            path = scope["path"]
            refusal = self._refusal(headers)
            if refusal is None and is_api(path) and path not in PUBLIC_PATHS:
                refusal, identity = await self._identify(headers)
            elif refusal is None and not is_api(path) and path not in PUBLIC_PATHS:
                session = self.sessions.loads(cookie_of(headers.get("cookie", "")))
                scope.setdefault("state", {})[SESSION] = session
                if not is_dashboard_public(path):
                    refusal, identity = await self._identify_session(scope, session)
            if refusal is not None:
                await refusal(scope, receive, exchange.send)
            else:
                scope.setdefault("state", {})[IDENTITY] = identity
                await self._run(scope, exchange)
        finally:
            caller = identity.caller if identity is not None else None
            log.info(
                "%s %s %d %.1f ms key %s",
                scope["method"],
                scope["path"],
                exchange.status,
                exchange.elapsed_ms(),
                caller.key_id if caller is not None else "-",
            )

    def _refusal(self, headers: Headers) -> Response | None:
        """The answer to a request refused before its key is looked at, or None."""
        if not self.auth:
            origin = headers.get("origin")
            foreign = origin is not None and origin not in self.origins and not _loopback_origin(origin)
            if foreign or not is_loopback(headers.get("host", "")):
                return problem(
                    403, "with [auth] enabled = false this server answers only requests from this machine"
                )
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return _too_large(self.max_body)
        return None

    async def _identify(self, headers: Headers) -> tuple[Response | None, Identity | None]:
        """(None, the caller's Identity), or (the refusal, None): 401, 403, 429 or a database error."""
        if not self.auth:
            identity = Identity(self.root, None)
        else:
            key = presented_key(headers)
            if key is None:
                return problem(401, NO_KEY, headers={"WWW-Authenticate": 'Bearer realm="vestige"'}), None
            try:
                caller = await anyio.to_thread.run_sync(self.root.authenticate, key)
            except VestigeError as exc:
                return error_problem(exc), None
            identity = Identity(self.root.as_user(caller.user_id, read_only=caller.read_only), caller)
        return self._limited(identity), identity

    async def _identify_session(
        self, scope: Scope, session: Session | None
    ) -> tuple[Response | None, Identity | None]:
        """A dashboard request's Identity from its session, or (a redirect to sign in, None)."""
        if not self.auth:
            identity = Identity(self.root, None)
        elif session is None or session.key_id is None:
            return _sign_in(scope, False), None
        else:
            try:
                caller = await anyio.to_thread.run_sync(self.root.authenticate_key_id, session.key_id)
            except Unauthenticated:
                return _sign_in(scope, True), None
            except VestigeError as exc:
                return error_problem(exc), None
            identity = Identity(self.root.as_user(caller.user_id, read_only=caller.read_only), caller)
        return self._limited(identity), identity

    def _limited(self, identity: Identity) -> Response | None:
        """429 when the identity's key has no token left, else None (it took one)."""
        bucket: uuid.UUID | None = identity.caller.key_id if identity.caller is not None else None
        wait = self.limiter.wait(bucket)
        if wait > 0:
            seconds = math.ceil(wait)
            detail = f"too many requests for this key: try again in {seconds} s ([auth] rate_limit)"
            return problem(429, detail, headers={"Retry-After": str(seconds)})
        return None

    async def _run(self, scope: Scope, exchange: _Exchange) -> None:
        """Run the app within the body limit and the request timeout."""
        try:
            with anyio.fail_after(self.timeout):
                await self.app(scope, exchange.receive, exchange.guarded_send)
        except TimeoutError:
            if not exchange.started:
                detail = f"the request took longer than {self.timeout:g} s ([server] request_timeout)"
                await problem(504, detail)(scope, exchange.receive, exchange.send)
            return
        except Exception:
            if not exchange.overflow:  # the app's reaction to the cut body (a disconnect) is no error
                raise
        if exchange.overflow and not exchange.started:
            await _too_large(self.max_body)(scope, exchange.receive, exchange.send)


class _Exchange:
    """One request's receive and send: the body counted against the limit, the status recorded.

    Past the limit the app reads a disconnect and whatever it answers is dropped: the Gate sends 413.
    """

    def __init__(self, receive: Receive, send: Send, limit: int) -> None:
        self._receive, self._send, self._limit = receive, send, limit
        self._began = time.perf_counter()
        self.received = 0
        self.overflow = False
        self.started = False
        self.status = 0

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self._limit:
                self.overflow = True
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started, self.status = True, message["status"]
        await self._send(message)

    async def guarded_send(self, message: Message) -> None:
        if not self.overflow:
            await self.send(message)

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self._began) * 1000


def _sign_in(scope: Scope, clear: bool) -> Response:
    """303 to the sign-in page (back to this page after it, for a GET); `clear` ends the cookie."""
    target = SIGN_IN
    if scope["method"] in ("GET", "HEAD") and scope["path"] != "/":
        query = scope.get("query_string", b"").decode("latin-1")
        target += "?" + urlencode({"next": scope["path"] + (f"?{query}" if query else "")})
    headers = {"Location": target, "Cache-Control": "no-store"}
    response = Response(status_code=303, headers=headers)
    if clear:
        response.headers["Set-Cookie"] = SessionSigner.clear_cookie(scope.get("scheme") == "https")
    return response


def _loopback_origin(origin: str) -> bool:
    scheme, _, host = origin.partition("://")
    return scheme in ("http", "https") and is_loopback(host)


def _too_large(limit: int) -> Response:
    return problem(413, f"the request body is larger than {limit} bytes ([server] max_body_bytes)")

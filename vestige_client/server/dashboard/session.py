"""The dashboard's session: a signed cookie holding an API key's id and an expiry, never the key.

The cookie is `base64url(JSON) "." base64url(HMAC-SHA256)` under the server's secret ([server]
session_secret, else a random one per process: sessions end when it restarts). It names the key's
id (None before signing in, and when [auth] enabled = false), when the session ends, and a random
nonce from which the session's CSRF token is derived (an HMAC of it, so a token belongs to one
session). A cookie whose signature does not match, or that has expired, is no session. Whether the
key still holds is the database's to say, on every request (auth.py's Gate).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from vestige_client.config import ServerSettings

COOKIE = "vestige_session"
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class Session:
    """One browser's session: the key it signed in with (None: not signed in), its end and nonce."""

    key_id: uuid.UUID | None
    expires: int  # Unix time
    nonce: str


class SessionSigner:
    """Makes, signs and reads session cookies, and derives and checks their CSRF tokens."""

    def __init__(self, secret: bytes, lifetime: float, clock: Callable[[], float] = time.time) -> None:
        self._signing = hmac.new(secret, b"vestige dashboard session", hashlib.sha256).digest()
        self._csrf = hmac.new(secret, b"vestige dashboard csrf", hashlib.sha256).digest()
        self.lifetime = int(lifetime)
        self._clock = clock

    @classmethod
    def from_settings(cls, server: ServerSettings) -> SessionSigner:
        """The signer of [server] session_secret, or of a random secret for this process."""
        secret = server.session_secret.encode() if server.session_secret else secrets.token_bytes(32)
        return cls(secret, server.session_lifetime)

    def new(self, key_id: uuid.UUID | None) -> Session:
        """A fresh session (a new nonce, so a new CSRF token) ending `lifetime` seconds from now."""
        return Session(key_id, int(self._clock()) + self.lifetime, secrets.token_urlsafe(16))

    def dumps(self, session: Session) -> str:
        """The cookie's value."""
        body = {
            "k": str(session.key_id) if session.key_id else None,
            "e": session.expires,
            "n": session.nonce,
        }
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{_b64(self._sign(payload))}"

    def loads(self, value: str | None) -> Session | None:
        """The session of a cookie's value; None when it is missing, forged, tampered with or expired."""
        if not value or value.count(".") != 1:
            return None
        payload, signature = value.split(".")
        try:
            if not hmac.compare_digest(_unb64(signature), self._sign(payload)):
                return None
            body = json.loads(_unb64(payload))
            session = Session(uuid.UUID(body["k"]) if body["k"] else None, int(body["e"]), str(body["n"]))
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
        return session if session.expires > self._clock() else None

    def csrf_token(self, session: Session) -> str:
        """The CSRF token of a session, for its forms."""
        return hmac.new(self._csrf, session.nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: Session | None, token: object) -> bool:
        """Whether a form's token is its session's."""
        if session is None or not isinstance(token, str):
            return False
        return hmac.compare_digest(token.encode(), self.csrf_token(session).encode())

    def set_cookie(self, session: Session, secure: bool) -> str:
        """The Set-Cookie header of a session: HttpOnly, SameSite=Strict, Path=/, Secure over https."""
        max_age = max(session.expires - int(self._clock()), 0)
        flags = "; Secure" if secure else ""
        return f"{COOKIE}={self.dumps(session)}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Strict{flags}"

    @staticmethod
    def clear_cookie(secure: bool) -> str:
        """The Set-Cookie header that ends the session in the browser."""
        flags = "; Secure" if secure else ""
        return f"{COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict{flags}"

    def _sign(self, payload: str) -> bytes:
        return hmac.new(self._signing, payload.encode(), hashlib.sha256).digest()


def cookie_of(cookie_header: str) -> str | None:
    """The session cookie's value in a Cookie header (the first one), or None."""
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

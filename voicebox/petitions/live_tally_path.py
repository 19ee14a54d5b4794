"""The live tally's short path: the hottest read answered before Flask's request machinery.

Every open petition page polls `GET /petitions/<id>/tally`. Through Flask a poll costs a
request context, the session and Flask-Login's ORM user load, the limiter's bookkeeping and
the after-request hooks -- five times the work of a bare hello. This path keeps every check
the normal one makes and skips only the machinery:

- the session cookie's signature and age are checked with the app's own serializer;
- the account is found by the cookie's session token, so a signed-out (rotated) cookie fails;
- the answer carries exactly the normal path's body and headers (a test compares the two).

Anything else -- no or bad cookie, an unknown token, a draft or missing petition, another
method, a query string, a database error -- goes to the normal path, which then answers
(a redirect to sign in, a 404, a 503) exactly as it always has. Nothing here writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from http.cookies import CookieError, SimpleCookie
from typing import Any

from flask import Flask
from itsdangerous import BadSignature
from sqlalchemy import bindparam, exists, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from voicebox.models import InstanceSettings, Petition, PetitionStatus, User
from voicebox.petitions.figures import LiveTally
from voicebox.security import BASE_HEADERS, HSTS

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
TALLY_PATH = re.compile(r"/petitions/([A-Za-z0-9_-]{1,64})/tally")

_HEADCOUNT = select(InstanceSettings.headcount).where(InstanceSettings.id == 1).scalar_subquery()
# One round trip: the tally, and whether the cookie's session token still names an account.
_TALLY_FOR_SESSION = select(Petition.signature_count, Petition.goal, Petition.status, _HEADCOUNT).where(
    Petition.id == bindparam("petition_id"),
    Petition.status != PetitionStatus.DRAFT.value,
    exists().where(User.session_token == bindparam("token")),
)


class LiveTallyPath:
    """WSGI middleware answering a signed-in member's tally poll; everything else passes through."""

    def __init__(self, app: Flask, inner: WSGIApp, engine: Callable[[], Engine]) -> None:
        self._app = app
        self._inner = inner
        self._engine = engine
        self._serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        self._cookie = str(app.config["SESSION_COOKIE_NAME"])
        self._max_age = int(app.permanent_session_lifetime.total_seconds())
        self._https = bool(app.config.get("SESSION_COOKIE_SECURE"))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING"):
            found = TALLY_PATH.fullmatch(environ.get("PATH_INFO", ""))
            if found is not None:
                answer = self._answer(found.group(1), environ.get("HTTP_COOKIE", ""))
                if answer is not None:
                    start_response("200 OK", self._headers(len(answer)))
                    return [answer]
        return self._inner(environ, start_response)

    def _session_token(self, cookie_header: str) -> str | None:
        if not cookie_header or self._serializer is None:
            return None
        try:
            morsel = SimpleCookie(cookie_header).get(self._cookie)
        except CookieError:
            return None
        if morsel is None:
            return None
        try:
            session = self._serializer.loads(morsel.value, max_age=self._max_age)
        except BadSignature:  # tampered, or older than the session lifetime
            return None
        token = session.get("_user_id") if isinstance(session, dict) else None
        return token if isinstance(token, str) and token else None

    def _answer(self, petition_id: str, cookie_header: str) -> bytes | None:
        token = self._session_token(cookie_header)
        if token is None:
            return None
        self._start_background()
        try:
            with self._engine().connect() as connection:
                params = {"petition_id": petition_id, "token": token}
                row = connection.execute(_TALLY_FOR_SESSION, params).first()
        except SQLAlchemyError:
            return None  # the normal path answers the outage (503) as it always does
        if row is None:
            return None
        return self._json(LiveTally(*row).as_json())

    def _json(self, payload: dict[str, object]) -> bytes:
        # Formatted as Flask's jsonify formats it (compact unless debugging), byte for byte.
        provider = self._app.json
        compact = provider.compact or (provider.compact is None and not self._app.debug)  # type: ignore[attr-defined]
        body = json.dumps(
            payload,
            ensure_ascii=provider.ensure_ascii,  # type: ignore[attr-defined]
            sort_keys=provider.sort_keys,  # type: ignore[attr-defined]
            indent=None if compact else 2,
            separators=(",", ":") if compact else (", ", ": "),
        )
        return (body + "\n").encode()

    def _start_background(self) -> None:
        # The normal path starts this process's counting thread on its first request.
        from voicebox.tick import ensure_background

        ensure_background(self._app)

    def _headers(self, length: int) -> list[tuple[str, str]]:
        headers = [("Content-Type", "application/json"), ("Content-Length", str(length))]
        headers += list(BASE_HEADERS.items())
        headers += [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
        if self._https:
            headers.append(("Strict-Transport-Security", HSTS))
        headers.append(("Vary", "Cookie"))
        return headers


def install_live_tally_path(app: Flask) -> None:
    """Put the short path in front of the app (after every other WSGI middleware is in place)."""
    from voicebox.extensions import db

    found: list[Engine] = []

    def engine() -> Engine:
        if not found:
            with app.app_context():
                found.append(db.engine)
        return found[0]

    app.wsgi_app = LiveTallyPath(app, app.wsgi_app, engine)  # type: ignore[method-assign]

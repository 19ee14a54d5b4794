"""Short read paths: the hottest signed-in reads, answered before Flask's request machinery.

Every open petition page polls `GET /petitions/<id>/tally`, and API clients read
`GET /api/v1/petitions/<id>`. Through Flask either costs a request context, the session
and Flask-Login's ORM user load, the limiter's bookkeeping and the after-request hooks --
several times the work of a bare hello. These paths keep every check the normal one makes
and skip only the machinery:

- the session cookie's signature and age are checked as Flask checks them, with the app's
  own serializer (voicebox/session_cookie.py);
- the account is found by the cookie's session token in the same single query as the
  answer, so a signed-out (rotated) cookie fails at once;
- the answer carries exactly the normal path's body and headers (tests compare the two).
  The API body is the one the normal path cached, under the same key (api/service.py);
  it is never built here.

Anything else -- no or bad cookie, an unknown token, an Authorization header, a draft or
missing petition, an API body not cached yet, another method, a query string, a database
error -- goes to the normal path, which then answers (a redirect to sign in, a 401, a 404,
a 503) exactly as it always has. Nothing here writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Flask
from sqlalchemy import Connection, bindparam, exists, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import Select

from voicebox.api import service as api
from voicebox.models import InstanceSettings, Petition, PetitionStatus, User
from voicebox.page_cache import LruCache
from voicebox.petitions.figures import LiveTally
from voicebox.petitions.page import CACHE_KEY
from voicebox.security import BASE_HEADERS, HSTS
from voicebox.session_cookie import SessionTokens

PER_REQUEST = ("petition_id", "token")
TALLY_BODIES = 1024
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_ID = r"([A-Za-z0-9_-]{1,64})"
TALLY_PATH = re.compile(rf"/petitions/{_ID}/tally")
API_PETITION_PATH = re.compile(rf"/api/v1/petitions/{_ID}")

_SIGNED_IN = exists().where(User.session_token == bindparam("token"))
_HEADCOUNT = select(InstanceSettings.headcount).where(InstanceSettings.id == 1).scalar_subquery()
# One round trip each: the answer, and whether the cookie's session token still names an account.
TALLY_FOR_SESSION = select(Petition.signature_count, Petition.goal, Petition.status, _HEADCOUNT).where(
    Petition.id == bindparam("petition_id"), Petition.status != PetitionStatus.DRAFT.value, _SIGNED_IN
)
DOCUMENT_KEY_FOR_SESSION = (
    select(*api.DOCUMENT_KEY_COLUMNS)
    .outerjoin(InstanceSettings, InstanceSettings.id == 1)
    .where(Petition.id == bindparam("petition_id"), Petition.status.in_(api.LISTED_STATUSES), _SIGNED_IN)
)


class DriverStatement:
    """A SELECT compiled once for one engine and run straight on a pooled DBAPI cursor.

    SQLAlchemy's per-execute machinery (connection wrapper, compiled-cache lookup, result
    object) costs more than the short paths' other work together. The pool checkout is
    kept (with its pre-ping and connect-time setup), values are converted as SQLAlchemy
    converts them (e.g. SQLite's dates), and the compiled statement carries the driver's
    parameter style, so SQLite and psycopg both work.
    """

    def __init__(self, statement: Select[Any], engine: Engine) -> None:
        dialect = engine.dialect
        # Placeholders for the per-request values, so that IN lists can be rendered.
        compiled = statement.params(dict.fromkeys(PER_REQUEST)).compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True}
        )
        if any(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in compiled.binds.values()):
            raise ValueError("a parameter needs converting; run this statement through SQLAlchemy")
        self._engine = engine
        self._sql = compiled.string
        self._values = compiled.construct_params()
        self._order = compiled.positiontup if compiled.positional else None
        self._convert = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ]
        self._error: type[Exception] = dialect.loaded_dbapi.Error

    def first(self, **values: object) -> Sequence[Any] | None:
        """The first row for these parameters, None when there is none or the database fails."""
        try:
            connection = self._engine.raw_connection()
        except (SQLAlchemyError, self._error):
            return None  # the normal path answers the outage (503) as it always does
        try:
            return self._first_on(connection, values)
        except self._error:
            connection.invalidate()  # as SQLAlchemy would after a disconnect; a fresh one next time
            return None
        finally:
            connection.close()  # back to the pool, rolled back

    def first_in(self, connection: Connection, **values: object) -> Sequence[Any] | None:
        """The first row for these parameters inside `connection`'s transaction, or None.

        Raises the driver's error, which the caller's unit of work rolls back.
        """
        return self._first_on(connection.connection, values)

    def _first_on(self, connection: Any, values: dict[str, object]) -> Sequence[Any] | None:
        params: Any = {**self._values, **values}
        if self._order is not None:
            params = [params[name] for name in self._order]
        cursor = connection.cursor()
        try:
            cursor.execute(self._sql, params)
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        pairs = zip(self._convert, row, strict=True)
        return [value if convert is None else convert(value) for convert, value in pairs]

    @property
    def driver_error(self) -> type[Exception]:
        """The driver's base error class (not wrapped by SQLAlchemy on this path)."""
        return self._error


class ShortReads:
    """WSGI middleware answering signed-in members' tally polls and cached API petition reads."""

    def __init__(self, app: Flask, inner: WSGIApp, engine: Callable[[], Engine]) -> None:
        self._app = app
        self._inner = inner
        self._engine = engine
        self._statements: dict[Select[Any], DriverStatement] = {}
        self._tally_bodies: dict[tuple[Any, ...], bytes] = {}
        self._tokens = app_session_tokens(app)
        # Formatted as Flask's jsonify formats it (compact unless debugging), byte for byte.
        provider: Any = app.json
        compact = provider.compact or (provider.compact is None and not app.debug)
        self._encoder = json.JSONEncoder(
            ensure_ascii=provider.ensure_ascii,
            sort_keys=provider.sort_keys,
            indent=None if compact else 2,
            separators=(",", ":") if compact else (", ", ": "),
            default=provider.default,
        )
        # After the length, in the order Flask's response and after-request hooks add them.
        headers = [*BASE_HEADERS.items(), ("Cache-Control", "no-store"), ("Pragma", "no-cache")]
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.append(("Strict-Transport-Security", HSTS))
        self._headers = [*headers, ("Vary", "Cookie")]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        answer = None
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING"):
            path = environ.get("PATH_INFO", "")
            if (found := TALLY_PATH.fullmatch(path)) is not None:
                answer = self._tally(found.group(1), environ)
            # A bearer token is checked by the normal path (hashing, scopes, revocation).
            elif (found := API_PETITION_PATH.fullmatch(path)) and "HTTP_AUTHORIZATION" not in environ:
                answer = self._api_petition(found.group(1), environ)
        if answer is None:
            return self._inner(environ, start_response)
        length = ("Content-Length", str(len(answer)))
        start_response("200 OK", [("Content-Type", "application/json"), length, *self._headers])
        return [answer]

    def _token(self, environ: dict[str, Any]) -> str | None:
        if self._tokens is None:
            return None
        token = self._tokens.token(environ.get("HTTP_COOKIE", ""))
        if token is not None:
            # The normal path starts this process's counting thread on its first request.
            from voicebox.tick import ensure_background

            ensure_background(self._app)
        return token

    def _row(self, statement: Select[Any], petition_id: str, environ: dict[str, Any]) -> Sequence[Any] | None:
        token = self._token(environ)
        if token is None:
            return None
        found = self._statements.get(statement)
        if found is None:
            found = self._statements[statement] = DriverStatement(statement, self._engine())
        return found.first(petition_id=petition_id, token=token)

    def _tally(self, petition_id: str, environ: dict[str, Any]) -> bytes | None:
        row = self._row(TALLY_FOR_SESSION, petition_id, environ)
        if row is None:
            return None
        # The body is a function of the row alone, and every member polls the same few rows:
        # encoding it (about a sixth of a poll) once per distinct row is enough.
        figures = tuple(row)
        body = self._tally_bodies.get(figures)
        if body is None:
            if len(self._tally_bodies) >= TALLY_BODIES:
                self._tally_bodies.clear()
            body = (self._encoder.encode(LiveTally(*row).as_json()) + "\n").encode()
            self._tally_bodies[figures] = body
        return body

    def _api_petition(self, petition_id: str, environ: dict[str, Any]) -> bytes | None:
        row = self._row(DOCUMENT_KEY_FOR_SESSION, petition_id, environ)
        if row is None:
            return None
        caches: dict[str, LruCache[bytes]] = self._app.extensions.get(CACHE_KEY, {})
        cache = caches.get(api.DOCUMENT_CACHE)
        return cache.get(api.document_key(row)) if cache is not None else None


_SESSION_TOKENS = "voicebox.session_tokens"


def app_session_tokens(app: Flask) -> SessionTokens | None:
    """The one session-cookie reader the app's short paths share (None without a secret key).

    Shared, so that a cookie verified for a member's page view is remembered when they sign,
    and each worker holds one bounded set of verified cookies, not one per path.
    """
    if _SESSION_TOKENS not in app.extensions:
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        tokens = None
        if serializer is not None:
            lifetime = int(app.permanent_session_lifetime.total_seconds())
            tokens = SessionTokens(serializer, str(app.config["SESSION_COOKIE_NAME"]), lifetime)
        app.extensions[_SESSION_TOKENS] = tokens
    found: SessionTokens | None = app.extensions[_SESSION_TOKENS]
    return found


def answers_without_flask(app: Flask) -> bool:
    """Whether a short path can answer as Flask would: not when Flask re-sends the session
    cookie on every request (SESSION_REFRESH_EACH_REQUEST), which a short path never does."""
    return not app.config.get("SESSION_REFRESH_EACH_REQUEST", True)


def lazy_engine(app: Flask) -> Callable[[], Engine]:
    """The app's engine, found on first use: after gunicorn's fork, never across it."""
    from voicebox.extensions import db

    found: list[Engine] = []

    def engine() -> Engine:
        if not found:
            with app.app_context():
                found.append(db.engine)
        return found[0]

    return engine


def install_short_reads(app: Flask) -> None:
    """Put the short paths in front of the app (after every other WSGI middleware is in place)."""
    if not answers_without_flask(app):
        return
    app.wsgi_app = ShortReads(app, app.wsgi_app, lazy_engine(app))  # type: ignore[method-assign]

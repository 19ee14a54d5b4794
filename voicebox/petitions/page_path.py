"""The petition page's short path: a framed page served before Flask's request machinery.

On launch day every member opens the petition page, signs, and opens it again. Through
Flask a view costs the request context, the session, Flask-Login's ORM user load, the
limiter's bookkeeping and the after-request hooks -- more than the page itself once it is
framed (voicebox.page_frame). This path keeps every check the normal one makes and answers
only when the normal path would answer with a frame it has already built:

- after signing, the page shows "Thank you for signing." once and deletes its cookie, as the
  view does, with the thanks as the view last rendered it in the page's language (until the
  view has, the request goes to it);
- the session cookie's signature and age are checked as Flask checks them
  (voicebox.session_cookie, shared with the short read paths), and
  the session holds nothing but the sign-in, the CSRF secret, the permanence flag and the
  home page's visit days (a flash to show, or any other key, goes to Flask, which may
  change the session);
- the account is found by the cookie's session token, so a signed-out cookie fails;
- the petition is open or closed (drafts and rejected drafts carry forms of their own);
- the member's standing is computed as the view computes it, by the same function;
- the frame is looked up under exactly the view's key, and only a frame whose holes are
  the CSRF token, the member's name and the (here empty) messages is served (moderators'
  pages carry panels with forms of their own); the token is made as Flask-WTF makes it,
  from the session's secret;
- the answer carries exactly the normal path's headers (a test compares the two).

Anything else -- no frame yet, another method, a query string, a database or key-store
error -- goes to Flask, which answers as it always has and builds the frame. Nothing here
writes: not the database, not the session.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from markupsafe import escape
from sqlalchemy import bindparam, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from voicebox.i18n import LANGUAGE_COOKIE, language_for
from voicebox.keystore import KeyStoreError
from voicebox.models import PARTICIPANT_ROLES, InstanceSettings, Petition, PetitionStatus, User
from voicebox.page_cache import LruCache
from voicebox.page_frame import Frame
from voicebox.petitions.page import CACHE_KEY, FRAME_CACHE, THANKS_CACHE, version_key
from voicebox.petitions.service import PetitionStanding, standing_in
from voicebox.petitions.views import THANKS_COOKIE, thanks_cleared_cookie
from voicebox.security import BASE_HEADERS, HSTS
from voicebox.session_cookie import cookie_value
from voicebox.short_reads import answers_without_flask, app_session_tokens, lazy_engine
from voicebox.web import today

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PAGE_PATH = re.compile(r"/petitions/([A-Za-z0-9_-]{1,64})")
# A signed-in session as sign-in and the home page leave it ("visits" is the home page's own);
# any other key may make Flask change the session, so its request goes to Flask.
PLAIN_SESSION_KEYS = frozenset({"_user_id", "_fresh", "_permanent", "csrf_token", "visits"})
FRAME_HOLES = frozenset({"csrf", "username", "flashes"})
PARTICIPANTS = frozenset(str(role) for role in PARTICIPANT_ROLES)

# One round trip: the reader by session token, the petition's page columns, the settings.
_READER_AND_PAGE = (
    select(
        User.id.label("member_id"),
        User.role.label("member_role"),
        User.username,
        Petition.id,
        Petition.page_version,
        Petition.status,
        Petition.title,
        Petition.body,
        Petition.goal,
        Petition.closes_on,
        Petition.opened_on,
        Petition.closed_on,
        Petition.signature_count,
        Petition.cosponsor_count,
        Petition.rejected_reason,
        Petition.author_nullifier,
        InstanceSettings.headcount,
        InstanceSettings.small_group_threshold,
        InstanceSettings.cosponsors_needed,
    )
    .select_from(User)
    .join(Petition, true())
    .join(InstanceSettings, true())
    .where(
        User.session_token == bindparam("token"),
        Petition.id == bindparam("petition_id"),
        Petition.status.in_((PetitionStatus.OPEN.value, PetitionStatus.CLOSED.value)),
        InstanceSettings.id == 1,
    )
)


class PetitionPagePath:
    """WSGI middleware serving a signed-in member's framed petition page; all else passes."""

    def __init__(self, app: Flask, inner: WSGIApp, engine: Callable[[], Engine]) -> None:
        self._app = app
        self._inner = inner
        self._engine = engine
        self._sessions = app_session_tokens(app)
        self._https = bool(app.config.get("SESSION_COOKIE_SECURE"))
        secret: str | bytes = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key or b""
        self._csrf = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")  # as Flask-WTF signs it

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING"):
            found = PAGE_PATH.fullmatch(environ.get("PATH_INFO", ""))
            if found is not None:
                answer = self._page(found.group(0), found.group(1), environ)
                if answer is not None:
                    page, thanked = answer
                    start_response("200 OK", self._headers(len(page), thanked, environ, found.group(0)))
                    return [page]
        return self._inner(environ, start_response)

    def _session(self, cookie_header: str) -> Mapping[str, Any] | None:
        if self._sessions is None:
            return None
        session = self._sessions.session(cookie_header)
        if session is None or not session.keys() <= PLAIN_SESSION_KEYS:
            return None
        return session if isinstance(session.get("csrf_token"), str) else None

    def _frames(self) -> LruCache[Frame] | None:
        return self._app.extensions.get(CACHE_KEY, {}).get(FRAME_CACHE)

    def _page(self, path: str, petition_id: str, environ: dict[str, Any]) -> tuple[bytes, bool] | None:
        frames = self._frames()
        if frames is None or not frames.size:
            return None  # nothing framed yet in this process, or frames are switched off
        cookie_header = environ.get("HTTP_COOKIE", "")
        thanks = cookie_value(cookie_header, THANKS_COOKIE)
        if thanks not in {None, "1"}:
            return None  # the view's to read; it shows no thanks for that, and keeps the cookie
        session = self._session(cookie_header)
        if session is None:
            return None
        self._start_background()
        keys = self._app.extensions["voicebox.keys"]
        try:
            with self._engine().connect() as connection:
                params = {"token": session["_user_id"], "petition_id": petition_id}
                row = connection.execute(_READER_AND_PAGE, params).first()
                if row is None:
                    return None
                role = str(row.member_role)
                standing = PetitionStanding()
                if role in PARTICIPANTS:
                    standing = standing_in(connection, keys, row, row.member_id)
        except (SQLAlchemyError, KeyStoreError):
            return None  # the normal path answers the outage as it always does
        accept = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        language = language_for(cookie_value(cookie_header, LANGUAGE_COOKIE) or "", accept)
        script_root = environ.get("SCRIPT_NAME", "").rstrip("/")
        key = (*version_key(row, row, today(), language, script_root), role, standing, path)
        frame = frames.get(key)
        if frame is None or not frame.holes <= FRAME_HOLES:
            return None
        # A session with messages waiting never comes this far: the only message here is the
        # thanks after signing, as the view last rendered it in this language.
        messages = "" if thanks is None else self._thanks(language)
        if messages is None:
            return None
        values = {
            "csrf": self._csrf.dumps(session["csrf_token"]),
            "username": str(escape(row.username)),
            "flashes": messages,
        }
        return frame.fill(values).encode(), thanks is not None

    def _thanks(self, language: str) -> str | None:
        cache = self._app.extensions.get(CACHE_KEY, {}).get(THANKS_CACHE)
        return cache.get(language) if cache is not None else None

    def _start_background(self) -> None:
        # The normal path starts this process's counting thread on its first request.
        from voicebox.tick import ensure_background

        ensure_background(self._app)

    def _headers(
        self, length: int, thanked: bool, environ: dict[str, Any], path: str
    ) -> list[tuple[str, str]]:
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(length))]
        if thanked:  # shown once: the view deletes the cookie with the page
            page = environ.get("SCRIPT_NAME", "").rstrip("/") + path
            headers.append(("Set-Cookie", thanks_cleared_cookie(page, secure=self._https)))
        headers += list(BASE_HEADERS.items())
        headers += [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
        if self._https:
            headers.append(("Strict-Transport-Security", HSTS))
        headers.append(("Vary", "Cookie"))
        return headers


def install_page_path(app: Flask) -> None:
    """Put the short page path in front of the app (after every other WSGI middleware)."""
    if not answers_without_flask(app):
        return
    app.wsgi_app = PetitionPagePath(app, app.wsgi_app, lazy_engine(app))  # type: ignore[method-assign]

"""Signing's short path: a member's signature taken before Flask's request machinery.

On launch day every member signs once, and through Flask a signature costs the request
context, the session, Flask-Login's ORM user load and the CSRF extension's bookkeeping --
more than the signature itself. This path makes every check the normal one makes, then
signs through the same service function in the same kind of unit of work, and answers
only when the normal path would answer "signed" (the redirect to the petition page with
the one-minute thanks cookie):

- a URL-encoded body of known length and at most FORM_LIMIT bytes, parsed by werkzeug's
  own form parser (anything else -- multipart, chunked, a query string -- goes to Flask);
- no NUL character in any field (the request guard's 400);
- the session cookie's signature and age, checked as Flask checks them
  (voicebox.session_cookie), in a session holding nothing but the sign-in, the CSRF secret,
  the permanence flag and the home page's visit days;
- the form's CSRF token, checked as Flask-WTF checks it: its signature under the same key
  and salt, its age under WTF_CSRF_TIME_LIMIT, equal to the session's secret, and over
  HTTPS (WTF_CSRF_SSL_STRICT) a referrer of the same origin;
- the account found by the session's token, in the signing transaction itself (a
  signed-out cookie fails), holding a role that may sign;
- the group field as the view parses it; a comment goes to Flask, whose view looks for
  identifying details in it before anything is stored;
- then `service.sign_petition`, with the app's key store and today's date. Any refusal
  (already signed, closed, no such group or petition) or failure (database, key store)
  rolls the unit back and leaves the request to Flask, which runs it again and answers as
  it always has -- with the message, the 404 or the 503.

The answer carries exactly the normal path's status, body and headers (tests compare the
two, including revoked and tampered cookies). When the request goes to Flask the body
already read is handed on unchanged.
"""

from __future__ import annotations

import hmac
import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask
from flask_wtf.csrf import same_origin
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header
from werkzeug.utils import redirect
from werkzeug.wsgi import get_host

from voicebox.extensions import db
from voicebox.keystore import KeyStoreError
from voicebox.models import User
from voicebox.petitions import service
from voicebox.petitions.page_path import PARTICIPANTS, PLAIN_SESSION_KEYS
from voicebox.petitions.views import parse_group, thanks_set_cookie
from voicebox.ratelimits import limits_every_request
from voicebox.security import BASE_HEADERS, HSTS
from voicebox.session_cookie import FormTokens
from voicebox.short_reads import DriverStatement, answers_without_flask, app_session_tokens
from voicebox.unit_of_work import unit_of_work
from voicebox.web import today

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
FORM_TYPE = "application/x-www-form-urlencoded"
# The signing form with the longest comment and public name, URL-encoded, fits well within.
FORM_LIMIT = 16 * 1024
REDIRECTS = 1024
_PREFIX = "/petitions/"
_SUFFIX = "/sign"
_ID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")

# The signer by the cookie's session token, as Flask-Login's loader finds them; run on the
# signing transaction's own connection, straight on the driver (voicebox.short_reads).
_SIGNER = select(User.id, User.role).where(User.session_token == bindparam("token"))


class _LeaveToFlask(Exception):
    """Something the normal path answers in its own way; the unit rolls back."""


def _petition_id(path: str) -> str | None:
    if not (path.startswith(_PREFIX) and path.endswith(_SUFFIX)):
        return None
    petition_id = path[len(_PREFIX) : -len(_SUFFIX)]
    if not 1 <= len(petition_id) <= 64 or not _ID_CHARACTERS.issuperset(petition_id):
        return None
    return petition_id


def _has_nul(form: Any) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in form.items(multi=True))


class SignPath:
    """WSGI middleware taking a signed-in member's signature; everything else passes."""

    def __init__(self, app: Flask, inner: WSGIApp) -> None:
        self._app = app
        self._inner = inner
        config = app.config
        sessions = app_session_tokens(app)
        if sessions is None:
            raise ValueError("signing needs a secret key")
        self._sessions = sessions
        secret: str | bytes = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key or b""
        # As Flask-WTF signs them.
        csrf = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
        self._form_tokens = FormTokens(csrf, config.get("WTF_CSRF_TIME_LIMIT", 3600))
        self._csrf_field = str(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        self._ssl_strict = bool(config.get("WTF_CSRF_SSL_STRICT", True))
        self._trusted_hosts = config.get("TRUSTED_HOSTS")
        self._secure_cookie = bool(config.get("SESSION_COOKIE_SECURE"))
        self._forms = FormDataParser()
        # After the redirect's own and the thanks cookie, in the order the after-request
        # hooks add them; "Vary: Cookie" because the session was read.
        headers = [*BASE_HEADERS.items(), ("Cache-Control", "no-store"), ("Pragma", "no-cache")]
        if self._secure_cookie:
            headers.append(("Strict-Transport-Security", HSTS))
        self._headers = [*headers, ("Vary", "Cookie")]
        self._signer_statement: DriverStatement | None = None
        self._redirects: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST" and not environ.get("QUERY_STRING"):
            petition_id = _petition_id(environ.get("PATH_INFO", ""))
            if petition_id is not None:
                body = self._body(environ)
                if body is not None:
                    if self._signed(petition_id, body, environ):
                        return self._answer(petition_id, environ, start_response)
                    environ["wsgi.input"] = io.BytesIO(body)  # Flask reads what we read
        return self._inner(environ, start_response)

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        mimetype, _options = parse_options_header(environ.get("CONTENT_TYPE", ""))
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if mimetype != FORM_TYPE or not 0 < length <= FORM_LIMIT:
            return None
        body: bytes = environ["wsgi.input"].read(length)
        return body

    def _signed(self, petition_id: str, body: bytes, environ: dict[str, Any]) -> bool:
        """Whether every check held and the signature was queued (committed)."""
        session = self._session(environ)
        if session is None:
            return False
        try:
            _stream, form, _files = self._forms.parse(io.BytesIO(body), FORM_TYPE, len(body), {})
        except (ValueError, HTTPException):
            return False
        if _has_nul(form) or not self._csrf_holds(form.get(self._csrf_field), session, environ):
            return False
        group = parse_group(form.get("group"))
        if group == "invalid" or form.get("comment", ""):
            return False  # the view's message, or its check of the comment for identifying details
        choice = service.SignatureChoice(
            display_name=form.get("display_name", ""), group_id=group if isinstance(group, int) else None
        )
        # The normal path starts this process's counting thread on its first request.
        from voicebox.tick import ensure_background

        ensure_background(self._app)
        keys = self._app.extensions["voicebox.keys"]
        with self._app.app_context():
            signers = self._signers()
            try:
                with unit_of_work(db.session):
                    signer = signers.first_in(db.session.connection(), token=session["_user_id"])
                    if signer is None or str(signer[1]) not in PARTICIPANTS:
                        raise _LeaveToFlask  # sign in again, or a 403
                    service.sign_petition(petition_id, signer[0], choice, keys=keys, today=today())
            except (_LeaveToFlask, service.PetitionError, SQLAlchemyError, KeyStoreError):
                return False
            except signers.driver_error:
                return False
        return True

    def _signers(self) -> DriverStatement:
        # Compiled once for this process's engine (inside the app context: after any fork).
        if self._signer_statement is None:
            self._signer_statement = DriverStatement(_SIGNER, db.engine)
        return self._signer_statement

    def _session(self, environ: dict[str, Any]) -> Mapping[str, Any] | None:
        session = self._sessions.session(environ.get("HTTP_COOKIE", ""))
        if session is None or not session.keys() <= PLAIN_SESSION_KEYS:
            return None
        return session if isinstance(session.get(self._csrf_field), str) else None

    def _csrf_holds(self, token: str | None, session: Mapping[str, Any], environ: dict[str, Any]) -> bool:
        # flask_wtf.csrf.validate_csrf, then CSRFProtect.protect's referrer check over HTTPS.
        secret = self._form_tokens.secret(token) if token else None
        if secret is None or not hmac.compare_digest(session[self._csrf_field], secret):
            return False
        # Flask refuses a Host outside TRUSTED_HOSTS on every request, before any view.
        if self._trusted_hosts is None and not self._referrer_checked(environ):
            return True
        try:
            host = get_host(environ, self._trusted_hosts)
        except HTTPException:
            return False
        if not self._referrer_checked(environ):
            return True
        referrer = environ.get("HTTP_REFERER")
        return bool(referrer) and bool(same_origin(referrer, f"https://{host}/"))

    def _referrer_checked(self, environ: dict[str, Any]) -> bool:
        return self._ssl_strict and environ.get("wsgi.url_scheme") in {"https", "wss"}

    def _answer(
        self, petition_id: str, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        # url_for("petitions.detail"): the id's characters need no quoting.
        target = f"{environ.get('SCRIPT_NAME', '').rstrip('/')}{_PREFIX}{petition_id}"
        status, headers, body = self._redirect(target, environ)
        cookie = ("Set-Cookie", thanks_set_cookie(target, secure=self._secure_cookie))
        start_response(status, [*headers, cookie, *self._headers])
        return [body]

    def _redirect(self, target: str, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        # The view's redirect, made by werkzeug once per petition page: its status, headers
        # (type, length, location) and body depend on the target alone.
        found = self._redirects.get(target)
        if found is None:
            response = redirect(target)
            headers = response.get_wsgi_headers(environ).to_wsgi_list()
            found = (response.status, headers, response.get_data())
            if len(self._redirects) >= REDIRECTS:
                self._redirects.clear()
            self._redirects[target] = found
        return found


def install_sign_path(app: Flask) -> None:
    """Put the signing short path in front of the app, where it can answer as Flask would."""
    config = app.config
    csrf_checked = config.get("WTF_CSRF_ENABLED", True) and config.get("WTF_CSRF_CHECK_DEFAULT", True)
    if not answers_without_flask(app) or not csrf_checked or limits_every_request(app) or not app.secret_key:
        return
    app.wsgi_app = SignPath(app, app.wsgi_app)  # type: ignore[method-assign]

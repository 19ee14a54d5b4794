"""Home page, health check and error pages."""

from __future__ import annotations

import time
from datetime import date, timedelta

from flask import Blueprint, Flask, jsonify, render_template, session
from flask_login import current_user
from sqlalchemy import text
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.wrappers import Response

from voicebox import updates
from voicebox.admin.checklist import setup_steps
from voicebox.auth import service as accounts
from voicebox.dashboard.views import leadership_home
from voicebox.extensions import db, limiter
from voicebox.models import PARTICIPANT_ROLES, Role
from voicebox.petitions import tallies
from voicebox.web import current_secrets, today

bp = Blueprint("main", __name__)

ERROR_TITLES = {
    400: "That request didn't make sense",
    403: "That page isn't for your role",
    404: "Nothing here",
    405: "That isn't how this page works",
    413: "That was too large",
    429: "Too many tries",
    500: "Something went wrong on our side",
}
ERROR_ADVICE = {
    400: "The form may have expired. Go back, reload the page and try again.",
    403: "If you think you should see it, ask an admin about your role.",
    404: "The address may be mistyped, or the item was removed.",
    405: "Use the buttons on the page rather than typing the address.",
    413: "What you sent was larger than this site accepts. Shorten the text and try again.",
    429: "For everyone's safety, repeated attempts are slowed down.",
    500: "Nothing you did caused this. Try again in a moment.",
}


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html", needs_setup=not accounts.admin_exists())
    if current_user.has_role(Role.LEADERSHIP):
        return leadership_home()
    grouped = tallies.petitions_by_status(include_drafts=False)
    since = _previous_visit(today())
    news = []
    if current_user.has_role(*PARTICIPANT_ROLES):
        news = updates.updates_since(current_user.id, since, current_secrets())
    steps = setup_steps() if current_user.has_role(Role.ADMIN) else []
    return render_template(
        "main/home.html", open_petitions=grouped["open"][:5], news=news, since=since,
        setup_steps=steps if any(not step.done for step in steps) else [],
    )


VISITS_KEY = "visits"
FIRST_VISIT_LOOKBACK = timedelta(days=7)


def _previous_visit(today: date) -> date:
    """The day of the member's previous visit, kept only in their own signed session cookie.

    The cookie holds [previous day, this day]; it changes at most once a day, and the
    database never learns either date (A3). A first visit looks back a week.
    """
    stored = session.get(VISITS_KEY)
    previous, current = stored if isinstance(stored, list) and len(stored) == 2 else (None, None)
    if current != today.isoformat():
        previous, current = current, today.isoformat()
        session[VISITS_KEY] = [previous, current]
    try:
        return date.fromisoformat(previous) if previous else today - FIRST_VISIT_LOOKBACK
    except (TypeError, ValueError):
        return today - FIRST_VISIT_LOOKBACK


@bp.get("/healthz")
def healthz() -> Response:
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


def _retry_after_seconds(error: HTTPException) -> int | None:
    """Seconds until the breached rate limit resets, if this is a rate-limit error."""
    if error.code != 429:
        return None
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def _in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    if minutes < 90:
        return f"{minutes} minutes"
    return f"{-(-minutes // 60)} hours"


def render_error(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """Every error is a page of our own: no stack trace, no server details."""
    if isinstance(error, InternalServerError):
        # Flask has logged the exception (path and method only, never the client);
        # a half-done transaction must not leak into the page we render now.
        db.session.rollback()
    code = error.code or 500
    headers: dict[str, str] = {}
    retry_after = _retry_after_seconds(error)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, "Something went wrong"),
            advice=ERROR_ADVICE.get(code, "Go back and try again."),
            retry_after=_in_words(retry_after) if retry_after is not None else None,
        ),
        code,
        headers,
    )


def register_error_pages(app: Flask) -> None:
    """Attach our error template to every HTTP error, including the 500 Flask makes of a crash."""
    app.register_error_handler(HTTPException, render_error)

"""Home page, health check and error pages."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from flask import Blueprint, Flask, current_app, jsonify, render_template, session
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.wrappers import Response

from voicebox import updates
from voicebox.admin.checklist import setup_steps
from voicebox.auth import service as accounts
from voicebox.dashboard.service import leadership_summary
from voicebox.extensions import db, limiter
from voicebox.main.health import install_default_checks, run_health_checks
from voicebox.models import PARTICIPANT_ROLES, Role
from voicebox.petitions import figures
from voicebox.ratelimits import limiter_storage_status
from voicebox.responses.views import item_url
from voicebox.settings import instance_settings
from voicebox.unit_of_work import discard
from voicebox.web import current_keys, today

log = logging.getLogger(__name__)
bp = Blueprint("main", __name__)

# Errors that mean "the database can't serve us right now" (refused, timed out, locked,
# read-only, disk full, pool exhausted), as opposed to a bug: a 503 with Retry-After.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)
UNAVAILABLE_RETRY_SECONDS = 30

ERROR_TITLES = {
    400: _l("That request didn't make sense"),
    403: _l("That page isn't for your role"),
    404: _l("Nothing here"),
    405: _l("That isn't how this page works"),
    413: _l("That was too large"),
    429: _l("Too many tries"),
    500: _l("Something went wrong on our side"),
}
ERROR_ADVICE = {
    400: _l("The form may have expired. Go back, reload the page and try again."),
    403: _l("If you think you should see it, ask an admin about your role."),
    404: _l("The address may be mistyped, or the item was removed."),
    405: _l("Use the buttons on the page rather than typing the address."),
    413: _l("What you sent was larger than this site accepts. Shorten the text and try again."),
    429: _l("For everyone's safety, repeated attempts are slowed down."),
    500: _l("Nothing you did caused this. Try again in a moment."),
}


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html", needs_setup=not accounts.admin_exists())
    if current_user.has_role(Role.LEADERSHIP):
        # Leadership's home is their one-screen summary.
        summary = leadership_summary(instance_settings().headcount, today())
        return render_template("dashboard/leadership.html", summary=summary, today=today(), item_url=item_url)
    grouped = figures.petitions_by_status(include_drafts=False)
    since = _previous_visit(today())
    news = []
    if current_user.has_role(*PARTICIPANT_ROLES):
        news = updates.updates_since(current_user.id, since, current_keys())
    steps = setup_steps() if current_user.has_role(Role.ADMIN) else []
    return render_template(
        "main/home.html",
        open_petitions=grouped["open"][:5],
        news=news,
        since=since,
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
def healthz() -> tuple[Response, int]:
    checks = run_health_checks(current_app)
    healthy = all(state == "ok" for state in checks.values())
    # Redis down is not an outage: limits carry on in memory per worker (see ratelimits).
    return (
        jsonify(
            status="ok" if healthy else "unavailable", checks=checks, rate_limits=limiter_storage_status()
        ),
        200 if healthy else 503,
    )


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
        return ngettext("%(num)s second", "%(num)s seconds", seconds)
    minutes = -(-seconds // 60)
    if minutes < 90:
        return ngettext("%(num)s minute", "%(num)s minutes", minutes)
    return ngettext("%(num)s hour", "%(num)s hours", -(-minutes // 60))


def render_error(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """Every error is a page of our own: no stack trace, no server details."""
    if isinstance(error, InternalServerError):
        # Flask has logged the exception (path and method only, never the client);
        # a half-done transaction must not leak into the page we render now.
        try:
            discard(db.session)
        except DATABASE_UNAVAILABLE as failure:
            return render_database_unavailable(failure)
    try:
        return _render_error_page(error)
    except DATABASE_UNAVAILABLE as failure:
        # The page itself needed the database (the signed-in user, the navigation) and
        # the database is what is failing: answer with the page that needs nothing.
        return render_database_unavailable(failure)


def _render_error_page(error: HTTPException) -> tuple[str, int, dict[str, str]]:
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
            title=ERROR_TITLES.get(code, _l("Something went wrong")),
            advice=ERROR_ADVICE.get(code, _l("Go back and try again.")),
            retry_after=_in_words(retry_after) if retry_after is not None else None,
        ),
        code,
        headers,
    )


def render_database_unavailable(error: SQLAlchemyError) -> tuple[str, int, dict[str, str]]:
    """503 with Retry-After, rendered without touching the database in any way.

    The template is taken straight from the Jinja environment so no context processor runs:
    the navigation would load the signed-in user, i.e. query the database that just failed.
    """
    cause = getattr(error, "orig", None) or error
    # The class and first line of the driver's message only: SQLAlchemy's own text would
    # add the statement and its parameters, which can hold what members sent.
    first_line = (str(cause).splitlines() or [""])[0][:200]
    log.warning("database unavailable: %s: %s", type(cause).__name__, first_line)
    page = current_app.jinja_env.get_template("errors/unavailable.html").render(
        lang=str(get_locale() or "en"),
        title=_("voicebox can't reach its database"),
        advice=_(
            "Nothing you did caused this: the database is busy or down. If you were "
            "sending something, check once the site is back whether it was saved before "
            "sending it again."
        ),
        retry_after=_in_words(UNAVAILABLE_RETRY_SECONDS),
    )
    return page, 503, {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)}


def register_error_pages(app: Flask) -> None:
    """Attach our error template to every HTTP error, including the 500 Flask makes of a crash."""
    app.register_error_handler(HTTPException, render_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, render_database_unavailable)
    install_default_checks(app)

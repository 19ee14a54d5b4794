"""Home page, health check and error pages."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from voicebox.auth import service as accounts
from voicebox.dashboard.views import leadership_home
from voicebox.extensions import db
from voicebox.models import Role
from voicebox.petitions import tallies

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
    413: "Shorten the text and try again.",
    429: "Wait a little and try again.",
    500: "Nothing you did caused this. Try again in a moment.",
}


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html", needs_setup=not accounts.admin_exists())
    if current_user.has_role(Role.LEADERSHIP):
        return leadership_home()
    grouped = tallies.petitions_by_status(include_drafts=False)
    return render_template("main/home.html", open_petitions=grouped["open"][:5])


@bp.get("/healthz")
def healthz() -> Response:
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


def render_error(error: HTTPException) -> tuple[str, int]:
    """Every error is a page of our own: no stack trace, no server details."""
    code = error.code or 500
    retry_after = None
    if code == 429:
        retry_after = getattr(error, "description", None)
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, "Something went wrong"),
            advice=ERROR_ADVICE.get(code, ""),
            retry_after=retry_after,
        ),
        code,
    )


def register_error_pages(app: Flask) -> None:
    """Attach our error template to every error a user can meet."""
    for code in ERROR_TITLES:
        app.register_error_handler(code, render_error)

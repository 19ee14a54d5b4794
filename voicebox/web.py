"""Small bridges between Flask's request world and the services, which never see it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, current_app, flash, make_response, redirect
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from voicebox.anonymity import coarse_date
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.forms import ConfirmForm
from voicebox.keystore import KeyStore
from voicebox.messages import Message
from voicebox.unit_of_work import unit_of_work


def no_store(body: str) -> Response:
    """`body` as a response that no cache or back-forward history keeps.

    For pages that show a receipt phrase or a private thread, which must not linger on a
    shared or monitored machine.
    """
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def current_secrets() -> Secrets:
    """The instance secrets loaded by create_app."""
    return current_app.extensions["voicebox.secrets"]


def current_keys() -> KeyStore:
    """The key store holding item keys outside the database (A2)."""
    return current_app.extensions["voicebox.keys"]


def today() -> date:
    """Today's UTC date; the only clock the app keeps for member actions (A3)."""
    return coarse_date()


def translate(text: object) -> str:
    """Text made in English (marked with N_, or a Message) in the page's language."""
    if isinstance(text, Message):
        params = {
            name: format_decimal(value) if isinstance(value, int) else value
            for name, value in text.params.items()
        }
        return _(text.msgid, **params)
    return _(str(text))


def error_text(error: Exception) -> str:
    """An error's message in the page's language.

    Services keep their messages in English (the CLI prints them too) and mark them for
    translation; a password's problems come in parts, each translated on its own.
    """
    feedback = getattr(error, "feedback", None)
    if feedback:
        return " ".join(_(message, **params) for message, params in feedback)
    if len(error.args) == 1:
        return translate(error.args[0])
    return _(str(error))


def flash_form_errors(form: FlaskForm) -> None:
    """Show a redirected form's field errors as messages on the page it returns to."""
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")


ErrorTypes = type[Exception] | tuple[type[Exception], ...]


def confirmed_action(
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    back_to: str,
    refused: ErrorTypes = (),
    missing: ErrorTypes = (),
) -> Response:
    """Run a one-button action: check its CSRF token, call the service, flash the outcome.

    `missing` errors become a 404; `refused` errors are flashed as the member's message.
    """
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work(db.session):
            result = action()
    except missing:
        abort(404)
    except refused as exc:
        flash(error_text(exc), "error")
    else:
        flash(translate(success(result) if callable(success) else success), "success")
    return redirect(back_to)

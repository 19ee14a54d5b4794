"""Refuse requests carrying NUL bytes before any view sees them.

PostgreSQL can't store or compare a NUL in a text value: one in a query string, a form
field or a path segment would reach the driver as a 500 whose traceback carries the
statement's parameters. A clear 400 says what is wrong and logs nothing.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from voicebox.messages import N_

# Kept in English for the API; the page shows it translated.
NUL_MESSAGE = N_(
    "The request contains a NUL character (\\0), which no field accepts. Remove it and try again."
)


def _has_nul(values: object) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))  # type: ignore[attr-defined]


def _carries_nul() -> bool:
    if "\x00" in request.path or _has_nul(request.args):
        return True
    form_types = {"application/x-www-form-urlencoded", "multipart/form-data"}
    if request.method not in {"POST", "PUT", "PATCH"} or request.mimetype not in form_types:
        return False
    return _has_nul(request.form)


def refuse_nul_bytes() -> Response | tuple[str, int] | None:
    if not _carries_nul():
        return None
    if request.path.startswith("/api/"):
        response = jsonify(error=NUL_MESSAGE)
        response.status_code = 400
        return response
    page = render_template(
        "errors/error.html", code=400, title=_("That request can't be read"), advice=_(NUL_MESSAGE)
    )
    return page, 400


def init_request_guard(app: Flask) -> None:
    # Registered first so it runs before authentication or CSRF checks touch the database.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_bytes)

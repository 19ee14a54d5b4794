"""Response headers that keep pages private to the browser that asked for them.

A member reading what they signed must not leave that page in a shared cache, a
framing site, or a referrer header; no script may run that we did not ship.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

# Only our own files: no inline script or style, no third-party origin. Charts may be
# served as data: images, which cannot run script.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

BASE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: Flask-WTF's HTTPS check needs our own referrer.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def _add_security_headers(response: Response, https: bool) -> Response:
    for name, value in BASE_HEADERS.items():
        response.headers.setdefault(name, value)
    # Static files are the same for everyone and may be cached; every other response
    # can carry what a member signed or wrote, so it must never be stored.
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    if https:
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def init_security(app: Flask) -> None:
    """Add the security headers to every response and harden the cookies."""
    https = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.config.update(
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=https,
    )
    app.after_request(lambda response: _add_security_headers(response, https))

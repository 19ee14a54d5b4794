"""Security headers on every response, and error pages that say what to do and nothing more."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from tests.support import PASSWORD

PRIVATE_PAGES = ("main.index", "petitions.index", "account.overview", "audit.index")
ERROR_MARKERS = ("Traceback", 'File "', "werkzeug", "sqlalchemy", "jinja2", "Debugger")


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def test_pages_carry_every_security_header(client, member):
    client.login(member)
    for endpoint in PRIVATE_PAGES:
        response = client.get(url_for(endpoint))
        assert response.status_code == 200
        csp = _csp(response)
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
        assert not re.search(r"https?://|\*", response.headers["Content-Security-Policy"])
        assert csp["default-src"] == "default-src 'self'"
        assert csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert csp["object-src"] == "object-src 'none'"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        permissions = response.headers["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()"):
            assert feature in permissions
        assert "Strict-Transport-Security" not in response.headers


def test_no_page_uses_inline_script_or_style(client, member, make_petition):
    petition = make_petition()
    client.login(member)
    for url in (
        url_for("main.index"),
        url_for("petitions.detail", petition_id=petition.id),
        url_for("account.delete"),
        url_for("auth.logout"),
    ):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)", page), url
        assert "<style" not in page and " style=" not in page, url


def test_static_files_may_be_cached_but_keep_the_other_headers(client):
    response = client.get(url_for("static", filename="css/voicebox.css"))
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_https_adds_hsts_and_secure_cookies(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.test_request_context():
        user = make_user_in(app)
        client = app.test_client()
        response = client.post(
            "/login",
            data={"username": user, "password": PASSWORD},
            base_url="https://localhost",
            headers={"Referer": "https://localhost/login"},
        )
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def make_user_in(app) -> str:
    from voicebox.extensions import db
    from voicebox.models import User

    policy = app.extensions["voicebox.password_policy"]
    db.session.add(User(username="secure-sam", password_hash=policy.hash(PASSWORD), role="member"))
    db.session.commit()
    return "secure-sam"


def test_session_cookie_is_httponly_lax_and_expires(client, member):
    response = client.post("/login", data={"username": member.username, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # the configured lifetime, not "until the browser closes"
    assert "Secure" not in cookie  # plain-HTTP development instance


def _assert_error_page(response, code: int) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert f"Error {code}" in page
    assert 'class="panel error-page"' in page
    for marker in ERROR_MARKERS:
        assert marker not in page, marker
    return page


def test_404_405_and_400_use_the_error_template(client, member):
    _assert_error_page(client.get("/no/such/page"), 404)
    client.login(member)
    _assert_error_page(client.get("/petitions/not-a-real-id"), 404)
    _assert_error_page(client.get(url_for("petitions.sign", petition_id="x")), 405)
    _assert_error_page(client.post(url_for("petitions.new"), data={}, csrf=False), 400)


def test_403_uses_the_error_template(client, member):
    client.login(member)
    _assert_error_page(client.get(url_for("admin.settings")), 403)


def test_oversized_requests_get_a_friendly_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    with app.test_request_context():
        client = app.test_client()
        response = client.post("/login", data={"username": "x" * 20_000, "password": "y"})
        page = _assert_error_page(response, 413)
    assert "too large" in page.lower() or "larger" in page


def test_crashes_become_a_plain_500_page(make_app, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals: /etc/voicebox/key")

    with app.test_request_context():
        response = app.test_client().get("/boom")
        page = _assert_error_page(response, 500)
    assert "secret internals" not in page
    assert "RuntimeError" not in page


@pytest.mark.parametrize("attempts", [25])
def test_rate_limited_page_says_when_to_retry(make_app, attempts):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.test_request_context():
        client = app.test_client()
        statuses = []
        for _ in range(attempts):
            response = client.post("/login", data={"username": "nobody", "password": "wrong-password-1"})
            statuses.append(response.status_code)
            if response.status_code == 429:
                break
        page = _assert_error_page(response, 429)
    assert 429 in statuses
    retry = int(response.headers["Retry-After"])
    assert 0 < retry <= 3600
    assert re.search(r"try again in \d+ (second|minute|hour)", page)

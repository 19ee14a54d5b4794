"""The short paths' session-cookie reader finds exactly the account token Flask's session finds."""

from __future__ import annotations

import time

import itsdangerous
import pytest
from flask import request, session

from voicebox.session_cookie import SessionTokens, cookie_value


def flask_token(app, header: str) -> str | None:
    """What the normal path sees: Flask's own session opened from this Cookie header."""
    with app.test_request_context(environ_overrides={"HTTP_COOKIE": header}):
        token = session.get("_user_id")
    return token if isinstance(token, str) and token else None


def flask_session(app, header: str) -> dict | None:
    """Flask's whole session for this Cookie header, where it names a signed-in account."""
    with app.test_request_context(environ_overrides={"HTTP_COOKIE": header}):
        contents = dict(session)
    token = contents.get("_user_id")
    return contents if isinstance(token, str) and token else None


def reader(app) -> SessionTokens:
    serializer = app.session_interface.get_signing_serializer(app)
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    return SessionTokens(serializer, app.config["SESSION_COOKIE_NAME"], lifetime)


def signed(app, contents: dict, signed_at: int | None = None) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    if signed_at is None:
        return serializer.dumps(contents)
    stamp = itsdangerous.timed.TimestampSigner.get_timestamp
    itsdangerous.timed.TimestampSigner.get_timestamp = lambda self: signed_at  # type: ignore[method-assign]
    try:
        return serializer.dumps(contents)
    finally:
        itsdangerous.timed.TimestampSigner.get_timestamp = stamp  # type: ignore[method-assign]


def test_every_kind_of_cookie_reads_as_flask_reads_it(app, make_app, member):
    client = app.test_client()
    client.login(member)
    real = client.get_cookie("session").value
    small = signed(app, {"_user_id": "a-token"})  # short enough to be stored uncompressed
    assert not small.startswith(".") and real.startswith(".")
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    now = int(time.time())
    stranger = make_app()  # its own secret key
    foreign = signed(stranger, {"_user_id": "a-token"})
    headers = [
        f"session={real}",
        f"session={small}",
        f"voicebox_lang=de; session={real}; other=1",
        f"session={small}; session={real}",  # the first one counts
        f'session="{small}"',  # quoted: werkzeug's parser
        f"session= {small}",
        f"session={real[:-1]}",
        f"session={real[:10]}x{real[11:]}",
        f"session={foreign}",
        f"session={signed(app, {'_user_id': 'old'}, now - lifetime - 5)}",  # expired
        f"session={signed(app, {'_user_id': 'late'}, now - lifetime + 60)}",  # nearly expired
        f"session={signed(app, {'_user_id': 'future'}, now + 60)}",
        f"session={signed(app, {'_fresh': True})}",
        f"session={signed(app, {'_user_id': ''})}",
        f"session={signed(app, {'_user_id': 7})}",
        "session=",
        "session=.",
        "session=a.b.c",
        "session=é.a.b",
        "other=1",
        "",
    ]
    tokens = reader(app)
    for header in headers * 2:  # the second time from what the reader remembered
        assert tokens.token(header) == flask_token(app, header), header
        found = tokens.session(header)
        assert (dict(found) if found is not None else None) == flask_session(app, header), header
    assert tokens.token(f"session={real}") is not None
    assert tokens.token(f"session={small}") == "a-token"


def test_a_cookie_signed_with_a_retired_key_reads_as_flask_reads_it(make_app, tmp_path):
    old = make_app()
    cookie = signed(old, {"_user_id": "a-token"})
    rotated = make_app(SECRET_KEY_FALLBACKS=[old.secret_key])
    assert flask_token(rotated, f"session={cookie}") == "a-token"
    assert reader(rotated).token(f"session={cookie}") == "a-token"


def test_a_remembered_cookie_still_expires_on_time(app, monkeypatch):
    cookie = signed(app, {"_user_id": "a-token"})
    tokens = reader(app)
    assert tokens.token(f"session={cookie}") == "a-token"
    later = int(time.time()) + int(app.permanent_session_lifetime.total_seconds()) + 1
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: later)
    assert tokens.token(f"session={cookie}") is None
    assert flask_token(app, f"session={cookie}") is None


@pytest.mark.parametrize(
    "header",
    [
        "a=1; session=x.y",
        "session=x.y; session=z",
        'session="x"; a=b',
        'session="a\\"b"',
        "a=b;session=c",
        "a=b ;  session = c ",
        "session",
        "session=\xc3\xa9.a",
        "a=b, session=c",
    ],
)
def test_the_cookie_value_is_the_one_werkzeug_finds(app, header):
    with app.test_request_context(environ_overrides={"HTTP_COOKIE": header}):
        expected = request.cookies.get("session")
    assert cookie_value(header, "session") == expected

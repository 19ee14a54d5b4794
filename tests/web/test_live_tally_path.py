"""The live tally's short path answers exactly as the normal Flask path, or leaves it to it."""

from __future__ import annotations

from datetime import timedelta

import itsdangerous
import pytest
from flask import url_for
from werkzeug.test import Client

from tests.support import both_engines
from voicebox.auth import service as accounts
from voicebox.extensions import db
from voicebox.short_reads import ShortReads
from voicebox.unit_of_work import unit_of_work


class CountingApp:
    """The normal path, counting how often the short path handed a request to it."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.inner(environ, start_response)


@pytest.fixture
def paths(app):
    short = app.wsgi_app
    assert isinstance(short, ShortReads)
    normal = CountingApp(short._inner)
    short._inner = normal
    return Client(short), Client(normal), normal


def signed_in_cookie(app, user) -> str:
    client = app.test_client()
    client.login(user)
    return client.get_cookie("session").value


def answers(client: Client, path: str, cookie: str | None):
    if cookie is not None:
        client.set_cookie("session", cookie)
    else:
        client.delete_cookie("session")
    response = client.get(path)
    headers = sorted((k, v) for k, v in response.headers.items() if k not in {"Date", "Set-Cookie"})
    return response.status_code, response.get_data(), headers


@both_engines
def test_a_members_poll_is_answered_by_the_short_path_byte_for_byte(
    app, paths, member, make_petition, sign_many
):
    short, normal, counted = paths
    petition = make_petition(goal=40)
    sign_many(petition, 7)
    cookie = signed_in_cookie(app, member)
    path = url_for("petitions.tally", petition_id=petition.id)

    calls_before = counted.calls
    fast = answers(short, path, cookie)
    assert counted.calls == calls_before, "the short path handed a plain poll to Flask"
    slow = answers(normal, path, cookie)
    assert fast == slow
    assert fast[0] == 200
    assert b'"count":7' in fast[1]


def test_a_closed_petitions_tally_is_the_same_both_ways(app, paths, member, make_petition):
    short, normal, _ = paths
    petition = make_petition(status="closed")
    cookie = signed_in_cookie(app, member)
    path = url_for("petitions.tally", petition_id=petition.id)
    assert answers(short, path, cookie) == answers(normal, path, cookie)


@pytest.mark.parametrize(
    "case", ["no cookie", "tampered", "expired", "signed out", "draft", "missing", "query string"]
)
def test_anything_unusual_is_left_to_the_normal_path(app, paths, member, make_petition, monkeypatch, case):
    short, normal, counted = paths
    petition = make_petition(status="draft" if case == "draft" else "open")
    petition_id = "no-such-petition" if case == "missing" else petition.id
    path = url_for("petitions.tally", petition_id=petition_id)
    cookie: str | None = signed_in_cookie(app, member)
    if case == "no cookie":
        cookie = None
    elif case == "tampered":
        cookie = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    elif case == "expired":
        # A cookie signed just over the session lifetime ago, as one left in a browser overnight.
        signed_at = itsdangerous.timed.TimestampSigner.get_timestamp(None) - int(
            (app.permanent_session_lifetime + timedelta(minutes=1)).total_seconds()
        )
        monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: signed_at)
        cookie = signed_in_cookie(app, member)
        monkeypatch.undo()
    elif case == "signed out":
        with unit_of_work(db.session):
            accounts.end_sessions(member.id)
    elif case == "query string":
        path += "?fresh=1"

    calls_before = counted.calls
    fast = answers(short, path, cookie)
    assert counted.calls == calls_before + 1, f"{case}: the short path answered by itself"
    slow = answers(normal, path, cookie)
    assert fast == slow
    assert fast[0] != 200 or case == "query string"

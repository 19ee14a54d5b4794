"""The short read paths (live tally, cached API petition) answer exactly as the normal Flask
path does, or leave the request to it."""

from __future__ import annotations

import contextvars

import pytest
from flask import Flask, url_for
from werkzeug.test import Client

from tests.blackhole import refused_port
from tests.support import (
    COOKIE_CASES,
    CountingApp,
    both_engines,
    cookie_in_case,
    signed_in_cookie,
    without_csrf_tokens,
)
from voicebox.auth import service as accounts
from voicebox.extensions import db
from voicebox.models import Role
from voicebox.short_reads import ShortReads
from voicebox.unit_of_work import unit_of_work

READS = {"tally": "petitions.tally", "api": "api.petition"}


class Paths:
    """One app's short path and its normal path, side by side."""

    def __init__(self, app: Flask):
        self.short_app = app.wsgi_app
        assert isinstance(self.short_app, ShortReads)
        self.normal = CountingApp(self.short_app._inner)
        self.short_app._inner = self.normal
        self.short, self.plain = Client(self.short_app), Client(self.normal)

    def both(self, path: str, cookie: str | None, **options):
        """(short answer, normal answer, whether the short path answered by itself)."""
        before = self.normal.calls
        fast = answer(self.short, path, cookie, **options)
        by_itself = self.normal.calls == before
        return fast, answer(self.plain, path, cookie, **options), by_itself


@pytest.fixture
def paths(app):
    return Paths(app)


def answer(client: Client, path: str, cookie: str | None, method: str = "GET", headers=None):
    if cookie is not None:
        client.set_cookie("session", cookie)
    else:
        client.delete_cookie("session")
    # In a fresh context, as in production: no app context (and no `g`) left from the test.
    response = contextvars.Context().run(client.open, path, method=method, headers=headers or {})
    # An error page's form tokens carry the second they were made: compared without them.
    body = without_csrf_tokens(response.get_data(as_text=True))
    return response.status_code, body, [(k, v) for k, v in response.headers if k != "Date"]


def read_path(kind: str, petition_id: str, query: str = "") -> str:
    return url_for(READS[kind], petition_id=petition_id) + query


def warm(paths: Paths, kind: str, path: str, cookie: str) -> None:
    """The API body is served short only once the normal path has built and cached it."""
    if kind == "api":
        assert answer(paths.short, path, cookie)[0] == 200


@both_engines
@pytest.mark.parametrize("kind", READS)
def test_a_members_read_is_answered_by_the_short_path_byte_for_byte(
    app, paths, member, make_petition, sign_many, kind
):
    petition = make_petition(goal=40)
    sign_many(petition, 7)
    cookie = signed_in_cookie(app, member)
    path = read_path(kind, petition.id)
    warm(paths, kind, path, cookie)

    fast, slow, by_itself = paths.both(path, cookie)
    assert by_itself, "the short path handed a plain read to Flask"
    assert fast == slow  # status, body, and every header in Flask's order (Date aside)
    assert fast[0] == 200
    assert '"count":7' in fast[1] if kind == "tally" else '"signatures":7' in fast[1]


@pytest.mark.parametrize("kind", READS)
def test_a_closed_petition_reads_the_same_both_ways(app, paths, member, make_petition, kind):
    petition = make_petition(status="closed")
    cookie = signed_in_cookie(app, member)
    path = read_path(kind, petition.id)
    warm(paths, kind, path, cookie)
    fast, slow, by_itself = paths.both(path, cookie)
    assert by_itself and fast == slow and '"status":"closed"' in fast[1]


@pytest.mark.parametrize("kind", READS)
@pytest.mark.parametrize(
    "case",
    [*COOKIE_CASES, "draft", "missing", "query string", "HEAD", "POST"],
)
def test_anything_unusual_is_left_to_the_normal_path(
    app, paths, member, make_petition, monkeypatch, case, kind
):
    petition = make_petition(status="draft" if case == "draft" else "open")
    path = read_path(kind, "no-such-petition" if case == "missing" else petition.id)
    cookie: str | None = signed_in_cookie(app, member)
    if case != "draft":  # the API body of the petition itself cached: only the case differs
        warm(paths, kind, read_path(kind, petition.id), cookie)
    method = case if case in {"HEAD", "POST"} else "GET"
    cookie = cookie_in_case(app, member, cookie, case, monkeypatch)
    if case == "query string":
        path += "?fresh=1"

    fast, slow, by_itself = paths.both(path, cookie, method=method)
    assert not by_itself, f"{case}: the short path answered by itself"
    assert fast == slow
    assert fast[0] != 200 or case in {"query string", "HEAD"}


@pytest.mark.parametrize("kind", READS)
def test_a_sign_out_fails_the_very_next_read_after_a_good_one(app, paths, member, make_petition, kind):
    petition = make_petition()
    cookie = signed_in_cookie(app, member)
    path = read_path(kind, petition.id)
    warm(paths, kind, path, cookie)
    assert paths.both(path, cookie)[2]  # answered short: the cookie's checks are now remembered
    with unit_of_work(db.session):
        accounts.end_sessions(member.id)
    fast, slow, by_itself = paths.both(path, cookie)
    assert not by_itself and fast == slow and fast[0] == (302 if kind == "tally" else 401)


def _token(app, user) -> str:
    from tests.web.test_api_tokens import _make_token

    client = app.test_client()
    client.login(user)
    return _make_token(client)


@pytest.mark.parametrize("header", ["valid bearer", "wrong bearer", "basic", "empty"])
def test_api_reads_with_an_authorization_header_are_left_to_the_normal_path(
    app, paths, member, make_petition, header
):
    petition = make_petition()
    cookie = signed_in_cookie(app, member)
    path = read_path("api", petition.id)
    warm(paths, "api", path, cookie)
    raw = _token(app, member)
    value = {"valid bearer": f"Bearer {raw}", "wrong bearer": f"Bearer {raw}x", "basic": f"Basic {raw}"}
    headers = {"Authorization": value.get(header, "")}
    for sent in (cookie, None):
        fast, slow, by_itself = paths.both(path, sent, headers=headers)
        assert not by_itself and fast == slow
        refused = header in {"wrong bearer", "basic"} or (header, sent) == ("empty", None)
        assert fast[0] == (401 if refused else 200)


def _other_worker(app, make_app, **config):
    """Another worker: same database and secrets, its own process-local caches."""
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    return make_app(INSTANCE_PATH=app.instance_path, SQLALCHEMY_DATABASE_URI=database, **config)


@both_engines
def test_a_count_a_withdrawal_and_a_response_on_another_worker_show_at_once(
    app, paths, make_app, member, make_user, make_petition
):
    petition = make_petition()
    cookie = signed_in_cookie(app, member)
    path = read_path("api", petition.id)
    other = _other_worker(app, make_app)
    signer = other.test_client()
    signer.login(make_user(Role.MEMBER))
    leader = other.test_client()
    leader.login(make_user(Role.LEADERSHIP))
    steps = {
        "count": lambda: signer.post(f"/petitions/{petition.id}/sign"),
        "withdrawal": lambda: signer.post(f"/petitions/{petition.id}/withdraw"),
        "response": lambda: leader.post(
            f"/petitions/{petition.id}/respond", data={"status": "in progress", "body": "Looking."}
        ),
    }
    warm(paths, "api", path, cookie)
    seen = [paths.both(path, cookie)[0][1]]
    for step, change in steps.items():
        assert change().status_code == 302, step
        fast, slow, _ = paths.both(path, cookie)
        assert fast == slow, step
        assert fast[1] != seen[-1], f"after a {step} on another worker the cached body was served"
        again, _, by_itself = paths.both(path, cookie)
        assert by_itself and again == fast, step
        seen.append(fast[1])
    assert '"signatures":0' in seen[-1] and '"status":"in progress"' in seen[-1]


@pytest.mark.parametrize("kind", READS)
def test_with_rate_limits_on_both_paths_answer_alike(make_app, make_user, make_petition, kind):
    limited = make_app(RATELIMIT_ENABLED=True)
    with limited.test_request_context():
        limited_paths = Paths(limited)
        petition = make_petition()
        cookie = signed_in_cookie(limited, make_user(Role.MEMBER))
        path = read_path(kind, petition.id)
        warm(limited_paths, kind, path, cookie)
        fast, slow, by_itself = limited_paths.both(path, cookie)
        assert by_itself and fast == slow and fast[0] == 200


@pytest.mark.parametrize("kind", READS)
@pytest.mark.parametrize("failure", ["unreachable", "no tables"])
def test_a_database_error_is_left_to_the_normal_path(
    app, make_app, member, make_petition, tmp_path, kind, failure
):
    petition = make_petition()
    cookie = signed_in_cookie(app, member)
    path = read_path(kind, petition.id)
    url = {
        "unreachable": f"postgresql+psycopg://voicebox@127.0.0.1:{refused_port()}/voicebox",
        "no tables": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }[failure]
    broken = make_app(INSTANCE_PATH=app.instance_path, SQLALCHEMY_DATABASE_URI=url)
    with broken.test_request_context():
        broken_paths = Paths(broken)
        fast, slow, by_itself = broken_paths.both(path, cookie)
    assert not by_itself and fast == slow and fast[0] >= 500

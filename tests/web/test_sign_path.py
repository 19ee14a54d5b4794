"""Signing's short path signs exactly as Flask's view does, or leaves the request to it."""

from __future__ import annotations

import contextvars
import re

import pytest
from flask import url_for
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.test import Client

from tests.support import (
    COOKIE_CASES,
    both_engines,
    cookie_in_case,
    count_queued_now,
    counted_short_path,
    signed_in_cookie,
    tampered,
    with_session_changed,
)
from voicebox.extensions import db
from voicebox.models import Group, Petition, Role, Signature
from voicebox.petitions import drafts, service
from voicebox.petitions.page_path import PetitionPagePath
from voicebox.petitions.sign_path import SignPath
from voicebox.petitions.views import THANKS_COOKIE
from voicebox.short_reads import ShortReads
from voicebox.unit_of_work import unit_of_work
from voicebox.web import today


@pytest.fixture
def paths(app):
    return counted_short_path(app, SignPath)


def form_token(app, cookie: str) -> str:
    """The CSRF token a page served to this session carries."""
    session = app.session_interface.get_signing_serializer(app).loads(cookie)
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(session["csrf_token"])


# The thanks cookie's Expires names the second it was set.
_EXPIRES = re.compile(r"Expires=[^;]+; ")


def post(wsgi_app, path: str, cookie: str | None, data, **options):
    """What a browser holding exactly `cookie` gets back for posting `data` to `path`."""
    client = Client(wsgi_app)
    if cookie is not None:
        client.set_cookie("session", cookie)
    # In a fresh context, as in production: no `g` (signed-in user, form token) left over.
    response = contextvars.Context().run(client.post, path, data=data, **options)
    kept = sorted(
        (name, _EXPIRES.sub("", value)) for name, value in response.headers.items() if name != "Date"
    )
    return response.status_code, response.get_data(as_text=True), kept


def signatures(petition) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Signature).where(Signature.petition_id == petition.id)
    )


@both_engines
def test_a_members_signature_is_taken_by_the_short_path_as_flask_takes_it(
    app, paths, users, make_petition, database_engine
):
    short, normal = paths
    petition = make_petition()
    path = url_for("petitions.sign", petition_id=petition.id)
    by_short, by_flask = signed_in_cookie(app, users["member"]), signed_in_cookie(app, users["organizer"])

    normal.calls = 0
    fast = post(short, path, by_short, {"csrf_token": form_token(app, by_short)})
    assert normal.calls == 0, "the short path handed a plain signature to Flask"
    slow = post(normal, path, by_flask, {"csrf_token": form_token(app, by_flask)})
    assert fast == slow
    status, _, headers = fast
    assert status == 302
    page = url_for("petitions.detail", petition_id=petition.id)
    assert ("Location", page) in headers
    assert ("Set-Cookie", f"{THANKS_COOKIE}=1; Max-Age=60; HttpOnly; Path={page}; SameSite=Lax") in headers
    assert not any(name == "Set-Cookie" and value.startswith("session=") for name, value in headers)
    count_queued_now(app)
    assert signatures(petition) == 2
    db.session.refresh(petition)
    assert petition.signature_count == 2

    browser = app.test_client()
    browser.set_cookie("session", by_short)
    browser.set_cookie(THANKS_COOKIE, "1", path=page)
    shown = browser.get(page).get_data(as_text=True)
    assert "Thank you for signing." in shown and "You have signed this petition." in shown


def test_with_rate_limits_on_the_answer_is_still_flasks(make_app, make_user):
    limited = make_app(RATELIMIT_ENABLED=True)
    short, normal = counted_short_path(limited, SignPath)
    keys = limited.extensions["voicebox.keys"]  # this app's own key store holds the petition's key
    with limited.test_request_context():
        with unit_of_work(db.session):
            petition = service.start_petition(
                "author", "Limits on", "Sign here.", 10, None, keys=keys, today=today()
            )
        with unit_of_work(db.session):
            drafts.open_petition(petition.id, cosponsors_needed=0, actor_role="organizer", today=today())
        petition_id = petition.id
        path = url_for("petitions.sign", petition_id=petition_id)
        one, other = make_user(Role.MEMBER), make_user(Role.MEMBER)
        by_short, by_flask = signed_in_cookie(limited, one), signed_in_cookie(limited, other)
    normal.calls = 0
    fast = post(short, path, by_short, {"csrf_token": form_token(limited, by_short)})
    slow = post(normal, path, by_flask, {"csrf_token": form_token(limited, by_flask)})
    assert normal.calls == 1 and fast == slow and fast[0] == 302
    with limited.app_context():
        count_queued_now(limited)
        assert db.session.get(Petition, petition_id).signature_count == 2


def test_the_public_name_and_group_are_stored_as_posted(app, paths, member, make_petition):
    short, normal = paths
    petition = make_petition()
    with unit_of_work(db.session):
        group = Group(name="Night shift")
        db.session.add(group)
    cookie = signed_in_cookie(app, member)
    data = {"csrf_token": form_token(app, cookie), "display_name": "  Sam  ", "group": str(group.id)}
    normal.calls = 0
    status, _, _ = post(short, url_for("petitions.sign", petition_id=petition.id), cookie, data)
    assert status == 302 and normal.calls == 0
    count_queued_now(app)
    row = db.session.scalars(select(Signature).where(Signature.petition_id == petition.id)).one()
    assert row.display_name == "Sam"
    assert row.group_ciphertext is not None


def test_over_https_the_referrer_is_checked_as_flask_wtf_checks_it(app, paths, member, make_petition):
    short, normal = paths
    petition = make_petition()
    cookie = signed_in_cookie(app, member)
    path = url_for("petitions.sign", petition_id=petition.id)
    https = {"base_url": "https://localhost/"}
    normal.calls = 0
    foreign = post(
        short,
        path,
        cookie,
        {"csrf_token": form_token(app, cookie)},
        headers={"Referer": "https://elsewhere.example/"},
        **https,
    )
    assert foreign[0] == 400 and normal.calls == 1
    missing = post(short, path, cookie, {"csrf_token": form_token(app, cookie)}, **https)
    assert missing[0] == 400 and normal.calls == 2
    own = f"https://localhost/petitions/{petition.id}"
    signed = post(
        short, path, cookie, {"csrf_token": form_token(app, cookie)}, headers={"Referer": own}, **https
    )
    assert signed[0] == 302 and normal.calls == 2
    count_queued_now(app)
    assert signatures(petition) == 1


CASES = [
    *COOKIE_CASES,
    "flash waiting",
    "no form token",
    "another session's form token",
    "tampered form token",
    "token in a header only",
    "already signed",
    "closed",
    "draft",
    "missing",
    "not a group",
    "no such group",
    "comment",
    "NUL in the name",
    "leadership",
    "query string",
    "multipart",
    "database down",
]
# Refused before anything is stored, the same way twice over.
STORES_NOTHING = set(CASES) - {
    "flash waiting",
    "comment",
    "query string",
    "multipart",
    "database down",
    "token in a header only",
}


@pytest.mark.parametrize("case", CASES)
def test_anything_unusual_is_left_to_the_normal_path(
    app, paths, users, make_petition, sign, monkeypatch, case
):
    short, normal = paths
    signer = users["leadership" if case == "leadership" else "member"]
    status = {"closed": "closed", "draft": "draft"}.get(case, "open")
    petition = make_petition(status=status)
    petition_id = "no-such-petition" if case == "missing" else petition.id
    path = url_for("petitions.sign", petition_id=petition_id)
    cookie: str | None = signed_in_cookie(app, signer)
    data: dict[str, object] = {"csrf_token": form_token(app, cookie)}
    options: dict[str, object] = {}
    cookie = cookie_in_case(app, signer, cookie, case, monkeypatch)
    if case == "expired cookie":
        data["csrf_token"] = form_token(app, cookie)
    elif case == "flash waiting":
        cookie = with_session_changed(
            app, cookie, lambda session: session.update(_flashes=[("info", "Welcome back.")])
        )
    elif case == "no form token":
        data = {}
    elif case == "another session's form token":
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        data["csrf_token"] = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(
            "another session's secret"
        )
    elif case == "tampered form token":
        data["csrf_token"] = tampered(str(data["csrf_token"]))
    elif case == "token in a header only":
        options["headers"] = {"X-CSRFToken": data.pop("csrf_token")}
    elif case == "already signed":
        sign(petition, signer)
    elif case == "not a group":
        data["group"] = "night"
    elif case == "no such group":
        data["group"] = "4242"
    elif case == "comment":
        data["comment"] = "Me too."
    elif case == "NUL in the name":
        data["display_name"] = "Sam\x00"
    elif case == "query string":
        path += "?from=email"
    elif case == "multipart":
        options["content_type"] = "multipart/form-data"
    elif case == "database down":

        def refuse(*args, **kwargs):
            raise short._signers().driver_error("database is down")

        monkeypatch.setattr(short._signers(), "first_in", refuse)
    before = signatures(petition) + (petition.signature_count or 0)
    normal.calls = 0

    answer = post(short, path, cookie, data, **options)
    assert normal.calls == 1, f"{case}: the short path answered by itself"
    count_queued_now(app)
    if case in STORES_NOTHING:
        db.session.refresh(petition)
        assert signatures(petition) + (petition.signature_count or 0) == before
        # The refusal is Flask's own, with what the member posted (the body was handed on).
        assert answer[0] == post(normal, path, cookie, data, **options)[0]
    else:
        assert answer[0] in {302, 200}


def test_refusals_tell_the_member_why(app, paths, member, make_petition, sign):
    short, _ = paths
    petition = make_petition()
    sign(petition, member)
    cookie = signed_in_cookie(app, member)
    browser = Client(short)
    browser.set_cookie("session", cookie)
    path = url_for("petitions.sign", petition_id=petition.id)
    response = contextvars.Context().run(
        browser.post, path, data={"csrf_token": form_token(app, cookie)}, follow_redirects=True
    )
    assert "You have already signed this petition." in response.get_data(as_text=True)
    response = contextvars.Context().run(
        browser.post,
        path,
        data={"csrf_token": form_token(app, cookie), "group": "night"},
        follow_redirects=True,
    )
    assert "Choose a group from the list, or none." in response.get_data(as_text=True)


def test_a_comment_naming_its_writer_is_checked_before_anything_is_stored(app, paths, member, make_petition):
    short, normal = paths
    petition = make_petition()
    cookie = signed_in_cookie(app, member)
    data = {"csrf_token": form_token(app, cookie), "comment": f"I am {member.username} and I agree."}
    normal.calls = 0
    status, page, _ = post(short, url_for("petitions.sign", petition_id=petition.id), cookie, data)
    assert status == 200 and normal.calls == 1
    assert "confirm_identifying" in page
    count_queued_now(app)
    assert signatures(petition) == 0


@pytest.mark.parametrize(
    "setting",
    [
        {"SESSION_REFRESH_EACH_REQUEST": True},
        {"RATELIMIT_DEFAULT": "1000/hour"},
        {"WTF_CSRF_ENABLED": False},
        {"SIGN_SHORT_PATH": False},
    ],
)
def test_no_short_path_where_it_could_not_answer_as_flask_would(make_app, setting):
    other = make_app(**setting)
    layer = other.wsgi_app
    while hasattr(layer, "_inner"):
        assert not isinstance(layer, SignPath)
        layer = layer._inner


def test_every_hook_flask_runs_around_a_view_is_one_the_short_paths_know(app):
    # The short paths repeat what these hooks do; a new hook must be taught to them (or they
    # must stand aside for it) before this list changes.
    def names(hooks):
        return sorted(
            getattr(hook, "__qualname__", getattr(getattr(hook, "func", None), "__qualname__", repr(hook)))
            for hook in hooks
        )

    assert set(names(app.before_request_funcs[None])) <= {
        "refuse_nul_bytes",
        "CSRFProtect.init_app.<locals>.csrf_protect",
        "init_background.<locals>.<lambda>",  # starts the counting thread; the short paths do too
    }
    assert set(names(app.after_request_funcs[None])) <= {
        "Limiter.__inject_headers",  # adds headers only where a limit was checked
        "LoginManager._update_remember_cookie",  # acts only on a "remember me" session key
        "init_security.<locals>.<lambda>",  # the headers the short paths add
    }
    assert set(app.before_request_funcs) == {None, "api"}
    assert set(app.after_request_funcs) == {None}
    assert not app.url_value_preprocessors and not app.url_default_functions


def test_the_short_paths_share_one_session_reader(app):
    # One bounded set of verified cookies per worker, and a cookie checked for the page is
    # remembered when the member signs.
    signing, _ = counted_short_path(app, SignPath)
    page, _ = counted_short_path(app, PetitionPagePath)
    reads, _ = counted_short_path(app, ShortReads)
    assert signing._sessions is page._sessions is reads._tokens is not None

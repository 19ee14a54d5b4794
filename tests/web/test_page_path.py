"""The petition page's short path answers exactly as Flask's view, or leaves it to it."""

from __future__ import annotations

import contextvars
import re

import pytest
from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.test import Client

from tests.support import (
    COOKIE_CASES,
    both_engines,
    cookie_in_case,
    count_queued_now,
    counted_short_path,
    signed_in_cookie,
    with_session_changed,
    withdraw_now,
    without_csrf_tokens,
)
from voicebox.extensions import db
from voicebox.i18n import LANGUAGE_COOKIE
from voicebox.models import Role, Signature
from voicebox.petitions.page_path import PetitionPagePath
from voicebox.petitions.views import THANKS_COOKIE


@pytest.fixture
def paths(app):
    short, normal = counted_short_path(app, PetitionPagePath)
    return short, normal, normal


def answers(
    wsgi_app, path: str, cookie: str | None, language: str | None = None, thanks: bool = False, **headers: str
):
    # A new client each time: exactly the cookies given, as a browser holding them sends them.
    client = Client(wsgi_app)
    if cookie is not None:
        client.set_cookie("session", cookie)
    if language is not None:
        client.set_cookie(LANGUAGE_COOKIE, language)
    if thanks:
        client.set_cookie(THANKS_COOKIE, "1")
    # In a fresh context, as in production: no `g` (signed-in user, form token) left over.
    response = contextvars.Context().run(client.get, path, headers=headers)
    kept = sorted((k, v) for k, v in response.headers.items() if k not in {"Date", "Content-Length"})
    return response.status_code, without_csrf_tokens(response.get_data(as_text=True)), kept


def _both_ways(short, normal, counted, path, cookie, **options):
    answers(normal, path, cookie, **options)  # Flask builds the frame
    calls_before = counted.calls
    fast = answers(short, path, cookie, **options)
    served_short = counted.calls == calls_before
    return fast, answers(normal, path, cookie, **options), served_short


@both_engines
@pytest.mark.parametrize("standing", ["not signed", "being counted", "signed"])
def test_a_members_page_is_answered_by_the_short_path_byte_for_byte(
    app, paths, member, make_petition, sign_many, sign, standing
):
    short, normal, counted = paths
    petition = make_petition(goal=40)
    sign_many(petition, 3)
    cookie = signed_in_cookie(app, member)
    if standing != "not signed":
        sign(petition, member, counted=standing == "signed")
    path = url_for("petitions.detail", petition_id=petition.id)

    fast, slow, served_short = _both_ways(short, normal, counted, path, cookie)
    assert served_short, "the short path handed a framed page to Flask"
    assert fast == slow
    assert fast[0] == 200
    page = fast[1]
    assert f'<span class="whoami">{member.username} ' in page
    assert ("You have signed this petition." in page) == (standing != "not signed")
    assert ('id="being-counted"' in page) == (standing == "being counted")
    assert not any(name == "Set-Cookie" for name, _ in fast[2])


@pytest.mark.parametrize("language", ["header", "cookie"])
def test_the_page_language_is_chosen_as_flask_chooses_it(app, paths, member, make_petition, language):
    short, normal, counted = paths
    petition = make_petition()
    cookie = signed_in_cookie(app, member)
    path = url_for("petitions.detail", petition_id=petition.id)
    options = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
    if language == "cookie":
        options = {"Accept-Language": "en", "language": "de"}
    fast, slow, served_short = _both_ways(short, normal, counted, path, cookie, **options)
    assert served_short and fast == slow
    assert '<html lang="de">' in fast[1] and "Petition unterschreiben" in fast[1]


def test_a_closed_petition_and_an_admin_reader_are_the_same_both_ways(
    app, paths, users, make_petition, sign_many
):
    short, normal, counted = paths
    petition = make_petition(status="closed")
    for role in ("member", "admin"):
        cookie = signed_in_cookie(app, users[role])
        path = url_for("petitions.detail", petition_id=petition.id)
        fast, slow, served_short = _both_ways(short, normal, counted, path, cookie)
        assert served_short and fast == slow and fast[0] == 200


def test_the_short_paths_form_token_signs_the_petition(app, paths, member, make_petition):
    short, normal, counted = paths
    petition = make_petition()
    cookie = signed_in_cookie(app, member)
    path = url_for("petitions.detail", petition_id=petition.id)
    answers(normal, path, cookie)
    browser = Client(short)
    browser.set_cookie("session", cookie)
    calls_before = counted.calls
    page = contextvars.Context().run(browser.get, path).get_data(as_text=True)
    assert counted.calls == calls_before
    token = re.search(r'class="sign-form">\s*<input name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    target = url_for("petitions.sign", petition_id=petition.id)
    response = contextvars.Context().run(browser.post, target, data={"csrf_token": token[1]})
    assert response.status_code == 302
    count_queued_now(app)
    signed = select(func.count()).select_from(Signature).where(Signature.petition_id == petition.id)
    assert db.session.scalar(signed) == 1


@both_engines
def test_the_page_after_signing_shows_the_thanks_once_as_flask_does(
    app, paths, member, make_user, make_petition, sign, database_engine
):
    short, normal, counted = paths
    petition = make_petition()
    path = url_for("petitions.detail", petition_id=petition.id)
    colleague = make_user(Role.MEMBER)
    for signer in (colleague, member):
        sign(petition, signer, counted=False)
    # The view renders the thanks once in this language; from then on the short path serves it.
    first = answers(normal, path, signed_in_cookie(app, colleague), thanks=True)
    cookie = signed_in_cookie(app, member)
    calls_before = counted.calls
    fast = answers(short, path, cookie, thanks=True)
    assert counted.calls == calls_before, "the short path handed the page after signing to Flask"
    slow = answers(normal, path, cookie, thanks=True)
    assert fast == slow and fast[0] == 200 and first[0] == 200
    assert '<p class="flash flash-success">Thank you for signing.</p>' in fast[1]
    assert "You have signed this petition." in fast[1]
    cleared = [value for name, value in fast[2] if name == "Set-Cookie"]
    assert len(cleared) == 1 and cleared[0].startswith(f"{THANKS_COOKIE}=; ") and "Max-Age=0" in cleared[0]
    assert f"Path={path}" in cleared[0]

    answers(normal, path, cookie, language="de")  # Flask frames the German page, without thanks
    calls_before = counted.calls
    german = answers(short, path, cookie, language="de", thanks=True)
    assert counted.calls == calls_before + 1, "no German thanks rendered yet: the view's to render"
    assert "Thank you for signing." not in german[1]  # never the English thanks on a German page
    assert '<p class="flash flash-success">Danke' in german[1]


CASES = [
    "no frame yet",
    *COOKIE_CASES,
    "flash waiting",
    "thanks waiting",
    "no form secret",
    "draft",
    "missing",
    "query string",
    "organizer",
    "leadership",
    "database down",
]


@pytest.mark.parametrize("case", CASES)
def test_anything_unusual_is_left_to_the_normal_path(app, paths, users, make_petition, monkeypatch, case):
    short, normal, counted = paths
    reader = users["member"]
    if case in {"organizer", "leadership"}:
        reader = users[case]
    petition = make_petition(status="draft" if case == "draft" else "open")
    petition_id = "no-such-petition" if case == "missing" else petition.id
    path = url_for("petitions.detail", petition_id=petition_id)
    cookie: str | None = signed_in_cookie(app, reader)
    if case != "no frame yet":
        answers(normal, path, cookie)  # Flask frames the page first
    cookie = cookie_in_case(app, reader, cookie, case, monkeypatch)
    if case == "flash waiting":
        cookie = with_session_changed(
            app, cookie, lambda session: session.update(_flashes=[("success", "Thank you for signing.")])
        )
    elif case == "no form secret":
        cookie = with_session_changed(app, cookie, lambda session: session.pop("csrf_token"))
    elif case == "query string":
        path += "?fresh=1"
    elif case == "database down":

        def refuse(*args, **kwargs):
            raise OperationalError("SELECT", {}, Exception("database is down"))

        monkeypatch.setattr(short, "_engine", lambda: _Refusing(refuse))

    options = {"thanks": case == "thanks waiting"}
    calls_before = counted.calls
    fast = answers(short, path, cookie, **options)
    assert counted.calls == calls_before + 1, f"{case}: the short path answered by itself"
    if case == "database down":
        monkeypatch.undo()
    slow = answers(normal, path, cookie, **options)
    assert fast[0] == slow[0]
    if case == "no form secret":  # Flask makes a new random one each time, and sets the cookie
        fast, slow = _masked(fast), _masked(slow)
    if case != "flash waiting":  # Flask shows (and so takes) the flash on the first of the two
        assert fast == slow


def _masked(answer):
    status, page, headers = answer
    return status, page, [(k, "..." if k == "Set-Cookie" else v) for k, v in headers]


class _Refusing:
    def __init__(self, refuse):
        self.connect = refuse


def test_a_withdrawal_shows_at_once_on_the_short_path(app, paths, member, make_petition, sign):
    short, normal, counted = paths
    petition = make_petition()
    sign(petition, member)
    cookie = signed_in_cookie(app, member)
    path = url_for("petitions.detail", petition_id=petition.id)
    fast, _, served_short = _both_ways(short, normal, counted, path, cookie)
    assert served_short and "You have signed this petition." in fast[1]
    withdraw_now(app, petition, member)
    fast, slow, _ = _both_ways(short, normal, counted, path, cookie)
    assert fast == slow and 'class="sign-form"' in fast[1]
    assert "You have signed this petition." not in fast[1]


def test_no_short_path_where_flask_would_refresh_the_cookie_on_every_request(make_app):
    refreshing = make_app(SESSION_REFRESH_EACH_REQUEST=True)
    layer = refreshing.wsgi_app
    while hasattr(layer, "_inner"):
        assert not isinstance(layer, PetitionPagePath)
        layer = layer._inner

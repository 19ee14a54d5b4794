"""The petition page and its API entry are rendered once per page version and served from a
per-process cache: what they show must be exactly what an uncached render shows, for every
role, state and language, right after any change made through another worker, and never
anything that belongs to another member."""

from __future__ import annotations

import difflib

import pytest
from flask import url_for

from tests.support import (
    CSRF_TOKEN,
    close_petition_now,
    recorded_writes,
    withdraw_now,
    without_csrf_tokens,
)
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import Role
from voicebox.petitions import drafts, service
from voicebox.petitions.views import THANKS_COOKIE
from voicebox.unit_of_work import unit_of_work

LANGUAGES = ("en", "de")


def _shared_worker(app, make_app, **config):
    """Another worker: same database and secrets, its own process-local caches."""
    return make_app(
        INSTANCE_PATH=app.instance_path,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        **config,
    )


@pytest.fixture
def plain(app, make_app):
    """A worker that caches nothing: its pages are the uncached render."""
    return _shared_worker(app, make_app, PAGE_CACHE_SIZE=0)


@pytest.fixture
def other(app, make_app):
    """A second caching worker on the same database."""
    return _shared_worker(app, make_app)


def _signed_in(worker, user):
    client = worker.test_client()
    client.login(user)
    client.get("/")  # takes the sign-in flash, so both workers' pages start alike
    with client.session_transaction() as session:  # the test client's default token is shared
        session["csrf_token"] = f"csrf-of-{user.username}".ljust(40, "x")
    return client


def _page(client, petition, language="en"):
    response = client.get(f"/petitions/{petition.id}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _assert_same(page, reference, *where):
    page, reference = without_csrf_tokens(page), without_csrf_tokens(reference)
    if page != reference:
        diff = difflib.unified_diff(
            reference.splitlines(), page.splitlines(), "uncached", "cached", lineterm=""
        )
        pytest.fail(f"{where}: the cached page differs:\n" + "\n".join(list(diff)[:40]))


@pytest.mark.parametrize("state", ["open", "signed", "closed", "draft"])
def test_cached_pages_equal_uncached_ones_for_every_role_and_language(
    app, plain, users, make_petition, make_group, state, sign
):
    make_group()
    petition = make_petition(status="draft" if state == "draft" else "open")
    if state == "signed":
        for role in ("member", "organizer"):
            sign(petition, users[role], display_name=f"{role} in public", comment="Please do.")
    if state == "closed":
        sign(petition, users["member"], display_name="Mira")
        close_petition_now(app, petition.id)
    # One cache across roles and languages: a key missing either would serve a wrong page here.
    readers = ("member", "leadership", "organizer", "admin")
    for role in readers if state != "draft" else ("member", "organizer", "admin"):  # drafts: not leadership
        cached, uncached = _signed_in(app, users[role]), _signed_in(plain, users[role])
        for language in LANGUAGES:
            first = _page(cached, petition, language)
            again = _page(cached, petition, language)
            reference = _page(uncached, petition, language)
            _assert_same(first, reference, role, language)
            _assert_same(again, reference, role, language)
    assert ('<html lang="de">' in _page(cached, petition, "de")) and "Take part" in _page(cached, petition)


@pytest.mark.parametrize("message", ["flash", "thanks"])
def test_a_page_with_a_message_waiting_equals_the_uncached_one(app, plain, member, make_petition, message):
    petition = make_petition()
    pages = []
    for worker in (app, plain):
        client = _signed_in(worker, member)
        _page(client, petition)  # framed before the message arrives
        if message == "flash":
            with client.session_transaction() as session:
                session["_flashes"] = [("error", "That petition is closed <for now>.")]
        else:
            client.set_cookie(THANKS_COOKIE, "1", path=f"/petitions/{petition.id}")
        pages.append((_page(client, petition), _page(client, petition)))
    (cached, cached_again), (uncached, uncached_again) = pages
    _assert_same(cached, uncached, message)
    _assert_same(cached_again, uncached_again, message, "shown once")
    shown = (
        '<p class="flash flash-error">That petition is closed &lt;for now&gt;.</p>'
        if message == "flash"
        else '<p class="flash flash-success">Thank you for signing.</p>'
    )
    assert shown in cached and shown not in cached_again


def test_figures_change_on_another_worker_right_after_a_window_is_counted(
    app, other, member, make_user, make_petition, sign
):
    petition = make_petition()
    reader = _signed_in(other, member)
    assert "<strong>0</strong>" in _page(reader, petition)
    sign(petition, make_user(Role.MEMBER), display_name="Carla")
    page = _page(reader, petition)
    assert "<strong>1</strong>" in page and "<li>Carla</li>" in page


def test_a_withdrawal_and_a_new_signature_that_leave_the_count_alone_still_show(
    app, other, make_user, make_petition, sign
):
    petition = make_petition()
    alice, bob, carol = (make_user(Role.MEMBER) for _ in range(3))
    sign(petition, alice, display_name="Alice")
    sign(petition, bob)
    reader = _signed_in(other, make_user(Role.MEMBER))
    before = _page(reader, petition)
    assert "<strong>2</strong>" in before and "<li>Alice</li>" in before
    withdraw_now(app, petition, alice)
    sign(petition, carol, display_name="Carol")
    after = _page(reader, petition)
    assert "<strong>2</strong>" in after
    assert "<li>Carol</li>" in after and "Alice" not in after
    document = reader.get(f"/api/v1/petitions/{petition.id}").get_json()
    assert document["signatures"] == 2


def test_a_response_and_an_edit_show_at_once_on_another_worker(app, other, users, make_user, make_petition):
    petition = make_petition()
    reader = _signed_in(other, users["member"])
    assert "responded yet." in _page(reader, petition)
    assert reader.get(f"/api/v1/petitions/{petition.id}").get_json()["responses"] == []
    leader = _signed_in(app, users["leadership"])
    leader.post(
        url_for("responses.respond_to_petition", petition_id=petition.id),
        data={"status": "in progress", "body": "We are **reviewing** it."},
    )
    assert "<strong>reviewing</strong>" in _page(reader, petition)
    assert (
        reader.get(f"/api/v1/petitions/{petition.id}").get_json()["responses"][0]["status"] == "in progress"
    )

    author = make_user(Role.MEMBER)
    with unit_of_work(db.session):
        draft = service.start_petition(
            author.id,
            "A draft",
            "First text.",
            50,
            None,
            keys=app.extensions["voicebox.keys"],
            today=coarse_date(),
        )
    assert "First text." in _page(reader, draft)
    with unit_of_work(db.session):
        drafts.edit_draft(
            draft.id,
            author.id,
            "A draft",
            "Second text.",
            50,
            None,
            keys=app.extensions["voicebox.keys"],
            actor_role="member",
            today=coarse_date(),
        )
    page = _page(reader, draft)
    assert "Second text." in page and "First text." not in page


def test_nothing_of_one_member_reaches_another(app, make_user, make_petition, sign):
    petition = make_petition()
    signer, reader, organizer = make_user(Role.MEMBER), make_user(Role.MEMBER), make_user(Role.ORGANIZER)
    sign(petition, signer, comment="Fix it now.")
    signer_client, reader_client = _signed_in(app, signer), _signed_in(app, reader)
    signed_page = _page(signer_client, petition)
    other_page = _page(reader_client, petition)
    assert "You have signed this petition." in signed_page
    assert "You have signed this petition." not in other_page
    assert 'class="sign-form"' in other_page and 'class="sign-form"' not in signed_page
    # The page is served from one frame per standing: each member's own name fills its header.
    assert f'<span class="whoami">{reader.username} ' in _page(reader_client, petition)
    assert signer.username not in other_page
    signer_tokens, reader_tokens = set(CSRF_TOKEN.findall(signed_page)), set(CSRF_TOKEN.findall(other_page))
    assert signer_tokens and reader_tokens and not signer_tokens & reader_tokens
    # The organizer's comment moderation never reaches a member's page, before or after.
    organizer_page = _page(_signed_in(app, organizer), petition)
    assert "What signers said" in organizer_page
    assert "What signers said" not in _page(reader_client, petition)


def test_reading_the_page_and_api_writes_nothing(app, member, make_user, make_petition):
    petition = make_petition()
    client = _signed_in(app, member)
    with recorded_writes(app) as writes:
        for _ in range(2):  # a miss, then a hit
            _page(client, petition)
            _page(client, petition, "de")
            assert client.get(f"/api/v1/petitions/{petition.id}").status_code == 200
    assert writes == []


def test_the_api_entry_from_the_cache_equals_the_uncached_one(
    app, plain, member, make_user, make_petition, sign
):
    petition = make_petition()
    sign(petition, make_user(Role.MEMBER))
    cached, uncached = _signed_in(app, member), _signed_in(plain, member)
    path = f"/api/v1/petitions/{petition.id}"
    first, again, reference = cached.get(path), cached.get(path), uncached.get(path)
    assert first.get_data() == again.get_data() == reference.get_data()
    assert first.headers["Content-Type"] == reference.headers["Content-Type"] == "application/json"
    assert first.get_json()["signatures"] == 1

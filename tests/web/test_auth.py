"""Registering with an invite, signing in and out, first-run set-up, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from tests.support import PASSWORD, count_rows
from voicebox.anonymity import coarse_date
from voicebox.auth import service
from voicebox.extensions import db
from voicebox.models import Invite, Role, User
from voicebox.unit_of_work import unit_of_work


@pytest.fixture
def issue_invite(app):
    def issue(role: Role = Role.MEMBER, uses: int = 1, expires_on=None) -> str:
        with unit_of_work(db.session):
            return service.create_invite(
                role,
                uses=uses,
                expires_on=expires_on,
                pepper=app.extensions["voicebox.secrets"].pepper,
                actor_role="admin",
                today=coarse_date(),
            )

    return issue


def _register(client, code, username="newcomer", password=PASSWORD, confirm=None):
    return client.post(
        url_for("auth.register"),
        data={
            "invite_code": code,
            "username": username,
            "password": password,
            "password_confirm": password if confirm is None else confirm,
        },
    )


def test_a_newcomer_registers_with_an_invite_and_is_signed_in(client, issue_invite):
    code = issue_invite()
    response = _register(client, code)
    assert response.status_code == 302
    assert response.headers["Location"] == url_for("main.index")
    home = client.get(url_for("main.index")).get_data(as_text=True)
    assert "Hello, newcomer" in home
    user = db.session.scalars(select(User).where(User.username == "newcomer")).one()
    assert user.role == Role.MEMBER
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_the_invite_gives_its_role(client, issue_invite):
    _register(client, issue_invite(Role.ORGANIZER))
    assert db.session.scalars(select(User.role)).one() == "organizer"


def test_invite_codes_are_forgiving_about_case_and_spacing(client, issue_invite):
    code = issue_invite()
    assert _register(client, "  " + code.upper().replace("-", " ") + " ").status_code == 302


def test_a_bogus_invite_is_refused_and_no_account_is_made(client):
    response = _register(client, "not-a-real-code")
    assert response.status_code == 200
    assert "That invite code isn&#39;t valid" in response.get_data(as_text=True)
    assert count_rows(User) == 0


def test_a_single_use_invite_cannot_be_reused(client, issue_invite):
    code = issue_invite(uses=1)
    _register(client, code, username="first")
    client.logout()
    response = _register(client, code, username="second")
    assert "That invite code isn&#39;t valid" in response.get_data(as_text=True)
    assert db.session.scalars(select(User.username)).all() == ["first"]
    assert db.session.scalars(select(Invite.uses)).one() == 1


def test_a_multi_use_invite_works_until_it_runs_out(client, issue_invite):
    code = issue_invite(uses=2)
    for name in ("one", "two", "three"):
        _register(client, code, username=name)
        client.logout()
    assert sorted(db.session.scalars(select(User.username))) == ["one", "two"]


def test_an_expired_invite_is_refused(client, issue_invite):
    code = issue_invite(expires_on=coarse_date() + timedelta(days=1))
    invite = db.session.scalars(select(Invite)).one()
    invite.expires_on = coarse_date() - timedelta(days=1)
    db.session.commit()
    assert "isn&#39;t valid" in _register(client, code).get_data(as_text=True)
    assert count_rows(User) == 0


def test_the_invite_code_is_not_stored(client, issue_invite):
    code = issue_invite()
    invite = db.session.scalars(select(Invite)).one()
    assert code not in invite.code_hash


@pytest.mark.parametrize(
    ("username", "password", "confirm", "message"),
    [
        ("newcomer", "short", None, "at least 12 characters"),
        ("newcomer", "password1234", None, "easy to guess"),
        ("newcomer", "x" * 129, None, "longer than 128"),
        ("newcomer", PASSWORD, "different-passphrase-99", "The passwords don&#39;t match."),
        ("a", PASSWORD, None, "Field must be between 3 and 40 characters long."),
        ("bad name!", PASSWORD, None, "Usernames are 3–40 letters"),
    ],
)
def test_bad_registrations_say_what_to_fix_and_use_no_invite(
    client, issue_invite, username, password, confirm, message
):
    code = issue_invite()
    response = _register(client, code, username=username, password=password, confirm=confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_rows(User) == 0
    assert db.session.scalars(select(Invite.uses)).one() == 0


def test_a_taken_username_is_refused(client, issue_invite, member):
    response = _register(client, issue_invite(), username=member.username)
    assert "That username is taken" in response.get_data(as_text=True)
    assert db.session.scalars(select(Invite.uses)).one() == 0


def test_login_failures_say_the_same_thing_whether_or_not_the_user_exists(client, member):
    wrong_password = client.post(
        url_for("auth.login"), data={"username": member.username, "password": "wrong-password-123"}
    )
    unknown_user = client.post(
        url_for("auth.login"), data={"username": "nobody-here", "password": "wrong-password-123"}
    )
    assert wrong_password.status_code == unknown_user.status_code == 200
    message = "Username or password is incorrect."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_user.get_data(as_text=True)


def test_login_then_logout(client, member):
    response = client.login(member)
    assert response.headers["Location"] == url_for("main.index")
    assert "Hello, mira" in client.get(url_for("main.index")).get_data(as_text=True)
    client.logout()
    assert client.get(url_for("petitions.index")).status_code == 302


def test_logging_out_needs_a_post(client, member):
    client.login(member)
    assert "Sign out?" in client.get(url_for("auth.logout")).get_data(as_text=True)
    assert client.get(url_for("petitions.index")).status_code == 200


def test_a_hash_made_with_old_parameters_is_upgraded_at_login(app, client, member):
    from argon2 import PasswordHasher

    member.password_hash = PasswordHasher(time_cost=1, memory_cost=32).hash(PASSWORD)
    db.session.commit()
    old = member.password_hash
    client.login(member)
    upgraded = db.session.get(User, member.id).password_hash
    assert upgraded != old
    assert not app.extensions["voicebox.password_policy"].needs_rehash(upgraded)


def test_a_role_change_ends_that_accounts_sessions(client, app, member, admin):
    from voicebox.admin.service import change_role

    client.login(member)
    with unit_of_work(db.session):
        change_role(member.id, Role.ORGANIZER, actor=admin, today=coarse_date())
    assert client.get(url_for("petitions.index")).status_code == 302


def test_first_run_setup_link_creates_the_first_admin_once(client, app):
    home = client.get(url_for("main.index")).get_data(as_text=True)
    assert "This instance has no admin yet" in home
    with unit_of_work(db.session):
        token = service.issue_setup_token(app.extensions["voicebox.secrets"].pepper)
    setup = url_for("auth.setup", token=token)
    assert "Create the first admin" in client.get(setup).get_data(as_text=True)
    response = client.post(
        setup, data={"username": "founder", "password": PASSWORD, "password_confirm": PASSWORD}
    )
    assert response.headers["Location"] == url_for("admin.invites")
    assert db.session.scalars(select(User.role)).one() == "admin"
    client.logout()
    assert client.get(setup).status_code == 404
    assert "This instance has no admin yet" not in client.get("/").get_data(as_text=True)
    with unit_of_work(db.session):
        assert service.issue_setup_token(app.extensions["voicebox.secrets"].pepper) is None


def test_a_wrong_setup_token_is_refused(client, app):
    with unit_of_work(db.session):
        service.issue_setup_token(app.extensions["voicebox.secrets"].pepper)
    response = client.post(
        url_for("auth.setup", token="guess"),
        data={"username": "intruder", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert response.status_code == 404
    assert count_rows(User) == 0

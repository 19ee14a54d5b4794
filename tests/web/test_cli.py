"""The voicebox command group: first admin, invites, set-up link."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.support import PASSWORD
from voicebox.extensions import db
from voicebox.models import Invite, User


def test_create_user_reads_the_password_from_stdin(app):
    result = app.test_cli_runner().invoke(
        args=["voicebox", "create-user", "alice", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert (user.username, user.role) == ("alice", "admin")
    assert app.extensions["voicebox.password_policy"].verify(user.password_hash, PASSWORD)


def test_create_user_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["voicebox", "create-user", "alice", "--role", "admin", "--password-stdin"],
        input="password\n",
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db.session.scalars(select(User)).all() == []


def test_invite_prints_the_code_alone_on_stdout(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["voicebox", "invite", "--role", "member", "--uses", "50"])
    assert result.exit_code == 0
    assert re.fullmatch(r"[a-z]+(-[a-z]+){4}\n", result.stdout)
    invite = db.session.scalars(select(Invite)).one()
    assert (invite.max_uses, invite.role) == (50, "member")


def test_setup_link_is_printed_only_while_no_admin_exists(app, admin):
    result = app.test_cli_runner().invoke(args=["voicebox", "setup-link"])
    assert result.exit_code != 0
    assert "An admin already exists" in result.output


def test_setup_link_works_in_the_browser(app, client):
    result = app.test_cli_runner().invoke(args=["voicebox", "setup-link"])
    path = result.stdout.strip().removeprefix("http://127.0.0.1:5000")
    assert client.get(path).status_code == 200

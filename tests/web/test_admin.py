"""Admin pages: invites, settings, groups, roles — and who may not use them."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import select

from tests.support import PASSWORD, count_rows
from voicebox.extensions import db
from voicebox.models import AuditEvent, Group, Invite, Role, User
from voicebox.settings import instance_settings


def test_an_admin_issues_a_multi_use_invite_that_a_newcomer_can_use(client, admin):
    client.login(admin)
    response = client.post(
        url_for("admin.invites"),
        data={"role": "member", "uses": "50", "expires_on": "2099-01-01", "note": "night shift"},
    )
    page = response.get_data(as_text=True)
    code = re.search(r'id="new-invite-code">([^<]+)<', page).group(1)
    assert "can't show it again" in page
    invite = db.session.scalars(select(Invite)).one()
    assert (invite.max_uses, invite.role, invite.note) == (50, "member", "night shift")
    assert code not in invite.code_hash
    client.logout()
    client.post(
        url_for("auth.register"),
        data={"invite_code": code, "username": "newhire", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert db.session.scalars(select(User).where(User.username == "newhire")).one()
    assert "issued an invite" in db.session.scalars(select(AuditEvent.action)).all()


def test_organizers_may_invite_members_only(client, organizer):
    client.login(organizer)
    response = client.post(url_for("admin.invites"), data={"role": "admin", "uses": "1"})
    assert response.status_code in (200, 403)
    assert count_rows(Invite, Invite.role == "admin") == 0
    client.post(url_for("admin.invites"), data={"role": "member", "uses": "3"})
    assert count_rows(Invite, Invite.role == "member") == 1


def test_an_invite_with_a_past_expiry_is_refused(client, admin):
    client.login(admin)
    response = client.post(
        url_for("admin.invites"), data={"role": "member", "uses": "1", "expires_on": "2000-01-01"}
    )
    assert "The expiry date is in the past." in response.get_data(as_text=True)
    assert count_rows(Invite) == 0


def test_a_revoked_invite_stops_working(client, admin):
    client.login(admin)
    page = client.post(url_for("admin.invites"), data={"role": "member", "uses": "5"}).get_data(as_text=True)
    code = re.search(r'id="new-invite-code">([^<]+)<', page).group(1)
    invite = db.session.scalars(select(Invite)).one()
    client.post(url_for("admin.revoke_invite", invite_id=invite.id))
    client.logout()
    response = client.post(
        url_for("auth.register"),
        data={"invite_code": code, "username": "late", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert "isn&#39;t valid" in response.get_data(as_text=True)


def test_an_admin_changes_settings_and_the_audit_log_records_it(client, admin):
    client.login(admin)
    response = client.post(
        url_for("admin.settings"),
        data={
            "headcount": "1600",
            "small_group_threshold": "7",
            "cosponsors_needed": "3",
            "retention_days": "180",
        },
    )
    assert response.headers["Location"] == url_for("admin.settings")
    settings = instance_settings()
    assert (
        settings.headcount,
        settings.small_group_threshold,
        settings.cosponsors_needed,
        settings.retention_days,
    ) == (1600, 7, 3, 180)
    assert "changed settings" in db.session.scalars(select(AuditEvent.action)).all()


def test_the_small_group_threshold_cannot_go_below_three(client, admin):
    client.login(admin)
    response = client.post(
        url_for("admin.settings"),
        data={
            "headcount": "",
            "small_group_threshold": "2",
            "cosponsors_needed": "0",
            "retention_days": "365",
        },
    )
    assert "Number must be between 3 and 1000." in response.get_data(as_text=True)
    assert instance_settings().small_group_threshold == 5


def test_organizers_define_groups_and_duplicates_are_refused(client, organizer):
    client.login(organizer)
    client.post(url_for("admin.groups"), data={"name": "Warehouse", "kind": "site"})
    response = client.post(url_for("admin.groups"), data={"name": "Warehouse", "kind": "site"})
    assert "There is already a group called" in response.get_data(as_text=True)
    assert db.session.scalars(select(Group.name)).all() == ["Warehouse"]


def test_an_admin_changes_a_role_but_not_the_last_admins(client, admin, member):
    client.login(admin)
    client.post(url_for("admin.change_role", user_id=member.id), data={"role": "organizer"})
    assert db.session.get(User, member.id).role == "organizer"
    client.post(url_for("admin.change_role", user_id=admin.id), data={"role": "member"})
    assert db.session.get(User, admin.id).role == "admin"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEADERSHIP])
def test_members_and_leadership_cannot_reach_admin_pages(client, make_user, role):
    client.login(make_user(role))
    for endpoint in ("admin.invites", "admin.settings", "admin.groups", "admin.users"):
        assert client.get(url_for(endpoint)).status_code == 403, endpoint
    assert client.post(url_for("admin.invites"), data={"role": "member", "uses": "1"}).status_code == 403
    assert count_rows(Invite) == 0


def test_organizers_cannot_reach_settings_or_roles(client, organizer, member):
    client.login(organizer)
    assert client.get(url_for("admin.settings")).status_code == 403
    assert client.get(url_for("admin.users")).status_code == 403
    client.post(url_for("admin.change_role", user_id=member.id), data={"role": "admin"})
    assert db.session.get(User, member.id).role == "member"


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(url_for("admin.invites"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for("auth.login"))

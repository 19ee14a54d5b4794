"""The public audit log: privileged actions are recorded and every role can read them."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from voicebox.extensions import db
from voicebox.models import AuditEvent, Role


def _actions() -> list[tuple[str, str]]:
    return [(e.actor_role, e.action) for e in db.session.scalars(select(AuditEvent))]


def test_every_signed_in_role_reads_the_audit_log(app, users):
    for role, user in users.items():
        client = app.test_client()
        client.login(user)
        response = client.get(url_for("audit.index"))
        assert response.status_code == 200, role
        assert "Audit log" in response.get_data(as_text=True)


def test_the_audit_log_needs_an_account(client):
    response = client.get(url_for("audit.index"))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_navigation_offers_audit_log_and_account_to_every_role(app, users):
    for user in users.values():
        client = app.test_client()
        client.login(user)
        page = client.get(url_for("main.index")).get_data(as_text=True)
        assert f'href="{url_for("audit.index")}"' in page
        assert f'href="{url_for("account.overview")}"' in page


def test_privileged_actions_are_recorded_with_role_and_day(client, admin, organizer, member, make_petition):
    client.login(admin)
    client.post(url_for("admin.invites"), data={"role": "member", "uses": "3"})
    client.post(url_for("admin.change_role", user_id=member.id), data={"role": "organizer"})
    client.post(
        url_for("admin.settings"),
        data={
            "headcount": "900",
            "small_group_threshold": "6",
            "cosponsors_needed": "0",
            "retention_days": "200",
        },
    )
    client.post(url_for("admin.groups"), data={"name": "Night shift", "kind": "department"})
    draft = make_petition(title="Audit me", status="draft")
    organizer_client = client.application.test_client()
    organizer_client.login(organizer)
    organizer_client.post(url_for("petitions.open_for_signing", petition_id=draft.id))
    organizer_client.post(url_for("petitions.close", petition_id=draft.id))
    actions = _actions()
    for expected in [
        ("admin", "issued an invite"),
        ("admin", "changed a role"),
        ("admin", "changed settings"),
        ("admin", "added a group"),
        ("organizer", "opened a petition"),
        ("organizer", "closed a petition"),
    ]:
        assert expected in actions, expected
    event = db.session.scalars(select(AuditEvent)).first()
    assert event is not None and event.occurred_on is not None
    page = client.get(url_for("audit.index")).get_data(as_text=True)
    assert "changed a role" in page
    assert "member → organizer" in page
    assert member.username not in page.split("</header>")[1]


def test_member_actions_are_never_audited(client, member, make_petition):
    petition = make_petition()
    before = len(_actions())
    client.login(member)
    client.post(url_for("petitions.sign", petition_id=petition.id), data={})
    client.post(url_for("petitions.withdraw", petition_id=petition.id))
    client.post(url_for("petitions.new"), data={"title": "t", "body": "b", "goal": "5"})
    assert len(_actions()) == before


def test_the_audit_log_pages_and_clamps_page_numbers(client, member):
    from voicebox.auditlog.record import record_event

    for number in range(120):
        record_event(db.session, Role.ADMIN.value, "changed settings", f"change {number}")
    db.session.commit()
    client.login(member)
    first = client.get(url_for("audit.index")).get_data(as_text=True)
    assert "change 119" in first and "Page 1 of 3" in first
    for odd in ("0", "-4", "999", "abc", "1e9"):
        assert client.get(url_for("audit.index", page=odd)).status_code == 200
    last = client.get(url_for("audit.index", page=3)).get_data(as_text=True)
    assert "change 0<" in last

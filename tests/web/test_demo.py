"""`flask --app app voicebox demo`: sample data on an empty instance, never on a real one."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.support import count_rows
from voicebox.demo import (
    CLOSED_PETITION,
    DEMO_PASSWORD,
    DRAFT_PETITION,
    OPEN_PETITION,
    PUBLISHED_REPORT,
    REPLIED_CONCERN,
)
from voicebox.extensions import db
from voicebox.models import (
    Concern,
    ConcernSupport,
    FollowupMessage,
    Group,
    OfficialResponse,
    Petition,
    Report,
    ReportVersion,
    Role,
    Signature,
    User,
)
from voicebox.petitions.breakdown import read_cells


def run_demo(app):
    return app.test_cli_runner().invoke(args=["voicebox", "demo"])


def petition_titled(title: str) -> Petition:
    return db.session.scalars(select(Petition).where(Petition.title == title)).one()


def test_demo_fills_an_empty_instance_with_petitions_at_every_stage(app, client):
    result = run_demo(app)

    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    for username in ("demo-admin", "demo-organizer", "demo-leadership", "demo-member"):
        assert username in result.output
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles[Role.ADMIN.value] == 1 and roles[Role.LEADERSHIP.value] == 1
    assert roles[Role.MEMBER.value] > 10
    assert count_rows(Group) >= 3

    draft, closed = petition_titled(DRAFT_PETITION), petition_titled(CLOSED_PETITION)
    opened = petition_titled(OPEN_PETITION)
    assert draft.status == "draft" and draft.cosponsor_count >= 1
    assert closed.status == "closed" and closed.signature_count > 0
    assert not app.extensions["voicebox.keys"].exists("petition", closed.id)
    assert opened.status == "open" and opened.signature_count >= 20
    signing_days = db.session.scalars(
        select(func.count(func.distinct(Signature.signed_on))).where(Signature.petition_id == opened.id)
    ).one()
    assert signing_days >= 5
    cells = read_cells(db.session, app.extensions["voicebox.secrets"].data_key, opened.id)
    assert len({group_id for group_id, _day in cells}) >= 3

    assert count_rows(Concern) >= 3 and count_rows(ConcernSupport) >= 10
    assert {c.status for c in db.session.scalars(select(Concern))} >= {"open", "in progress", "resolved"}
    assert count_rows(OfficialResponse) >= 2
    report = db.session.scalars(select(Report).where(Report.title == PUBLISHED_REPORT)).one()
    assert count_rows(ReportVersion, ReportVersion.report_id == report.id) == 1

    assert client.login("demo-member", DEMO_PASSWORD).status_code == 302
    page = client.get(f"/petitions/{opened.id}").get_data(as_text=True)
    assert OPEN_PETITION in page and f"<strong>{opened.signature_count}</strong>" in page


def test_demo_prints_a_receipt_that_opens_a_thread_with_a_leadership_reply(app, client):
    result = run_demo(app)
    receipt = result.output.split("receipt: ")[1].splitlines()[0].strip()
    replied = db.session.scalars(select(Concern).where(Concern.title == REPLIED_CONCERN)).one()
    assert count_rows(FollowupMessage, FollowupMessage.concern_id == replied.id) == 2

    client.login("colleague-01", DEMO_PASSWORD)
    page = client.post("/followup", data={"receipt": receipt, "message": ""}).get_data(as_text=True)

    assert REPLIED_CONCERN in page
    assert "Does it happen on every team" in page


def test_demo_refuses_an_instance_that_already_holds_data(app, member):
    users_before, petitions_before = count_rows(User), count_rows(Petition)

    result = run_demo(app)

    assert result.exit_code != 0
    assert "already holds data" in result.output
    assert count_rows(User) == users_before
    assert count_rows(Petition) == petitions_before


def test_demo_runs_once_then_refuses(app):
    assert run_demo(app).exit_code == 0
    users = count_rows(User)

    again = run_demo(app)

    assert again.exit_code != 0 and "already holds data" in again.output
    assert count_rows(User) == users

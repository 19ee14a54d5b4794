"""Templates never query: every page's data is gathered by its view before rendering.

A query from inside a template would hide database work where nobody looks for it (and,
with lazy loading, could reach rows the view never meant to show).
"""

from __future__ import annotations

import pytest
from flask import before_render_template, template_rendered, url_for
from sqlalchemy import event, select

from voicebox.extensions import db
from voicebox.models import Concern, Petition, Report

PAGES_BY_ROLE = {
    "demo-member": [
        "main.index",
        "petitions.index",
        "concerns.index",
        "reports.index",
        "responses.feed",
        "audit.index",
        "account.overview",
        "account.delete",
    ],
    "demo-organizer": [
        "dashboard.overview",
        "concerns.moderation_queue",
        "concerns.categories",
        "admin.invites",
        "admin.groups",
        "reports.new",
    ],
    "demo-leadership": ["main.index"],
    "demo-admin": ["admin.settings", "admin.users", "responses.threshold_settings"],
}


@pytest.fixture
def demo_app(app):
    result = app.test_cli_runner().invoke(args=["voicebox", "demo"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def queries_while_rendering(demo_app):
    depth = {"rendering": 0}
    offending: list[str] = []

    def started(*_args, **_kwargs):
        depth["rendering"] += 1

    def finished(*_args, **_kwargs):
        depth["rendering"] -= 1

    def on_query(_conn, _cursor, statement, *_rest):
        if depth["rendering"]:
            offending.append(statement)

    before_render_template.connect(started, demo_app)
    template_rendered.connect(finished, demo_app)
    event.listen(db.engine, "before_cursor_execute", on_query)
    yield offending
    event.remove(db.engine, "before_cursor_execute", on_query)
    before_render_template.disconnect(started, demo_app)
    template_rendered.disconnect(finished, demo_app)


def _item_pages() -> list[str]:
    petition = db.session.scalars(select(Petition).where(Petition.status == "open")).first()
    concern = db.session.scalars(select(Concern)).first()
    report = db.session.scalars(select(Report)).first()
    return [
        url_for("petitions.detail", petition_id=petition.id),
        url_for("concerns.detail", concern_id=concern.id),
        url_for("reports.detail", report_id=report.id),
    ]


@pytest.mark.parametrize("username", sorted(PAGES_BY_ROLE))
def test_no_page_queries_the_database_while_its_template_renders(
    demo_app, client, queries_while_rendering, username
):
    from voicebox.demo import DEMO_PASSWORD

    client.login(username, DEMO_PASSWORD)
    pages = [url_for(endpoint) for endpoint in PAGES_BY_ROLE[username]] + _item_pages()
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 404), page
    assert queries_while_rendering == []

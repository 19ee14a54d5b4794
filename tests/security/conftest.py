"""A small world for the adversarial suite: a client per role and one of each thing a route
can point at, so every rule in the URL map can be called with real ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from tests.support import VoiceboxClient
from voicebox.anonymity import coarse_date
from voicebox.auth import service as accounts
from voicebox.extensions import db
from voicebox.models import Invite, Petition, Role, User
from voicebox.unit_of_work import unit_of_work

ROLES = ("anonymous", "member", "organizer", "leadership", "admin")


@dataclass
class World:
    app: Flask
    users: dict[str, User]
    petition: Petition
    draft: Petition
    invite_id: int
    target_user_id: str
    concern_id: str = ""
    category_id: int = 0
    ids: dict[str, Any] = field(default_factory=dict)

    def client(self, role: str) -> VoiceboxClient:
        """A fresh client signed in as `role` (or not signed in, for "anonymous")."""
        client: VoiceboxClient = self.app.test_client()  # type: ignore[assignment]
        if role != "anonymous":
            client.login(self.users[role])
        return client

    def url_values(self) -> dict[str, Any]:
        """A value for every URL variable a rule may have."""
        return {
            "petition_id": self.petition.id,
            "invite_id": self.invite_id,
            "user_id": self.target_user_id,
            "token": "not-a-real-setup-token",
            "filename": "css/voicebox.css",
            "concern_id": self.concern_id,
            "category_id": self.category_id,
            "report_id": self.ids.get("report_id"),
            "threshold_id": 999_999,
            "handle": "0" * 32,
            "token_id": 999_999,
        }


@pytest.fixture
def world(
    app: Flask,
    users: dict[str, User],
    make_user: Callable[..., User],
    make_petition,
    make_group,
    make_category,
    make_concern,
) -> World:
    group = make_group("Logistics")
    petition = make_petition(title="Open petition")
    draft = make_petition(title="Draft petition", status="draft")
    with unit_of_work(db.session):
        invite_code = accounts.create_invite(
            Role.MEMBER,
            uses=1,
            expires_on=None,
            pepper=app.extensions["voicebox.secrets"].pepper,
            actor_role="admin",
            today=coarse_date(),
        )
    invite_id = db.session.scalars(db.select(Invite.id)).first()
    target = make_user(Role.MEMBER, "target")
    world = World(app, users, petition, draft, int(invite_id or 0), target.id)
    category = make_category("Rotas")
    concern, receipt = make_concern(category_id=category.id)
    world.ids.update(
        group_id=group.id, invite_code=invite_code, receipt=receipt, category_id_value=category.id
    )
    world.concern_id, world.category_id = concern.id, category.id
    from voicebox.reports import service as reports

    today = coarse_date()
    draft = reports.ReportDraft(
        "Quarterly report", today - timedelta(days=30), today, "Narrative", [petition.id], [concern.id]
    )
    with unit_of_work(db.session):
        published = reports.create_report(draft, actor_role="organizer", today=today)
        reports.publish_report(
            published.id, 0, threshold=5, headcount=None, actor_role="organizer", today=today
        )
        unpublished = reports.create_report(draft, actor_role="organizer", today=today)
    world.ids.update(report_id=published.id, draft_report_id=unpublished.id)
    return world

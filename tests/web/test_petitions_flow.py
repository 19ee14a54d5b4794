"""A member starts a petition, colleagues sign and withdraw, the tally follows."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from tests.conftest import count_rows
from voicebox.anonymity import coarse_date
from voicebox.auth.service import instance_settings
from voicebox.extensions import db
from voicebox.models import Petition, PetitionStatus, Role, Signature


def test_member_starts_a_draft_that_names_no_author(client, member):
    client.login(member)
    response = client.post(
        url_for("petitions.new"),
        data={"title": "Stop the screen recorder", "body": "Please **stop** it.", "goal": "500",
              "closes_on": (coarse_date() + timedelta(days=20)).isoformat()},
    )
    petition = db.session.scalars(select(Petition)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url_for("petitions.detail", petition_id=petition.id))
    assert petition.status == PetitionStatus.DRAFT
    assert petition.goal == 500
    page = client.get(url_for("petitions.detail", petition_id=petition.id)).get_data(as_text=True)
    assert "You started this draft" in page
    assert "<strong>stop</strong>" in page
    assert member.username not in page.split("</header>")[1]

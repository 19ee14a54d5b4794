"""Flagging asks first, and a flag can be taken back while the concern is open."""

from __future__ import annotations

from flask import url_for

from tests.support import count_rows
from voicebox.extensions import db
from voicebox.models import Concern, ConcernFlag, Role


def _flags(concern_id: str) -> int:
    db.session.expire_all()
    return db.session.get(Concern, concern_id).flag_count


def test_flagging_goes_through_a_confirmation_page(client, member, make_concern):
    concern, _ = make_concern()
    client.login(member)
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert f'href="{url_for("concerns.confirm_flag", concern_id=concern.id)}"' in page
    confirm = client.get(url_for("concerns.confirm_flag", concern_id=concern.id)).get_data(as_text=True)
    assert "You can take your flag back while the concern is open." in confirm
    assert _flags(concern.id) == 0


def test_a_flag_is_taken_back_and_its_row_is_gone(client, member, make_concern):
    concern, _ = make_concern()
    client.login(member)
    client.post(url_for("concerns.flag", concern_id=concern.id))
    assert _flags(concern.id) == 1
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "Take back my flag" in page
    done = client.post(url_for("concerns.unflag", concern_id=concern.id), follow_redirects=True)
    assert "Your flag is taken back." in done.get_data(as_text=True)
    assert _flags(concern.id) == 0
    assert count_rows(ConcernFlag) == 0


def test_only_your_own_flag_can_be_taken_back(client, make_user, make_concern):
    concern, _ = make_concern()
    client.login(make_user(Role.MEMBER, "flagger"))
    client.post(url_for("concerns.flag", concern_id=concern.id))
    client.logout()
    client.login(make_user(Role.MEMBER, "bystander"))
    refused = client.post(url_for("concerns.unflag", concern_id=concern.id), follow_redirects=True)
    assert "You haven&#39;t flagged this concern." in refused.get_data(as_text=True)
    assert _flags(concern.id) == 1


def test_a_flag_is_permanent_once_the_concern_is_closed(client, member, organizer, make_concern):
    concern, _ = make_concern()
    client.login(member)
    client.post(url_for("concerns.flag", concern_id=concern.id))
    client.logout()
    client.login(organizer)
    client.post(url_for("concerns.status", concern_id=concern.id), data={"status": "declined"})
    client.logout()
    client.login(member)
    refused = client.post(url_for("concerns.unflag", concern_id=concern.id), follow_redirects=True)
    assert "flags on it are permanent" in refused.get_data(as_text=True)
    assert count_rows(ConcernFlag) == 1


def test_hiding_asks_first_with_the_reason_carried_over(client, organizer, make_concern):
    concern, _ = make_concern()
    client.login(organizer)
    confirm = client.get(
        url_for("concerns.confirm_hide", concern_id=concern.id, reason="Names a colleague")
    ).get_data(as_text=True)
    assert "Hide this concern?" in confirm and 'value="Names a colleague"' in confirm
    db.session.expire_all()
    assert not db.session.get(Concern, concern.id).hidden

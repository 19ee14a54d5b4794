"""Organizers hide, unhide, review flags, move status and keep categories; nobody else can."""

from __future__ import annotations

import pytest
from flask import url_for

from tests.support import count_rows
from voicebox.extensions import db
from voicebox.models import AuditEvent, Category, Concern, ConcernStatusChange


def _fresh(concern_id):
    db.session.expire_all()
    return db.session.get(Concern, concern_id)


def test_organizer_hides_with_a_reason_and_unhides(client, organizer, make_concern):
    concern, _ = make_concern()
    client.login(organizer)
    response = client.post(
        url_for("concerns.hide", concern_id=concern.id), data={"reason": "  "}, follow_redirects=True
    )
    assert "Give the reason members will see" in response.get_data(as_text=True)
    assert not _fresh(concern.id).hidden

    client.post(url_for("concerns.hide", concern_id=concern.id), data={"reason": "Names a colleague"})
    hidden = _fresh(concern.id)
    assert hidden.hidden and hidden.hidden_reason == "Names a colleague" and hidden.hidden_on
    assert count_rows(AuditEvent, AuditEvent.action == "hid a concern") == 1
    queue = client.get(url_for("concerns.moderation_queue")).get_data(as_text=True)
    assert "Hidden (1)" in queue and "Names a colleague" in queue

    client.post(url_for("concerns.unhide", concern_id=concern.id))
    assert not _fresh(concern.id).hidden
    assert count_rows(AuditEvent, AuditEvent.action == "unhid a concern") == 1


def test_flagged_concerns_wait_in_the_queue_until_reviewed(client, organizer, make_user, make_concern):
    concern, _ = make_concern("Flag me")
    for _ in range(2):
        client.login(make_user())
        client.post(url_for("concerns.flag", concern_id=concern.id))
        client.logout()
    client.login(organizer)
    queue = client.get(url_for("concerns.moderation_queue")).get_data(as_text=True)
    assert "Flagged (1)" in queue and "Flag me" in queue and "<strong>2</strong> flags" in queue
    client.post(url_for("concerns.dismiss_flags", concern_id=concern.id))
    queue = client.get(url_for("concerns.moderation_queue")).get_data(as_text=True)
    assert "Flagged (0)" in queue
    assert _fresh(concern.id).flag_count == 0


def test_status_moves_forward_with_dated_history(app, client, organizer, make_concern):
    concern, _ = make_concern()
    keys = app.extensions["voicebox.keys"]
    client.login(organizer)
    for status in ("acknowledged", "in progress"):
        client.post(url_for("concerns.status", concern_id=concern.id), data={"status": status})
    back = client.post(
        url_for("concerns.status", concern_id=concern.id), data={"status": "open"}, follow_redirects=True
    )
    assert "cannot move to" in back.get_data(as_text=True)
    assert _fresh(concern.id).status == "in progress"
    assert keys.exists("concern", concern.id)  # still open: the key is still in the store
    done = client.post(
        url_for("concerns.status", concern_id=concern.id), data={"status": "declined"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "nobody can ever find out who said it" in done
    assert not keys.exists("concern", concern.id) and keys.get("concern", concern.id) is None
    history = [c.status for c in db.session.query(ConcernStatusChange).order_by(ConcernStatusChange.position)]
    assert history == ["open", "acknowledged", "in progress", "declined"]
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert f'Acknowledged</span> · <time datetime="{concern.created_on.isoformat()}">' in page
    assert count_rows(AuditEvent, AuditEvent.action == "changed a concern's status") == 3
    again = client.post(
        url_for("concerns.status", concern_id=concern.id), data={"status": "resolved"}, follow_redirects=True
    )
    assert "cannot move to" in again.get_data(as_text=True)


def test_organizer_keeps_categories(client, organizer, make_concern):
    client.login(organizer)
    client.post(url_for("concerns.categories"), data={"name": "Health and safety", "description": "Desks"})
    duplicate = client.post(url_for("concerns.categories"), data={"name": "Health and safety"})
    assert "already exists" in duplicate.get_data(as_text=True)
    empty = client.post(url_for("concerns.categories"), data={"name": " "})
    assert "Give the category a name." in empty.get_data(as_text=True)
    category = db.session.query(Category).one()
    concern, _ = make_concern(category_id=category.id)
    new_form = client.get(url_for("concerns.new")).get_data(as_text=True)
    assert "Health and safety" in new_form
    client.post(url_for("concerns.delete_category", category_id=category.id))
    assert count_rows(Category) == 0
    assert _fresh(concern.id).category_id is None
    assert (
        client.post(url_for("concerns.delete_category", category_id=999), follow_redirects=True).status_code
        == 200
    )


MODERATION_ROUTES = [
    ("get", "concerns.moderation_queue", False, {}),
    ("get", "concerns.categories", False, {}),
    ("post", "concerns.categories", False, {"name": "Sneaky"}),
    ("post", "concerns.delete_category", "category", {}),
    ("post", "concerns.hide", True, {"reason": "because"}),
    ("post", "concerns.unhide", True, {}),
    ("post", "concerns.dismiss_flags", True, {}),
    ("post", "concerns.status", True, {"status": "acknowledged"}),
]


@pytest.mark.parametrize(("method", "endpoint", "needs", "data"), MODERATION_ROUTES)
@pytest.mark.parametrize("role", ["anonymous", "member", "leadership", "admin", "organizer"])
def test_moderation_role_matrix(
    client, users, make_concern, make_category, role, method, endpoint, needs, data
):
    concern, _ = make_concern("Matrix", "Body", make_category("Existing").id)
    kwargs = {}
    if needs is True:
        kwargs["concern_id"] = concern.id
    elif needs == "category":
        kwargs["category_id"] = concern.category_id
    if role != "anonymous":
        client.login(users[role])
    url = url_for(endpoint, **kwargs)
    response = client.get(url) if method == "get" else client.post(url, data=data)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif role == "organizer":
        assert response.status_code in {200, 302}
    else:
        assert response.status_code == 403
    if role != "organizer":
        stored = _fresh(concern.id)
        assert not stored.hidden and stored.status == "open"
        assert count_rows(Category) == 1


def test_leadership_sees_no_flags_or_moderation_controls(client, users, make_concern):
    concern, _ = make_concern()
    client.login(users["member"])
    client.post(url_for("concerns.flag", concern_id=concern.id))
    client.logout()
    client.login(users["leadership"])
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "flag" not in page.lower()
    assert "Hide this concern" not in page and "Change status" not in page
    assert "Private thread with the author" in page
    nav = page.split("</nav>")[0]
    assert "Moderation" not in nav and "Categories" not in nav and "Concerns" in nav

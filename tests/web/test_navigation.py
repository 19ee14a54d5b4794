"""The navigation shows each role its own areas and marks exactly one as the current page."""

from __future__ import annotations

import re

from flask import url_for


def _current_labels(html: str) -> list[str]:
    return re.findall(r'aria-current="page">([^<]+)<', html)


def test_exactly_one_item_is_current_on_a_sub_page(client, organizer):
    client.login(organizer)
    moderation = client.get(url_for("concerns.moderation_queue")).get_data(as_text=True)
    assert _current_labels(moderation) == ["Moderation"]
    listing = client.get(url_for("concerns.index")).get_data(as_text=True)
    assert _current_labels(listing) == ["Concerns"]


def test_members_see_no_organizer_or_admin_items(client, member):
    client.login(member)
    page = client.get(url_for("petitions.index")).get_data(as_text=True)
    nav = page.split('aria-label="Main"')[1].split("</nav>")[0]
    assert "Petitions" in nav and "Concerns" in nav
    for label in ("Moderation", "Invites", "Settings", "Accounts"):
        assert label not in nav


def test_an_item_shows_exactly_to_the_roles_its_page_lets_in(app, client, users):
    from voicebox.navigation import NAV_ITEMS

    with app.test_request_context():
        invites = url_for("admin.invites")
    for role, user in users.items():
        client.login(user)
        shown = invites in client.get("/").get_data(as_text=True)
        allowed = client.get(invites).status_code == 200
        assert shown == allowed, role
        client.logout()
    assert any(item.endpoint == "admin.invites" for item in NAV_ITEMS)


def test_a_menu_item_naming_no_page_is_an_error_not_skipped(app, client, member, monkeypatch):
    import pytest

    from voicebox import navigation

    extra = navigation.NavItem("Gone", "nowhere.page")
    monkeypatch.setattr(navigation, "NAV_ITEMS", [*navigation.NAV_ITEMS, extra])
    client.login(member)
    with pytest.raises(LookupError, match=r"nowhere\.page"):
        client.get("/")

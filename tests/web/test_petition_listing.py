"""The petition list: search title and text, filter by status, sort three ways."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for

from voicebox.anonymity import coarse_date


def _titles(client, **query) -> list[str]:
    page = client.get(url_for("petitions.index", **query)).get_data(as_text=True)
    return [chunk.split("</a>")[0].split(">")[-1] for chunk in page.split("<h3>")[1:]]


def test_search_finds_words_in_the_title_or_the_text(client, member, make_petition):
    make_petition(title="Fair rotas", body="Publish them early.")
    make_petition(title="Canteen prices", body="Cheaper **rotas** of soup.")
    make_petition(title="Parking", body="More spaces.")
    client.login(member)
    assert sorted(_titles(client, q="ROTAS")) == ["Canteen prices", "Fair rotas"]
    assert _titles(client, q="parking") == ["Parking"]
    assert _titles(client, q="100%_") == []  # wildcards are matched literally


def test_status_filter_and_drafts_only_for_roles_that_read_drafts(client, member, leadership, make_petition):
    make_petition(title="Open one")
    make_petition(title="Draft one", status="draft")
    make_petition(title="Closed one", status="closed")
    client.login(member)
    assert _titles(client, status="draft") == ["Draft one"]
    assert _titles(client, status="closed") == ["Closed one"]
    client.logout()
    client.login(leadership)
    # Leadership never sees drafts: the filter falls back to every public status.
    assert sorted(_titles(client, status="draft")) == ["Closed one", "Open one"]


def test_sorting_by_signatures_newest_and_closing_soonest(client, member, make_user, make_petition, sign):
    today = coarse_date()
    later = make_petition(title="Later", closes_on=today + timedelta(days=40))
    soon = make_petition(title="Soon", closes_on=today + timedelta(days=3))
    popular = make_petition(title="Popular", closes_on=today + timedelta(days=20))
    for n in range(3):
        sign(popular, make_user(username=f"signer{n}"))
    sign(soon, make_user(username="one-more"))
    client.login(member)
    assert _titles(client) == ["Popular", "Soon", "Later"]
    assert _titles(client, sort="closing") == ["Soon", "Popular", "Later"]
    assert _titles(client, sort="nonsense") == ["Popular", "Soon", "Later"]
    assert later.title in _titles(client, sort="newest")


def test_odd_query_strings_never_fail(client, member, make_petition):
    make_petition()
    client.login(member)
    for query in ({"page": "999999999"}, {"page": "-1"}, {"status": "<b>"}, {"q": "x" * 5000}):
        assert client.get(url_for("petitions.index", **query)).status_code == 200

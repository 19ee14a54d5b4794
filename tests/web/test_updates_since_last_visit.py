"""Home shows what changed on open items a member takes part in, since their last visit,
worked out from their nullifiers; the last visit lives only in their own session cookie."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for

from tests.support import dump_database
from voicebox.anonymity import coarse_date
from voicebox.models import Role


def _home(client) -> str:
    return client.get(url_for("main.index")).get_data(as_text=True)


def _news(page: str) -> str:
    return page.split('id="news-heading"')[1].split("</section>")[0]


def test_a_signer_sees_new_signatures_on_what_they_signed_only(
    client, member, make_user, make_petition, sign
):
    mine = make_petition(title="Fair rotas")
    other = make_petition(title="Parking spaces")
    sign(mine, member)
    for n in range(2):
        sign(mine, make_user(Role.MEMBER, f"colleague{n}"))
        sign(other, make_user(Role.MEMBER, f"driver{n}"))
    client.login(member)
    news = _news(_home(client))
    assert "Fair rotas" in news and "3 new signatures" in news and "You signed" in news
    assert "Parking spaces" not in news


def test_a_supporter_sees_a_concern_move_and_nobody_else_does(
    client, member, make_user, organizer, make_concern
):
    concern, _ = make_concern(title="Broken heating")
    client.login(member)
    client.post(url_for("concerns.support", concern_id=concern.id))
    client.logout()
    client.login(organizer)
    client.post(url_for("concerns.status", concern_id=concern.id), data={"status": "acknowledged"})
    client.logout()
    client.login(member)
    assert "Now acknowledged" in _news(_home(client))
    client.logout()
    client.login(make_user(Role.MEMBER, "bystander"))
    assert "Broken heating" not in _news(_home(client))


def test_the_last_visit_is_kept_in_the_cookie_and_never_in_the_database(
    app, client, member, make_petition, sign
):
    petition = make_petition(title="Fair rotas")
    sign(petition, member)
    client.login(member)
    before = dump_database(app)
    _home(client)
    assert dump_database(app) == before
    with client.session_transaction() as session:
        assert session["visits"][1] == coarse_date().isoformat()
        # Dates are whole days, so news is what is dated on or after the previous visit:
        # a previous visit after today's signatures leaves nothing new.
        session["visits"] = [(coarse_date() + timedelta(days=1)).isoformat(), coarse_date().isoformat()]
    assert "Nothing new." in _news(_home(client))
    with client.session_transaction() as session:
        session["visits"] = ["not a date", (coarse_date() - timedelta(days=1)).isoformat()]
    assert "Fair rotas" in _news(_home(client))  # a new day: the stored day becomes "previous"


def test_closed_items_drop_out(client, member, organizer, make_petition, sign):
    petition = make_petition(title="Fair rotas")
    sign(petition, member)
    client.login(organizer)
    client.post(url_for("petitions.close", petition_id=petition.id))
    client.logout()
    client.login(member)
    assert "Fair rotas" not in _news(_home(client))


def test_an_admin_sees_the_first_run_checklist_until_it_is_done(client, admin):
    client.login(admin)
    page = _home(client)
    assert "Set up this instance" in page and "Set the staff headcount" in page
    assert 'id="news-heading"' not in page

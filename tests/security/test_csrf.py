"""Every POST route without a CSRF token gets 400 and changes nothing."""

from __future__ import annotations

import pytest
from flask import url_for

from tests.security.test_role_matrix import url_of
from tests.security.valid_forms import valid_forms
from tests.support import dump_database


def post_endpoints(app) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())})


# Exempt on purpose: they carry no ambient authority (the token in the body is the
# authority) and refuse any request carrying the sign-in cookie, tested below.
CSRF_EXEMPT = frozenset({"tokens.redeem", "tokens.withdraw"})
# The language switcher needs no token: it writes only the page-language cookie, so a forged
# request can change nothing but the language (tested below).
LANGUAGE_SWITCHER = "i18n.choose_language"


def test_the_csrf_exempt_routes_refuse_a_signed_in_request_and_change_nothing(app, world):
    client = world.client("member")
    for endpoint in sorted(CSRF_EXEMPT):
        before = dump_database(app)
        body = {"petition_id": world.petition.id, "token": "", "signature": "", "phrase": ""}
        response = client.post(url_of(app, world, endpoint), json=body, csrf=False)
        assert response.status_code == 400, endpoint
        assert "sign-in cookie" in response.get_json()["error"]
        assert dump_database(app) == before, endpoint


def test_a_forged_language_switch_changes_only_the_language_cookie(app, world):
    client = world.client("member")
    before = dump_database(app)
    response = client.post(url_of(app, world, LANGUAGE_SWITCHER), data={"language": "de"}, csrf=False)
    assert response.status_code == 302
    assert [c.split("=")[0] for c in response.headers.getlist("Set-Cookie")] == ["voicebox_lang"]
    assert dump_database(app) == before


def test_every_post_route_has_a_valid_form(app, world):
    missing = set(post_endpoints(app)) - set(valid_forms(world))
    assert not missing, f"POST routes without a valid form in tests/security/valid_forms.py: {missing}"


@pytest.mark.parametrize("as_target", [False, True], ids=["open-petition", "draft-petition"])
def test_posts_without_a_token_are_refused_and_change_nothing(app, world, as_target):
    if as_target:
        world.petition = world.draft  # opening and co-sponsoring need a draft to act on
    forms = valid_forms(world)
    for endpoint in sorted(set(post_endpoints(app)) - CSRF_EXEMPT - {LANGUAGE_SWITCHER}):
        role, data = forms[endpoint]
        for who in {role, "anonymous"}:
            client = world.client(who)
            before = dump_database(app)
            response = client.post(url_of(app, world, endpoint), data=data, csrf=False)
            assert response.status_code == 400, (endpoint, who, response.status_code)
            assert "Error 400" in response.get_data(as_text=True)
            assert dump_database(app) == before, f"{endpoint} changed data without a CSRF token"


def test_a_token_from_another_session_is_refused(app, world):
    stranger = world.client("member")
    token = stranger.csrf_token()
    victim = world.client("member")
    with victim.session_transaction() as session:
        session["csrf_token"] = "a-different-session-secret-0000000000"
    url = url_for("petitions.sign", petition_id=world.petition.id)
    response = victim.post(url, data={"csrf_token": token}, csrf=False)
    assert response.status_code == 400


def test_the_valid_forms_do_work_with_a_token(app, world):
    """The CSRF test is only meaningful if these forms would have changed something."""
    forms = valid_forms(world)
    for endpoint in ("petitions.sign", "admin.groups", "admin.settings", "petitions.new"):
        role, data = forms[endpoint]
        before = dump_database(app)
        response = world.client(role).post(url_of(app, world, endpoint), data=data)
        assert response.status_code in {200, 302}
        assert dump_database(app) != before, endpoint

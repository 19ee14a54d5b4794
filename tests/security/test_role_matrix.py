"""Every route × every role × every method, against one readable table of expectations.

The table is checked against the app's URL map: a route added without an entry here
fails `test_every_route_has_an_expectation`, so nobody ships a page without deciding
who may open it.
"""

from __future__ import annotations

import pytest
from flask import url_for

from tests.security.conftest import ROLES

LOGIN = "login"  # a redirect to the sign-in page


def everyone(status: int) -> dict[str, int | str]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int) -> dict[str, int | str]:
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], status)}


def signed_out_only(status: int) -> dict[str, int | str]:
    """Pages for visitors; signed-in users are sent home."""
    return {"anonymous": status, **dict.fromkeys(ROLES[1:], 302)}


def only(*roles: str, status: int = 200) -> dict[str, int | str]:
    table: dict[str, int | str] = {"anonymous": LOGIN}
    for role in ROLES[1:]:
        table[role] = status if role in roles else 403
    return table


PARTICIPANTS = ("member", "organizer")
STAFF = ("organizer", "admin")

# (endpoint, method) → expected status per role. POSTs carry a valid CSRF token and an
# empty form: enough to reach the view, never enough to change anything important.
EXPECTED: dict[tuple[str, str], dict[str, int | str]] = {
    ("static", "GET"): everyone(200),
    ("main.index", "GET"): everyone(200),
    ("main.healthz", "GET"): everyone(200),
    ("auth.login", "GET"): signed_out_only(200),
    ("auth.login", "POST"): signed_out_only(200),
    ("auth.register", "GET"): signed_out_only(200),
    ("auth.register", "POST"): signed_out_only(200),
    ("auth.logout", "GET"): {"anonymous": 302, **dict.fromkeys(ROLES[1:], 200)},
    ("auth.logout", "POST"): everyone(302),
    ("auth.setup", "GET"): everyone(404),  # a wrong set-up token reveals nothing
    ("auth.setup", "POST"): everyone(404),
    ("account.overview", "GET"): signed_in(200),
    ("account.data", "GET"): signed_in(200),
    ("account.password", "GET"): signed_in(200),
    ("account.password", "POST"): signed_in(200),
    ("account.delete", "GET"): signed_in(200),
    ("account.delete", "POST"): signed_in(200),
    ("audit.index", "GET"): signed_in(200),
    ("petitions.index", "GET"): signed_in(200),
    ("petitions.detail", "GET"): signed_in(200),
    ("petitions.tally", "GET"): signed_in(200),
    ("petitions.new", "GET"): only(*PARTICIPANTS),
    ("petitions.new", "POST"): only(*PARTICIPANTS),
    ("petitions.sign", "POST"): only(*PARTICIPANTS, status=302),
    ("petitions.withdraw", "POST"): only(*PARTICIPANTS, status=302),
    ("petitions.cosponsor", "POST"): only(*PARTICIPANTS, status=302),
    ("petitions.open_for_signing", "POST"): only("organizer", status=302),
    ("petitions.close", "POST"): only("organizer", status=302),
    ("petitions.confirm_close", "GET"): only("organizer"),
    ("petitions.confirm_withdraw", "GET"): only(*PARTICIPANTS),
    ("petitions.edit", "GET"): only(*PARTICIPANTS, status=302),  # not their draft: sent back
    ("petitions.edit", "POST"): only(*PARTICIPANTS, status=302),
    ("petitions.confirm_reject", "GET"): only("organizer", status=302),  # an open petition
    ("petitions.reject", "POST"): only("organizer"),  # no reason: the page asks for one
    ("concerns.index", "GET"): signed_in(200),
    ("concerns.detail", "GET"): signed_in(200),
    ("concerns.new", "GET"): only(*PARTICIPANTS),
    ("concerns.new", "POST"): only(*PARTICIPANTS),
    ("concerns.support", "POST"): only(*PARTICIPANTS, status=302),
    ("concerns.flag", "POST"): only(*PARTICIPANTS, status=302),
    ("concerns.confirm_flag", "GET"): only(*PARTICIPANTS),
    ("concerns.unflag", "POST"): only(*PARTICIPANTS, status=302),
    ("concerns.confirm_hide", "GET"): only("organizer"),
    ("concerns.reply", "POST"): only("organizer", "leadership", status=302),
    ("followup.thread", "GET"): only(*PARTICIPANTS),
    ("followup.thread", "POST"): only(*PARTICIPANTS),
    ("concerns.moderation_queue", "GET"): only("organizer"),
    ("concerns.hide", "POST"): only("organizer", status=302),
    ("concerns.unhide", "POST"): only("organizer", status=302),
    ("concerns.dismiss_flags", "POST"): only("organizer", status=302),
    ("concerns.status", "POST"): only("organizer", status=302),
    ("concerns.categories", "GET"): only("organizer"),
    ("concerns.categories", "POST"): only("organizer"),
    ("concerns.delete_category", "POST"): only("organizer", status=302),
    ("reports.index", "GET"): signed_in(200),
    ("reports.detail", "GET"): signed_in(200),  # a published report
    ("reports.chart", "GET"): signed_in(200),
    ("reports.new", "GET"): only("organizer"),
    ("reports.new", "POST"): only("organizer"),
    ("reports.edit", "GET"): only("organizer"),
    ("reports.edit", "POST"): only("organizer"),
    ("reports.publish", "POST"): only("organizer", status=400),  # no expected_version given
    ("responses.feed", "GET"): signed_in(200),
    ("responses.respond_to_petition", "POST"): only("leadership", status=302),
    ("responses.respond_to_concern", "POST"): only("leadership", status=302),
    ("responses.threshold_settings", "GET"): only("admin"),
    ("responses.threshold_settings", "POST"): only("admin"),
    ("responses.remove_threshold", "POST"): only("admin", status=302),
    ("dashboard.overview", "GET"): only("organizer"),
    ("petitions.chart", "GET"): signed_in(200),
    ("petitions.hide_comment", "POST"): only("organizer", status=302),
    ("petitions.unhide_comment", "POST"): only("organizer", status=404),  # no such comment in the world
    ("api.openapi", "GET"): everyone(200),
    ("api.petitions", "GET"): {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ("api.petition", "GET"): {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ("api.report", "GET"): {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ("api.report_list", "GET"): {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ("api.report_versions", "GET"): {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ("api.concern", "GET"): {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ("api.concern_list", "GET"): {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ("api.response_feed", "GET"): {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ("api_tokens.index", "GET"): signed_in(200),
    ("api_tokens.index", "POST"): signed_in(200),
    ("api_tokens.revoke", "POST"): signed_in(302),
    ("admin.invites", "GET"): only(*STAFF),
    ("admin.invites", "POST"): only(*STAFF),
    ("admin.revoke_invite", "POST"): only(*STAFF, status=302),
    ("admin.groups", "GET"): only(*STAFF),
    ("admin.groups", "POST"): only(*STAFF),
    ("admin.settings", "GET"): only("admin"),
    ("admin.settings", "POST"): only("admin", status=302),  # an empty form keeps the settings
    ("admin.users", "GET"): only("admin"),
    ("admin.change_role", "POST"): only("admin", status=302),
    # Blind-token signing: issuance is signed in (an empty form isn't the JSON it takes);
    # redemption and withdrawal refuse any request that carries the sign-in cookie.
    ("tokens.keys", "POST"): only(*PARTICIPANTS),
    ("tokens.issue", "POST"): only(*PARTICIPANTS, status=400),
    ("tokens.redeem", "POST"): everyone(400),
    ("tokens.withdraw", "POST"): everyone(400),
    ("i18n.choose_language", "POST"): everyone(302),
    ("tokens.words", "GET"): everyone(200),
    ("tokens.counted", "GET"): signed_in(200),
    ("tokens.counted_supports", "GET"): signed_in(200),
    ("tokens.counted_cosponsors", "GET"): signed_in(200),
}


def route_methods(app) -> set[tuple[str, str]]:
    """Every (endpoint, method) the app answers, HEAD and OPTIONS aside."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }


def url_of(app, world, endpoint: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = world.url_values()
    return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def test_every_route_has_an_expectation(app):
    missing = sorted(route_methods(app) - set(EXPECTED))
    assert not missing, f"routes without an entry in the role matrix: {missing}"


def test_the_matrix_names_no_route_that_is_gone(app):
    stale = sorted(set(EXPECTED) - route_methods(app))
    assert not stale, f"role-matrix entries for routes that no longer exist: {stale}"


@pytest.mark.parametrize(("endpoint", "method"), sorted(EXPECTED))
def test_role_matrix(app, world, endpoint, method):
    url = url_of(app, world, endpoint)
    seen = {}
    for role in ROLES:
        client = world.client(role)
        response = client.post(url, data={}) if method == "POST" else client.open(url, method=method)
        expected = EXPECTED[(endpoint, method)][role]
        if expected == LOGIN:
            ok = response.status_code == 302 and "/login" in response.headers.get("Location", "")
        else:
            ok = response.status_code == expected
        response.close()
        seen[role] = (response.status_code, response.headers.get("Location"), ok)
    wrong = {role: result[:2] for role, result in seen.items() if not result[2]}
    assert not wrong, f"{method} {url}: expected {EXPECTED[(endpoint, method)]}, got {wrong}"


def test_every_route_refuses_methods_it_does_not_take(app, world):
    client = world.client("admin")
    for rule in app.url_map.iter_rules():
        url = url_of(app, world, rule.endpoint)
        for method in ("PUT", "DELETE", "PATCH"):
            if method not in (rule.methods or ()):
                response = client.open(url, method=method)
                response.close()
                assert response.status_code == 405, (method, url)

"""Concern, report, response, dashboard, admin, token and audit pages in German.

Every page renders in either language (a translated message with a stray % or a missing
placeholder would fail here), and the English pages keep their wording.
"""

from __future__ import annotations

from flask import url_for

PAGES = {
    "member": [
        ("concerns.index", {}),
        ("concerns.new", {}),
        ("followup.thread", {}),
        ("reports.index", {}),
        ("responses.feed", {}),
        ("audit.index", {}),
        ("api_tokens.index", {}),
    ],
    "organizer": [
        ("concerns.moderation_queue", {}),
        ("concerns.categories", {}),
        ("dashboard.overview", {}),
        ("reports.new", {}),
        ("admin.invites", {}),
        ("admin.groups", {}),
    ],
    "admin": [
        ("admin.settings", {}),
        ("admin.users", {}),
        ("responses.threshold_settings", {}),
    ],
    "leadership": [("main.index", {})],
}


def test_every_page_renders_in_german_and_in_english(client, users, make_concern, make_petition, sign):
    concern, _ = make_concern()
    petition = make_petition()
    sign(petition, users["member"])
    for language in ("de", "en"):
        client.set_cookie("voicebox_lang", language)
        for role, pages in PAGES.items():
            client.login(users[role])
            extra = (
                [("concerns.detail", {"concern_id": concern.id})] if role in ("member", "organizer") else []
            )
            for endpoint, args in pages + extra:
                response = client.get(url_for(endpoint, **args))
                assert response.status_code == 200, (language, endpoint)
                assert f'<html lang="{language}">' in response.get_data(as_text=True)
            client.logout()


def test_the_audit_log_names_stored_actions_in_the_page_language(app):
    from voicebox.auditlog.labels import ACTION_LABELS, action_label

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert action_label("hid a concern") == "hid a concern"
        assert action_label("published a report (version 3)") == "published a report (version 3)"
        assert action_label("responded to a concern (in progress)") == "responded to a concern (in progress)"
        assert action_label("something new") == "something new"
        assert all(str(label) == action for action, label in ACTION_LABELS.items())


def test_services_answer_in_english_outside_a_page_request(app):
    from voicebox.labels import request_gettext, request_ngettext

    assert request_gettext("Keep the title under %(max)s characters.", max=200) == (
        "Keep the title under 200 characters."
    )
    assert request_ngettext("%(num)s day", "%(num)s days", 2) == "2 days"
    with app.test_request_context("/api/v1/petitions", headers={"Accept-Language": "de"}):
        assert request_gettext("There is no such concern.") == "There is no such concern."

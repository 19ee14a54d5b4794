"""Pages in the member's language: chosen by the browser or the footer switcher, kept only in
the member's own cookie (never the database, A3), with German dates, numbers and messages.

German phrases are asked of the catalogue (`german("English msgid")`), so the tests follow
the translations instead of repeating them.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Flask, url_for
from sqlalchemy import inspect as sa_inspect

from tests.catalogue import german
from tests.support import dump_database, recorded_writes
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.i18n import LANGUAGE_COOKIE, ONE_YEAR

WELCOME_HEADING = "Speak up together, without being singled out"
REGISTER_BUTTON = "Register with an invite"
SIGNED_OUT = "You are signed out."


def text_of(response: Any) -> str:
    """The page as a reader sees its characters: entities decoded, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def contains(response: Any, phrase: str) -> bool:
    return re.sub(r"\s+", " ", phrase) in text_of(response)


def page_language(response: Any) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert found, "the page has no <html lang>"
    return found.group(1)


def set_cookies(response: Any) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def switch(client: Any, language: str, next_path: str | None = "/", **headers: Any) -> Any:
    data = {"language": language}
    if next_path is not None:
        data["next"] = next_path
    # As the footer's form posts it: no CSRF token (the switcher is exempt), so the test
    # client starts no session of its own either.
    return client.post(url_for("i18n.choose_language"), data=data, headers=headers, csrf=False)


# -- choosing the language ---------------------------------------------------------------


def test_english_without_a_preference(client) -> None:
    page = client.get(url_for("main.index"))
    assert page_language(page) == "en"
    assert contains(page, WELCOME_HEADING)


def test_accept_language_de_gives_german(client) -> None:
    page = client.get(url_for("main.index"), headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert page_language(page) == "de"
    assert contains(page, german(WELCOME_HEADING))
    assert contains(page, german(REGISTER_BUTTON))
    assert not contains(page, WELCOME_HEADING)


def test_an_unoffered_language_falls_back_to_english(client) -> None:
    page = client.get(url_for("main.index"), headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert page_language(page) == "en"
    assert contains(page, WELCOME_HEADING)


def test_the_switcher_sets_only_the_language_cookie(client) -> None:
    response = switch(client, "de", "/petitions")
    assert response.status_code == 302
    assert response.headers["Location"] == "/petitions"
    cookies = set_cookies(response)
    assert len(cookies) == 1, cookies
    cookie = cookies[0]
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=de;")
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=lax"
    assert attributes["max-age"] == f"Max-Age={ONE_YEAR}"
    assert ONE_YEAR == 365 * 24 * 3600
    assert attributes["path"] == "Path=/"
    page = client.get(url_for("main.index"))
    assert page_language(page) == "de"
    assert contains(page, german(WELCOME_HEADING))


def test_switching_while_signed_in_touches_nothing_but_the_cookie(client, member) -> None:
    client.login(member)
    response = switch(client, "de", url_for("petitions.index"))
    assert [c.split("=")[0] for c in set_cookies(response)] == [LANGUAGE_COOKIE]
    assert response.headers["Location"] == url_for("petitions.index")
    page = client.get(url_for("petitions.index"))
    assert page.status_code == 200  # still signed in
    assert page_language(page) == "de"


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.example",
        "//evil.example/petitions",
        "https://evil.example/",
        "http://evil.example/login",
        "javascript:alert(1)",
        "/\t/evil.example",
        "\\\\evil.example",
        "evil.example",
        "",
        None,
    ],
)
def test_the_switcher_never_leaves_the_site(client, next_path: str | None) -> None:
    response = switch(client, "de", next_path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert [c.split("=")[0] for c in set_cookies(response)] == [LANGUAGE_COOKIE]


def test_a_backslash_path_stays_on_the_site(client) -> None:
    """Browsers read "/\\host" as "//host": the redirect must not send them there."""
    location = switch(client, "de", "/\\evil.example").headers["Location"]
    assert not urlsplit(location).netloc
    assert "\\" not in location and not location.startswith("//")


@pytest.mark.parametrize("language", ["xx", "fr", "DE", "de;", "", "en-GB"])
def test_an_unknown_language_changes_nothing(client, language: str) -> None:
    response = switch(client, language, "/petitions")
    assert response.status_code == 302
    assert response.headers["Location"] == "/petitions"
    assert set_cookies(response) == []
    page = client.get(url_for("main.index"))
    assert page_language(page) == "en"


def test_an_unknown_language_keeps_the_earlier_choice(client) -> None:
    switch(client, "de")
    assert set_cookies(switch(client, "xx")) == []
    assert page_language(client.get(url_for("main.index"))) == "de"


def test_a_forged_cookie_value_is_ignored(client) -> None:
    client.set_cookie(LANGUAGE_COOKIE, "../../etc/passwd")
    page = client.get(url_for("main.index"), headers={"Accept-Language": "de"})
    assert page_language(page) == "de"  # the browser's preference decides instead
    client.set_cookie(LANGUAGE_COOKIE, "xx")
    assert page_language(client.get(url_for("main.index"))) == "en"


def test_the_cookie_beats_accept_language(client) -> None:
    switch(client, "en")
    page = client.get(url_for("main.index"), headers={"Accept-Language": "de"})
    assert page_language(page) == "en"
    assert contains(page, WELCOME_HEADING)
    switch(client, "de")
    page = client.get(url_for("main.index"), headers={"Accept-Language": "en-GB,en"})
    assert page_language(page) == "de"
    assert contains(page, german(WELCOME_HEADING))


def switcher_buttons(page: Any) -> dict[str, str]:
    """The switcher's buttons as {label: the language they submit}."""
    buttons = re.findall(r"<button([^>]*)>([^<]*)</button>", page.text)
    return {
        label.strip(): found.group(1)
        for attributes, label in buttons
        if 'name="language"' in attributes and (found := re.search(r'value="([^"]*)"', attributes))
    }


def test_the_switcher_offers_the_other_language(client) -> None:
    assert switcher_buttons(client.get(url_for("main.index"))) == {"Deutsch": "de"}
    switch(client, "de")
    deutsch = client.get(url_for("main.index"))
    assert switcher_buttons(deutsch) == {"English": "en"}
    assert contains(deutsch, german("Language:"))


# -- German dates, numbers and messages --------------------------------------------------


def test_german_dates_and_numbers(client, member, make_petition) -> None:
    closes_on = coarse_date() + timedelta(days=30)
    make_petition(title="Fair rota", goal=1600, closes_on=closes_on)
    client.login(member)
    english = client.get(url_for("petitions.index"))
    assert format_decimal(1600, locale="en") in english.text  # "1,600"
    switch(client, "de")
    page = client.get(url_for("petitions.index"))
    assert page_language(page) == "de"
    german_date = format_date(closes_on, format="medium", locale="de")
    # Babel's medium German date ("02.12.2026"), never the ISO date or the English one.
    assert german_date not in {closes_on.isoformat(), format_date(closes_on, format="medium", locale="en")}
    assert contains(page, german_date), f"no {german_date!r} on the German petitions page"
    assert format_decimal(1600, locale="de") == "1.600"
    assert "1.600" in page.text
    assert "1,600" not in page.text


def test_a_flash_message_appears_in_german(client, member) -> None:
    client.login(member)
    switch(client, "de")
    page = client.post(url_for("auth.logout"), follow_redirects=True)
    assert page_language(page) == "de"
    assert contains(page, german(SIGNED_OUT))
    assert not contains(page, SIGNED_OUT)


def test_a_domain_error_appears_in_german(client, member) -> None:
    """A service's error (LoginFailed) is shown as str(error): in the page's language."""
    switch(client, "de")
    page = client.post(url_for("auth.login"), data={"username": member.username, "password": "not it at all"})
    assert page_language(page) == "de"
    assert contains(page, german("Username or password is incorrect."))
    assert not contains(page, "Username or password is incorrect.")


# -- nothing about the language reaches the database (A3) --------------------------------


def test_the_choice_is_never_stored(app: Flask, client, member) -> None:
    client.login(member)
    client.get(url_for("main.index"))
    before = dump_database(app)
    with recorded_writes(app) as writes:
        switch(client, "de")
        client.get(url_for("main.index"))
        switch(client, "en")
    assert writes == [], f"switching the language wrote to the database: {writes}"
    after = dump_database(app)
    assert after == before
    for table, rows in after.items():
        for row in rows:
            for column, value in row.items():
                assert value not in {"de", "Deutsch", "de_DE", "de-DE"}, f"{table}.{column} holds {value!r}"


def test_no_column_holds_a_language(app: Flask) -> None:
    """Neither the models nor the migrated database have a place for a language (A3)."""
    words = re.compile(r"lang|locale|language|i18n|babel", re.IGNORECASE)
    modelled = [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if words.search(column.name) or words.search(table.name)
    ]
    assert db.metadata.sorted_tables, "no models found"
    assert modelled == []
    inspector = sa_inspect(db.engine)
    migrated = [
        f"{table}.{column['name']}"
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if words.search(column["name"]) or words.search(table)
    ]
    assert inspector.get_table_names(), "no tables in the migrated database"
    assert migrated == []

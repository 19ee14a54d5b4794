"""Markdown rendering is sanitized; identifying text is pointed out."""

from __future__ import annotations

from markupsafe import Markup

from tests.xss_payloads import XSS_PAYLOADS, live_markup_in
from voicebox.text import find_identifying_text, plain_excerpt, render_markdown


def test_markdown_becomes_html():
    html = render_markdown("**Stop** the *recorder*\n\n- one\n- two")
    assert isinstance(html, Markup)
    assert "<strong>Stop</strong>" in html
    assert "<li>one</li>" in html


def test_every_payload_is_rendered_inert():
    for payload in XSS_PAYLOADS:
        html = render_markdown(payload)
        assert live_markup_in(html) == [], payload


def test_links_keep_http_and_drop_javascript():
    html = render_markdown("[policy](https://example.org/p) and [x](javascript:alert(1))")
    assert 'href="https://example.org/p"' in html
    assert 'href="javascript:' not in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_excerpt_is_plain_and_short():
    text = plain_excerpt("# Title\n\n**bold** " + "word " * 100, length=40)
    assert "#" not in text and "*" not in text
    assert len(text) <= 40


def test_emails_phones_and_employee_numbers_are_pointed_out():
    hints = find_identifying_text("Write to jo.bloggs@corp.example or call +44 20 7946 0958, I'm EMP-004512.")
    kinds = {hint.kind for hint in hints}
    assert kinds == {"an email address", "a phone number", "an employee or badge number"}


def test_the_writers_own_username_is_pointed_out():
    hints = find_identifying_text("As mira I think this is wrong", username="mira")
    assert [hint.kind for hint in hints] == ["your username"]


def test_ordinary_text_raises_no_warning():
    assert find_identifying_text("The new monitoring tool records every keystroke.") == []


def test_excerpt_keeps_hyphens_and_ampersands_as_written():
    assert plain_excerpt("# Open-plan offices & **noise**") == "Open-plan offices & noise"

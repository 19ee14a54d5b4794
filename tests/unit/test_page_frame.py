"""A page frame: rendered once with holes, filled per request."""

from __future__ import annotations

import pytest
from markupsafe import escape

from voicebox.page_frame import Frame, UnfilledHole, hole


def test_each_hole_takes_its_own_value_wherever_it_appears():
    frame = Frame.of(f"<form>{hole('csrf')}</form><p>{hole('username')}</p><i>{hole('csrf')}</i>")
    page = frame.fill({"csrf": "TOKEN", "username": "mira"})
    assert page == "<form>TOKEN</form><p>mira</p><i>TOKEN</i>"
    assert frame.holes == {"csrf", "username"}


def test_a_page_without_holes_is_served_as_rendered():
    assert Frame.of("<p>Hello</p>").fill({}) == "<p>Hello</p>"


def test_a_missing_value_is_an_error_not_an_empty_string():
    with pytest.raises(UnfilledHole, match="username"):
        Frame.of(f"<p>{hole('username')}</p>").fill({"csrf": "TOKEN"})


def test_member_text_that_looks_like_a_hole_stays_text():
    # A title or comment is rendered into the frame: without the process's nonce it opens nothing.
    forged = str(escape("\x1ecsrf\x1e <b>")) + "\x1e0000000000000000:csrf\x1e"
    frame = Frame.of(f"<h1>{forged}</h1>{hole('csrf')}")
    assert frame.holes == {"csrf"}
    assert frame.fill({"csrf": "TOKEN"}) == f"<h1>{forged}</h1>TOKEN"


def test_hole_marks_pass_autoescaping_unchanged():
    assert escape(hole("csrf")) == hole("csrf")

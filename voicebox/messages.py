"""Text for people, made in English where it arises and translated where it is shown.

Services, the CLI and threads outside a request can't ask Flask-Babel for the page's
language, so they keep English: N_ marks a message for extraction, and Message keeps its
placeholders, so voicebox.web.translate can show it in the page's language later.
Pure: no Flask import.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark text for translation; it is translated where it is shown."""
    return message


class Message(str):
    """English text (it is a str) that remembers its msgid and placeholders."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        # Whole numbers read with grouping ("20,000"); translate() groups them per language.
        shown = {name: f"{value:,}" if isinstance(value, int) else value for name, value in params.items()}
        text = super().__new__(cls, msgid % shown if params else msgid)
        text.msgid = msgid
        text.params = params
        return text

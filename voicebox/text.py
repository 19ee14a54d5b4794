"""Markdown rendering with sanitizing, and warnings about identifying text (no Flask).

`render_markdown` is the one place user text becomes HTML; templates never mark
anything safe themselves.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "blockquote",
        "br",
        "code",
        "em",
        "h2",
        "h3",
        "h4",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "ul",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "abbr": ["title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(source: str) -> Markup:
    """Render Markdown, then sanitize with bleach; the result is safe to embed as HTML."""
    html = _markdown.render(source or "")
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
    )
    # Links leave the site without telling the destination where the reader came from.
    cleaned = re.sub(r"<a ", '<a rel="nofollow noopener noreferrer" ', cleaned)
    return Markup(cleaned)  # noqa: S704 - bleach output is the sanitized form


def plain_excerpt(source: str, length: int = 180) -> str:
    """A short plain-text preview of Markdown source, for listings (escaped later by the template)."""
    rendered = _markdown.render(source or "")
    text = html.unescape(bleach.clean(rendered, tags=set(), strip=True))
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


@dataclass(frozen=True)
class IdentifyingHint:
    """A stretch of text that may identify its author, and why."""

    kind: str
    excerpt: str


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an email address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "a phone number",
        re.compile(r"(?<!\w)(?:\+?\d[\d ().-]{7,}\d)(?!\w)"),
    ),
    (
        "an employee or badge number",
        re.compile(
            r"\b(?:[A-Z]{1,4}[-_ ]?\d{4,8}"
            r"|(?:emp|employee|staff|badge|id)\s*(?:no\.?|number|#|:)?\s*\d{3,})\b",
            re.I,
        ),
    ),
)


def find_identifying_text(text: str, username: str | None = None) -> list[IdentifyingHint]:
    """List the parts of `text` that look like they identify the writer; raises nothing."""
    hints: list[IdentifyingHint] = []
    seen: set[str] = set()
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text or ""):
            excerpt = match.group(0).strip()
            if excerpt.lower() not in seen:
                seen.add(excerpt.lower())
                hints.append(IdentifyingHint(kind, excerpt))
    if username and len(username) >= 3:
        found = re.search(rf"(?<!\w){re.escape(username)}(?!\w)", text or "", re.I)
        if found and found.group(0).lower() not in seen:
            hints.append(IdentifyingHint("your username", found.group(0)))
    return hints

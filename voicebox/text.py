"""Markdown rendering with sanitizing, and warnings about identifying text (no Flask).

`render_markdown` is the one place user text becomes HTML; templates never mark
anything safe themselves.
"""

from __future__ import annotations

import html
import re

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup

# Identifying-text warnings live in their own module; these names stay importable from here.
from voicebox.identifying import IdentifyingHint, find_identifying_text

__all__ = ["IdentifyingHint", "find_identifying_text", "plain_excerpt", "render_markdown"]

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

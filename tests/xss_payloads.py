"""Hostile text for every free-text field: each must come back inert on every page and export.

`live_markup_in` parses a rendered page and lists every live element or attribute a payload
could have smuggled in (scripts, event handlers, javascript:/data: URLs, embedding tags).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

XSS_PAYLOADS: tuple[str, ...] = (
    "<script>alert('xss-1')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert('xss-3')>",
    "<svg onload=alert('xss-4')>",
    "<svg><script>alert('xss-5')</script></svg>",
    "<body onload=alert('xss-6')>",
    "<iframe src=\"javascript:alert('xss-7')\"></iframe>",
    "<a href=\"javascript:alert('xss-8')\">click</a>",
    "[click](javascript:alert('xss-9'))",
    "[click](JaVaScRiPt:alert('xss-10'))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](x\" onerror=\"alert('xss-12'))",
    "<div style=\"background:url(javascript:alert('xss-13'))\">x</div>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-14')>",
    "\"><script>alert('xss-15')</script>",
    "'><img src=x onerror=alert('xss-16')>",
    "</textarea><script>alert('xss-17')</script>",
    "</title><script>alert('xss-18')</script>",
    "<input autofocus onfocus=alert('xss-19')>",
    "<details open ontoggle=alert('xss-20')>",
    "<object data=\"javascript:alert('xss-21')\"></object>",
    "<embed src=\"javascript:alert('xss-22')\">",
    "<form action=\"javascript:alert('xss-23')\"><button>go</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'xss-24\')">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<style>@import 'https://evil.example/x.css';</style>",
    "<<script>alert('xss-27');//<</script>",
    "<scr<script>ipt>alert('xss-28')</scr</script>ipt>",
    '<img src="x" onerror="&#97;&#108;&#101;&#114;&#116;(29)">',
    "<a href=\"&#106;avascript:alert('xss-30')\">entity</a>",
    "<svg><a xlink:href=\"javascript:alert('xss-31')\"><text x=20 y=20>x</text></a></svg>",
    '<base href="https://evil.example/">',
    "{{ 7*7 }} {% raw %}{{ config }}{% endraw %}",
    "<b onmouseover=alert('xss-34')>hover</b>",
    "<video><source onerror=alert('xss-35')></video>",
    "<unclosed <b>broken <i>markup",
)

DANGEROUS_TAGS = frozenset(
    {
        "script",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "base",
        "meta",
        "link",
        "style",
        "form",
        "input",
        "details",
        "video",
        "audio",
        "source",
        "body",
        "frame",
        "frameset",
    }
)
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"})


class _LiveMarkupFinder(HTMLParser):
    """Collects what a browser would actually execute or load from a page's markup."""

    def __init__(self, allowed_tags: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS and tag not in self.allowed_tags:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            scheme = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}>")


def live_markup_in(html: str, allowed_tags: frozenset[str] = frozenset({"form", "input"})) -> list[str]:
    """Live tags and attributes in `html` that a payload could have produced; empty when inert.

    The page's own forms are allowed by default; a test of a page with none can pass
    `allowed_tags=frozenset()` to be stricter.
    """
    finder = _LiveMarkupFinder(allowed_tags)
    finder.feed(html)
    finder.close()
    return finder.found


# Tags our own templates put inside <main>; anything else there came from a payload.
# ("source" picks a chart's phone rendering; a payload's <source onerror> is still caught by its attribute.)
PAGE_TAGS = frozenset({"form", "input", "details", "source"})


def reachable_html(page: str) -> str:
    """The parts of a rendered page user text can reach: its <title> and <main>.

    The rest (head, header, footer) is our own markup: stylesheets, scripts from /static/,
    and navigation labels. A fragment without <main> is returned whole.
    """
    main = re.search(r"<main\b.*</main>", page, flags=re.S)
    if main is None:
        return page
    title = re.search(r"<title>.*?</title>", page, flags=re.S)
    return (title.group(0) if title else "") + main.group(0)


def assert_inert(page: str, where: str) -> None:
    """Fail, naming `where`, if any payload survived as live markup in `page`."""
    found = live_markup_in(reachable_html(page), PAGE_TAGS)
    assert not found, f"live markup in {where}: {found[:5]}"

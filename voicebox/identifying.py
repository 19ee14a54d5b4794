"""Warnings about free text that may identify the person writing it (pure, no Flask).

A warning is advice, never a refusal: the member sees what looked identifying and decides.
So the rules lean towards what a colleague would recognise (a full name, "the only nurse on
ward 7", an extension, a badge number) and away from what merely contains digits ("in 2024",
"ward 7", "call 07700" is a phone number, not a badge). Personal names come from Faker's
British, Irish, American and Indian English name lists (a maintained package pinned in
requirements.txt), not from a list kept here.
`tests/unit/test_identifying_corpus.py` measures precision and recall on a labelled corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from faker.providers.person.en_GB import Provider as BritishNames
from faker.providers.person.en_IE import Provider as IrishNames
from faker.providers.person.en_IN import Provider as IndianNames
from faker.providers.person.en_US import Provider as AmericanNames


def N_(message: str) -> str:
    """Mark text for translation; templates/_identifying.html shows it with _(hint.kind)."""
    return message


EMAIL = N_("an email address")
PHONE = N_("a phone number")
EXTENSION = N_("an extension number")
BADGE = N_("an employee or badge number")
NAME = N_("a person's name")
ROLE = N_("a role only a few people hold")
USERNAME = N_("your username")

# Names that are far more often ordinary capitalised words (months, virtues, verbs at the
# start of a clause) than people; a full "First Last" pair is still caught.
_NAME_WORDS = frozenset(
    [
        "april",
        "may",
        "june",
        "august",
        "will",
        "mark",
        "bill",
        "grace",
        "hope",
        "faith",
        "joy",
        "rose",
        "summer",
        "autumn",
        "dawn",
        "sunny",
        "art",
        "pat",
        "jack",
        "rich",
        "frank",
        "chase",
        "hunter",
        "sky",
        "lane",
        "page",
        "bob",
        "sandy",
        "miles",
        "guy",
        "angel",
        "christian",
        "justice",
        "precious",
        "major",
        "royal",
        "baby",
        "king",
        "deacon",
        "dean",
        "judge",
        "brown",
    ]
)
_ROLE_NOUNS = (
    "nurse|doctor|midwife|paramedic|pharmacist|porter|driver|operator|manager|supervisor|"
    "engineer|technician|cleaner|guard|cook|chef|receptionist|accountant|analyst|developer|"
    "designer|administrator|admin|assistant|clerk|cashier|teacher|lecturer|electrician|"
    "mechanic|welder|fitter|packer|picker|loader|dispatcher|planner|buyer|trainer|"
    "coordinator|apprentice|intern|trainee|contractor|temp|director|officer|secretary|"
    "woman|man|person|parent|mum|dad|wheelchair user|vegan|smoker|union rep|first aider"
)
_FIRST_WORD = r"[A-Z][a-z]+(?:['’-][A-Za-z]+)?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (EMAIL, re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (PHONE, re.compile(r"(?<![\w-])\+?\d[\d ().-]{7,}\d(?!\w)")),
    (
        PHONE,
        re.compile(
            r"\b(?:call|phone|ring|text|tel|mobile|mob|whatsapp)\b\.?:?\s*(?:me\s+)?(?:on\s+)?"
            r"\+?\d[\d ]{3,}\d",
            re.I,
        ),
    ),
    (EXTENSION, re.compile(r"\b(?:ext|extension|x)\.?\s*:?\s*\d{3,5}\b", re.I)),
    (
        BADGE,
        re.compile(
            r"\b(?:emp|employee|staff|badge|payroll|personnel|id)\s*(?:no\.?|number|num|#|:)?\s*(?:is\s+|was\s+)?#?\d{3,}\b",
            re.I,
        ),
    ),
    # Upper-case letters then digits (EMP-004512, AB123456). Case matters: "in 2024" isn't one.
    (BADGE, re.compile(r"\b[A-Z]{1,4}[-_]?\d{4,8}\b")),
    (
        ROLE,
        re.compile(
            r"\b(?:the\s+(?:only|one|sole|single|last|first|youngest|oldest|new)"
            r"|(?:i'?m|i\s+am|as|being)\s+only)\s+"
            r"(?:[\w-]+\s+){0,3}?(?:" + _ROLE_NOUNS + r")\b"
            r"(?:\s+(?:on|in|at|for|who|working|from)\s+[\w-]+(?:\s+[\w-]+)?)?",
            re.I,
        ),
    ),
)
# "My name is Dave", "Regards, Sam": a listed name, however common the word otherwise is.
_INTRODUCED = re.compile(
    r"\b(?:my name is|my name's|i am called|call me|signed|regards|cheers|thanks|from)\b[,:]?\s+"
    rf"({_FIRST_WORD}(?:\s+{_FIRST_WORD})?)",
    re.I,
)
# "Dr Patel", "Mrs Okafor": a title makes the next capitalised word a name, listed or not.
_TITLED = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+{_FIRST_WORD}")
_CAPITALISED_PAIR = re.compile(rf"\b({_FIRST_WORD})\s+({_FIRST_WORD})\b")
_CAPITALISED = re.compile(rf"(?<![.!?:]\s)(?<!^)\b({_FIRST_WORD})\b")


@dataclass(frozen=True)
class IdentifyingHint:
    """A stretch of text that may identify its author, and why."""

    kind: str
    excerpt: str


@cache
def _names() -> tuple[frozenset[str], frozenset[str]]:
    """First names and surnames from Faker's British, Irish, American and Indian English lists."""
    providers = (BritishNames, IrishNames, AmericanNames, IndianNames)
    first: set[str] = set()
    last: set[str] = set()
    for provider in providers:
        first.update(name.lower() for name in provider.first_names)
        last.update(name.lower() for name in provider.last_names)
    return frozenset(first), frozenset(last)


def _is_first_name(word: str) -> bool:
    first, _ = _names()
    return word.lower() in first and word.lower() not in _NAME_WORDS


def _name_hints(text: str) -> list[str]:
    first, last = _names()
    found: list[str] = []
    for match in _INTRODUCED.finditer(text):
        candidate = match.group(1)
        words = candidate.split()
        # "from Accounts", "thanks Team": an introduced word must look like a name.
        if words[0].lower() in first or (len(words) == 2 and words[1].lower() in last):
            found.append(match.group(0).strip())
    found.extend(match.group(0) for match in _TITLED.finditer(text))
    for match in _CAPITALISED_PAIR.finditer(text):
        given, family = match.group(1), match.group(2)
        if given.lower() in first and family.lower() in last:
            found.append(match.group(0))
    for match in _CAPITALISED.finditer(text):
        word = match.group(1)
        start = match.start(1)
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip() and _is_first_name(word):
            found.append(word)
    return found


def _covered(excerpt: str, seen: list[str]) -> bool:
    lowered = excerpt.lower()
    return any(lowered in other or other in lowered for other in seen)


def find_identifying_text(text: str, username: str | None = None) -> list[IdentifyingHint]:
    """List the parts of `text` that look like they identify the writer; raises nothing."""
    text = text or ""
    hints: list[IdentifyingHint] = []
    seen: list[str] = []

    def add(kind: str, excerpt: str) -> None:
        excerpt = excerpt.strip()
        if excerpt and not _covered(excerpt, seen):
            seen.append(excerpt.lower())
            hints.append(IdentifyingHint(kind, excerpt))

    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            add(kind, match.group(0))
    if username and len(username) >= 3:
        found = re.search(rf"(?<!\w){re.escape(username)}(?!\w)", text, re.I)
        if found:
            add(USERNAME, found.group(0))
    for excerpt in _name_hints(text):
        add(NAME, excerpt)
    return hints


def hints_unless_confirmed(text: str, username: str | None, confirmed: bool) -> list[IdentifyingHint]:
    """The warnings to show before storing `text`; none once the member has read them."""
    return [] if confirmed else find_identifying_text(text, username)

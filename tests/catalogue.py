"""The translation catalogue as the tests read it: what the code marks, what the .po holds.

Extraction goes through Babel's own Python API with babel.cfg's methods and options and
the keywords of the README's `pybabel extract` command, so the tests see exactly what the
command would write to messages.pot.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("de",)
# The keywords of the README's command: Babel's defaults (_, gettext, ngettext:1,2, N_, ...)
# plus the lazy ones.
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["_l", "lazy_gettext", "N_", "ngettext:1,2"])}
UPDATE_COMMANDS = """Update the catalogue with the README's commands ("Translations"):
    pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o translations/messages.pot .
    pybabel update -i translations/messages.pot -d translations
    (fill in every msgstr, remove "fuzzy" once a translation is checked)
    pybabel compile -d translations"""

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%%")
TAG = re.compile(r"</?[A-Za-z][^>]*>")

Key = tuple[str, str | None]  # (msgid, msgctxt)


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def mo_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"


def msgid(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def key(message: Message) -> Key:
    return (msgid(message), message.context)


def extract(root: Path = ROOT) -> Catalog:
    """Every marked message in the tree, as `pybabel extract` with babel.cfg finds it."""
    with (root / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config, "babel.cfg")
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


@cache
def extracted() -> Catalog:
    return extract()


def read_catalogue(path: Path, language: str) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=language)


def messages(catalog: Catalog) -> dict[Key, Message]:
    """The real entries (not the header, not #~ obsolete ones)."""
    return {key(m): m for m in catalog if m.id}


def untranslated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return not strings or not all(strings)


def catalogue_problems(code: Catalog, po: Catalog) -> list[str]:
    """What differs between the marked text and one language's catalogue, one line each."""
    wanted, held = messages(code), messages(po)
    problems: list[str] = []
    for k, message in wanted.items():
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
        entry = held.get(k)
        if entry is None:
            problems.append(f"missing: {k[0]!r} ({where})")
        elif untranslated(entry):
            problems.append(f"empty: {k[0]!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {k[0]!r} ({where})")
        elif isinstance(message.id, tuple) != isinstance(entry.id, tuple) or (
            isinstance(message.id, tuple) and tuple(message.id) != tuple(entry.id)
        ):
            problems.append(f"plural form differs from the code: {k[0]!r} ({where})")
    problems.extend(f"obsolete (no longer in the code): {k[0]!r}" for k in held if k not in wanted)
    return problems


def _pairs(message: Message) -> Iterable[tuple[str, str]]:
    """(source, translation) pairs: msgstr[0] answers msgid, every other form msgid_plural."""
    if isinstance(message.id, tuple | list):
        strings = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
        for index, string in enumerate(strings):
            yield (message.id[0] if index == 0 else message.id[1]), string
    else:
        yield message.id, message.string


def markup_problems(po: Catalog) -> list[str]:
    """Translations whose %(name)s placeholders or HTML tags differ from their msgid."""
    problems: list[str] = []
    for message in messages(po).values():
        for source, translation in _pairs(message):
            if not translation:
                continue
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation)):
                problems.append(
                    f"placeholders differ: {source!r} has {sorted(set(PLACEHOLDER.findall(source)))}, "
                    f"{translation!r} has {sorted(set(PLACEHOLDER.findall(translation)))}"
                )
            if sorted(TAG.findall(source)) != sorted(TAG.findall(translation)):
                problems.append(
                    f"HTML tags differ: {source!r} has {TAG.findall(source)}, "
                    f"{translation!r} has {TAG.findall(translation)}"
                )
    return problems


def compiled(po: Catalog) -> Catalog:
    """What `pybabel compile` writes for this catalogue, read back (in memory)."""
    buffer = io.BytesIO()
    write_mo(buffer, po, use_fuzzy=False)
    buffer.seek(0)
    return read_mo(buffer)


def mo_entries(catalog: Catalog) -> dict[Key, object]:
    return {key(m): m.string for m in catalog if m.id}


def read_compiled(path: Path) -> Catalog:
    with path.open("rb") as mo:
        return read_mo(mo)


def german(english: str, language: str = "de") -> str:
    """The catalogue's translation of an English msgid, so tests follow the catalogue."""
    entry = messages(read_catalogue(po_path(language), language)).get((english, None))
    assert entry is not None, f"{english!r} is not in the {language} catalogue.\n{UPDATE_COMMANDS}"
    assert not untranslated(entry) and not entry.fuzzy, (
        f"{english!r} has no checked {language} translation yet.\n{UPDATE_COMMANDS}"
    )
    string = entry.string
    return string[0] if isinstance(string, tuple | list) else string


def german_of_one(*candidates: str, language: str = "de") -> str:
    """The translation of the first of `candidates` the catalogue holds: for text whose
    msgid may keep or drop a symbol ("✓ You have signed" or "You have signed")."""
    held = messages(read_catalogue(po_path(language), language))
    for english in candidates:
        if (english, None) in held:
            return german(english, language)
    raise AssertionError(f"none of {candidates!r} is in the {language} catalogue.\n{UPDATE_COMMANDS}")

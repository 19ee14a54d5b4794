"""The catalogue matches the code: every marked text translated, nothing stale, markup kept,
and the committed messages.mo is what `pybabel compile` makes from the .po.

The tree tests run on the real catalogue; the tests below them feed the same checks small
hand-made catalogues, so each check is shown to fail as well as pass.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from tests.catalogue import (
    LANGUAGES,
    ROOT,
    UPDATE_COMMANDS,
    catalogue_problems,
    compiled,
    extract,
    extracted,
    markup_problems,
    mo_entries,
    mo_path,
    po_path,
    read_catalogue,
    read_compiled,
)
from voicebox.i18n import DEFAULT_LANGUAGE
from voicebox.i18n import LANGUAGES as OFFERED


def test_every_offered_language_has_a_catalogue() -> None:
    assert set(OFFERED) - {DEFAULT_LANGUAGE} == set(LANGUAGES)
    for language in LANGUAGES:
        assert po_path(language).is_file() and mo_path(language).is_file()


def test_extraction_finds_the_marked_text() -> None:
    """An extraction that found nothing would make the catalogue test pass vacuously."""
    found = {m.id for m in extracted() if m.id}
    assert "Language:" in found  # templates/base.html, the switcher
    assert len(found) > 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_matches_the_code(language: str) -> None:
    problems = catalogue_problems(extracted(), read_catalogue(po_path(language), language))
    assert not problems, (
        f"translations/{language}/LC_MESSAGES/messages.po is out of step with the code:\n  "
        + "\n  ".join(problems)
        + "\n"
        + UPDATE_COMMANDS
    )


# `attr="{{ _('...') }}"`: the translation is marked safe, so a straight double quote in it
# would end the attribute early and cut the text a script shows (it did once: "…see ").
ATTRIBUTE_TEXT = re.compile(r'[\w-]+="\{\{\s*_\((["\'])(.*?)(?<!\\)\1\s*\)\s*\}\}"')


def attribute_texts() -> dict[str, str]:
    """msgid → template, for every text translated straight into an HTML attribute."""
    found = {}
    for template in (ROOT / "templates").rglob("*.html"):
        for match in ATTRIBUTE_TEXT.finditer(template.read_text()):
            found[match.group(2).replace("\\'", "'")] = template.name
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_text_inside_an_attribute_has_no_straight_double_quote(language: str) -> None:
    texts = attribute_texts()
    assert texts, "no attribute text found: the pattern is stale"
    held = {m.id: m.string for m in read_catalogue(po_path(language), language) if m.id}
    bad = [
        f"{template}: {msgid!r}"
        for msgid, template in texts.items()
        if '"' in msgid or '"' in str(held.get(msgid) or "")
    ]
    assert not bad, "a straight double quote would end the attribute; use “ ” or „ “:\n  " + "\n  ".join(bad)


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_and_tags_survive_translation(language: str) -> None:
    problems = markup_problems(read_catalogue(po_path(language), language))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_format_errors(language: str) -> None:
    """Babel's own checks, as `pybabel compile` reports them."""
    errors = [
        f"{message.id!r}: {error}"
        for message, found in read_catalogue(po_path(language), language).check()
        for error in found
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_is_the_compiled_po(language: str) -> None:
    expected = compiled(read_catalogue(po_path(language), language))
    committed = read_compiled(mo_path(language))
    assert mo_entries(committed) == mo_entries(expected), (
        f"translations/{language}/LC_MESSAGES/messages.mo is not compiled from the .po: "
        "run `pybabel compile -d translations` and commit the .mo"
    )
    assert committed.plural_forms == expected.plural_forms


# -- the checks on hand-made catalogues --------------------------------------------------


def po(text: str) -> Catalog:
    header = (
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    )
    return read_po(io.BytesIO((header + text).encode()), locale="de")


def code(*ids: str | tuple[str, str]) -> Catalog:
    catalog = Catalog()
    for message in ids:
        catalog.add(message, None, [("templates/x.html", 1)])
    return catalog


def test_a_complete_catalogue_passes() -> None:
    catalogue = po(
        'msgid "Sign"\nmsgstr "Unterschreiben"\n\n'
        'msgid "%(num)s signature"\nmsgid_plural "%(num)s signatures"\n'
        'msgstr[0] "%(num)s Unterschrift"\nmsgstr[1] "%(num)s Unterschriften"\n\n'
        '#~ msgid "Old"\n#~ msgstr "Alt"\n'
    )
    assert catalogue_problems(code("Sign", ("%(num)s signature", "%(num)s signatures")), catalogue) == []


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ("", "missing: 'Sign'"),
        ('msgid "Sign"\nmsgstr ""\n', "empty: 'Sign'"),
        ('#, fuzzy\nmsgid "Sign"\nmsgstr "Unterschreiben"\n', "fuzzy: 'Sign'"),
        (
            'msgid "Sign"\nmsgstr "Unterschreiben"\n\nmsgid "Gone"\nmsgstr "Weg"\n',
            "obsolete (no longer in the code): 'Gone'",
        ),
    ],
)
def test_a_stale_catalogue_fails(entries: str, problem: str) -> None:
    problems = catalogue_problems(code("Sign"), po(entries))
    assert [p.split(" (")[0] if not p.startswith("obsolete") else p for p in problems] == [problem]


def test_a_plural_with_one_form_missing_fails() -> None:
    catalogue = po(
        'msgid "%(num)s signature"\nmsgid_plural "%(num)s signatures"\n'
        'msgstr[0] "%(num)s Unterschrift"\nmsgstr[1] ""\n'
    )
    problems = catalogue_problems(code(("%(num)s signature", "%(num)s signatures")), catalogue)
    assert [p.split(" (")[0] for p in problems] == ["empty: '%(num)s signature'"]


def test_kept_markup_passes() -> None:
    catalogue = po(
        'msgid "Read <a href=\\"%(link)s\\">the guide</a>, %(name)s."\n'
        'msgstr "Lesen Sie <a href=\\"%(link)s\\">die Anleitung</a>, %(name)s."\n\n'
        'msgid "%(num)s signature"\nmsgid_plural "%(num)s signatures"\n'
        'msgstr[0] "%(num)s Unterschrift"\nmsgstr[1] "%(num)s Unterschriften"\n'
    )
    assert markup_problems(catalogue) == []


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            'msgid "Signed by %(count)s people"\nmsgstr "Von %(anzahl)s Personen unterschrieben"\n',
            "placeholders",
        ),
        ('msgid "Signed by %(count)s people"\nmsgstr "Von vielen unterschrieben"\n', "placeholders"),
        (
            'msgid "Read <a href=\\"%(link)s\\">this</a>"\nmsgstr "Lesen Sie <a>das</a> %(link)s"\n',
            "HTML tags",
        ),
        ('msgid "<strong>Closed</strong>"\nmsgstr "Geschlossen"\n', "HTML tags"),
        (
            'msgid "%(num)s signature"\nmsgid_plural "%(num)s signatures"\n'
            'msgstr[0] "%(num)s Unterschrift"\nmsgstr[1] "Unterschriften"\n',
            "placeholders",
        ),
    ],
)
def test_changed_markup_fails(entry: str, problem: str) -> None:
    problems = markup_problems(po(entry))
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_a_stale_mo_is_caught() -> None:
    """A .mo compiled before the .po changed differs in what it translates."""
    before = po('msgid "Sign"\nmsgstr "Unterschreiben"\n')
    after = po('msgid "Sign"\nmsgstr "Jetzt unterschreiben"\n\nmsgid "New"\nmsgstr "Neu"\n')
    assert mo_entries(compiled(before)) == mo_entries(compiled(po('msgid "Sign"\nmsgstr "Unterschreiben"\n')))
    assert mo_entries(compiled(before)) != mo_entries(compiled(after))


def test_fuzzy_entries_stay_out_of_the_mo() -> None:
    """As `pybabel compile` does by default: a fuzzy guess never reaches a page."""
    catalogue = po('#, fuzzy\nmsgid "Sign"\nmsgstr "Zeichen"\n')
    assert ("Sign", None) not in mo_entries(compiled(catalogue))


def test_extraction_reads_templates_and_python(tmp_path: Path) -> None:
    """The extraction follows babel.cfg and the README's keywords, on a tiny tree."""
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "templates").mkdir()
    (tmp_path / "voicebox").mkdir()
    (tmp_path / "templates" / "x.html").write_text(
        '<p>{{ _("Sign") }}</p>{% trans %}\n  Read\n     this\n{% endtrans %}'
        '{{ ngettext("%(num)s signature", "%(num)s signatures", n) }}'
    )
    (tmp_path / "voicebox" / "x.py").write_text(
        'A = _l("Title")\nB = lazy_gettext("Body")\nC = N_("Plain")\nflash(gettext("Saved."))\n'
        'D = "Not marked"\n'
    )
    found = {m.id for m in extract(tmp_path) if m.id}
    assert found == {
        "Sign",
        "Read this",  # trans blocks are trimmed, as the app renders them
        ("%(num)s signature", "%(num)s signatures"),
        "Title",
        "Body",
        "Plain",
        "Saved.",
    }

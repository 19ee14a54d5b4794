"""Every piece of text a person reads is marked for translation.

The scanners are in tests/marked_text.py. The first tests run them over every template and
every module of voicebox/; the rest run them on small inline examples, so each rule is
shown both to pass marked text and to fail unmarked text.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import Environment

from tests.marked_text import (
    ROOT,
    Finding,
    domain_errors,
    python_modules,
    template_files,
    unmarked_in_python,
    unmarked_in_template,
)
from voicebox import create_app

HOW_TO_FIX = (
    '\nMark each with {{ _("...") }} / {% trans %} in templates, _() or _l() in Python '
    '(README, "Translations"), then update the catalogue.'
)


@pytest.fixture(scope="module")
def jinja_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    """The app's own Jinja environment: its extensions and trans policy decide the tokens."""
    folder = tmp_path_factory.mktemp("marked-text")
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'unused.sqlite3'}",
            "AUTO_MIGRATE": False,
            "TESTING": True,
            "BACKGROUND_TICK": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    yield app.jinja_env


def report(findings: list[Finding]) -> str:
    return "\n".join(str(f) for f in findings) + HOW_TO_FIX


# -- the whole tree ------------------------------------------------------------------------


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_template_text_is_marked(jinja_env: Environment, path: Path) -> None:
    findings = unmarked_in_template(jinja_env, path.read_text(), str(path.relative_to(ROOT)))
    assert not findings, f"unmarked text in {path.relative_to(ROOT)}:\n" + report(findings)


def test_python_text_is_marked() -> None:
    modules = list(python_modules())
    errors = domain_errors(modules)
    findings = [f for where, tree in modules for f in unmarked_in_python(tree, where, errors)]
    assert not findings, "unmarked text in voicebox/:\n" + report(findings)


def test_the_scan_covers_the_tree() -> None:
    """A scanner that found no files would pass everything."""
    assert len(template_files()) > 40
    modules = dict(python_modules())
    assert "voicebox/petitions/views.py" in modules
    errors = domain_errors(modules.items())
    assert "PetitionError" in errors["voicebox/petitions/service.py"]
    # The API's ItemNotFound is a LookupError (its text stays English in JSON); the
    # responses' one is a domain error shown on pages.
    assert "ItemNotFound" not in errors.get("voicebox/api/service.py", set())
    assert "ItemNotFound" in errors["voicebox/responses/service.py"]


# -- the template scanner on examples ----------------------------------------------------


def template_words(env: Environment, source: str) -> list[str]:
    return [f.text for f in unmarked_in_template(env, source)]


@pytest.mark.parametrize(
    "source",
    [
        '<p>{{ _("Sign this petition") }}</p>',
        '<p>{% trans %}Read <a href="{{ link }}">the guide</a> first.{% endtrans %}</p>',
        "<p>{% trans count=n %}One signature{% pluralize %}{{ count }} signatures{% endtrans %}</p>",
        '<p>{{ ngettext("%(num)s signature", "%(num)s signatures", n) }}</p>',
        "<p>{{ count|number }} · {{ share|percent }} → ×</p>",
        '<a class="brand" href="/">voice<span>box</span></a>',
        "<title>{% block title %}{% endblock %} · voicebox</title>",
        '<img src="/x.png" alt="{{ _("Chart") }}"><input type="submit" value="{{ _("Save") }}">',
        '<nav aria-label="{{ _("Main") }}"></nav><input name="q" placeholder="{{ _("Search") }}">',
        '<input type="hidden" name="language" value="de"><button value="en">{{ name }}</button>',
        "<!-- a note for developers --> <script>const words = 'not shown';</script>",
        "<style>.a::after { content: 'x' }</style><p>{{ _('Run') }} <code>voicebox demo</code></p>",
        "{# a Jinja comment with words #}<p>&nbsp;&middot;&rarr;</p>",
    ],
)
def test_marked_templates_pass(jinja_env: Environment, source: str) -> None:
    assert template_words(jinja_env, source) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Sign this petition</p>", "Sign this petition"),
        ('<p>{{ _("Signed") }} on {{ day|local_date }}</p>', "on"),
        ("<h1>\n  {{ petition.title }}\n  Withdrawn</h1>", "Withdrawn"),
        ('<img src="/x.png" alt="Chart of signatures">', 'alt="Chart of signatures"'),
        ('<a href="/" title="Home page">{{ _("Home") }}</a>', 'title="Home page"'),
        ('<input name="q" placeholder="Search petitions">', 'placeholder="Search petitions"'),
        ('<nav aria-label="Main"></nav>', 'aria-label="Main"'),
        ('<span aria-label="{{ n }} signatures"></span>', 'aria-label="{{…}} signatures"'),
        ('<input type="submit" value="Save">', 'value="Save"'),
        ('<input type="button" value="Copy link">', 'value="Copy link"'),
        ("<noscript>Turn JavaScript on</noscript>", "Turn JavaScript on"),
        ("<p>voicebox keeps no record</p>", "keeps no record"),
    ],
)
def test_unmarked_templates_fail(jinja_env: Environment, source: str, expected: str) -> None:
    assert template_words(jinja_env, source) == [expected]


def test_template_findings_name_the_line(jinja_env: Environment) -> None:
    source = '{% extends "base.html" %}\n{% block main %}\n<p>{{ _("Fine") }}</p>\n<p>Not fine</p>\n'
    assert [str(f) for f in unmarked_in_template(jinja_env, source, "x.html")] == ["x.html:4: Not fine"]


# -- the Python scanner on examples ------------------------------------------------------

DOMAIN = """
class PetitionError(Exception):
    pass

class PetitionNotOpen(PetitionError):
    pass
"""


def python_findings(source: str) -> list[str]:
    tree = ast.parse(DOMAIN + textwrap.dedent(source))
    errors = domain_errors([("voicebox/example.py", tree)])
    return [f.text.split(":")[0] for f in unmarked_in_python(tree, "voicebox/example.py", errors)]


@pytest.mark.parametrize(
    "source",
    [
        'flash(_("Settings saved."), "success")',
        'flash(_("Category “%(name)s” added.", name=category.name), "success")',
        'flash(ngettext("%(num)s flag", "%(num)s flags", n))',
        "flash(str(exc), 'error')",
        'title = StringField(_l("Title"), description=_l("Up to %(n)s characters.", n=80))',
        'title = StringField(label=lazy_gettext("Title"), validators=[Length(max=80)])',
        'code = HiddenField("csrf")',
        'again = PasswordField(_l("Repeat"), validators=[EqualTo("password", message=_l("No match."))])',
        'raise ValidationError(_("Choose a group from the list."))',
        'raise PetitionNotOpen(_("This petition is closed."))',
        "raise PetitionError(MESSAGES['closed'])",
        'raise ValueError("not a petition id")',
        'TITLES = {"weak": N_("Too weak")}',
        'return jsonify(error="not_found", message="There is no such petition.")',
        'return render_template("x.html", title=_("Error"), advice=str(exc), active="petitions")',
    ],
)
def test_marked_python_passes(source: str) -> None:
    assert python_findings(source) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('flash("Settings saved.", "success")', "flash()"),
        ('flash(f"Category “{name}” added.", "success")', "flash()"),
        ('flash("Your account is deleted" + tail, "info")', "flash()"),
        ('title = StringField("Title")', "StringField label"),
        ('title = StringField(label="Title")', "StringField label="),
        (
            'title = StringField(_l("Title"), description=f"Up to {N} characters.")',
            "StringField description=",
        ),
        ('submit = SubmitField("Sign in")', "SubmitField label"),
        (
            'password = PasswordField(_l("P"), validators=[EqualTo("password", message="No match.")])',
            "EqualTo(message=)",
        ),
        ('raise ValidationError("Choose a group from the list.")', "ValidationError"),
        (
            'return render_template("errors/error.html", title="Bad request", advice=ADVICE)',
            "render_template title=",
        ),
        (
            'return render_template("errors/error.html", title=_("Busy"), advice="Try again.")',
            "render_template advice=",
        ),
        ('raise PetitionNotOpen("This petition is closed.")', "raise"),
        ('raise PetitionError(f"Keep it under {N} characters.")', "raise"),
    ],
)
def test_unmarked_python_fails(source: str, expected: str) -> None:
    assert python_findings(source) == [expected]


def test_a_module_of_its_own_decides_which_error_it_raises() -> None:
    """A LookupError called ItemNotFound in one module is not the domain error of another."""
    shown = ast.parse("class ResponseError(Exception): pass\nclass ItemNotFound(ResponseError): pass")
    api = ast.parse(
        "class ItemNotFound(LookupError): pass\ndef f():\n    raise ItemNotFound('No such petition.')"
    )
    errors = domain_errors([("voicebox/responses/service.py", shown), ("voicebox/api/service.py", api)])
    assert unmarked_in_python(api, "voicebox/api/service.py", errors) == []
    views = ast.parse("def g():\n    raise ItemNotFound('No such petition.')")
    assert [
        f.text.split(":")[0] for f in unmarked_in_python(views, "voicebox/responses/views.py", errors)
    ] == ["raise"]

"""Find text a person can read that is not marked for translation.

Two scanners, used by tests/unit/test_marked_text.py over the whole tree and, on small
inline examples, to show that each of them can both pass and fail:

- `unmarked_in_template` reads a template through the app's own Jinja lexer: every "data"
  token (the raw text between Jinja tags) is kept, every Jinja construct is masked, and so is
  the text of `{% trans %}` blocks (it is the msgid). What is left is parsed as HTML: any
  word with a letter in an element's text, or literal text in alt, title, placeholder,
  aria-label or the value of a submit/button input, is unmarked.
- `unmarked_in_python` walks a module's ast for the places people read Python text: flash(),
  WTForms field labels and descriptions, ValidationError, validators' message=, prose
  handed to render_template or a template's render (title=, advice=, ...), and raises of
  voicebox's domain errors. A string literal or f-string there must sit inside
  _/_l/gettext/ngettext/lazy_gettext (or N_ in the Flask-free modules).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "voicebox"

# Stands in for each Jinja construct: not a letter, so never a "word".
MASK = "\ue000"
# The brand is never translated; in the header it is split by markup (voice<span>box</span>).
BRAND = re.compile(r"voice(<span[^>]*>)box(</span>)", re.IGNORECASE)
# The brand, and the names of file formats, which read the same in every language.
ALLOWED_WORDS = {"voicebox", "pdf", "csv", "json", "api"}
WORD = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]+)*")
TEXT_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label"}
BUTTON_INPUTS = {"submit", "button", "reset"}
# Text here is never shown as prose (scripts, styles) or is code a person types (<code>).
SKIPPED_ELEMENTS = {"script", "style", "code", "kbd", "samp"}
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
TRANS_OPEN = {"trans"}
TRANS_CLOSE = {"endtrans"}


@dataclass(frozen=True)
class Finding:
    where: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.text}"


def readable_words(text: str) -> list[str]:
    """The words with letters in `text` that are not on the allow-list."""
    return [word for word in WORD.findall(text) if word.lower() not in ALLOWED_WORDS]


def masked_source(env: Environment, source: str) -> str:
    """The template with every Jinja construct and every {% trans %} body replaced by MASK,
    keeping the newlines so HTML line numbers stay the template's own."""
    out: list[str] = []
    in_trans = 0
    block: list[tuple[str, str]] = []
    for _line, kind, value in env.lex(source):
        if kind == "data" and not block:
            out.append(MASK + "\n" * value.count("\n") if in_trans else value)
            continue
        # Anything else is inside a Jinja construct: collect the block's tokens to see
        # whether it opens or closes a trans block, and keep only its newlines.
        block.append((kind, value))
        if kind in {"block_end", "variable_end", "comment_end", "raw_end", "linestatement_end"}:
            names = [v for k, v in block if k == "name"]
            if kind == "block_end" and names:
                if names[0] in TRANS_OPEN:
                    in_trans += 1
                elif names[0] in TRANS_CLOSE:
                    in_trans = max(0, in_trans - 1)
            out.append(MASK + "\n" * sum(v.count("\n") for _k, v in block))
            block = []
    return "".join(out)


class _TextFinder(HTMLParser):
    def __init__(self, where: str) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where
        self.findings: list[Finding] = []
        self.skipping: list[str] = []

    def _report(self, text: str, line: int | None = None) -> None:
        self.findings.append(Finding(self.where, line or self.getpos()[0], text.replace(MASK, "{{…}}")))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and readable_words(value or ""):
                self._report(f'{name}="{value}"')
        input_type = values.get("type", "").lower()
        if tag == "input" and input_type in BUTTON_INPUTS and readable_words(values.get("value", "")):
            self._report(f'value="{values["value"]}"')
        if tag in SKIPPED_ELEMENTS and tag not in VOID_ELEMENTS:
            self.skipping.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            while self.skipping and self.skipping.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            # A data chunk can span lines: report the line of its first word.
            first = WORD.search(data)
            line = self.getpos()[0] + (data[: first.start()].count("\n") if first else 0)
            words = readable_words(data)
            if words:
                self._report(" ".join(words), line)


def unmarked_in_template(env: Environment, source: str, where: str = "<template>") -> list[Finding]:
    """Readable text in a template that is not inside _(), ngettext() or {% trans %}."""
    html = BRAND.sub("voicebox", masked_source(env, source))
    finder = _TextFinder(where)
    finder.feed(html)
    finder.close()
    return finder.findings


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


# -- Python -------------------------------------------------------------------------------

MARKERS = {"_", "_l", "gettext", "ngettext", "lazy_gettext", "lazy_ngettext", "pgettext", "N_"}
# Errors that only reach operators (the CLI, logs) stay English: see README, "Translations".
OPERATOR_MODULES = {
    "backup.py",
    "cli.py",
    "config.py",
    "crypto.py",
    "demo.py",
    "key_rotation.py",
    "keystore.py",
}
# Fields with no label a person sees.
UNLABELLED_FIELDS = {"HiddenField", "CSRFTokenField"}
FIELD_TEXT_KEYWORDS = {"label", "description"}
# Keywords of render_template() that templates print as prose (the error page's title, advice).
PAGE_TEXT_KEYWORDS = {"title", "advice", "heading", "message", "lead", "description"}


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_literal_text(node: ast.AST | None) -> bool:
    """A string literal or f-string with letters in it (not wrapped in a marker call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(readable_words(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and readable_words(str(part.value)) for part in node.values)
    if isinstance(node, ast.BinOp):  # "a" + "b", "a %s" % x
        return _is_literal_text(node.left) or _is_literal_text(node.right)
    return False


def domain_errors(modules: Iterable[tuple[str, ast.Module]]) -> dict[str, set[str]]:
    """voicebox's own exception classes that reach people, by module: every class deriving
    (directly or through another one) from Exception, outside the operator-only modules.
    Keyed by module because names repeat (the API's ItemNotFound is a LookupError whose
    text stays English; the responses' ItemNotFound is shown on pages)."""
    classes: dict[tuple[str, str], set[str]] = {}
    for where, tree in modules:
        if Path(where).name in OPERATOR_MODULES:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes[(where, node.name)] = {
                    b.id if isinstance(b, ast.Name) else b.attr
                    for b in node.bases
                    if isinstance(b, ast.Name | ast.Attribute)
                }
    found: set[tuple[str, str]] = set()
    changed = True
    while changed:
        changed = False
        names = {name for _where, name in found}
        for key, parents in classes.items():
            if key not in found and ("Exception" in parents or parents & names):
                found.add(key)
                changed = True
    errors: dict[str, set[str]] = {}
    for where, name in found:
        errors.setdefault(where, set()).add(name)
    return errors


def _is_domain_error(name: str, where: str, local_classes: set[str], errors: dict[str, set[str]]) -> bool:
    """A class defined in the module itself decides; otherwise any domain error of that name."""
    if name in local_classes:
        return name in errors.get(where, set())
    return any(name in names for names in errors.values())


def unmarked_in_python(tree: ast.Module, where: str, errors: dict[str, set[str]]) -> list[Finding]:
    """Literal text in flash(), field labels, ValidationError, validators' message= and raises
    of domain errors (`errors` as `domain_errors` gives them)."""
    findings: list[Finding] = []
    local_classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}

    def report(node: ast.AST, what: str) -> None:
        text = ast.unparse(node)
        findings.append(Finding(where, getattr(node, "lineno", 0), f"{what}: {text[:80]}"))

    def first_arg(call: ast.Call) -> ast.AST | None:
        return call.args[0] if call.args else None

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _callee(node)
            if name in MARKERS:
                continue
            if name == "flash" and _is_literal_text(first_arg(node)):
                report(node, "flash()")
            elif name == "ValidationError" and _is_literal_text(first_arg(node)):
                report(node, "ValidationError")
            elif name.endswith("Field") and name not in UNLABELLED_FIELDS:
                if _is_literal_text(first_arg(node)):
                    report(node.args[0], f"{name} label")
                for keyword in node.keywords:
                    if keyword.arg in FIELD_TEXT_KEYWORDS and _is_literal_text(keyword.value):
                        report(keyword.value, f"{name} {keyword.arg}=")
            if name in {"render_template", "render"}:
                for keyword in node.keywords:
                    if keyword.arg in PAGE_TEXT_KEYWORDS and _is_literal_text(keyword.value):
                        report(keyword.value, f"{name} {keyword.arg}=")
            # Validators are classes (Length, EqualTo, ...): jsonify(message=...) is not one.
            for keyword in node.keywords if name[:1].isupper() else ():
                if keyword.arg == "message" and _is_literal_text(keyword.value):
                    report(keyword.value, f"{name}(message=)")
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            raised = _callee(node.exc)
            if _is_domain_error(raised, where, local_classes, errors) and _is_literal_text(
                first_arg(node.exc)
            ):
                report(node.exc, "raise")
    return sorted(findings, key=lambda f: f.line)


def python_modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:
            continue
        yield str(relative), ast.parse(path.read_text(), filename=str(relative))

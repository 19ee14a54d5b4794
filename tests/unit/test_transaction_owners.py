"""Only a unit of work ends a transaction: no service commits or rolls back on its own.

Views, CLI commands and the tick wrap their service calls in `unit_of_work`, so an action
of several steps is stored whole or not at all (tests/web/test_all_or_nothing.py). A
`.commit()` or `.rollback()` anywhere else in voicebox/ would split an action again, so this
test reads every module with `ast` and fails on any such call outside the allow-list.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "voicebox"
ENDERS = frozenset({"commit", "rollback"})

# Each entry is a module that genuinely ends transactions itself, and why.
ALLOWED = {
    # The one owner: commits a whole action, or rolls all of it back.
    "voicebox/unit_of_work.py": "unit_of_work, discard",
    # Alembic's runner on its own connection: SQLite's foreign_keys pragma only changes
    # outside a transaction, so it commits around the migration's own transaction.
    "voicebox/migrations/env.py": "PRAGMA foreign_keys around migrations",
}


def transaction_enders(source: str) -> list[int]:
    """Line numbers of every `<anything>.commit(...)` or `<anything>.rollback(...)` call."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ENDERS
    )


def test_nothing_but_the_unit_of_work_commits_or_rolls_back() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED:
            continue
        found += [f"{relative}:{line}" for line in transaction_enders(path.read_text())]
    assert found == [], "only a unit of work may end a transaction; wrap the caller instead"


def test_every_allowed_module_still_ends_transactions() -> None:
    # An entry nobody needs any more is an exception waiting to be reused: remove it.
    for relative in ALLOWED:
        assert transaction_enders((ROOT / relative).read_text()), relative


def test_the_check_sees_commits_however_they_are_reached() -> None:
    source = (
        "def publish(session):\n"
        "    session.add(1)\n"
        "    session.commit()\n"
        "def close():\n"
        "    db.session.rollback()\n"
        "    connection.commit()\n"
        "    committed = session.info.get('commit')\n"
    )
    assert transaction_enders(source) == [3, 5, 6]

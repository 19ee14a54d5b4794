"""voicebox/ imports form no cycle, so each module can be read (and tested) after the ones
it depends on.

The graph is read from the source with `ast`. Every import that runs counts, whether at the
top of a module or inside a function: an import moved into a function to dodge a cycle is
still a dependency in both directions, which is what makes areas hard to change one at a
time. Imports under `if TYPE_CHECKING:` never run and are left out, and so is the implicit
import of a parent package (`voicebox.petitions.service` loads `voicebox/__init__.py`,
whose `create_app` imports every blueprint; that is the app's one composition root, not a
dependency of the modules).
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "voicebox"


def _modules() -> dict[str, Path]:
    found = {}
    for path in (ROOT / PACKAGE).rglob("*.py"):
        relative = path.relative_to(ROOT).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> list[str]:
    """Fully qualified names each executed import statement loads."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.extend(f"{target}.{alias.name}" for alias in node.names)
            names.append(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the voicebox modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        edges = set()
        for name in _imported_names(tree, module, path.name == "__init__.py"):
            # `from voicebox.petitions import service` loads the submodule; `from
            # voicebox.models import Petition` loads the package: take the longest module.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module and not module.startswith(f"{name}."):
                edges.add(name)
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        return list(error.args[1])
    return None


def test_voicebox_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(reversed(cycle or []))


def test_the_graph_sees_the_areas_imports() -> None:
    graph = import_graph()
    assert "voicebox.extensions" in graph["voicebox.petitions.service"]
    assert "voicebox.petitions.breakdown" in graph["voicebox.petitions.counting"]  # `from pkg import mod`
    assert "voicebox.settings" in graph["voicebox.database"]  # imported inside upgrade_database
    assert "voicebox.models" in graph["voicebox.auditlog.record"]  # a name from a package's __init__


@pytest.mark.parametrize(
    ("graph", "cycle"),
    [
        ({"a": {"b"}, "b": {"a"}}, True),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, False),
    ],
)
def test_a_cycle_is_found(graph: dict[str, set[str]], cycle: bool) -> None:
    assert (find_cycle(graph) is not None) is cycle

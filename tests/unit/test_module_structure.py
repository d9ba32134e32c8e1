"""The ORM's modules keep to their own private names and import each other without a cycle.

Read from the source with ``ast`` (nothing is imported), so lazy imports inside functions and imports under
``TYPE_CHECKING`` count too: a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "theorydb_py"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE
MODULES = {path.stem: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(ROOT.glob("*.py"))}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _imports(tree: ast.Module) -> list[tuple[str, str | None, int]]:
    """``(module, imported name or None, line)`` for every import of a ``theorydb_py`` module."""
    found: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            if node.module == PACKAGE:
                for alias in node.names:
                    if alias.name in MODULES:
                        found.append((alias.name, None, node.lineno))
                    else:
                        found.append(("__init__", alias.name, node.lineno))
            elif node.module.startswith(PACKAGE + "."):
                target = node.module.split(".")[1]
                found.extend((target, alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    found.append((alias.name.split(".")[1], None, node.lineno))
    return found


def _defined_here(tree: ast.Module) -> set[str]:
    """Every name a module defines: functions, classes, assignments and attributes it sets."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            names.add(node.value)  # __slots__ members
    return names


def private_uses(module: str) -> list[str]:
    """Where ``module`` reaches into another module's private names."""
    tree = MODULES[module]
    problems = [
        f"{module}.py:{line} imports {name} from {target}"
        for target, name, line in _imports(tree)
        if name is not None and _private(name) and target != module
    ]
    own = _defined_here(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in own:
            problems.append(f"{module}.py:{node.lineno} uses .{node.attr}, a private name of another module")
    return problems


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for module, tree in MODULES.items():
        for target, _, _ in _imports(tree):
            if target != module:
                graph[module].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_uses_another_modules_private_names(module: str) -> None:
    assert private_uses(module) == []


def test_the_modules_import_each_other_without_a_cycle() -> None:
    assert find_cycle(import_graph()) is None


def test_the_checks_catch_what_they_are_for() -> None:
    """The detectors themselves: a reach into ``table._key`` and a two-module cycle are both found."""
    MODULES["_probe_a"] = ast.parse(
        "from theorydb_py.table import _backoff\nfrom theorydb_py import _probe_b\ndef f(t):\n    t._key(1)\n"
    )
    MODULES["_probe_b"] = ast.parse("import theorydb_py._probe_a\n")
    try:
        problems = private_uses("_probe_a")
        assert any("imports _backoff from table" in p for p in problems)
        assert any("uses ._key" in p for p in problems)
        cycle = find_cycle(import_graph())
        assert cycle is not None and set(cycle) == {"_probe_a", "_probe_b"}
    finally:
        del MODULES["_probe_a"], MODULES["_probe_b"]


def test_the_engine_is_shared() -> None:
    """Table, batches, transactions, streams and the update builder all go through the one ItemMapper."""
    for module in ("table", "batch", "transactions", "streams", "update_builder"):
        targets = {target for target, _, _ in _imports(MODULES[module])}
        assert "mapper" in targets, module
        assert "table" not in targets, f"{module} must not reach back into table"

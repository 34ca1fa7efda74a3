"""The layers (style.md): dwgk/core imports nothing from dwgk/web or the domains; dwgk/web
imports no domain; a domain's queries never read Flask's `g`. Read from the source, function-
level imports included."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dwgk"
# What every layer may use: the configuration and the extension objects.
SHARED = {"dwgk.extensions", "dwgk.config"}


def _runtime_nodes(tree):
    """Every node but those under `if TYPE_CHECKING:` (type annotations only)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _imports(path: Path) -> set[str]:
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "dwgk" or name.startswith("dwgk.")}


def _outside(path: Path, allowed: tuple[str, ...]) -> list[str]:
    modules = {m for m in _imports(path)
               if not any(m == shared or m.startswith(shared + ".") for shared in SHARED)}
    # "from dwgk.core import clock" names dwgk.core and dwgk.core.clock: both allowed.
    return sorted(m for m in modules if not any(m == a or m.startswith(a + ".") for a in allowed)
                  and m != "dwgk")


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_imports_neither_web_nor_a_domain(path):
    assert _outside(path, ("dwgk.core",)) == []


@pytest.mark.parametrize("path", sorted((PACKAGE / "web").glob("*.py")), ids=lambda p: p.name)
def test_web_imports_no_domain(path):
    assert _outside(path, ("dwgk.core", "dwgk.web")) == []


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*/queries.py")), ids=lambda p: p.parent.name)
def test_queries_do_not_read_flask_g(path):
    tree = ast.parse(path.read_text())
    names = {alias.asname or alias.name for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module == "flask" for alias in node.names}
    assert "g" not in names

"""Shared definitions are made once, in their own module, and imported everywhere else.

Each check reads every module of the package (its syntax tree, so comments and docstrings do
not count) and lists where a definition is written out; a copy anywhere else fails.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "reader"


@functools.cache
def _modules() -> tuple[tuple[str, ast.Module], ...]:
    """Every module's path and syntax tree, parsed once per process (the checks only read them)."""
    return tuple(
        (path.relative_to(ROOT).as_posix(), ast.parse(path.read_text("utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
    )


def _where(found: Callable[[ast.AST], bool]) -> list[str]:
    """Modules holding at least one node for which `found` is true."""
    return [name for name, tree in _modules() if any(found(node) for node in ast.walk(tree))]


def _strings(node: ast.AST) -> tuple[str, ...] | None:
    """The values of a tuple of string constants, else None."""
    if isinstance(node, ast.Tuple) and all(
        isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.elts
    ):
        return tuple(str(item.value) for item in node.elts if isinstance(item, ast.Constant))
    return None


def _bidi_mode_definition(node: ast.AST) -> bool:
    """`Literal["app", "terminal"]`, or a name bound to the tuple ("app", "terminal")."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return node.value.id == "Literal" and _strings(node.slice) == ("app", "terminal")
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        return _strings(node.value) == ("app", "terminal")
    return False


def _arabic_script_range(node: ast.AST) -> bool:
    """A character class of the Arabic block (U+0600 to U+06FF)."""
    return isinstance(node, ast.Constant) and "\u0600-\u06ff" in str(node.value)


#: Proclitics of two letters or more, and the set of one-letter ones in any order.
_PROCLITICS = frozenset(
    {"وبال", "وكال", "وفال", "فبال", "وال", "بال", "فال", "كال", "ولل", "فلل", "لل"}
    | {"وب", "ول", "وك", "فب", "فل"}
)


def _proclitic_table(node: ast.AST) -> bool:
    """A proclitic written out (the article alone is a word of its own, not counted)."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return False
    return node.value in _PROCLITICS or sorted(node.value) == sorted("وفبلك")


CHECKS: dict[str, tuple[Callable[[ast.AST], bool], str]] = {
    "the bidi modes": (_bidi_mode_definition, "reader/text/modes.py"),
    "the Arabic-script letters": (_arabic_script_range, "reader/text/arabic.py"),
    "the proclitics": (_proclitic_table, "reader/text/arabic.py"),
}


def test_the_checks_see_the_package() -> None:
    """Guard against a check passing because it read nothing."""
    assert "reader/text/layout.py" in dict(_modules())


@pytest.mark.parametrize("what", sorted(CHECKS))
def test_defined_once(what: str) -> None:
    found, home = CHECKS[what]
    assert _where(found) == [home]

"""The UI's conventions, read from the source: every message in one module, and no screen or
widget asking the app (or a screen) for an attribute by name.

Typed messages live in `reader.ui.messages`, so a reader finds what widgets and screens tell
each other in one place. What a screen needs of the app is declared on `ReaderBase` and read
typed (`reader_app(self)`, or a public attribute of Textual's `App`): a `getattr(self.app,
"name", None)` hides a missing or renamed service behind a silent default.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reader.ui

UI_ROOT = Path(reader.ui.__file__).resolve().parent
MESSAGES = UI_ROOT / "messages.py"
#: Names whose attributes must not be read by name (`self.app`, `self.screen`, `app`...).
HOSTS = frozenset({"app", "screen"})


def _sources() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for path in sorted(UI_ROOT.rglob("*.py"))
    ]


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(UI_ROOT.parent.parent)}:{getattr(node, 'lineno', 0)}"


def test_the_walk_finds_the_ui() -> None:
    """Guard against the checks below covering nothing."""
    names = {path.name for path, _ in _sources()}
    assert {"app.py", "messages.py", "entities.py", "side_pane.py"} <= names


def test_every_message_class_is_in_the_messages_module() -> None:
    outside = []
    inside = 0
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {
                base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                for base in node.bases
            }
            if "Message" in bases:
                if path == MESSAGES:
                    inside += 1
                else:
                    outside.append(f"{_where(path, node)}: class {node.name}")
    assert inside > 20, "the messages module's classes were not found"
    assert not outside, "messages outside reader/ui/messages.py:\n" + "\n".join(outside)


def _is_host(node: ast.expr) -> bool:
    """`app`, `screen`, `self.app`, `self.screen`, `pilot.app`..."""
    if isinstance(node, ast.Name):
        return node.id in HOSTS
    return isinstance(node, ast.Attribute) and node.attr in HOSTS


def test_no_attribute_of_the_app_or_a_screen_is_read_by_name() -> None:
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr")
                and node.args
                and _is_host(node.args[0])
            ):
                found.append(f"{_where(path, node)}: {ast.unparse(node)}")
    assert not found, "read typed instead (declare it on ReaderBase):\n" + "\n".join(found)

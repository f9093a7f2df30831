"""Widgets do not reach into one another: a widget module imports another widget module only
to extend it or to compose it as a child. What a widget needs from a sibling (the Entities tab
needs the article's selection) comes through the screen, by message. Read from the source."""

from __future__ import annotations

import ast
from pathlib import Path

import reader.ui.widgets

WIDGETS = Path(reader.ui.widgets.__file__).parent
PREFIX = "reader.ui.widgets."

#: module -> the widget modules it may import: what it extends or composes.
ALLOWED: dict[str, set[str]] = {
    "highlight_view": {"article_view"},  # ReadingView extends ArticleView
    "side_pane": {"entities_pane", "notes_pane"},  # the pane's two tabs
    "entities_pane": {"shaped_text"},  # the same cleaning of names (clean_text)
    "notes_pane": {"shaped_text"},  # quotes and notes drawn with ShapedText
    "note_editor": {"shaped_text"},  # the same cleaning of typed text (clean_text)
}


def _widget_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            found.add(node.module.removeprefix(PREFIX))
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.removeprefix(PREFIX)
                for alias in node.names
                if alias.name.startswith(PREFIX)
            )
    return found


def test_no_widget_reaches_into_another() -> None:
    modules = sorted(path for path in WIDGETS.glob("*.py") if path.stem != "__init__")
    assert len(modules) > 5
    reaching = {
        path.stem: sorted(imports - ALLOWED.get(path.stem, set()))
        for path in modules
        if (imports := _widget_imports(path)) - ALLOWED.get(path.stem, set())
    }
    assert reaching == {}

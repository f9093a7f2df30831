"""The help screen: every key binding of the app, generated from the bindings themselves."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static


def _own_keys(cls: type[DOMNode]) -> set[tuple[str, str]]:
    """(key, action) of the bindings the reader's own classes in `cls`'s ancestry declare:
    not Textual's (scrolling, focus, copy), which the reader does not offer as its keys."""
    own: set[tuple[str, str]] = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("reader.") and "BINDINGS" in klass.__dict__:
            for bindings in BindingsMap(klass.__dict__["BINDINGS"]).key_to_bindings.values():
                own.update((binding.key, binding.action) for binding in bindings)
    return own


def binding_rows(node_classes: list[tuple[str, type[DOMNode]]]) -> list[tuple[str, list[Binding]]]:
    """(section title, bindings with a description) for each class, in the order given.

    Only the reader's own bindings are listed, as the footer names them (a key a class
    rebinds is listed with the reader's meaning); a section with none is left out.
    """
    sections: list[tuple[str, list[Binding]]] = []
    seen: set[tuple[str, str]] = set()
    for title, cls in node_classes:
        own = _own_keys(cls)
        rows: list[Binding] = []
        for binding in (
            cls._merged_bindings.key_to_bindings.values() if cls._merged_bindings else []
        ):
            for item in binding:
                key = (item.key, item.action)
                if not item.description or key in seen or key not in own:
                    continue
                seen.add(key)
                rows.append(item)
        if rows:
            sections.append((title, rows))
    return sections


class HelpScreen(ModalScreen[None]):
    """Lists the bindings of the app, the library and the article screens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, sections: list[tuple[str, type[DOMNode]]]) -> None:
        super().__init__()
        self._sections = sections
        self.rows: list[tuple[str, str, str, str]] = []
        """(section, keys, description, binding id) of each row listed (the id is not shown:
        a reader looks keys up by what they do)."""

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True, padding=(0, 2))
        table.add_column("Key", no_wrap=True)
        table.add_column("Does")
        for title, bindings in binding_rows(self._sections):
            table.add_row(Text(title, style="bold underline"), "")
            grouped: dict[str, list[Binding]] = {}
            for binding in bindings:
                grouped.setdefault(binding.action, []).append(binding)
            for action_bindings in grouped.values():
                keys = ", ".join(self.app.get_key_display(b) for b in action_bindings)
                first = action_bindings[0]
                binding_id = next((b.id for b in action_bindings if b.id), "")
                self.rows.append((title, keys, first.description, binding_id))
                table.add_row(keys, first.description)
            table.add_row("", "")
        table.add_row("ctrl+p", "Command palette: every action by name")
        with VerticalScroll(id="help-body"):
            yield Static("Keys", id="help-title")
            yield Static(table, id="help-table")
            yield Static("Escape, q or ? closes this screen.", id="help-hint")

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help screen."""
        self.dismiss(None)

"""Small dialogs for correcting entities: choose a type, type a new name, pick an entity.

Each dialog returns the reader's choice (or None when cancelled); the Entities tab turns
it into an `EntityCorrection` and saves it, so the dialogs know nothing of the store.
Arabic is shown shaped (`display_lines`) and typed in a `NoteEditor`, since a plain
`Input` shows Arabic letters unjoined.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from reader.entities.extractor import ENTITY_TYPES
from reader.text.modes import BidiMode
from reader.ui.shaped import display_lines
from reader.ui.widgets.note_editor import NoteEditor
from reader.ui.widgets.shaped_text import ShapedText

#: What each type is called in the dialogs and the Entities tab.
TYPE_NAMES: dict[str, str] = {
    "PERSON": "Person",
    "ORG": "Organisation",
    "LOC": "Place",
    "MONEY": "Money",
    "DATE": "Date",
    "MISC": "Other (product, project, event)",
}

_DIALOG_CSS = """
{cls} {{
    align: center middle;
}}
{cls} > Vertical {{
    width: 60;
    max-width: 100%;
    height: auto;
    max-height: 90%;
    border: thick $primary;
    background: $panel;
    padding: 0 1;
}}
{cls} .dialog-title {{
    text-style: bold;
}}
{cls} .dialog-hint {{
    color: $text-muted;
}}
{cls} OptionList {{
    height: auto;
    max-height: 20;
}}
"""


def shaped(text: str, mode: BidiMode, width: int = 50) -> str:
    """`text` on one screen line, shaped and in visual order in app mode."""
    return display_lines(text, width, mode)[0].strip()


class TypeScreen(ModalScreen[str | None]):
    """Choose an entity type for `name`; returns the type (PERSON, ORG, ...) or None."""

    DEFAULT_CSS = _DIALOG_CSS.format(cls="TypeScreen")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="entity_edit.cancel"),
    ]

    def __init__(self, title: str, name: str, current: str = "", *, mode: BidiMode = "app") -> None:
        super().__init__()
        self.heading = title
        self.entity_name = name
        self.current = current
        self.mode = mode

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.heading, classes="dialog-title")
            yield ShapedText(self.entity_name, mode=self.mode)
            options = [
                Option(
                    f"{TYPE_NAMES.get(kind, kind)}{'  (now)' if kind == self.current else ''}",
                    id=kind,
                )
                for kind in ENTITY_TYPES
            ]
            yield OptionList(*options, id="type-options")
            yield Label("Enter chooses, Esc cancels.", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one("#type-options", OptionList)
        kinds = list(ENTITY_TYPES)
        options.highlighted = kinds.index(self.current) if self.current in kinds else 0
        options.focus()

    @on(OptionList.OptionSelected, "#type-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)


class NameScreen(ModalScreen[str | None]):
    """Type a name (Arabic shaped as you type); Enter returns it, Esc cancels."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(cls="NameScreen")
        + """
    NameScreen NoteEditor {
        height: 3;
    }
    """
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="entity_edit.name_cancel"),
        Binding("enter", "save", "Save", priority=True, id="entity_edit.name_save"),
    ]

    def __init__(self, title: str, name: str, *, mode: BidiMode = "app") -> None:
        super().__init__()
        self.heading = title
        self.initial = name
        self.mode = mode

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.heading, classes="dialog-title")
            yield NoteEditor(self.initial, mode=self.mode, id="entity-name")
            yield Label("Enter saves, Esc cancels.", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#entity-name", NoteEditor).focus()

    def action_save(self) -> None:
        """Return the typed name (spaces tidied); an empty name is a cancel."""
        name = " ".join(self.query_one("#entity-name", NoteEditor).text.split())
        self.dismiss(name or None)

    def action_cancel(self) -> None:
        """Close without a name."""
        self.dismiss(None)


class PickScreen(ModalScreen[str | None]):
    """Pick one of `choices`; returns its key.

    Each choice is (key, name, detail): the name (logical text) is shaped on its own, after
    the Latin detail ("Organisations, 4") in a column, so a line never mixes the two
    directions in one bidi paragraph.
    """

    DEFAULT_CSS = _DIALOG_CSS.format(cls="PickScreen")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="entity_edit.pick_cancel"),
    ]

    def __init__(
        self,
        title: str,
        choices: Sequence[tuple[str, str, str]],
        *,
        hint: str = "Enter chooses, Esc cancels.",
        mode: BidiMode = "app",
    ) -> None:
        super().__init__()
        self.heading = title
        self.choices = list(choices)
        self.hint = hint
        self.mode = mode

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.heading, classes="dialog-title")
            width = max((len(detail) for _, _, detail in self.choices), default=0)
            options = [
                Option(
                    Text.assemble(
                        (f"{detail:<{width}}  " if width else "", "dim"),
                        shaped(name, self.mode, max(10, 54 - width)),
                    ),
                    id=str(index),
                )
                for index, (_, name, detail) in enumerate(self.choices)
            ]
            if options:
                yield OptionList(*options, id="pick-options")
            else:
                yield Label("Nothing to choose from.")
            yield Label(self.hint, classes="dialog-hint")

    def on_mount(self) -> None:
        for options in self.query("#pick-options"):
            options.focus()

    @on(OptionList.OptionSelected, "#pick-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)][0])

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

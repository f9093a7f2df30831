"""The note editor dialog: a highlight's note, tags and colour; save, cancel or delete.

The note and the tags are edited with `NoteEditor`, which shows Arabic shaped and
right-to-left. The dialog returns a `NoteResult` (or None when cancelled); the caller
saves it, so the dialog works for any highlight source and is easy to test.
Cancelling (Escape or the Cancel button) after changing anything asks first
(`DiscardScreen`): a long note typed is never thrown away by one key.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from reader.models import Annotation
from reader.text.modes import BidiMode
from reader.ui.messages import NoteResult
from reader.ui.screens.confirm import ConfirmScreen
from reader.ui.widgets.colour_picker import ColourPicker
from reader.ui.widgets.note_editor import NoteEditor
from reader.ui.widgets.shaped_text import ShapedText

_TAG_SPLIT = re.compile(r"[,\u060c\n]+")


def parse_tags(text: str) -> list[str]:
    """Tags from what the user typed: separated by commas (Latin or Arabic) or new lines."""
    tags: list[str] = []
    for part in _TAG_SPLIT.split(text):
        tag = " ".join(part.split())
        if tag and tag not in tags:
            tags.append(tag)
    return tags


class NoteScreen(ModalScreen[NoteResult | None]):
    """Edit a highlight's note, tags and colour."""

    DEFAULT_CSS = """
    NoteScreen {
        align: center middle;
    }
    NoteScreen #note-dialog {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $panel;
        padding: 0 1;
    }
    NoteScreen #note-quote {
        max-height: 4;
        color: $text-muted;
        margin-bottom: 1;
    }
    NoteScreen #note-tags {
        height: 3;
    }
    NoteScreen #note-colour {
        margin: 1 0;
    }
    NoteScreen #note-buttons {
        height: auto;
        align-horizontal: right;
    }
    NoteScreen #note-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(
        self,
        annotation: Annotation,
        *,
        mode: BidiMode = "app",
        focus: Literal["note", "tags"] = "note",
    ) -> None:
        super().__init__()
        self.annotation = annotation
        self.mode = mode
        self._focus = focus

    def compose(self) -> ComposeResult:
        annotation = self.annotation
        with Vertical(id="note-dialog"):
            yield Label("Highlight", classes="note-heading")
            yield ShapedText(annotation.quote, mode=self.mode, id="note-quote")
            yield Label("Note (Ctrl+S saves, Esc cancels)")
            yield NoteEditor(annotation.note, mode=self.mode, id="note-text")
            yield Label("Tags, separated by commas")
            yield NoteEditor(", ".join(annotation.tags), mode=self.mode, id="note-tags")
            yield ColourPicker(annotation.color, id="note-colour")
            with Horizontal(id="note-buttons"):
                yield Button("Save", variant="primary", id="note-save")
                yield Button("Delete", variant="error", id="note-delete")
                yield Button("Cancel", id="note-cancel")

    def on_mount(self) -> None:
        target = "#note-tags" if self._focus == "tags" else "#note-text"
        self.query_one(target, NoteEditor).focus()

    def _colour(self) -> int:
        return self.query_one("#note-colour", ColourPicker).value

    def result(self) -> NoteResult:
        """What saving now would return."""
        return NoteResult(
            action="save",
            note=self.query_one("#note-text", NoteEditor).text.strip("\n"),
            tags=parse_tags(self.query_one("#note-tags", NoteEditor).text),
            color=self._colour(),
        )

    def action_save(self) -> None:
        self.dismiss(self.result())

    def changed(self) -> bool:
        """Whether the note, the tags or the colour differ from the highlight's."""
        now = self.result()
        before = self.annotation
        return (now.note, now.tags, now.color) != (
            before.note.strip("\n"),
            parse_tags(", ".join(before.tags)),
            before.color,
        )

    def action_cancel(self) -> None:
        """Close without saving; when something was changed, ask before dropping it."""
        if not self.changed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardScreen(), answered)

    @on(Button.Pressed, "#note-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#note-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#note-delete")
    def _delete_pressed(self) -> None:
        self.dismiss(NoteResult(action="delete", color=self.annotation.color))


class DiscardScreen(ConfirmScreen):
    """Asks before the note editor drops what was typed: True discards, False keeps editing."""

    DEFAULT_CSS = """
    DiscardScreen #confirm-dialog {
        width: 56;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "keep", "Keep editing"),
        Binding("d", "act", "Discard"),
    ]
    KEEP = "Keep editing"
    ACT = "Discard"

    def __init__(self) -> None:
        super().__init__("Discard the changes to this note? What you typed will be lost.")

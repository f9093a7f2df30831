"""A yes-or-no question before something is lost (`ConfirmScreen`): the safe answer is
focused and Escape gives it; the answer that acts needs its own key or button.

The library's "delete an article with notes?" (`reader.ui.screens.add.ConfirmDeleteScreen`) and
the note editor's "discard what was typed?" (`reader.ui.screens.note.DiscardScreen`) are this
dialog with their own words and keys.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from reader.text.modes import BidiMode
from reader.ui.widgets.shaped_text import ShapedText


class ConfirmScreen(ModalScreen[bool]):
    """Asks `question` (under an optional `title` from the library, shaped): True acts.

    Subclasses name the two buttons (`KEEP`, `ACT`) and bind keys to `keep` and `act`."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen #confirm-dialog {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $panel;
        padding: 0 1;
    }
    ConfirmScreen #confirm-title {
        margin-bottom: 1;
    }
    ConfirmScreen #confirm-question {
        width: 1fr;
    }
    ConfirmScreen #confirm-buttons {
        height: auto;
        align-horizontal: right;
    }
    ConfirmScreen #confirm-buttons Button {
        margin-left: 1;
    }
    """

    KEEP: ClassVar[str] = "Keep"
    """The safe answer's button."""
    ACT: ClassVar[str] = "Go ahead"
    """The acting answer's button."""

    def __init__(self, question: str, *, title: str | None = None, mode: BidiMode = "app") -> None:
        super().__init__()
        self._question = question
        self._title = title
        self._mode: BidiMode = mode

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            if self._title is not None:
                yield ShapedText(self._title, mode=self._mode, id="confirm-title")
            yield Label(self._question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.KEEP, variant="primary", id="confirm-keep")
                yield Button(self.ACT, variant="error", id="confirm-act")

    def on_mount(self) -> None:
        self.query_one("#confirm-keep", Button).focus()

    def action_keep(self) -> None:
        """The safe answer: nothing is lost."""
        self.dismiss(False)

    def action_act(self) -> None:
        """The answer that acts."""
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-keep")
    def _keep_pressed(self) -> None:
        self.action_keep()

    @on(Button.Pressed, "#confirm-act")
    def _act_pressed(self) -> None:
        self.action_act()

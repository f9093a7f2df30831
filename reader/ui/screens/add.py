"""Dialogs of the library's management: what to add (`AddScreen`) and whether to delete an
article that has notes (`ConfirmDeleteScreen`).

Both only ask; the library screen does the work (reader.ui.screens.manage): adding goes
through the same service as `reader add` (reader.ingest.library.add_targets), in a worker.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from reader.text.modes import BidiMode
from reader.ui.screens.confirm import ConfirmScreen
from reader.ui.widgets.shaped_input import ShapedInput
from reader.ui.widgets.shaped_text import ShapedText


class AddScreen(ModalScreen[str | None]):
    """Asks for a file, folder or web page (a path or a URL); returns it, or None."""

    DEFAULT_CSS = """
    AddScreen {
        align: center middle;
    }
    AddScreen #add-dialog {
        width: 84;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $panel;
        padding: 0 1;
    }
    AddScreen #add-buttons {
        height: auto;
        align-horizontal: right;
    }
    AddScreen #add-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, *, mode: BidiMode = "app", harakat: bool = True) -> None:
        super().__init__()
        self._mode: BidiMode = mode
        self._harakat = harakat

    def compose(self) -> ComposeResult:
        with Vertical(id="add-dialog"):
            yield Label("Add to the library: a file, a folder, a web page or a feed")
            yield ShapedInput(
                placeholder="A path (~/news/article.html) or a URL (https://…)",
                id="add-target",
                mode=self._mode,
                harakat=self._harakat,
            )
            with Horizontal(id="add-buttons"):
                yield Button("Cancel", id="add-cancel")
                yield Button("Add", variant="primary", id="add-ok")

    def on_mount(self) -> None:
        self.query_one("#add-target", Input).focus()

    def action_cancel(self) -> None:
        """Close without adding anything."""
        self.dismiss(None)

    def action_add(self) -> None:
        """Add what was typed (nothing typed: the box stays open)."""
        target = self.query_one("#add-target", Input).value.strip()
        if not target:
            self.notify("Type a path or a URL to add.", severity="warning")
            return
        self.dismiss(target)

    @on(Input.Submitted, "#add-target")
    def _submitted(self) -> None:
        self.action_add()

    @on(Button.Pressed, "#add-ok")
    def _add_pressed(self) -> None:
        self.action_add()

    @on(Button.Pressed, "#add-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


class ConfirmDeleteScreen(ConfirmScreen):
    """Asks before an article with highlights or notes is deleted: True deletes (z in the
    library undoes it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "keep", "Keep it"),
        Binding("y", "act", "Delete"),
    ]
    KEEP = "Keep it"
    ACT = "Delete"

    def __init__(self, title: str, question: str, *, mode: BidiMode = "app") -> None:
        super().__init__(question, title=title, mode=mode)


class SubscribeScreen(ModalScreen[bool]):
    """Asks, after a feed's URL (or a page linking a feed) was added, whether to subscribe:
    True subscribes (as `reader feed add` does), False keeps only the entries added now."""

    DEFAULT_CSS = """
    SubscribeScreen {
        align: center middle;
    }
    SubscribeScreen #subscribe-dialog {
        width: 72;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $panel;
        padding: 0 1;
    }
    SubscribeScreen #subscribe-question {
        width: 1fr;
        margin-top: 1;
    }
    SubscribeScreen #subscribe-buttons {
        height: auto;
        align-horizontal: right;
    }
    SubscribeScreen #subscribe-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,o", "once", "Only these entries"),
        Binding("s,y", "subscribe", "Subscribe"),
    ]

    def __init__(self, name: str, question: str, *, mode: BidiMode = "app") -> None:
        super().__init__()
        self._feed_name = name
        self._question = question
        self._mode: BidiMode = mode

    def compose(self) -> ComposeResult:
        with Vertical(id="subscribe-dialog"):
            yield ShapedText(self._feed_name, mode=self._mode, id="subscribe-title")
            yield Label(self._question, id="subscribe-question")
            with Horizontal(id="subscribe-buttons"):
                yield Button("Only these entries", id="subscribe-once")
                yield Button("Subscribe", variant="primary", id="subscribe-yes")

    def on_mount(self) -> None:
        self.query_one("#subscribe-yes", Button).focus()

    def action_once(self) -> None:
        """Keep what was added, without subscribing."""
        self.dismiss(False)

    def action_subscribe(self) -> None:
        """Subscribe: every refresh brings the feed's new entries."""
        self.dismiss(True)

    @on(Button.Pressed, "#subscribe-once")
    def _once_pressed(self) -> None:
        self.action_once()

    @on(Button.Pressed, "#subscribe-yes")
    def _subscribe_pressed(self) -> None:
        self.action_subscribe()

"""Textual's command palette with a search box that draws typed Arabic shaped.

The palette itself (providers, matching, results, keys) is Textual's `CommandPalette`; only
its `CommandInput` is swapped for one that is also a `ShapedInput`, so a query typed in
Arabic reads joined and right to left like the library filter and the find box.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.command import CommandInput, CommandList, CommandPalette, SearchIcon
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, LoadingIndicator

from reader.text.modes import BidiMode
from reader.ui.widgets.shaped_input import ShapedInput


class ShapedCommandInput(CommandInput, ShapedInput):
    """The palette's search box: a `CommandInput` (the palette focuses, finds and styles it
    as one: Textual's CSS type names follow the first base) drawn as a `ShapedInput`."""


class ShapedCommandPalette(CommandPalette):
    """`CommandPalette` whose search box shapes Arabic in app mode."""

    def __init__(
        self,
        *,
        mode: BidiMode = "app",
        harakat: bool = True,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id)
        self._bidi_mode: BidiMode = mode
        self._harakat = harakat

    def compose(self) -> ComposeResult:
        """Textual's palette layout, with the shaped search box."""
        with Vertical(id="--container"):
            with Horizontal(id="--input"):
                yield SearchIcon()
                yield ShapedCommandInput(
                    placeholder=self._placeholder,
                    select_on_focus=False,
                    mode=self._bidi_mode,
                    harakat=self._harakat,
                )
                if not self.run_on_select:
                    yield Button("\u25b6")
            with Vertical(id="--results"):
                yield CommandList()
                yield LoadingIndicator()

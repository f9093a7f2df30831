"""`ColourPicker`: the five highlight colours on one line, the chosen one marked.

One widget where a RadioSet of five RadioButtons took six (each styled, laid out and drawn):
the note dialog opens that much sooner. Left/Right (or 1-5) choose while it has the focus,
a click on a swatch chooses it; the dialog reads `value` when it saves.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

#: Highlight colours, 1 to COLOURS.
COLOURS = 5
#: Cells each colour takes: its swatch " ● N " (● marks the chosen one, ○ the others), then
#: two spaces.
CELLS = 7


class ColourPicker(Widget, can_focus=True):
    """Choose one of the five highlight colours."""

    DEFAULT_CSS = """
    ColourPicker {
        height: 1;
        width: 100%;
        padding: 0 1;
    }
    ColourPicker:focus {
        background: $block-cursor-blurred-background;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step(-1)", "Previous colour", show=False),
        Binding("right", "step(1)", "Next colour", show=False),
        *(
            Binding(str(colour), f"choose({colour})", f"Colour {colour}", show=False)
            for colour in range(1, COLOURS + 1)
        ),
    ]

    value: reactive[int] = reactive(1)
    """The colour chosen, 1 to COLOURS."""

    def __init__(
        self,
        value: int = 1,
        *,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id)
        self.set_reactive(ColourPicker.value, value)

    def validate_value(self, value: int) -> int:
        """Colours run from 1 to COLOURS."""
        return max(1, min(COLOURS, value))

    def render(self) -> Content:
        parts = []
        for colour in range(1, COLOURS + 1):
            mark = "●" if colour == self.value else "○"
            parts.append(
                f"[$reader-highlight-{colour}-text on $reader-highlight-{colour}]"
                f" {mark} {colour} [/]  "
            )
        return Content.from_markup("".join(parts))

    def action_step(self, step: int) -> None:
        """The colour before or after the chosen one."""
        self.value += step

    def action_choose(self, colour: int) -> None:
        """Choose colour `colour`."""
        self.value = colour

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.x < CELLS * COLOURS:
            self.value = offset.x // CELLS + 1

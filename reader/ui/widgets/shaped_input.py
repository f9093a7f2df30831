"""A single-line input that shows Arabic shaped and right-to-left while you type.

Textual's `Input` draws the value in logical order with unjoined letters, so typed Arabic
reads backwards in isolated forms. `ShapedInput` is an `Input` (same value, messages,
selection, editing keys, clipboard) whose value is drawn through the layout engine
(`reader.text.layout.layout`, as the note editor and the article body are): shaped, in
visual order, right-aligned when the field's text is right-to-left.

The value stays logical text. The caret is a logical offset drawn on the cell of the
character at that offset; at the end of the value it stands just past the last character on
its trailing side (left of an Arabic letter, right of a Latin letter or digit). Left/Right
move to the neighbouring cell on screen (visual order, shift extends the selection);
Ctrl+Left/Right move by words in the direction of the field; Home/End go to the logical
start/end. A value too wide for the field scrolls so the caret stays in view.

In `terminal` bidi mode (the terminal shapes and reorders) and for values with no
right-to-left text the widget is Textual's own `Input`.
"""

from __future__ import annotations

import unicodedata

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Offset
from textual.strip import Strip
from textual.widgets import Input
from textual.widgets.input import Selection

from reader.text.layout import VisualLine, layout
from reader.text.modes import BidiMode
from reader.ui.shaped import needs_layout

#: A width no one-line value reaches: the layout never wraps the field's text.
_UNWRAPPED = 100_000


def _trails_left(char: str, base_rtl: bool) -> bool:
    """True if the caret after `char` stands on its left: a right-to-left letter; a neutral
    takes the field's direction."""
    kind = unicodedata.bidirectional(char)
    if kind in ("R", "AL"):
        return True
    if kind in ("L", "EN", "AN"):
        return False
    return base_rtl


class ShapedInput(Input):
    """An `Input` whose Arabic is drawn shaped, in visual order, with a bidi-aware caret."""

    def __init__(
        self,
        value: str | None = None,
        placeholder: str = "",
        *,
        mode: BidiMode = "app",
        harakat: bool = True,
        select_on_focus: bool = True,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        self._mode: BidiMode = mode
        self._harakat = harakat
        self._laid_key: tuple[str, BidiMode, bool] | None = None
        self._laid: VisualLine | None = None
        self._x0: int | None = None
        super().__init__(
            value, placeholder, select_on_focus=select_on_focus, name=name, id=id, classes=classes
        )

    # --- settings ---------------------------------------------------------------------

    @property
    def mode(self) -> BidiMode:
        """The bidi mode: 'app' draws shaped visual text, 'terminal' leaves it logical."""
        return self._mode

    @mode.setter
    def mode(self, mode: BidiMode) -> None:
        self._mode = mode
        self._x0 = None
        self.refresh()

    @property
    def harakat(self) -> bool:
        """Whether harakat are drawn."""
        return self._harakat

    @harakat.setter
    def harakat(self, harakat: bool) -> None:
        self._harakat = harakat
        self.refresh()

    @property
    def shaping(self) -> bool:
        """True while this widget draws the value itself (app mode, right-to-left text)."""
        return self._mode == "app" and not self.password and needs_layout(self.value)

    # --- layout -----------------------------------------------------------------------

    def visual_line(self) -> VisualLine:
        """The value laid out on one line (glyphs in screen order, offsets into `value`)."""
        key = (self.value, self._mode, self._harakat)
        if self._laid is None or self._laid_key != key:
            # One paragraph: a newline set through `value` is drawn as a space.
            text = self.value.replace("\n", " ").replace("\r", " ")
            self._laid = layout(text, _UNWRAPPED, self._mode, harakat=self._harakat)[0]
            self._laid_key = key
        return self._laid

    def _stops(self, line: VisualLine) -> list[tuple[int, int]]:
        """Every caret place as (cell from the first glyph, logical offset), left to right:
        before each glyph, and the end of the value."""
        stops: list[tuple[int, int]] = []
        x = 0
        for glyph in line.glyphs:
            stops.append((x, glyph.start))
            x += glyph.cells
        stops.append((self._end_cell(line), len(self.value)))
        sign = -1 if line.rtl else 1
        stops.sort(key=lambda stop: (stop[0], sign * stop[1]))
        return stops

    def _end_cell(self, line: VisualLine) -> int:
        """Cell of the caret at the end: beside the last character, on its trailing side."""
        value = self.value
        if not line.glyphs or not value:
            return -1 if line.rtl else 0
        x = 0
        last: tuple[int, int, int] | None = None  # (cell, cells, start) of the last glyph
        for glyph in line.glyphs:
            if last is None or glyph.start > last[2]:
                last = (x, glyph.cells, glyph.start)
            x += glyph.cells
        assert last is not None
        cell, cells, start = last
        return cell - 1 if _trails_left(value[start], line.rtl) else cell + cells

    def caret_cell(self, position: int | None = None) -> int:
        """Cell (from the first glyph) the caret at `position` (default: the cursor) is on."""
        line = self.visual_line()
        position = self.cursor_position if position is None else position
        if position >= len(self.value):
            return self._end_cell(line)
        cells = line.logical_to_cells(position)
        if cells:
            return cells[0]
        # Not drawn (a joiner, a control): the caret stands where the next drawn one is.
        for later in range(position + 1, len(self.value)):
            cells = line.logical_to_cells(later)
            if cells:
                return cells[0]
        return self._end_cell(line)

    def _origin(self) -> int:
        """Screen column of the first glyph: right-to-left text right-aligned, a value wider
        than the field scrolled so the caret is in view (kept still while it is)."""
        width = max(1, self.scrollable_content_region.width)
        line = self.visual_line()
        used = line.width
        caret = self.caret_cell()
        preferred = width - used if line.rtl else 0
        if preferred + min(0, caret) >= 0 and preferred + max(used, caret + 1) <= width:
            self._x0 = preferred
            return preferred
        x0 = preferred if self._x0 is None else self._x0
        x0 = max(width - 1 - used, min(1, x0))
        if x0 + caret < 0:
            x0 = -caret
        elif x0 + caret > width - 1:
            x0 = width - 1 - caret
        self._x0 = x0
        return x0

    # --- what Input asks of its rendering ---------------------------------------------

    @property
    def content_width(self) -> int:
        # The widget scrolls its shaped text itself: Input's own scrolling stays at 0.
        natural = super().content_width
        if self.shaping:
            return min(natural, max(1, self.scrollable_content_region.width))
        return natural

    @property
    def _cursor_offset(self) -> int:
        if self.shaping:
            return self._origin() + self.caret_cell()
        return super()._cursor_offset

    @property
    def cursor_screen_offset(self) -> Offset:
        if self.shaping:
            x, y, _width, _height = self.content_region
            return Offset(x + self._cursor_offset, y)
        return super().cursor_screen_offset

    def _cell_offset_to_index(self, offset: int) -> int:
        if not self.shaping:
            return super()._cell_offset_to_index(offset)
        cell = offset - self._origin()
        stops = self._stops(self.visual_line())
        return min(stops, key=lambda stop: abs(stop[0] - cell))[1]

    def render_line(self, y: int) -> Strip:
        if y != 0 or not self.shaping:
            return super().render_line(y)
        width = max(1, self.scrollable_content_region.width)
        line = self.visual_line()
        x0 = self._origin()
        focused = self.has_focus
        low, high = sorted(self.selection)
        selecting = focused and low != high
        selection_style: Style = self.get_component_rich_style("input--selection")
        segments: list[Segment] = [Segment(" " * max(0, x0))]
        for glyph in line.glyphs:
            chosen = selecting and low <= glyph.start < high
            segments.append(Segment(glyph.text, selection_style if chosen else None))
        strip = Strip(segments)
        if x0 < 0:
            strip = strip.crop(-x0, strip.cell_length)
        strip = strip.crop_extend(0, width, None)
        caret = x0 + self.caret_cell()
        if focused and self._cursor_visible and 0 <= caret < width:
            cursor_style: Style = self.get_component_rich_style("input--cursor")
            strip = Strip.join(
                [
                    strip.crop(0, caret),
                    Strip(
                        [
                            Segment(segment.text, (segment.style or Style()) + cursor_style)
                            for segment in strip.crop(caret, caret + 1)
                        ]
                    ),
                    strip.crop(caret + 1, width),
                ]
            )
        return strip.apply_style(self.rich_style)

    # --- keys -------------------------------------------------------------------------

    def _step(self, step: int, select: bool) -> None:
        """Move the caret one place left (-1) or right (+1) on screen."""
        line = self.visual_line()
        stops = self._stops(line)
        start, end = self.selection
        if not select and start != end:
            # A selection collapses to its end on that side of the screen.
            ends = sorted((start, end), key=lambda p: (self.caret_cell(p), p))
            self.cursor_position = ends[0] if step < 0 else ends[-1]
            return
        here = self.caret_cell(end)
        positions = [position for _cell, position in stops]
        if end in positions:
            index = positions.index(end)
        else:  # inside a glyph (after a haraka): from that glyph's place
            index = next(i for i, (cell, _p) in enumerate(stops) if cell >= here)
        index = max(0, min(len(stops) - 1, index + step))
        target = stops[index][1]
        self.selection = Selection(start, target) if select else Selection.cursor(target)

    def action_cursor_left(self, select: bool = False) -> None:
        """Move the caret one cell left on screen (shift: extend the selection)."""
        if self.shaping:
            self._step(-1, select)
        else:
            super().action_cursor_left(select)

    def action_cursor_right(self, select: bool = False) -> None:
        """Move the caret one cell right on screen (shift: extend the selection)."""
        if self.shaping:
            self._step(1, select)
        else:
            super().action_cursor_right(select)

    def action_cursor_left_word(self, select: bool = False) -> None:
        """A word to the left: in a right-to-left field, on to the next word."""
        if self.shaping and self.visual_line().rtl:
            super().action_cursor_right_word(select)
        else:
            super().action_cursor_left_word(select)

    def action_cursor_right_word(self, select: bool = False) -> None:
        """A word to the right: in a right-to-left field, back to the previous word."""
        if self.shaping and self.visual_line().rtl:
            super().action_cursor_left_word(select)
        else:
            super().action_cursor_right_word(select)

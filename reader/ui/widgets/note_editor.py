"""An editor for notes that shows Arabic shaped and right-to-left while you type.

Textual's TextArea and Input draw Arabic unjoined and left-to-right, which is
unreadable. This widget keeps the note as logical text and draws it through the
layout engine (`reader.text.layout.layout`): each paragraph is shaped, wrapped and
reordered; the cursor is a logical offset drawn on the cell of the character at
that offset (after the last character: the next cell in the line's direction).

Keys: typing inserts at the cursor; Backspace/Delete remove a character before /
a character with its marks after the cursor; Enter inserts a newline; Left/Right
follow the visual direction of the line (in a right-to-left line, Left moves
forward); Up/Down move between screen lines keeping the column; Home/End go to
the start/end of the screen line; Ctrl+Home/Ctrl+End to the start/end of the note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.strip import Strip
from textual.widget import Widget

from reader.text.layout import VisualLine, base_direction, layout
from reader.text.modes import BidiMode
from reader.text.motion import char_end, char_start
from reader.ui.messages import NoteEdited
from reader.ui.widgets.shaped_text import clean_text


@dataclass(frozen=True, slots=True)
class _Row:
    """One screen row of the note: a visual line of one paragraph (None when it is empty)."""

    paragraph_start: int
    """Offset of the paragraph in the note text."""
    paragraph_length: int
    line: VisualLine | None
    rtl: bool
    last: bool
    """True for the paragraph's last row."""


class NoteEditor(Widget, can_focus=True):
    """A multi-line editor of logical text drawn shaped and in visual order."""

    DEFAULT_CSS = """
    NoteEditor {
        height: 8;
        border: tall $border-blurred;
        background: $surface;
        padding: 0 1;
    }
    NoteEditor:focus {
        border: tall $border;
    }
    NoteEditor > .note-editor--cursor {
        text-style: reverse;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"note-editor--cursor"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "cursor_left", "Left", show=False),
        Binding("right", "cursor_right", "Right", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("home", "line_start", "Line start", show=False),
        Binding("end", "line_end", "Line end", show=False),
        Binding("ctrl+home", "note_start", "Note start", show=False),
        Binding("ctrl+end", "note_end", "Note end", show=False),
        Binding("backspace", "delete_left", "Delete left", show=False),
        Binding("delete", "delete_right", "Delete right", show=False),
        Binding("enter", "newline", "New line", show=False),
    ]

    def __init__(
        self,
        text: str = "",
        *,
        mode: BidiMode = "app",
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._text = clean_text(text)
        self.cursor = len(self._text)
        self.mode = mode
        self._rows: list[_Row] = []
        self._laid_width = -1
        self._top = 0
        self._goal_x: int | None = None

    # --- the text ---------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The note as logical text."""
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = clean_text(value)
        self.cursor = min(self.cursor, len(self._text))
        self._changed()

    def insert(self, text: str) -> None:
        """Insert `text` at the cursor and move the cursor after it."""
        text = clean_text(text)
        if not text:
            return
        self._text = self._text[: self.cursor] + text + self._text[self.cursor :]
        self.cursor += len(text)
        self._changed()

    def _changed(self) -> None:
        self._laid_width = -1
        self._goal_x = None
        self.post_message(NoteEdited(self, self._text))
        self._show_cursor()

    # --- layout -----------------------------------------------------------------------

    @property
    def _layout_width(self) -> int:
        """Width the paragraphs wrap in: one column is kept for the end-of-line cursor."""
        return max(2, self.content_size.width - 1)

    def _ensure_layout(self) -> list[_Row]:
        width = self._layout_width
        if width == self._laid_width:
            return self._rows
        rows: list[_Row] = []
        note_rtl = base_direction(self._text) if self._text.strip() else True
        start = 0
        for paragraph in self._text.split("\n"):
            lines = layout(paragraph, width, self.mode) if paragraph else []
            if not lines:
                rows.append(_Row(start, len(paragraph), None, note_rtl, True))
            else:
                for index, line in enumerate(lines):
                    rows.append(
                        _Row(start, len(paragraph), line, line.rtl, index == len(lines) - 1)
                    )
            start += len(paragraph) + 1
        self._rows = rows
        self._laid_width = width
        return rows

    def _x0(self, row: _Row) -> int:
        """Screen column of a row's first glyph (right-to-left rows keep column 0 free)."""
        if row.line is None:
            return self._layout_width if row.rtl else 0
        return row.line.indent + (1 if row.rtl else 0)

    def _end_x(self, row: _Row) -> int:
        """Column just past the row's last logical character, in the row's direction."""
        if row.line is None:
            return self._x0(row)
        return self._x0(row) - 1 if row.rtl else self._x0(row) + row.line.width

    def _row_span(self, row: _Row) -> tuple[int, int]:
        """Logical span of the note that a row covers."""
        if row.line is None:
            return row.paragraph_start, row.paragraph_start
        return row.paragraph_start + row.line.start, row.paragraph_start + row.line.end

    def cursor_position(self) -> tuple[int, int]:
        """(row, column) of the cursor in content coordinates (row counts from the top)."""
        rows = self._ensure_layout()
        for index, row in enumerate(rows):
            start, end = self._row_span(row)
            at_end = self.cursor == row.paragraph_start + row.paragraph_length
            if not (start <= self.cursor < end or (row.last and at_end)):
                continue
            if row.line is None or at_end:
                return index, self._end_x(row)
            offset = self.cursor - row.paragraph_start
            cells = row.line.logical_to_cells(offset)
            if cells:
                return index, self._x0(row) + min(cells)
            # Not drawn (a break space, a joiner): the nearest drawn character before it.
            for earlier in range(offset - 1, row.line.start - 1, -1):
                cells = row.line.logical_to_cells(earlier)
                if cells:
                    return index, self._x0(row) + (min(cells) - 1 if row.rtl else max(cells) + 1)
            return index, self._end_x(row) if offset >= row.line.end - 1 else self._x0(row)
        return max(0, len(rows) - 1), 0

    def _offset_at(self, row_index: int, x: int) -> int:
        """The logical offset a screen column of a row stands for (used by Up/Down/click)."""
        rows = self._ensure_layout()
        row = rows[max(0, min(row_index, len(rows) - 1))]
        start, end = self._row_span(row)
        if row.line is None:
            return start
        line_end = end if row.last else max(start, end - 1)
        logical = row.line.cell_to_logical(x - self._x0(row))
        if logical is not None:
            return row.paragraph_start + logical
        before = x < self._x0(row)
        # Left of the glyphs is the end of a right-to-left row and the start of a left-to-right one.
        return line_end if before == row.rtl else start

    def _show_cursor(self) -> None:
        row, _ = self.cursor_position()
        height = max(1, self.content_size.height)
        if row < self._top:
            self._top = row
        elif row >= self._top + height:
            self._top = row - height + 1
        self.refresh()

    # --- drawing ----------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._laid_width = -1
        self._show_cursor()

    def render_line(self, y: int) -> Strip:
        rows = self._ensure_layout()
        width = self.content_size.width
        base = self.rich_style
        index = self._top + y
        if index >= len(rows):
            return Strip.blank(width, base)
        row = rows[index]
        segments: list[Segment] = []
        x = self._x0(row)
        if row.line is not None:
            segments.append(Segment(" " * x, base))
            segments.extend(Segment(glyph.text, base) for glyph in row.line.glyphs)
        strip = Strip(segments).crop_extend(0, width, base)
        cursor_row, cursor_x = self.cursor_position()
        if self.has_focus and cursor_row == index and 0 <= cursor_x < width:
            strip = self._with_cursor(strip, cursor_x, width)
        return strip

    def _with_cursor(self, strip: Strip, x: int, width: int) -> Strip:
        style: Style = self.get_component_rich_style("note-editor--cursor")
        left = strip.crop(0, x)
        middle = strip.crop(x, x + 1)
        right = strip.crop(x + 1, width)
        cursor = Strip(
            [Segment(segment.text, (segment.style or Style()) + style) for segment in middle]
        )
        return Strip.join([left, cursor, right])

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- keys -------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self.insert(event.character)

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self.insert(event.text)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        self.cursor = self._offset_at(self._top + offset.y, offset.x)
        self._goal_x = None
        self._show_cursor()

    def _current_row(self) -> _Row | None:
        rows = self._ensure_layout()
        row_index, _ = self.cursor_position()
        return rows[row_index] if rows else None

    def _move(self, forward: bool) -> None:
        self.cursor = (char_end if forward else char_start)(self._text, self.cursor)
        self._goal_x = None
        self._show_cursor()

    def action_cursor_left(self) -> None:
        row = self._current_row()
        self._move(forward=row is not None and row.rtl)

    def action_cursor_right(self) -> None:
        row = self._current_row()
        self._move(forward=row is None or not row.rtl)

    def _vertical(self, step: int) -> None:
        row_index, x = self.cursor_position()
        goal = x if self._goal_x is None else self._goal_x
        target = row_index + step
        if 0 <= target < len(self._ensure_layout()):
            self.cursor = self._offset_at(target, goal)
        self._goal_x = goal
        self._show_cursor()

    def action_cursor_up(self) -> None:
        self._vertical(-1)

    def action_cursor_down(self) -> None:
        self._vertical(1)

    def action_line_start(self) -> None:
        row = self._current_row()
        if row is not None:
            self.cursor = self._row_span(row)[0]
        self._goal_x = None
        self._show_cursor()

    def action_line_end(self) -> None:
        row = self._current_row()
        if row is not None:
            start, end = self._row_span(row)
            self.cursor = end if row.last else max(start, end - 1)
        self._goal_x = None
        self._show_cursor()

    def action_note_start(self) -> None:
        self.cursor = 0
        self._show_cursor()

    def action_note_end(self) -> None:
        self.cursor = len(self._text)
        self._show_cursor()

    def action_delete_left(self) -> None:
        if self.cursor > 0:
            self._text = self._text[: self.cursor - 1] + self._text[self.cursor :]
            self.cursor -= 1
            self._changed()

    def action_delete_right(self) -> None:
        if self.cursor < len(self._text):
            end = char_end(self._text, self.cursor)
            self._text = self._text[: self.cursor] + self._text[end:]
            self._changed()

    def action_newline(self) -> None:
        self.insert("\n")

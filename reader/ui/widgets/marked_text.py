"""`MarkedText`: one paragraph drawn through the layout engine with some of its spans marked.

A search result's title and snippet: shaped and in visual order (app bidi mode), right-aligned
when right-to-left, wrapped to the widget's width (CSS `max-height` caps the lines), and every
glyph whose logical offset falls in one of `spans` drawn in the mark style. The mark is the
find mark of the theme (`reader.ui.themes.mark_style`, `reader-find`) with underline and bold
added, so it shows in a 16-colour terminal and inside a highlighted row as well.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from reader.text.layout import VisualLine, layout
from reader.text.modes import BidiMode
from reader.text.sanitize import printable

#: What every mark adds to the theme's find colours: visible without colour too.
MARK_ATTRIBUTES = Style(bold=True, underline=True)


class MarkedText(Widget):
    """One paragraph of logical text, shaped, with `spans` (logical offsets) marked."""

    DEFAULT_CSS = """
    MarkedText {
        width: 1fr;
        height: auto;
    }
    """

    def __init__(
        self,
        text: str,
        spans: list[tuple[int, int]] | None = None,
        *,
        mode: BidiMode = "app",
        harakat: bool = True,
        mark: str = "reader-find",
        right: bool = False,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        # One line, no controls: same length as given, so the spans still index it.
        self.text = printable(text.replace("\n", " "), line=True)
        if len(self.text) != len(text):
            spans = []  # a control was taken out: offsets no longer line up
        self.spans = sorted(spans or [])
        self.mode: BidiMode = mode
        self.harakat = harakat
        self.mark = mark
        self.right = right
        """Right-align every line (else only right-to-left ones are)."""
        self._starts = [start for start, _end in self.spans]
        self._lines: list[VisualLine] = []
        self._laid_width = -1

    def marked(self, offset: int) -> bool:
        """True if the character at logical `offset` is in a marked span."""
        index = bisect_right(self._starts, offset) - 1
        return any(
            start <= offset < end for start, end in self.spans[max(0, index - 2) : index + 1]
        )

    def lines(self, width: int) -> list[VisualLine]:
        """The text laid out in `width` cells (top to bottom)."""
        if width != self._laid_width:
            self._lines = layout(self.text, max(1, width), self.mode, harakat=self.harakat)
            self._laid_width = width
        return self._lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def _mark_style(self) -> Style:
        from reader.ui.themes import mark_style

        variables = self.app.theme_variables
        return mark_style(variables, self.mark) + MARK_ATTRIBUTES

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        base = self.rich_style
        lines = self.lines(width)
        if y >= len(lines):
            return Strip.blank(width, base)
        line = lines[y]
        marked = base + self._mark_style()
        indent = max(0, width - line.width) if self.right else line.indent
        segments = [Segment(" " * indent, base)]
        run: list[str] = []
        run_marked = False
        for glyph in line.glyphs:
            here = self.marked(glyph.start)
            if run and here != run_marked:
                segments.append(Segment("".join(run), marked if run_marked else base))
                run = []
            run.append(glyph.text)
            run_marked = here
        if run:
            segments.append(Segment("".join(run), marked if run_marked else base))
        return Strip(segments).crop_extend(0, width, base)

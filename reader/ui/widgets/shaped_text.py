"""`ShapedText`: read-only text (a quote, a note, a name) drawn through the layout engine.

Textual's Static and Label draw Arabic unjoined and left-to-right; this widget lays each
paragraph out with `reader.text.layout.layout`, so Arabic is shaped and in visual order
(in `app` bidi mode) and right-to-left lines are right-aligned.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from reader.text.layout import VisualLine, layout
from reader.text.modes import BidiMode
from reader.text.sanitize import clean_multiline


def clean_text(text: str) -> str:
    """Text as it may enter a note: `clean_multiline` (escape sequences go whole, controls
    but newline and tab go, as when the note is saved), tabs as spaces."""
    return clean_multiline(text).replace("\t", " ")


class ShapedText(Widget):
    """Read-only text (a quote, a note) drawn through the layout engine, so Arabic reads right.

    Paragraphs are the text's lines; the widget is as tall as its laid-out lines (CSS
    `max-height` can cap it). Right-to-left lines are right-aligned.
    """

    DEFAULT_CSS = """
    ShapedText {
        width: 1fr;
        height: auto;
    }
    """

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
        self.mode = mode
        self._lines: list[VisualLine | None] = []
        self._laid_width = -1

    @property
    def text(self) -> str:
        """The logical text shown."""
        return self._text

    def update(self, text: str) -> None:
        """Show other text."""
        self._text = clean_text(text)
        self._laid_width = -1
        self.refresh(layout=True)

    def _lines_for(self, width: int) -> list[VisualLine | None]:
        if width != self._laid_width:
            lines: list[VisualLine | None] = []
            for paragraph in self._text.split("\n"):
                laid = layout(paragraph, max(1, width), self.mode) if paragraph else []
                lines.extend(laid or [None])
            self._lines = lines
            self._laid_width = width
        return self._lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines_for(width))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        base = self.rich_style
        lines = self._lines_for(width)
        if y >= len(lines) or lines[y] is None:
            return Strip.blank(width, base)
        line = lines[y]
        assert line is not None
        # The indent that right-aligns a right-to-left line is a segment of its own, as the
        # article view's margin is: merged with the Arabic into one run, a screenshot viewer
        # reorders the run's spaces to its far side and shows the line left-aligned.
        segments = [Segment(" " * line.indent, base)] if line.indent else []
        segments.append(Segment(line.text, base))
        return Strip(segments).crop_extend(0, width, base)

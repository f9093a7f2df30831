"""The article body through Textual's line API: only visible lines are laid out and drawn.

Each block of the article is one paragraph laid out by `reader.text.layout.layout()` at the reading
width; blocks are separated by one blank line, RTL lines are right-aligned by their indent and the
whole column is centred in the view. The characters of every line are exactly what
`reader.text.render.render_lines` prints; only the margin and the styles differ.

Heights of blocks not yet laid out are estimated cheaply from word lengths; a block is laid out
exactly when it comes on screen (`_settle`), keeping the top line fixed, so a 1 MB article opens
and re-wraps in milliseconds. A paragraph of `LONG_PARAGRAPH` characters or more is laid out
lazily (`reader.text.layout.LazyLayout`): only as far as the screen reaches, its height the lines
wrapped so far plus an estimate of the rest, so a 10-million-character paragraph opens in well
under a second.

Marks (`set_marks`) are spans of article-text offsets drawn on exactly the glyphs whose logical
spans intersect them. A mark's style is either a Rich style string (``"bold on yellow"``) or a
theme variable name with a dollar sign (``"$reader-highlight-1"``): the variable gives the
background, ``<name>-text`` the text colour drawn on it and ``<name>-style`` its attributes
(`reader.ui.themes.mark_style`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import ClassVar

from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.models import Article, Block, BlockKind
from reader.text.layout import LONG_PARAGRAPH, LazyLayout, VisualLine, layout
from reader.text.modes import BidiMode
from reader.ui.messages import ArticleScrolled
from reader.ui.themes import mark_style

#: Stacking order of the known mark layers, lowest first; other layers sit above "highlight".
LAYER_ORDER: tuple[str, ...] = (
    "find",
    "entity",
    "highlight",
    "find-current",
    "selection",
    "cursor",
)

#: Zero-width characters and Arabic marks: they add no cells, so the height estimate drops them.
_ZERO_WIDTH = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u200b-\u200f\u202a-\u202e\u2066-\u2069\u00ad\ufeff]"
)
#: Lam followed by an alef form becomes one ligature cell when shaped (app mode).
_LAM_ALEF = re.compile("\u0644[\u0622\u0623\u0625\u0627]")


def estimate_word_widths(text: str, mode: BidiMode) -> list[int]:
    """Approximate cell width of each space-separated word: cheap, for heights off screen."""
    text = _ZERO_WIDTH.sub("", text)
    if mode == "app":
        text = _LAM_ALEF.sub("\u0644", text)
    return [len(word) for word in text.split(" ")]


def estimate_height(widths: Sequence[int], width: int) -> int:
    """Lines a greedy wrap at spaces would take for words of these widths (at least one)."""
    lines = 1
    used = -1
    for word in widths:
        if used < 0:
            used = word
        elif used + 1 + word <= width:
            used += 1 + word
        else:
            lines += 1
            used = word
        while used > width:
            lines += 1
            used -= width
    return lines


@dataclass(slots=True)
class _Layer:
    """The spans of one mark layer, sorted by start, with the longest span for window searches."""

    spans: list[tuple[int, int, str]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    longest: int = 0

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Spans that intersect [start, end) (an empty span counts as one character)."""
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return [
            span
            for span in self.spans[lo:hi]
            if span[0] < end and max(span[1], span[0] + 1) > start
        ]


class ArticleView(ScrollView, can_focus=True):
    """A scrolling, centred, bidi-correct view of one article's body."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--heading",
        "article-view--quote",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "line_down", "Down", show=False, id="view.line_down"),
        Binding("up,k", "line_up", "Up", show=False, id="view.line_up"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="view.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="view.page_up"),
        Binding("home,g", "top", "Top", show=False, id="view.top"),
        Binding("end,G", "bottom", "Bottom", show=False, id="view.bottom"),
    ]

    def __init__(
        self,
        article: Article | None = None,
        *,
        mode: BidiMode = "app",
        harakat: bool = True,
        reading_width: int = 80,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's widget id
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.mode: BidiMode = mode
        """`app`: shape and reorder here; `terminal`: logical text for a bidi-aware terminal."""
        self.harakat = harakat
        """Draw Arabic diacritics (harakat)."""
        self.reading_width = reading_width
        """Widest column of text, in cells; the column is centred in wider views."""
        self.article: Article | None = None
        self._blocks: list[Block] = []
        self._starts: list[int] = []
        self._heights: list[int] = []
        self._known: list[bool] = []
        self._line_starts: list[int] = []
        self._total = 0
        self._wrap = 0
        self._margin = 0
        self._view_width = 0
        self._words: dict[int, list[int]] = {}
        self._layouts: LRUCache[int, list[VisualLine] | LazyLayout] = LRUCache(4096)
        self._lazy: dict[int, LazyLayout] = {}
        """The latest lazy layout of each long block: the next one borrows its text analysis."""
        self._strips: LRUCache[int, Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        self._layers: dict[str, _Layer] = {}
        self._settling = False
        self._pending_anchor: int | None = None
        if article is not None:
            self.set_article(article)

    # ----------------------------------------------------------------- public API

    def set_article(self, article: Article, offset: int = 0) -> None:
        """Show `article`, with the line holding `offset` at the top."""
        self.article = article
        self._blocks = list(article.blocks)
        self._starts = article.block_starts()
        self._layers.clear()
        self._words.clear()
        self._lazy.clear()
        self._relayout(anchor=offset)

    def configure(
        self,
        *,
        mode: BidiMode | None = None,
        harakat: bool | None = None,
        reading_width: int | None = None,
    ) -> None:
        """Change how text is laid out, keeping the reading position on the same sentence."""
        anchor = self.top_offset()
        if mode is not None and mode != self.mode:
            self.mode = mode
            self._words.clear()
        if harakat is not None:
            self.harakat = harakat
        if reading_width is not None:
            self.reading_width = max(10, reading_width)
        self._relayout(anchor=anchor)

    def set_marks(self, layer: str, spans: Sequence[tuple[int, int, str]]) -> None:
        """Draw `spans` ((start, end, style) in article-text offsets) as layer `layer`.

        Replaces the layer's previous spans; an empty sequence removes the layer. Only the
        visible lines touched by the old or new spans are redrawn.
        """
        old = self._layers.pop(layer, None)
        if spans:
            ordered = sorted(spans)
            self._layers[layer] = _Layer(
                spans=ordered,
                starts=[span[0] for span in ordered],
                longest=max(max(span[1] - span[0], 1) for span in ordered),
            )
        self._redraw_touched([old, self._layers.get(layer)])

    def marks(self, layer: str) -> list[tuple[int, int, str]]:
        """The spans currently drawn in `layer`."""
        found = self._layers.get(layer)
        return list(found.spans) if found else []

    def offset_at(self, x: int, y: int, *, clamp: bool = False) -> int | None:
        """Article offset drawn at widget cell (x, y), or None off the text.

        With `clamp`, a point beside a line gives the line's nearer logical end (in an RTL line
        the left side is the end), and a blank line between blocks gives the end of the block
        above: what a mouse selection needs.
        """
        if not self._blocks:
            return None
        virtual_y = int(self.scroll_offset.y) + y
        if virtual_y < 0 or virtual_y >= self._total:
            return None
        block, row = self._locate(virtual_y)
        base = self._starts[block]
        line = self._line(block, row)
        if line is None:
            last = self._last_line(block) if clamp else None
            return None if last is None else base + last.end
        cell = x + int(self.scroll_offset.x) - self._margin - line.indent
        if 0 <= cell < line.width:
            logical = line.cell_to_logical(cell)
            if logical is not None:
                return base + logical
        if not clamp:
            return None
        at_left = cell < 0 or (cell < line.width)
        toward_start = at_left != line.rtl
        return base + (line.start if toward_start else line.end)

    def scroll_to_offset(self, offset: int, *, center: bool = False) -> None:
        """Scroll so the line drawing `offset` is at the top (or the middle, with `center`)."""
        if not self._blocks:
            return
        y = self.line_of_offset(offset)
        if center:
            y -= self.scrollable_content_region.height // 2
        self._scroll_y(max(0, y))
        if center:
            target = self.line_of_offset(offset) - self.scrollable_content_region.height // 2
            self._scroll_y(max(0, target))

    def visible_range(self) -> tuple[int, int]:
        """Article offsets [start, end) covered by the lines now on screen."""
        if not self._blocks or not self._total:
            return (0, 0)
        top = int(self.scroll_offset.y)
        bottom = min(self._total - 1, top + max(1, self.scrollable_content_region.height) - 1)
        block, row = self._locate(top)
        line = self._line(block, row)
        if line is None and block + 1 < len(self._blocks):
            block, row = block + 1, 0
            line = self._line(block, row)
        line = line or self._last_line(block)
        start = self._starts[block] + (line.start if line else 0)
        last_block, last_row = self._locate(bottom)
        last = self._line(last_block, last_row) or self._last_line(last_block)
        end = self._starts[last_block] + (last.end if last else 0)
        return (start, max(start, end))

    @property
    def wrap_width(self) -> int:
        """Cells each line is wrapped to now: `reading_width`, or less in a narrower view."""
        return self._wrap

    @property
    def column_left(self) -> int:
        """Cells between the view's left edge and the reading column (centred in the view)."""
        return self._margin

    def top_offset(self) -> int:
        """Article offset at the start of the top visible line: the reading position."""
        if not self._blocks or not self._total:
            return 0
        return self.visible_range()[0]

    @property
    def blocks_laid_out(self) -> int:
        """How many blocks are laid out exactly; the others' heights (and so the scroll
        range) are estimates until they come near the screen."""
        return sum(self._known)

    def block_layout(self, block: int) -> list[VisualLine] | LazyLayout:
        """Block `block` as laid out at the current width: its lines, or for a paragraph of
        `LONG_PARAGRAPH` characters or more the `LazyLayout` drawing it (wrapped only as far
        as it has been shown)."""
        return self._block_layout(block)

    def line_texts(self) -> list[str]:
        """Every visual line as `reader render` prints it (indent + text); lays out everything."""
        result: list[str] = []
        for index in range(len(self._blocks)):
            if index:
                result.append("")
            result.extend(
                (" " * line.indent + line.text).rstrip() for line in self._lines_for(index)
            )
        return result

    # ------------------------------------------------------------------ actions

    def action_line_down(self) -> None:
        """Scroll down one line."""
        self._scroll_y(int(self.scroll_offset.y) + 1)

    def action_line_up(self) -> None:
        """Scroll up one line."""
        self._scroll_y(int(self.scroll_offset.y) - 1)

    def action_page_down(self) -> None:
        """Scroll down one screen."""
        self._scroll_y(int(self.scroll_offset.y) + max(1, self.scrollable_content_region.height))

    def action_page_up(self) -> None:
        """Scroll up one screen."""
        self._scroll_y(int(self.scroll_offset.y) - max(1, self.scrollable_content_region.height))

    def action_top(self) -> None:
        """Go to the start of the article."""
        self._scroll_y(0)

    def action_bottom(self) -> None:
        """Go to the end of the article, laying out the last screen exactly first."""
        height = max(1, self.scrollable_content_region.height)
        covered = 0
        changed = False
        for block in range(len(self._blocks) - 1, -1, -1):
            changed |= self._make_exact(block)
            covered += self._heights[block] + 1
            if covered > height:
                break
        if changed:
            self._recompute()
        self._scroll_y(self._total)

    # ------------------------------------------------------------- Textual hooks

    def notify_style_update(self) -> None:
        """Theme or CSS changed: styles are resolved again on the next paint."""
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap for the new width, keeping the top line's sentence at the top."""
        if self._wrap_width() != self._wrap or self._content_width() != self._view_width:
            anchor = self._pending_anchor if self._pending_anchor is not None else self.top_offset()
            self._relayout(anchor=anchor)

    def on_mount(self) -> None:
        """Lay out once the real size is known."""
        if self._blocks:
            anchor = self._pending_anchor if self._pending_anchor is not None else 0
            self._relayout(anchor=anchor)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Lay out the blocks that came on screen, then repaint."""
        super().watch_scroll_y(old_value, new_value)
        if not self._settling:
            self._settle()
            self.post_message(ArticleScrolled())

    def render_line(self, y: int) -> Strip:
        """The strip for screen row `y`, from the cache when it is there."""
        scroll_x, scroll_y = self.scroll_offset
        virtual_y = scroll_y + y
        width = self.scrollable_content_region.width
        strip = self._strips.get(virtual_y)
        if strip is None:
            strip = self._render_virtual(virtual_y)
            self._strips[virtual_y] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, self._page_style())

    # ---------------------------------------------------------------- internals

    def _content_width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _wrap_width(self) -> int:
        return max(10, min(self.reading_width, self._content_width()))

    def _relayout(self, anchor: int) -> None:
        """Estimate every block's height at the current width, then put `anchor` at the top."""
        self._view_width = self._content_width()
        if not self.is_mounted or self.scrollable_content_region.width <= 0:
            self._pending_anchor = anchor
            self._wrap = self._wrap_width()
        else:
            self._pending_anchor = None
        self._wrap = self._wrap_width()
        self._margin = max(0, (self._view_width - self._wrap) // 2)
        self._layouts.clear()
        self._strips.clear()
        wrap = self._wrap
        heights: list[int] = []
        for index, block in enumerate(self._blocks):
            lazy = self._block_layout(index) if len(block.text) >= LONG_PARAGRAPH else None
            if isinstance(lazy, LazyLayout):  # no pass over every word: it estimates
                heights.append(max(1, lazy.rows()))
                continue
            words = self._words.get(index)
            if words is None:
                words = estimate_word_widths(block.text, self.mode)
                self._words[index] = words
            heights.append(estimate_height(words, wrap))
        self._heights = heights
        self._known = [False] * len(heights)
        self._recompute()
        if self._pending_anchor is None and self._blocks:
            self.scroll_to_offset(anchor)
        self.refresh()

    def _recompute(self) -> None:
        """Line index of every block from the heights; invalidates drawn strips."""
        heights = self._heights
        if heights:
            self._line_starts = [0, *accumulate(h + 1 for h in heights[:-1])]
            self._total = self._line_starts[-1] + heights[-1]
        else:
            self._line_starts = []
            self._total = 0
        self._strips.clear()
        self.virtual_size = Size(self._content_width(), self._total)

    def _locate(self, virtual_y: int) -> tuple[int, int]:
        """Block index and row within it (== height for the blank line after it)."""
        block = max(0, bisect_right(self._line_starts, virtual_y) - 1)
        return block, virtual_y - self._line_starts[block]

    def _block_layout(self, block: int) -> list[VisualLine] | LazyLayout:
        """The layout of one block, cached: its lines, or a `LazyLayout` for a long one."""
        lines = self._layouts.get(block)
        if lines is None:
            text = self._blocks[block].text
            if len(text) >= LONG_PARAGRAPH:
                like = self._lazy.get(block)
                lines = LazyLayout(text, self._wrap, self.mode, harakat=self.harakat, like=like)
                self._lazy[block] = lines
            else:
                lines = layout(text, self._wrap, self.mode, harakat=self.harakat)
            self._layouts[block] = lines
        return lines

    def _lines_for(self, block: int) -> list[VisualLine]:
        """Every laid-out line of one block (a long one is laid out whole: tests only)."""
        lines = self._block_layout(block)
        return lines.lines() if isinstance(lines, LazyLayout) else lines

    def _line(self, block: int, row: int) -> VisualLine | None:
        """Line `row` of `block`, or None past its last line (laid out as far as needed)."""
        lines = self._block_layout(block)
        if isinstance(lines, LazyLayout):
            return lines.line(row)
        return lines[row] if 0 <= row < len(lines) else None

    def _last_line(self, block: int) -> VisualLine | None:
        """The last line of `block` (a long paragraph is wrapped to its end for it)."""
        lines = self._block_layout(block)
        if isinstance(lines, LazyLayout):
            lines.ensure_rows()
            return lines.line(lines.rows_known - 1)
        return lines[-1] if lines else None

    def _make_exact(self, block: int, rows: int | None = None) -> bool:
        """Lay out `block` (a long one as far as `rows` lines, None: all); True if its
        height changed."""
        lines = self._block_layout(block)
        if isinstance(lines, LazyLayout):
            lines.ensure_rows(rows)
            self._known[block] = lines.complete
            height = max(1, lines.rows())
        else:
            self._known[block] = True
            height = max(1, len(lines))
        if height != self._heights[block]:
            self._heights[block] = height
            return True
        return False

    def line_of_offset(self, offset: int) -> int:
        """The row, counted from the article's top, that draws article offset `offset` (its
        block is laid out exactly first); minus `scroll_offset.y`, its row on screen."""
        block = max(0, bisect_right(self._starts, offset) - 1)
        relative = offset - self._starts[block]
        lines = self._block_layout(block)
        row = 0
        if isinstance(lines, LazyLayout):
            row = lines.row_of(relative)
            changed = self._make_exact(block, rows=row + 1)
        else:
            changed = self._make_exact(block)
            for index, line in enumerate(lines):
                if line.start <= relative:
                    row = index
                else:
                    break
        if changed:
            self._recompute()
        return self._line_starts[block] + row

    def rtl_at(self, offset: int) -> bool:
        """Whether the paragraph holding article offset `offset` reads right to left."""
        if not self._blocks:
            return False
        line = self._line(max(0, bisect_right(self._starts, offset) - 1), 0)
        return line is not None and line.rtl

    def _scroll_y(self, y: int) -> None:
        """Scroll immediately (no animation), then lay out what came on screen."""
        self.scroll_to(y=y, animate=False, immediate=True)
        self._settle()

    def _settle(self) -> None:
        """Lay out exactly every block on screen, keeping the top block and row in place."""
        if self._settling or not self._blocks:
            return
        self._settling = True
        try:
            height = max(1, self.scrollable_content_region.height)
            for _ in range(16):
                top = int(self.scroll_offset.y)
                top_block, top_row = self._locate(top)
                changed = False
                block = top_block
                while block < len(self._blocks) and self._line_starts[block] < top + height:
                    if not self._known[block]:
                        rows = top + height - self._line_starts[block]
                        changed |= self._make_exact(block, rows=rows)
                    block += 1
                if not changed:
                    break
                self._recompute()
                new_top = self._line_starts[top_block] + min(top_row, self._heights[top_block])
                if new_top != top:
                    self.scroll_to(y=new_top, animate=False, immediate=True)
            self.refresh()
        finally:
            self._settling = False

    def _render_virtual(self, virtual_y: int) -> Strip:
        """Build the full-width strip for one virtual line."""
        width = self._content_width()
        page = self._page_style()
        if virtual_y < 0 or virtual_y >= self._total:
            return Strip.blank(width, page)
        block, row = self._locate(virtual_y)
        if not self._known[block] and self._make_exact(block, rows=row + 1):
            self.call_after_refresh(self._settle)
        line = self._line(block, row)
        if line is None:
            return Strip.blank(width, page)
        base = self._block_style(self._blocks[block].kind)
        offset = self._starts[block]
        pad = self._margin + line.indent
        segments: list[Segment] = [Segment(" " * pad, page)] if pad else []
        layers = self._layers_for(offset + line.start, offset + max(line.end, line.start + 1))
        if not layers:  # the common case: one run of text in the block's style
            segments.append(Segment(line.text, base))
            used = pad + line.width
            if used < width:
                segments.append(Segment(" " * (width - used), page))
            return Strip(segments, max(width, used))
        run_text: list[str] = []
        run_style: Style | None = None
        for glyph in line.glyphs:
            style = base
            if layers:
                start, end = offset + glyph.start, offset + max(glyph.end, glyph.start + 1)
                for spans in layers:
                    for span_start, span_end, spec in spans:
                        if span_start < end and max(span_end, span_start + 1) > start:
                            style = style + self._mark_style(spec)
            if style is not run_style and style != run_style:
                if run_text and run_style is not None:
                    segments.append(Segment("".join(run_text), run_style))
                run_text = []
                run_style = style
            run_text.append(glyph.text)
        if run_text and run_style is not None:
            segments.append(Segment("".join(run_text), run_style))
        used = pad + line.width
        if used < width:
            segments.append(Segment(" " * (width - used), page))
        return Strip(segments, max(width, used))

    def _layers_for(self, start: int, end: int) -> list[list[tuple[int, int, str]]]:
        """Spans of each layer touching [start, end), lowest layer first."""
        if not self._layers:
            return []
        found: list[tuple[float, list[tuple[int, int, str]]]] = []
        for name, layer in self._layers.items():
            spans = layer.overlapping(start, end)
            if spans:
                rank = LAYER_ORDER.index(name) if name in LAYER_ORDER else 2.5
                found.append((rank, spans))
        found.sort(key=lambda item: item[0])
        return [spans for _, spans in found]

    def _page_style(self) -> Style:
        """The view's own style (margins, blank lines), resolved once per style update."""
        style = self._styles.get("\x00page")
        if style is None:
            style = self._styles["\x00page"] = self.rich_style
        return style

    def _block_style(self, kind: BlockKind) -> Style:
        """Text style of a block kind: the view's style plus its component class."""
        key = f"\x00block:{kind}"
        style = self._styles.get(key)
        if style is None:
            style = self._page_style()
            if kind == "heading":
                style = style + self.get_component_rich_style("article-view--heading", partial=True)
            elif kind == "quote":
                style = style + self.get_component_rich_style("article-view--quote", partial=True)
            self._styles[key] = style
        return style

    def _mark_style(self, spec: str) -> Style:
        """Resolve a mark style: a Rich style string or `$theme-variable` (see module doc)."""
        style = self._styles.get(spec)
        if style is not None:
            return style
        if spec.startswith("$"):
            style = mark_style(self.app.theme_variables, spec[1:])
        else:
            try:
                style = Style.parse(spec)
            except StyleSyntaxError:
                style = Style()
        self._styles[spec] = style
        return style

    def _redraw_touched(self, layers: Iterable[_Layer | None]) -> None:
        """Forget and repaint the visible lines whose text intersects any span of `layers`."""
        spans = [span for layer in layers if layer is not None for span in layer.spans]
        if not spans or not self._total:
            return
        top = int(self.scroll_offset.y)
        height = max(1, self.scrollable_content_region.height)
        probe = _Layer(
            spans=sorted(spans),
            starts=sorted(span[0] for span in spans),
            longest=max(max(span[1] - span[0], 1) for span in spans),
        )
        rows: list[int] = []
        for y in range(top, min(self._total, top + height)):
            block, row = self._locate(y)
            lines = self._layouts.get(block)
            line: VisualLine | None = None
            if isinstance(lines, LazyLayout):
                line = lines.line(row) if row < lines.rows_known else None
            elif lines is not None and row < len(lines):
                line = lines[row]
            if line is None:
                self._strips.discard(y)
                continue
            base = self._starts[block]
            if probe.overlapping(base + line.start, base + max(line.end, line.start + 1)):
                self._strips.discard(y)
                rows.append(y)
        # Lines outside the screen are dropped from the cache wholesale: cheap and always right.
        for key in list(self._strips.keys()):
            if key < top or key >= top + height:
                self._strips.discard(key)
        if rows:
            self.refresh_lines(min(rows), max(rows) - min(rows) + 1)

"""ArticleView alone: exact lines, cell-exact marks, offsets, re-wrap anchoring, lazy layout."""

from __future__ import annotations

from pathlib import Path

from rich.color import Color
from textual.app import App, ComposeResult

from reader.ingest.articles import parse_path
from reader.models import Article, Block
from reader.text.layout import LONG_PARAGRAPH, LazyLayout, VisualLine, layout
from reader.text.render import render_lines
from reader.ui.widgets.article_view import ArticleView, estimate_height, estimate_word_widths

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_23062d0d2c77e25f.txt"
MARK = "#123456"


class Host(App[None]):
    """Just the view, styled as the reader app styles it."""

    CSS = "ArticleView { scrollbar-gutter: stable; scrollbar-size-vertical: 1; }"

    def __init__(self, article: Article, **options: object) -> None:
        super().__init__()
        self._article = article
        self._options = options

    def compose(self) -> ComposeResult:
        yield ArticleView(self._article, **self._options)  # type: ignore[arg-type]


def seed() -> Article:
    return parse_path(SEED)[0]


def screen_rows(view: ArticleView) -> list[str]:
    """The text of each visible row as drawn, margins removed."""
    rows = [view.render_line(y).text for y in range(view.scrollable_content_region.height)]
    return [row[view.column_left :].rstrip() for row in rows]


def marked_cells(view: ArticleView, y: int) -> set[int]:
    """Cells of screen row y drawn on the test mark colour."""
    cells: set[int] = set()
    x = 0
    for segment in view.render_line(y):
        width = segment.cell_length
        if segment.style and segment.style.bgcolor == Color.parse(MARK):
            cells.update(range(x, x + width))
        x += width
    return cells


def first_block_lines(view: ArticleView) -> list[VisualLine]:
    """The screen lines of the view's first block, as the layout engine wraps it at the view's
    width (the first block starts at offset 0, so line offsets are article offsets)."""
    assert view.article is not None
    block = view.article.blocks[0].text
    return layout(block, view.wrap_width, view.mode, harakat=view.harakat)


def expected_lines(article: Article, width: int, mode: str = "app") -> list[str]:
    return render_lines([block.text for block in article.blocks], width, mode)  # type: ignore[arg-type]


async def test_lines_on_screen_are_render_lines() -> None:
    article = seed()
    app = Host(article)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        expected = expected_lines(article, 80)
        assert view.line_texts() == expected
        height = view.scrollable_content_region.height
        assert screen_rows(view) == expected[:height]
        # Centred: the 80-cell column sits in the middle of the 99 usable cells.
        assert view.column_left == (view.scrollable_content_region.width - 80) // 2


async def test_paging_through_a_long_article_shows_every_line_once() -> None:
    """Heights off screen are estimates, yet page after page abuts exactly."""
    blocks = seed().blocks * 12
    article = Article(id="long", title="long", source="long", blocks=blocks)
    app = Host(article)
    async with app.run_test(size=(70, 25)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        expected = expected_lines(article, 69)
        assert view.blocks_laid_out < len(blocks) // 3  # only what was on screen was laid out
        height = view.scrollable_content_region.height
        pages = 0
        while True:
            y = int(view.scroll_offset.y)
            # The lines above are exact, so the line index on screen is the real one.
            assert screen_rows(view) == (expected[y : y + height] + [""] * height)[:height]
            if y >= view.max_scroll_y:
                break
            view.action_page_down()
            await pilot.pause()
            assert int(view.scroll_offset.y) == min(y + height, view.max_scroll_y)
            pages += 1
        assert pages >= len(expected) // height - 1
        assert view.virtual_size.height == len(expected)


def test_height_estimate_is_close_for_arabic() -> None:
    for block in seed().blocks:
        exact = len(layout(block.text, 60))
        estimate = estimate_height(estimate_word_widths(block.text, "app"), 60)
        assert abs(exact - estimate) <= 1


async def test_marks_are_drawn_on_exactly_the_glyphs_of_the_span() -> None:
    article = seed()
    text = article.text
    app = Host(article)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        # A span across the end of one line and the start of the next, mixing Arabic and OpenAI.
        first_block: list[VisualLine] = first_block_lines(view)
        start = text.index("OpenAI") - 12
        end = first_block[1].start + 15
        view.set_marks("test", [(start, end, f"on {MARK}")])
        await pilot.pause()
        for row, line in enumerate(first_block[:3]):
            expected: set[int] = set()
            for offset in range(start, end):
                expected.update(
                    view.column_left + line.indent + cell for cell in line.logical_to_cells(offset)
                )
            assert marked_cells(view, row) == expected
        assert marked_cells(view, 0) and marked_cells(view, 1)
        # Replacing the layer's spans repaints; an empty list removes it.
        view.set_marks("test", [])
        await pilot.pause()
        assert marked_cells(view, 0) == set()


async def test_layers_stack_in_order() -> None:
    article = seed()
    app = Host(article)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        view.set_marks("highlight", [(0, 5, "on #111111")])
        view.set_marks("find", [(0, 5, "on #222222")])
        await pilot.pause()
        styles = [s.style for s in view.render_line(0) if s.text.strip()]
        # "highlight" sits above "find", so its colour wins.
        assert any(style and style.bgcolor == Color.parse("#111111") for style in styles)
        assert not any(style and style.bgcolor == Color.parse("#222222") for style in styles)


async def test_offset_at_maps_every_cell_back() -> None:
    article = seed()
    app = Host(article)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        lines = first_block_lines(view)
        line = lines[0]
        left = view.column_left + line.indent
        for cell in range(line.width):
            assert view.offset_at(left + cell, 0) == line.cell_to_logical(cell)
        assert view.offset_at(0, 0) is None
        # Clamped: left of an RTL line is its logical end; a blank line gives the block end.
        assert view.offset_at(0, 0, clamp=True) == line.end
        blank_row = len(lines)
        assert view.offset_at(10, blank_row) is None
        assert view.offset_at(10, blank_row, clamp=True) == lines[-1].end


async def test_scroll_to_offset_and_visible_range() -> None:
    article = seed()
    text = article.text
    app = Host(article)
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        target = text.index("مايكروسوفت واللاعبين")
        view.scroll_to_offset(target)
        await pilot.pause()
        start, end = view.visible_range()
        assert start <= target < end
        assert screen_rows(view)[0].strip() == layout(article.blocks[8].text, 80)[0].text.strip()


async def test_resize_rewraps_and_keeps_the_sentence_on_top() -> None:
    article = seed()
    text = article.text
    app = Host(article)
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        anchor = text.index("وتكمن إحدى النقاط") + 40
        view.scroll_to_offset(anchor)
        await pilot.pause()
        top = view.top_offset()
        assert top <= anchor
        await pilot.resize_terminal(50, 20)
        await pilot.pause()
        assert view.wrap_width == 49
        start, end = view.visible_range()
        assert start <= top < end
        assert screen_rows(view)[: len(expected_lines(article, 49))] != []
        # Every row on screen is one of the lines `reader render` prints at the new width.
        wanted = set(expected_lines(article, 49))
        assert all(row in wanted for row in screen_rows(view))


async def test_terminal_mode_draws_logical_text() -> None:
    article = seed()
    app = Host(article, mode="terminal")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        assert view.line_texts() == expected_lines(article, 80, "terminal")
        first = view.line_texts()[0].strip()
        assert article.blocks[0].text.startswith(first)


async def test_empty_and_ltr_articles() -> None:
    article = Article(
        id="en",
        title="t",
        source="s",
        blocks=[Block("paragraph", "Hello world, this is left to right text.")],
        direction="ltr",
    )
    app = Host(article)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        assert screen_rows(view)[0] == "Hello world, this is left to right text."
        assert view.visible_range() == (0, len(article.text))


def long_paragraph_article(chars: int) -> Article:
    """A heading, one paragraph of about `chars` characters (the seed's paragraphs run
    together, so Latin names and numbers sit in Arabic), and a short closing paragraph."""
    paragraphs = [block.text for block in seed().blocks]
    unit = " ".join(paragraphs)
    text = " ".join([unit] * (chars // len(unit) + 1))
    blocks = [Block("heading", "فقرة طويلة"), Block("paragraph", text), seed().blocks[1]]
    return Article(id="long-paragraph", title="long", source="long", blocks=blocks)


async def test_a_long_paragraph_is_laid_out_only_as_far_as_it_is_shown() -> None:
    article = long_paragraph_article(120_000)
    long_text = article.blocks[1].text
    assert len(long_text) >= LONG_PARAGRAPH
    expected = expected_lines(article, 80)  # the string path, laid out whole
    app = Host(article)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        height = view.scrollable_content_region.height
        assert screen_rows(view) == expected[:height]
        lazy = view.block_layout(1)
        assert isinstance(lazy, LazyLayout)
        assert not lazy.complete and lazy.rows_known < len(expected) // 3
        # The middle of the paragraph: the line index on screen is the real one.
        base = article.block_starts()[1]
        target = base + long_text.index("مايكروسوفت", len(long_text) // 2)
        view.scroll_to_offset(target, center=True)
        await pilot.pause()
        start, end = view.visible_range()
        assert start <= target < end
        y = int(view.scroll_offset.y)
        assert screen_rows(view) == expected[y : y + height]
        assert not lazy.complete
        # A mark across a line break lands on exactly the glyphs of its characters.
        whole = layout(long_text, 80)
        row = next(k for k, line in enumerate(whole) if line.start > target - base) - 1
        mark_start, mark_end = base + whole[row].end - 9, base + whole[row + 1].start + 7
        view.set_marks("test", [(mark_start, mark_end, f"on {MARK}")])
        await pilot.pause()
        for line_row in (row, row + 1):
            line = whole[line_row]
            cells: set[int] = set()
            for offset in range(mark_start - base, mark_end - base):
                cells.update(
                    view.column_left + line.indent + cell for cell in line.logical_to_cells(offset)
                )
            screen_row = 1 + 1 + line_row - y  # the heading and the blank line above
            assert cells and marked_cells(view, screen_row) == cells
        # The end: wrapped whole, the height is exact.
        view.action_bottom()
        await pilot.pause()
        assert lazy.complete or view.block_layout(1) is not lazy
        assert view.virtual_size.height == len(expected)
        y = int(view.scroll_offset.y)
        assert screen_rows(view) == expected[y : y + height]
        # A resize re-wraps the long paragraph lazily again, keeping the reading position.
        top = view.top_offset()
        await pilot.resize_terminal(60, 30)
        await pilot.pause()
        start, end = view.visible_range()
        assert start <= top < end
        narrow = set(expected_lines(article, 59))
        assert all(row in narrow for row in screen_rows(view))

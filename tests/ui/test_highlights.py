"""Highlights on the seed article: selecting by keyboard and mouse, drawing cell-exact, notes,
the Notes tab and the all-notes view, through the real app on a database in tmp_path."""

from __future__ import annotations

from pathlib import Path

from helpers.apps import make_app
from helpers.arabic import type_text
from helpers.waits import search_palette
from rich.cells import cell_len
from rich.color import Color as RichColor
from textual.color import Color
from textual.widgets import ListView

from reader.models import Annotation, Article, Block
from reader.notes.anchors import make_annotation
from reader.store.database import Store
from reader.text import motion
from reader.text.layout import layout
from reader.ui.app import ReaderApp
from reader.ui.screens.all_notes import AllNotesScreen
from reader.ui.screens.note import NoteScreen
from reader.ui.widgets.highlight_view import ReadingView
from reader.ui.widgets.notes_pane import AnnotationItem, NotesPane

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
SIZE = (100, 40)
PHRASE = "لشراء OpenAI، الشركة"


def _app(tmp_path: Path) -> ReaderApp:
    return make_app(tmp_path / "db.json", target=str(SEED), bidi="app", theme="dark")


def _view(app: ReaderApp) -> ReadingView:
    return app.screen.query_one(ReadingView)


def _stored(app: ReaderApp, view: ReadingView) -> list[Annotation]:
    assert view.article is not None
    return app.store.annotations_for(view.article.id)


def _bg(app: ReaderApp, variable: str) -> RichColor:
    return Color.parse(app.theme_variables[variable]).rich_color


def _cell_backgrounds(view: ReadingView, y: int) -> list[RichColor | None]:
    """Background colour of every cell of screen row `y` of the view."""
    colours: list[RichColor | None] = []
    for segment in view.render_line(y):
        bgcolor = segment.style.bgcolor if segment.style is not None else None
        for char in segment.text:
            colours.extend([bgcolor] * cell_len(char))
    return colours


def _screen_cell(view: ReadingView, offset: int) -> tuple[int, int]:
    """A widget cell (x, y) that draws article offset `offset` (found through offset_at)."""
    for y in range(view.size.height):
        for x in range(view.size.width):
            if view.offset_at(x, y) == offset:
                return x, y
    raise AssertionError(f"offset {offset} is not on screen")


async def _press_until(pilot: object, view: ReadingView, key: str, target: int) -> None:
    for _ in range(200):
        if view.cursor == target:
            return
        await pilot.press(key)  # type: ignore[attr-defined]
    raise AssertionError(f"cursor never reached {target}")


async def test_keyboard_selection_with_openai_inside_arabic(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        start = text.index(PHRASE)
        await pilot.press("left")  # shows the cursor on the first word
        assert view.cursor == 0
        # The seed's first paragraph is Arabic: the key pointing left moves forward.
        await pilot.press("left")
        assert view.cursor == motion.next_word(text, 0)
        await pilot.press("right")
        assert view.cursor == 0
        await _press_until(pilot, view, "left", start)
        await pilot.press("v", "left", "left")
        assert view.selection == (start, start + len(PHRASE))
        await pilot.press("3")
        (annotation,) = _stored(app, view)
        assert annotation.quote == text[annotation.start : annotation.end] == PHRASE
        assert annotation.color == 3
        assert view.selection is None
        assert view.highlight_marks() == [(start, start + len(PHRASE), "$reader-highlight-3")]


async def test_mouse_drag_selects_the_swept_logical_span(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        start = text.index("لشراء OpenAI")
        last = start + len("لشراء OpenAI") - 1  # the "I"
        # In the RTL line the Arabic word is right of "OpenAI": the drag goes right to left
        # and ends inside the Latin run, whose last letter is its rightmost cell.
        press_at = _screen_cell(view, start)
        release_at = _screen_cell(view, last)
        assert press_at[1] == release_at[1] and press_at[0] > release_at[0]
        await pilot.mouse_down(view, offset=press_at)
        await pilot.hover(view, offset=release_at)
        await pilot.mouse_up(view, offset=release_at)
        assert view.selection == (start, last + 1)
        await pilot.press("1")
        (annotation,) = _stored(app, view)
        assert annotation.quote == text[start : last + 1] == "لشراء OpenAI"


async def test_mouse_selection_across_lines_and_paragraphs(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        first = text.index("ChatGPT")
        second_paragraph = text.index("\n") + 1
        last = second_paragraph + len("وزعم") - 1
        await pilot.mouse_down(view, offset=_screen_cell(view, first))
        await pilot.mouse_up(view, offset=_screen_cell(view, last))
        await pilot.press("2")
        (annotation,) = _stored(app, view)
        assert annotation.start == first and annotation.end == last + 1
        assert annotation.quote == text[first : last + 1]
        assert "\n" in annotation.quote and annotation.quote.endswith("وزعم")


async def test_highlight_is_drawn_cell_exact_in_mixed_lines_and_after_resize(
    tmp_path: Path,
) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        # A span starting inside an Arabic word and ending inside "OpenAI": on screen it is
        # two separate runs of cells in the RTL line.
        start = text.index("الدولارات") + 2
        end = text.index("OpenAI") + 3
        view.select_span(start, end)
        await pilot.press("4")
        view.set_marks("cursor", [])
        await pilot.pause()
        colour = _bg(app, "reader-highlight-4")
        for size in (SIZE, (70, 40), (120, 30)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            view.set_marks("cursor", [])
            view.scroll_to_offset(0)
            await pilot.pause()
            block = text.split("\n")[0]
            lines = layout(block, view.wrap_width, "app")  # the same width the view wraps at
            checked = 0
            for y, line in enumerate(lines):
                row = view.render_line(y)
                origin = row.text.index(line.text) if line.text else 0
                backgrounds = _cell_backgrounds(view, y)
                cell = origin
                for glyph in line.glyphs:
                    marked = glyph.start < end and glyph.end > start
                    for _ in range(glyph.cells):
                        assert (backgrounds[cell] == colour) == marked, (size, y, glyph)
                        checked += marked
                        cell += 1
            assert checked >= len("OpenAI") // 2 + 1
            mixed = [line for line in lines if "OpenAI" in line.text and start < line.end]
            assert mixed, "the highlighted line mixes Arabic and Latin"


async def test_terminal_bidi_mode_selection(tmp_path: Path) -> None:
    app = make_app(tmp_path / "db.json", target=str(SEED), bidi="terminal", theme="dark")
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        start = text.index(PHRASE)
        await pilot.mouse_down(view, offset=_screen_cell(view, start))
        await pilot.mouse_up(view, offset=_screen_cell(view, start + len(PHRASE) - 1))
        await pilot.press("5")
        (annotation,) = _stored(app, view)
        assert annotation.quote == PHRASE


async def test_sentence_and_paragraph_selection(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        await pilot.press("left", "s")
        first_sentence = text[: text.index("ChatGPT.") + len("ChatGPT.")]
        assert view.selection == (0, len(first_sentence))
        await pilot.press("shift+left")  # extend by one sentence (forward in RTL)
        assert view.selection is not None
        assert text[slice(*view.selection)].endswith("على الشركة.")
        await pilot.press("1")
        await pilot.press("shift+down", "p", "2")
        paragraph = text.split("\n")[1]
        quotes = sorted(a.quote for a in _stored(app, view))
        assert paragraph in quotes
        assert any(q.startswith(first_sentence) for q in quotes)


async def test_colour_change_delete_and_undo(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        await pilot.press("left", "s", "1")
        (annotation,) = _stored(app, view)
        await pilot.press("5")  # no selection, cursor on the highlight: recolour
        (recoloured,) = _stored(app, view)
        assert recoloured.id == annotation.id and recoloured.color == 5
        await pilot.press("d")
        assert _stored(app, view) == []
        assert view.highlight_marks() == []
        await pilot.press("u")
        (restored,) = _stored(app, view)
        assert restored.id == annotation.id and restored.quote == annotation.quote
        assert view.highlight_marks() == [(restored.start, restored.end, "$reader-highlight-5")]


async def test_overlapping_highlights(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        a = text.index("OpenAI")
        view.select_span(a - 6, a + 6)
        await pilot.press("1")
        view.select_span(a, a + 20)
        await pilot.press("2")
        quotes = {x.quote for x in _stored(app, view)}
        assert quotes == {text[a - 6 : a + 6], text[a : a + 19]}
        assert len(view.highlight_marks()) == 2


async def test_note_on_a_highlight_is_written_in_arabic_and_read_back(tmp_path: Path) -> None:
    note = "ماسك يريد OpenAI مفتوحة المصدر"
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        view.select_span(0, 10)
        await pilot.press("1", "n")
        assert isinstance(app.screen, NoteScreen)
        await type_text(pilot, note)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen.query_one(ReadingView), ReadingView)
        article_id = view.article.id if view.article else ""
    with Store.open(tmp_path / "db.json") as store:
        (saved,) = store.annotations_for(article_id)
    assert saved.note == note
    assert saved.quote == "إيلون ماسك"


async def test_notes_pane_lists_in_reading_order_jumps_and_filters(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        view = _view(app)
        text = view.text
        late = text.index("مايكروسوفت")
        early = text.index("OpenAI")
        view.select_span(late, late + len("مايكروسوفت"))
        await pilot.press("2")
        view.select_span(early, early + 6)
        await pilot.press("1")
        await pilot.press("I")  # side pane: Notes
        await pilot.pause()
        pane = app.screen.query_one(NotesPane)
        items = list(pane.query(AnnotationItem))
        assert [item.annotation.quote for item in items] == ["OpenAI", "مايكروسوفت"]
        listing = pane.query_one(ListView)
        listing.focus()
        listing.index = 1
        await pilot.press("enter")
        await pilot.pause()
        assert view.cursor == late
        assert view.has_focus
        pane.set_filter(color=1)
        await pilot.pause()
        assert [item.annotation.quote for item in pane.query(AnnotationItem)] == ["OpenAI"]


async def test_orphans_are_listed_with_quote_and_note(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    article = Article(
        id="orphaned", title="مقال", source="x", blocks=[Block("paragraph", "نص جديد")]
    )
    old = Article(
        id="orphaned", title="مقال", source="x", blocks=[Block("paragraph", "نص قديم جدا")]
    )
    orphan = make_annotation(old, 3, 11, note="ملاحظة باقية")
    orphan.orphan = True
    with Store.open(db) as store:
        store.put_article(article)
        store.add_annotation(orphan)
    app = make_app(db, seed=False, theme="dark")
    async with app.run_test(size=(140, 40)) as pilot:
        app.open_article("orphaned")
        await pilot.pause()
        view = _view(app)
        assert view.highlight_marks() == []  # never drawn on the wrong text
        await pilot.press("I")
        await pilot.pause()
        (item,) = app.screen.query_one(NotesPane).query(AnnotationItem)
        assert item.annotation.orphan
        assert item.annotation.quote == "قديم جدا" and item.annotation.note == "ملاحظة باقية"


async def test_all_notes_view_opens_the_highlight(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        target = text.index("مايكروسوفت")
        view.select_span(target, target + len("مايكروسوفت"))
        await pilot.press("3")
        view.move_cursor(0)
        await pilot.press("A")
        assert isinstance(app.screen, AllNotesScreen)
        (item,) = app.screen.query(AnnotationItem)
        assert item.annotation.quote == "مايكروسوفت"
        await pilot.press("enter")
        await pilot.pause()
        view = _view(app)
        assert view.cursor == target


async def test_tags_key_edits_tags_and_notes_pane_filters_by_tag(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        view = _view(app)
        text = view.text
        first = text.index("OpenAI")
        view.select_span(first, first + 6)
        await pilot.press("1", "t")
        assert isinstance(app.screen, NoteScreen)
        await type_text(pilot, "تقنية")
        await pilot.press("ctrl+s")
        await pilot.pause()
        second = text.index("ChatGPT")
        view.select_span(second, second + 7)
        await pilot.press("1")
        tagged = [a for a in _stored(app, view) if a.tags]
        assert [(a.quote, a.tags) for a in tagged] == [("OpenAI", ["تقنية"])]
        await pilot.press("I")
        await pilot.pause()
        pane = app.screen.query_one(NotesPane)
        assert len(pane.query(AnnotationItem)) == 2
        pane.action_cycle_tag()
        await pilot.pause()
        assert pane.tag_filter == "تقنية"
        assert [i.annotation.quote for i in pane.query(AnnotationItem)] == ["OpenAI"]
        pane.action_cycle_tag()
        await pilot.pause()
        assert pane.tag_filter is None and len(pane.query(AnnotationItem)) == 2


async def test_left_moves_back_in_a_left_to_right_article(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    english = Article(
        id="en",
        title="English",
        source="en",
        language="en",
        direction="ltr",
        blocks=[Block("paragraph", "One two three. Four five.")],
    )
    with Store.open(db) as store:
        store.put_article(english)
    app = make_app(db, seed=False, theme="dark")
    async with app.run_test(size=SIZE) as pilot:
        app.open_article("en")
        await pilot.pause()
        view = _view(app)
        await pilot.press("right")
        assert view.cursor == 0
        await pilot.press("right", "right")
        assert view.cursor == len("One two ")
        await pilot.press("left")
        assert view.cursor == len("One ")
        await pilot.press("shift+right")
        assert view.cursor == len("One two three. ")


async def test_n_is_next_match_while_find_is_active(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        view.select_span(0, 10)
        await pilot.press("1")
        view.set_marks("find", [(0, 5, "$reader-find")])
        assert not view.check_action("note", ())
        view.set_marks("find", [])
        assert view.check_action("note", ())


async def test_all_notes_from_the_palette_in_the_library(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    app = make_app(db, theme="dark")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        summaries = app.store.list_articles()
        article = next(
            a for a in (app.store.get_article(s.id) for s in summaries) if a and "OpenAI" in a.text
        )
        start = article.text.index("OpenAI")
        app.store.add_annotation(make_annotation(article, start, start + 6, color=2))
        await search_palette(pilot, "All notes")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AllNotesScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert _view(app).cursor == start


async def test_a_click_moves_the_cursor_and_drops_the_selection(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        view.select_span(0, 10)
        target = text.index("ChatGPT") + 2
        await pilot.click(view, offset=_screen_cell(view, target))
        assert view.selection is None
        assert view.cursor == target
        assert view.marks("cursor") == [
            (text.index("ChatGPT"), text.index("ChatGPT") + 7, "$reader-cursor")
        ]


async def test_after_scrolling_away_the_cursor_starts_on_screen(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        await pilot.press("left", "left")
        assert view.cursor is not None and view.cursor < 20
        await pilot.press("pagedown", "pagedown")
        start, end = view.visible_range()
        assert view.cursor < start
        await pilot.press("left")
        assert start <= view.cursor < end
        assert view.visible_range() == (start, end)  # no jump back

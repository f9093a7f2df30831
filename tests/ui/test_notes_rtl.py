"""An Arabic note reads right-aligned in the Notes tab and in All notes, as the article's
right-to-left paragraphs do: on screen (the strips) and in a screenshot of it (the SVG, where a
viewer would reorder a run of spaces and Arabic and show the note left-aligned). Pilot tests
through the real app on a database in tmp_path."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from helpers.apps import make_app
from helpers.arabic import type_text, visual
from rich.cells import cell_len
from textual.pilot import Pilot

from reader.ui.app import ReaderApp
from reader.ui.screens.all_notes import AllNotesScreen
from reader.ui.screens.article import ArticleScreen
from reader.ui.widgets.notes_pane import AnnotationItem
from reader.ui.widgets.shaped_text import ShapedText

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
NOTE = "ملاحظة قصيرة"
SIZE = (130, 40)


def _app(tmp_path: Path) -> ReaderApp:
    return make_app(tmp_path / "db.json", target=str(SEED), bidi="app", theme="dark")


def _note_widget(app: ReaderApp) -> ShapedText:
    (item,) = app.screen.query(AnnotationItem)
    return item.query_one(".annotation-note", ShapedText)


def _assert_right_aligned(note: ShapedText) -> None:
    """The note's one line ends at the widget's right edge, and the blank before it is a run
    of its own (the glyphs start a segment)."""
    width = note.content_size.width
    strip = note.render_line(0)
    text = "".join(segment.text for segment in strip)
    assert text.strip() == visual(NOTE)
    start = width - cell_len(visual(NOTE))
    assert cell_len(text.rstrip()) == width  # nothing after the note's last glyph
    starts, cell = set(), 0
    for segment in strip:
        starts.add(cell)
        cell += segment.cell_length
    assert start in starts, "the indent and the Arabic are one run"


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found is not None, pattern
    return float(found.group(1))


def _assert_screenshot_right_aligned(app: ReaderApp, note: ShapedText) -> None:
    """In the SVG screenshot the note's text element starts at the note's first glyph."""
    svg = app.export_screenshot()
    shaped = visual(NOTE)
    for attributes, content in re.findall(r"<text ([^>]*)>([^<]*)</text>", svg):
        if shaped in unescape(content).replace("\u00a0", " "):
            x = _number(r'\bx="([0-9.]+)"', attributes)
            length = _number(r'textLength="([0-9.]+)"', attributes)
            cell = length / cell_len(unescape(content))
            region = note.content_region
            assert round(x / cell) == region.right - cell_len(shaped)
            return
    raise AssertionError("the note is not in the screenshot")


async def _write_note(app: ReaderApp, pilot: Pilot[None]) -> None:
    await pilot.press("s", "1", "n")
    await type_text(pilot, NOTE)
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_an_arabic_note_is_right_aligned_in_the_notes_tab(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _write_note(app, pilot)
        assert isinstance(app.screen, ArticleScreen)
        app.screen.show_pane_tab("notes")
        await pilot.pause()
        await pilot.pause()
        note = _note_widget(app)
        _assert_right_aligned(note)
        _assert_screenshot_right_aligned(app, note)


async def test_an_arabic_note_is_right_aligned_in_all_notes(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _write_note(app, pilot)
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, AllNotesScreen)
        note = _note_widget(app)
        _assert_right_aligned(note)
        _assert_screenshot_right_aligned(app, note)


async def test_a_right_after_reopening_lists_the_note(tmp_path: Path) -> None:
    """Write a note, quit, open the same library again and press A at once: the app opens on
    the library, where A lists every note (it used to start a filter for "A")."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _write_note(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    app.saver.close()
    app.store.close()
    again = make_app(tmp_path / "db.json", theme="dark")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(again.screen, AllNotesScreen)
        assert [item.annotation.note for item in again.screen.query(AnnotationItem)] == [NOTE]
        assert _note_widget(again).text == NOTE
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(again.screen, AllNotesScreen)
    again.store.close()

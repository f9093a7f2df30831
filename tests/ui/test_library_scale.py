"""A big library in the app: rows are built once and lazily.

The table gets its first rows at once and the rest in chunks after each refresh; a row's
cells are shaped only when drawn, and kept while the article looks the same (filtering,
coming back from an article and reloading reuse them). Figures are in
benchmarks/bench_scale.py; these tests guard the shape, not the time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers.apps import make_app
from helpers.arabic import visual
from textual.pilot import Pilot
from textual.widgets import DataTable

from reader.models import Article, Block
from reader.store.database import Store
from reader.ui.screens.library import FIRST_ROWS, LazyCell, LibraryScreen

SIZE = (100, 30)
ARTICLES = FIRST_ROWS * 3


def article(number: int) -> Article:
    """A short article; higher numbers are newer (listed first)."""
    return Article(
        id=f"big-{number:04d}",
        title=f"مقال رقم {number} عن الرياض",
        source=f"https://news{number % 7}.example.com/a/{number}",
        blocks=[Block("paragraph", f"نص المقال {number}. جملة ثانية فيه.")],
        published=f"2024-01-01T00:{number // 60 % 60:02d}:{number % 60:02d}",
        added="2024-06-01T00:00:00",
    )


def build_library(path: Path, count: int = ARTICLES) -> Path:
    with Store.open(path) as store:
        store.put_articles(article(number) for number in range(count))
    return path


def table(pilot: Pilot[Any]) -> DataTable[Any]:
    return pilot.app.screen.query_one(DataTable)


def title_cells(pilot: Pilot[Any]) -> list[LazyCell]:
    grid = table(pilot)
    cells = [grid.get_row_at(row)[0] for row in range(grid.row_count)]
    assert all(isinstance(cell, LazyCell) for cell in cells)
    return cells


async def filled(pilot: Pilot[Any]) -> None:
    """Let the chunks after the first rows be added (each after a refresh)."""
    for _ in range(4):
        await pilot.pause()


async def test_the_first_rows_come_at_once_and_only_rows_on_screen_are_shaped(
    tmp_path: Path,
) -> None:
    app = make_app(build_library(tmp_path / "reader.json"), seed=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert table(pilot).row_count >= FIRST_ROWS
        await filled(pilot)
        assert table(pilot).row_count == ARTICLES
        cells = title_cells(pilot)
        built = [index for index, cell in enumerate(cells) if cell.built]
        assert built, "the rows on screen were drawn"
        assert max(built) < SIZE[1], f"rows below the screen were shaped: {built[-5:]}"
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert cells[-1].built, "going to the end draws the last row"
        assert str(cells[-1]).strip() == "مقال رقم 0 عن الرياض"[::-1] or "0" in str(cells[-1])


async def test_rows_are_built_once(tmp_path: Path) -> None:
    db = build_library(tmp_path / "reader.json")
    app = make_app(db, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        await filled(pilot)
        first = title_cells(pilot)
        keys = [key.value for key in table(pilot).rows]
        # Opening an article and coming back keeps every row's cells.
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, LibraryScreen)
        await pilot.press("escape")
        await filled(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert [key.value for key in table(pilot).rows] == keys
        assert all(a is b for a, b in zip(title_cells(pilot), first, strict=True))
        assert table(pilot).cursor_row == 2, "the cursor stays on the article opened"
        # Filtering and clearing the filter reuse them too.
        await pilot.press("slash", *"رقم 12", "escape")
        await filled(pilot)
        assert all(a is b for a, b in zip(title_cells(pilot), first, strict=True))
        # Another process adds an article: one new row, the others' cells kept.
        with Store.open(db) as other:
            other.put_article(article(ARTICLES))
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        selected = screen.selected_id()
        assert selected is not None
        screen.reload()
        await filled(pilot)
        now = title_cells(pilot)
        assert len(now) == ARTICLES + 1
        assert all(a is b for a, b in zip(now[1:], first, strict=True))
        assert screen.selected_id() == selected, "the cursor stays on its article"
        # Another process renames an article: its row shows the new title, in its place.
        renamed = article(5)
        renamed.title = "عنوان جديد تماما"
        with Store.open(db) as other:
            other.put_article(renamed)
        screen.reload()
        await filled(pilot)
        index = table(pilot).get_row_index("big-0005")
        assert str(table(pilot).get_row_at(index)[0]).strip() == visual("عنوان جديد تماما")
        assert all(a is b for a, b in zip(title_cells(pilot)[1:index], first, strict=False))

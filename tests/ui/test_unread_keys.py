"""Reading state in the app: opening marks read, the library marks and counts
unread articles, `m` marks read/unread, `n` jumps to the next unread, `u` shows only unread,
and the article header shows how far in the reading position is."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.screen import screen_lines
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.library import UNREAD_MARK, LibraryScreen

Factory = Callable[..., ReaderApp]
SIZE = (100, 30)


def read_ids(db_path: Path) -> set[str]:
    """What the database on disk says is read (a fresh Store, as another process sees it)."""
    with Store.open(db_path) as store:
        return {s.id for s in store.list_articles() if s.read}


async def saved(app: ReaderApp, pilot: Pilot[Any]) -> None:
    """Wait until the background saves are written and their callbacks have run."""
    await app.saver.idle()
    await pilot.pause()


def marks(app: ReaderApp) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(row)[-1]) for row in range(table.row_count)]


def title_line(app: ReaderApp) -> str:
    return str(app.screen.query_one("#library-title", Static).render())


def row_ids(app: ReaderApp) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(key.value) for key in table.rows]


async def test_opening_an_article_marks_it_read(app_factory: Factory, db_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert marks(app) == [UNREAD_MARK] * 3
        assert "3 articles, 3 unread" in title_line(app)
        seed = row_ids(app)[0]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        await saved(app, pilot)
        assert read_ids(db_path) == {seed}
        await pilot.press("escape")
        await saved(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert marks(app) == ["", UNREAD_MARK, UNREAD_MARK]
        assert "3 articles, 2 unread" in title_line(app)


async def test_m_marks_read_and_unread(app_factory: Factory, db_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = row_ids(app)[0]
        await pilot.press("m")
        assert marks(app)[0] == ""  # on screen at once, saved in the background
        await saved(app, pilot)
        assert read_ids(db_path) == {first}
        assert "2 unread" in title_line(app)
        await pilot.press("m")
        assert marks(app)[0] == UNREAD_MARK
        await saved(app, pilot)
        assert read_ids(db_path) == set()
        assert isinstance(app.screen, LibraryScreen)  # m did not start the filter


async def test_n_jumps_to_the_next_unread_and_u_shows_only_unread(
    app_factory: Factory, db_path: Path
) -> None:
    with Store.open(db_path) as store:
        english = next(s.id for s in store.list_articles() if s.direction == "ltr")
        store.set_read(english)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        ids = row_ids(app)
        assert ids[1] == english and marks(app) == [UNREAD_MARK, "", UNREAD_MARK]
        assert table.cursor_row == 0
        await pilot.press("n")
        assert table.cursor_row == 2  # past the read one
        await pilot.press("n")
        assert table.cursor_row == 0  # wraps to the top
        await pilot.press("u")
        assert row_ids(app) == [ids[0], ids[2]]
        assert "only unread" in title_line(app)
        await pilot.press("u")
        assert row_ids(app) == ids
        await pilot.press("m", "n")  # the first is read now; all read but the last
        assert table.cursor_row == 2
        await pilot.press("m")
        await pilot.press("n")
        assert table.cursor_row == 2  # nothing unread: the cursor stays
        await saved(app, pilot)
        assert read_ids(db_path) == set(ids)


async def test_the_percentage_on_screen_follows_a_line_by_line_scroll(
    app_factory: Factory,
) -> None:
    """Scrolled a line at a time, the screen's byline row shows the percentage at each step:
    where it changes within as many digits (redrawn in place, without laying the screen out
    again) and where it grows a digit (the row laid out again)."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        meta_row = screen.query_one("#article-meta", Static).region.y
        seen: list[int] = []
        while not seen or seen[-1] < 12:
            await pilot.press("j")
            percent = screen.percent_read()
            row = screen_lines(app)[meta_row].rstrip()
            assert row.endswith(f" {percent}%"), (percent, row)
            assert str(screen.query_one("#article-meta", Static).render()) in row
            seen.append(percent)
        changes = [(a, b) for a, b in itertools.pairwise(seen) if a != b]
        assert any(len(str(a)) == len(str(b)) for a, b in changes), seen
        assert any(len(str(a)) < len(str(b)) for a, b in changes), seen


async def test_article_header_shows_the_reading_position_as_a_percentage(
    app_factory: Factory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        meta = app.screen.query_one("#article-meta", Static)
        assert str(meta.render()).endswith(" 0%")
        await pilot.press("pagedown")
        await pilot.pause()
        middle = str(meta.render()).rsplit(" ", 1)[-1]
        assert middle.endswith("%") and 0 < int(middle[:-1]) < 100
        await pilot.press("G")
        await pilot.pause()
        assert str(meta.render()).endswith(" 100%")

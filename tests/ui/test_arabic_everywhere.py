"""Arabic is drawn right in every corner of the app, not only in the article body.

The library's Source column is shaped like its titles; a walk through every screen and dialog
checks that no logical (unshaped) Arabic letter reaches the screen in app mode, and that
terminal mode shows logical text only. Expected pictures come from the reference reshaper
(arabic-reshaper), not from our layout engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.arabic import letters_with_forms, type_text, visual
from helpers.screen import screen_lines
from helpers.waits import (
    entities_final,
    entities_listed,
    search_answered,
    search_palette,
    settle,
)
from textual.pilot import Pilot
from textual.widgets import DataTable, ListView

from reader.models import Article, Block, Feed
from reader.notes.anchors import make_annotation
from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.screens.add import AddScreen, ConfirmDeleteScreen
from reader.ui.screens.feeds import AddFeedScreen, FeedsScreen, RemoveFeedScreen
from reader.ui.screens.library import LibraryScreen
from reader.ui.screens.note import NoteScreen
from reader.ui.screens.search import SearchScreen
from reader.ui.widgets.entities_pane import EntitiesPane, EntityItem
from reader.ui.widgets.highlight_view import ReadingView

Factory = Callable[..., ReaderApp]

AGENCY = "وكالة الأنباء"
LONG_AGENCY = "وكالة الأنباء السعودية الرسمية للأخبار العاجلة"


def add_agency_articles(db_path: Path) -> None:
    """Two articles whose source is an Arabic agency name (one too long for its column)."""
    store = Store.open(db_path)
    for index, source in enumerate((AGENCY, LONG_AGENCY)):
        store.put_article(
            Article(
                id=f"agency000000000{index}",
                title=f"خبر رقم {index + 1}",
                source=source,
                blocks=[Block("paragraph", "نص الخبر القصير.")],
                published=f"2025-04-0{index + 1}",
                added=f"2025-04-0{index + 1}T08:00:00",
            )
        )
    store.close()


def source_cells(app: ReaderApp, date: str) -> str:
    """The Source cell (without its padding) of the row dated `date`, as the screen shows it."""
    table = app.screen.query_one(DataTable)
    widths = [column.get_render_width(table) for column in table.columns.values()]
    row = next(line for line in screen_lines(app) if date in line)
    return row[widths[0] + 1 : widths[0] + widths[1] - 1]


@pytest.mark.parametrize("size", [(80, 24), (130, 45)], ids=["80x24", "130x45"])
async def test_source_column_is_shaped_right_aligned_and_cut_on_the_left(
    db_path: Path, app_factory: Factory, size: tuple[int, int]
) -> None:
    add_agency_articles(db_path)
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        short = source_cells(app, "2025-04-01")
        long = source_cells(app, "2025-04-02")
    assert not (set(short) | set(long)) & letters_with_forms(), (short, long)
    # Right-aligned in its column, joined and right to left.
    assert short.endswith(visual(AGENCY)), repr(short)
    assert short.startswith(" ")
    # Cut at its logical end: the first words stay whole at the right, "…" is the left end.
    assert long.lstrip().startswith("…"), repr(long)
    assert long.endswith(visual("وكالة")), repr(long)
    kept = long.lstrip()[1:].strip()
    assert visual(LONG_AGENCY).endswith(kept), repr(long)


async def test_source_column_terminal_mode_is_logical(db_path: Path, app_factory: Factory) -> None:
    add_agency_articles(db_path)
    app = app_factory(bidi="terminal")
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.pause()
        short = source_cells(app, "2025-04-01")
    assert short.endswith(AGENCY), repr(short)  # right-aligned, letters as stored
    assert not [char for char in short if "\ufb50" <= char <= "\ufeff"]


# ------------------------------------------------------------------ the walk


def add_walk_articles(db_path: Path) -> None:
    """An older article with an Arabic source and author (Source column and byline), and the
    export folder in tmp_path (the export notification names an Arabic file)."""
    store = Store.open(db_path)
    store.put_article(
        Article(
            id="agencywalk000001",
            title="خبر من الوكالة",
            source=AGENCY,
            author="خالد العتيبي",
            blocks=[Block("paragraph", "نص الخبر القصير.")],
            published="2023-01-01",
            added="2023-01-01T08:00:00",
        )
    )
    store.set_setting("export_dir", str(db_path.parent / "exports"))
    store.close()


class Walk:
    """Looks at the screen after each step and keeps what was wrong, by step."""

    def __init__(self, app: ReaderApp, mode: str) -> None:
        self.app = app
        self.mode = mode
        self.seen: list[str] = []
        self.wrong: list[str] = []

    def check(self, step: str) -> None:
        text = "\n".join(screen_lines(self.app))
        self.seen.append(step)
        if self.mode == "app":
            bad = sorted({char for char in text if char in letters_with_forms()})
            what = "logical Arabic letters"
        else:
            bad = sorted({char for char in text if "\ufb50" <= char <= "\ufeff"})
            what = "presentation forms"
        if bad:
            rows = [row for row in text.split("\n") if set(row) & set(bad)]
            self.wrong.append(f"{step}: {what} {bad} in\n" + "\n".join(rows))


async def choose_entity(pilot: Pilot[None], pane: EntitiesPane) -> None:
    """Choose the first listed entity with an Arabic name, as a reader does."""
    view = pane.query_one("#entities-list", ListView)
    index = next(
        i
        for i, item in enumerate(view.children)
        if isinstance(item, EntityItem) and letters_with_forms() & set(item.entity.name)
    )
    view.focus()
    view.index = index
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.slow  # every screen and dialog in turn: 10-14 s each
@pytest.mark.parametrize("mode", ["app", "terminal"])
async def test_every_screen_and_dialog_draws_arabic_right(
    db_path: Path, app_factory: Factory, mode: str
) -> None:
    """App mode: no logical Arabic letter on any screen; terminal mode: logical text only."""
    add_walk_articles(db_path)
    app = app_factory(bidi=mode)
    walk = Walk(app, mode)
    async with app.run_test(size=(130, 45), notifications=True) as pilot:
        await settle(pilot)
        walk.check("library")
        await pilot.press("slash")
        await type_text(pilot, "الوكالة")
        walk.check("library filter")
        await pilot.press("escape")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.row_count - 1)  # the agency's article: Arabic byline
        await pilot.press("enter")
        await settle(pilot)
        walk.check("article with an Arabic byline")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("E")
        await entities_final(pilot)
        walk.check("entities screen")
        await pilot.press("2")  # organisations: the agency's name among them
        await entities_final(pilot)
        await pilot.press("enter")
        await settle(pilot)
        walk.check("an entity's mentions")
        await pilot.press("escape", "escape")
        await settle(pilot)
        app.screen.query_one(DataTable).move_cursor(row=0)  # the seed article
        await pilot.press("enter")
        await settle(pilot)
        walk.check("article")
        await pilot.press("slash")
        await type_text(pilot, "الذكاء")
        walk.check("find")
        await pilot.press("enter", "escape")
        await pilot.pause()
        view = app.screen.query_one(ReadingView)
        start = view.text.index("الذكاء")
        view.select_span(start, start + len("الذكاء الاصطناعي"))
        await pilot.press("1", "n")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await type_text(pilot, "ملاحظة مهمة عن الذكاء")
        walk.check("note editor")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await type_text(pilot, "تقنية")
        walk.check("tag editor")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("i")
        pane = await entities_listed(pilot)
        walk.check("entities tab")
        await choose_entity(pilot, pane)
        walk.check("entities tab, an entity chosen")
        for key, dialog in (("t", "entity type"), ("r", "entity rename"), ("m", "entity merge")):
            await pilot.press(key)
            await pilot.pause()
            walk.check(f"{dialog} dialog")
            await pilot.press("escape")
            await pilot.pause()
        app.screen.query_one(ReadingView).focus()
        await pilot.press("I")
        await settle(pilot)
        walk.check("notes tab")
        await pilot.press("i")
        await pilot.press("A")
        await settle(pilot)
        walk.check("all notes")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        walk.check("help")
        await pilot.press("escape")
        await pilot.pause()
        await search_palette(pilot, "الذكاء")
        walk.check("command palette")
        await pilot.press("escape")
        await pilot.pause()
        app.screen.query_one(ReadingView).focus()
        await pilot.press("e")
        await pilot.pause(0.3)
        walk.check("export notification")
    assert len(walk.seen) == 19
    assert not walk.wrong, "\n\n".join(walk.wrong)


FEED_TITLE = "الجزيرة نت - آخر الأخبار"


def add_library_walk_data(db_path: Path) -> None:
    """A feed with an Arabic title (and an Arabic error) and notes on the agency's article, so
    the feeds screen, its dialogs and the delete question all have Arabic to draw."""
    with Store.open(db_path) as store:
        store.put_feed(
            Feed(
                url="https://aljazeera.example/ar/rss.xml",
                title=FEED_TITLE,
                last_checked="2025-02-11T08:30:00+00:00",
                last_error="الخادم لا يجيب",
                folder="أخبار",
            )
        )
        article = store.get_article("agencywalk000001")
        assert article is not None
        store.add_annotation(make_annotation(article, 0, 3, note="ملاحظة عن الخبر"))


@pytest.mark.parametrize("mode", ["app", "terminal"])
async def test_the_library_screens_and_dialogs_draw_arabic_right(
    db_path: Path, app_factory: Factory, mode: str
) -> None:
    """The library's screens and dialogs: search, feeds and its add/remove dialogs, the add
    dialog, the delete question and the archived view."""
    add_walk_articles(db_path)
    add_library_walk_data(db_path)
    app = app_factory(bidi=mode)
    walk = Walk(app, mode)
    async with app.run_test(size=(130, 45), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await type_text(pilot, "الرياض")
        await search_answered(pilot)
        assert isinstance(app.screen, SearchScreen) and app.screen.results
        walk.check("search results")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        walk.check("feeds")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddFeedScreen)
        await type_text(pilot, "الجزيرة")
        walk.check("add feed dialog")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, RemoveFeedScreen)
        walk.check("remove feed dialog")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        walk.check("a feed's articles")
        await pilot.press("escape")
        await settle(pilot)
        if isinstance(app.screen, FeedsScreen):
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddScreen)
        await type_text(pilot, "مقال.txt")
        walk.check("add dialog")
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.row_count - 1)  # the agency's article, with a note
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDeleteScreen)
        walk.check("delete question")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        walk.check("archived, with its notification")
        await pilot.press("X")
        await settle(pilot)
        assert app.screen.query_one(DataTable).row_count == 1
        walk.check("archived view")
        await pilot.press("X")
        await settle(pilot)
    assert len(walk.seen) == 9
    assert not walk.wrong, "\n\n".join(walk.wrong)

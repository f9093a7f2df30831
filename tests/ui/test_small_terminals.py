"""Small terminals: the library, the footer and the article at 80x24 and 130x45.

Pilot tests check what the screen holds; SVG snapshots (tests/ui/__snapshots__/) show it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers.screen import screen_lines
from textual.pilot import Pilot
from textual.widgets import DataTable

from reader.models import Article, Block
from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.footer import FittingFooter, FooterKey, key_cells
from reader.ui.widgets.side_pane import SidePane

Factory = Callable[..., ReaderApp]
SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (130, 45)]
SIZE_IDS = ["80x24", "130x45"]

LONG_TITLE = (
    "وزير الخارجية يبحث مع نظيره الفرنسي سبل تعزيز التعاون الاقتصادي والثقافي بين البلدين "
    "في ختام زيارة استمرت ثلاثة أيام"
)


@pytest.fixture
def long_app(db_path: object, app_factory: Factory) -> Factory:
    """The fixed library plus a long Arabic title from a long host name."""
    store = Store.open(db_path)  # type: ignore[arg-type]
    store.put_article(
        Article(
            id="arabiclong0000003",
            title=LONG_TITLE,
            source="https://www.a-very-long-news-host-name.example.com/ar/politics/1",
            blocks=[Block("paragraph", "نص قصير.")],
            published="2025-03-01",
            added="2025-03-01T08:00:00",
        )
    )
    store.close()
    return app_factory


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_library_columns_fit(long_app: Factory, size: tuple[int, int]) -> None:
    """Every column is on screen; the title takes what is left; long cells end in "…"."""
    app = long_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        widths = [column.get_render_width(table) for column in table.columns.values()]
        labels = [column.label.plain for column in table.columns.values()]
        assert labels == ["Title", "Source", "Date", "Highlights", ""]  # "" marks unread
        assert sum(widths) <= size[0] - 1  # room for the scrollbar
        rows = screen_lines(app)
        header = next(row for row in rows if "Title" in row)
        assert "Date" in header and "Highlights" in header
        assert "Notes" not in header
        long_row = next(row for row in rows if "2025-03-01" in row)
        # the host is cut with "…"
        assert "www.a-very-long-news-host-name.example.com" not in long_row
        assert "…" in long_row.split("2025-03-01")[0]
        # the RTL title is cut at its logical end: the ellipsis is its leftmost visible cell
        title_cell = long_row[: widths[0]]
        assert title_cell.strip().startswith("…")
        assert title_cell.rstrip() == title_cell.rstrip()[: widths[0]]
        assert len(title_cell.rstrip()) == widths[0] - 1  # right-aligned in its cell


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("press", [[], ["enter"]], ids=["library", "article"])
async def test_footer_fits(app_factory: Factory, size: tuple[int, int], press: list[str]) -> None:
    """No footer key is cut at the right edge; Help is always shown."""
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await pilot.press(*press)
        await pilot.pause()
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        assert any(key.action == "help" for key in keys)
        footer = app.screen.query_one(FittingFooter)
        for key in keys:  # each key drawn in the footer's style, taking the cells it counted
            assert key.has_class("-compact") == footer.compact, key.description
            if not key.has_class("-command-palette"):  # docked right, margin of its own
                margin = key.styles.margin.right
                assert key.region.width + margin == key_cells(key, compact=footer.compact)
        for key in keys:
            region = key.region
            assert region.width > 0 and region.right <= size[0], key.description
        bottom = screen_lines(app)[-1]
        assert "? Help" in bottom or "?Help" in bottom.replace(" ", "")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_article_margins_and_pane(app_factory: Factory, size: tuple[int, int]) -> None:
    """The article keeps margins; with the pane open it keeps at least 50 columns."""
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        rows = screen_lines(app)
        body = [row for row in rows[view.region.y : view.region.bottom] if row.strip()]
        assert body
        assert all(row[:2] == "  " for row in body)
        await pilot.press("i")
        await pilot.pause()
        pane = app.screen.query_one(SidePane)
        assert pane.display and pane.region.width > 0
        assert view.region.width >= 50
        assert pane.region.right == size[0]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_snapshot_library(
    snap_compare: SnapCompare, long_app: Factory, size: tuple[int, int]
) -> None:
    assert snap_compare(long_app(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_snapshot_article(
    snap_compare: SnapCompare, app_factory: Factory, size: tuple[int, int]
) -> None:
    assert snap_compare(app_factory(), press=["enter"], terminal_size=size)


async def _open_pane(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("i")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_snapshot_article_pane(
    snap_compare: SnapCompare, app_factory: Factory, size: tuple[int, int]
) -> None:
    assert snap_compare(app_factory(), terminal_size=size, run_before=_open_pane)

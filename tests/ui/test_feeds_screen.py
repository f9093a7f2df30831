"""Feeds in the app: the feeds screen lists subscriptions with unread counts, last
refresh and last error; `a` subscribes (a site's page will do), `D` unsubscribes, `r`/`R`
refresh one or all in the background with progress, Enter lists a feed's articles, and a
refresh interval refreshes while the app runs. Every feed is served by a loopback server."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from helpers.apps import make_app
from helpers.arabic import type_text
from helpers.loopback import QuietHandler, Serve
from helpers.told import Told
from helpers.waits import feeds_refresh_reaches, search_palette, settle
from textual.pilot import Pilot
from textual.widgets import DataTable, ProgressBar, Static

from reader.ingest.library import add_feed
from reader.ingest.teaser import AUTO_FULL_TEXT_SETTING
from reader.models import Article, Block, Feed
from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.feed_refresh import INTERVAL_SETTING
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.feeds import AddFeedScreen, FeedsScreen, RemoveFeedScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.library import LibraryScreen
from reader.ui.widgets.shaped_text import ShapedText

Factory = Callable[..., ReaderApp]
SIZE = (110, 30)
RSS = {"Content-Type": "application/rss+xml"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
NEWS, SPORT = "أخبار محلية", "الرياضة اليوم"


def rss(title: str, items: list[tuple[str, str]]) -> bytes:
    """An RSS 2.0 document titled `title` with (guid, item title) items."""
    body = "".join(
        f"<item><title>{name}</title><link>https://example.com/{guid}</link><guid>{guid}</guid>"
        f"<description>نص الخبر: {name}.</description></item>"
        for guid, name in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.com/</link>{body}</channel></rss>"
    ).encode()


def home_page() -> bytes:
    """A site's home page that links its feed."""
    return (
        "<!doctype html><html lang='ar'><head><meta charset='utf-8'><title>الموقع</title>"
        '<link rel="alternate" type="application/rss+xml" href="/news.rss">'
        "</head><body><p>أهلا بكم.</p></body></html>"
    ).encode()


@dataclass
class Site:
    """What the loopback server serves: path -> (status, body, headers); `held` paths wait
    for `release` before answering."""

    routes: dict[str, tuple[int, bytes, dict[str, str]]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    held: set[str] = field(default_factory=set)
    release: threading.Event = field(default_factory=threading.Event)
    base: str = ""


class _Handler(QuietHandler):
    site: Site

    def do_GET(self) -> None:
        self.site.hits[self.path] += 1
        if self.path in self.site.held:
            self.site.release.wait(10)
        status, body, headers = self.site.routes.get(self.path, (404, b"missing", {}))
        self.reply(status, body, headers)


@pytest.fixture
def site(serve: Serve) -> Site:
    state = Site()
    state.base = serve(type("Handler", (_Handler,), {"site": state}))
    state.routes["/"] = (200, home_page(), HTML)
    state.routes["/news.rss"] = (200, rss(NEWS, [("n1", "الخبر الأول")]), RSS)
    state.routes["/sport.rss"] = (200, rss(SPORT, [("s1", "مباراة الأمس")]), RSS)
    return state


def subscribe(db_path: Path, *urls: str) -> None:
    """Subscribe before the app starts, through the service `reader feed add` uses. (The
    entries link to example.com: opening one must not fetch its full text.)"""
    with Store.open(db_path) as store:
        store.set_setting(AUTO_FULL_TEXT_SETTING, False)
        for url in urls:
            add_feed(store, url)


def feed_rows(app: ReaderApp) -> list[list[str]]:
    table = app.screen.query_one("#feeds", DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


def article_titles(db_path: Path) -> set[str]:
    with Store.open(db_path) as store:
        return {summary.title for summary in store.list_articles()}


def visible_titles(app: ReaderApp) -> list[str]:
    """The library rows' titles, in logical order again (the cells are shaped for the screen)."""
    with_ids = {s.id: s.title for s in app.store.list_articles()}
    table = app.screen.query_one("#articles", DataTable)
    return [with_ids[str(key.value)] for key in table.rows]


async def open_feeds(pilot: Pilot[Any]) -> FeedsScreen:
    await pilot.press("f")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FeedsScreen)
    return screen


async def test_a_subscribes_from_a_sites_page(
    app_factory: Factory, db_path: Path, site: Site, told: Told
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        screen = await open_feeds(pilot)
        assert feed_rows(app) == []
        detail = screen.query_one("#feed-detail", ShapedText).text
        assert detail.startswith("No feeds yet")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddFeedScreen)
        await type_text(pilot, f"{site.base}/")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        page, feed = f"{site.base}/", f"{site.base}/news.rss"
        assert told.messages[-1] == (
            f"{page} is a web page; subscribed to the feed it links, {NEWS} ({feed}). "
            "1 new article."
        )
        [row] = feed_rows(app)
        assert row[1:3] == ["1", "just now"]
        assert screen.query_one("#feed-detail", ShapedText).text == feed
    assert "الخبر الأول" in article_titles(db_path)
    with Store.open(db_path) as store:
        assert [f.url for f in store.list_feeds()] == [feed]


async def test_a_page_without_a_feed_is_one_sentence(
    app_factory: Factory, db_path: Path, site: Site, told: Told
) -> None:
    site.routes["/"] = (200, b"<!doctype html><html><body><p>nothing</p></body></html>", HTML)
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await open_feeds(pilot)
        await pilot.press("a")
        await type_text(pilot, f"{site.base}/")
        await pilot.press("enter")
        await settle(pilot)
        assert told.messages[-1] == (
            f"{site.base}/ is a web page with no RSS or Atom feed link; nothing was saved."
        )
        assert feed_rows(app) == []


async def test_refresh_all_shows_progress_and_never_blocks_reading(
    app_factory: Factory, db_path: Path, site: Site, told: Told
) -> None:
    news, sport = f"{site.base}/news.rss", f"{site.base}/sport.rss"
    subscribe(db_path, news, sport)
    site.routes["/news.rss"] = (200, rss(NEWS, [("n2", "الخبر الثاني"), ("n1", "الأول")]), RSS)
    site.routes["/sport.rss"] = (200, rss(SPORT, [("s2", "هدف"), ("s3", "فوز"), ("s1", "")]), RSS)
    site.held.add("/sport.rss")  # the sport feed answers only when the test says so
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        screen = await open_feeds(pilot)
        await pilot.press("R")
        # The news feed answers at once; sport is held.
        await feeds_refresh_reaches(pilot, lambda state: state.done == 1)
        status = str(screen.query_one("#feeds-status", Static).render())
        assert status == "Refreshing: 1/2 feeds"
        bar = screen.query_one("#feeds-progress", ProgressBar)
        assert (bar.progress, bar.total) == (1, 2)
        assert screen.query_one("#feeds-progress-row").display
        # Meanwhile the reader goes on reading: back to the library, open an article.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert app.feeds_refresh.running
        site.release.set()
        await settle(pilot)
        assert not app.feeds_refresh.running
        assert told.messages[-1] == "3 new articles from 2 feeds."
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert {"الخبر الثاني", "هدف", "فوز"} <= set(visible_titles(app))
    assert {"الخبر الثاني", "هدف", "فوز"} <= article_titles(db_path)


async def test_the_library_title_shows_refresh_progress_and_failures_come_one_a_line(
    app_factory: Factory, db_path: Path, site: Site, told: Told
) -> None:
    site.routes["/dead.rss"] = (200, rss("موقع متوقف", [("d1", "قديم")]), RSS)
    site.routes["/gone.rss"] = (200, rss("Gone Daily", [("g1", "old")]), RSS)
    feeds = [f"{site.base}/{name}.rss" for name in ("news", "sport", "dead", "gone")]
    subscribe(db_path, *feeds)
    del site.routes["/dead.rss"], site.routes["/gone.rss"]  # both sites went away: 404
    site.held.add("/sport.rss")
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("r")  # every feed, from the library
        # All but the held sport feed answer at once.
        await feeds_refresh_reaches(pilot, lambda state: state.done == 3)
        title = str(app.screen.query_one("#library-title", Static).render())
        assert "Refreshing 3/4 feeds" in title
        site.release.set()
        await settle(pilot)
        title = str(app.screen.query_one("#library-title", Static).render())
        assert "Refreshing" not in title
        lines = told.messages[-1].split("\n")
        assert (
            lines[0] == "No new articles (2 feeds checked); 2 failed (the feeds screen says why):"
        )
        assert sorted(lines[1:]) == sorted(["موقع متوقف", "Gone Daily"])


async def test_r_refreshes_the_selected_feed_only(
    app_factory: Factory, db_path: Path, site: Site, told: Told
) -> None:
    news, sport = f"{site.base}/news.rss", f"{site.base}/sport.rss"
    subscribe(db_path, news, sport)
    site.hits.clear()
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await open_feeds(pilot)
        table = app.screen.query_one("#feeds", DataTable)
        assert [key.value for key in table.rows] == [news, sport]  # by title: أ sorts before ا
        await pilot.press("down", "r")
        await settle(pilot)
        assert told.messages[-1] == "No new articles (1 feed checked)."
    assert site.hits == Counter({"/sport.rss": 1})  # the feed under the cursor, not news


async def test_a_dead_feed_shows_its_error(
    app_factory: Factory, db_path: Path, site: Site, told: Told
) -> None:
    news, sport = f"{site.base}/news.rss", f"{site.base}/sport.rss"
    subscribe(db_path, news, sport)
    del site.routes["/news.rss"]  # the news site took its feed down: 404
    site.routes["/sport.rss"] = (200, rss(SPORT, [("s2", "هدف"), ("s1", "")]), RSS)
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await pilot.press("r")  # from the library: every feed
        await settle(pilot)
        with Store.open(db_path) as store:
            error = store.get_feed(news).last_error  # type: ignore[union-attr]
            assert store.get_feed(sport).last_error == ""  # type: ignore[union-attr]
        assert "404" in error and error.endswith(".")
        assert told.messages[-1] == (
            f"1 new article from 1 feed; 1 failed: {NEWS}: {error.rstrip('.')}."
        )
        screen = await open_feeds(pilot)
        rows = {row[0].strip(): row for row in feed_rows(app)}
        assert len(rows) == 2
        table = screen.query_one("#feeds", DataTable)
        table.move_cursor(row=table.get_row_index(news))
        await pilot.pause()
        detail = screen.query_one("#feed-detail", ShapedText).text
        assert detail == f"{news}\nLast refresh failed: {error}"
        dead_row = feed_rows(app)[table.get_row_index(news)]
        assert error.startswith(f"{news} answered 404")
        assert dead_row[3].strip() == "Answered 404 Not Found."  # its URL is on the line below
        # The site comes back: the next refresh clears the error.
        site.routes["/news.rss"] = (200, rss(NEWS, [("n1", "الخبر الأول")]), RSS)
        await pilot.press("r")
        await settle(pilot)
        assert feed_rows(app)[table.get_row_index(news)][3].strip() == ""
        assert "Last refresh failed" not in screen.query_one("#feed-detail", ShapedText).text


async def test_enter_lists_the_feeds_articles_and_escape_goes_back(
    app_factory: Factory, db_path: Path, site: Site
) -> None:
    news, sport = f"{site.base}/news.rss", f"{site.base}/sport.rss"
    subscribe(db_path, news, sport)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(visible_titles(app)) == 5  # three articles and one from each feed
        feeds = await open_feeds(pilot)
        table = feeds.query_one("#feeds", DataTable)
        table.move_cursor(row=table.get_row_index(news))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert visible_titles(app) == ["الخبر الأول"]
        title = str(app.screen.query_one("#library-title", Static).render())
        assert title.endswith("— 1 article, 1 unread")
        await pilot.press("enter")  # open it, and come back to the feed's list
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert visible_titles(app) == ["الخبر الأول"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is feeds
        assert feed_rows(app)[table.get_row_index(news)][1].strip() == "0"  # read now
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert len(visible_titles(app)) == 5


async def test_D_asks_then_unsubscribes_and_keeps_the_articles(
    app_factory: Factory, db_path: Path, site: Site, told: Told
) -> None:
    news = f"{site.base}/news.rss"
    subscribe(db_path, news)
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await open_feeds(pilot)
        await pilot.press("D")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RemoveFeedScreen)
        asked = dialog.query_one(ShapedText).text
        assert asked == f"Unsubscribe from {NEWS}?\nIts 1 article stays in the library."
        await pilot.press("n")  # keeps it
        await pilot.pause()
        assert len(feed_rows(app)) == 1
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert feed_rows(app) == []
        assert told.messages[-1] == f"Unsubscribed from {NEWS}; its articles stay in the library."
    with Store.open(db_path) as store:
        assert store.list_feeds() == []
    assert "الخبر الأول" in article_titles(db_path)


async def test_the_interval_refresh_brings_new_entries(
    app_factory: Factory, db_path: Path, site: Site, told: Told
) -> None:
    news = f"{site.base}/news.rss"
    subscribe(db_path, news)
    with Store.open(db_path) as store:
        store.set_setting(INTERVAL_SETTING, 0.3)
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        assert "خبر عاجل" not in visible_titles(app)
        # News breaks while the app is open; nobody presses a key.
        site.routes["/news.rss"] = (200, rss(NEWS, [("n2", "خبر عاجل"), ("n1", "الأول")]), RSS)
        runs = app.feeds_refresh.runs
        # A refresh that started after the news broke has ended.
        await feeds_refresh_reaches(pilot, lambda state: state.runs >= runs + 2)
        await settle(pilot)
        assert app.feeds_refresh.runs >= runs + 2
        assert isinstance(app.screen, LibraryScreen)
        assert "خبر عاجل" in visible_titles(app)  # the library reloaded by itself
        assert "1 new article from 1 feed." in told.messages
        assert site.hits["/news.rss"] >= 3  # the add, then the interval's refreshes


async def test_the_interval_is_off_by_default_and_set_from_the_screen_and_palette(
    app_factory: Factory, db_path: Path, site: Site
) -> None:
    subscribe(db_path, f"{site.base}/news.rss")
    site.hits.clear()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert site.hits == Counter()  # nothing refreshes by itself
        screen = await open_feeds(pilot)
        title = str(screen.query_one("#feeds-title", Static).render())
        assert title.endswith("background refresh off")
        await pilot.press("i")
        await settle(pilot)
        assert str(screen.query_one("#feeds-title", Static).render()).endswith(
            "background refresh every 15 min"
        )
        await search_palette(pilot, "feed refresh 6")
        await pilot.press("enter")
        await settle(pilot)
        assert app.refresh_interval == 6 * 3600
    with Store.open(db_path) as store:
        assert store.get_setting(INTERVAL_SETTING) == 6 * 3600


async def test_help_lists_the_feeds_keys(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        await open_feeds(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows
        listed = {(description, binding_id) for _, _, description, binding_id in rows}
        for binding in FeedsScreen.BINDINGS:
            assert (binding.description, binding.id) in listed  # type: ignore[union-attr]
        assert {section for section, _, _, _ in rows} >= {"Library", "Feeds"}


# --- snapshots -------------------------------------------------------------------------------

SNAPSHOT_FEEDS = [
    Feed(
        url="https://aljazeera.example/ar/rss.xml",
        title="الجزيرة نت - آخر الأخبار",
        last_checked="2025-02-11T08:30:00+00:00",
        last_error="https://aljazeera.example/ar/rss.xml answered 503 Service Unavailable.",
    ),
    Feed(
        url="https://tech.example.org/feed",
        title="أخبار التقنية والعلوم من مصادر عربية وعالمية متعددة",
        last_checked="2025-02-10T21:05:00+00:00",
        folder="تقنية",
    ),
    Feed(url="https://news.example.com/world.atom", title="World News", last_checked=""),
]


@pytest.fixture
def feeds_db(db_path: Path) -> Path:
    """The fixed library plus three subscriptions (Arabic titles, one failing) and articles."""
    with Store.open(db_path) as store:
        for feed in SNAPSHOT_FEEDS:
            store.put_feed(feed)
        for number in range(4):
            store.put_article(
                Article(
                    id=f"feedarticle{number:06d}",
                    title=f"خبر رقم {number + 1}",
                    source=f"https://aljazeera.example/ar/news/{number}",
                    blocks=[Block("paragraph", "نص الخبر.")],
                    added="2025-02-11T08:30:00",
                    feed_url=SNAPSHOT_FEEDS[number % 2].url,
                    read_at="2025-02-11T09:00:00" if number == 3 else "",
                )
            )
    return db_path


async def _feeds_screen(pilot: Pilot[None]) -> None:
    await pilot.press("f")
    await settle(pilot)


@pytest.mark.parametrize("size", [(130, 45), (80, 24)], ids=["130x45", "80x24"])
def test_snapshot_feeds(
    snap_compare: Callable[..., bool], feeds_db: Path, size: tuple[int, int]
) -> None:
    app = make_app(feeds_db, seed=False)
    assert snap_compare(app, terminal_size=size, run_before=_feeds_screen)

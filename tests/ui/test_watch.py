"""The app notices changes made by another process: `reader add` while the library
is open adds its row (the cursor stays on its article), `reader import` while an article is
open shows the imported highlight and note, an open article whose text `reader add` or
`reader fulltext` changed shows the new text at the same passage with its highlights moved, and
the feeds screen follows `reader feed remove` and `reader feed add`. Real subprocesses on the
same database; the app's timer (`READER_WATCH_SECONDS`, short here) looks for the changes in the
first test; the others run what a tick runs (`check_for_changes`) at once instead of waiting
for ticks."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from helpers.apps import make_app
from helpers.loopback import QuietHandler, Serve
from helpers.told import Told
from helpers.waits import settle
from textual.pilot import Pilot
from textual.widgets import DataTable

from reader.ingest.library import add_feed
from reader.ingest.teaser import AUTO_FULL_TEXT_SETTING
from reader.models import now_iso
from reader.notes.anchors import make_annotation
from reader.notes.webanno import collection_json
from reader.store.database import Store
from reader.ui.app import WATCH_ENV, ReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.feeds import FeedsScreen
from reader.ui.screens.library import LibraryScreen
from reader.ui.widgets.highlight_view import ReadingView
from reader.ui.widgets.notes_pane import NotesPane

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "articles" / "arabic_front_matter.txt"
SIZE = (110, 32)
TICK = 0.2


@pytest.fixture(autouse=True)
def _fast_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WATCH_ENV, str(TICK))


def reader(db: Path, *args: str) -> None:
    """Run `reader ARGS` as another process on the database."""
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


async def ticks(pilot: Pilot[Any], count: int = 5) -> None:
    """Let the app's watch timer fire a few times and the screens act on it."""
    await pilot.pause(TICK * count)
    await pilot.pause()


async def checked(pilot: Pilot[Any]) -> None:
    """What the watch timer does on a tick, at once (the timer itself is the first test's):
    the screen on show looks for changes (a message it handles on the UI thread) and shows
    them. Workers are not waited for: one test holds this app's own fetch meanwhile."""
    app = pilot.app
    assert isinstance(app, ReaderApp)
    app.check_for_changes()
    await pilot.pause()
    await pilot.pause()


def row_ids(pilot: Pilot[Any]) -> list[str]:
    return [str(key.value) for key in pilot.app.screen.query_one(DataTable).rows]


async def test_an_article_added_by_another_process_appears(db_path: Path) -> None:
    app = make_app(db_path, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        before = row_ids(pilot)
        assert len(before) == 3
        await pilot.press("down")  # the cursor on the second article
        await pilot.pause()
        chosen = app.screen.selected_id()
        reader(db_path, "add", str(FIXTURE))
        await ticks(pilot)
        after = row_ids(pilot)
        assert len(after) == 4 and set(before) < set(after)
        assert app.screen.selected_id() == chosen, "the cursor stays on the same article"
        assert "4 articles" in str(app.screen.query_one("#library-title").render())


async def test_a_highlight_imported_by_another_process_shows_in_the_open_article(
    db_path: Path, tmp_path: Path
) -> None:
    with Store.open(db_path) as store:
        article = store.get_article("english0000000001")
    assert article is not None
    start = article.text.index("Oil rose")
    made = make_annotation(article, start, start + len("Oil rose slightly"), note="Imported note")
    exported = tmp_path / "notes.json"
    exported.write_text(
        json.dumps(collection_json([(article, [made])], exported_at=now_iso())), "utf-8"
    )
    app = make_app(db_path, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_article(article.id)
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        view = app.screen.query_one(ReadingView)
        await pilot.press("i", "i")  # the side pane's Notes tab
        await pilot.pause()
        assert view.annotations == []
        top = view.scroll_y
        reader(db_path, "import", str(exported))
        await checked(pilot)
        assert [a.note for a in view.annotations] == ["Imported note"]
        assert (start, start + len("Oil rose slightly")) in {
            (begin, end) for begin, end, _style in view.highlight_marks()
        }
        notes = app.screen.query_one(NotesPane)
        assert [a.note for a in notes.annotations] == ["Imported note"]
        assert view.scroll_y == top


PARAGRAPHS = [
    f"الفقرة رقم {n}: قال المتحدث إن العمل في المشروع يسير وفق الخطة المرسومة منذ العام الماضي "
    f"وإن المرحلة {n} ستنتهي قريبا بعد مراجعة التقارير الفنية كلها."
    for n in range(1, 61)
]


async def test_an_open_article_changed_by_another_process_shows_the_new_text_in_place(
    db_path: Path, tmp_path: Path
) -> None:
    story = tmp_path / "story.txt"
    story.write_text("تقرير المشروع\n\n" + "\n\n".join(PARAGRAPHS) + "\n", "utf-8")
    reader(db_path, "add", str(story))
    with Store.open(db_path) as store:
        (summary,) = [s for s in store.list_articles() if s.source.endswith("story.txt")]
        article = store.get_article(summary.id)
        assert article is not None
        at = article.text.index(PARAGRAPHS[40])
        store.add_annotation(make_annotation(article, at, at + len("الفقرة رقم 41")))
    app = make_app(db_path, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the newest article: the story
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArticleScreen) and screen.article.id == summary.id
        view = screen.query_one(ReadingView)
        await pilot.press("pagedown", "pagedown", "pagedown")
        await checked(pilot)
        old_text = screen.article.text
        top = view.top_offset()
        assert top > 0
        passage = old_text[top : top + 30]
        # Another process: the file gained two paragraphs at the top and was added again.
        story.write_text(
            "تقرير المشروع\n\nتمهيد جديد للتقرير.\n\nملخص جديد للتقرير.\n\n"
            + "\n\n".join(PARAGRAPHS)
            + "\n",
            "utf-8",
        )
        reader(db_path, "add", str(story))
        await checked(pilot)
        assert app.screen is screen
        assert "تمهيد جديد للتقرير" in screen.article.text
        new_top = view.top_offset()
        assert new_top > top  # carried past the new paragraphs
        assert screen.article.text[new_top : new_top + 30] == passage
        (highlight,) = view.annotations
        text = screen.article.text
        assert text[highlight.start : highlight.end] == "الفقرة رقم 41"


TEASER = "انقطعت الكهرباء عن المدينة صباح اليوم."
MORE = "وقال المتحدث إن فرق الصيانة تعمل على إصلاح العطل في محطة التوليد الرئيسية خلال ساعات."


def _news_site(serve: Serve, hold_first: threading.Event | None = None) -> str:
    """A feed with one teaser entry and the page it links, on a loopback server; with
    `hold_first`, the first asking for the page waits until it is set."""
    base = ""
    asked: list[str] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            asked.append(path)
            if hold_first is not None and path == "/story" and asked.count("/story") == 1:
                hold_first.wait(20)
            if path == "/feed.xml":
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                    f"<title>أخبار المدينة</title><link>{base}/</link><item><title>انقطاع</title>"
                    f"<link>{base}/story</link><guid>{base}/story</guid>"
                    f"<description>{TEASER}</description></item></channel></rss>"
                )
                self.reply(200, body.encode(), {"Content-Type": "application/rss+xml"})
            elif path == "/story":
                page = (
                    "<html lang='ar'><head><title>انقطاع</title></head><body><article>"
                    f"<h1>انقطاع</h1><p>{TEASER} {MORE}</p><p>{MORE}</p></article></body></html>"
                )
                self.reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
            else:
                self.reply(404, b"missing")

    base = serve(Handler)
    return base


async def test_reader_fulltext_in_another_process_shows_in_the_open_article(
    db_path: Path, serve: Serve
) -> None:
    base = _news_site(serve)
    with Store.open(db_path) as store:
        store.set_setting(AUTO_FULL_TEXT_SETTING, False)  # the other process fetches it
        add_feed(store, f"{base}/feed.xml")
        (summary,) = [s for s in store.list_articles() if s.feed_url]
        article = store.get_article(summary.id)
        assert article is not None and article.text == TEASER
        at = TEASER.index("المدينة")
        store.add_annotation(make_annotation(article, at, at + len("المدينة")))
    app = make_app(db_path, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArticleScreen) and screen.article.text == TEASER
        reader(db_path, "fulltext", summary.id)
        await checked(pilot)
        assert "محطة التوليد" in screen.article.text
        (highlight,) = screen.query_one(ReadingView).annotations
        assert screen.article.text[highlight.start : highlight.end] == "المدينة"


async def test_the_feeds_screen_follows_feeds_removed_by_another_process(
    db_path: Path, serve: Serve
) -> None:
    base = _news_site(serve)
    feed = f"{base}/feed.xml"
    with Store.open(db_path) as store:
        add_feed(store, feed)
    app = make_app(db_path, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FeedsScreen)
        table = app.screen.query_one("#feeds", DataTable)
        assert [key.value for key in table.rows] == [feed]
        reader(db_path, "feed", "remove", feed)
        await checked(pilot)
        assert table.row_count == 0
        reader(db_path, "feed", "add", feed)
        await checked(pilot)
        assert [key.value for key in table.rows] == [feed]


async def test_a_change_elsewhere_while_this_app_fetches_the_full_text_waits_for_it(
    db_path: Path, serve: Serve, told: Told
) -> None:
    release = threading.Event()
    base = _news_site(serve, hold_first=release)
    with Store.open(db_path) as store:
        store.set_setting(AUTO_FULL_TEXT_SETTING, False)
        add_feed(store, f"{base}/feed.xml")
        (summary,) = [s for s in store.list_articles() if s.feed_url]
    app = make_app(db_path, seed=False)
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArticleScreen) and screen.article.text == TEASER
        await pilot.press("F")  # this app's fetch: its page request is held
        await pilot.pause()
        reader(db_path, "fulltext", summary.id)  # another process saves the full text
        await checked(pilot)
        assert screen.article.text == TEASER  # left to this app's own fetch
        release.set()
        await settle(pilot)  # this app's fetch ends
        await checked(pilot)
        assert "محطة التوليد" in screen.article.text
        said = [m for m in told.messages if m != "Fetching the full article..."]
        assert len(said) == 1 and said[0].startswith("Fetched the full article")

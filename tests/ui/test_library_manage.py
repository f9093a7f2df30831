"""The library managed from the app: `a` adds a path or URL from a dialog (a worker,
the same service as `reader add`), `D` deletes (asking first when the article has notes), `x`
archives, `z` undoes either, `X` shows the archived articles. Real store on disk, a loopback
server for the URL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from helpers.arabic import type_text
from helpers.loopback import QuietHandler, Serve
from helpers.told import Told
from helpers.waits import settle
from textual.widgets import DataTable, Input, Static

from reader.notes.anchors import make_annotation
from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.screens.add import AddScreen, ConfirmDeleteScreen, SubscribeScreen
from reader.ui.screens.library import LibraryScreen

Factory = Callable[..., ReaderApp]
SIZE = (110, 30)
PAGE_TITLE = "محطة الطاقة الشمسية"
PARAGRAPH = (
    "أعلنت وزارة الطاقة اليوم عن افتتاح أكبر محطة للطاقة الشمسية في المنطقة، "
    "وقالت إن المحطة ستزود أكثر من مئة ألف منزل بالكهرباء النظيفة خلال العام المقبل."
)


def row_ids(app: ReaderApp) -> list[str]:
    return [str(key.value) for key in app.screen.query_one(DataTable).rows]


def title_line(app: ReaderApp) -> str:
    return str(app.screen.query_one("#library-title", Static).render())


def on_disk(db_path: Path) -> tuple[set[str], set[str], dict[str, list[str]]]:
    """(listed ids, archived ids, notes by article) as another process sees the database."""
    with Store.open(db_path) as store:
        summaries = store.list_articles()
        notes = {s.id: [a.note for a in store.annotations_for(s.id)] for s in summaries}
        return {s.id for s in summaries}, {s.id for s in summaries if s.archived}, notes


def annotate_first(db_path: Path) -> str:
    """Two highlights on the newest article (the first row), one with a note; its id."""
    with Store.open(db_path) as store:
        first = store.list_articles()[0]
        article = store.get_article(first.id)
        assert article is not None
        store.add_annotation(make_annotation(article, 0, 5, note="ملاحظة مهمة"))
        store.add_annotation(make_annotation(article, 10, 15))
        return first.id


async def test_add_a_url_from_the_dialog(
    app_factory: Factory, db_path: Path, serve: Serve, told: Told
) -> None:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] != "/story":
                self.reply(404, b"missing")
                return
            body = (
                f"<html lang='ar'><head><title>{PAGE_TITLE}</title></head><body><article>"
                f"<h1>{PAGE_TITLE}</h1><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></article></body></html>"
            )
            self.reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})

    base = serve(Handler)
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        assert len(row_ids(app)) == 3
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddScreen)
        await type_text(pilot, f"{base}/story")
        assert app.screen.query_one("#add-target", Input).value == f"{base}/story"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert len(row_ids(app)) == 4
        assert "4 articles" in title_line(app)
        assert f"Added '{PAGE_TITLE}'." in told.messages
        listed, _archived, _notes = on_disk(db_path)
        assert set(row_ids(app)) == listed

        # A page that is not there: one sentence, nothing added, the app goes on.
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, f"{base}/gone")
        await pilot.press("enter")
        await settle(pilot)
        assert len(row_ids(app)) == 4
        error = told.messages[-1]
        assert "404" in error and error.endswith(".") and "\n" not in error

        # The same page again under a tracking parameter: already in the library.
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, f"{base}/story?utm_source=app")
        await pilot.press("enter")
        await settle(pilot)
        assert len(row_ids(app)) == 4
        assert f"already in the library as '{PAGE_TITLE}'" in told.messages[-1]


async def test_add_dialog_escape_adds_nothing(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "x")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert len(row_ids(app)) == 3


async def test_delete_with_notes_asks_and_undo_restores_them(
    app_factory: Factory, db_path: Path, told: Told
) -> None:
    noted = annotate_first(db_path)
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        assert row_ids(app)[0] == noted
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDeleteScreen)
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert "2 highlights and 1 note" in question
        await pilot.press("escape")  # keep it
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert noted in on_disk(db_path)[0]

        await pilot.press("D")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert noted not in row_ids(app)
        listed, _archived, notes = on_disk(db_path)
        assert noted not in listed
        with Store.open(db_path) as store:
            assert store.annotations_for(noted) == []
        assert any("and its 2 highlights; z undoes it" in m for m in told.messages)

        await pilot.press("z")
        await settle(pilot)
        assert row_ids(app)[0] == noted
        listed, _archived, notes = on_disk(db_path)
        assert noted in listed
        assert sorted(notes[noted]) == ["", "ملاحظة مهمة"]
        assert any(m.startswith("Restored") for m in told.messages)


async def test_delete_key_without_notes_deletes_at_once(
    app_factory: Factory, db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = row_ids(app)[0]
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert first not in row_ids(app) and len(row_ids(app)) == 2
        assert first not in on_disk(db_path)[0]
        await pilot.press("z")
        await settle(pilot)
        assert row_ids(app)[0] == first


async def test_archive_hides_x_shows_and_undo(
    app_factory: Factory, db_path: Path, told: Told
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        first = row_ids(app)[0]
        await pilot.press("x")
        await settle(pilot)
        assert first not in row_ids(app) and len(row_ids(app)) == 2
        assert "2 articles" in title_line(app)
        assert on_disk(db_path)[1] == {first}
        assert "X shows archived articles" in told.messages[-1]

        await pilot.press("X")
        await settle(pilot)
        assert row_ids(app) == [first]
        assert title_line(app).startswith("Archived articles — 1 article")

        await pilot.press("x")  # in the archive view: unarchive
        await settle(pilot)
        assert row_ids(app) == []
        assert on_disk(db_path)[1] == set()

        await pilot.press("z")  # undo the unarchive: archived again
        await settle(pilot)
        assert row_ids(app) == [first]
        assert on_disk(db_path)[1] == {first}

        await pilot.press("X")
        await settle(pilot)
        assert len(row_ids(app)) == 2 and first not in row_ids(app)
        await pilot.press("z")  # undo the archive
        await settle(pilot)
        assert row_ids(app)[0] == first
        assert on_disk(db_path)[1] == set()
        await pilot.press("z")
        await settle(pilot)
        assert told.messages[-1].startswith("Nothing to undo")


async def test_a_slow_fetch_shows_progress_and_never_blocks_the_list(
    app_factory: Factory, db_path: Path, serve: Serve, told: Told
) -> None:
    release = threading.Event()

    class Slow(QuietHandler):
        def do_GET(self) -> None:
            release.wait(20)  # held until the test has looked at the screen
            body = (
                f"<html lang='ar'><head><title>{PAGE_TITLE}</title></head><body><article>"
                f"<h1>{PAGE_TITLE}</h1><p>{PARAGRAPH}</p></article></body></html>"
            )
            self.reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})

    base = serve(Slow)
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, f"{base}/slow")
        await pilot.press("enter")
        await pilot.pause(1.2)
        assert isinstance(app.screen, LibraryScreen)
        line = title_line(app)
        assert f"adding {base}/slow (1 s)…" in line, line
        table = app.screen.query_one(DataTable)
        await pilot.press("j")  # the list answers keys while the page is fetched
        assert table.cursor_row == 1
        release.set()
        await settle(pilot)
        assert "adding" not in title_line(app)
        assert len(row_ids(app)) == 4
        assert f"Added '{PAGE_TITLE}'." in told.messages


async def test_next_article_skips_archived_ones(app_factory: Factory, db_path: Path) -> None:
    with Store.open(db_path) as store:
        seed, english, arabic = (s.id for s in store.list_articles())
        store.set_archived([english])
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert row_ids(app) == [seed, arabic]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.screen.article.id == arabic


def _feed_site(serve: Serve) -> str:
    """A site with a home page linking its RSS feed of two Arabic entries."""
    base = ""

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/news.rss":
                items = "".join(
                    f"<item><title>{title}</title><link>{base}/{guid}</link><guid>{guid}</guid>"
                    f"<description>{PARAGRAPH}</description></item>"
                    for guid, title in (("n1", "خبر الطاقة"), ("n2", "خبر المياه"))
                )
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                    f"<title>أخبار الطاقة</title><link>{base}/</link>{items}</channel></rss>"
                )
                self.reply(200, body.encode(), {"Content-Type": "application/rss+xml"})
            elif path == "/":
                body = (
                    "<html lang='ar'><head><title>الموقع</title><link rel='alternate' "
                    "type='application/rss+xml' href='/news.rss'></head>"
                    "<body><p>أهلا بكم.</p></body></html>"
                )
                self.reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})
            else:
                self.reply(404, b"missing")

    base = serve(Handler)
    return base


async def _add(pilot: object, target: str) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("a")
    await pilot.pause()
    await type_text(pilot, target)
    await pilot.press("enter")
    await settle(pilot)


def _subscriptions(db_path: Path) -> list[str]:
    with Store.open(db_path) as store:
        return [feed.url for feed in store.list_feeds()]


async def test_adding_a_feed_url_asks_and_subscribes(
    app_factory: Factory, db_path: Path, serve: Serve, told: Told
) -> None:
    feed = f"{_feed_site(serve)}/news.rss"
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await _add(pilot, feed)
        assert isinstance(app.screen, SubscribeScreen)
        question = str(app.screen.query_one("#subscribe-question", Static).render())
        assert question.startswith("This address is a feed (2 entries added).")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert len(row_ids(app)) == 5
        assert told.messages == [  # the dialog asked: no "reader feed add" hint as well
            f"Added 2 articles from {feed}.",
            "Subscribed to أخبار الطاقة; r refreshes it, f lists your feeds.",
        ]
    assert _subscriptions(db_path) == [feed]


async def test_adding_a_feed_url_can_keep_only_its_entries(
    app_factory: Factory, db_path: Path, serve: Serve
) -> None:
    feed = f"{_feed_site(serve)}/news.rss"
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _add(pilot, feed)
        assert isinstance(app.screen, SubscribeScreen)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert len(row_ids(app)) == 5
    assert _subscriptions(db_path) == []


async def test_adding_a_home_page_offers_the_feed_it_links(
    app_factory: Factory, db_path: Path, serve: Serve, told: Told
) -> None:
    base = _feed_site(serve)
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await _add(pilot, f"{base}/")
        assert isinstance(app.screen, SubscribeScreen)
        question = str(app.screen.query_one("#subscribe-question", Static).render())
        assert f"it links this feed ({base}/news.rss)" in question
        await pilot.press("enter")  # the focused button: Subscribe
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert told.messages[-1].startswith(f"{base}/ is a web page; subscribed to the feed")
        assert told.messages[-1].endswith("2 new articles.")
        assert len(row_ids(app)) == 6  # the page itself, and the feed's two entries
    assert _subscriptions(db_path) == [f"{base}/news.rss"]

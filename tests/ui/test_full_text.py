"""Full text on the article screen: `F` on a feed entry that is only a teaser gets
the page its link serves, in a worker, with "Fetching the full article..." on screen; a
highlight on the teaser moves to the full text; a 404 is one sentence and the teaser stays.
Opening a short entry does the same by itself (setting `fulltext.auto`, on by default), once
per entry: a failure is said once and not tried again on the next open; with the setting off
nothing is fetched. Real store on disk, a loopback server for the feed and the page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers.loopback import QuietHandler, Serve
from helpers.told import Told
from helpers.waits import settle

from reader.ingest.library import add_targets
from reader.ingest.teaser import AUTO_FULL_TEXT_SETTING, FULL_TEXT_TRIED_SETTING
from reader.notes.anchors import make_annotation
from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.screens.article import ArticleScreen

Factory = Callable[..., ReaderApp]
SIZE = (110, 30)
TEASER = "انقطعت الكهرباء عن المدينة صباح اليوم."
MORE = (
    "وقال المتحدث باسم الشركة إن فرق الصيانة تعمل على إصلاح العطل في محطة التوليد الرئيسية "
    "وإعادة التيار خلال ساعات، وإن المستشفيات تعمل بالمولدات الاحتياطية."
)


def _site(serve: Serve, link: str, asked: list[str] | None = None) -> str:
    """The feed and the page on a loopback server; the paths asked for go to `asked`."""
    base = ""

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if asked is not None:
                asked.append(path)
            if path == "/feed.xml":
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                    f"<title>أخبار</title><link>{base}/</link><item><title>انقطاع الكهرباء</title>"
                    f"<link>{base}{link}</link><guid>{base}{link}</guid>"
                    f"<description>{TEASER}</description></item></channel></rss>"
                ).encode()
                self.reply(200, body, {"Content-Type": "application/rss+xml"})
            elif path == "/story":
                page = (
                    "<html lang='ar'><head><title>انقطاع الكهرباء</title></head><body><article>"
                    f"<h1>انقطاع الكهرباء</h1><p>{TEASER} {MORE}</p><p>{MORE}</p>"
                    "</article></body></html>"
                ).encode()
                self.reply(200, page, {"Content-Type": "text/html; charset=utf-8"})
            else:
                self.reply(404, b"missing")

    base = serve(Handler)
    return base


def _teaser_with_a_highlight(db_path: Path, base: str, *, auto: bool | None = False) -> str:
    """The feed's one entry in the library with a highlight; `auto` is the setting saved
    (None: none saved, the default applies)."""
    with Store.open(db_path) as store:
        (article,) = add_targets(store, [f"{base}/feed.xml"]).added
        start = article.text.index("المدينة")
        store.add_annotation(make_annotation(article, start, start + len("المدينة")))
        if auto is not None:
            store.set_setting(AUTO_FULL_TEXT_SETTING, auto)
        return article.id


async def test_f_fetches_the_full_article_and_the_highlight_moves(
    app_factory: Factory, db_path: Path, serve: Serve, told: Told
) -> None:
    article_id = _teaser_with_a_highlight(db_path, _site(serve, "/story"))
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the newest article: the feed entry
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ArticleScreen) and screen.article.id == article_id
        assert screen.article.text == TEASER
        await pilot.press("F")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert "Fetching the full article..." in told.messages
        assert "محطة التوليد" in screen.article.text
        assert "1 highlight placed on the full text" in told.messages[-1]
        (highlight,) = screen.view.annotations
        assert screen.article.text[highlight.start : highlight.end] == "المدينة"
    with Store.open(db_path) as store:
        saved = store.get_article(article_id)
        assert saved is not None and "محطة التوليد" in saved.text


async def test_f_on_a_missing_page_says_so_and_keeps_the_teaser(
    app_factory: Factory, db_path: Path, serve: Serve, told: Told
) -> None:
    _teaser_with_a_highlight(db_path, _site(serve, "/gone"))
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("F")
        await app.workers.wait_for_complete()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ArticleScreen) and screen.article.text == TEASER
        error = told.messages[-1]
        assert "404" in error and error.endswith(".") and "\n" not in error


async def test_opening_a_short_entry_fetches_its_full_article_once(
    app_factory: Factory, db_path: Path, serve: Serve, told: Told
) -> None:
    asked: list[str] = []
    article_id = _teaser_with_a_highlight(db_path, _site(serve, "/story", asked), auto=None)
    asked.clear()
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # no key: the entry has 6 words and a link
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ArticleScreen) and screen.article.id == article_id
        assert "محطة التوليد" in screen.article.text
        (said,) = [m for m in told.messages if "full article" in m]
        assert said.startswith("Fetched the full article (6 words before,")
        assert "1 highlight placed on the full text" in said
        (highlight,) = screen.view.annotations
        assert screen.article.text[highlight.start : highlight.end] == "المدينة"
        assert asked == ["/story"]
    with Store.open(db_path) as store:
        assert store.get_setting(FULL_TEXT_TRIED_SETTING) == [article_id]
        saved = store.get_article(article_id)
        assert saved is not None and "محطة التوليد" in saved.text


async def test_a_failed_fetch_on_opening_is_said_once_and_not_tried_again(
    app_factory: Factory, db_path: Path, serve: Serve, told: Told
) -> None:
    asked: list[str] = []
    _teaser_with_a_highlight(db_path, _site(serve, "/gone", asked), auto=None)
    asked.clear()
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ArticleScreen) and screen.article.text == TEASER
        (said,) = told.messages
        assert said.startswith("This entry is short, but its full article could not be fetched")
        assert "404" in said and said.endswith("F tries again.") and "\n" not in said
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")  # opened again: not fetched again, nothing said
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.text == TEASER
        assert asked == ["/gone"]
        assert len(told.messages) == 1
    app = app_factory()  # nor after a restart
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
    assert asked == ["/gone"]


async def test_with_the_setting_off_opening_fetches_nothing(
    app_factory: Factory, db_path: Path, serve: Serve, told: Told
) -> None:
    asked: list[str] = []
    _teaser_with_a_highlight(db_path, _site(serve, "/story", asked), auto=False)
    asked.clear()
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.text == TEASER
        assert asked == []
        assert told.messages == []


async def test_the_palette_turns_full_text_on_opening_off_and_it_is_remembered(
    app_factory: Factory, db_path: Path, serve: Serve
) -> None:
    _teaser_with_a_highlight(db_path, _site(serve, "/story"), auto=None)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.auto_full_text
        await pilot.press("ctrl+p")
        await pilot.press(*"full text on opening")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not app.auto_full_text
    with Store.open(db_path) as store:
        assert store.get_setting(AUTO_FULL_TEXT_SETTING) is False

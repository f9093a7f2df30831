"""The search screen: `s` in the library, an Arabic query typed in a shaped box,
results shaped with the matches marked, Enter opens the article at the match (marked, `n`
steps on), a hit in a note opens at its highlight, Escape goes back; the index follows what
the command line and other processes changed, at open and while the screen is open.

Real store on disk, real CLI in a subprocess where it says so; expected offsets come from the
texts the tests wrote, expected drawings from the reference reshaper (`helpers.arabic.visual`).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.arabic import letters_with_forms, type_text, visual
from helpers.waits import search_answered, search_palette, settle
from textual.pilot import Pilot
from textual.strip import Strip

from reader.models import Annotation, Article, Block
from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.screens import search as search_screen
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.library import LibraryScreen
from reader.ui.screens.search import ResultItem, SearchScreen
from reader.ui.widgets.marked_text import MarkedText

Factory = Callable[..., ReaderApp]
SIZE = (100, 30)
NOTE = "موعد الرحلة إلى جدة"


async def searched(pilot: Pilot[Any]) -> SearchScreen:
    """The screen, once the query typed is answered and listed."""
    return await search_answered(pilot)


async def open_search(pilot: Pilot[Any], query: str) -> SearchScreen:
    await pilot.pause()
    assert isinstance(pilot.app.screen, LibraryScreen)
    await pilot.press("s")
    await settle(pilot)
    await type_text(pilot, query)
    return await searched(pilot)


def marked_runs(strip: Strip) -> list[str]:
    """The texts a strip draws underlined (the marks)."""
    return [seg.text for seg in strip if seg.style is not None and seg.style.underline]


def items(screen: SearchScreen) -> list[ResultItem]:
    return list(screen.query(ResultItem))


def snippet_strip(item: ResultItem) -> tuple[Strip, int]:
    widget = item.query_one(".result-snippet", MarkedText)
    return widget.render_line(0), widget.content_size.width


def stored_text(db_path: Path, article_id: str) -> str:
    """An article's text as the fixture stored it."""
    with Store.open(db_path) as store:
        article = store.get_article(article_id)
    assert article is not None
    return article.text


async def test_an_arabic_query_lists_results_shaped_with_the_match_marked(
    app_factory: Factory, db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "رياض")  # finds الرياض: the article comes off
        assert [r.title for r in screen.results] == ["الطقس في الرياض"]
        (item,) = items(screen)
        strip, width = snippet_strip(item)
        drawn = strip.text
        body = stored_text(db_path, "arabic0000000002").replace("\n", " ")
        assert drawn.strip() == visual(body)  # the whole (short) text: both paragraphs
        assert not set(drawn) & letters_with_forms(), "logical Arabic letters drawn"
        assert marked_runs(strip) == [visual("الرياض")]
        assert len(drawn.rstrip()) == width, "a right-to-left snippet is right-aligned"
        title = item.query_one(".result-title", MarkedText).render_line(0)
        assert marked_runs(title) == [visual("الرياض")]
        assert title.text.strip() == visual("الطقس في الرياض")
        meta = item.query_one(".result-meta", MarkedText).render_line(0).text
        assert meta.strip() == "example.com · in the text"
        assert len(meta.rstrip()) == width


async def test_folding_and_every_word_like_the_command_line(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "رياح الاسبوع")  # ال off the front, hamza folded
        assert [r.article_id for r in screen.results] == ["arabic0000000002"]
        await type_text(pilot, " ماسك")  # every word needed: no article holds all three
        screen = await searched(pilot)
        assert screen.results == []
        assert "No article holds every word" in str(screen.query_one("#search-status").render())


async def test_enter_opens_the_article_at_the_match_marked(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, "يستبعد")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        text = screen.article.text
        start = text.index("يستبعد")
        assert text.find("يستبعد", start + 1) == -1
        assert start > len(text) // 2, "the word is far down: opening must scroll to it"
        view = screen.view
        end = start + len("يستبعد")
        assert view.marks("find") == [(start, end, "$reader-find")]
        assert view.marks("find-current") == [(start, end, "$reader-find-current")]
        first, last = view.visible_range()
        assert first <= start < last
        await pilot.press("escape")  # clears the marks first, as after a find
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        assert view.marks("find") == []
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)  # back to the results
        assert [r.title for r in app.screen.results] != []
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)


async def test_n_steps_through_the_matches_of_the_query(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, "مفاوضات")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        text = screen.article.text
        starts = [i for i in range(len(text)) if text.startswith("مفاوضات", i)]
        assert len(starts) == 2
        current = screen.view.marks("find-current")
        assert [span[0] for span in current] == [starts[0]]
        await pilot.press("n")
        await settle(pilot)
        assert [span[0] for span in screen.view.marks("find-current")] == [starts[1]]


@pytest.fixture
def noted(db_path: Path) -> Annotation:
    """A highlight on الرياح in the short Arabic article, with a note no article text holds."""
    with Store.open(db_path) as store:
        article = store.get_article("arabic0000000002")
        assert article is not None
        start = article.text.index("الرياح")
        annotation = Annotation(
            id="note-1",
            article_id=article.id,
            start=start,
            end=start + len("الرياح"),
            quote="الرياح",
            note=NOTE,
        )
        store.add_annotation(annotation)
    return annotation


async def test_a_hit_in_a_note_says_so_and_opens_at_its_highlight(
    app_factory: Factory, noted: Annotation
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "جده")  # taa marbuta folded
        (item,) = items(screen)
        meta = item.query_one(".result-meta", MarkedText).render_line(0).text
        assert meta.strip() == "example.com · in a note"
        strip, _ = snippet_strip(item)
        assert strip.text.strip() == visual(NOTE)
        assert marked_runs(strip) == [visual("جدة")]
        await pilot.press("enter")
        await settle(pilot)
        opened = app.screen
        assert isinstance(opened, ArticleScreen)
        assert opened.article.id == noted.article_id
        assert opened.view.cursor == noted.start
        assert opened.view.marks("find") == []  # the article itself does not say جدة


async def test_the_palette_searches_from_an_article(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        await search_palette(pilot, "search the library")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)


def _reader(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_what_the_command_line_did_while_the_app_was_closed_is_found(
    tmp_path: Path, db_path: Path, app_factory: Factory
) -> None:
    page = tmp_path / "news.txt"
    page.write_text("---\ntitle: خبر المساء\n---\nافتتح المتحف الوطني أبوابه.\n", "utf-8")
    assert _reader(db_path, "add", str(page)).returncode == 0
    assert _reader(db_path, "search", "متحف").returncode == 0  # the index knows it
    page.write_text("---\ntitle: خبر المساء\n---\nافتتحت المكتبة العامة أبوابها.\n", "utf-8")
    assert _reader(db_path, "add", str(page)).returncode == 0  # re-imported, changed
    with Store.open(db_path) as store:  # another process adds a note; no index update
        (summary,) = [s for s in store.list_articles() if s.title == "خبر المساء"]
        store.add_annotation(
            Annotation(
                id="n2", article_id=summary.id, start=0, end=5, quote="افتتح", note="زيارة قريبة"
            )
        )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "مكتبه")
        assert [r.title for r in screen.results] == ["خبر المساء"]
        await pilot.press(*["backspace"] * 5)
        await type_text(pilot, "متحف")
        screen = await searched(pilot)
        assert screen.results == []  # the old text is gone from the index
        await pilot.press(*["backspace"] * 4)
        await type_text(pilot, "قريبه")
        screen = await searched(pilot)
        assert [(r.title, r.where) for r in screen.results] == [("خبر المساء", "note")]


async def test_an_article_added_while_the_screen_is_open_is_found(
    db_path: Path, app_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_screen, "STAMP_CHECK", 0.0)  # check before every query
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "قطار")
        assert screen.results == []
        with Store.open(db_path) as other:  # as another process would
            other.put_article(
                Article(
                    id="train",
                    title="قطار الشمال",
                    source="/tmp/train.txt",
                    blocks=[Block("paragraph", "وصل.")],
                )
            )
        await type_text(pilot, " ")
        screen = await searched(pilot)
        assert [r.article_id for r in screen.results] == ["train"]

"""Pilot tests: the app keeps running when files in the database folder are damaged."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from helpers.told import Told
from textual.widgets import DataTable

from reader.models import Annotation
from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.library import LibraryScreen

SIZE = (100, 40)
Factory = Callable[..., ReaderApp]


def _body_file(db_path: Path, article_id: str) -> Path:
    folder = db_path.with_name(db_path.name + ".d")
    library = json.loads((folder / "library.json").read_text(encoding="utf-8"))
    return folder / "bodies" / f"{library['articles'][article_id]['body']}.json"


async def test_damaged_body_is_told_and_other_articles_still_open(
    app_factory: Factory, db_path: Path, told: Told
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        first = app.store.list_articles()[0]
        body = _body_file(db_path, first.id)
        body.write_bytes(b'[["paragraph","\xff\xfe')
        await pilot.press("enter")  # the newest article, whose text is now damaged
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        naming = [n for n in told.messages if str(body) in n]
        assert len(naming) == 1 and "damaged" in naming[0]
        assert naming[0].count(". ") == 0 and naming[0].endswith(".")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.article.id == app.store.list_articles()[1].id
        await pilot.press("escape")
        await pilot.pause()
        body.unlink()  # missing altogether
        app.screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert any("missing" in n and str(body) in n for n in told.messages)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_next_article_with_damaged_body_is_told_not_a_crash(
    app_factory: Factory, db_path: Path, told: Told
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        second = app.store.list_articles()[1]
        _body_file(db_path, second.id).write_bytes(b"")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        shown = screen.article.id
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.screen is screen and screen.article.id == shown
        assert any("damaged" in n and second.id in n for n in told.messages)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_damage_found_after_start_becomes_a_notification(
    app_factory: Factory, db_path: Path, told: Told
) -> None:
    with Store.open(db_path) as store:
        article_id = store.list_articles()[0].id
        store.add_annotation(
            Annotation(id="h1", article_id=article_id, start=0, end=3, quote="سام")
        )
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        shard = db_path.with_name(db_path.name + ".d") / "annotations" / f"{article_id}.json"
        shard.write_bytes(shard.read_bytes()[:-2])  # the record itself is whole
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        naming = [n for n in told.messages if str(shard) in n]
        assert len(naming) == 1 and "moved aside" in naming[0], told.messages
        assert [a.id for a in app.store.annotations_for(article_id)] == ["h1"]
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0

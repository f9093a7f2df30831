"""The app indexes the library's entities in the background: an existing
library on first start, with progress in the library's title line, and an article added
while the app runs soon after it arrives. A real database on disk; the test waits for the
app's `entity_indexing` reactive to change (the indexing runs on its own thread)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from helpers.apps import make_app
from helpers.waits import entities_listed
from textual.pilot import Pilot
from textual.widgets import DataTable, ListView, Static

from reader.entities.extractor import Extractor
from reader.entities.index import EntityIndex
from reader.models import Article, Block
from reader.store.database import Store
from reader.ui.app import WATCH_ENV, ReaderApp
from reader.ui.app import make_app as build_app
from reader.ui.base import IndexingState
from reader.ui.screens.library import LibraryScreen
from reader.ui.widgets.entities_pane import EntitiesPane, EntityItem

SIZE = (110, 32)
PEOPLE = ["إيلون ماسك", "سام ألتمان", "ساتيا ناديلا", "تيم كوك", "جيف بيزوس"]
PLACES = ["الرياض", "القاهرة", "دبي", "عمان", "بيروت"]
COUNT = 40


def text(n: int) -> str:
    person, place = PEOPLE[n % len(PEOPLE)], PLACES[(n // len(PEOPLE)) % len(PLACES)]
    return (
        f"وصل {person} إلى {place} أمس في زيارة رسمية. وقال {person.split()[-1]} إن "
        f"الزيارة مهمة لشركته، وأضاف أن {place} مدينة تنمو بسرعة."
    )


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(WATCH_ENV, "0.2")
    path = tmp_path / "db" / "reader.json"
    with Store.open(path) as store:
        store.put_articles(
            Article(
                id=f"n{n:03d}",
                title=f"خبر رقم {n}",
                source=f"https://example.com/{n}",
                blocks=[Block("paragraph", text(n))],
                published=f"2025-01-{1 + n % 28:02d}",
            )
            for n in range(COUNT)
        )
    return path


class Recorder:
    """Each indexing state the app goes through, the library's title line at that moment,
    and a way to wait for the next pass that changed the index."""

    def __init__(self, app: ReaderApp) -> None:
        self.app = app
        self.states: list[IndexingState] = []
        self.titles: list[str] = []
        self.changed = asyncio.Event()
        self._runs = app.entity_indexing.runs

    def __call__(self, state: IndexingState) -> None:
        self.states.append(state)
        screen = self.app.screen
        if isinstance(screen, LibraryScreen):
            self.titles.append(str(screen.query_one("#library-title", Static).content))
        if state.runs != self._runs and not state.running:  # every pass ends with a state
            self._runs = state.runs
            self.changed.set()

    async def next_pass(self) -> None:
        await asyncio.wait_for(self.changed.wait(), timeout=60)
        self.changed.clear()


async def start(pilot: Pilot[Any]) -> Recorder:
    app = pilot.app
    assert isinstance(app, ReaderApp)
    recorder = Recorder(app)
    app.watch(app, "entity_indexing", recorder, init=False)
    return recorder


async def entities_after_first_pass(pilot: Pilot[Any]) -> tuple[Recorder, EntitiesPane]:
    """Once the app's first indexing pass is over, the first article's Entities tab, when it
    lists the article's entities (and the recorder of the app's indexing states)."""
    recorder = await start(pilot)
    await recorder.next_pass()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("i")
    return recorder, await entities_listed(pilot)


async def test_first_start_indexes_the_library_with_progress_in_the_title_line(db: Path) -> None:
    app = make_app(db, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        recorder = await start(pilot)
        # The first pass starts FIRST_PASS_DELAY after the library is mounted; on a loaded
        # machine the start-up alone can take that long, so its state is not checked here.
        assert app.entity_indexing.runs == 0  # nothing indexed before the library was on show
        assert isinstance(app.screen, LibraryScreen)
        await recorder.next_pass()
        progress = [s for s in recorder.states if s.running]
        assert progress[0].total == COUNT and progress[-1].done == COUNT
        assert any(
            f"Indexing entities {s.done}/{COUNT}" in t
            for s, t in zip(recorder.states, recorder.titles, strict=True)
            if s.running
        ), recorder.titles
        # Done: the title line no longer speaks of it, and reading goes on as before.
        assert "Indexing" not in str(app.screen.query_one("#library-title", Static).content)
        await pilot.press("down")
        assert app.screen.query_one(DataTable).cursor_row == 1
    with Store.open(db) as store, EntityIndex.open(store) as index:
        assert index.stale() == []
        musk = index.find("إيلون ماسك", "PERSON")
        assert musk is not None and musk.articles == COUNT // len(PEOPLE)


async def test_the_indexer_and_the_entities_pane_load_the_model_once(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app given no model loads it when the indexer's first pass needs it, and the
    Entities tab opened after extracts with that one: the model is loaded once per app."""
    loads: list[Extractor] = []
    real_load = Extractor.load

    def counting_load(*args: Any, **kwargs: Any) -> Extractor:
        loaded = real_load(*args, **kwargs)
        loads.append(loaded)
        return loaded

    monkeypatch.setattr(Extractor, "load", counting_load)
    app = build_app(db, seed=False)  # the factory itself: no model given
    async with app.run_test(size=SIZE) as pilot:
        _recorder, pane = await entities_after_first_pass(pilot)
        assert pane.entities, "the Entities tab listed the article's entities"
    assert len(loads) == 1
    assert app.entity_extractor() is loads[0]


async def test_an_article_added_while_the_app_runs_is_indexed_in_the_background(
    db: Path, tmp_path: Path
) -> None:
    app = make_app(db, seed=False)
    added = tmp_path / "new.txt"
    added.write_text(
        "---\ntitle: خبر جديد\n---\nأعلنت شركة مايكروسوفت في جدة عن مركز جديد، "
        "وقال براد سميث إن جدة مدينة مهمة.\n",
        encoding="utf-8",
    )
    async with app.run_test(size=SIZE) as pilot:
        recorder = await start(pilot)
        await recorder.next_pass()  # the library as it was
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        screen.add_target(str(added))
        await recorder.next_pass()  # picked up at the next look for changes
        # A small pass says nothing in the title line.
        assert not any("Indexing" in t for t in recorder.titles[-3:])
    with Store.open(db) as store, EntityIndex.open(store) as index:
        assert index.stale() == []
        jeddah = index.find("جدة", "LOC")
        assert jeddah is not None and jeddah.articles == 1
        hits = index.hits(jeddah.key)
        new_id = next(s.id for s in store.list_articles() if s.title == "خبر جديد")
        assert {h.article_id for h in hits} == {new_id}


async def test_a_correction_made_in_the_pane_reaches_the_index_at_once(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WATCH_ENV, "0")  # no looks for changes: only the correction asks
    app = make_app(db, seed=False)
    async with app.run_test(size=(140, 45)) as pilot:
        recorder, pane = await entities_after_first_pass(pilot)
        listing = pane.query_one("#entities-list", ListView)
        first = next(n for n, item in enumerate(listing.children) if isinstance(item, EntityItem))
        item = listing.children[first]
        assert isinstance(item, EntityItem)
        name, kind = item.entity.name, item.entity.type
        with EntityIndex.open(app.store) as index:
            assert index.find(name, kind) is not None
        listing.focus()
        listing.index = first
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("x")  # hide it, in every article
        await recorder.next_pass()
        with EntityIndex.open(app.store) as index:
            assert index.find(name, kind) is None
            assert index.stale() == []


async def test_the_indexer_is_seen_stopped_only_with_what_its_pass_did(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen that polls the indexer and sees it stopped reads the app's state to learn
    whether the index changed: the two must change together on the app's loop. Here the
    loop is held while the indexing thread ends, as a busy machine may hold it."""
    monkeypatch.setenv(WATCH_ENV, "0")
    app = make_app(db, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        recorder = await start(pilot)
        await recorder.next_pass()
        runs = app.entity_indexing.runs
        with Store.open(db) as store:
            store.put_article(
                Article(
                    id="late",
                    title="خبر متأخر",
                    source="https://example.com/late",
                    blocks=[Block("paragraph", text(1))],
                    published="2025-02-01",
                )
            )
        app.entity_indexer.poke()
        threads = [t for t in threading.enumerate() if t.name == "reader-entities"]
        assert len(threads) == 1
        threads[0].join(60)  # holds the app's loop until the pass's thread has ended
        assert not threads[0].is_alive()
        seen = (app.entity_indexer.running, app.entity_indexing.runs)
        assert seen[0] or seen[1] == runs + 1, "stopped, but the change not told"
        await recorder.next_pass()
        assert not app.entity_indexer.running and app.entity_indexing.runs == runs + 1

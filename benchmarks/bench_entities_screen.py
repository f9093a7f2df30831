"""Entities screen speed: 5,000 articles from the shared corpus (its 300 articles repeated, each
copy with its own id, title and date) indexed by the library-wide entity index, then the
screen opened from the library and names chosen, in the real app (Textual's headless pilot,
130x45).

Figures, each best of a few runs (the machine is shared, so timings are noisy: the CPU time
the app's process used is printed beside each, what a busy machine does not add):
- the screen opened: from `E` in the library to the first rows of names on screen
  (target <= 200 ms), and the index query behind it (`EntityIndex.entities()`);
- a name chosen: from Enter to its first mentions on screen (target <= 50 ms; the refresh
  that lays them out, before the rest of the page is added), for the name in
  most articles, one in about a hundred articles and the one in the fewest (chosen in the
  reverse order: the first name chosen on a screen also pays for moving the keys to the
  mentions, the table redrawn without focus), and the index queries behind it (`hits`,
  `notes`).
The index is built once, before anything is timed: each distinct text is run through the model
once (a copy of an article has the same entities), so the build takes about as long as
indexing the 300 articles; its time is index15's benchmark (bench_entities_index.py).
Skips cleanly (exit 0, one line) when ../shared/corpus is absent.
Run: `.venv/bin/python benchmarks/bench_entities_screen.py` (a minute or two).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import cast

from textual.widgets import DataTable

from reader.entities.extractor import Entity, Extractor
from reader.entities.index import EntityIndex, IndexedEntity, model_signature
from reader.models import Article, Block, EntityCorrection
from reader.store.database import Store
from reader.ui.app import ReaderApp, make_app
from reader.ui.messages import ShowEntities
from reader.ui.screens.entities import EntitiesScreen, HitItem

ARTICLES = 5_000
RUNS = 5
OPEN_TARGET_MS = 200.0
CHOOSE_TARGET_MS = 50.0
SIZE = (130, 45)
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet-300.jsonl"


def corpus_articles() -> list[Article]:
    """ARTICLES articles: the corpus repeated, one a day back from today."""
    rows = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line.strip()]
    today = date.today()
    articles: list[Article] = []
    for copy in range(ARTICLES // len(rows) + 1):
        for number, row in enumerate(rows):
            if len(articles) == ARTICLES:
                return articles
            paragraphs = [p.strip() for p in row.get("content", "").split("\n") if p.strip()]
            day = (today - timedelta(days=len(articles) // 3)).isoformat()
            articles.append(
                Article(
                    id=f"a{copy}-{number}",
                    title=f"{row.get('title', '')} ({copy})",
                    source=f"{row.get('url', '')}#{copy}",
                    blocks=[Block("paragraph", p) for p in paragraphs],
                    published=day,
                    added=f"{day}T08:00:00",
                )
            )
    return articles


class OncePerText:
    """The extractor, run once per distinct text (the corpus's copies repeat the texts)."""

    def __init__(self, extractor: Extractor) -> None:
        self.extractor = extractor
        self.seen: dict[str, list[Entity]] = {}

    def extract(self, text: str, corrections: Sequence[EntityCorrection] = ()) -> list[Entity]:
        key = text
        if corrections:
            return self.extractor.extract(text, corrections)
        if key not in self.seen:
            self.seen[key] = self.extractor.extract(text)
        return [
            Entity(e.name, e.type, list(e.mentions)) for e in self.seen[key]
        ]  # a fresh copy: corrections change entities in place


async def until(done: Callable[[], bool], limit: float = 30.0) -> None:
    """Let the app run until `done()` (looked at every millisecond or so)."""
    started = time.perf_counter()
    while not done():
        if time.perf_counter() - started > limit:
            raise TimeoutError("the screen did not get there")
        await asyncio.sleep(0.001)


def picks(entities: list[IndexedEntity]) -> list[tuple[str, IndexedEntity]]:
    """The name in most articles, one in about a hundred, one in the fewest."""
    chosen = [("most articles", entities[0])]
    middle = min(entities, key=lambda e: abs(e.articles - 100))
    chosen.append((f"{middle.articles} articles", middle))
    fewest = entities[-1]
    chosen.append((f"{fewest.articles} articles", fewest))
    return chosen


def best(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


async def painted(app: ReaderApp) -> None:
    """Until the screen has been drawn once more (what is on it now is on screen)."""
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await done.wait()


Times = list[tuple[float, float]]


async def measure_app(db: Path) -> tuple[Times, dict[str, Times]]:
    """(open times, choose times by pick), each (wall, CPU) in seconds, RUNS each. The clock
    starts when the library's `E` asks for the screen (`ShowEntities`, what its action
    posts) and stops when the first rows (or mentions) are drawn; keys are not sent through
    the pilot, which waits for the app to be idle (the rest of a long list is added after
    the first paint)."""
    app = make_app(db, seed=False)
    opens: Times = []
    chooses: dict[str, Times] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        for _ in range(RUNS):
            started, cpu = time.perf_counter(), time.process_time()
            app.post_message(ShowEntities())
            await until(
                lambda: (
                    isinstance(app.screen, EntitiesScreen)
                    and bool(app.screen.query("#entities-table"))
                )
            )
            screen = cast(EntitiesScreen, app.screen)
            table = screen.query_one(DataTable)
            await until(lambda t=table: bool(t.row_count))  # type: ignore[misc]
            await painted(app)
            opens.append((time.perf_counter() - started, time.process_time() - cpu))
            await pilot.pause(0.3)
            await until(lambda s=screen: not s._indexing_running)  # type: ignore[misc]
            for label, entity in reversed(picks(screen.entities)):
                started, cpu = time.perf_counter(), time.process_time()
                screen.choose(entity)
                await until(  # laid out: the refresh that lays it out draws it
                    lambda e=entity, s=screen: (
                        s.hits_for == e  # type: ignore[misc]
                        and any(item.region.height for item in s.query(HitItem))
                    )
                )
                chooses.setdefault(f"{label}: {entity.name}", []).append(
                    (time.perf_counter() - started, time.process_time() - cpu)
                )
                await pilot.pause(0.1)
            screen.dismiss(None)
            await pilot.pause(0.3)
    return opens, chooses


def main() -> int:
    if not CORPUS.exists():
        print(f"corpus not found at {CORPUS}: the Entities screen not measured")
        return 0
    articles = corpus_articles()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "r.json"
        with Store.open(db) as store:
            store.put_articles(articles)
            started = time.perf_counter()
            extractor = cast(Extractor, OncePerText(Extractor.load()))
            with EntityIndex.open(store, extractor, model_signature()) as index:
                index.update()
                built = time.perf_counter() - started
                count = index.article_count()
                every = index.entities()
                print(
                    f"library: {len(articles)} articles, {count} indexed, {len(every)} names "
                    f"(index built in {built:.1f} s, each distinct text extracted once)"
                )
                query = best(RUNS, index.entities)
                print(f"index: entities() {query * 1000:.1f} ms")
                for label, entity in picks(every):
                    hits = best(RUNS, lambda e=entity: index.hits(e.key))  # type: ignore[misc]
                    notes = best(RUNS, lambda e=entity: index.notes(e.key))  # type: ignore[misc]
                    print(
                        f"index: {label} ({entity.name}, {entity.mentions} mentions): "
                        f"hits {hits * 1000:.1f} ms, notes {notes * 1000:.1f} ms"
                    )
        opens, chooses = asyncio.run(measure_app(db))
    wall, cpu = (min(times) * 1000 for times in zip(*opens, strict=True))
    verdict = "ok" if wall <= OPEN_TARGET_MS else "OVER"
    print(
        f"screen opened (E to the first names on screen): best {wall:.0f} ms of {RUNS} "
        f"(target <= {OPEN_TARGET_MS:.0f} ms) {verdict}; CPU {cpu:.0f} ms"
    )
    for label, runs in chooses.items():
        wall, cpu = (min(times) * 1000 for times in zip(*runs, strict=True))
        verdict = "ok" if wall <= CHOOSE_TARGET_MS else "OVER"
        print(
            f"name chosen ({label}): mentions on screen in best {wall:.0f} ms "
            f"(target <= {CHOOSE_TARGET_MS:.0f} ms) {verdict}; CPU {cpu:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scale: a library of 10,000 articles and 100,000 annotations.

The library is the shared corpus's 300 articles repeated, each copy with its own id, title,
source and date, and ten highlights on each article (some with notes and tags). It is built
once into a cache folder (`/tmp/reader-scale`, or `READER_SCALE_CACHE`) and rebuilt when the
schema or this benchmark's build changes; runs only read it (and save a note or two).

Figures, each the best of a few runs (the machine is shared, so timings are noisy):

- first paint of the library screen (pilot, in this process: from `make_app` to the table
  painting its first article row; imports already done)            target <= 0.8 s
- `reader list` cold (a fresh interpreter, piped and on a terminal) target <= 0.5 s
- opening an article (pilot: Enter on the library to the body's first painted line)
                                                                    target <= 150 ms
- saving a note: the store call (`update_annotation_fields`, and a new highlight with
  `add_annotation`) and the app path (the reading view applying the note dialog's result)
                                                                    target <= 20 ms
- search (`reader.search.search`, the index up to date; within 2 s of a save the index
  compares every article's stamp, reported apart)                   target <= 50 ms

Skips cleanly (exit 0, one line) when ../shared/corpus is absent.
Run: `.venv/bin/python benchmarks/bench_scale.py [app] [list] [store]` (all three by default;
the first build takes a minute or two).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_library import run_on_terminal  # the same pseudo-terminal timer
from textual.widgets import DataTable

from reader.ingest.articles import parse_path
from reader.models import Annotation, Article, text_hash
from reader.notes.anchors import make_annotation
from reader.search import search
from reader.store.counts import SETTLED_NS
from reader.store.database import SCHEMA_VERSION, Store
from reader.ui.app import make_app
from reader.ui.messages import NoteResult
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.highlight_view import ReadingView

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet-300.jsonl"
CACHE = Path(os.environ.get("READER_SCALE_CACHE", "/tmp/reader-scale"))
ARTICLES = 10_000
PER_ARTICLE = 10  # 100,000 annotations
#: Bump when the way the library is built changes (the schema version is added to it).
BUILD = 1
SIZE = (120, 40)
RUNS = 3

TARGETS = {
    "first paint of the library": 0.8,
    "reader list cold": 0.5,
    "open an article": 0.150,
    "save a note": 0.020,
    "search": 0.050,
}
QUERIES = ("الرياض", "وزارة الصحة", '"خادم الحرمين الشريفين"', "مستشفى", "zzzz")


# ------------------------------------------------------------------------ the library


def _stamp() -> str:
    return f"schema {SCHEMA_VERSION}, build {BUILD}, {ARTICLES} articles x {PER_ARTICLE}\n"


def _articles() -> list[Article]:
    base = [article for article in parse_path(CORPUS) if article.text.strip()]
    articles = []
    for index in range(ARTICLES):
        template = base[index % len(base)]
        copy = index // len(base)
        source = f"{template.source}?copy={copy}"
        day = 1 + index % 28
        articles.append(
            dataclasses.replace(
                template,
                id=f"scale-{index:05d}",
                title=f"{template.title} ({copy})",
                source=source,
                entry_id=source,
                published=f"20{10 + index % 15:02d}-{1 + index % 12:02d}-{day:02d}",
                added=f"2024-01-01T{index // 3600 % 24:02d}:{index // 60 % 60:02d}:"
                f"{index % 60:02d}+00:00",
                read_at="" if index % 3 else "2024-02-01T00:00:00+00:00",
            )
        )
    return articles


def _annotations(article: Article) -> list[Annotation]:
    """Ten highlights spread over the article; the first starts at its first character."""
    text = article.text
    digest = text_hash(text)
    found = []
    step = max(1, len(text) // PER_ARTICLE)
    for number in range(PER_ARTICLE):
        start = min(number * step, len(text) - 1)
        end = min(len(text), start + max(1, min(40, step)))
        note = f"ملاحظة {number} على المقال" if number % 2 else ""
        tags = ["مهم"] if number % 3 == 0 else []
        found.append(
            make_annotation(
                article,
                start,
                end,
                color=1 + number % 5,
                note=note,
                tags=tags,
                text=text,
                digest=digest,
            )
        )
    return found


def library() -> Path:
    """The cached library's database file, built when missing or out of date."""
    db = CACHE / "reader.json"
    stamp = CACHE / "STAMP"
    if stamp.is_file() and stamp.read_text() == _stamp() and db.is_file():
        return db
    shutil.rmtree(CACHE, ignore_errors=True)
    CACHE.mkdir(parents=True)
    started = time.perf_counter()
    articles = _articles()
    store = Store.open(db)
    try:
        store.put_articles(articles)
        store.add_annotations(a for article in articles for a in _annotations(article))
        store.set_setting("seeded", True)
        count = store.article_count()
        assert count == ARTICLES, count
    finally:
        store.close()
    print(
        f"built {ARTICLES:,} articles and {ARTICLES * PER_ARTICLE:,} annotations in {CACHE}"
        f" in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    store = Store.open(db)
    try:
        search(store, "الرياض")  # the search index, built once with the library
    finally:
        store.close()
    print(f"indexed them for search in {time.perf_counter() - started:.1f} s")
    stamp.write_text(_stamp())
    return db


# ------------------------------------------------------------------------ painting


class Paint:
    """When the watched widget first drew after `arm()`."""

    armed_at = 0.0
    painted_at = 0.0
    watching: type[Any] = object

    @classmethod
    def arm(cls, watching: type[Any]) -> None:
        cls.watching = watching
        cls.painted_at = 0.0
        cls.armed_at = time.perf_counter()

    @classmethod
    def mark(cls, widget: object) -> None:
        if not cls.painted_at and isinstance(widget, cls.watching):
            cls.painted_at = time.perf_counter()

    @classmethod
    def elapsed(cls) -> float:
        return cls.painted_at - cls.armed_at


_table_render_line = DataTable.render_line
_article_render_line = ArticleView.render_line


def _watched_table_line(self: DataTable[Any], y: int) -> Any:
    if self.row_count:  # an article row, not just the header of an empty table
        Paint.mark(self)
    return _table_render_line(self, y)


def _watched_article_line(self: ArticleView, y: int) -> Any:
    Paint.mark(self)
    return _article_render_line(self, y)


DataTable.render_line = _watched_table_line  # type: ignore[method-assign]
ArticleView.render_line = _watched_article_line  # type: ignore[method-assign]


async def _until_painted(timeout: float = 60.0) -> float:
    deadline = time.perf_counter() + timeout
    while not Paint.painted_at:
        if time.perf_counter() > deadline:
            raise RuntimeError("nothing was painted")
        await asyncio.sleep(0.0005)
    return Paint.elapsed()


async def app_figures(db: Path) -> dict[str, float]:
    """First paint of the library, Enter to the article painted, the app's note save."""
    figures: dict[str, float] = {}
    Paint.arm(DataTable)
    app = make_app(db, seed=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            figures["first paint"] = await _until_painted()
            await pilot.pause()
            await pilot.press("down", "down", "down")
            await pilot.pause()
            Paint.arm(ArticleView)
            await pilot.press("enter")
            figures["open"] = await _until_painted()
            await pilot.pause()
            view = app.screen.query_one(ReadingView)
            annotation = view.annotations[0]
            started = time.perf_counter()
            view.apply_note(annotation, NoteResult("save", note=f"ملاحظة {time.time()}"))
            figures["app save"] = time.perf_counter() - started
            await pilot.pause()
            saved = app.store.annotations_for(annotation.article_id)
            assert any(a.id == annotation.id and a.note.startswith("ملاحظة") for a in saved)
    finally:
        app.saver.close()
        app.store.close()
    return figures


# ------------------------------------------------------------------------ reader list


def list_figures(db: Path) -> dict[str, float]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(READER_DB=str(db), PYTHONPYCACHEPREFIX=str(CACHE / "pyc"))
    command = [sys.executable, "-m", "reader", "list"]
    subprocess.run([*command, "--json"], env=env, check=True, capture_output=True)  # bytecode
    figures: dict[str, float] = {}
    for label, extra in (("piped", []), ("--json", ["--json"])):
        best = float("inf")
        for _ in range(RUNS):
            started = time.perf_counter()
            done = subprocess.run([*command, *extra], env=env, check=True, capture_output=True)
            best = min(best, time.perf_counter() - started)
            assert len(done.stdout) > 100_000
        figures[label] = best
    figures["terminal"] = min(run_on_terminal(command, env) for _ in range(RUNS))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    figures["bare interpreter"] = time.perf_counter() - started
    return figures


# ------------------------------------------------------------------------ store and search


def _best(call: Callable[[], object], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def store_figures(db: Path) -> dict[str, float]:
    store = Store.open(db)
    figures: dict[str, float] = {}
    try:
        article_id = "scale-00042"
        annotations = store.annotations_for(article_id)
        target = annotations[1]

        def note() -> None:
            nonlocal target
            target = store.update_annotation_fields(target, note=f"ملاحظة {time.time()}")

        figures["store note"] = _best(note)
        article = store.get_article(article_id)
        assert article is not None
        made: list[Annotation] = []

        def new() -> None:
            made.append(make_annotation(article, 5, 25, color=2))
            store.add_annotation(made[-1])

        figures["store new highlight"] = _best(new)
        for annotation in made:
            store.delete_annotation(annotation.id)
        figures["read one article's annotations"] = _best(lambda: store.annotations_for(article_id))
        figures["get_article"] = _best(lambda: store.get_article(article_id))
        figures["list_articles"] = _best(store.list_articles, runs=3)
        search(store, "الرياض")  # up to date after the saves above
        # Within SETTLED_NS of a save the annotations folder has no stamp yet, so the index
        # compares every article's stamp (correct for same-tick writes); then it is settled.
        figures["search just after a save"] = _best(lambda: search(store, "مستشفى"), runs=3)
        time.sleep(SETTLED_NS / 1e9 + 0.1)
        search(store, "الرياض")  # keeps the settled stamp
        for query in QUERIES:
            figures[f"search {query}"] = _best(lambda q=query: search(store, q), runs=3)  # type: ignore[misc]
    finally:
        store.close()
    return figures


# ------------------------------------------------------------------------ report


def _line(name: str, seconds: float, target: float | None = None) -> None:
    if target is None:
        print(f"  {name:<48} {seconds * 1000:9.1f} ms")
        return
    verdict = "ok" if seconds <= target else "OVER TARGET"
    print(f"{name:<50} {seconds * 1000:9.1f} ms  (target <= {target * 1000:g} ms)  {verdict}")


def main(argv: list[str]) -> int:
    """Every part, or those named: app (first paint, open, the app's save), list, store."""
    if not CORPUS.is_file():
        print(f"skipped: {CORPUS} is absent")
        return 0
    parts = set(argv) or {"app", "list", "store"}
    db = library()
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min); best of {RUNS} runs")
    if "app" in parts:
        runs = [asyncio.run(app_figures(db)) for _ in range(RUNS)]
        app = {key: min(run[key] for run in runs) for key in runs[0]}
        _line(
            "first paint of the library (make_app to rows)",
            app["first paint"],
            TARGETS["first paint of the library"],
        )
        _line("open an article (Enter to body painted)", app["open"], TARGETS["open an article"])
        _line("save a note: app path (reading view)", app["app save"], TARGETS["save a note"])
    if "list" in parts:
        listing = list_figures(db)
        target = TARGETS["reader list cold"]
        _line("reader list cold, on a terminal", listing["terminal"], target)
        _line("reader list cold, piped", listing["piped"], target)
        _line("reader list --json cold", listing["--json"], target)
        _line("(bare interpreter start-up)", listing["bare interpreter"])
    if "store" in parts:
        store = store_figures(db)
        _line("save a note: store call", store["store note"], TARGETS["save a note"])
        _line(
            "save a new highlight: store call", store["store new highlight"], TARGETS["save a note"]
        )
        for name in ("read one article's annotations", "get_article", "list_articles"):
            _line(f"({name})", store[name])
        for query in QUERIES:
            _line(f"search {query}", store[f"search {query}"], TARGETS["search"])
        _line("(search within 2 s of a save)", store["search just after a save"])
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

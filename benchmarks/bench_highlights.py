"""Creating a highlight and seeing it drawn, from the key press, with 10,000 annotations stored.

Target: <= 50 ms from the key press to the highlight painted.

Runs the real app through Textual's pilot on a database in a temporary folder holding the seed
article and 10,000 annotations: scenario "spread" puts 20 on each of 500 other articles (plus
none on the seed), scenario "dense" puts 1,000 of them on the seed article itself. Each round
selects a fresh phrase, presses a colour key and waits until the screen is painted; the time to
the time is taken from just before the key event is sent to the first screen update (the
compositor's output, which in a terminal is written at once) whose lines carry the new
highlight. The pilot's own press-and-pause time, and that of a key bound to nothing, are
printed for reference: the harness waits for idle and costs ~100 ms on its own. Median and
worst of ROUNDS rounds are printed next to the target.

Usage: .venv/bin/python benchmarks/bench_highlights.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from textual.color import Color
from textual.strip import Strip

from reader.models import Annotation, Article, Block
from reader.notes.anchors import make_annotation
from reader.store.database import Store
from reader.text import motion
from reader.ui.app import make_app
from reader.ui.widgets.highlight_view import ReadingView

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
TOTAL = 10_000
ROUNDS = 30
TARGET_MS = 50.0


def _filler_article(index: int, text: str) -> Article:
    return Article(
        id=f"bench-{index:04d}",
        title=f"مقال {index}",
        source=f"bench://{index}",
        blocks=[Block("paragraph", line) for line in text.split("\n")],
        added=f"2020-01-01T00:{index // 60 % 60:02d}:{index % 60:02d}",
    )


def _fill(db: Path, dense: bool) -> None:
    """Seed the library (the real way), then store 10,000 annotations."""
    app = make_app(db, seed=True)
    app.store.close()
    with Store.open(db) as store:
        seed = next(
            a
            for a in (store.get_article(s.id) for s in store.list_articles())
            if a and "OpenAI" in a.text
        )
        text = seed.text
        words = motion.words_in(text, 0, len(text))
        annotations: list[Annotation] = []
        on_seed = 1_000 if dense else 0
        for index in range(on_seed):
            start, _ = words[index % len(words)]
            _, end = words[min(len(words) - 1, index % len(words) + 2)]
            annotations.append(make_annotation(seed, start, end, color=index % 5 + 1))
        others = TOTAL - on_seed
        articles = [_filler_article(i, text) for i in range(500)]
        store.put_articles(articles)
        for index in range(others):
            article = articles[index % len(articles)]
            start, _ = words[(index // len(articles)) % len(words)]
            _, end = words[min(len(words) - 1, (index // len(articles)) % len(words) + 1)]
            annotations.append(make_annotation(article, start, end, color=index % 5 + 1))
        store.add_annotations(annotations)
        assert len(store.all_annotations()) == TOTAL


async def _measure(db: Path) -> tuple[list[float], list[float], list[float]]:
    """(key press -> screen update carrying the highlight, -> pilot's press and pause return)."""
    app = make_app(db, target=str(SEED), theme="dark")
    to_display: list[float] = []
    to_saved: list[float] = []
    to_pilot: list[float] = []
    async with app.run_test(size=(120, 45)) as pilot:
        view = app.screen.query_one(ReadingView)
        text = view.text
        colour = Color.parse(app.theme_variables["reader-highlight-3"]).rich_color
        seen_line: list[float] = []
        displayed: list[float] = []
        saved: list[float] = []
        persist = view._persist_new

        def watch_persist(annotation: Any) -> None:
            persist(annotation)
            saved.append(time.perf_counter())

        view._persist_new = watch_persist  # type: ignore[method-assign]
        armed = [False]
        render_line = view.render_line
        display = app._display

        def watch_line(y: int) -> Strip:
            strip = render_line(y)
            if (
                armed[0]
                and not seen_line
                and any(seg.style is not None and seg.style.bgcolor == colour for seg in strip)
            ):
                seen_line.append(time.perf_counter())
            return strip

        def watch_display(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if armed[0] and seen_line and not displayed and renderable is not None:
                displayed.append(time.perf_counter())

        view.render_line = watch_line  # type: ignore[method-assign]
        app._display = watch_display  # type: ignore[method-assign]
        visible_start, visible_end = view.visible_range()
        words = motion.words_in(text, visible_start, min(visible_end, len(text)))
        for round_index in range(ROUNDS):
            start, _ = words[(round_index * 3) % (len(words) - 3)]
            _, end = words[(round_index * 3) % (len(words) - 3) + 2]
            view.select_span(start, end)
            view.set_marks("cursor", [])
            await pilot.pause()
            seen_line.clear()
            displayed.clear()
            saved.clear()
            armed[0] = True
            began = time.perf_counter()
            await pilot.press("3")
            await pilot.pause()
            ended = time.perf_counter()
            armed[0] = False
            to_pilot.append((ended - began) * 1000)
            if displayed:
                to_display.append((displayed[0] - began) * 1000)
            if saved:
                to_saved.append((saved[0] - began) * 1000)
            # Delete it again so every round creates a highlight under the same conditions.
            created = [a for a in view.annotations if (a.start, a.end) == (start, end)]
            assert created, "the highlight was not created"
            assert any(
                a.id == created[-1].id for a in app.store.annotations_for(created[-1].article_id)
            )
            view.delete_highlight(created[-1])
            await pilot.pause()
    app.store.close()
    return to_display, to_pilot, to_saved


async def _noop_press(db: Path) -> float:
    """What the pilot harness alone costs: a key bound to nothing, then a pause."""
    app = make_app(db, target=str(SEED), theme="dark")
    times: list[float] = []
    async with app.run_test(size=(120, 45)) as pilot:
        for _ in range(10):
            began = time.perf_counter()
            await pilot.press("z")
            await pilot.pause()
            times.append((time.perf_counter() - began) * 1000)
    app.store.close()
    return statistics.median(times)


def _report(name: str, values: list[float], *, target: bool = True) -> None:
    if not values:
        print(f"  {name:<40} no samples")
        return
    median = statistics.median(values)
    line = f"  {name:<40} median {median:6.1f} ms   worst {max(values):6.1f} ms"
    if target:
        line += f"   target <= {TARGET_MS:.0f} ms  {'ok' if median <= TARGET_MS else 'OVER'}"
    print(line)


def main() -> int:
    for dense in (False, True):
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "bench.json"
            started = time.perf_counter()
            _fill(db, dense)
            setup = time.perf_counter() - started
            scenario = "dense (1,000 on the article)" if dense else "spread (20 x 500 articles)"
            print(f"{TOTAL:,} annotations stored, {scenario}; setup {setup:.1f} s")
            display, pilot, saved = asyncio.run(_measure(db))
            _report("key press -> highlight on screen", display)
            _report("(key press -> saved, after the paint)", saved, target=False)
            _report("(reference: pilot press+pause)", pilot, target=False)
            baseline = asyncio.run(_noop_press(db))
            print(f"  {'(reference: same for a no-op key)':<40} median {baseline:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

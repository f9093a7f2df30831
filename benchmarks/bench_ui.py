"""UI speed, through Textual's pilot (headless). Prints each figure next to its target.

- Time to the first painted screen of the seed article vs a bare Textual app showing a one-line
  Static, measured in the same run (target: at most 1.5x): from launching a fresh Python
  (imports included, what a user waits for), and warm in this process (app start only).
- Keys in the seed article, key press to an idle repainted app, median (target 16 ms each: j k
  space arrows, v selection moves, 1-5 highlight, n/N find); opening the side pane or the note
  editor and switching theme (target 100 ms).
- A 1 MB article: first screen painted after opening it (<= 300 ms), page down (<= 16 ms per
  page), resize re-wrap (<= 300 ms).

"Painted" means the widget's lines were rendered for the compositor: the first `render_line`
of the article view (or `render` of the Static) after the action. Wall and CPU
(time.process_time) are both printed: the machine is shared, so wall time is noisy; CPU shows
the work done. Figures are medians, best of several runs. Run: `python benchmarks/bench_ui.py
[--runs 3] [--keys-only]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static

from reader.ingest.articles import parse_path
from reader.models import Article
from reader.store.database import Store
from reader.ui.app import make_app
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.note_editor import NoteEditor

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
SIZE = (120, 40)


class Paint:
    """Records when the watched widget first drew after `arm()`."""

    armed_at = 0.0
    painted_at = 0.0
    last_at = 0.0
    armed_cpu = 0.0
    last_cpu = 0.0

    @classmethod
    def arm(cls) -> None:
        cls.armed_at = time.perf_counter()
        cls.armed_cpu = time.process_time()
        cls.painted_at = 0.0
        cls.last_at = 0.0
        cls.last_cpu = 0.0

    @classmethod
    def mark(cls) -> None:
        cls.last_at = time.perf_counter()
        cls.last_cpu = time.process_time()
        if not cls.painted_at:
            cls.painted_at = time.perf_counter()

    @classmethod
    def last_ms(cls) -> tuple[float, float]:
        """(wall, CPU) milliseconds from `arm()` to the last paint (or to now if none)."""
        end = cls.last_at or time.perf_counter()
        end_cpu = cls.last_cpu or time.process_time()
        return (end - cls.armed_at) * 1000, (end_cpu - cls.armed_cpu) * 1000

    @classmethod
    def elapsed_ms(cls) -> float:
        return (cls.painted_at - cls.armed_at) * 1000


_original_render_line = ArticleView.render_line


def _watched_render_line(self: ArticleView, y: int) -> Any:
    Paint.mark()
    return _original_render_line(self, y)


ArticleView.render_line = _watched_render_line  # type: ignore[method-assign]

_original_editor_line = NoteEditor.render_line


def _watched_editor_line(self: NoteEditor, y: int) -> Any:
    Paint.mark()
    return _original_editor_line(self, y)


NoteEditor.render_line = _watched_editor_line  # type: ignore[method-assign]


class PaintedStatic(Static):
    def render(self) -> Any:
        Paint.mark()
        return super().render()


class Bare(App[None]):
    """The baseline: a bare Textual app with a one-line Static."""

    def compose(self) -> ComposeResult:
        yield PaintedStatic("Hello, reader.")


async def _until_painted(pilot: Any) -> None:
    while not Paint.painted_at:
        await asyncio.sleep(0.0005)


async def first_paint_bare() -> float:
    Paint.arm()
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        await _until_painted(pilot)
        return Paint.elapsed_ms()


async def first_paint_seed(db: Path) -> float:
    Paint.arm()
    app = make_app(db, target=str(SEED))
    async with app.run_test(size=SIZE) as pilot:
        await _until_painted(pilot)
        result = Paint.elapsed_ms()
    app.store.close()
    return result


def big_article(size_bytes: int = 1_000_000) -> Article:
    """The seed's blocks repeated to at least `size_bytes` of UTF-8."""
    seed = parse_path(SEED)[0]
    blocks = []
    total = 0
    while total < size_bytes:
        for block in seed.blocks:
            blocks.append(block)
            total += len(block.text.encode("utf-8")) + 1
    return Article(
        id="bench-1mb", title="1 MB article", source="bench:1mb", blocks=blocks, added="2099-01-01"
    )


async def big_article_figures(db: Path) -> dict[str, float]:
    app = make_app(db, seed=False)
    figures: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        Paint.arm()
        app.open_article("bench-1mb")
        await _until_painted(pilot)
        figures["open"] = Paint.elapsed_ms()
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        height = view.scrollable_content_region.height
        # Page down: scroll one page and render every visible line (what a paint does).
        pages = 60
        times: list[float] = []
        for _ in range(pages):
            start = time.perf_counter()
            view.action_page_down()
            for y in range(height):
                view.render_line(y)
            times.append((time.perf_counter() - start) * 1000)
        figures["page"] = statistics.median(times)
        figures["page_max"] = max(times)
        # The same through the pilot: key press to an idle, repainted app.
        start = time.perf_counter()
        for _ in range(20):
            await pilot.press("pagedown")
        await pilot.pause()
        figures["page_pilot"] = (time.perf_counter() - start) * 1000 / 20
        # Resize: re-wrap at the new width, keep the position, paint.
        anchor = view.top_offset()
        Paint.arm()
        start = time.perf_counter()
        await pilot.resize_terminal(90, 40)
        await _until_painted(pilot)
        await pilot.pause()
        figures["resize"] = (time.perf_counter() - start) * 1000
        start_offset, end_offset = view.visible_range()
        figures["resize_kept"] = float(start_offset <= anchor < end_offset)
    app.store.close()
    return figures


Figure = tuple[float, float]
"""(wall, CPU) milliseconds."""


async def _timed(pilot: Any, *keys: str) -> Figure:
    """(wall, CPU) milliseconds from pressing `keys` to the last article or note editor line
    painted for them (the pilot's own waiting, about 60 ms a key here, is not counted; if
    nothing repainted, the time to an idle app)."""
    Paint.arm()
    await pilot.press(*keys)
    await pilot.pause()
    return Paint.last_ms()


async def _theme(app: Any, pilot: Any, name: str) -> Figure:
    """(wall, CPU) milliseconds from setting the theme to the last line painted."""
    Paint.arm()
    app.theme = name
    await pilot.pause()
    return Paint.last_ms()


THEMES = ("nord", "dark", "gruvbox", "light")


async def article_key_figures(db: Path, repeats: int = 15) -> dict[str, Figure]:
    """Median (wall, CPU) key press to repaint in the seed article, per key; pane, note
    editor, theme (before and after the side pane was first built)."""
    app = make_app(db, seed=False)
    samples: dict[str, list[Figure]] = {}

    def add(name: str, figure: Figure) -> None:
        samples.setdefault(name, []).append(figure)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        for key in ("j", "k", "space", "left", "right", "down", "up"):
            for _ in range(repeats):
                add(key, await _timed(pilot, key))
        await pilot.press("v")
        for _ in range(repeats):
            add("v+left", await _timed(pilot, "left"))
        await pilot.press("escape")
        await pilot.pause()
        for colour in "12345":
            for _ in range(3):
                await pilot.press("s")
                await pilot.pause()
                add("1-5", await _timed(pilot, colour))
                await pilot.press("d")  # delete it again
                await pilot.pause()
        await pilot.press("slash", *"OpenAI", "enter")
        await pilot.pause()
        for _ in range(repeats):
            add("n (find)", await _timed(pilot, "n"))
            add("N (find)", await _timed(pilot, "N"))
        await pilot.press("escape")
        await pilot.pause()
        for name in THEMES * 2:
            add("switch theme, no pane yet", await _theme(app, pilot, name))
        for _ in range(5):
            add("open pane", await _timed(pilot, "i"))
            await app.workers.wait_for_complete()
            await pilot.press("i")  # closed
            await pilot.pause()
        await pilot.press("s", "1")
        await pilot.pause()
        for _ in range(5):
            add("open note editor", await _timed(pilot, "n"))
            await pilot.press("escape")
            await pilot.pause()
        for name in THEMES * 2:
            add("switch theme", await _theme(app, pilot, name))
        await pilot.press("i")  # the pane open beside the article: its nodes restyled too
        await app.workers.wait_for_complete()
        await pilot.pause()
        for name in THEMES * 2:
            add("switch theme, pane open", await _theme(app, pilot, name))
    app.store.close()
    return {
        name: (
            statistics.median(wall for wall, _ in values),
            statistics.median(cpu for _, cpu in values),
        )
        for name, values in samples.items()
    }


CHILD = """
import asyncio, sys, time
started = float(sys.argv[2])
kind = sys.argv[1]
if kind == "bare":
    from textual.app import App
    from textual.widgets import Static
    painted = []
    class S(Static):
        def render(self):
            painted.append(time.time())
            return super().render()
    class Bare(App):
        def compose(self):
            yield S("Hello, reader.")
    app = Bare()
else:
    from reader.ui.app import make_app
    from reader.ui.widgets.article_view import ArticleView
    painted = []
    original = ArticleView.render_line
    def render_line(self, y):
        painted.append(time.time())
        return original(self, y)
    ArticleView.render_line = render_line
    app = make_app(sys.argv[3], target=sys.argv[4])
async def main():
    async with app.run_test(size=(120, 40)):
        while not painted:
            await asyncio.sleep(0.0005)
        print((painted[0] - started) * 1000)
asyncio.run(main())
"""


def cold_start(kind: str, db: Path, pycache: Path) -> float:
    """Milliseconds from launching a fresh Python to the first paint (imports included).

    Both apps run with a bytecode cache, as an installed `reader` has (pip compiles it):
    this sandbox sets PYTHONDONTWRITEBYTECODE, which would make only our own modules
    recompile on every start while Textual's come precompiled.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, kind, repr(started), str(db), str(SEED)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    return float(result.stdout.strip().splitlines()[-1])


async def key_table(db: Path, runs: int) -> None:
    """Print the article keys, pane, note editor and theme figures, best of `runs`."""
    results = [await article_key_figures(db) for _ in range(runs)]
    print(
        f"seed article {SIZE[0]}x{SIZE[1]}, key press to last line painted "
        f"(median of each run, best of {runs} runs; wall and CPU = time.process_time):"
    )
    for key in results[0]:
        wall = min(run[key][0] for run in results)
        cpu = min(run[key][1] for run in results)
        target = 100 if key.startswith(("open", "switch")) else 16
        verdict = "ok" if wall <= target else ("OVER (CPU ok)" if cpu <= target else "OVER")
        print(f"  {key:26} wall {wall:7.2f} ms  CPU {cpu:7.2f} ms  (target <= {target}) {verdict}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the key table")
    parser.add_argument(
        "--keys-only", action="store_true", help="only the article keys/pane/editor/theme table"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "reader.json"
        make_app(db).store.close()  # seed the library once, outside the timing
        if args.keys_only:
            await key_table(db, args.runs)
            return
        pycache = Path(folder) / "pyc"
        cold_start("bare", db, pycache)  # warm-up: fills the bytecode cache for both
        cold_start("seed", db, pycache)
        cold_bare: list[float] = []
        cold_seed: list[float] = []
        for _ in range(5):
            cold_bare.append(cold_start("bare", db, pycache))
            cold_seed.append(cold_start("seed", db, pycache))
        bare_cold, seed_cold = statistics.median(cold_bare), statistics.median(cold_seed)
        print(f"cold start to first paint, bare Textual app:  {bare_cold:7.1f} ms")
        print(
            f"cold start to first paint, reader on the seed: {seed_cold:7.1f} ms  "
            f"ratio {seed_cold / bare_cold:4.2f}x  (target <= 1.5x)"
        )
        bare: list[float] = []
        seed: list[float] = []
        for _ in range(5):
            bare.append(await first_paint_bare())
            seed.append(await first_paint_seed(db))
        bare_ms, seed_ms = statistics.median(bare), statistics.median(seed)
        print(f"warm (in-process) first paint, bare Textual app: {bare_ms:7.1f} ms")
        print(
            f"warm (in-process) first paint, seed article:    {seed_ms:7.1f} ms  "
            f"ratio {seed_ms / bare_ms:4.2f}x"
        )

        await key_table(db, args.runs)

        big_db = Path(folder) / "big.json"
        with Store.open(big_db) as store:
            article = big_article()
            store.put_article(article)
        size = len(article.text.encode("utf-8"))
        runs = [await big_article_figures(big_db) for _ in range(3)]
        best = {key: min(run[key] for run in runs) for key in runs[0]}
        print(f"1 MB article ({size / 1e6:.2f} MB, {len(article.blocks)} blocks):")
        print(f"  first screen after opening:    {best['open']:7.1f} ms  (target <= 300 ms)")
        print(
            f"  page down (scroll + paint):    {best['page']:7.2f} ms/page median, "
            f"{best['page_max']:.2f} max  (target <= 16 ms)"
        )
        print(f"  page down via pilot key press: {best['page_pilot']:7.2f} ms/page")
        print(f"  resize re-wrap 120->90 cols:   {best['resize']:7.1f} ms  (target <= 300 ms)")
        print(f"  reading position kept:         {'yes' if best['resize_kept'] else 'NO'}")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

"""Theme switch speed on an open article, through Textual's pilot (headless).

Opens the seed article with a highlight in every colour and a find running (marks on screen),
then switches theme repeatedly, and prints for each kind of switch the time from setting
`app.theme` until the article view has painted again, and until the app is idle (the whole
screen restyled and drawn). Target: at most 100 ms. Also the time to derive the
reader's colours for a Textual theme that lacks them. Prints best and median of the runs; the
machine is shared, so figures are noisy.

    .venv/bin/python benchmarks/bench_themes.py [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual.theme import BUILTIN_THEMES  # noqa: E402

from reader.ingest.library import add_targets  # noqa: E402
from reader.notes.anchors import make_annotation  # noqa: E402
from reader.store.database import Store  # noqa: E402
from reader.ui.app import make_app  # noqa: E402
from reader.ui.themes import derive_reader_variables  # noqa: E402
from reader.ui.widgets.article_view import ArticleView  # noqa: E402

SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
SIZE = (130, 45)
SWITCHES: tuple[tuple[str, str], ...] = (
    ("dark", "light"),  # tuned -> tuned
    ("light", "nord"),  # tuned -> built-in (colours derived)
    ("nord", "gruvbox"),  # built-in -> built-in
    ("gruvbox", "dark"),  # built-in -> tuned
)


class Paint:
    """When the article view first drew after `arm()`."""

    armed_at = 0.0
    painted_at = 0.0

    @classmethod
    def arm(cls) -> None:
        cls.armed_at = time.perf_counter()
        cls.painted_at = 0.0


_original_render_line = ArticleView.render_line


def _watched_render_line(self: ArticleView, y: int) -> Any:
    if not Paint.painted_at:
        Paint.painted_at = time.perf_counter()
    return _original_render_line(self, y)


ArticleView.render_line = _watched_render_line  # type: ignore[method-assign]


async def switch_times(db: Path, runs: int) -> dict[str, tuple[list[float], list[float]]]:
    """(painted ms, idle ms) lists for each switch."""
    app = make_app(db, target=str(SEED), seed=False, theme="dark")
    results: dict[str, tuple[list[float], list[float]]] = {
        f"{a} -> {b}": ([], []) for a, b in SWITCHES
    }
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await pilot.press(*"OpenAI")
        await pilot.press("enter")
        await pilot.pause()
        for _ in range(runs):
            for old, new in SWITCHES:
                assert app.theme == old
                Paint.arm()
                app.theme = new
                while not Paint.painted_at:
                    await asyncio.sleep(0)
                painted = (Paint.painted_at - Paint.armed_at) * 1000
                await pilot.pause()
                idle = (time.perf_counter() - Paint.armed_at) * 1000
                results[f"{old} -> {new}"][0].append(painted)
                results[f"{old} -> {new}"][1].append(idle)
    app.store.close()
    return results


def derive_times(runs: int) -> list[float]:
    """Milliseconds to derive the reader's colours for each built-in theme (best of runs)."""
    bases = {name: theme.to_color_system().generate() for name, theme in BUILTIN_THEMES.items()}
    best: list[float] = []
    for name, base in bases.items():
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            derive_reader_variables(base, ansi=BUILTIN_THEMES[name].ansi)
            times.append((time.perf_counter() - start) * 1000)
        best.append(min(times))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.json"
        store = Store.open(db)
        article = add_targets(store, [str(SEED)]).added[0]
        text = article.text
        spans = [(text.index(word), text.index(word) + len(word)) for word in text.split()[:40:8]]
        store.add_annotations(
            [make_annotation(article, s, e, color=i + 1) for i, (s, e) in enumerate(spans)]
        )
        store.close()
        results = asyncio.run(switch_times(db, args.runs))
    print(f"Theme switch on the open seed article ({SIZE[0]}x{SIZE[1]}), {args.runs} runs each")
    print(f"{'switch':22} {'painted best/median':>22} {'idle best/median':>20}  target")
    for name, (painted, idle) in results.items():
        print(
            f"{name:22} {min(painted):9.1f} / {statistics.median(painted):6.1f} ms"
            f" {min(idle):9.1f} / {statistics.median(idle):6.1f} ms  <= 100 ms"
        )
    derived = derive_times(args.runs)
    print(
        f"deriving a built-in theme's reader colours: median {statistics.median(derived):.1f} ms,"
        f" worst {max(derived):.1f} ms over {len(derived)} themes"
    )


if __name__ == "__main__":
    main()

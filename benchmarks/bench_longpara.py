"""A single very long paragraph in the app: time and peak memory to open, to find.

Run: .venv/bin/python benchmarks/bench_longpara.py [--chars 10000000] [--before REF]
     [--word base64|arabic]

The article is one paragraph of `--chars` characters: the seed article's words (Arabic with
Latin names and numbers) joined by spaces, or with `--word` a single word with no space (a
base64 blob, or the seed's Arabic with its spaces taken out). Each case runs in a fresh
Python process, so its
peak RSS (the whole process: imports, store, app, layout) is its own:
- open: the app is running on a library holding the article; `open_article` until the
  article view paints its first line. Target <= 1 s and <= 400 MB.
- find: the article open, "/" then the query typed in one go, until the match count shows
  and the screen is repainted. Target <= 2 s.
With `--before REF` (a git commit, e.g. the main before the lazy layout) the same cases also
run on that commit's `reader` package, extracted with `git archive`, for before/after figures.
Timings are the best of `--runs` processes (the machine is shared); RSS is the lowest.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"

CHILD = r"""
import asyncio, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
case, db, query = sys.argv[2], sys.argv[3], sys.argv[4]
from reader.ui.app import make_app
from reader.ui.widgets.article_view import ArticleView
import reader
assert reader.__file__.startswith(sys.argv[1]), reader.__file__

painted = []
original = ArticleView.render_line
def render_line(self, y):
    strip = original(self, y)
    painted.append(time.perf_counter())  # after the line is built: what the user waits for
    return strip
ArticleView.render_line = render_line

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

async def main():
    app = make_app(db, seed=False)
    out = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        out["rss_before_open_mb"] = peak_mb()
        painted.clear()
        start = time.perf_counter()
        app.open_article("long-paragraph")
        while not painted:
            await asyncio.sleep(0.0005)
        await pilot.pause()
        out["open_idle_s"] = time.perf_counter() - start
        # The first screen: the view's first `height` lines built (Textual paints top down).
        height = app.screen.query_one(ArticleView).scrollable_content_region.height
        out["open_s"] = painted[min(height, len(painted)) - 1] - start
        out["rss_open_mb"] = peak_mb()
        if case == "find":
            from textual.widgets import Input, Static
            await pilot.press("slash")
            await pilot.pause()
            box = app.screen.query_one("#find-input", Input)
            status = app.screen.query_one("#find-status", Static)
            painted.clear()
            start = time.perf_counter()
            box.value = query
            while not str(status.render()).strip():
                await asyncio.sleep(0.0005)
            await pilot.pause()
            out["find_s"] = time.perf_counter() - start
            out["find_status"] = str(status.render())
            out["rss_find_mb"] = peak_mb()
    app.store.close()
    print(json.dumps(out))
asyncio.run(main())
"""


def paragraph(chars: int) -> str:
    """The seed's words joined by single spaces, repeated to exactly `chars` characters."""
    words = SEED.read_text(encoding="utf-8").split()
    unit = " ".join(words)
    text = (unit + " ") * (chars // (len(unit) + 1) + 1)
    return text[:chars].rstrip() + "." if chars > 1 else text[:chars]


def one_word(chars: int, kind: str) -> str:
    """A paragraph that is one word of `chars` characters: a base64 blob (random bytes), or
    the seed's Arabic with its spaces and line breaks taken out."""
    if kind == "base64":
        return base64.b64encode(random.Random(12).randbytes(chars))[:chars].decode()
    unit = "".join(SEED.read_text(encoding="utf-8").split())
    return (unit * (chars // len(unit) + 1))[:chars]


def make_library(folder: Path, chars: int, word: str = "") -> Path:
    sys.path.insert(0, str(ROOT))
    from reader.models import Article, Block
    from reader.store.database import Store

    db = folder / "reader.json"
    text = one_word(chars, word) if word else paragraph(chars)
    article = Article(
        id="long-paragraph",
        title="One long paragraph",
        source="bench:long-paragraph",
        blocks=[Block("heading", "فقرة طويلة"), Block("paragraph", text)],
        added="2099-01-01",
    )
    with Store.open(db) as store:
        store.put_article(article)
    return db


def run(code: Path, case: str, db: Path, query: str) -> dict[str, float | str]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(code), case, str(db), query],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if result.returncode:
        raise SystemExit(f"{case} failed:\n{result.stderr[-3000:]}")
    figures: dict[str, float | str] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def best(runs: list[dict[str, float | str]]) -> dict[str, float | str]:
    out: dict[str, float | str] = {}
    for key in runs[0]:
        values = [run[key] for run in runs]
        out[key] = min(values) if isinstance(values[0], float) else values[0]
    return out


def report(label: str, code: Path, db: Path, query: str, runs: int) -> None:
    opened = best([run(code, "open", db, query) for _ in range(runs)])
    found = best([run(code, "find", db, query) for _ in range(runs)])
    print(f"{label}:")
    print(
        f"  open: first screen {opened['open_s']:7.3f} s (idle {opened['open_idle_s']:.3f} s),"
        f" peak RSS {opened['rss_open_mb']:7.0f} MB"
        f" (app before opening {opened['rss_before_open_mb']:.0f} MB)"
        "   target <= 1 s, <= 400 MB"
    )
    print(
        f"  find: {found['find_s']:7.3f} s, peak RSS {found['rss_find_mb']:7.0f} MB,"
        f" status {str(found['find_status']).strip()!r}   target <= 2 s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, default=10_000_000)
    parser.add_argument("--query", default="الشركة")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--before", help="git commit to measure as 'before' too")
    parser.add_argument(
        "--word",
        choices=["base64", "arabic"],
        help="the paragraph is one word with no space: a base64 blob or an Arabic run",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = make_library(Path(folder), args.chars, args.word or "")
        shape = f"one {args.word} word" if args.word else "one paragraph"
        print(f"{shape} of {args.chars:,} characters; query {args.query!r}")
        if args.before:
            old = Path(folder) / "before"
            old.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.before],  # themes and all
                capture_output=True,
                check=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            report(f"before ({args.before})", old, db, args.query, args.runs)
        report("after (this checkout)", ROOT, db, args.query, args.runs)


if __name__ == "__main__":
    main()

"""How long one save takes when one article has many annotations (target: at most
50 ms with 10,000 annotations on one article).

Fills a database in a temporary folder with one article and N annotations on it, then
times, through the real `Store` on disk (fsync included): adding one highlight,
recolouring one (`update_annotation_fields`), deleting one, and reading the article's
annotations back. Prints the best and median of several runs for each N, and the target.
Run: `.venv/bin/python benchmarks/bench_save.py [N ...]` (default 1,000 10,000 100,000).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from reader.models import Annotation, Article, Block
from reader.store.database import Store

TARGET_MS = 50.0
"""Target for a save with 10,000 annotations on one article."""
TARGET_AT = 10_000
RUNS = 15

PARAGRAPH = (
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة الرياض بسعة مئتي سرير، "
    "وقال المتحدث الرسمي إن المشروع يأتي ضمن خطة شاملة لتطوير الخدمات الصحية. "
)


def _annotation(article: Article, n: int) -> Annotation:
    text = article.text
    start = (n * 37) % (len(text) - 40)
    return Annotation(
        id=uuid.uuid4().hex,
        article_id=article.id,
        start=start,
        end=start + 30,
        quote=text[start : start + 30],
        prefix=text[max(0, start - 32) : start],
        suffix=text[start + 30 : start + 62],
        text_hash="0123456789abcdef",
        color=1 + n % 5,
        note="ملاحظة قصيرة على هذا المقطع" if n % 3 == 0 else "",
        tags=["مهم"] if n % 4 == 0 else [],
        created="2026-01-01T00:00:00+00:00",
    )


def _times(action: Callable[[int], object]) -> tuple[float, float]:
    samples = []
    for run in range(RUNS):
        began = time.perf_counter()
        action(run)
        samples.append((time.perf_counter() - began) * 1000)
    return min(samples), statistics.median(samples)


def bench(count: int) -> dict[str, tuple[float, float]]:
    """Best and median milliseconds of each operation with `count` annotations on one article."""
    article = Article(
        id="a" * 16,
        title="مقال طويل",
        source="https://example.com/long",
        blocks=[Block("paragraph", PARAGRAPH * 40) for _ in range(20)],
    )
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "r.json") as store:
        store.put_article(article)
        existing = [_annotation(article, n) for n in range(count)]
        began = time.perf_counter()
        store.add_annotations(existing)
        filled = time.perf_counter() - began
        print(f"  {count:,} annotations written in {filled:.1f} s")
        figures = {
            "add one highlight": _times(
                lambda run: store.add_annotation(_annotation(article, count + run))
            ),
            "recolour one highlight": _times(
                lambda run: store.update_annotation_fields(
                    existing[run * 7 % count], color=1 + run % 5
                )
            ),
            "delete one highlight": _times(
                lambda run: store.delete_annotation(existing[count - 1 - run].id)
            ),
        }
        # What the app does after a save made by another process: read them all again.
        store.add_annotation(_annotation(article, count + RUNS))
        figures["read the article's annotations"] = _times(
            lambda run: store.annotations_for(article.id)
        )
    return figures


def main(argv: list[str]) -> int:
    counts = [int(arg.replace(",", "")) for arg in argv] or [1_000, 10_000, 100_000]
    print(f"One save, annotations on one article (best / median of {RUNS} runs, ms):")
    for count in counts:
        figures = bench(count)
        for name, (best, median) in figures.items():
            mark = ""
            if count == TARGET_AT and name != "read the article's annotations":
                mark = "  ok" if best <= TARGET_MS else f"  OVER the {TARGET_MS:.0f} ms target"
            print(f"  {count:>9,}  {name:<32} {best:8.1f} / {median:8.1f}{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

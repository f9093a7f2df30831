"""Export speed: 10,000 annotations to Markdown (target <= 1 s), plus JSON and a store-backed run.

Builds 500 articles from the seed article's paragraphs with 20 highlights each
(Arabic quotes, notes with Markdown syntax and newlines, tags), then times:
  - article_markdown over all of them (the target),
  - the same annotations as Web Annotation JSON text,
  - `reader export --all` work end to end: read from a real store in a temporary
    folder and write one file per article (`export_markdown_files`, as the command does).
Run: .venv/bin/python benchmarks/bench_export.py
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from reader.models import Annotation, Article, Block
from reader.notes.export import export_markdown_files
from reader.notes.markdown import article_markdown
from reader.notes.webanno import collection_text
from reader.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
ARTICLES = 500
PER_ARTICLE = 20
TARGET_SECONDS = 1.0
EXPORTED_AT = "2026-01-01T00:00:00+00:00"
NOTES = [
    "ملاحظة قصيرة",
    "# ليس عنوانًا\n\n> ولا اقتباسًا\n- ولا قائمة",
    "رقم *مهم*: 97.4 مليار `OpenAI` [رابط](x) <div>",
    "",
]


def build() -> list[tuple[Article, list[Annotation]]]:
    rng = random.Random(7)
    lines = SEED.read_text(encoding="utf-8").splitlines()
    items = []
    for a in range(ARTICLES):
        article = Article(
            id=f"art{a:05d}",
            title=f"مقال رقم {a}: {lines[0][:40]}",
            source=f"https://example.com/news/{a}",
            blocks=[Block("paragraph", line) for line in lines],
        )
        text = article.text
        notes = []
        for n in range(PER_ARTICLE):
            start = rng.randrange(0, len(text) - 200)
            end = start + rng.randrange(10, 200)
            notes.append(
                Annotation(
                    id=f"{a:016x}{n:016x}",
                    article_id=article.id,
                    start=start,
                    end=end,
                    quote=text[start:end],
                    prefix=text[max(0, start - 32) : start],
                    suffix=text[end : end + 32],
                    color=rng.randint(1, 5),
                    note=rng.choice(NOTES),
                    tags=rng.sample(["اقتصاد", "تقنية", "سياسة", "OpenAI"], rng.randint(0, 2)),
                )
            )
        items.append((article, notes))
    return items


def best_of(runs: int, func: object) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    items = build()
    total = sum(len(notes) for _, notes in items)

    def markdown() -> None:
        for article, notes in items:
            article_markdown(article, notes, exported_at=EXPORTED_AT)

    def json_text() -> None:
        collection_text(items, exported_at=EXPORTED_AT)

    md_seconds = best_of(3, markdown)
    json_seconds = best_of(3, json_text)
    verdict = "OK" if md_seconds <= TARGET_SECONDS else "OVER TARGET"
    print(f"{total} annotations over {len(items)} articles")
    print(
        f"Markdown render:        {md_seconds:.3f} s   (target <= {TARGET_SECONDS:.1f} s) {verdict}"
    )
    print(f"Web Annotation JSON:    {json_seconds:.3f} s   (no target)")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Store.open(folder / "db" / "reader.json") as store:
            for article, notes in items:
                store.put_article(article)
                for annotation in notes:
                    store.add_annotation(annotation)

            def full() -> None:
                chosen = []
                for summary in store.list_articles():
                    article = store.get_article(summary.id)
                    assert article is not None
                    chosen.append((article, store.annotations_for(article.id), None))
                export_markdown_files(folder / "out", chosen, exported_at=EXPORTED_AT)

            full_seconds = best_of(2, full)
        print(
            f"Store -> 500 .md files: {full_seconds:.3f} s   (no target; includes reads and writes)"
        )


if __name__ == "__main__":
    main()

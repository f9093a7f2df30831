"""Store speed with 5,000 articles and 10,000 annotations over 500 of them.

Prints each figure next to its target, then the same operations on a
plain TinyDB JSONStorage database holding the same data, measured in the same
run. Run: `.venv/bin/python benchmarks/bench_store.py` (about a minute).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from tinydb import Query, TinyDB

from reader.files import atomic_write
from reader.models import Annotation, Article, Block
from reader.store.database import Store

ARTICLES = 5_000
ANNOTATED_ARTICLES = 500
ANNOTATIONS = 10_000

TARGETS_MS = {
    "save one annotation (median)": 10.0,
    "load one article's annotations (median)": 2.0,
    "list the library (median)": 200.0,
    "open the database cold (median)": 500.0,
}

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet-300.jsonl"
FALLBACK = [
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة الرياض بسعة مئتي سرير.",
    "وقال المتحدث الرسمي إن المشروع يأتي ضمن خطة شاملة لتطوير الخدمات الصحية في المملكة.",
    "ومن المتوقع أن يبدأ المستشفى استقبال المرضى مطلع العام المقبل بعد اكتمال التجهيزات.",
]


def paragraphs() -> list[str]:
    """Real Arabic paragraphs from the shared corpus when present, else a few fixed ones."""
    if CORPUS.exists():
        found: list[str] = []
        for line in CORPUS.read_text(encoding="utf-8").splitlines():
            content = json.loads(line).get("content", "")
            found.extend(p.strip() for p in content.split("\n") if len(p.strip()) > 40)
        if found:
            return found
    return FALLBACK


def build_data(rng: random.Random) -> tuple[list[Article], list[Annotation]]:
    texts = paragraphs()
    articles = []
    for index in range(ARTICLES):
        blocks = [Block("heading", f"خبر رقم {index}")]
        blocks.extend(Block("paragraph", rng.choice(texts)) for _ in range(4))
        articles.append(
            Article(
                id=f"{index:016x}",
                title=f"خبر رقم {index}",
                source=f"https://example.com/news/{index}",
                blocks=blocks,
                published=f"20{10 + index % 15:02d}-{1 + index % 12:02d}-{1 + index % 28:02d}",
                added="2026-01-01T00:00:00+00:00",
            )
        )
    annotations = []
    per_article = ANNOTATIONS // ANNOTATED_ARTICLES
    for article in articles[:ANNOTATED_ARTICLES]:
        text = article.text
        for n in range(per_article):
            start = (n * 37) % max(1, len(text) - 40)
            annotations.append(
                Annotation(
                    id=uuid.UUID(int=rng.getrandbits(128)).hex,
                    article_id=article.id,
                    start=start,
                    end=start + 30,
                    quote=text[start : start + 30],
                    prefix=text[max(0, start - 32) : start],
                    suffix=text[start + 30 : start + 62],
                    color=1 + n % 5,
                    note="ملاحظة قصيرة" if n % 3 == 0 else "",
                    tags=["مهم"] if n % 4 == 0 else [],
                    created="2026-01-01T00:00:00+00:00",
                )
            )
    return articles, annotations


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        samples.append(time.perf_counter() - began)
    return samples


def new_annotation(rng: random.Random, article_id: str) -> Annotation:
    return Annotation(
        id=uuid.uuid4().hex, article_id=article_id, start=5, end=15, quote="نص", color=2
    )


def bench_store(
    folder: Path, articles: list[Article], annotations: list[Annotation]
) -> dict[str, float]:
    rng = random.Random(7)
    path = folder / "reader.json"
    began = time.perf_counter()
    with Store.open(path) as store:
        store.put_articles(articles)
        store.add_annotations(annotations)
    print(f"  (filled in {time.perf_counter() - began:.1f} s)")
    os.sync()  # measure steady state, not the kernel writing back the bulk fill
    annotated = [a.id for a in articles[:ANNOTATED_ARTICLES]]
    figures: dict[str, float] = {}

    opens = []
    first_lists = []
    first_loads = []
    for _ in range(7):
        began = time.perf_counter()
        store = Store.open(path)
        opens.append(time.perf_counter() - began)
        began = time.perf_counter()
        store.annotations_for(rng.choice(annotated))
        first_loads.append(time.perf_counter() - began)
        began = time.perf_counter()
        store.list_articles()
        first_lists.append(time.perf_counter() - began)
        store.close()
    figures["open the database cold (median)"] = median_ms(opens)

    class BackupDue(Store):
        backup_interval_seconds = 0.0

    def open_with_backup() -> None:
        BackupDue.open(path).close()

    due_opens = timed(open_with_backup, 3)

    with Store.open(path) as store:
        store.list_articles()
        figures["list the library (median)"] = median_ms(timed(store.list_articles, 9))
        figures["load one article's annotations (median)"] = median_ms(
            timed(lambda: store.annotations_for(rng.choice(annotated)), 300)
        )
        saves = timed(lambda: store.add_annotation(new_annotation(rng, rng.choice(annotated))), 200)
        figures["save one annotation (median)"] = median_ms(saves)
        shard = store.annotations_dir / f"{annotated[0]}.json"
        payload = shard.read_bytes()
        floor = folder / "floor.json"
        extra = {
            "save one annotation (95th percentile)": sorted(saves)[189] * 1000,
            "first annotations load after a cold open (median)": median_ms(first_loads),
            "first library list after a cold open (median)": median_ms(first_lists),
            "cold open + first library list (median)": median_ms(
                [a + b for a, b in zip(opens, first_lists, strict=True)]
            ),
            "cold open when the hourly backup is due (median)": median_ms(due_opens),
            "set a reading position (median)": median_ms(
                timed(lambda: store.set_setting(f"position:{rng.choice(annotated)}", 42), 30)
            ),
            "get one article with its body (median)": median_ms(
                timed(lambda: store.get_article(rng.choice(annotated)), 100)
            ),
            # The disk's own cost right now: the same bytes, temp file + fsync + replace +
            # folder fsync, no TinyDB. Saves cannot beat this; other work on the machine moves it.
            "floor: bare atomic write of one annotation file (median)": median_ms(
                timed(lambda: atomic_write(floor, payload), 100)
            ),
        }
    figures.update(extra)
    return figures


def bench_plain(
    folder: Path, articles: list[Article], annotations: list[Annotation]
) -> dict[str, float]:
    """The same data and operations on TinyDB's default JSONStorage, one file."""
    rng = random.Random(7)
    path = folder / "plain.json"
    db = TinyDB(path, ensure_ascii=False)
    db.table("articles").insert_multiple(
        {**asdict(a), "blocks": [[b.kind, b.text] for b in a.blocks]} for a in articles
    )
    db.table("annotations").insert_multiple(asdict(a) for a in annotations)
    db.close()
    os.sync()
    annotated = [a.id for a in articles[:ANNOTATED_ARTICLES]]
    figures: dict[str, float] = {}

    def cold_open() -> None:
        fresh = TinyDB(path, ensure_ascii=False)
        len(fresh.table("articles"))
        fresh.close()

    figures["open the database cold (median)"] = median_ms(timed(cold_open, 5))
    db = TinyDB(path, ensure_ascii=False)
    articles_table = db.table("articles")
    notes = db.table("annotations")

    def list_library() -> None:
        counts = Counter(doc["article_id"] for doc in notes.all())
        rows = [
            (d["id"], d["title"], d["published"], counts[d["id"]]) for d in articles_table.all()
        ]
        rows.sort(key=lambda r: r[2], reverse=True)

    figures["list the library (median)"] = median_ms(timed(list_library, 5))
    item = Query()
    figures["load one article's annotations (median)"] = median_ms(
        # a different article each time, so TinyDB's query cache cannot answer
        timed(lambda: notes.search(item.article_id == rng.choice(annotated) + ""), 20)
    )
    figures["save one annotation (median)"] = median_ms(
        timed(lambda: notes.insert(asdict(new_annotation(rng, rng.choice(annotated)))), 10)
    )
    db.close()
    return figures


def main() -> int:
    rng = random.Random(1)
    articles, annotations = build_data(rng)
    print(
        f"{ARTICLES} articles, {ANNOTATIONS} annotations over {ANNOTATED_ARTICLES} articles"
        f" ({'corpus' if CORPUS.exists() else 'fallback'} text)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        folder = Path(tmp)
        print("reader.store.database:")
        ours = bench_store(folder, articles, annotations)
        print("plain TinyDB JSONStorage:")
        plain = bench_plain(folder, articles, annotations)
    print()
    print(f"{'figure':<55} {'store ms':>10} {'target':>8} {'plain ms':>10}")
    failed = False
    for name, value in ours.items():
        target = TARGETS_MS.get(name)
        plain_value = plain.get(name)
        ok = target is None or value <= target
        failed = failed or not ok
        print(
            f"{name:<55} {value:>10.2f} {'' if target is None else f'<= {target:g}':>8} "
            f"{'' if plain_value is None else f'{plain_value:.2f}':>10}"
            f"{'' if ok else '  OVER TARGET'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Managing a library of 10,000 articles: what recognising a second arrival costs an add, and
how long remove, undo (restore) and archive take.

Run: .venv/bin/python benchmarks/bench_manage.py
Prints the best of several runs (the machine is shared). The search index is brought up to date
first, so the figures for adds and removes include only their own index work.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reader.ingest.library import (
    AddReport,
    KnownArticles,
    remove_articles,
    restore_articles,
    save_articles,
)
from reader.models import Article, Block
from reader.search.index import update_index
from reader.store.database import Store

LIBRARY_SIZE = 10_000
RUNS = 5
SENTENCE = "أعلنت الوزارة اليوم عن خطة جديدة لتطوير قطاع الطاقة المتجددة في المنطقة الشرقية. "


def _article(number: int, prefix: str = "a") -> Article:
    return Article(
        id=f"{prefix}{number:06d}",
        title=f"خبر رقم {number} عن الاقتصاد والسياسة",
        source=f"https://example.com/news/{prefix}{number}?utm_source=rss",
        blocks=[Block("paragraph", f"{SENTENCE * 3} رقم {prefix}{number}.")],
        published=f"2025-01-{1 + number % 28:02d}",
        added="2025-02-01T00:00:00",
    )


def _best(label: str, run: Callable[[int], object], runs: int = RUNS) -> float:
    best = float("inf")
    for index in range(runs):
        started = time.perf_counter()
        run(index)
        best = min(best, time.perf_counter() - started)
    print(f"{label:<62} {best * 1000:8.1f} ms")
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "reader.json"
        with Store.open(db) as store:
            store.put_articles(_article(number) for number in range(LIBRARY_SIZE))
            update_index(store)
            print(f"library: {store.article_count():,} articles, bodies of ~260 characters")

            _best(
                "KnownArticles over the library (dedup's added cost)",
                lambda _i: KnownArticles(store.article_identities).match(_article(0, "x")),
            )
            _best(
                "save 1 new article (dedup + write + index)",
                lambda i: save_articles(store, [_article(i, "n")], AddReport()),
            )
            duplicate = _article(17)
            duplicate.id = "other-id"
            duplicate.source = "https://EXAMPLE.com:443/news/a17/?fbclid=x"

            def save_duplicate(_i: int) -> None:
                report = AddReport()
                save_articles(store, [duplicate], report)
                assert [d.existing_id for d in report.duplicates] == ["a000017"]

            _best("save 1 duplicate (another URL of a held article)", save_duplicate)
            _best(
                "save 50 new feed entries in one batch",
                lambda i: save_articles(
                    store, [_article(1000 * (i + 1) + n, "f") for n in range(50)], AddReport()
                ),
            )

            def twenty_feeds(i: int, shared: bool) -> None:
                known = KnownArticles(store.article_identities) if shared else None
                for feed in range(20):
                    entries = [_article(100_000 * (i + 1) + 10 * feed + n, "r") for n in range(5)]
                    if not shared:
                        entries = [
                            _article(100_000 * (i + 6) + 10 * feed + n, "r") for n in range(5)
                        ]
                    save_articles(store, entries, AddReport(), known)

            _best(
                "refresh of 20 feeds x 5 new entries, library read per feed",
                lambda i: twenty_feeds(i, False),
                runs=3,
            )
            _best(
                "refresh of 20 feeds x 5 new entries, read once (as refresh does)",
                lambda i: twenty_feeds(i, True),
                runs=3,
            )

            removed: list[object] = []

            def remove(i: int) -> None:
                removed.append(remove_articles(store, [f"a{i:06d}"]))

            _best("remove 1 article (+ its index rows)", remove)

            def restore(i: int) -> None:
                restore_articles(store, removed[i])  # type: ignore[arg-type]

            _best("undo: restore it (+ index)", restore)
            _best("archive 1 article", lambda i: store.set_archived([f"a{i:06d}"]))
            _best("unarchive it", lambda i: store.set_archived([f"a{i:06d}"], False))


if __name__ == "__main__":
    main()

"""The store at scale: what a save writes and a read reads, the counts
cache's folder stamp, and the change stamp the app watches. Figures are in
benchmarks/bench_scale.py; these tests guard the shape, with real files on disk."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from reader.models import Article, Block, Feed
from reader.notes.anchors import make_annotation
from reader.search import search
from reader.store.counts import SETTLED_NS
from reader.store.database import Store
from reader.store.salvage import all_valid, record_problem

ARTICLES = 30


def article(number: int) -> Article:
    return Article(
        id=f"scale-{number:03d}",
        title=f"مقال {number}",
        source=f"https://example.com/{number}",
        blocks=[Block("paragraph", f"الجملة الأولى في المقال {number}. والجملة الثانية.")],
        added=f"2024-01-01T00:00:{number % 60:02d}",
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A library of ARTICLES articles with three highlights each."""
    path = tmp_path / "reader.json"
    articles = [article(number) for number in range(ARTICLES)]
    with Store.open(path) as store:
        store.put_articles(articles)
        store.add_annotations(
            make_annotation(a, start, start + 5, note=f"ملاحظة {start}")
            for a in articles
            for start in (0, 10, 20)
        )
    return path


def files(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under `folder` with its (inode, size, mtime_ns)."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "lock":
            stat = path.stat()
            found[str(path.relative_to(folder))] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    return found


def settle(folder: Path) -> None:
    """Date the annotations folder back past SETTLED_NS, as if nothing had changed lately."""
    past = time.time_ns() - 10 * SETTLED_NS
    os.utime(folder, ns=(past, past))


def test_saving_a_note_writes_one_articles_annotation_file(db: Path) -> None:
    with Store.open(db) as store:
        store.list_articles()
        target = store.annotations_for("scale-007")[1]
        before = files(db.parent)
        store.update_annotation_fields(target, note="ملاحظة جديدة")
        after = files(db.parent)
        changed = {name for name in after if before.get(name) != after[name]}
        assert changed == {f"reader.json.d/annotations/{'scale-007'}.json"}
        store.add_annotation(make_annotation(article(7), 30, 35))
        again = files(db.parent)
        assert {name for name in again if after.get(name) != again[name]} == changed


def test_one_articles_annotations_are_read_from_its_file_alone(db: Path) -> None:
    """Every other annotation file is garbage: reading and saving one article's highlights
    neither notices (no damage told, nothing moved aside) nor fails."""
    with Store.open(db) as store:
        annotations_dir = store.annotations_dir
        for path in annotations_dir.glob("*.json"):
            if path.name != "scale-003.json":
                path.write_text("{not json")
        found = store.annotations_for("scale-003")
        assert [a.note for a in found] == ["ملاحظة 0", "ملاحظة 10", "ملاحظة 20"]
        store.update_annotation_fields(found[0], note="بعد")
        assert store.annotations_for("scale-003")[0].note == "بعد"
        assert store.messages == []
        assert not list(annotations_dir.parent.glob("**/*.corrupt-*"))


def test_counts_follow_another_process_even_right_after_the_last_listing(db: Path) -> None:
    with Store.open(db) as store, Store.open(db) as other:
        settle(store.annotations_dir)
        assert {s.id: s.highlights for s in store.list_articles()}["scale-001"] == 3
        # The folder was settled: its stamp is kept and the next listing looks at no file.
        assert store.list_articles()[0].highlights == 3
        other.add_annotation(make_annotation(article(1), 30, 35))
        assert {s.id: s.highlights for s in store.list_articles()}["scale-001"] == 4
        # Another write within the same tick of the file system's clock leaves the folder's
        # mtime as it was: the listing just before must not have kept that stamp.
        tick = store.annotations_dir.stat().st_mtime_ns
        other.add_annotation(make_annotation(article(1), 25, 29))
        os.utime(store.annotations_dir, ns=(tick, tick))
        assert {s.id: s.highlights for s in store.list_articles()}["scale-001"] == 5
        other.delete_article("scale-001")
        assert "scale-001" not in {s.id for s in store.list_articles()}


def test_a_new_process_trusts_the_kept_stamp_only_for_the_same_folder(db: Path) -> None:
    with Store.open(db) as store:
        settle(store.annotations_dir)
        store.list_articles()  # keeps the settled folder's stamp in the counts cache
    with Store.open(db) as store:
        assert {s.id: s.highlights for s in store.list_articles()}["scale-002"] == 3
        with Store.open(db) as other:
            other.add_annotation(make_annotation(article(2), 30, 35))
    with Store.open(db) as store:
        assert {s.id: s.highlights for s in store.list_articles()}["scale-002"] == 4


def test_the_change_stamp_moves_with_every_kind_of_change(db: Path) -> None:
    with Store.open(db) as store, Store.open(db) as other:
        settle(store.annotations_dir)
        first = store.change_stamp()
        assert first.annotations is not None
        assert store.change_stamp().same_library(first)
        other.put_article(article(ARTICLES))
        second = store.change_stamp()
        assert not second.same_library(first)
        stamp = store.annotations_stamp("scale-004")
        other.add_annotation(make_annotation(article(4), 30, 35))
        assert store.annotations_stamp("scale-004") != stamp
        third = store.change_stamp()
        assert third.annotations is None, "a folder changed just now has no stamp"
        assert not third.same_library(second)
        settle(store.annotations_dir)
        assert store.change_stamp().annotations not in (None, second.annotations)
        before = store.change_stamp()
        other.put_feed(Feed(url="https://example.com/feed.xml"))
        assert store.change_stamp().feeds != before.feeds
        assert store.change_stamp().same_library(before)


@pytest.mark.parametrize(
    "doc",
    [
        {"body": "h", "title": None},
        {"body": "h", "direction": "up"},
        {"title": "no body"},
        {"body": "h", "published": 5},
        "not a record",
    ],
)
def test_the_fast_check_finds_what_the_record_check_finds(doc: object) -> None:
    good = {"body": "h", "title": "t", "direction": "rtl"}
    assert all_valid("article", {"a": good, "b": good})
    assert record_problem("article", doc) is not None
    assert not all_valid("article", {"a": good, "b": doc})


def test_search_follows_another_process_also_after_a_quiet_spell(db: Path) -> None:
    """The search index skips comparing every article while the store's change stamp has
    not moved; a note saved by another process is found at once all the same, also a second
    one saved within the same tick of the file system's clock."""
    with Store.open(db) as store, Store.open(db) as other:
        settle(store.annotations_dir)
        assert search(store, "جديدة") == []
        assert search(store, "جديدة") == []  # nothing changed: the kept stamp answers
        other.add_annotation(make_annotation(article(5), 30, 35, note="ملاحظة جديدة"))
        assert [r.article_id for r in search(store, "جديدة")] == ["scale-005"]
        tick = store.annotations_dir.stat().st_mtime_ns
        other.add_annotation(make_annotation(article(6), 30, 35, note="ملاحظة طازجة"))
        os.utime(store.annotations_dir, ns=(tick, tick))
        assert [r.article_id for r in search(store, "طازجة")] == ["scale-006"]
        other.put_article(article(ARTICLES))
        assert [r.article_id for r in search(store, f"المقال {ARTICLES}")][:1] == [
            f"scale-{ARTICLES:03d}"
        ]

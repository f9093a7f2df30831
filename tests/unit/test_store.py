"""The store's API on real TinyDB files in tmp_path: round trips, ordering, persistence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.errors import ReaderError
from reader.models import Annotation, Article, Block, EntityCorrection, Feed
from reader.store.database import SCHEMA_VERSION, Store, StoreError, shard_name


def make_article(article_id: str = "a1", **overrides: object) -> Article:
    values: dict[str, object] = {
        "id": article_id,
        "title": f"عنوان {article_id}",
        "source": f"/tmp/{article_id}.txt",
        "blocks": [Block("heading", "عنوان"), Block("paragraph", "نص عربي طويل بعض الشيء.")],
        "published": "2024-03-01",
        "added": "2024-03-02T10:00:00+00:00",
    }
    values.update(overrides)
    return Article(**values)  # type: ignore[arg-type]


def make_annotation(
    ann_id: str, article_id: str = "a1", start: int = 0, **extra: object
) -> Annotation:
    return Annotation(
        id=ann_id,
        article_id=article_id,
        start=start,
        end=start + 3,
        quote="نص ",
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "reader.json"


@pytest.fixture
def store(db_path: Path) -> Store:
    with Store.open(db_path) as opened:
        yield opened  # type: ignore[misc]


def test_store_error_is_a_reader_error() -> None:
    assert issubclass(StoreError, ReaderError)


def test_open_creates_folder_and_records_schema(db_path: Path) -> None:
    with Store.open(db_path) as store:
        assert store.path == db_path
        assert store.messages == []
        assert store.schema_version() == SCHEMA_VERSION
    saved = json.loads(db_path.read_text(encoding="utf-8"))
    assert saved["meta"]["schema"]["version"] == SCHEMA_VERSION


def test_open_without_path_uses_reader_db(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_DB", str(db_path))
    with Store.open() as store:
        store.set_setting("theme", "dark")
        assert store.path == db_path
    assert db_path.exists()


def test_article_round_trip_and_replace(store: Store) -> None:
    article = make_article(author="كاتب", feed_url="http://f/rss", entry_id="e-1")
    store.put_article(article)
    assert store.get_article("a1") == article
    changed = make_article(title="عنوان جديد", blocks=[Block("paragraph", "نص آخر")])
    store.put_article(changed)
    assert store.get_article("a1") == changed
    assert store.article_count() == 1
    assert store.get_article("missing") is None


def test_find_article_by_source_or_entry(store: Store) -> None:
    store.put_article(make_article("a1", entry_id="e-1"))
    store.put_article(make_article("a2", source="https://example.com/x", entry_id="e-2"))
    found = store.find_article(source="https://example.com/x")
    assert found is not None and found.id == "a2"
    by_entry = store.find_article(entry_id="e-1")
    assert by_entry is not None and by_entry.id == "a1"
    assert store.find_article(source="nowhere") is None
    assert store.find_article() is None


def test_list_articles_newest_first_with_counts(store: Store) -> None:
    store.put_article(make_article("old", published="2020-01-01"))
    store.put_article(make_article("new", published="2025-06-01"))
    store.put_article(make_article("undated", published="", added="2023-01-01T00:00:00+00:00"))
    store.add_annotation(make_annotation("h1", "old"))
    store.add_annotation(make_annotation("h2", "old", start=5))
    store.add_annotation(make_annotation("h3", "new"))
    listed = store.list_articles()
    assert [s.id for s in listed] == ["new", "undated", "old"]
    assert {s.id: s.highlights for s in listed} == {"new": 1, "undated": 0, "old": 2}
    assert listed[0].title == "عنوان new"


def test_delete_article_removes_its_annotations(store: Store) -> None:
    store.put_article(make_article("a1"))
    store.put_article(make_article("a2"))
    store.add_annotation(make_annotation("h1", "a1"))
    store.add_annotation(make_annotation("h2", "a2"))
    store.delete_article("a1")
    assert store.get_article("a1") is None
    assert store.annotations_for("a1") == []
    assert [a.id for a in store.all_annotations()] == ["h2"]
    store.put_article(make_article("a1"))
    assert store.annotations_for("a1") == []


def test_annotations_ordered_by_start_and_updated(store: Store) -> None:
    store.put_article(make_article())
    for ann_id, start in (("c", 20), ("a", 2), ("b", 9)):
        store.add_annotation(make_annotation(ann_id, start=start))
    assert [a.id for a in store.annotations_for("a1")] == ["a", "b", "c"]
    updated = make_annotation("b", start=9, note="ملاحظة", tags=["مهم"], color=3)
    store.update_annotation(updated)
    assert store.annotations_for("a1")[1] == updated
    assert len(store.all_annotations()) == 3


def test_delete_annotation_returns_it(store: Store, db_path: Path) -> None:
    store.put_article(make_article())
    note = make_annotation("x1", note="حذف")
    store.add_annotation(note)
    assert store.delete_annotation("x1") == note
    assert store.delete_annotation("x1") is None
    assert store.annotations_for("a1") == []
    # A fresh store (no in-memory hints) finds annotations on disk to delete.
    store.add_annotation(make_annotation("x2"))
    with Store.open(db_path) as other:
        assert other.delete_annotation("x2") is not None
    assert store.annotations_for("a1") == []


def test_unsafe_article_ids_get_hashed_file_names(store: Store) -> None:
    odd = "https://example.com/مقال?id=1/../x"
    store.put_article(make_article(odd))
    store.add_annotation(make_annotation("h1", odd))
    name = shard_name(odd)
    assert "/" not in name and name.startswith("~")
    assert [a.id for a in store.annotations_for(odd)] == ["h1"]
    assert store.list_articles()[0].highlights == 1


def test_feeds(store: Store) -> None:
    feed = Feed("https://example.com/rss", title="أخبار", etag='"e"', seen=["1", "2"])
    store.put_feed(feed)
    store.put_feed(Feed("https://a.example/atom", title="Atom"))
    assert store.get_feed("https://example.com/rss") == feed
    assert [f.title for f in store.list_feeds()] == ["Atom", "أخبار"]
    assert store.remove_feed("https://example.com/rss") is True
    assert store.remove_feed("https://example.com/rss") is False
    assert store.get_feed("https://example.com/rss") is None


def test_settings(store: Store) -> None:
    assert store.get_setting("theme") is None
    assert store.get_setting("theme", "light") == "light"
    store.set_setting("theme", "dark")
    store.set_setting("position:a1", {"block": 3, "offset": 10})
    store.set_setting("theme", "sepia")
    assert store.get_setting("theme") == "sepia"
    assert store.get_setting("position:a1") == {"block": 3, "offset": 10}
    with pytest.raises(TypeError):
        store.set_setting("bad", object())


def test_entity_corrections(store: Store) -> None:
    first = EntityCorrection("merge", "السعودية", target="المملكة العربية السعودية")
    store.add_entity_correction(first)
    assert first.id and first.created
    second = EntityCorrection("hide", "أمس", id="fixed", created="2099-01-01T00:00:00+00:00")
    store.add_entity_correction(second)
    assert store.entity_corrections() == [first, second]
    assert store.remove_entity_correction(first.id) is True
    assert store.remove_entity_correction(first.id) is False
    assert store.entity_corrections() == [second]


def test_everything_persists_across_reopen(db_path: Path) -> None:
    with Store.open(db_path) as store:
        store.put_article(make_article())
        store.add_annotation(make_annotation("h1"))
        store.put_feed(Feed("https://example.com/rss"))
        store.set_setting("theme", "dark")
        store.add_entity_correction(EntityCorrection("hide", "x", id="c1"))
    with Store.open(str(db_path)) as again:
        assert again.get_article("a1") == make_article()
        assert [a.id for a in again.annotations_for("a1")] == ["h1"]
        assert again.get_feed("https://example.com/rss") is not None
        assert again.get_setting("theme") == "dark"
        assert [c.id for c in again.entity_corrections()] == ["c1"]


def test_second_store_sees_changes_from_first(db_path: Path) -> None:
    with Store.open(db_path) as one, Store.open(db_path) as two:
        one.put_article(make_article())
        assert two.get_article("a1") is not None
        assert two.annotations_for("a1") == []
        one.add_annotation(make_annotation("h1"))
        two.add_annotation(make_annotation("h2", start=7))
        assert [a.id for a in one.annotations_for("a1")] == ["h1", "h2"]
        one.set_setting("k", 1)
        assert two.get_setting("k") == 1


def test_closed_store_refuses_writes(db_path: Path) -> None:
    store = Store.open(db_path)
    store.close()
    with pytest.raises(StoreError):
        store.set_setting("k", 1)


annotation_strategy = st.builds(
    Annotation,
    id=st.uuids().map(lambda u: u.hex),
    article_id=st.sampled_from(["a1", "a2", "https://x.example/مقال"]),
    start=st.integers(0, 500),
    end=st.integers(0, 500),
    quote=st.text(max_size=20),
    prefix=st.text(max_size=8),
    suffix=st.text(max_size=8),
    color=st.integers(1, 5),
    note=st.text(max_size=30),
    tags=st.lists(st.text(max_size=6), max_size=3),
    orphan=st.booleans(),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(annotations=st.lists(annotation_strategy, max_size=8, unique_by=lambda a: a.id))
def test_annotations_round_trip_any_text(tmp_path: Path, annotations: list[Annotation]) -> None:
    db = tmp_path / f"{len(list(tmp_path.iterdir()))}.json"
    with Store.open(db) as store:
        for annotation in annotations:
            store.add_annotation(annotation)
    with Store.open(db) as again:
        saved = sorted(again.all_annotations(), key=lambda a: a.id)
        assert saved == sorted(annotations, key=lambda a: a.id)
        for article_id in {a.article_id for a in annotations}:
            starts = [a.start for a in again.annotations_for(article_id)]
            assert starts == sorted(starts)


def test_library_counts_follow_other_writers(db_path: Path) -> None:
    with Store.open(db_path) as one, Store.open(db_path) as two:
        one.put_article(make_article("a1"))
        assert one.list_articles()[0].highlights == 0
        two.add_annotation(make_annotation("h1"))
        two.add_annotation(make_annotation("h2", start=4))
        assert one.list_articles()[0].highlights == 2
        two.delete_annotation("h1")
        assert one.list_articles()[0].highlights == 1
    cache = db_path.with_name("reader.json.d") / "counts-cache.json"
    assert cache.exists()
    cache.write_text("not json", encoding="utf-8")
    with Store.open(db_path) as again:
        assert again.list_articles()[0].highlights == 1
        assert again.messages == []


def test_threads_sharing_one_store_lose_nothing(store: Store) -> None:
    import threading

    store.put_article(make_article())

    def work(prefix: str) -> None:
        for n in range(25):
            store.add_annotation(make_annotation(f"{prefix}{n}", start=n))
            store.set_setting(f"last:{prefix}", n)

    threads = [threading.Thread(target=work, args=(p,)) for p in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.annotations_for("a1")) == 100
    assert [store.get_setting(f"last:{p}") for p in "abcd"] == [24] * 4

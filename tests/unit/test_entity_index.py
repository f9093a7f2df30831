"""The library-wide entity index (`reader.entities.index`) over a real store on disk.

What the index says is checked against the extractor run article by article: the index must
hold exactly what `Extractor.extract(article.text, corrections)` finds, summed over the
library, and follow text changes, corrections, a new model signature, removals and damage.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from helpers.entity_library import TEXTS, news_article

from reader.entities.extractor import Extractor
from reader.entities.index import INDEX_NAME, EntityIndex, entity_key, model_signature
from reader.models import Annotation, EntityCorrection
from reader.store.database import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "db" / "reader.json")
    opened.put_articles(news_article(key) for key in TEXTS)
    return opened


def expected(
    store: Store, extractor: Extractor, corrections: list[EntityCorrection] | None = None
) -> dict[str, tuple[int, int]]:
    """Per entity key, (articles, mentions), from the extractor run on each article."""
    articles: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    for summary in store.list_articles():
        found = store.get_article(summary.id)
        assert found is not None
        spans: dict[str, set[tuple[int, int]]] = {}
        for entity in extractor.extract(found.text, corrections or []):
            spans.setdefault(entity_key(entity.type, entity.name), set()).update(
                (m.start, m.end) for m in entity.mentions
            )
        for key, found_spans in spans.items():
            articles[key] += 1
            mentions[key] += len(found_spans)
    return {key: (articles[key], mentions[key]) for key in articles}


def indexed(index: EntityIndex) -> dict[str, tuple[int, int]]:
    return {e.key: (e.articles, e.mentions) for e in index.entities()}


def test_the_index_holds_what_the_extractor_finds_in_every_article(
    store: Store, extractor: Extractor
) -> None:
    with EntityIndex.open(store, extractor) as index:
        assert sorted(index.stale()) == ["a1", "a2", "a3"]
        seen: list[tuple[int, int]] = []
        assert index.update(progress=lambda done, total: seen.append((done, total))) == 3
        assert seen[0] == (0, 3) and seen[-1] == (3, 3)
        assert index.stale() == []
        assert index.is_current()
        assert indexed(index) == expected(store, extractor)
        ranked = index.entities()
        assert [(-e.articles, -e.mentions) for e in ranked] == sorted(
            (-e.articles, -e.mentions) for e in ranked
        )
        musk = index.find("إيلون ماسك")
        assert musk is not None and musk.type == "PERSON" and musk.articles == 2
        assert (musk.first, musk.last) == ("2025-03-01", "2025-03-05")
        assert index.update() == 0  # nothing changed: nothing extracted again
    assert (store.folder / INDEX_NAME).is_file()


def test_filters_by_type_folded_text_and_dates(store: Store, extractor: Extractor) -> None:
    with EntityIndex.open(store, extractor) as index:
        index.update()
        people = index.entities(type="PERSON")
        assert people and all(e.type == "PERSON" for e in people)
        # Typed without hamza and with harakat: found as find finds it.
        assert [e.name for e in index.entities(text="ايلُون")] == ["إيلون ماسك"]
        march = {e.key: e.articles for e in index.entities(since="2025-03-01")}
        assert march[entity_key("PERSON", "إيلون ماسك")] == 2
        assert entity_key("ORG", "مايكروسوفت") not in march  # only in February's article
        february = index.entities(until="2025-02-28")
        assert {e.key for e in february} == set(expected_one(store, extractor, "a3"))
        assert all(e.articles == 1 and e.last <= "2025-02-28" for e in february)


def expected_one(store: Store, extractor: Extractor, key: str) -> set[str]:
    found = store.get_article(key)
    assert found is not None
    return {entity_key(e.type, e.name) for e in extractor.extract(found.text)}


def test_hits_are_every_mention_newest_article_first_with_snippets(
    store: Store, extractor: Extractor
) -> None:
    with EntityIndex.open(store, extractor) as index:
        index.update()
        musk = index.find("ماسك", "PERSON") or index.find("إيلون ماسك", "PERSON")
        assert musk is not None
        hits = index.hits(musk.key)
        assert [h.article_id for h in hits] == ["a2"] * 2 + ["a1"] * 2
        assert len(hits) == musk.mentions
        for hit in hits:
            text = (store.get_article(hit.article_id) or news_article("a1")).text
            assert "ماسك" in text[hit.start : hit.end]
            assert hit.snippet[hit.snippet_start : hit.snippet_end] == text[hit.start : hit.end]
            assert hit.title == TEXTS[hit.article_id][1]
            assert hit.published == TEXTS[hit.article_id][0]
        starts = [h.start for h in hits if h.article_id == "a1"]
        assert starts == sorted(starts)


def test_notes_are_the_annotations_whose_passage_mentions_it(
    store: Store, extractor: Extractor
) -> None:
    text = news_article("a1").text
    at = text.index("سام ألتمان")
    other = text.index("ليست للبيع")
    store.add_annotation(
        Annotation(
            id="n1",
            article_id="a1",
            start=at - 5,
            end=at + 10,
            quote=text[at - 5 : at + 10],
            note="مهم",
        )
    )
    store.add_annotation(
        Annotation(
            id="n2", article_id="a1", start=other, end=other + 10, quote=text[other : other + 10]
        )
    )
    with EntityIndex.open(store, extractor) as index:
        index.update()
        altman = index.find("سام ألتمان", "PERSON")
        assert altman is not None
        notes = index.notes(altman.key)
        assert [(n.article_id, n.annotation.id, n.annotation.note) for n in notes] == [
            ("a1", "n1", "مهم")
        ]


def test_a_changed_text_is_extracted_again_and_a_removed_article_dropped(
    store: Store, extractor: Extractor
) -> None:
    with EntityIndex.open(store, extractor) as index:
        index.update()
        store.put_article(
            news_article(
                "a3", "أعلنت شركة مايكروسوفت في دبي عن مركز جديد، وقال ساتيا ناديلا إن دبي مهمة."
            )
        )
        assert index.stale() == ["a3"]
        assert index.update() == 1
        assert indexed(index) == expected(store, extractor)
        assert index.find("دبي", "LOC") is not None
        store.delete_article("a2")
        assert index.update() == 0
        assert indexed(index) == expected(store, extractor)
        assert index.find("القاهرة") is None


@pytest.mark.parametrize(
    "correction",
    [
        EntityCorrection("hide", "إيلون ماسك"),
        EntityCorrection("retype", "OpenAI", type="MISC"),
        EntityCorrection("rename", "إيلون ماسك", target="Elon Musk"),
        EntityCorrection("merge", "ألتمان", target="إيلون ماسك"),
        EntityCorrection("add", "معرض التقنية", type="MISC"),
    ],
    ids=lambda c: c.action,
)
def test_corrections_apply_at_once_without_running_the_model(
    store: Store, extractor: Extractor, correction: EntityCorrection
) -> None:
    with EntityIndex.open(store, extractor) as index:
        index.update()
        before = indexed(index)
        store.add_entity_correction(correction)
        assert not index.is_current()
        assert index.stale() == []  # nothing to extract: the model is not run again
        assert index.update() == 0
        after = indexed(index)
        assert after == expected(store, extractor, store.entity_corrections())
        assert after != before
        store.remove_entity_correction(store.entity_corrections()[0].id)
        assert index.update() == 0
        assert indexed(index) == before


def test_another_model_signature_extracts_everything_again(
    store: Store, extractor: Extractor
) -> None:
    with EntityIndex.open(store, extractor) as index:
        assert index.signature == model_signature()
        index.update()
    with EntityIndex.open(store, extractor, signature="another model") as index:
        assert sorted(index.stale()) == ["a1", "a2", "a3"]
        assert index.update() == 3
        assert indexed(index) == expected(store, extractor)
    with EntityIndex.open(store, extractor, signature="another model") as index:
        assert index.stale() == []


def test_a_damaged_index_is_rebuilt(store: Store, extractor: Extractor) -> None:
    with EntityIndex.open(store, extractor) as index:
        index.update()
        want = indexed(index)
    path = store.folder / INDEX_NAME
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    path.write_bytes(b"not a database at all " * 200)
    with EntityIndex.open(store, extractor) as index:
        assert index.update() == 3
        assert indexed(index) == want
    with sqlite3.connect(path) as connection:  # a table gone: the next update rebuilds
        connection.execute("DROP TABLE mentions")
    with EntityIndex.open(store, extractor) as index:
        assert indexed(index) == want
        store.put_article(news_article("a3", "زار ساتيا ناديلا مدينة دبي."))
        index.update()
        assert indexed(index) == expected(store, extractor)


def test_should_stop_leaves_the_rest_for_the_next_update(
    store: Store, extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reader.entities.index.BATCH", 1)
    with EntityIndex.open(store, extractor) as index:
        calls: list[int] = []

        def stop() -> bool:
            calls.append(1)
            return len(calls) > 1

        assert index.update(should_stop=stop) == 1
        assert len(index.stale()) == 2 and not index.is_current()
        assert index.update() == 2
        assert indexed(index) == expected(store, extractor)


def test_hits_can_leave_snippets_for_later_and_fill_them_the_same(
    store: Store, extractor: Extractor
) -> None:
    with EntityIndex.open(store, extractor) as index:
        index.update()
        musk = index.find("ماسك", "PERSON") or index.find("إيلون ماسك", "PERSON")
        assert musk is not None
        every = index.hits(musk.key)
        first = index.hits(musk.key, snippets=1)
        assert [h.snippet for h in first[1:]] == [""] * (len(every) - 1)
        assert first[0] == every[0]
        assert index.with_snippets(first) == every
        assert all(h.snippet for h in every)

"""Search across the library: folding, proclitics, phrases, every word, notes and tags, the
index kept up to date and rebuilt, and `reader search` on the command line.

Every test uses a real store on disk (and the real CLI, through its entry point, where it says
so); the expected offsets are found in the article text the test wrote, by the words the test chose.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.models import Annotation, Article, Block
from reader.search import INDEX_NAME, SearchIndex, parse_query, search
from reader.search.index import SearchError
from reader.store.database import Store

# Harakat, tatweel, hamza on alef, taa marbuta, alef maqsura: what the folding is about.
SCHOOL = "ذَهَبَ الطّالبُ إلى المدرســةِ صباحاً"
UN = "قال الرئيس إن للأمم المتحدة دورا كبيرا في السلام"
REVERSED = "المتحدة دول كثيرة وليست الأمم وحدها"
BOOK = "وبالكتابِ نتعلم الكتابة"


def _article(article_id: str, title: str, *paragraphs: str, source: str = "") -> Article:
    return Article(
        id=article_id,
        title=title,
        source=source or f"/tmp/{article_id}.txt",
        blocks=[Block("paragraph", text) for text in paragraphs],
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "reader.json")
    opened.put_articles(
        [
            _article("school", "يوم دراسي", SCHOOL),
            _article("un", "الأمم المتحدة", UN, "سطر ثان"),
            _article("reversed", "دول", REVERSED),
            _article("book", "Reading", BOOK, source="https://example.org/book"),
        ]
    )
    yield opened
    opened.close()


def _ids(store: Store, query: str) -> set[str]:
    return {result.article_id for result in search(store, query)}


def test_folding_ignores_harakat_tatweel_and_unifies_letter_forms(store: Store) -> None:
    # "الي" for إلى (hamza alef and alef maqsura), "مدرسه" for المدرســةِ (tatweel, kasra,
    # taa marbuta, behind the article), "طالب" for الطّالبُ (shadda, damma).
    results = search(store, "طالب الي مدرسه")
    assert [r.article_id for r in results] == ["school"]
    text = SCHOOL
    expected = [
        (text.index("الطّالبُ"), text.index("الطّالبُ") + len("الطّالبُ")),
        (text.index("إلى"), text.index("إلى") + len("إلى")),
        (text.index("المدرســةِ"), text.index("المدرســةِ") + len("المدرســةِ")),
    ]
    assert [(m.start, m.end) for m in results[0].matches if m.field == "text"] == expected
    assert results[0].position == expected[0][0]


def test_proclitics_come_off_the_front_but_suffixes_do_not_match(store: Store) -> None:
    assert _ids(store, "كتاب") == {"book"}  # وبالكتابِ: و + بال + كتاب
    hit = search(store, "كتاب")[0]
    assert [(m.start, m.end) for m in hit.matches] == [(0, len("وبالكتابِ"))]
    assert _ids(store, "الكتاب") == {"book"}  # و + ب + الكتاب
    assert _ids(store, "الأمم") == {"un", "reversed"}  # للأمم is ل + الأمم
    assert _ids(store, "تعلم") == set()  # نتعلم: ن is no proclitic
    assert _ids(store, "كتابات") == set()


def test_proclitics_come_off_the_query_word_too(tmp_path: Path) -> None:
    riyadh = "وصل الوفد إلى الرياض أمس"
    and_riyadh = "عاد الفريق والرياض تستعد"
    minister = "قال الوزير إن الخطة جاهزة"
    ball = "لعب الأطفال الكرة في الحديقة"
    to_him = "قال له إن الأمر انتهى"
    with Store.open(tmp_path / "reader.json") as store:
        store.put_articles(
            [
                _article("riyadh", "خبر", riyadh),
                _article("and-riyadh", "خبر", and_riyadh),
                _article("minister", "خبر", minister),
                _article("ball", "خبر", ball),
                _article("to-him", "خبر", to_him),
            ]
        )
        assert _ids(store, "بالرياض") == {"riyadh", "and-riyadh"}
        assert _ids(store, "والرياض") == {"riyadh", "and-riyadh"}
        assert _ids(store, "للرياض") == {"riyadh", "and-riyadh"}
        assert _ids(store, "وزير") == {"minister"}
        assert _ids(store, "بالوزير") == {"minister"}
        # The matches marked are the words as written, proclitics and all.
        (hit,) = search(store, "بالرياض الوفد")
        at = riyadh.index("الرياض")
        assert (at, at + len("الرياض")) in [(m.start, m.end) for m in hit.matches]
        # A lone و ف ب ل ك stays on a query word: it is as often the word's own first letter.
        assert _ids(store, "فكرة") == set()  # not ف + كرة
        assert _ids(store, "كرة") == {"ball"}
        # The article comes off only when three letters are left: الله is not ال + له.
        assert _ids(store, "الله") == set()
        # A phrase takes the query's proclitics at its front, as the text's.
        assert _ids(store, '"بالرياض تستعد"') == {"and-riyadh"}
        assert _ids(store, '"بالرياض أمس"') == {"riyadh"}
        assert _ids(store, '"الرياض والوفد"') == set()


@given(st.text(alphabet="اأبتةىيـًٌٍَُِّْٰßﬁ ", max_size=40))
@settings(max_examples=200, deadline=None)
def test_the_lazy_fold_maps_back_as_the_full_fold_does(text: str) -> None:
    from reader.text.arabic import fold, fold_lazily

    folded, index_map = fold(text)
    lazily, original = fold_lazily(text)
    assert lazily == folded
    assert [original(i) for i in range(len(folded) + 1)] == index_map


def test_a_match_deep_in_a_long_article_gives_its_snippet_and_every_match(
    tmp_path: Path,
) -> None:
    filler = " ".join(["كلام عادي عن الطقس"] * 300)  # 5,700 characters without a match
    second = "ثم " * 20 + "زار الوزير مدينة جدة " + "وبعدها " * 30 + "عاد الوزير"
    third = filler + " وختاما الوزير"
    with Store.open(tmp_path / "reader.json") as store:
        store.put_article(_article("long", "تقرير", filler, second, third))
        text = store.get_article("long").text  # type: ignore[union-attr]
        (hit,) = search(store, "وزير")
        first = text.index("زار الوزير") + len("زار ")
        expected = [
            (at, at + len("الوزير"))
            for at in (first, text.index("عاد الوزير") + len("عاد "), text.rindex("الوزير"))
        ]
        assert hit.position == first
        assert "زار الوزير مدينة جدة" in hit.snippet
        assert [hit.snippet[s:e] for s, e in hit.snippet_matches] == ["الوزير"]
        assert [(m.start, m.end) for m in hit.matches if m.field == "text"] == expected


def test_several_words_mean_all_of_them(store: Store) -> None:
    assert _ids(store, "الأمم المتحدة") == {"un", "reversed"}
    assert _ids(store, "الأمم السلام") == {"un"}
    assert _ids(store, "الأمم مدرسة") == set()
    # across fields: a word of the title and a word of the text
    assert _ids(store, "دراسي صباحا") == {"school"}


def test_quotes_mean_a_phrase(store: Store) -> None:
    results = search(store, '"الأمم المتحدة"')
    assert [r.article_id for r in results] == ["un"]
    start = UN.index("للأمم")
    text_matches = [(m.start, m.end) for m in results[0].matches if m.field == "text"]
    assert text_matches == [(start, start + len("للأمم المتحدة"))]
    assert _ids(store, "«المتحدة الأمم»") == set()  # the words are there, not in that order
    # a phrase does not run from one paragraph into the next
    assert _ids(store, '"السلام سطر"') == set()
    assert _ids(store, "السلام سطر") == {"un"}


def test_a_phrase_takes_proclitics_at_its_front_only(tmp_path: Path) -> None:
    with Store.open(tmp_path / "reader.json") as store:
        store.put_articles(
            [
                _article("front", "خبر", "اجتمع الوزير بوزارة الصحة أمس"),
                _article("inside", "خبر", "اجتمع الوزير في وزارة والصحة أمس"),
            ]
        )
        assert _ids(store, '"وزارة الصحة"') == {"front"}
        assert _ids(store, "وزارة الصحة") == {"front", "inside"}  # two words: each anywhere
        (hit,) = search(store, '"وزارة الصحة"')
        start = "اجتمع الوزير بوزارة الصحة أمس".index("بوزارة")
        assert [(m.start, m.end) for m in hit.matches] == [(start, start + len("بوزارة الصحة"))]


def test_titles_and_sources_are_searched(store: Store) -> None:
    hit = search(store, "reading")[0]
    assert hit.article_id == "book"
    assert [(m.field, m.start, m.end) for m in hit.matches] == [("title", 0, 7)]
    assert _ids(store, "example") == {"book"}


def test_notes_and_tags_are_searched_and_open_at_their_highlight(store: Store) -> None:
    start = SCHOOL.index("صباحاً")
    store.add_annotation(
        Annotation(
            id="note-1",
            article_id="school",
            start=start,
            end=start + len("صباحاً"),
            quote="صباحاً",
            note="موعد الحافلة مبكر",
            tags=["نقل", "mornings"],
        )
    )
    results = search(store, "حافلة")
    assert [r.article_id for r in results] == ["school"]
    assert results[0].position == start
    note = "موعد الحافلة مبكر"
    assert [(m.field, m.start, m.end, m.annotation_id) for m in results[0].matches] == [
        ("note", note.index("الحافلة"), note.index("الحافلة") + len("الحافلة"), "note-1")
    ]
    assert results[0].snippet == note
    tags = search(store, "mornings")[0]
    assert [(m.field, m.start, m.end) for m in tags.matches] == [("tag", 4, 12)]


def _highlight(article_text: str, quote: str, annotation_id: str, **fields: object) -> Annotation:
    start = article_text.index(quote)
    return Annotation(
        id=annotation_id,
        article_id=fields.pop("article_id", "school"),  # type: ignore[arg-type]
        start=start,
        end=start + len(quote),
        quote=quote,
        **fields,  # type: ignore[arg-type]
    )


def test_results_say_whether_the_hit_is_in_the_article_a_highlight_or_a_note(
    store: Store,
) -> None:
    (plain,) = search(store, "مدرسة")
    assert (plain.where, plain.in_notes, plain.snippet_annotation) == ("text", False, "")
    store.add_annotation(_highlight(SCHOOL, "المدرســةِ", "h-1"))
    (highlighted,) = search(store, "مدرسة")
    assert (highlighted.where, highlighted.in_notes) == ("highlight", True)
    assert highlighted.snippet_annotation == "h-1"
    assert [(m.field, m.place, m.annotation_id) for m in highlighted.matches] == [
        ("text", "highlight", "h-1")
    ]
    store.update_annotation_fields(store.annotations_for("school")[0], note="مدرسة قديمة")
    (noted,) = search(store, "مدرسة")
    assert noted.where == "text" or noted.where == "highlight"  # the text comes first ...
    assert {(m.field, m.place) for m in noted.matches} == {
        ("text", "highlight"),
        ("note", "note"),
    }
    (only_note,) = search(store, "قديمه")  # ... a word only the note has shows the note
    assert (only_note.where, only_note.snippet, only_note.snippet_annotation) == (
        "note",
        "مدرسة قديمة",
        "h-1",
    )
    assert only_note.position == SCHOOL.index("المدرســةِ")


def test_an_orphan_highlight_is_found_by_its_quote(store: Store) -> None:
    store.add_annotation(
        Annotation(
            id="lost",
            article_id="school",
            start=0,
            end=10,
            quote="قطار الصباح المتأخر",
            orphan=True,
        )
    )
    (hit,) = search(store, "المتاخر")
    assert hit.article_id == "school"
    assert hit.where == "highlight"
    assert hit.snippet == "قطار الصباح المتأخر"
    assert [(m.field, m.start, m.annotation_id) for m in hit.matches] == [
        ("highlight", "قطار الصباح المتأخر".index("المتأخر"), "lost")
    ]


def test_the_index_follows_notes_added_changed_and_deleted(store: Store) -> None:
    assert _ids(store, "رحلة") == set()
    store.add_annotation(_highlight(SCHOOL, "صباحاً", "trip", note="رحلة مدرسية"))
    assert _ids(store, "رحلة") == {"school"}
    assert _ids(store, "الرحلة") == {"school"}  # the article comes off the query too
    assert _ids(store, "مدرسية") == {"school"}  # the note's words, not the article's
    store.update_annotation_fields(store.annotations_for("school")[0], note="زيارة", tags=["سفر"])
    assert _ids(store, "رحلة") == set()
    assert _ids(store, "زيارة") == {"school"}
    assert _ids(store, "بالسفر") == {"school"}  # proclitics come off the query as well
    assert _ids(store, "سفر") == {"school"}
    store.delete_annotation("trip")
    assert _ids(store, "زيارة") == set()
    assert _ids(store, "سفر") == set()


def test_an_index_of_the_previous_version_is_rebuilt(store: Store) -> None:
    import sqlite3

    path = store.folder / INDEX_NAME
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('version', '1');"
        "CREATE TABLE articles(rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, "
        "stamp TEXT NOT NULL);"
        "CREATE VIRTUAL TABLE docs USING fts5(title, source, body, notes, tags);"
    )
    old.close()
    store.add_annotation(
        Annotation(id="o", article_id="un", start=0, end=3, quote="نهر النيل", orphan=True)
    )
    assert _ids(store, "النيل") == {"un"}
    with SearchIndex.open(store) as index:
        columns = [row[1] for row in index.connection.execute("PRAGMA table_info(docs)")]
    assert columns == ["title", "source", "body", "notes", "tags", "highlights"]


def test_snippet_is_logical_text_around_the_match(tmp_path: Path) -> None:
    filler = " ".join(["كلمة"] * 60)
    with Store.open(tmp_path / "reader.json") as store:
        store.put_article(_article("long", "طويل", filler + " النهاية السعيدة " + filler))
        (hit,) = search(store, "نهايه")
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) <= 160 + 2
    (start, end) = hit.snippet_matches[0]
    assert hit.snippet[start:end] == "النهاية"
    assert hit.position == len(filler) + 1


def test_the_index_follows_adds_edits_and_removals(store: Store) -> None:
    assert _ids(store, "قطار") == set()
    store.put_article(_article("train", "قطار", "وصل القطار"))
    assert _ids(store, "قطار") == {"train"}
    store.put_article(_article("train", "حافلة", "وصلت الحافلة"))  # the same article, changed
    assert _ids(store, "قطار") == set()
    assert _ids(store, "حافلة") == {"train"}
    store.delete_article("train")
    assert _ids(store, "حافلة") == set()


def test_a_damaged_or_missing_index_is_rebuilt_from_the_store(store: Store) -> None:
    assert _ids(store, "كتاب") == {"book"}
    index_file = store.folder / INDEX_NAME
    assert index_file.is_file()
    index_file.write_bytes(b"this is not a database" * 100)
    assert _ids(store, "كتاب") == {"book"}
    index_file.unlink()
    assert _ids(store, "كتاب") == {"book"}
    with SearchIndex.open(store) as index:
        assert index.rebuild() == 4


def test_a_query_without_words_is_one_sentence(store: Store) -> None:
    assert parse_query('"" ؟ ...').terms == ()
    with pytest.raises(SearchError, match="Nothing to search for"):
        search(store, "؟!")


# ------------------------------------------------------------------------ the command line


def test_cli_search_finds_what_reader_add_added(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    page = tmp_path / "news.txt"
    page.write_text("---\ntitle: أخبار الطقس\n---\nتساقطت الأمطار على المدينة.\n", "utf-8")
    assert run_cli(db, "add", str(page)).returncode == 0
    assert (db.with_name("reader.json.d") / INDEX_NAME).is_file()  # indexed when added
    found = run_cli(db, "search", "--json", "امطار")
    assert found.returncode == 0, found.stderr
    (row,) = json.loads(found.stdout)
    assert row["title"] == "أخبار الطقس"
    body = "تساقطت الأمطار على المدينة."
    start = body.index("الأمطار")
    assert row["matches"] == [
        {"field": "text", "where": "text", "start": start, "end": start + len("الأمطار")}
    ]
    assert row["where"] == "text"
    assert row["position"] == start
    assert row["snippet"] == body
    assert row["snippet_matches"] == [[start, start + len("الأمطار")]]
    text = run_cli(db, "search", "مدينه", "أمطار")
    assert text.returncode == 0
    assert "أخبار الطقس" in text.stdout
    assert "[الأمطار]" in text.stdout and "[المدينة]" in text.stdout


def test_cli_search_says_where_each_hit_is(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    with Store.open(db) as store:
        store.put_article(_article("school", "يوم دراسي", SCHOOL))
        store.add_annotation(_highlight(SCHOOL, "صباحاً", "trip", note="رحلة إلى المتحف"))
    text = run_cli(db, "search", "متحف")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "يوم دراسي (id school)"
    assert lines[1] == "    in a note: رحلة إلى [المتحف]"
    in_text = run_cli(db, "search", "مدرسه")
    assert in_text.stdout.splitlines()[1].startswith("    in the text: ")
    (row,) = json.loads(run_cli(db, "search", "--json", "متحف").stdout)
    assert (row["where"], row["snippet_field"], row["snippet_annotation"]) == (
        "note",
        "note",
        "trip",
    )
    assert row["matches"][0]["annotation"] == "trip"
    assert row["position"] == SCHOOL.index("صباحاً")


def test_cli_search_without_a_match_or_words_says_so(tmp_path: Path) -> None:
    db = tmp_path / "reader.json"
    none = run_cli(db, "search", "غائب")
    assert none.returncode == 1
    assert "No article matches" in none.stdout
    empty = run_cli(db, "search", "!!")
    assert empty.returncode == 1
    assert empty.stderr.strip() == (
        "reader: Nothing to search for: the query has no letters or digits."
    )
    assert "Traceback" not in empty.stderr


# ------------------------------------------------------------------------ property

_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآةى"
_MARKS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0640"
_WORD = st.lists(
    st.tuples(st.sampled_from(_LETTERS), st.sampled_from(["", "", *_MARKS])), min_size=2, max_size=8
).map(lambda pairs: "".join(letter + mark for letter, mark in pairs))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_WORD, min_size=1, max_size=12))
def test_every_word_of_an_article_finds_it(words: list[str]) -> None:
    from reader.text.arabic import fold_plain

    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "r.json") as store:
        store.put_article(_article("other", "آخر", "نص لا علاقة له"))
        store.put_article(_article("words", "كلمات", " ".join(words)))
        for word in words:
            folded = fold_plain(word)
            if not folded:
                continue
            assert "words" in _ids(store, folded), (word, folded)

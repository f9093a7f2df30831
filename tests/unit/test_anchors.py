"""Annotations: making them, and re-anchoring them when the article text changes."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.errors import ReaderError
from reader.models import Annotation, Article, Block, text_hash
from reader.notes.anchors import (
    CONTEXT,
    FUZZY_MIN_QUOTE,
    FUZZY_MIN_RATIO,
    make_annotation,
    reanchor,
    reanchor_article,
)

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_23062d0d2c77e25f.txt"


def _article(text: str, article_id: str = "a1") -> Article:
    return Article(
        id=article_id,
        title="t",
        source="s",
        blocks=[Block("paragraph", part) for part in text.split("\n")],
    )


def _seed_article() -> Article:
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Article(
        id="seed",
        title=lines[0],
        source=str(SEED),
        blocks=[Block("paragraph", line) for line in lines],
    )


# --- text_hash and make_annotation ------------------------------------------------------


def test_text_hash_is_stable_and_sensitive() -> None:
    assert text_hash("مرحبا") == text_hash("مرحبا")
    assert text_hash("مرحبا") != text_hash("مرحبا ")
    assert re.fullmatch(r"[0-9a-f]{16}", text_hash(""))


def test_make_annotation_records_quote_context_hash() -> None:
    article = _seed_article()
    text = article.text
    start = text.index("OpenAI")
    annotation = make_annotation(article, start - 6, start + 6, color=3, note="ملاحظة", tags=["x"])
    assert annotation.quote == text[start - 6 : start + 6]
    assert "OpenAI" in annotation.quote
    assert annotation.prefix == text[start - 6 - CONTEXT : start - 6]
    assert len(annotation.prefix) == CONTEXT
    assert annotation.suffix == text[start + 6 : start + 6 + CONTEXT]
    assert annotation.text_hash == text_hash(text)
    assert re.fullmatch(r"[0-9a-f]{32}", annotation.id)
    assert annotation.article_id == "seed"
    assert (annotation.color, annotation.note, annotation.tags) == (3, "ملاحظة", ["x"])
    assert annotation.created and annotation.created == annotation.updated
    assert not annotation.orphan


def test_make_annotation_context_is_clipped_at_text_edges() -> None:
    article = _article("أهلا وسهلا")
    annotation = make_annotation(article, 0, 4)
    assert (annotation.prefix, annotation.quote, annotation.suffix) == ("", "أهلا", " وسهلا")


def test_each_annotation_gets_its_own_id() -> None:
    article = _article("نص قصير")
    assert make_annotation(article, 0, 2).id != make_annotation(article, 0, 2).id


@pytest.mark.parametrize(("start", "end"), [(-1, 2), (3, 3), (5, 2), (0, 99)])
def test_make_annotation_rejects_spans_outside_the_text(start: int, end: int) -> None:
    with pytest.raises(ReaderError, match="not inside the text"):
        make_annotation(_article("نص قصير"), start, end)


def test_make_annotation_rejects_unknown_colours() -> None:
    with pytest.raises(ReaderError, match="colour 6"):
        make_annotation(_article("نص قصير"), 0, 2, color=6)


# --- reanchor ---------------------------------------------------------------------------


def test_unchanged_text_keeps_the_offsets() -> None:
    article = _seed_article()
    start = article.text.index("ChatGPT")
    annotation = make_annotation(article, start, start + 7, note="n")
    placed = reanchor(annotation, article.text)
    assert (placed.start, placed.end, placed.quote, placed.orphan) == (
        start,
        start + 7,
        "ChatGPT",
        False,
    )
    assert placed.note == "n"
    assert placed is not annotation


def test_insertion_before_moves_the_annotation() -> None:
    article = _seed_article()
    text = article.text
    start = text.index("سام ألتمان")
    annotation = make_annotation(article, start, start + len("سام ألتمان"))
    new_text = "مقدمة جديدة للمقال.\n" + text
    placed = reanchor(annotation, new_text)
    assert placed.start == start + len("مقدمة جديدة للمقال.\n")
    assert new_text[placed.start : placed.end] == "سام ألتمان"
    assert placed.text_hash == text_hash(new_text)
    assert placed.prefix == new_text[placed.start - CONTEXT : placed.start]


def test_nearest_exact_occurrence_wins() -> None:
    text = "قال ماسك كلاما. " * 3
    article = _article(text)
    second = text.index("ماسك", 10)
    annotation = make_annotation(article, second, second + 4)
    # Shift everything by two characters: the nearest "ماسك" is the same one.
    placed = reanchor(annotation, "xx" + text)
    assert placed.start == second + 2


def test_context_breaks_ties_between_equally_near_occurrences() -> None:
    # The quote sits 6 characters left and 6 right of the old start; only the right one
    # has the old prefix and suffix around it.
    new_text = "zzzzzz كلمة www" + "قبل " + "كلمة بعد"
    left = new_text.index("كلمة")
    right = new_text.index("كلمة", left + 1)
    assert (right - left) % 2 == 0
    middle = (left + right) // 2
    annotation = Annotation(
        id="x",
        article_id="a",
        start=middle,
        end=middle + 4,
        quote="كلمة",
        prefix="قبل ",
        suffix=" بعد",
    )
    assert reanchor(annotation, new_text).start == right
    # Swap the context onto the left occurrence: the left one wins.
    mirrored = "قبل كلمة بعد" + " ww " + "كلمة zz"
    left = mirrored.index("كلمة")
    right = mirrored.index("كلمة", left + 1)
    annotation.start = annotation.end = (left + right) // 2
    annotation.end += 4
    assert right - annotation.start == annotation.start - left
    assert reanchor(annotation, mirrored).start == left


def test_small_edit_inside_the_quote_is_found_fuzzily() -> None:
    article = _seed_article()
    text = article.text
    phrase = "وقد أثارت هذه الأخبار ضجة كبيرة"
    start = text.index(phrase)
    annotation = make_annotation(article, start, start + len(phrase), note="مهم")
    edited = text.replace("ضجة كبيرة", "ضجة هائلة")
    placed = reanchor(annotation, edited)
    assert not placed.orphan
    assert placed.quote == "وقد أثارت هذه الأخبار ضجة هائلة"
    assert edited[placed.start : placed.end] == placed.quote
    assert placed.note == "مهم"


def test_deleted_quote_becomes_an_orphan_and_keeps_everything() -> None:
    article = _seed_article()
    text = article.text
    line = article.blocks[1].text
    start = text.index(line)
    annotation = make_annotation(article, start, start + len(line), note="ملاحظتي", tags=["t"])
    new_text = text.replace(line + "\n", "")
    orphan = reanchor(annotation, new_text)
    assert orphan.orphan
    assert (orphan.quote, orphan.note, orphan.tags) == (line, "ملاحظتي", ["t"])
    # When the text comes back, the orphan is placed again.
    back = reanchor(orphan, text)
    assert not back.orphan
    assert text[back.start : back.end] == line


def test_short_quotes_are_never_placed_fuzzily() -> None:
    annotation = make_annotation(_article("هذا نص"), 0, 3)
    assert reanchor(annotation, "هذه نص").orphan


def test_unrelated_text_orphans() -> None:
    article = _seed_article()
    start = article.text.index("مارك توبيروف")
    annotation = make_annotation(article, start, start + len("مارك توبيروف"))
    assert reanchor(annotation, "The quick brown fox jumps over the lazy dog. " * 20).orphan


# --- property: random edits --------------------------------------------------------------

ALPHABET = "ابتثجحخدذرسشصضطظعغفقكلمنهوي ءةى.،؟\nOpenAI 0123"

_text = st.text(alphabet=ALPHABET, min_size=1, max_size=200)
_edit = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]),
    st.floats(0, 1),
    st.floats(0, 1),
    st.text(alphabet=ALPHABET, max_size=20),
)


def _apply(text: str, edits: list[tuple[str, float, float, str]]) -> str:
    for kind, a, b, piece in edits:
        i = int(a * len(text))
        j = min(len(text), i + int(b * 30))
        if kind == "insert":
            text = text[:i] + piece + text[i:]
        elif kind == "delete":
            text = text[:i] + text[j:]
        else:
            text = text[:i] + piece + text[j:]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=_text,
    spans=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 40)), min_size=1, max_size=5),
    edits=st.lists(_edit, max_size=6),
)
def test_reanchored_annotations_carry_their_quote_or_are_orphans(
    text: str, spans: list[tuple[float, int]], edits: list[tuple[str, float, float, str]]
) -> None:
    article = _article(text)
    annotations = []
    for where, length in spans:
        start = min(int(where * len(text)), len(text) - 1)
        end = min(len(text), start + length)
        annotations.append(make_annotation(article, start, end, note="ن"))
    new_text = _apply(text, edits)
    for annotation in annotations:
        result = reanchor(annotation, new_text)
        assert result.id == annotation.id and result.note == "ن"
        if result.orphan:
            assert result.quote == annotation.quote
        else:
            assert 0 <= result.start < result.end <= len(new_text)
            assert new_text[result.start : result.end] == result.quote
            if result.quote != annotation.quote:  # fuzzy: must be close to the old quote
                assert len(annotation.quote) >= FUZZY_MIN_QUOTE
                similarity = difflib.SequenceMatcher(None, annotation.quote, result.quote).ratio()
                assert similarity >= FUZZY_MIN_RATIO


@settings(max_examples=100, deadline=None)
@given(
    before=st.text(alphabet=ALPHABET, max_size=80),
    after=st.text(alphabet=ALPHABET, max_size=80),
    inserted=st.text(alphabet=ALPHABET, max_size=40),
    at_end=st.booleans(),
)
def test_edits_outside_a_unique_quote_keep_it_exactly(
    before: str, after: str, inserted: str, at_end: bool
) -> None:
    quote = "«مقتطف فريد»"
    text = before + quote + after
    article = _article(text)
    annotation = make_annotation(article, len(before), len(before) + len(quote))
    new_text = text + inserted if at_end else inserted + text
    result = reanchor(annotation, new_text)
    assert not result.orphan
    assert result.quote == quote
    assert result.start == len(before) + (0 if at_end else len(inserted))


# --- reanchor_article with the real store --------------------------------------------------


def test_reanchor_article_updates_the_store(tmp_path: Path) -> None:
    store_module = pytest.importorskip("reader.store.database")
    article = _seed_article()
    text = article.text
    with store_module.Store.open(tmp_path / "db.json") as store:
        store.put_article(article)
        keep = make_annotation(article, 0, 10)
        shift_start = text.index("مارك توبيروف")
        shift = make_annotation(article, shift_start, shift_start + len("مارك توبيروف"))
        lost_line = article.blocks[2].text
        lost_start = text.index(lost_line)
        lost = make_annotation(article, lost_start, lost_start + len(lost_line), note="باقية")
        for annotation in (keep, shift, lost):
            store.add_annotation(annotation)
        new_blocks = list(article.blocks)
        new_blocks.insert(1, Block("paragraph", "فقرة جديدة أضيفت هنا."))
        new_blocks.remove(article.blocks[2])
        new = Article(id=article.id, title=article.title, source=article.source, blocks=new_blocks)
        report = reanchor_article(store, article, new)
        assert (report.placed, report.moved, report.orphaned) == (1, 1, 1)
        stored = {a.id: a for a in store.annotations_for(article.id)}
        assert set(stored) == {keep.id, shift.id, lost.id}
        assert stored[lost.id].orphan and stored[lost.id].note == "باقية"
        moved = stored[shift.id]
        assert new.text[moved.start : moved.end] == "مارك توبيروف"
        assert stored[keep.id].start == 0 and not stored[keep.id].orphan


def test_reanchor_article_many_annotations_read_back_consistent(tmp_path: Path) -> None:
    store_module = pytest.importorskip("reader.store.database")
    article = _seed_article()
    text = article.text
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    db = tmp_path / "db.json"
    with store_module.Store.open(db) as store:
        store.put_article(article)
        store.add_annotations(
            make_annotation(article, words[i][0], words[i + 2][1]) for i in range(0, 400, 2)
        )
        new_blocks = [Block("paragraph", "تمهيد قصير.")] + [
            Block(b.kind, b.text.replace("OpenAI", "أوبن إيه آي")) for b in article.blocks
        ]
        new = Article(id=article.id, title=article.title, source=article.source, blocks=new_blocks)
        report = reanchor_article(store, article, new)
        assert report.total == 200 and report.moved > 150
    with store_module.Store.open(db) as store:
        saved = store.annotations_for(article.id)
    assert len(saved) == 200
    new_text = new.text
    for annotation in saved:
        if not annotation.orphan:
            assert new_text[annotation.start : annotation.end] == annotation.quote
            assert annotation.text_hash == text_hash(new_text)


def test_reanchor_article_to_a_new_id_moves_the_annotations(tmp_path: Path) -> None:
    store_module = pytest.importorskip("reader.store.database")
    article = _seed_article()
    start = article.text.index("ChatGPT")
    with store_module.Store.open(tmp_path / "db.json") as store:
        store.put_article(article)
        store.add_annotation(make_annotation(article, start, start + 7))
        new = Article(id="seed-2", title=article.title, source="y", blocks=list(article.blocks))
        store.put_article(new)
        report = reanchor_article(store, article, new)
        assert report.placed == 1
        assert store.annotations_for(article.id) == []
        (moved,) = store.annotations_for("seed-2")
        assert moved.quote == "ChatGPT" and moved.start == start


_SEED_WORDS = [
    "ماسك",
    "OpenAI",
    "الشركة",
    "97.400",
    "مليون",
    "،",
    ".",
    "\n",
    "عرض",
    "ألتمان",
]


@settings(max_examples=60, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 60), st.lists(st.sampled_from(_SEED_WORDS))),
        min_size=1,
        max_size=8,
    ),
    picks=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 120)), min_size=1, max_size=8),
)
def test_seed_article_random_edits_keep_quotes_or_orphan(
    edits: list[tuple[float, int, list[str]]], picks: list[tuple[float, int]]
) -> None:
    article = _seed_article()
    text = article.text
    annotations = []
    for where, length in picks:
        start = int(where * (len(text) - 1))
        annotations.append(make_annotation(article, start, min(len(text), start + length)))
    new_text = text
    for where, removed, words in edits:
        i = int(where * len(new_text))
        new_text = new_text[:i] + " ".join(words) + new_text[i + removed :]
    for annotation in annotations:
        result = reanchor(annotation, new_text)
        if not result.orphan:
            assert new_text[result.start : result.end] == result.quote
            if result.quote != annotation.quote:
                ratio = difflib.SequenceMatcher(None, annotation.quote, result.quote).ratio()
                assert ratio >= FUZZY_MIN_RATIO
        # Unchanged text that still occurs exactly once is found exactly.
        elif new_text.count(annotation.quote) == 1:
            raise AssertionError(f"orphaned although {annotation.quote!r} is still there")


def test_make_annotation_with_the_callers_text_and_digest_is_the_same() -> None:
    article = _seed_article()
    text = article.text
    plain = make_annotation(article, 10, 40)
    given_ = make_annotation(article, 10, 40, text=text, digest=text_hash(text))
    assert (plain.quote, plain.prefix, plain.suffix, plain.text_hash) == (
        given_.quote,
        given_.prefix,
        given_.suffix,
        given_.text_hash,
    )

"""Word, sentence and paragraph motions in logical text (Arabic and Latin)."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.text.motion import (
    char_end,
    char_start,
    next_paragraph,
    next_sentence,
    next_word,
    paragraph_at,
    paragraphs,
    prev_paragraph,
    prev_sentence,
    prev_word,
    sentence_at,
    sentences_in,
    unit_at,
    word_at,
    words_in,
)

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_23062d0d2c77e25f.txt"


def _seed_text() -> str:
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    return "\n".join(lines)


def _words(text: str) -> list[str]:
    return [text[a:b] for a, b in words_in(text, 0, len(text))]


def test_a_character_is_a_letter_with_the_marks_on_it() -> None:
    text = "كَتَبَ e\u0301\u0327"
    assert char_end(text, 0) == 2
    assert char_start(text, 2) == 0
    assert char_end(text, len("كَتَبَ ")) == len(text)
    assert char_start(text, len(text)) == len("كَتَبَ ")
    assert (char_start(text, 0), char_end(text, len(text))) == (0, len(text))
    assert char_end("\u064e\u064ex", 0) == 2  # marks with no letter before them stay together
    assert char_start("\u064ex", 1) == 0


def test_words_keep_numbers_names_and_harakat_whole() -> None:
    text = "عرضٌ لـ 97.400 مليون، لشراء OpenAI؟ don't… ١٢٣٫٥ (X)"
    assert _words(text) == [
        "عرضٌ",
        "لـ",
        "97.400",
        "مليون",
        "لشراء",
        "OpenAI",
        "don't",
        "١٢٣٫٥",
        "X",
    ]


def test_punctuation_is_not_part_of_words() -> None:
    assert _words("الأمن.. وبحسب؛ قال: «نعم»!") == ["الأمن", "وبحسب", "قال", "نعم"]


def test_word_at() -> None:
    text = "لشراء OpenAI، الشركة"
    i = text.index("OpenAI")
    assert word_at(text, i + 3) == (i, i + 6)
    assert word_at(text, i + 6) is None  # the comma
    assert word_at(text, 5) is None  # the space


def test_next_and_prev_word_walk_every_word_in_order() -> None:
    text = _seed_text()
    starts = [a for a, _ in words_in(text, 0, len(text))]
    position = 0
    visited = [position]
    while (following := next_word(text, position)) != position:
        position = following
        visited.append(position)
    assert visited == starts
    back = [position]
    while (previous := prev_word(text, position)) != position:
        position = previous
        back.append(position)
    assert back == starts[::-1]


def test_prev_word_from_inside_a_word_goes_to_its_start() -> None:
    text = "قال ماسك كلاما"
    assert prev_word(text, text.index("ماسك") + 2) == text.index("ماسك")
    assert prev_word(text, text.index("ماسك")) == 0


def test_sentences_split_on_arabic_and_latin_terminators() -> None:
    text = "هل قرأت الخبر؟ نعم! قرأته… Really? Yes. الرقم 9.740 مليار، والباقي؛ هنا"
    got = [text[a:b] for a, b in sentences_in(text, 0, len(text))]
    assert got == [
        "هل قرأت الخبر؟",
        "نعم!",
        "قرأته…",
        "Really?",
        "Yes.",
        "الرقم 9.740 مليار، والباقي؛ هنا",
    ]


def test_sentence_end_includes_closing_quotes() -> None:
    text = 'قال: "لا شكرًا، إذا كنت تريد ذلك.". ولم يرد'
    got = [text[a:b] for a, b in sentences_in(text, 0, len(text))]
    assert got == ['قال: "لا شكرًا، إذا كنت تريد ذلك.".', "ولم يرد"]


def test_sentences_never_cross_paragraphs() -> None:
    text = "بلا نقطة في آخرها\nفقرة ثانية. وجملة"
    assert sentence_at(text, 2) == (0, text.index("\n"))
    second = text.index("فقرة")
    assert next_sentence(text, 2) == second
    assert next_sentence(text, second) == text.index("وجملة")
    assert prev_sentence(text, second) == 0


def test_seed_sentences() -> None:
    text = _seed_text()
    i = text.index("OpenAI")
    start, end = sentence_at(text, i)
    assert text[start:end] == (
        "إيلون ماسك يهز قطاع التكنولوجيا مرة أخرى بعرض بملايين الدولارات لشراء OpenAI، "
        "الشركة التي تقف وراء ChatGPT."
    )
    assert text[next_sentence(text, i) :].startswith("من خلال اتحاد")
    assert prev_sentence(text, next_sentence(text, i)) == 0


def test_sentence_at_on_space_between_sentences_is_the_one_before() -> None:
    text = "أولى. ثانية."
    assert sentence_at(text, text.index(" ")) == (0, 5)


def test_paragraph_motions_skip_empty_paragraphs() -> None:
    text = "أولى\n\n  \nثانية هنا\nثالثة"
    assert paragraphs(text) == [(0, 4), (9, 18), (19, 24)]
    assert paragraph_at(text, 11) == (9, 18)
    assert next_paragraph(text, 1) == 9
    assert next_paragraph(text, 11) == 19
    assert next_paragraph(text, 20) == 20  # last paragraph: stay
    assert prev_paragraph(text, 20) == 19  # inside: go to its start
    assert prev_paragraph(text, 19) == 9
    assert prev_paragraph(text, 9) == 0
    assert prev_paragraph(text, 0) == 0


def test_unit_at() -> None:
    text = "أولى ثانية. جملة أخرى\nفقرة"
    assert unit_at(text, 1, "word") == (0, 4)
    assert unit_at(text, 4, "word") == (4, 5)  # on a space: that character
    assert unit_at(text, 1, "sentence") == (0, 11)
    assert unit_at(text, 1, "paragraph") == (0, text.index("\n"))
    assert unit_at(text, len(text) - 1, "paragraph") == (text.index("فقرة"), len(text))


_ALPHABET = "ابت ثجح OpenAI 97.4 ،؛؟!…\n\u064e"


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=_ALPHABET, max_size=80), where=st.integers(0, 80))
def test_motions_stay_in_range_and_move_monotonically(text: str, where: int) -> None:
    offset = min(where, len(text))
    forward = [next_word(text, offset), next_sentence(text, offset), next_paragraph(text, offset)]
    backward = [prev_word(text, offset), prev_sentence(text, offset), prev_paragraph(text, offset)]
    for position in forward:
        assert offset <= position <= len(text)
    for position in backward:
        assert 0 <= position <= offset
    span = sentence_at(text, offset)
    assert 0 <= span[0] <= span[1] <= len(text)
    assert "\n" not in text[span[0] : span[1]]
    for start, end in words_in(text, 0, len(text)):
        assert text[start:end].strip() == text[start:end]


# --- Motions look near the offset, not at the whole paragraph ------------------------------
# The references below scan the paragraph from its start, as the motions once did: on a
# 10-million-character paragraph that took seconds per key press. The motions now match from
# a space (or sentence end) near the offset and must give the same answers.


def reference_word_at(text: str, offset: int) -> tuple[int, int] | None:
    start, end = paragraph_at(text, offset)
    for span in words_in(text, start, end):
        if span[0] <= offset < span[1]:
            return span
        if span[0] > offset:
            break
    return None


def reference_prev_word(text: str, offset: int) -> int:
    start, _ = paragraph_at(text, offset)
    while True:
        starts = [s for s, _ in words_in(text, start, offset) if s < offset]
        if starts:
            return starts[-1]
        if start == 0:
            return offset
        start, _ = paragraph_at(text, start - 1)


def reference_sentence_at(text: str, offset: int) -> tuple[int, int]:
    start, end = paragraph_at(text, offset)
    spans = sentences_in(text, start, end)
    if not spans:
        return offset, offset
    chosen = spans[0]
    for span in spans:
        if span[0] <= offset:
            chosen = span
        else:
            break
    return chosen


def reference_next_sentence(text: str, offset: int) -> int:
    start, end = paragraph_at(text, offset)
    while True:
        for span in sentences_in(text, start, end):
            if span[0] > offset:
                return span[0]
        if end >= len(text):
            return offset
        start, end = paragraph_at(text, end + 1)


def reference_prev_sentence(text: str, offset: int) -> int:
    start, end = paragraph_at(text, offset)
    while True:
        starts = [s for s, _ in sentences_in(text, start, end) if s < offset]
        if starts:
            return starts[-1]
        if start == 0:
            return offset
        start, end = paragraph_at(text, start - 1)


_PIECES = st.one_of(
    st.sampled_from(["سلام", "OpenAI", "97.400", "don't", "عرضٌ", "ـ", "(X)", "١٢٣٫٥"]),
    st.sampled_from([" ", " ", "  ", ".", "...", "؟", "!", "»", '"', "،", "\n", ". ", "? "]),
    st.text(alphabet="ab. ؟\n", min_size=1, max_size=6),
)


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(_PIECES, min_size=1, max_size=40),
    # Up to about 18,000 characters: past the third growth of the 1,024-character window
    # (x4 each time); longer paragraphs only grow it again the same way, at quadratic cost.
    repeat=st.integers(1, 100),
    spaces=st.integers(0, 3000),
    where=st.lists(st.integers(0, 10**6), min_size=1, max_size=12),
)
def test_local_motions_equal_scanning_the_whole_paragraph(
    pieces: list[str], repeat: int, spaces: int, where: list[int]
) -> None:
    """Long paragraphs (windows of 1,024 characters and more), runs of spaces and of words
    without sentence ends, offsets anywhere: the same answers as the whole-paragraph scan."""
    text = "".join(pieces) * repeat + " " * spaces + "".join(pieces)
    for raw in where:
        offset = raw % (len(text) + 1)
        assert word_at(text, offset) == reference_word_at(text, offset), offset
        assert prev_word(text, offset) == reference_prev_word(text, offset), offset
        assert sentence_at(text, offset) == reference_sentence_at(text, offset), offset
        assert next_sentence(text, offset) == reference_next_sentence(text, offset), offset
        assert prev_sentence(text, offset) == reference_prev_sentence(text, offset), offset


def test_previous_word_steps_over_long_runs_of_spaces_at_once() -> None:
    """Each step back matched from the offset again, one space further: inside 20,000 spaces
    one key press took 4 s (the whole-paragraph property above spent most of its time there)."""
    for filler in (" " * 20_000, " ." * 10_000):
        text = "كلمة" + filler + " أخرى"
        started = time.process_time()
        assert prev_word(text, len(text) - 4) == 0
        assert prev_word(text, len(text) // 2) == 0
        assert prev_word(text, len(text)) == len(text) - 4
        assert time.process_time() - started < 0.5

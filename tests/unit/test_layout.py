"""The layout engine: shaping, wrapping in logical order, per-line bidi, maps, safety."""

from __future__ import annotations

import gc
import itertools
import json
import textwrap
import tracemalloc
import unicodedata
import weakref
from pathlib import Path
from typing import Any

import pytest
from arabic_reshaper import ArabicReshaper
from arabic_reshaper.arabic_reshaper import HARAKAT_RE
from arabic_reshaper.letters import LETTERS_ARABIC
from bidi import get_display
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, get_character_cell_size

from reader.text.bidi import (
    MIRRORS,
    bidi_classes,
    line_levels,
    paragraph_level,
    reorder,
    resolve_levels,
)
from reader.text.layout import (
    Glyph,
    LazyLayout,
    VisualLine,
    base_direction,
    layout,
    layout_many,
    layout_text,
    layout_text_many,
)
from reader.text.sanitize import neutralize
from reader.text.shaping import (
    LONG_WORD,
    WORDS,
    WordCache,
    joining_forms,
    long_word_glyphs,
    reference_reshaper,
    shape_words,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"

#: Same joining as the engine (lam-alef only), used as an independent oracle.
REFERENCE_RESHAPER = ArabicReshaper(
    configuration={
        "delete_harakat": True,
        "support_ligatures": True,
        "ARABIC LIGATURE ALLAH": False,
    }
)
#: arabic-reshaper configured exactly as the engine's own joining.
REFERENCE = reference_reshaper()

FORMAT_CHARS = set("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def seed_paragraphs() -> list[str]:
    return [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def visual(text: str) -> str:
    """Shape and reorder one line with the references (python-bidi does not mirror)."""
    return str(get_display(REFERENCE_RESHAPER.reshape(text)))


# --- Examples ---------------------------------------------------------------------------


def test_rtl_lines_read_top_to_bottom_and_right_aligned() -> None:
    paragraph = seed_paragraphs()[0]
    lines = layout(paragraph, 40)
    assert len(lines) > 3
    assert all(line.rtl for line in lines)
    assert lines[0].start == 0 and lines[-1].end == len(paragraph)
    for line in lines:
        assert line.indent + line.width == 40
        # The rightmost glyph draws the line's first logical character: RTL reading order.
        assert line.glyphs[-1].start == line.start
    first_word = paragraph.split()[0]
    assert lines[0].text.endswith(visual(first_word))


def test_latin_names_and_numbers_stay_intact_and_ltr() -> None:
    paragraphs = seed_paragraphs()
    shown = "\n".join(line.text for p in paragraphs for line in layout(p, 40))
    for token in ("OpenAI", "ChatGPT", "2015", "97.400", "9.740"):
        assert token in shown, token


def test_differs_from_the_naive_pipeline_that_reads_bottom_up() -> None:
    paragraph = seed_paragraphs()[1]
    ours = [line.text for line in layout(paragraph, 40)]
    naive = textwrap.wrap(visual(paragraph), 40)
    assert len(ours) > 2 and len(naive) > 2
    first_word, last_word = visual(paragraph.split()[0]), visual(paragraph.split()[-1])
    assert first_word in ours[0] and last_word in ours[-1]
    # The naive pipeline puts the end of the paragraph on its first line.
    assert last_word in naive[0] and first_word in naive[-1]
    assert ours != naive


def test_single_line_matches_python_bidi_on_plain_mixed_text() -> None:
    text = "قال ماسك إن OpenAI تأسست في 2015 برأس مال 97.400 دولار"
    (line,) = layout(text, 200)
    assert line.text == visual(text)


def test_lam_alef_is_one_glyph_and_no_word_ligatures() -> None:
    (line,) = layout("لا الله", 20)
    assert "\ufdf2" not in line.text  # no ﷲ, which is wider than a cell
    lam_alef = [glyph for glyph in line.glyphs if glyph.end - glyph.start == 2]
    assert [glyph.text for glyph in lam_alef] == ["\ufefb"]
    assert lam_alef[0].start == 0 and lam_alef[0].cells == 1


def test_harakat_follow_their_letter_or_are_dropped() -> None:
    word = "عَلَمٌ"
    (line,) = layout(word, 20)
    assert [glyph.text[1:] for glyph in line.glyphs] == ["\u064c", "\u064e", "\u064e"]
    assert [(glyph.start, glyph.end) for glyph in line.glyphs] == [(4, 6), (2, 4), (0, 2)]
    (bare,) = layout(word, 20, harakat=False)
    assert all(len(glyph.text) == 1 for glyph in bare.glyphs)
    assert [(glyph.start, glyph.end) for glyph in bare.glyphs] == [(4, 6), (2, 4), (0, 2)]


def test_zwnj_breaks_joining_and_zwj_forces_it() -> None:
    (apart,) = layout("ب\u200cب", 10)
    assert apart.text == "\ufe8f\ufe8f"  # two isolated behs, ZWNJ not drawn
    (joined,) = layout("ب\u200d", 10)
    assert joined.text == "\ufe91"  # initial form, ZWJ not drawn


def test_brackets_are_mirrored_in_rtl_runs() -> None:
    (line,) = layout("مرحبا (عالم)", 30)
    assert line.text == "(" + visual("عالم") + ") " + visual("مرحبا")
    (ltr,) = layout("see (this) now", 30)
    assert ltr.text == "see (this) now"


def test_whitespace_ending_a_line_takes_the_paragraph_level() -> None:
    """L1: drawn whitespace (an ideographic or em space) at the end of a wrapped line goes to
    the paragraph's side, as python-bidi places it when that line is a paragraph alone."""
    first, second = layout("abc مرحبا\u3000 سلام", 12)
    assert first.text == visual("abc مرحبا\u3000") and first.text.endswith("\u3000")
    assert second.text == visual("سلام")
    rtl_first, _rest = layout("سلام abc\u2003 def", 9)
    assert rtl_first.text == visual("سلام abc\u2003") and rtl_first.text.startswith("\u2003")
    printed = [line[1] for line in layout_text("abc مرحبا\u3000 سلام", 12)]
    assert printed == [first.text, second.text]  # the printed path reorders the same way


def test_terminal_mode_keeps_logical_text_but_wraps_and_aligns() -> None:
    paragraph = seed_paragraphs()[0]
    lines = layout(paragraph, 40, "terminal")
    assert "".join(line.text + " " for line in lines).strip() == paragraph
    assert all(line.indent + line.width == 40 for line in lines)
    assert lines[0].glyphs[0].start == 0  # logical order, left to right


def test_controls_and_escapes_never_reach_the_screen() -> None:
    text = "abc\x1b[31mred\x1b[0m \x1b]0;new title\x07ok\x00\x07 \u202bمرحبا\u202c \u200fx"
    lines = layout(text, 80)
    shown = "".join(line.text for line in lines)
    assert not any(unicodedata.category(char) == "Cc" for char in shown)
    assert not FORMAT_CHARS & set(shown)
    assert "31m" not in shown and "title" not in shown
    assert "abcred" in shown and "ok" in shown


def test_tabs_expand_and_wide_characters_take_two_cells() -> None:
    (line,) = layout("a\tb", 20)
    assert line.text == "a    b" and line.width == 6
    lines = layout("中文字", 3)
    assert [line.text for line in lines] == ["中", "文", "字"]
    assert all(glyph.cells == 2 for line in lines for glyph in line.glyphs)


def test_long_word_breaks_between_clusters_only() -> None:
    word = "عَلَّمَكُمْ" * 3
    lines = layout(word, 4)
    assert len(lines) > 2
    for line in lines:
        assert line.width <= 4
        for glyph in line.glyphs:
            assert get_character_cell_size(glyph.text[0]) > 0  # starts with its letter


def test_cell_and_offset_maps() -> None:
    (line,) = layout("abc مرحبا", 20)
    assert line.text == "abc " + visual("مرحبا")
    assert line.cell_to_logical(0) == 0
    assert line.cell_to_logical(4) == 8  # the leftmost Arabic cell is the word's last letter
    assert line.logical_to_cells(4) == [8]
    assert line.logical_to_cells(99) == []
    assert line.cell_to_logical(99) is None and line.cell_to_logical(-1) is None


def test_empty_and_blank_paragraphs() -> None:
    assert layout("", 10) == [VisualLine((), 0, 0, 0, False)]
    (line,) = layout("   ", 10)
    assert (line.start, line.end, line.width) == (0, 3, 0)  # trailing spaces are not drawn


def test_bad_mode_and_tiny_widths() -> None:
    with pytest.raises(ValueError, match="bidi mode"):
        layout("abc", 10, "rtl")  # type: ignore[arg-type]
    assert [line.text for line in layout("ab cd", 1)] == ["a", "b", "c", "d"]
    assert [line.text for line in layout("ab", 0)] == ["a", "b"]  # treated as width 1
    assert [line.width for line in layout("中文", 1)] == [2, 2]  # never split a wide char


def test_base_direction_and_layout_many() -> None:
    assert base_direction("123 مرحبا") is True
    assert base_direction("hello مرحبا") is False
    paragraphs = seed_paragraphs()[:3]
    assert layout_many(paragraphs, 50) == [layout(p, 50) for p in paragraphs]


def test_glyph_is_an_immutable_record() -> None:
    glyph = layout("ab", 5)[0].glyphs[0]
    assert glyph == Glyph("a", 1, 0, 1)
    try:
        glyph.text = "x"  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("Glyph must be frozen")


def test_a_line_is_an_immutable_record_equal_to_its_glyphs() -> None:
    """A laid-out line equals the line made of its glyphs, prints what they draw, and is
    frozen (its glyphs are built on first use, never changed)."""
    laid_out = layout_many(["مرحبا (عالم) 2024 abc"], 9)[0]
    for line in laid_out:
        text = line.text  # before the glyphs are built
        made = VisualLine(line.glyphs, line.indent, line.start, line.end, line.rtl)
        assert made == line and hash(made) == hash(line)
        assert text == made.text == "".join(glyph.text for glyph in line.glyphs)
        assert line.width == made.width == sum(glyph.cells for glyph in line.glyphs)
        with pytest.raises(AttributeError):
            line.indent = 3
    assert laid_out[0] != laid_out[1]
    assert "VisualLine(glyphs=(Glyph(" in repr(laid_out[0])


# --- Properties -------------------------------------------------------------------------

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى"
HARAKAT = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"
PIECES = st.one_of(
    st.text(alphabet=ARABIC, min_size=1, max_size=8),
    st.text(alphabet="abcXYZ", min_size=1, max_size=8),
    st.text(alphabet="0123456789", min_size=1, max_size=5),
    st.sampled_from(
        ["لا", "لأ", " ", " ", "  ", "(", ")", "[", "]", "«", "»", ".", ",", "،", "-", "%", "$"]
    ),
    st.sampled_from(list(HARAKAT)),
    st.sampled_from(
        ["\t", "中", "😀", "\u200c", "\u200d", "\u200f", "\u2067", "\u2069", "\x1b[1m"]
    ),
    st.sampled_from(["\x00", "\x07", "\x85", "\u202b", "\u202c", "\u0300"]),
)
PARAGRAPHS = st.lists(PIECES, min_size=0, max_size=25).map("".join)


def not_drawn(text: str, index: int) -> bool:
    """Characters allowed to have no glyph: zero-width, controls, formats and spaces."""
    char = text[index]
    return (
        get_character_cell_size(char) == 0
        or unicodedata.category(char) in ("Cc", "Cf")
        or char in " \t"
        or text.rfind("\x1b", 0, index + 1) >= max(0, index - 3)  # inside an escape sequence
    )


def check_layout(text: str, width: int, mode: str, harakat: bool) -> None:
    lines = layout(text, width, mode, harakat=harakat)  # type: ignore[arg-type]
    assert lines
    assert lines[0].start == 0 and lines[-1].end == len(text)
    owner: dict[int, Glyph] = {}
    for line, following in zip(lines, [*lines[1:], None], strict=True):
        if following is not None:
            assert line.end == following.start
        assert line.indent + line.width <= max(width, 2)
        assert line.rtl == base_direction(text)
        for glyph in line.glyphs:
            assert glyph.text and glyph.cells == cell_len(glyph.text)
            assert glyph.cells in (1, 2) or glyph.text == " " * glyph.cells
            assert line.start <= glyph.start < glyph.end <= line.end
            assert not any(unicodedata.category(char) == "Cc" for char in glyph.text)
            assert not FORMAT_CHARS & set(glyph.text)
            assert get_character_cell_size(glyph.text[0]) > 0  # marks follow their base
            for index in range(glyph.start, glyph.end):
                assert index not in owner, "a character drawn twice"
                owner[index] = glyph
        for cell in range(line.width):
            offset = line.cell_to_logical(cell)
            assert offset is not None
            assert cell in line.logical_to_cells(offset)
    for index in range(len(text)):
        assert index in owner or not_drawn(text, index), (index, text[index])


@settings(max_examples=150, deadline=None)
@given(PARAGRAPHS, st.integers(min_value=2, max_value=30), st.booleans())
def test_layout_properties_app_mode(text: str, width: int, harakat: bool) -> None:
    check_layout(text, width, "app", harakat)


@settings(max_examples=60, deadline=None)
@given(PARAGRAPHS, st.integers(min_value=2, max_value=30))
def test_layout_properties_terminal_mode(text: str, width: int) -> None:
    check_layout(text, width, "terminal", True)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=ARABIC, min_size=1, max_size=8),
            st.text(alphabet="abcXYZ", min_size=1, max_size=8),
            st.text(alphabet="0123456789", min_size=1, max_size=5),
            st.sampled_from([".", ",", "،", "-", "%", "+", "/", ":"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_one_line_matches_python_bidi(pieces: list[str]) -> None:
    """Levels and reordering agree with python-bidi's Rust core on bracket-free text."""
    text = " ".join(pieces)
    (line,) = layout(text, 500)
    assert line.text == visual(text)


@settings(max_examples=60, deadline=None)
@given(PARAGRAPHS, st.integers(min_value=2, max_value=30))
def test_lines_in_order_cover_the_paragraph(text: str, width: int) -> None:
    """Reading the lines' logical spans top to bottom gives back the paragraph."""
    lines = layout(text, width)
    assert "".join(text[line.start : line.end] for line in lines) == text


# --- The string-only path gives exactly the glyph path's lines -------------------------

#: Everything PIECES has, plus brackets next to digits and Latin inside Arabic (mirroring and
#: mixed levels on one line), several tabs, and words longer than any width tried.
TEXT_PIECES = st.one_of(
    PIECES,
    st.sampled_from(["(1)", "[ab]", "«نص»", "\t\t", " \t", "١٢٣", "3.5%", "a(ب)c", "{x}"]),
    st.text(alphabet=ARABIC + HARAKAT, min_size=10, max_size=40),
    st.text(alphabet="abc中😀", min_size=10, max_size=30),
)
TEXT_PARAGRAPHS = st.lists(TEXT_PIECES, min_size=0, max_size=25).map("".join)


def glyph_lines(
    text: str, width: int, mode: str, harakat: bool
) -> list[tuple[int, str, int, bool]]:
    """The glyph path's lines as (indent, text, width, rtl), laid out afresh: thousands of
    them must not fill `layout`'s cache (other tests count what it holds)."""
    lines = layout(text, width, mode, harakat=harakat, cache=False)  # type: ignore[arg-type]
    return [
        (
            line.indent,
            "".join(glyph.text for glyph in line.glyphs),
            sum(glyph.cells for glyph in line.glyphs),
            line.rtl,
        )
        for line in lines
    ]


@settings(max_examples=250, deadline=None)
@given(
    TEXT_PARAGRAPHS,
    st.integers(min_value=1, max_value=60),
    st.sampled_from(["app", "terminal"]),
    st.booleans(),
)
def test_layout_text_equals_the_glyph_path(text: str, width: int, mode: str, harakat: bool) -> None:
    """layout_text's (indent, text, cells, rtl) are the glyph layout's, line for line."""
    expected = glyph_lines(text, width, mode, harakat)
    assert layout_text(text, width, mode, harakat=harakat) == expected  # type: ignore[arg-type]
    (many,) = layout_text_many([text], width, mode, harakat=harakat)  # type: ignore[arg-type]
    assert many == expected


#: Words between spaces, as in prose: lines that mix levels word by word (a number or a
#: Latin name in Arabic), the case the string path reorders whole words for.
WORDS_PARAGRAPHS = st.lists(
    st.one_of(
        st.text(alphabet=ARABIC, min_size=1, max_size=8),
        st.text(alphabet=ARABIC + HARAKAT, min_size=1, max_size=8),
        st.text(alphabet="abcXYZ", min_size=1, max_size=8),
        st.text(alphabet="0123456789", min_size=1, max_size=5),
        st.sampled_from(["لا", "سلام", "3.5", "%", "-", "،", ".", "٢٠٢٤", "(x)", "中文", "\t"]),
    ),
    min_size=1,
    max_size=20,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(
    WORDS_PARAGRAPHS,
    st.integers(min_value=1, max_value=60),
    st.sampled_from(["app", "terminal"]),
    st.booleans(),
)
def test_layout_text_equals_the_glyph_path_on_prose(
    text: str, width: int, mode: str, harakat: bool
) -> None:
    """The same on space-separated words of mixed direction."""
    expected = glyph_lines(text, width, mode, harakat)
    assert layout_text(text, width, mode, harakat=harakat) == expected  # type: ignore[arg-type]


@settings(max_examples=250, deadline=None)
@given(TEXT_PARAGRAPHS, st.integers(min_value=1, max_value=60), st.booleans())
def test_each_line_is_its_glyphs_reordered_one_by_one(text: str, width: int, harakat: bool) -> None:
    """The engine moves whole words where it can; the plain definition moves glyph by glyph:
    each glyph takes the L1 level of its first character (`line_levels` over the line), odd
    ones mirror (L4), and `reorder` (L2) places them. Both give the same screen."""
    visible = neutralize(text)
    classes = bidi_classes(visible)
    para = paragraph_level(classes)
    levels = resolve_levels(visible, classes, para)
    for line in glyph_lines_of(text, width, harakat):
        logical = sorted(line.glyphs, key=lambda glyph: glyph.start)
        line_level = line_levels(classes, levels, line.start, line.end, para)
        glyph_levels = [line_level[glyph.start - line.start] for glyph in logical]
        expected = reorder([(glyph.start, glyph.end) for glyph in logical], glyph_levels)
        assert [(glyph.start, glyph.end) for glyph in line.glyphs] == expected
        for glyph, level in zip(logical, glyph_levels, strict=True):
            source = visible[glyph.start]
            if source in MIRRORS:
                assert glyph.text[0] == (MIRRORS[source] if level & 1 else source)


def glyph_lines_of(text: str, width: int, harakat: bool) -> list[VisualLine]:
    """`layout` in app mode, computed afresh (outside its cache)."""
    return layout(text, width, "app", harakat=harakat, cache=False)


def test_layout_text_equals_the_glyph_path_on_the_seed() -> None:
    """Real Arabic news text, every width from 1 to 120, both modes, with and without harakat."""
    paragraphs = seed_paragraphs()
    for width in range(1, 121):
        for mode in ("app", "terminal"):
            for harakat in (True, False):
                got = layout_text_many(paragraphs, width, mode, harakat=harakat)
                for paragraph, lines in zip(paragraphs, got, strict=True):
                    assert lines == glyph_lines(paragraph, width, mode, harakat), (width, mode)


def test_layout_text_rejects_a_bad_mode() -> None:
    with pytest.raises(ValueError, match="bidi mode"):
        layout_text("abc", 10, "visual")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bidi mode"):
        layout_text_many(["abc"], 10, "visual")  # type: ignore[arg-type]


# --- Shaping agrees with arabic-reshaper ------------------------------------------------

LETTERS = "".join(sorted(set(LETTERS_ARABIC) - {"\u200d"}))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=LETTERS, min_size=1, max_size=6),
            st.sampled_from(["لا", "لأ", "لإ", "لآ", "ـ", "\u200c", "a", "1", "لله"]),
        ),
        max_size=8,
    ).map("".join)
)
def test_join_matches_arabic_reshaper(word: str) -> None:
    assert "".join(joining_forms(word)) == REFERENCE.reshape(word)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=ARABIC, min_size=1, max_size=4),
            st.sampled_from(["لا", "لأ", "لإ", "لآ", "ـ", "a", "1", "،", "."]),
        ).flatmap(
            lambda base: st.text(alphabet=HARAKAT + "\u0653\u0670", max_size=2).map(
                lambda marks: base + marks
            )
        ),
        min_size=1,
        max_size=5,
    ).map("".join),
    st.sampled_from(["app", "terminal"]),
    st.booleans(),
)
def test_words_with_harakat_shape_as_every_other_word_does(
    word: str, mode: str, harakat: bool
) -> None:
    """Letters with harakat take their own quick path; a ZWNJ at the end (never drawn, and
    after the last letter it changes no joining) sends the same word through the general
    one: the same glyphs, offsets and texts."""

    def glyphs(entry: tuple[object, ...]) -> list[tuple[str, int, int, int]]:
        templates = entry[0]  # a string: one one-cell glyph per character
        if isinstance(templates, str):
            return [(form, 1, at, at + 1) for at, form in enumerate(templates)]
        return list(templates)  # type: ignore[call-overload]

    (quick,) = shape_words([word], mode, harakat)  # type: ignore[arg-type]
    (general,) = shape_words([word + "\u200c"], mode, harakat)  # type: ignore[arg-type]
    assert glyphs(quick) == glyphs(general)
    assert quick[1:] == general[1:]  # cells, and the text drawn each way


def test_every_letter_that_joins_forward_has_all_four_forms() -> None:
    """`joining_forms` never asks whether a letter that joins both ways lacks a medial form,
    which holds while arabic-reshaper's table has no letter joining only one way forward."""
    from arabic_reshaper.letters import FINAL, INITIAL, LETTERS_ARABIC, MEDIAL

    for letter, forms in LETTERS_ARABIC.items():
        if forms[INITIAL] or forms[MEDIAL]:
            assert forms[INITIAL] and forms[MEDIAL] and forms[FINAL], letter


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(alphabet=ARABIC, min_size=1, max_size=5), st.just("\u200d")),
        max_size=6,
    ).map("".join)
)
def test_zwj_joins_like_arabic_reshaper_away_from_lam_alef(word: str) -> None:
    if "ل" in word:
        word = word.replace("ل", "ب")  # the reshaper misplaces lam-alef after a ZWJ
    shaped = "".join(joining_forms(word))
    assert shaped == REFERENCE.reshape(word).replace("\u200d", "")


def test_join_matches_arabic_reshaper_on_the_corpus() -> None:
    corpus = ROOT / ".." / "shared" / "corpus" / "saudinewsnet-300.jsonl"
    if not corpus.exists():
        pytest.skip("../shared/corpus not present")
    words: set[str] = set()
    for record in corpus.read_text(encoding="utf-8").splitlines()[:60]:
        words.update(json.loads(record)["content"].split())
    letters = [HARAKAT_RE.sub("", word) for word in words if "\u200d" not in word]
    mismatches = [w for w in letters if "".join(joining_forms(w)) != REFERENCE.reshape(w)]
    assert len(letters) > 1000 and mismatches == []


def test_layout_leaves_the_cycle_collector_as_it_found_it() -> None:
    class Node:
        pass

    node = Node()
    node.loop = node  # type: ignore[attr-defined]
    ref = weakref.ref(node)
    del node  # cyclic garbage made before a layout
    layout("نص للاختبار gc 1", 7)
    assert gc.isenabled()
    gc.collect()
    assert ref() is None  # still collected: nothing leaked
    gc.disable()
    try:
        layout("نص للاختبار gc 2", 7)
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        layout("نص للاختبار gc 3", 7)
        assert gc.get_freeze_count() == frozen  # a host's freeze is not undone
    finally:
        gc.unfreeze()


def test_word_cache_stays_bounded_and_correct() -> None:
    cache = WordCache(limit=4)
    first = cache.get_many(["مرحبا", "abc", "لا", "مرحبا"], "app", True)
    # (glyphs, cells, the text drawn forwards, and backwards glyph by glyph)
    shaped = "\ufee3\ufeae\ufea3\ufe92\ufe8e"
    assert first[0] == first[3] == (shaped, 5, shaped, "\ufe8e\ufe92\ufea3\ufeae\ufee3")
    assert first[1] == ("abc", 3, "abc", "cba")
    # lam-alef: one glyph, two characters
    assert first[2] == ((("\ufefb", 1, 0, 2),), 1, "\ufefb", "\ufefb")
    second = cache.get_many(["x", "y", "z", "لا"], "app", True)
    assert second[3] == first[2]
    assert len(cache.words()) <= 4  # one mode used: at most its limit


# --- Long paragraphs laid out lazily give exactly the whole layout ----------------------


def whole_lines(text: str, width: int, mode: str, harakat: bool) -> list[VisualLine]:
    """`layout` of the paragraph, computed afresh (outside its cache)."""
    return layout(text, width, mode, harakat=harakat, cache=False)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    TEXT_PARAGRAPHS,
    st.integers(min_value=1, max_value=40),
    st.sampled_from(["app", "terminal"]),
    st.booleans(),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=1, max_value=5),
    st.randoms(use_true_random=False),
)
def test_lazy_layout_equals_the_whole_layout(
    text: str, width: int, mode: str, harakat: bool, chunk: int, group: int, rng: Any
) -> None:
    """Lines asked for in any order, wrapped in small chunks and built a few at a time (so
    chunks, groups and bidi windows start and end everywhere), are the whole layout's."""
    expected = whole_lines(text, width, mode, harakat)
    lazy = LazyLayout(text, width, mode, harakat=harakat, chunk=chunk, group=group)  # type: ignore[arg-type]
    rows = list(range(len(expected) + 2))
    rng.shuffle(rows)
    for row in rows:
        line = lazy.line(row)
        assert line == (expected[row] if row < len(expected) else None), row
    assert lazy.complete and lazy.rows() == len(expected)
    fresh = LazyLayout(text, width, mode, harakat=harakat, chunk=chunk, group=group)  # type: ignore[arg-type]
    for offset in range(0, len(text) + 1, max(1, len(text) // 7)):
        row = fresh.row_of(offset)
        assert expected[row].start <= offset
        assert offset < expected[row].end or row == len(expected) - 1 or not text
    assert fresh.lines() == expected


#: Prose with what makes bidi levels depend on distant text: numbers after Arabic or Latin
#: (W2, W7), neutrals between scripts (N1), bracket pairs around either script (N0), and
#: runs without any strong character.
BIDI_PROSE = st.lists(
    st.one_of(
        st.text(alphabet=ARABIC, min_size=1, max_size=6),
        st.text(alphabet="abcXYZ", min_size=1, max_size=6),
        st.text(alphabet="0123456789", min_size=1, max_size=4),
        st.sampled_from(["(", ")", "[", "]", "«", "»", "(1)", "[ب]", "-", "%", "$", ".", "،"]),
        st.sampled_from(["1.5", "+", "/", ":", "\u200c", "\u200d", "\u064e", "\u0300", "!!"]),
    ),
    min_size=1,
    max_size=60,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    BIDI_PROSE,
    st.integers(min_value=3, max_value=30),
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=1, max_value=3),
)
def test_lazy_layout_levels_windows_on_mixed_prose(
    text: str, width: int, chunk: int, group: int
) -> None:
    """Bidi windows cut around one or two lines resolve every line as the whole paragraph."""
    expected = whole_lines(text, width, "app", True)
    lazy = LazyLayout(text, width, "app", chunk=chunk, group=group)
    for row in reversed(range(len(expected))):
        assert lazy.line(row) == expected[row], row


def test_lazy_layout_of_the_seed_at_every_width() -> None:
    """Real news text as one paragraph, chunk and group boundaries everywhere."""
    text = " ".join(seed_paragraphs()) * 2
    for width in range(1, 101, 3):
        for mode in ("app", "terminal"):
            expected = whole_lines(text, width, mode, True)
            lazy = LazyLayout(text, width, mode, chunk=997, group=7)
            assert lazy.lines() == expected, (width, mode)


def test_lazy_layout_with_explicit_embeddings_and_bracket_overflow() -> None:
    """The paths that resolve levels whole: explicit codes, more than 63 open brackets."""
    base = " ".join(seed_paragraphs())
    for text in (
        base + " \u202babc (def) ghi\u202c " + base,
        base + " \u2067abc\u2069 " + base,
        "(" * 70 + base + ")" * 70,
        "abc " * 50 + "«" + base + "»",
    ):
        for width in (7, 40):
            expected = whole_lines(text, width, "app", True)
            lazy = LazyLayout(text, width, chunk=300, group=3)
            assert lazy.lines() == expected, width


def test_lazy_layout_estimates_rows_until_complete() -> None:
    text = " ".join(seed_paragraphs()) * 20
    lazy = LazyLayout(text, 50, chunk=2000)
    assert lazy.line(0) == whole_lines(text, 50, "app", True)[0]
    assert not lazy.complete and 0 < lazy.rows_known < lazy.rows()
    total = len(whole_lines(text, 50, "app", True))
    assert abs(lazy.rows() - total) < total // 10  # a close estimate before wrapping it all
    lazy.ensure_rows()
    assert lazy.complete and lazy.rows() == total
    with pytest.raises(ValueError, match="bidi mode"):
        LazyLayout("abc", 10, "visual")


#: Prose with embeddings, overrides and isolates (opened and closed, or left open) and
#: brackets inside and outside them: windows may be cut only where all are closed.
EXPLICIT_PROSE = st.lists(
    st.one_of(
        st.text(alphabet=ARABIC, min_size=1, max_size=6),
        st.text(alphabet="abcXYZ", min_size=1, max_size=6),
        st.text(alphabet="0123456789", min_size=1, max_size=4),
        st.sampled_from(["(", ")", "(1)", "[ب]", "-", ".", "،", "\u200c"]),
        st.sampled_from(list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2069")),
        st.sampled_from(
            ["\u202bعربي\u202c", "\u2066abc\u2069", "\u202erev\u202c", "\u2067(x)\u2069"]
        ),
    ),
    min_size=1,
    max_size=60,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    EXPLICIT_PROSE,
    st.integers(min_value=3, max_value=30),
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=1, max_value=3),
)
def test_lazy_layout_levels_windows_with_explicit_codes(
    text: str, width: int, chunk: int, group: int
) -> None:
    expected = whole_lines(text, width, "app", True)
    lazy = LazyLayout(text, width, "app", chunk=chunk, group=group)
    for row in reversed(range(len(expected))):
        assert lazy.line(row) == expected[row], row


def middle_line_peak(text: str) -> int:
    """Bytes allocated at the peak while a lazy layout of `text`, already wrapped whole and
    with its first line built, builds a line in the middle of the paragraph."""
    lazy = LazyLayout(text, 40, chunk=500, group=2)
    lazy.line(0)
    lazy.ensure_rows()
    middle = lazy.row_of(len(text) // 2)
    tracemalloc.start()
    try:
        lazy.line(middle)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def test_explicit_codes_leave_windows_small_where_they_are_closed() -> None:
    """A closed embedding early in a long paragraph does not make every window whole: a
    line in the middle is built from a window around it, as with no embedding at all, while
    one left open resolves the whole paragraph (the measure tells the two apart)."""
    base = " ".join(seed_paragraphs()).replace("(", "").replace("[", "")
    closed = "مرحبا \u202bعربي abc\u202c " + base * 3
    plain = "مرحبا عربي abc " + base * 3
    left_open = "مرحبا \u202bعربي abc " + base * 3
    assert middle_line_peak(closed) < 2 * middle_line_peak(plain) < len(closed)
    assert middle_line_peak(left_open) > 10 * len(left_open)
    assert LazyLayout(closed, 40, chunk=500, group=2).lines() == whole_lines(
        closed, 40, "app", True
    )


# --- Long words (no space for thousands of characters) are shaped and wrapped in pieces ---

#: Pieces of a word: everything in PIECES but spaces and tabs, and long joining runs.
WORD_PIECES = st.one_of(
    PIECES.filter(lambda piece: not set(piece) & set(" \t")),
    st.sampled_from(["ب" * 40, "لا" * 30, "ـ" * 20, "a" * 50, "\u064e" * 30]),
)


def long_word(pieces: list[str], size: int) -> str:
    """The pieces, repeated until the word is `size` characters."""
    unit = "".join(pieces) or "x"
    return (unit * (size // len(unit) + 1))[:size]


def unmirrored(text: str) -> str:
    """A glyph's text with a bracket and its mirror image counted as one (L4 mirrors)."""
    return min(text[0], MIRRORS.get(text[0], text[0])) + text[1:]


def whole_word_glyphs(word: str, mode: str, harakat: bool) -> list[tuple[str, int, int, int]]:
    """Glyph templates of `word` shaped in one go (as every word was before pieces)."""
    templates = shape_words([word], mode, harakat)[0][0]  # type: ignore[arg-type]
    if isinstance(templates, str):
        return [(form, 1, at, at + 1) for at, form in enumerate(templates)]
    return list(templates)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(WORD_PIECES, min_size=1, max_size=30),
    st.integers(min_value=1, max_value=3500),
    st.sampled_from(["app", "terminal"]),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_long_word_shaped_in_pieces_equals_the_whole_word(
    pieces: list[str], size: int, mode: str, harakat: bool, rng: Any
) -> None:
    """Pieces cut where nothing joins or attaches across give the whole word's glyphs, from
    the start or from any glyph boundary."""
    word = neutralize(long_word(pieces, size))
    expected = whole_word_glyphs(word, mode, harakat)
    glyphs = long_word_glyphs(word, 0, len(word), 0, mode, harakat)  # type: ignore[arg-type]
    assert list(glyphs) == expected
    if expected:
        frm = rng.choice(expected)[2]
        resumed = long_word_glyphs(word, 0, len(word), frm, mode, harakat)  # type: ignore[arg-type]
        assert list(resumed) == [glyph for glyph in expected if glyph[2] >= frm]


#: Words from just under `LONG_WORD` to a little over one shaping piece past it (longer ones
#: only add pieces of the same kind), wrapped in chunks of at least 16 characters (smaller
#: chunks resume inside the word at more places of the same kind, at a cost that grows with
#: the word's length squared: most of a minute of the suite, for nothing new).
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.large_base_example, HealthCheck.too_slow],
)
@given(
    PARAGRAPHS,
    st.lists(WORD_PIECES, min_size=1, max_size=20),
    st.integers(min_value=LONG_WORD - 50, max_value=LONG_WORD + 1100),
    PARAGRAPHS,
    st.integers(min_value=1, max_value=40),
    st.sampled_from(["app", "terminal"]),
    st.booleans(),
    st.integers(min_value=16, max_value=6000),
    st.integers(min_value=1, max_value=5),
    st.randoms(use_true_random=False),
)
def test_lazy_layout_equals_the_whole_layout_with_a_long_word(
    before: str,
    pieces: list[str],
    size: int,
    after: str,
    width: int,
    mode: str,
    harakat: bool,
    chunk: int,
    group: int,
    rng: Any,
) -> None:
    """A paragraph holding a word of thousands of characters: the lazy layout (which stops
    and resumes wrapping inside it) equals the whole one, and the whole one draws the word's
    glyphs, shaped as one word, filling each line before breaking."""
    word = long_word(pieces, size)
    text = f"{before} {word} {after}"
    expected = whole_lines(text, width, mode, harakat)
    # A group is shaped from the last safe cut before it, and a word of joining letters (or
    # tatweels) has none: each group reshapes the whole word. At one line a group and width 1
    # that is 5,000 reshapes of 5,000 characters (half a minute for one example). At most
    # about 40 groups a paragraph, every line is still compared, and group edges still fall
    # at any glyph (and at one line a group on wider lines).
    group = max(group, len(expected) // 40)
    lazy = LazyLayout(text, width, mode, harakat=harakat, chunk=chunk, group=group)  # type: ignore[arg-type]
    rows = list(range(len(expected) + 1))
    rng.shuffle(rows)
    for row in rows[:40]:
        assert lazy.line(row) == (expected[row] if row < len(expected) else None), row
    assert lazy.lines() == expected

    visible = neutralize(text)
    begin = len(neutralize(f"{before} "))
    end = begin + len(neutralize(word))
    inside = [line for line in expected if begin <= line.start and line.end <= end]
    drawn = sorted(
        (unmirrored(glyph.text), glyph.cells, glyph.start - begin, glyph.end - begin)
        for line in inside
        for glyph in line.glyphs
    )
    reference = whole_word_glyphs(visible[begin:end], mode, harakat)
    first = inside[0].start - begin if inside else 0
    last = inside[-1].end - begin if inside else 0
    assert drawn == sorted(
        (unmirrored(g[0]), g[1], g[2], g[3]) for g in reference if first <= g[2] < last
    )
    for line, following in itertools.pairwise(inside):
        next_cells = min(
            glyph.cells for glyph in following.glyphs if glyph.start == following.start
        )
        assert line.width + next_cells > max(width, 1) or not line.glyphs


def test_a_long_word_is_never_cached_whole() -> None:
    """A 200,000-character word is laid out (lazily and whole) without entering the cache."""
    word = ("بسم" + "ا" + "لله" + "abc") * 20_000
    lazy = LazyLayout(word, 40)
    assert lazy.line(0) is not None and lazy.line(3000) is not None
    assert not lazy.complete  # wrapped only as far as line 3000
    layout(word[:100_000], 40)
    layout_text(word[:150_000], 40)  # the printed path (`reader render`) too
    assert all(len(key) <= LONG_WORD for key in WORDS.words())

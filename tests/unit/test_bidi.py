"""UAX #9 conformance of reader.text.bidi: the committed subset always, all of it when present."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from bidi import get_display
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reader.text.bidi import (
    BMP_CLASSES_FILE,
    MIRRORS,
    REMOVED,
    bidi_classes,
    bmp_classes_header,
    computed_bmp_classes,
    line_levels,
    mirror,
    paragraph_level,
    reorder,
    resolve_levels,
    visual_order,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bidi" / "BidiCharacterTest-subset.txt"
UNICODE_PLACES = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "unicode",
    Path("/usr/share/unicode"),
)
FULL_FILE_PLACES = tuple(place / "BidiCharacterTest.txt" for place in UNICODE_PLACES)


def run_case(line: str) -> str | None:
    """Check one BidiCharacterTest line; None if it passes, else a description."""
    fields = line.split(";")
    text = "".join(chr(int(code, 16)) for code in fields[0].split())
    direction = int(fields[1])
    classes = bidi_classes(text)
    para = paragraph_level(classes, None if direction == 2 else direction)
    levels = line_levels(classes, resolve_levels(text, classes, para), 0, len(text), para)
    got_levels = " ".join("x" if level == REMOVED else str(level) for level in levels)
    got_order = " ".join(str(index) for index in visual_order(levels))
    if para != int(fields[2]) or got_levels != fields[3] or got_order != fields[4].strip():
        return f"{line}\n  got para {para}; levels {got_levels}; order {got_order}"
    return None


def cases(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_committed_subset_passes() -> None:
    subset = cases(FIXTURE)
    assert len(subset) > 300
    failures = [failure for line in subset if (failure := run_case(line))]
    assert failures == []


def test_full_conformance_file() -> None:
    path = next((place for place in FULL_FILE_PLACES if place.exists()), None)
    if path is None:
        pytest.skip("BidiCharacterTest.txt not found (../shared/unicode or unicode-data)")
    start = time.perf_counter()
    all_cases = cases(path)
    failures = [failure for line in all_cases if (failure := run_case(line))]
    assert len(all_cases) == 91_707
    assert failures[:5] == [] and len(failures) == 0
    assert time.perf_counter() - start < 110


def test_paragraph_level_first_strong_skips_isolates() -> None:
    assert paragraph_level(bidi_classes("hello مرحبا")) == 0
    assert paragraph_level(bidi_classes("123 مرحبا hello")) == 1
    assert paragraph_level(bidi_classes("\u2067hello\u2069 مرحبا")) == 1  # RLI..PDI skipped
    assert paragraph_level(bidi_classes("123 ...")) == 0  # no strong character: LTR
    assert paragraph_level(bidi_classes("مرحبا"), 0) == 0  # an explicit direction wins


def test_mixed_arabic_paragraph_levels() -> None:
    text = "قال OpenAI إن 97.400 (مثال)"
    classes = bidi_classes(text)
    levels = resolve_levels(text, classes, paragraph_level(classes))
    assert list(levels[4:10]) == [2] * 6  # the Latin name
    assert list(levels[14:20]) == [2] * 6  # the number with its dot
    assert levels[21] == levels[26] == 1  # the brackets take the paragraph's direction


def test_mirror_and_reorder() -> None:
    assert mirror("(") == ")" and mirror("«") == "»" and mirror("a") == "a"
    assert mirror("(\u0301") == ")\u0301"  # a glyph's marks stay after its mirrored base
    assert mirror("") == ""
    assert reorder(list("abcd"), [1, 1, 1, 1]) == list("dcba")
    assert reorder(list("abcd"), [0, 0, 0, 0]) == list("abcd")
    # An LTR run (level 2) inside RTL text keeps its order.
    assert reorder(list("abXYc"), [1, 1, 2, 2, 1]) == list("cXYba")


def test_classes_cover_astral_and_unassigned_code_points() -> None:
    assert bidi_classes("a\U0001f600\U00010900") == "LoR"  # emoji ON, Phoenician R
    assert bidi_classes("\u08b5") == "A"  # unassigned in an Arabic block defaults to AL


def test_mirroring_table_is_the_unicode_one() -> None:
    """L4 mirrors exactly the pairs of BidiMirroring.txt (when the file is present)."""
    path = next((place / "BidiMirroring.txt" for place in UNICODE_PLACES if place.is_dir()), None)
    if path is None or not path.exists():
        pytest.skip("BidiMirroring.txt not found (../shared/unicode or unicode-data)")
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        data = line.split("#")[0]
        if data.strip():
            source, target = data.split(";")
            pairs[chr(int(source, 16))] = chr(int(target, 16))
    assert len(pairs) > 400
    assert pairs == MIRRORS
    assert all(mirror(char) == pairs[char] for char in pairs)


def test_line_levels_resets_whitespace_before_separators_and_at_the_line_end() -> None:
    """L1 on a line cut from a paragraph: the tab and the spaces before it, and the spaces
    ending the line (not those ending the paragraph), go to the paragraph level."""
    text = "\u05d0 b \tc  d \u05d1"
    classes = bidi_classes(text)
    para = paragraph_level(classes)
    levels = resolve_levels(text, classes, para)
    assert para == 1 and list(levels) == [1, 1, 2, 2, 2, 2, 2, 2, 2, 1, 1]
    line = line_levels(classes, levels, 0, 8, para)  # "\u05d0 b \tc  ", a wrapped line
    assert list(line) == [1, 1, 2, 1, 1, 2, 1, 1]
    assert line_levels(classes, levels, 8, 11, para) == levels[8:]  # "d \u05d1" ends it


def test_line_levels_resets_both_kinds_of_separator_and_the_spaces_before_each() -> None:
    """A paragraph separator inside a line (U+2029: the conformance file has none there)
    and a segment separator (tab), each with the whitespace before it, go to the paragraph
    level; what precedes that whitespace keeps its level."""
    text = "\u05d0 b \u2029c  \td \u05d1"
    classes = bidi_classes(text)
    assert classes == "RwLwBLwwSLwR"
    levels = bytearray([2] * len(text))
    assert list(line_levels(classes, levels, 0, 12, 1)) == [2, 2, 2, 1, 1, 2, 1, 1, 1, 2, 2, 2]
    assert list(line_levels(classes, levels, 2, 10, 1)) == [2, 1, 1, 2, 1, 1, 1, 2]


def test_the_bmp_classes_file_is_this_unicode_database() -> None:
    """The shipped table of BMP classes (read at start instead of asking the database about
    65,536 code points) is what the database says, and `bidi_classes` uses it."""
    header, codes = BMP_CLASSES_FILE.read_text(encoding="ascii").split("\n")[:2]
    every = "".join(map(chr, range(0x10000)))
    assert bidi_classes(every) == computed_bmp_classes()
    if header != bmp_classes_header():
        pytest.skip("made from another Unicode version: run tools/bidi_table.py")
    assert codes == computed_bmp_classes()


def test_mirror_of_a_line_mirrors_each_glyph_s_base() -> None:
    """L4 over a whole line at an odd level (as the layout prints one) is each glyph's
    base mirrored, its marks left after it."""
    glyphs = ["(", "\ufe91\u064e", "«", ")\u0301", "a", "[", "\u2208", "\u00a0\u064b"]
    expected = "".join(MIRRORS.get(glyph[0], glyph[0]) + glyph[1:] for glyph in glyphs)
    assert mirror("".join(glyphs)) == expected
    assert expected == ")\ufe91\u064e»(\u0301a]\u220b\u00a0\u064b"


#: Letters of each strong type, European and Arabic digits, separators and terminators,
#: neutrals and marks, and chains of numbers and separators, packed with no space between:
#: where W1-W7 act on neighbours of neighbours ("1,2,3", "١٫٢", a mark after a digit).
_DENSE_PIECES = [
    *"اaא", *"1٢", *",.:/+-%$", " ", "!", "\u064e", "\u0301",
    "12", "1,2,3", "1.2.3,4", "1+2-3", "١,٢,٣", "١٫٢", "$1%",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_DENSE_PIECES), min_size=1, max_size=10).map("".join),
    st.sampled_from([None, 0, 1]),
)
@example("ا א 1+2", 0)  # the strong type before the number is R, not AL: EN, joined by +
@example("א1,2,3 ا", 0)
@example("1+2 ا 3+4", 0)  # EN before the first AL, AN after it
def test_dense_numbers_separators_and_marks_reorder_as_python_bidi_does(
    text: str, direction: int | None
) -> None:
    """The levels of `resolve_levels` and `line_levels`, applied by `visual_order`, give the
    order python-bidi's Rust core gives (bracket-free text, where neither mirrors)."""
    classes = bidi_classes(text)
    para = paragraph_level(classes, direction)
    levels = line_levels(classes, resolve_levels(text, classes, para), 0, len(text), para)
    ours = "".join(text[index] for index in visual_order(levels))
    base = None if direction is None else "LR"[direction]
    assert ours == get_display(text, base_dir=base)

"""Article text never carries terminal control: escape sequences, controls, tabs."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.sanitize import HIDDEN, has_hidden, neutralize, sanitize


def test_escape_sequences_are_removed_whole() -> None:
    assert sanitize("a\x1b[31;1mred\x1b[0m b") == "ared b"
    assert sanitize("x\x1b]0;a new title\x07y") == "xy"
    assert sanitize("\x1b]8;;http://e.g\x1b\\link\x1b]8;;\x1b\\") == "link"
    assert sanitize("\x9b2Jclear") == "clear"
    assert sanitize("\x1bcreset") == "reset"
    assert sanitize("unterminated \x1b]0;title") == "unterminated "


def test_controls_dropped_newlines_kept_tabs_expanded() -> None:
    assert sanitize("a\x00b\x07c\x7fd\x85e") == "abcde"
    assert sanitize("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"
    assert sanitize("a\tb\n\tc", tab_size=4) == "a   b\n    c"


def test_bidi_formatting_characters_are_kept_for_the_algorithm() -> None:
    text = "\u202bمرحبا\u202c \u2067abc\u2069 \u200f"
    assert sanitize(text) == text


def test_neutralize_keeps_offsets() -> None:
    text = "a\x1b[1mb\x00c\td\ne"
    hidden = neutralize(text)
    assert len(hidden) == len(text)
    assert hidden == "a" + HIDDEN * 4 + "b" + HIDDEN + "c\td" + HIDDEN + "e"
    assert has_hidden(text) and not has_hidden("plain مرحبا\ttext")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x3000)))
def test_nothing_dangerous_survives(text: str) -> None:
    clean = sanitize(text)
    assert "\x1b" not in clean and "\x9b" not in clean and "\t" not in clean
    assert all(char == "\n" or unicodedata.category(char) != "Cc" for char in clean), repr(clean)
    shown = neutralize(text)
    assert len(shown) == len(text)
    assert all(char == "\t" or unicodedata.category(char) != "Cc" for char in shown)

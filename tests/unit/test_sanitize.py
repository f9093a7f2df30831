"""Article text never carries terminal control: escape sequences, controls, tabs."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.text.sanitize import HIDDEN, has_hidden, neutralize, sanitize


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


def test_urls_keep_their_meaning_with_controls_percent_encoded() -> None:
    from reader.text.sanitize import clean_url

    link = "https://example.com/a\x1b]52;c;aGk=\x07b?q=\u202e1"
    assert clean_url(link) == "https://example.com/a%1B]52;c;aGk=%07b?q=%E2%80%AE1"
    assert clean_url("https://example.com/عربي?x=1 2") == "https://example.com/عربي?x=1 2"
    assert clean_url("/home/u/a\x9bb.txt") == "/home/u/a%C2%9Bb.txt"


def test_one_line_fields_lose_controls_and_bidi_controls() -> None:
    from reader.text.sanitize import clean_line

    assert clean_line(" \u202erev\u202c \x1b]0;title\x07news\r\nmore\u2069 ") == "rev news more"
    assert clean_line("\ufeffمرحبا\u200f") == "مرحبا"


def test_printable_and_json_safe_leave_nothing_raw() -> None:
    import json

    from reader.text.sanitize import json_safe, printable

    assert printable("a\x1b[2Jb\u202ec\td\ne\r") == "abc\td\ne"
    assert printable("a\tb\nc", line=True) == "a b c"
    value = {"t": "a\x85\u202e\u2028\x7fb"}
    text = json_safe(json.dumps(value, ensure_ascii=False))
    assert text == '{"t": "a\\u0085\\u202e\\u2028\\u007fb"}'
    assert json.loads(text) == value


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x3000)))
def test_what_goes_out_holds_no_control_and_no_bidi_control(text: str) -> None:
    import json

    from reader.text.sanitize import clean_line, clean_url, json_safe, printable

    bidi = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    for shown in (printable(text), clean_line(text), clean_url(text)):
        assert not bidi.intersection(shown), repr(shown)
        assert all(c in "\t\n" or unicodedata.category(c) != "Cc" for c in shown), repr(shown)
    encoded = json_safe(json.dumps(text, ensure_ascii=False))
    assert json.loads(encoded) == text
    assert all(unicodedata.category(c) != "Cc" and c not in bidi for c in encoded)

"""Arabic folding for search: what it ignores, what it unifies, and that offsets map back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.text.arabic import (
    find_all,
    fold,
    fold_plain,
    proclitic_splits,
    strip_article,
    strip_name_proclitic,
)


def test_fold_strips_harakat_and_tatweel() -> None:
    assert fold_plain("مُحَمَّدٌ") == "محمد"
    assert fold_plain("العـــربية") == "العربيه"


def test_fold_unifies_alef_taa_marbuta_alef_maqsura() -> None:
    assert fold_plain("أحمد إبراهيم آمال ٱلله") == "احمد ابراهيم امال الله"
    assert fold_plain("مدرسة") == "مدرسه"
    assert fold_plain("مصطفى") == "مصطفي"


def test_fold_lowercases_latin_and_folds_digits() -> None:
    assert fold_plain("OpenAI ٢٠١٥ ۱۹") == "openai 2015 19"


def test_fold_map_points_to_original_characters() -> None:
    text = "مُحَمَّد"
    folded, index_map = fold(text)
    assert folded == "محمد"
    assert len(index_map) == len(folded) + 1
    assert [text[i] for i in index_map[:-1]] == ["م", "ح", "م", "د"]
    assert index_map[-1] == len(text)


def test_find_all_ignores_marks_and_returns_logical_spans() -> None:
    text = "قال مُحَمَّدٌ إن محمد سيأتي"
    spans = find_all(text, "محمد")
    assert spans == [(4, 13), (17, 21)]
    assert text[4:13] == "مُحَمَّدٌ"
    assert text[17:21] == "محمد"


def test_presentation_forms_fold_as_the_letters_they_show() -> None:
    """Text copied from a PDF may be written in presentation forms: found and matched as the
    letters it shows, with offsets into the text as written."""
    text = "قال ﺍﻟﻨﺎﺱ ﻻ ﹰﷲ"
    assert fold_plain(text) == fold_plain("قال الناس لا الله")
    assert find_all(text, "النّاس") == [(4, 9)]
    assert find_all(text, "لا") == [(10, 11)]
    folded, index_map = fold(text)
    assert folded == fold_plain(text) and index_map[-1] == len(text)


def test_find_all_folds_needle_too() -> None:
    text = "زار الرئيس القاهرة وقال إن القاهره جميلة"
    assert [text[s:e] for s, e in find_all(text, "القاهرة")] == ["القاهرة", "القاهره"]
    assert [text[s:e] for s, e in find_all(text, "إلى")] == []
    assert find_all("ذهب الى المدرسة", "إلى") == [(4, 7)]


def test_find_all_latin_case_insensitive() -> None:
    text = "شركة OpenAI و openai"
    assert [text[s:e] for s, e in find_all(text, "OPENAI")] == ["OpenAI", "openai"]


def test_find_all_empty_needle_matches_nothing() -> None:
    assert find_all("نص", "") == []
    assert find_all("نص", "َ") == []


def test_find_all_non_overlapping() -> None:
    assert find_all("aaaa", "aa") == [(0, 2), (2, 4)]


def test_proclitic_splits_longest_first() -> None:
    splits = list(proclitic_splits("والسعودية"))
    assert splits[0] == ("وال", "سعودية")
    assert ("و", "السعودية") in splits


def test_strip_article() -> None:
    assert strip_article("والسعودية") == "سعودية"
    assert strip_article("للشركة") == "شركة"
    assert strip_article("ماسك") == "ماسك"


def test_strip_name_proclitic() -> None:
    known = {fold_plain("مايكروسوفت"), fold_plain("ماسك")}
    assert strip_name_proclitic("بمايكروسوفت", known) == (1, "مايكروسوفت")
    assert strip_name_proclitic("وSoftBank", known) == (1, "SoftBank")
    assert strip_name_proclitic("ماسك", known) == (0, "ماسك")
    assert strip_name_proclitic("وزير", known) == (0, "وزير")


#: Letters, marks, digits, and presentation forms of one letter and of a haraka. (Not the
#: ligatures: a match inside ﻻ or ﷲ spans the whole ligature, which folds to more than the
#: needle; the chunked test below has ﻻ.)
_ALPHABET = st.sampled_from(list("ابتثجحخدذرسشصضطظعغفقكلمنهويأإآةىءؤئ ـًٌٍَُِّْAbZz019٠٩ﺍﻟﻨﺱﹰ"))


@settings(max_examples=200, deadline=None)
@given(st.text(_ALPHABET, max_size=40))
def test_fold_map_is_monotonic_and_consistent(text: str) -> None:
    folded, index_map = fold(text)
    assert len(index_map) == len(folded) + 1
    assert index_map == sorted(index_map)
    for k, ch in enumerate(folded):
        assert ch in fold_plain(text[index_map[k]])


@settings(max_examples=200, deadline=None)
@given(st.text(_ALPHABET, max_size=30), st.text(_ALPHABET, min_size=1, max_size=5))
def test_find_all_spans_fold_to_needle(haystack: str, needle: str) -> None:
    target = fold_plain(needle)
    for start, end in find_all(haystack, needle):
        assert fold_plain(haystack[start:end]) == target


def whole_text_find(haystack: str, needle: str) -> list[tuple[int, int]]:
    """The reference: fold the whole haystack with its full offset map, then search it."""
    target = fold_plain(needle)
    if not target:
        return []
    folded, index_map = fold(haystack)
    spans: list[tuple[int, int]] = []
    position = folded.find(target)
    while position >= 0:
        after = position + len(target)
        start, last = index_map[position], index_map[after - 1]
        end = last + 1
        while end < len(haystack) and fold_plain(haystack[end]) == "":
            end += 1
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
        position = folded.find(target, after)
    return spans


#: Letters, marks and tatweel (dropped), "ß" and "ﬁ" (case folding lengthens them), Latin case,
#: presentation forms (one letter each, the ligature ﻻ of two, a haraka dropped).
_CHUNKED_ALPHABET = st.sampled_from(list("ابتلمهةىأ ـًَُّْAaBbßﬁ01٠ﺍﻟﻼﹰ"))


@settings(max_examples=400, deadline=None)
@given(
    st.text(_CHUNKED_ALPHABET, max_size=60),
    st.text(_CHUNKED_ALPHABET, min_size=1, max_size=4),
    st.integers(min_value=1, max_value=12),
)
def test_find_all_in_chunks_equals_folding_the_whole_text(
    haystack: str, needle: str, chunk: int
) -> None:
    """Folding a few characters at a time finds exactly the spans folding it whole finds,
    matches across chunk boundaries and marks at their edges included."""
    assert find_all(haystack, needle, chunk=chunk) == whole_text_find(haystack, needle)


def test_find_all_on_a_long_text_across_chunks() -> None:
    unit = "قالَ الرئيسُ إن الشركـــة ستشتري Straße ﬁnal للشركة، "
    haystack = unit * 3000
    for needle in ("الشركة", "strasse", "fin", "ـ"):
        expected = whole_text_find(haystack, needle)
        assert find_all(haystack, needle, chunk=1000) == expected
        assert len(expected) == (0 if needle == "ـ" else 3000)  # "للشركة" is not "الشركة"

"""Shaping: each word of a paragraph -> its glyph templates, the first step of the layout.

A word is shaped with arabic-reshaper's joining tables (joining forms and lam-alef ligatures
only: nothing wider than a cell, no ﷲ; ZWJ/ZWNJ honoured; the same result as
`ArabicReshaper.reshape` configured by RESHAPER_CONFIGURATION, which the tests check) into
glyphs, each a base character with its marks or a ligature, mapped to offsets in the word.
Words repeat, so their templates are cached (`WORDS`); a word longer than `LONG_WORD` is
shaped a piece at a time between safe cuts instead (`long_word_glyphs`) and never cached.
`reader.text.layout` wraps and reorders the templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import compress, repeat
from operator import is_
from typing import Any

from arabic_reshaper import ArabicReshaper
from arabic_reshaper.arabic_reshaper import HARAKAT_RE
from arabic_reshaper.letters import FINAL, INITIAL, ISOLATED, LETTERS_ARABIC, MEDIAL
from arabic_reshaper.ligatures import LIGATURES
from rich.cells import get_character_cell_size

from reader.text.arabic import ARABIC_SCRIPT_RE
from reader.text.bidi import bidi_classes
from reader.text.modes import BidiMode

_LAM_ALEF = (
    "ARABIC LIGATURE LAM WITH ALEF",
    "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE",
    "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW",
    "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE",
)


#: Only the lam-alef ligatures: every other one (ﷲ, ﷺ, two-letter forms) draws wider than a
#: cell in terminal fonts, or not at all.
RESHAPER_CONFIGURATION: dict[str, Any] = {
    "language": "Arabic",
    "delete_harakat": True,  # harakat are stripped and re-attached here, keeping offsets
    "shift_harakat_position": False,
    "delete_tatweel": False,
    "support_zwj": True,
    "use_unshaped_instead_of_isolated": False,
    "support_ligatures": True,
    **{name: name in _LAM_ALEF for name, _forms in LIGATURES},
}


def reference_reshaper() -> ArabicReshaper:
    """arabic-reshaper configured as this engine shapes: `joining_forms` makes the same decisions
    from the same tables, faster (the tests compare the two on every word they try)."""
    return ArabicReshaper(configuration=RESHAPER_CONFIGURATION)


_ZWJ = "\u200d"
_ZWNJ = "\u200c"
#: Bidi format characters that steer but are never drawn (plus BN, which covers ZWJ/ZWNJ).
_NOT_DRAWN_CLASSES = frozenset("b123456789")
_NOT_DRAWN_CHARS = frozenset("\u200e\u200f\u061c")

#: A glyph before it becomes a `Glyph`: (text, cells, start, end), offsets relative to a word.
Template = tuple[str, int, int, int]
Templates = tuple[Template, ...]
#: A word's glyph templates, their total cells, and the text they draw in logical order and
#: reversed glyph by glyph (each glyph's characters kept in order: a right-to-left run
#: prints it); a plain string of glyphs stands for one one-cell glyph per character (the
#: common case, kept compact and fast to expand).
Entry = tuple[Templates | str, int, str, str]


#: letter -> (its four forms, joins the letter before, joins the letter after, has a medial
#: form): arabic-reshaper's own table, read once.
_JOINING: dict[str, tuple[tuple[str, str, str, str], bool, bool, bool]] = {
    letter: (
        forms,
        bool(forms[FINAL] or forms[MEDIAL]),
        bool(forms[INITIAL] or forms[MEDIAL]),
        bool(forms[MEDIAL]),
    )
    for letter, forms in LETTERS_ARABIC.items()
}
_LAM_ALEF_TABLE: dict[str, tuple[str, str, str, str]] = {
    match: forms for name, (match, forms) in LIGATURES if name in _LAM_ALEF
}
_LAM_ALEF_RE = re.compile("|".join(_LAM_ALEF_TABLE))
_LAM_INITIAL = LETTERS_ARABIC["\u0644"][INITIAL]


def joining_forms(letters: str) -> list[str]:
    """Joining forms and lam-alef ligatures of one word, one string per letter ('' for the
    alef merged into a ligature).

    The same decisions as `ArabicReshaper.reshape` with our configuration, from the same
    tables (tests compare the two), without its per-character overhead: `reshape` costs about
    2 us a character, which made a fresh screenful of Arabic take 15 ms to shape.
    `letters` holds no harakat (transparent to joining). ZWJ joins both ways and then is
    dropped, as in the reshaper (whose own ZWJ handling misplaces lam-alef ligatures).
    """
    out: list[str] = []
    append = out.append
    joining = _JOINING.get
    previous = None  # the previous letter's forms, while it may join this one
    linked = False  # whether the previous letter joins the one before it
    for letter in letters:
        entry = joining(letter)
        if entry is None:
            append(letter)
            previous = None
            continue
        forms = entry[0]
        if previous is not None and entry[1]:  # joins the previous letter
            out[-1] = previous[MEDIAL if linked else INITIAL]
            append(forms[FINAL])
            linked = True
        else:
            append(forms[ISOLATED])
            linked = False
        previous = forms if entry[2] else None
    if _ZWJ in letters:
        out = ["" if letter == _ZWJ else form for letter, form in zip(letters, out, strict=True)]
    if (  # (four substring tests cost a seventh of a regular expression's finditer)
        "\u0644\u0627" in letters
        or "\u0644\u0623" in letters
        or "\u0644\u0625" in letters
        or "\u0644\u0622" in letters
    ):
        for match in _LAM_ALEF_RE.finditer(letters):
            # The lam always joins its alef: an initial lam makes the isolated ligature, a
            # medial one the final ligature.
            at = match.start()
            forms = _LAM_ALEF_TABLE[match.group()]
            ligature = forms[ISOLATED] if out[at] == _LAM_INITIAL else forms[FINAL]
            if ligature:
                out[at] = ligature
                out[at + 1] = ""
    return out


def _clusters(word: str, forms: dict[int, str] | None, harakat: bool) -> Templates:
    """Group a word's characters into glyph templates in logical order."""
    classes = bidi_classes(word)
    glyphs: list[list[str | int]] = []  # [text, cells, start, end]
    for index, char in enumerate(word):
        if classes[index] in _NOT_DRAWN_CLASSES or char in _NOT_DRAWN_CHARS:
            continue
        cells = get_character_cell_size(char)
        shaped = char if forms is None else forms.get(index, char)
        if cells == 0 or shaped == "":
            # A mark (or the alef of a lam-alef): it belongs to the glyph before it.
            keep = shaped if (harakat or not HARAKAT_RE.match(char)) else ""
            if glyphs:
                glyph = glyphs[-1]
                glyph[0] = str(glyph[0]) + keep
                glyph[3] = index + 1
            elif keep:
                glyphs.append(["\u00a0" + keep, 1, index, index + 1])  # a mark with no base
            continue
        glyphs.append([shaped, cells, index, index + 1])
    return tuple((str(g[0]), int(g[1]), int(g[2]), int(g[3])) for g in glyphs)


#: Characters that are one cell, never marks and never hidden.
_SIMPLE_CHARS = (
    "!-~\u00ab\u00bb\u060c\u061b\u061f\u0621-\u063a\u0640-\u064a"
    "\u0660-\u066d\u0671-\u06d3\u06f0-\u06f9"
)
#: Words made only of such characters: the common case, which needs no cluster analysis
#: (one glyph per character).
_SIMPLE_WORD_RE = re.compile(f"[{_SIMPLE_CHARS}]+")
#: Harakat (fathatan .. wavy hamza below, superscript alef): zero-cell NSMs, which
#: `_clusters` would put in the glyph of the character before them.
_HARAKAT = "\u064b-\u065f\u0670"
#: A glyph of a word of simple characters with harakat: a character and its harakat.
_MARKED_GLYPH_RE = re.compile(f"[{_SIMPLE_CHARS}][{_HARAKAT}]*")
#: Such a word (the next most common: harakat on some letters): its glyphs found by
#: `_MARKED_GLYPH_RE`, as `_clusters` groups them, without asking each character's class,
#: width and whether it is a mark.
_MARKED_WORD_RE = re.compile(f"(?:[{_SIMPLE_CHARS}][{_HARAKAT}]*)+")


def _marked_entry(word: str, shape: bool, harakat: bool) -> Entry:
    """The entry of a word `_MARKED_WORD_RE` matches: each glyph its character's form (its
    joining form when `shape`) and then its harakat (when `harakat`); the alef of a lam-alef
    joins the lam's glyph, as a mark would."""
    glyphs = _MARKED_GLYPH_RE.findall(word)
    bases = "".join([glyph[0] for glyph in glyphs])
    forms = joining_forms(bases) if shape else bases
    templates: list[Template] = []
    at = 0
    for glyph, form in zip(glyphs, forms, strict=True):
        end = at + len(glyph)
        text = form + glyph[1:] if harakat else form
        if form:
            templates.append((text, 1, at, end))
        else:  # the alef of a lam-alef ligature
            lam = templates[-1]
            templates[-1] = (lam[0] + text, 1, lam[2], end)
        at = end
    return templates_entry(tuple(templates))


def shape_words(words: list[str], mode: BidiMode, harakat: bool) -> list[Entry]:
    """Glyph templates and total cells for each word (shaped in app mode)."""
    entries: list[Entry] = []
    app = mode == "app"
    simple, arabic, append = _SIMPLE_WORD_RE.fullmatch, ARABIC_SCRIPT_RE.search, entries.append
    marked = _MARKED_WORD_RE.fullmatch
    for word in words:
        if simple(word):
            if not (app and arabic(word)):
                append((word, len(word), word, word[::-1]))
                continue
            shaped = joining_forms(word)
            if "" not in shaped:
                joined = "".join(shaped)
                append((joined, len(word), joined, joined[::-1]))
            else:  # a lam-alef ligature: the alef ('') joins the lam's glyph
                merged: list[Template] = []
                for at, form in enumerate(shaped):
                    if form:
                        merged.append((form, 1, at, at + 1))
                    else:
                        merged[-1] = (merged[-1][0], 1, merged[-1][2], at + 1)
                entries.append(templates_entry(tuple(merged)))
        elif marked(word):
            append(_marked_entry(word, app and arabic(word) is not None, harakat))
        elif not app or not ARABIC_SCRIPT_RE.search(word):
            entries.append(templates_entry(_clusters(word, None, harakat)))
        else:
            classes = bidi_classes(word)
            positions = [
                index
                for index, char in enumerate(word)
                if char in (_ZWJ, _ZWNJ)
                or not (
                    classes[index] in _NOT_DRAWN_CLASSES
                    or char in _NOT_DRAWN_CHARS
                    or HARAKAT_RE.match(char)
                )
            ]
            letters = "".join(word[index] for index in positions)
            forms = dict(zip(positions, joining_forms(letters), strict=True))
            entries.append(templates_entry(_clusters(word, forms, harakat)))
    return entries


def templates_entry(templates: Templates) -> Entry:
    """`templates` as a word's entry: with their cells and the text they draw (`Entry`)."""
    forms = [template[0] for template in templates]
    text = "".join(forms)
    forms.reverse()
    return templates, sum([template[1] for template in templates]), text, "".join(forms)


class WordCache:
    """Glyph templates per word, mode and harakat: words repeat, shaping is the slow part.

    A memo only (results never depend on what is cached); bounded by clearing when full.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self._limit = limit
        self._entries: dict[tuple[BidiMode, bool], dict[str, Entry]] = {}

    def clear(self) -> None:
        """Forget every word (as a fresh process would start)."""
        self._entries = {}

    def words(self) -> list[str]:
        """The words cached, in any mode."""
        return [word for entries in self._entries.values() for word in entries]

    def get_many(self, words: list[str], mode: BidiMode, harakat: bool) -> list[Entry]:
        """Entries for `words`, shaping the missing ones in one batch."""
        entries = self._entries.setdefault((mode, harakat), {})
        found = list(map(entries.get, words))
        if None not in found:
            return found  # type: ignore[return-value]  # no None left
        missing = compress(words, map(is_, found, repeat(None)))
        fresh = self._shape(list(dict.fromkeys(missing)), mode, harakat)
        # (C-level maps: a paragraph's words, of which most are found)
        return list(map(fresh.get, words, found))  # type: ignore[arg-type]

    def _shape(self, words: list[str], mode: BidiMode, harakat: bool) -> dict[str, Entry]:
        """Shape `words`, cache them and return them (from a local dict, which a concurrent
        clear of the cache cannot empty)."""
        fresh = dict(zip(words, shape_words(words, mode, harakat), strict=True))
        if fresh:
            entries = self._entries.setdefault((mode, harakat), {})
            if len(entries) + len(fresh) > self._limit:
                entries.clear()
            entries.update(fresh)
        return fresh


WORDS = WordCache()

#: Words longer than this (characters) are shaped a piece at a time (`long_word_glyphs`) and
#: never cached: a base64 blob or an Arabic run with no spaces can be millions of characters.
LONG_WORD = 4096
#: About how many characters of a long word are shaped together.
_PIECE = 1024


@lru_cache(maxsize=4096)
def _is_base(char: str) -> bool:
    """Whether `char` always starts a glyph of its own: drawn, one or two cells, no mark."""
    return (
        char not in (_ZWJ, _ZWNJ)
        and char not in _NOT_DRAWN_CHARS
        and get_character_cell_size(char) > 0
        and bidi_classes(char) not in _NOT_DRAWN_CLASSES
        and HARAKAT_RE.match(char) is None
    )


def _safe_cut(text: str, at: int, mode: BidiMode) -> bool:
    """Whether shaping text[..at] and text[at..] apart gives the glyphs of shaping them
    together: both characters at the cut are bases (no mark, hidden character or ZWJ/ZWNJ
    crosses it) and, in app mode, the one before does not join the one after."""
    before, after = text[at - 1], text[at]
    if not (_is_base(before) and _is_base(after)):
        return False
    if mode != "app":
        return True
    entry = _JOINING.get(before)
    return entry is None or not entry[2]


def long_word_glyphs(
    text: str, word_start: int, word_end: int, frm: int, mode: BidiMode, harakat: bool
) -> Iterator[Template]:
    """Glyph templates (offsets into `text`) of the word text[word_start:word_end], from
    `frm` (a glyph boundary) on, shaped a piece at a time between safe cuts: the same glyphs
    as shaping the whole word, without holding it."""
    cut = frm
    while cut > word_start and not _safe_cut(text, cut, mode):
        cut -= 1
    while cut < word_end:
        following = min(cut + _PIECE, word_end)
        while following < word_end and not _safe_cut(text, following, mode):
            following += 1
        templates = shape_words([text[cut:following]], mode, harakat)[0][0]
        if isinstance(templates, str):
            for at, form in enumerate(templates, cut):
                if at >= frm:
                    yield form, 1, at, at + 1
        else:
            for glyph_text, glyph_cells, glyph_start, glyph_end in templates:
                if glyph_start + cut >= frm:
                    yield glyph_text, glyph_cells, glyph_start + cut, glyph_end + cut
        cut = following

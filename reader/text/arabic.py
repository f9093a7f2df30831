"""Arabic normalisation for matching and search, with a map back to logical offsets.

Searching Arabic text must ignore what writers add or vary freely: harakat (short-vowel
marks), tatweel (the elongation stroke), the hamza forms of alef, taa marbuta against haa
and alef maqsura against yaa. `fold` removes or unifies those and keeps, for every folded
character, the index of the original character it came from, so a match in folded text
maps back to a span of the logical text the store and the UI use.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator
from functools import lru_cache

#: Harakat, Quranic marks and the superscript alef: dropped by `fold`.
_MARKS = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)]  # fathatan .. wavy hamza below
    + [chr(0x0670)]  # superscript alef
    + [chr(c) for c in range(0x0610, 0x061B)]  # honorific signs
    + [chr(c) for c in range(0x06D6, 0x06DD)]  # Quranic annotation signs
    + [chr(c) for c in range(0x06DF, 0x06E5)]
    + [chr(c) for c in range(0x06E7, 0x06E9)]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
)
TATWEEL = "\u0640"

#: Any character of the Arabic script: the Arabic, Arabic Supplement and Arabic Extended-A
#: and -B blocks, and both blocks of presentation forms (which end at U+FEFF).
ARABIC_SCRIPT_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")

#: Character replacements applied after marks are dropped.
_REPLACE = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",  # alef wasla
    "ة": "ه",
    "ى": "ي",
    # Arabic-Indic and extended (Persian) digits fold to ASCII so "2015" finds "٢٠١٥".
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
}

# The proclitics: the one table every module that takes a word apart uses.

#: The one-letter proclitics: the conjunctions و and ف, the prepositions ب, ل and ك.
PROCLITIC_LETTERS = "وفبلك"
#: The definite article.
ARTICLE = "ال"
#: ل before the article, whose alef it drops (للأمم is ل + الأمم).
LAM_ARTICLE = "لل"
#: A conjunction or preposition before the article, longest first (والسعودية, وبالرياض).
ARTICLE_PROCLITICS: tuple[str, ...] = ("وبال", "وكال", "وفال", "فبال", "وال", "بال", "فال", "كال")
#: A conjunction before ل and the article (وللأمم).
CONJUNCTION_LAM_ARTICLE: tuple[str, ...] = ("ولل", "فلل")
#: The proclitics that are only conjunctions and prepositions (no article): what may precede
#: a proper name written with its own first letters (وSoftBank, بمايكروسوفت, لمسك).
NAME_PROCLITICS: tuple[str, ...] = ("وب", "ول", "وك", "فب", "فل", *PROCLITIC_LETTERS)
#: Every proclitic that attaches to a following word, longest first so the longest is tried
#: first.
PROCLITICS: tuple[str, ...] = (
    *ARTICLE_PROCLITICS,
    *CONJUNCTION_LAM_ARTICLE,
    LAM_ARTICLE,
    ARTICLE,
    *NAME_PROCLITICS,
)


def is_mark(char: str) -> bool:
    """True for harakat (presentation forms' too), Quranic marks and tatweel: characters
    `fold` drops."""
    return char in _DROPPED


#: Arabic presentation forms: the glyphs text copied from shaped text (a terminal, a PDF, an
#: old web page) is sometimes written in.
_PRESENTATION_RE = re.compile("[\ufb50-\ufdcf\ufdf0-\ufdff\ufe70-\ufefe]+")


def _fold_form(match: re.Match[str]) -> str:
    out: list[str] = []
    for char in match.group():
        shown = unicodedata.normalize("NFKC", char)
        if 0xFE70 <= ord(char) <= 0xFE7F:  # a spacing haraka: the mark itself, not " " + mark
            shown = shown[-1:]
        out.append(shown)
    return "".join(out)


def logical(text: str) -> str:
    """`text` with Arabic presentation forms replaced by the logical letters they show
    (ﺍﻟﻨﺎﺱ by الناس, the ligature ﻻ by لا)."""
    return _PRESENTATION_RE.sub(_fold_form, text)


_BASE_TABLE: dict[int, str | None] = {ord(m): None for m in _MARKS | {TATWEEL}} | {
    ord(k): v for k, v in _REPLACE.items()
}
#: Presentation forms fold as the letters they show; their harakat drop like harakat.
_PRESENTATION_FOLDS: dict[int, str | None] = {
    code: logical(chr(code)).strip().translate(_BASE_TABLE) or None
    for code in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF)]
    if logical(chr(code)) != chr(code)  # not unassigned, nor a noncharacter
}
_TABLE: dict[int, str | None] = _BASE_TABLE | _PRESENTATION_FOLDS
#: What `fold` drops: harakat (presentation forms' too), Quranic marks and tatweel.
_DROPPED = frozenset(chr(code) for code, folded in _TABLE.items() if folded is None)


def _needs_full_map(text: str, stripped: str, folded: str) -> bool:
    """Whether folding `text` is more than dropping marks and replacing one character by one:
    case folding lengthened a character (ß), or presentation forms (ﻻ folds to two)."""
    return len(folded) != len(stripped) or _PRESENTATION_RE.search(text) is not None


def fold_char(char: str) -> str:
    """The folded form of one character: "" for marks and tatweel, else 1+ characters."""
    return char.translate(_TABLE).casefold()


def fold(text: str) -> tuple[str, list[int]]:
    """Fold `text` for matching; return it with a map from each folded index to the original.

    The map has one entry more than the folded text: its last entry is `len(text)`, so the
    end offset of a match maps too.
    """
    stripped = text.translate(_TABLE)
    folded = stripped.casefold()
    if not _needs_full_map(text, stripped, folded):  # the usual case
        index_map = [i for i, char in enumerate(text) if char not in _DROPPED]
    else:
        parts: list[str] = []
        index_map = []
        for index, char in enumerate(text):
            part = fold_char(char)
            parts.append(part)
            index_map.extend([index] * len(part))
        folded = "".join(parts)
    index_map.append(len(text))
    return folded, index_map


def fold_lazily(text: str) -> tuple[str, Callable[[int], int]]:
    """`fold` with its map as a function, built from the dropped characters alone: a long
    text with few harakat costs a regex scan, not a list as long as the text (search maps
    back the few matches it finds). `original(i)` is `fold(text)[1][i]`."""
    stripped = text.translate(_TABLE)
    folded = stripped.casefold()
    if _needs_full_map(text, stripped, folded):
        full_folded, index_map = fold(text)
        return full_folded, index_map.__getitem__
    # The j-th dropped character at original index d has d - j kept characters before it:
    # folded index i maps to i plus the dropped characters whose key is <= i.
    keys = [match.start() - j for j, match in enumerate(_DROPPED_RE.finditer(text))]
    if not keys:
        return folded, _same
    return folded, lambda index: index + bisect_right(keys, index)


def _same(index: int) -> int:
    return index


def fold_plain(text: str) -> str:
    """`fold` without the index map, for keys and comparisons."""
    return text.translate(_TABLE).casefold()


def _span_end(text: str, last: int) -> int:
    """End offset after original index `last`, taking the marks that sit on that letter."""
    end = last + 1
    while end < len(text) and is_mark(text[end]):
        end += 1
    return end


#: Characters of the haystack folded at a time by `find_all`: its memory stays bounded (a
#: folded copy and an offset map of one chunk) however long the text.
FIND_CHUNK = 1 << 18

_DROPPED_RE = re.compile("[" + "".join(sorted(_DROPPED)) + "]")


@lru_cache(maxsize=1)
def _bmp_table() -> list[int | str | None]:
    """`_TABLE` as a list indexed by code point (built once, on the first search): twice as
    fast for `str.translate` as the dict over a long text. Code points past the BMP raise
    IndexError there, which `translate` answers by keeping the character, as the dict does."""
    table: list[int | str | None] = list(range(0x10000))
    for code, value in _TABLE.items():
        table[code] = value
    return table


class _ChunkMap:
    """Maps a folded chunk's indices back to the original text without a list per character.

    The usual chunk folds character for character but for dropped marks: the original index
    is the folded one plus the marks dropped before it (a bisect over the marks). A chunk
    where case folding lengthens a character (rare: ß, ligatures) keeps `fold`'s full map."""

    def __init__(self, piece: str, base: int) -> None:
        self.base = base
        stripped = piece.translate(_bmp_table())
        self.folded = stripped.casefold()
        self._full: list[int] | None = None
        self._drops: list[int] = []
        if _needs_full_map(piece, stripped, self.folded):
            self.folded, self._full = fold(piece)
        elif len(stripped) != len(piece):
            # a dropped character at original index d, the k-th dropped, sits before folded d - k
            self._drops = [found.start() - k for k, found in enumerate(_DROPPED_RE.finditer(piece))]

    def original(self, index: int) -> int:
        """Original (whole-text) index of folded index `index` of this chunk."""
        if self._full is not None:
            return self.base + self._full[index]
        return self.base + index + bisect_right(self._drops, index)


def find_all(haystack: str, needle: str, *, chunk: int = FIND_CHUNK) -> list[tuple[int, int]]:
    """Logical (start, end) spans of every non-overlapping Arabic-aware match of `needle`.

    Matching ignores harakat and tatweel, folds alef forms, taa marbuta, alef maqsura and
    digits, and ignores case in Latin script. An empty (or all-marks) needle matches nothing.
    The text is folded `chunk` characters at a time, the end of each chunk's folded text
    carried into the next so matches across chunks are found: the same spans as folding the
    whole text at once, in bounded memory.
    """
    folded_needle = fold_plain(needle)
    if not folded_needle:
        return []
    size = len(folded_needle)
    spans: list[tuple[int, int]] = []
    carry = ""  # folded text carried over from earlier chunks (shorter than the needle)
    carry_map: list[int] = []  # its original indices
    step = max(1, chunk)
    for base in range(0, len(haystack), step):
        piece = _ChunkMap(haystack[base : base + step], base)
        stream = carry + piece.folded
        held = len(carry)

        def original(
            index: int, piece: _ChunkMap = piece, held: int = held, carried: list[int] = carry_map
        ) -> int:
            return carried[index] if index < held else piece.original(index - held)

        resume = 0  # matches do not overlap: the next one is looked for after the last
        position = stream.find(folded_needle)
        while position >= 0:
            resume = position + size
            start = original(position)
            end = _span_end(haystack, original(resume - 1))
            if not spans or start >= spans[-1][1]:
                spans.append((start, end))
            position = stream.find(folded_needle, resume)
        keep = max(resume, len(stream) - size + 1)
        carry = stream[keep:]
        carry_map = [original(index) for index in range(keep, len(stream))]
    return spans


def proclitic_splits(word: str, min_stem: int = 2) -> Iterator[tuple[str, str]]:
    """Every (proclitic, stem) reading of `word`, the longest proclitic first.

    The stem must keep at least `min_stem` characters. The caller decides which reading is
    right (for instance, the stem is a known name); the bare word is not yielded.
    """
    for clitic in PROCLITICS:
        if word.startswith(clitic) and len(word) - len(clitic) >= min_stem:
            yield clitic, word[len(clitic) :]


def strip_article(word: str) -> str:
    """`word` without a leading conjunction/preposition + definite article (والسعودية -> سعودية).

    Only strips when an "ال" is part of the prefix, the safe case for normalising keys.
    """
    for clitic in (*ARTICLE_PROCLITICS, *CONJUNCTION_LAM_ARTICLE, ARTICLE):
        if word.startswith(clitic) and len(word) - len(clitic) >= 2:
            return word[len(clitic) :]
    if word.startswith(LAM_ARTICLE) and len(word) > 3:
        return word[2:]
    return word


def strip_name_proclitic(word: str, is_known: frozenset[str] | set[str]) -> tuple[int, str]:
    """Split a conjunction/preposition off a name: (characters stripped, stem).

    `is_known` holds folded names. Latin script glued to an Arabic clitic (وSoftBank) always
    splits. Returns (0, word) when no reading gives a known name.
    """
    if len(word) > 1 and word[0] in PROCLITIC_LETTERS and word[1].isascii() and word[1].isalnum():
        return 1, word[1:]
    if len(word) > 2 and word[:2] in NAME_PROCLITICS and word[2].isascii():
        return 2, word[2:]
    if fold_plain(word) in is_known:
        return 0, word
    for clitic in NAME_PROCLITICS:
        if word.startswith(clitic) and len(word) - len(clitic) >= 2:
            stem = word[len(clitic) :]
            if fold_plain(stem) in is_known:
                return len(clitic), stem
    return 0, word

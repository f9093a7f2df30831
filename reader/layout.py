"""The right-to-left layout engine: one logical paragraph -> the lines a terminal shows.

Order of work (the order is what makes it correct):
1. hide controls and escape sequences (same offsets, `reader.sanitize.neutralize`);
2. shape each word (arabic-reshaper: joining forms, lam-alef ligatures, nothing wider) into
   glyphs, each a base character with its marks or a ligature, mapped to logical offsets;
3. wrap in logical order on the glyphs' cell widths, breaking at spaces (a too-long word
   breaks between glyphs, never inside a ligature or between a letter and its harakat);
4. resolve bidi levels once for the whole paragraph (`reader.bidi`, UAX #9);
5. reorder each line with the paragraph's levels (L1, L2), mirror brackets at odd levels (L4).
Marks stay inside their glyph, so each haraka is printed right after its letter.

`terminal` mode skips shaping and reordering (the terminal does both) but still wraps and
right-aligns RTL paragraphs. Logical text stays the truth: offsets index the caller's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from arabic_reshaper import ArabicReshaper
from arabic_reshaper.arabic_reshaper import HARAKAT_RE
from arabic_reshaper.ligatures import LIGATURES
from rich.cells import get_character_cell_size

from reader.bidi import MIRRORS, bidi_classes, paragraph_level, reorder, resolve_levels
from reader.sanitize import TAB_SIZE, neutralize

BidiMode = Literal["app", "terminal"]
BIDI_MODES: tuple[BidiMode, ...] = ("app", "terminal")


@dataclass(frozen=True, slots=True)
class Glyph:
    """What one screen position draws: a base char with its marks, or a lam-alef ligature."""

    text: str
    """Characters to print (shaped presentation forms in app mode); never empty."""
    cells: int
    """1, or 2 for wide characters (CJK, emoji); a tab draws as several spaces."""
    start: int
    """Logical span [start, end) of the paragraph this glyph draws (contiguous)."""
    end: int


@dataclass(frozen=True, slots=True)
class VisualLine:
    """One screen line of a paragraph, in visual order, with its cell <-> offset maps."""

    glyphs: tuple[Glyph, ...]
    """In visual (screen left-to-right) order."""
    indent: int
    """Blank cells before the glyphs (right-aligns RTL lines in the layout width)."""
    start: int
    """Logical span of the paragraph this line covers, including a break space."""
    end: int
    rtl: bool
    """Paragraph base direction (the same for every line of a paragraph)."""

    @property
    def text(self) -> str:
        """The characters to print after the indent."""
        return "".join(glyph.text for glyph in self.glyphs)

    @property
    def width(self) -> int:
        """Cells the glyphs take (without the indent)."""
        return sum(glyph.cells for glyph in self.glyphs)

    def cell_to_logical(self, cell: int) -> int | None:
        """Logical offset drawn at `cell` (counted from the first glyph, not the indent)."""
        if cell < 0:
            return None
        position = 0
        for glyph in self.glyphs:
            position += glyph.cells
            if cell < position:
                return glyph.start
        return None

    def logical_to_cells(self, offset: int) -> list[int]:
        """Cells (from the first glyph) that draw logical `offset`; [] if not drawn here."""
        position = 0
        for glyph in self.glyphs:
            if glyph.start <= offset < glyph.end:
                return list(range(position, position + glyph.cells))
            position += glyph.cells
        return []


# --- Shaping ---------------------------------------------------------------------------

_LAM_ALEF = (
    "ARABIC LIGATURE LAM WITH ALEF",
    "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE",
    "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW",
    "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE",
)
#: Only the lam-alef ligatures: every other one (ﷲ, ﷺ, two-letter forms) draws wider than a
#: cell in terminal fonts, or not at all.
_RESHAPER = ArabicReshaper(
    configuration={
        "language": "Arabic",
        "delete_harakat": True,  # we strip and re-attach harakat ourselves, keeping offsets
        "shift_harakat_position": False,
        "delete_tatweel": False,
        "support_zwj": True,
        "use_unshaped_instead_of_isolated": False,
        "support_ligatures": True,
        **{name: name in _LAM_ALEF for name, _forms in LIGATURES},
    }
)
_LAM_ALEF_FORMS = frozenset("\ufef5\ufef6\ufef7\ufef8\ufef9\ufefa\ufefb\ufefc")
_ZWJ = "\u200d"
_ZWNJ = "\u200c"
_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
#: Bidi format characters that steer but are never drawn (plus BN, which covers ZWJ/ZWNJ).
_NOT_DRAWN_CLASSES = frozenset("b123456789")
_NOT_DRAWN_CHARS = frozenset("\u200e\u200f\u061c")

#: A glyph before it becomes a `Glyph`: (text, cells, start, end), offsets relative to a word.
_Template = tuple[str, int, int, int]
_Templates = tuple[_Template, ...]


def _shape_many(words: list[str]) -> list[str]:
    """Reshape words (harakat and invisible characters already removed) in one call.

    One `reshape` call mostly reads its configuration, and joining never crosses a space, so
    a batch joined by spaces shapes exactly like the words one by one, far faster. Words with
    ZWJ are shaped alone: the reshaper drops ZWJ, which shifts its ligature positions.
    """
    batch = [word for word in words if _ZWJ not in word]
    shaped_batch = iter(_RESHAPER.reshape(" ".join(batch)).split(" ") if batch else [])
    return [_RESHAPER.reshape(word) if _ZWJ in word else next(shaped_batch) for word in words]


def _forms(letters: str, positions: list[int], shaped: str) -> dict[int, str] | None:
    """Map each logical position of `letters` to its shaped text ('' when merged or dropped).

    Returns None if the reshaper's output cannot be aligned (then the word is drawn unshaped).
    """
    forms: dict[int, str] = {}
    out = 0
    index = 0
    while index < len(letters):
        letter = letters[index]
        if letter == _ZWJ:
            forms[positions[index]] = ""
            index += 1
            continue
        if out >= len(shaped):
            return None
        form = shaped[out]
        out += 1
        if form in _LAM_ALEF_FORMS:
            if letter != "\u0644" or index + 1 >= len(letters):
                return None
            forms[positions[index]] = form
            forms[positions[index + 1]] = ""
            index += 2
            continue
        forms[positions[index]] = "" if letter == _ZWNJ else form
        index += 1
    return forms if out == len(shaped) else None


def _clusters(word: str, forms: dict[int, str] | None, harakat: bool) -> _Templates:
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


def _shape_words(words: list[str], mode: BidiMode, harakat: bool) -> list[_Templates]:
    """Glyph templates for each word (app mode shapes Arabic words in one batch)."""
    if mode == "terminal":
        return [_clusters(word, None, harakat) for word in words]
    arabic: list[int] = []
    letters_list: list[str] = []
    positions_list: list[list[int]] = []
    for number, word in enumerate(words):
        if not _ARABIC_RE.search(word):
            continue
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
        arabic.append(number)
        positions_list.append(positions)
        letters_list.append("".join(word[index] for index in positions))
    forms_by_word: dict[int, dict[int, str] | None] = {}
    for number, letters, positions, shaped in zip(
        arabic, letters_list, positions_list, _shape_many(letters_list), strict=True
    ):
        forms_by_word[number] = _forms(letters, positions, shaped)
    return [
        _clusters(word, forms_by_word.get(number), harakat) for number, word in enumerate(words)
    ]


class _WordCache:
    """Glyph templates per (word, mode, harakat): words repeat, shaping is the slow part."""

    def __init__(self, limit: int = 200_000) -> None:
        self._limit = limit
        self._entries: dict[tuple[str, BidiMode, bool], _Templates] = {}

    def get_many(self, words: list[str], mode: BidiMode, harakat: bool) -> list[_Templates]:
        """Templates for `words`, shaping the missing ones in one batch."""
        entries = self._entries
        missing = list({word for word in words if (word, mode, harakat) not in entries})
        if missing:
            if len(entries) + len(missing) > self._limit:
                entries.clear()
            for word, templates in zip(missing, _shape_words(missing, mode, harakat), strict=True):
                entries[(word, mode, harakat)] = templates
        return [entries[(word, mode, harakat)] for word in words]


_WORDS = _WordCache()

# --- Wrapping and reordering --------------------------------------------------------------

_TOKEN_RE = re.compile(r"[^ \t]+|[ \t]")


def base_direction(text: str) -> bool:
    """True if the paragraph is right-to-left: its first strong character (P2, P3) is RTL."""
    return paragraph_level(bidi_classes(neutralize(text))) == 1


def _new_glyph(text: str, cells: int, start: int, end: int) -> Glyph:
    """Build a Glyph without the frozen dataclass's per-field `__setattr__` overhead."""
    glyph = object.__new__(Glyph)
    _SET_TEXT(glyph, text)
    _SET_CELLS(glyph, cells)
    _SET_START(glyph, start)
    _SET_END(glyph, end)
    return glyph


_SET_TEXT = vars(Glyph)["text"].__set__
_SET_CELLS = vars(Glyph)["cells"].__set__
_SET_START = vars(Glyph)["start"].__set__
_SET_END = vars(Glyph)["end"].__set__


def _wrap(
    text: str, width: int, mode: BidiMode, harakat: bool
) -> list[tuple[int, int, list[_Template]]]:
    """Break the paragraph into lines in logical order: (start, end, glyphs with absolute
    offsets). Spaces at a line's end are break spaces: covered by the line, not drawn."""
    tokens = [(match.start(), match.group()) for match in _TOKEN_RE.finditer(text)]
    words = [token for _start, token in tokens if token not in (" ", "\t")]
    templates = iter(_WORDS.get_many(words, mode, harakat))
    tab_cells = min(TAB_SIZE, width)
    lines: list[tuple[int, int, list[_Template]]] = []
    current: list[_Template] = []
    used = 0
    pending: list[_Template] = []
    pending_cells = 0
    line_start = 0
    for start, token in tokens:
        if token == " ":
            pending.append((" ", 1, start, start + 1))
            pending_cells += 1
            continue
        if token == "\t":
            pending.append((" " * tab_cells, tab_cells, start, start + 1))
            pending_cells += tab_cells
            continue
        word = [(t, c, s + start, e + start) for t, c, s, e in next(templates)]
        cells = sum(template[1] for template in word)
        if used + pending_cells + cells <= width:
            current.extend(pending)
            current.extend(word)
            used += pending_cells + cells
        else:
            if current:
                lines.append((line_start, start, current))
                line_start = start
                current = []
                used = 0
            for glyph in word:
                if used + glyph[1] > width and current:
                    lines.append((line_start, glyph[2], current))
                    line_start = glyph[2]
                    current = []
                    used = 0
                current.append(glyph)
                used += glyph[1]
        pending = []
        pending_cells = 0
    lines.append((line_start, len(text), current))
    return lines


@lru_cache(maxsize=8192)
def _layout_cached(text: str, width: int, mode: BidiMode, harakat: bool) -> tuple[VisualLine, ...]:
    visible = neutralize(text)
    classes = bidi_classes(visible)
    para = paragraph_level(classes)
    rtl = para == 1
    width = max(width, 1)
    wrapped = _wrap(visible, width, mode, harakat)
    levels = resolve_levels(visible, classes, para) if mode == "app" else None
    mirrors = MIRRORS
    result: list[VisualLine] = []
    for line_start, line_end, glyphs in wrapped:
        if levels is not None and glyphs:
            line_levels = [levels[glyph[2]] for glyph in glyphs]
            # L1: tabs, and spaces before them, go to the paragraph level.
            if "\t" in visible[line_start:line_end]:
                reset = False
                for k in range(len(glyphs) - 1, -1, -1):
                    code = classes[glyphs[k][2]]
                    if code == "S":
                        reset = True
                    elif code != "w":
                        reset = False
                    if reset:
                        line_levels[k] = para
            for k, glyph in enumerate(glyphs):  # L4
                if line_levels[k] & 1 and glyph[0][0] in mirrors:
                    glyphs[k] = (mirrors[glyph[0][0]] + glyph[0][1:], *glyph[1:])
            glyphs = reorder(glyphs, line_levels)
        line = tuple(_new_glyph(*glyph) for glyph in glyphs)
        used = sum(glyph[1] for glyph in glyphs)
        indent = max(width - used, 0) if rtl else 0
        result.append(VisualLine(line, indent, line_start, line_end, rtl))
    return tuple(result)


def layout(
    text: str, width: int, mode: BidiMode = "app", *, harakat: bool = True
) -> list[VisualLine]:
    """Lay out one logical paragraph (no newlines) in `width` cells: its screen lines, top to
    bottom in reading order. Offsets in the result index `text` as given."""
    return list(_layout_cached(text, width, mode, harakat))

"""The right-to-left layout engine: one logical paragraph -> the lines a terminal shows.

Order of work (the order is what makes it correct):
1. hide controls and escape sequences (same offsets, `reader.text.sanitize.neutralize`);
2. shape each word into glyph templates (`reader.text.shaping`: joining forms and lam-alef
   ligatures, each glyph a base character with its marks or a ligature, cached per word);
3. wrap in logical order on the glyphs' cell widths, breaking at spaces (a too-long word
   breaks between glyphs, never inside a ligature or between a letter and its harakat):
   one loop (`_wrap`), whose lines are pieces of cached glyph templates, for every caller;
4. resolve bidi levels once for the whole paragraph (`reader.text.bidi`, UAX #9);
5. reorder each line with the paragraph's levels through `reader.text.bidi`'s own line
   rules, the ones its conformance test checks: `line_levels` (L1), `mirror` (L4) and
   `reorder` (L2), moving whole pieces where their glyphs share a level (`_visual`);
6. print the pieces (`layout_text`: `reader render`, the CLI) or build `Glyph`s, each
   line's on first use (`layout`, `LazyLayout`: the UI maps cells to offsets with them).
Marks stay inside their glyph, so each haraka is printed right after its letter.

`terminal` mode skips shaping and reordering (the terminal does both) but still wraps and
right-aligns RTL paragraphs. Logical text stays the truth: offsets index the caller's text.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain, compress, count
from operator import add

from reader.text.bidi import (
    _OPENERS,
    MIRRORS,
    bidi_classes,
    bracket_pairs,
    line_levels,
    mirror,
    paragraph_level,
    reorder,
    resolve_levels,
)
from reader.text.modes import BIDI_MODES, BidiMode
from reader.text.sanitize import TAB_SIZE, neutralize
from reader.text.shaping import (
    LONG_WORD,
    WORDS,
    Entry,
    Template,
    Templates,
    long_word_glyphs,
    templates_entry,
)


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


_SET = object.__setattr__
_NEW = object.__new__


class VisualLine:
    """One screen line of a paragraph, in visual order, with its cell <-> offset maps.

    Immutable. The layout gives each line as pieces of glyph templates in visual order and
    builds its `Glyph`s the first time they are asked for: most lines of a long article are
    counted and never drawn, and printing needs only `text`.
    """

    __slots__ = ("_drawing", "_glyphs", "end", "indent", "rtl", "start", "width")
    indent: int
    """Blank cells before the glyphs (right-aligns RTL lines in the layout width)."""
    start: int
    """Logical span of the paragraph this line covers, including a break space."""
    end: int
    rtl: bool
    """Paragraph base direction (the same for every line of a paragraph)."""
    width: int
    """Cells the glyphs take (without the indent)."""
    _glyphs: tuple[Glyph, ...] | None
    _drawing: tuple[list[_Piece], _Order] | None

    def __init__(
        self, glyphs: tuple[Glyph, ...], indent: int, start: int, end: int, rtl: bool
    ) -> None:
        self._init(glyphs, None, sum([glyph.cells for glyph in glyphs]), indent, start, end, rtl)

    def _init(
        self,
        glyphs: tuple[Glyph, ...] | None,
        drawing: tuple[list[_Piece], _Order] | None,
        width: int,
        indent: int,
        start: int,
        end: int,
        rtl: bool,
    ) -> None:
        _SET(self, "_glyphs", glyphs)
        _SET(self, "_drawing", drawing)
        _SET(self, "width", width)
        _SET(self, "indent", indent)
        _SET(self, "start", start)
        _SET(self, "end", end)
        _SET(self, "rtl", rtl)

    @classmethod
    def _drawn(
        cls,
        pieces: list[_Piece],
        order: _Order,
        cells: int,
        indent: int,
        start: int,
        end: int,
        rtl: bool,
    ) -> VisualLine:
        """A line from the pipeline: its pieces and their visual order (`_visual`)."""
        line: VisualLine = _NEW(cls)
        line._init(None, (pieces, order), cells, indent, start, end, rtl)
        return line

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"VisualLine is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"VisualLine is immutable: cannot delete {name!r}")

    @property
    def glyphs(self) -> tuple[Glyph, ...]:
        """In visual (screen left-to-right) order."""
        glyphs = self._glyphs
        if glyphs is None:
            drawing = self._drawing
            if drawing is None:  # another thread built them meanwhile
                return self.glyphs
            glyphs = _line_glyphs(*drawing)
            _SET(self, "_glyphs", glyphs)
            _SET(self, "_drawing", None)
        return glyphs

    @property
    def text(self) -> str:
        """The characters to print after the indent."""
        drawing = self._drawing
        if drawing is not None:
            return _line_text(*drawing)
        return "".join([glyph.text for glyph in self.glyphs])

    def _key(self) -> tuple[tuple[Glyph, ...], int, int, int, bool]:
        return self.glyphs, self.indent, self.start, self.end, self.rtl

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VisualLine):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"VisualLine(glyphs={self.glyphs!r}, indent={self.indent!r}, start={self.start!r},"
            f" end={self.end!r}, rtl={self.rtl!r})"
        )

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


# --- Long words ----------------------------------------------------------------------------

_LONG_WORD_RE = re.compile(f"[^ \t]{{{LONG_WORD + 1}}}")
#: The placeholder entry of a long word (told apart by identity: it is never shaped).
_LONG_TEMPLATES: Templates = (("", 0, 0, 0),)
_LONG_ENTRY: Entry = (_LONG_TEMPLATES, 0, "", "")


def _word_end(text: str, at: int) -> int:
    """The end of the word that holds `at` (the next space or tab, or the end)."""
    space, tab = text.find(" ", at), text.find("\t", at)  # memchr: far faster than a regex
    if space < 0:
        return len(text) if tab < 0 else tab
    return space if tab < 0 else min(space, tab)


def _word_begin(text: str, at: int) -> int:
    """The start of the word that holds `at`."""
    return max(text.rfind(" ", 0, at), text.rfind("\t", 0, at)) + 1


def _long_spans(
    text: str, words: list[str], starts: list[int], pos: int, endpos: int
) -> dict[int, int]:
    """Start of each word (`_words`) that is (part of) a long word -> where that word really
    ends. A word cut by `pos` or `endpos` is part of a long word: the callers cut words
    only there."""
    spans: dict[int, int] = {}
    if not words:
        return spans
    if endpos - pos > LONG_WORD and _LONG_WORD_RE.search(text, pos, endpos) is not None:
        for start, word in zip(starts, words, strict=True):  # rare: only near a long word
            if len(word) > LONG_WORD:
                spans[start] = start + len(word)
    if pos > 0 and starts[0] == pos and text[pos - 1] not in " \t":
        spans[pos] = pos + len(words[0])
    if endpos < len(text) and starts[-1] + len(words[-1]) == endpos and text[endpos] not in " \t":
        spans[starts[-1]] = _word_end(text, endpos)
    return spans


def _shape_head(glyphs: Iterator[Template], width: int) -> tuple[list[Template], int, bool]:
    """The first glyphs of a long word, up to one cell more than `width`: (glyphs, their
    cells, whether that is the whole word)."""
    head: list[Template] = []
    cells = 0
    for template in glyphs:
        head.append(template)
        cells += template[1]
        if cells > width:
            return head, cells, False
    return head, cells, True


# --- Wrapping: one loop, lines of pieces ---------------------------------------------------

_WORD_RE = re.compile(r"[^ \t]+")

#: A run of glyphs in logical order, the offset their templates count from, and what they
#: draw forwards and backwards (glyph by glyph, as `Entry` has them): a string of glyphs is
#: one one-cell glyph per character (as in `Entry`), else glyph templates. Never empty.
_Piece = tuple[str | Sequence[Template], int, str, str]
#: A wrapped line in logical order: (start, end, cells, its pieces).
_Line = tuple[int, int, int, list[_Piece]]
#: The line wrapping stopped in: (its start, cells used, end of the last word wrapped, its
#: pieces so far). Wrapping resumes from it.
_Open = tuple[int, int, int, list[_Piece]]


def base_direction(text: str) -> bool:
    """True if the paragraph is right-to-left: its first strong character (P2, P3) is RTL."""
    return paragraph_level(bidi_classes(neutralize(text))) == 1


def _words(text: str, pos: int, endpos: int) -> tuple[list[str], list[int]]:
    """The words of text[pos:endpos] (runs of characters other than space and tab) and
    where each starts. Without a tab, from `str.split` and C-level running sums: several
    times faster than a regular expression's match objects, one per word."""
    if text.find("\t", pos, endpos) >= 0:
        matches = list(_WORD_RE.finditer(text, pos, endpos))
        return [match.group() for match in matches], [match.start() for match in matches]
    parts = text[pos:endpos].split(" ")
    # part k starts after the k parts before it and their k spaces
    starts = list(map(add, accumulate(map(len, parts), initial=pos), count()))
    starts.pop()
    if "" in parts:  # consecutive spaces, or spaces at an end
        return list(filter(None, parts)), list(compress(starts, parts))
    return parts, starts


def _entries(
    words: list[str], starts: list[int], long_words: dict[int, int], mode: BidiMode, harakat: bool
) -> list[Entry]:
    """Cached glyph templates of the words; long words get a placeholder."""
    if not long_words:
        return WORDS.get_many(words, mode, harakat)
    short = [word for word, start in zip(words, starts, strict=True) if start not in long_words]
    found = iter(WORDS.get_many(short, mode, harakat))
    return [_LONG_ENTRY if start in long_words else next(found) for start in starts]


def _wrap(
    text: str,
    width: int,
    mode: BidiMode,
    harakat: bool,
    pos: int,
    endpos: int,
    state: _Open | None = None,
    *,
    keep: bool = True,
) -> tuple[list[_Line], _Open]:
    """The wrap loop: the words of text[pos:endpos] broken into lines in logical order, each
    as pieces of glyphs (a cached word's templates, or the spaces of a gap), no `Glyph` built.

    Breaks go at spaces; the spaces at a break belong to the line before it but are not drawn.
    A word wider than the line is cut between glyphs; a long word (more than `LONG_WORD`
    characters) is shaped a piece at a time. Returns the lines that ended and the line still
    open, which `state` continues on the next call (None: a line starts at `pos`).

    `pos` is 0, the start of a line that begins with a whole word, or (with `state`) where
    the last call stopped. `endpos` is the end, or such a line start, or a cut inside a long
    word: wrapping then stops at its first glyph at or after `endpos`, where the open line's
    end of word says. Every caller wraps with this loop: `layout`, `layout_text` and
    `LazyLayout`, which finds where the lines of a long paragraph start with `keep` False:
    the same breaks, no pieces kept (lines then hold an empty list).

    A line has glyphs exactly when it has cells (every glyph takes at least one, and a gap
    is kept only after a glyph), so `used` tells whether the line is still empty.
    """
    words, starts = _words(text, pos, endpos)
    long_words = _long_spans(text, words, starts, pos, endpos)
    entries = _entries(words, starts, long_words, mode, harakat)
    tab_cells = min(TAB_SIZE, width)
    tab_text = " " * tab_cells
    line_start, used, previous_end, pieces = (pos, 0, pos, []) if state is None else state
    append = pieces.append
    lines: list[_Line] = []
    tabs = text.find("\t", previous_end, endpos) >= 0
    for start, word, (templates, cells, forwards, backwards) in zip(
        starts, words, entries, strict=True
    ):
        end = start + len(word)
        if templates is _LONG_TEMPLATES:  # shaped a piece at a time; may stop at `endpos`
            word_end = long_words[start]
            middle = start > 0 and text[start - 1] not in " \t"  # a line starts inside it
            begin = _word_begin(text, start) if middle else start
            glyphs = long_word_glyphs(text, begin, word_end, start, mode, harakat)
            if middle:
                head: list[Template] = []
                whole = False
            else:
                head, cells, whole = _shape_head(glyphs, width)
            if whole:  # no wider than a line: an ordinary word
                templates, cells, forwards, backwards = templates_entry(
                    tuple([(g[0], g[1], g[2] - start, g[3] - start) for g in head])
                )
                end = word_end
            else:
                if used and not middle:
                    line_start, used, pieces = _break(lines, line_start, start, used, pieces, keep)
                # offsets into `text`: base 0; a cut may stop at `endpos`
                cut = _cut_word(
                    chain(head, glyphs), 0, endpos, width, keep, lines, line_start, used, pieces
                )
                line_start, used, pieces, stopped = cut
                append = pieces.append
                previous_end = word_end if stopped is None else stopped
                continue
        gap = start - previous_end
        if tabs and gap:
            gap_cells = gap + (tab_cells - 1) * text.count("\t", previous_end, start)
        else:
            gap_cells = gap
        if used + gap_cells + cells <= width and (used or not gap):
            if keep:
                if gap_cells != gap:  # the gap holds a tab
                    spaces = templates_entry(
                        tuple(
                            [
                                (tab_text, tab_cells, at, at + 1)
                                if char == "\t"
                                else (" ", 1, at, at + 1)
                                for at, char in enumerate(text[previous_end:start])
                            ]
                        )
                    )
                    append((spaces[0], previous_end, spaces[2], spaces[3]))
                elif gap:
                    blank = " " * gap
                    append((blank, previous_end, blank, blank))
                if templates:
                    append((templates, start, forwards, backwards))
            used += gap_cells + cells
        else:
            if used:
                line_start, used, pieces = _break(lines, line_start, start, used, pieces, keep)
                append = pieces.append
            if cells <= width:  # the word fits the new line whole
                if keep and templates:
                    append((templates, start, forwards, backwards))
                used = cells
            else:  # a word wider than the line: cut between glyphs
                if isinstance(templates, str):
                    templates = tuple([(form, 1, at, at + 1) for at, form in enumerate(templates)])
                cut = _cut_word(
                    templates, start, endpos, width, keep, lines, line_start, used, pieces
                )
                line_start, used, pieces, _stopped = cut
                append = pieces.append
        previous_end = end
    return lines, (line_start, used, previous_end, pieces)


def _break(
    lines: list[_Line], line_start: int, at: int, used: int, pieces: list[_Piece], keep: bool
) -> tuple[int, int, list[_Piece]]:
    """End the open line at `at` (appended to `lines`); returns the new open line's start,
    cells used and pieces (the same empty list when no pieces are kept)."""
    lines.append((line_start, at, used, pieces))
    return at, 0, [] if keep else pieces


def _cut_word(
    glyphs: Iterable[Template],
    base: int,
    endpos: int,
    width: int,
    keep: bool,
    lines: list[_Line],
    line_start: int,
    used: int,
    pieces: list[_Piece],
) -> tuple[int, int, list[_Piece], int | None]:
    """Go on wrapping a word wider than a line between its glyphs (template offsets count
    from `base`): the one loop for a long word shaped in pieces (base 0) and an ordinary
    word wider than the line (base: the word's start). The lines that fill are appended to
    `lines`; returns the open line (start, cells used, pieces) and where wrapping stopped,
    at the first glyph at or after `endpos` (None: the word was wrapped whole)."""
    run: list[Template] = []  # the word's glyphs on the current line
    for template in glyphs:
        glyph_cells = template[1]
        at = template[2] + base
        if at >= endpos:
            if run:
                pieces.append(_run_piece(run, base))
            return line_start, used, pieces, at
        if used + glyph_cells > width and used:
            if run:
                pieces.append(_run_piece(run, base))
                run = []
            line_start, used, pieces = _break(lines, line_start, at, used, pieces, keep)
        if keep:
            run.append(template)
        used += glyph_cells
    if run:
        pieces.append(_run_piece(run, base))
    return line_start, used, pieces, None


def _run_piece(run: list[Template], base: int) -> _Piece:
    """The piece of a word cut between glyphs (`_cut_word`) that one line holds."""
    templates, _cells, text, backwards = templates_entry(tuple(run))
    return templates, base, text, backwards


def _wrap_all(
    text: str, width: int, mode: BidiMode, harakat: bool, pos: int = 0, endpos: int | None = None
) -> list[_Line]:
    """Every line of text[pos:endpos] (the whole paragraph by default), the last one too."""
    if endpos is None:
        endpos = len(text)
    lines, (line_start, used, _end, pieces) = _wrap(text, width, mode, harakat, pos, endpos)
    lines.append((line_start, endpos, used, pieces))
    return lines


# --- Reordering: the pieces of a line in visual order --------------------------------------

#: A piece placed on the screen: its content, its base offset, whether its glyphs are drawn
#: right to left (reversed), and the text it draws there.
_Placed = tuple[str | Sequence[Template], int, bool, str]
#: A line's visual order (`_visual`): its one level (pieces in logical order, all reversed
#: and mirrored when odd), its placed pieces, or None (terminal mode: logical order).
_Order = int | list[_Placed] | None
_MIRRORED_RE = re.compile("[" + re.escape("".join(MIRRORS)) + "]")


def _visual(
    pieces: list[_Piece],
    levels: bytearray,
    classes: str,
    text: str,
    para: int,
    start: int,
    end: int,
    origin: int = 0,
) -> int | list[_Placed]:
    """One line's pieces in visual order, by `reader.text.bidi`: L1 (`line_levels`), L4
    (`mirror`) and L2 (`reorder`). `levels` and `classes` may cover only a window of the
    paragraph starting at offset `origin`; the line is text[start:end].

    Returns the line's one level when every glyph has it (most lines): the pieces then keep
    their logical order, or are all reversed and mirrored at an odd level. Else the placed
    pieces in visual order: each piece whole when its glyphs share one level and none of
    them mirrors (a number or a Latin name in Arabic), else glyph by glyph.
    """
    line = line_levels(classes, levels, start - origin, end - origin, para)
    first = line[0]
    if line.count(first) == len(line):
        return first
    mirrors = _MIRRORED_RE.search(text, start, end) is not None
    placed: list[_Placed] = []
    placed_levels: list[int] = []
    for content, base, forwards, backwards in pieces:
        at = base - start
        if isinstance(content, str):
            level = line[at]
            whole = line.count(level, at, at + len(content)) == len(content)
            if whole and mirrors and level & 1:
                whole = _MIRRORED_RE.search(content) is None
            if not whole:
                for index, char in enumerate(content, base):
                    level = line[index - start]
                    drawn = mirror(char) if level & 1 else char
                    placed.append((drawn, index, False, drawn))
                    placed_levels.append(level)
                continue
        else:
            level = line[content[0][2] + at]
            whole = all([line[template[2] + at] == level for template in content])
            if whole and mirrors and level & 1:
                whole = _MIRRORED_RE.search(forwards) is None
            if not whole:
                for template in content:
                    level = line[template[2] + at]
                    if level & 1:
                        template = (mirror(template[0]), *template[1:])
                    placed.append(((template,), base, False, template[0]))
                    placed_levels.append(level)
                continue
        odd = bool(level & 1)
        placed.append((content, base, odd, backwards if odd else forwards))
        placed_levels.append(level)
    return reorder(placed, placed_levels)


def _line_text(pieces: list[_Piece], order: _Order) -> str:
    """The text a line prints, from `_visual`'s order (None: logical order)."""
    if isinstance(order, list):
        return "".join([piece[3] for piece in order])
    if order is not None and order & 1:
        text = "".join([piece[3] for piece in reversed(pieces)])
        return mirror(text) if _MIRRORED_RE.search(text) else text
    return "".join([piece[2] for piece in pieces])


_SET_TEXT = vars(Glyph)["text"].__set__
_SET_CELLS = vars(Glyph)["cells"].__set__
_SET_START = vars(Glyph)["start"].__set__
_SET_END = vars(Glyph)["end"].__set__


def _new_glyph(text: str, cells: int, start: int, end: int) -> Glyph:
    """Build a Glyph without the frozen dataclass's per-field `__setattr__` overhead
    (hundreds of thousands are built for a long article)."""
    glyph: Glyph = _NEW(Glyph)
    _SET_TEXT(glyph, text)
    _SET_CELLS(glyph, cells)
    _SET_START(glyph, start)
    _SET_END(glyph, end)
    return glyph


def _line_glyphs(pieces: list[_Piece], order: _Order) -> tuple[Glyph, ...]:
    """The glyphs a line draws in visual order, from `_visual`'s order (None: logical).

    Only the UI needs glyphs (to map cells to offsets): this loop builds every glyph of an
    article, so it is written for speed (local names, no helper calls per glyph)."""
    mirrored = False
    if isinstance(order, list):
        placed = order
    elif order is not None and order & 1:
        placed = [(piece[0], piece[1], True, "") for piece in reversed(pieces)]
        mirrored = _MIRRORED_RE.search("".join([piece[2] for piece in pieces])) is not None
    else:
        placed = [(piece[0], piece[1], False, "") for piece in pieces]
    new, glyph_type = _NEW, Glyph
    set_text, set_cells, set_start, set_end = _SET_TEXT, _SET_CELLS, _SET_START, _SET_END
    glyphs: list[Glyph] = []
    append = glyphs.append
    for content, base, backwards, _drawn in placed:
        if isinstance(content, str):
            if backwards:
                offset = base + len(content)
                for glyph_text in content[::-1]:
                    glyph = new(glyph_type)
                    set_text(glyph, glyph_text)
                    set_cells(glyph, 1)
                    set_end(glyph, offset)
                    offset -= 1
                    set_start(glyph, offset)
                    append(glyph)
            else:
                offset = base
                for glyph_text in content:
                    glyph = new(glyph_type)
                    set_text(glyph, glyph_text)
                    set_cells(glyph, 1)
                    set_start(glyph, offset)
                    offset += 1
                    set_end(glyph, offset)
                    append(glyph)
        else:
            for glyph_text, glyph_cells, glyph_start, glyph_end in (
                content[::-1] if backwards else content
            ):
                glyph = new(glyph_type)
                set_text(glyph, glyph_text)
                set_cells(glyph, glyph_cells)
                set_start(glyph, glyph_start + base)
                set_end(glyph, glyph_end + base)
                append(glyph)
    if mirrored:  # L4 on a line at one odd level
        glyphs = [
            _new_glyph(mirror(glyph.text), glyph.cells, glyph.start, glyph.end)
            if glyph.text[0] in MIRRORS
            else glyph
            for glyph in glyphs
        ]
    return tuple(glyphs)


# --- The pipeline: one paragraph -> lines of pieces in visual order -> text or glyphs -----


def _placed_lines(
    wrapped: list[_Line],
    visible: str,
    classes: str,
    levels: bytearray | None,
    origin: int,
    para: int,
) -> Iterator[tuple[_Line, _Order]]:
    """Each wrapped line with its visual order (`_visual`; None in terminal mode, where
    `levels` is None and lines stay logical).

    When every character has the paragraph's level (an all-Arabic paragraph), so does every
    line after L1, which only ever lowers levels to it: each line's order is that level."""
    if levels is not None and levels.count(para) == len(levels):
        for wrapped_line in wrapped:
            yield wrapped_line, (para if wrapped_line[3] else None)
        return
    for wrapped_line in wrapped:
        pieces = wrapped_line[3]
        if levels is None or not pieces:
            yield wrapped_line, None
        else:
            order = _visual(
                pieces, levels, classes, visible, para, wrapped_line[0], wrapped_line[1], origin
            )
            yield wrapped_line, order


def _paragraph(
    text: str, width: int, mode: BidiMode, harakat: bool
) -> tuple[Iterator[tuple[_Line, _Order]], bool]:
    """A whole paragraph through the pipeline: its lines in visual order, and whether it is
    right to left. Shared by the glyph layout (`layout`) and the printed one (`layout_text`)."""
    visible = neutralize(text)
    classes = bidi_classes(visible)
    para = paragraph_level(classes)
    wrapped = _wrap_all(visible, width, mode, harakat)
    levels = resolve_levels(visible, classes, para) if mode == "app" else None
    return _placed_lines(wrapped, visible, classes, levels, 0, para), para == 1


def _visual_lines(
    placed: Iterator[tuple[_Line, _Order]], rtl: bool, width: int
) -> list[VisualLine]:
    """The lines as `VisualLine`s (right-aligned in `width` when `rtl`), glyphs not built."""
    drawn = VisualLine._drawn
    return [
        drawn(pieces, order, used, width - used if rtl and used < width else 0, start, end, rtl)
        for (start, end, used, pieces), order in placed
    ]


@lru_cache(maxsize=8192)
def _layout_cached(text: str, width: int, mode: BidiMode, harakat: bool) -> tuple[VisualLine, ...]:
    """The layout itself; cached because the UI lays out the same paragraphs on every scroll."""
    width = max(width, 1)
    placed, rtl = _paragraph(text, width, mode, harakat)
    return tuple(_visual_lines(placed, rtl, width))


def layout(
    text: str, width: int, mode: BidiMode = "app", *, harakat: bool = True, cache: bool = True
) -> list[VisualLine]:
    """Lay out one logical paragraph (no newlines) in `width` cells: its screen lines, top to
    bottom in reading order. Offsets in the result index `text` as given.

    A paragraph always gives at least one line (an empty one for empty text). Lines never
    exceed `width`, except that a wide character is never split: at width 1 it takes 2 cells.
    Results are cached per (text, width, mode, harakat) and immutable; `cache=False` lays the
    paragraph out afresh and keeps nothing (text laid out once, such as a long paragraph).
    """
    _check_mode(mode)
    with _no_gc():
        if not cache:
            return list(_layout_cached.__wrapped__(text, width, mode, harakat))
        return list(_layout_cached(text, width, mode, harakat))


def _check_mode(mode: str) -> None:
    if mode not in BIDI_MODES:
        raise ValueError(f"bidi mode must be 'app' or 'terminal', not {mode!r}")


def layout_many(
    paragraphs: Sequence[str], width: int, mode: BidiMode = "app", *, harakat: bool = True
) -> list[list[VisualLine]]:
    """`layout` of each paragraph."""
    _check_mode(mode)
    with _no_gc():
        return [list(_layout_cached(text, width, mode, harakat)) for text in paragraphs]


#: One screen line as printed: (indent, text, cells, rtl), the `VisualLine` fields `indent`,
#: `text`, `width` and `rtl` that `layout` gives for it.
TextLine = tuple[int, str, int, bool]


def layout_text(
    text: str, width: int, mode: BidiMode = "app", *, harakat: bool = True
) -> list[TextLine]:
    """`layout` for callers that print lines and never map cells to offsets (`reader render`,
    the library list): (indent, text, cells, rtl) of each line, from the same pipeline, with
    no `Glyph` built (most of a layout's cost)."""
    _check_mode(mode)
    width = max(width, 1)
    placed, rtl = _paragraph(text, width, mode, harakat)
    return [
        (width - used if rtl and used < width else 0, _line_text(pieces, order), used, rtl)
        for (_start, _end, used, pieces), order in placed
    ]


def layout_text_many(
    paragraphs: Sequence[str], width: int, mode: BidiMode = "app", *, harakat: bool = True
) -> list[list[TextLine]]:
    """`layout_text` of each paragraph (each shapes its new words in one batch: collecting
    every paragraph's words first cost a tenth of the time and saved nothing)."""
    _check_mode(mode)
    return [layout_text(text, width, mode, harakat=harakat) for text in paragraphs]


@contextmanager
def _no_gc() -> Iterator[None]:
    """Keep the cycle collector off the glyphs: they are many, small, acyclic and long-lived.

    A long article is hundreds of thousands of glyphs; the collector would walk each of them
    in its young generations (about a fifth of the layout time) only to promote them. It is
    paused while they are built, then `freeze` + `unfreeze` moves everything young straight
    to the oldest generation, which full collections still scan: nothing is leaked, cyclic
    garbage made meanwhile by others is merely collected by the next full pass. Skipped when
    the host has frozen objects itself, so its `gc.freeze` is never undone.
    """
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


# --- Long paragraphs, laid out a screenful at a time ---------------------------------------

#: Paragraphs at least this long are laid out lazily by the UI (`LazyLayout`): a 10-million-
#: character paragraph laid out whole is tens of millions of objects (gigabytes, seconds).
LONG_PARAGRAPH = 20_000

#: Every match of `neutralize` starts with one of these characters: without them it is a no-op.
_HIDDEN_START_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
#: The characters whose bidi classes are explicit embeddings, overrides and isolates (each
#: looked for with `in`: several times faster than a character class over a long text).
_EXPLICIT_CHARS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_ISOLATE_CHARS = "\u2066\u2067\u2068\u2069"
_STRONG_RE = re.compile("[LRA]")
_GAP_RE = re.compile("[ \t]")
#: Lines built together (and cached together) by `LazyLayout`.
_GROUP = 64
#: Groups of lines a `LazyLayout` keeps (each about 64 lines of glyphs).
_GROUPS_KEPT = 32


@lru_cache(maxsize=1)
def _neutral_brackets() -> frozenset[str]:
    """The paired brackets whose bidi class is ON (BD14, BD15): the ones BD16 pairs."""
    brackets = "".join(_OPENERS) + "".join(_OPENERS.values())
    classes = bidi_classes(brackets)
    return frozenset(char for char, code in zip(brackets, classes, strict=True) if code == "o")


@lru_cache(maxsize=1)
def _explicit_or_opener_re() -> re.Pattern[str]:
    """Explicit codes and opening brackets, the characters `_explicit_spans` follows."""
    return re.compile("[" + re.escape(_EXPLICIT_CHARS + "".join(_OPENERS)) + "]")


#: A window of levels longer than this is resolved as the whole paragraph instead, once.
_WHOLE_WINDOW = 1 << 18


class LazyLayout:
    """`layout` of one long paragraph, computed only as far as it is asked for.

    Wrapping runs from the start in chunks and keeps only where lines start and how many
    cells they use; glyphs are built a group of lines at a time, and bidi levels are resolved
    over a window around those lines cut where the result cannot depend on what lies outside
    it: a strong character (L, R or AL) outside any bracket pair, or the paragraph's ends.
    Every line equals the one `layout` gives for the whole paragraph (property tests compare
    them at small chunk sizes, where lines and windows cross chunk boundaries).
    Paragraphs with explicit embeddings or isolates resolve their levels whole, once.
    `like`, a layout of the same text object (at another width or mode), lends what it
    learnt of the text (hidden characters, bracket pairs, levels) instead of a new pass.
    """

    def __init__(
        self,
        text: str,
        width: int,
        mode: BidiMode = "app",
        *,
        harakat: bool = True,
        chunk: int = 32_768,
        group: int = _GROUP,
        like: LazyLayout | None = None,
    ) -> None:
        if mode not in BIDI_MODES:
            raise ValueError(f"bidi mode must be 'app' or 'terminal', not {mode!r}")
        self.text = text
        """The paragraph as given: offsets index it."""
        self.width = max(width, 1)
        self.mode: BidiMode = mode
        self.harakat = harakat
        self._chunk = max(1, chunk)
        self._group = max(1, group)
        self._para: int | None = None
        self._blocked: tuple[list[int], list[int]] | None = None
        self._whole_levels: tuple[str, bytearray] | None = None
        self._visible: str
        if like is not None and like.text is text:  # the same paragraph at another width
            self._visible = like._visible
            self._para, self._blocked = like._para, like._blocked
            self._whole_levels = like._whole_levels
        else:
            # `isprintable` (C, a few ns a character) rules out controls before the search.
            hidden = not text.isprintable() and _HIDDEN_START_RE.search(text) is not None
            self._visible = neutralize(text) if hidden else text
        self._starts: list[int] = [0]
        self._used: list[int] = []
        self._open: _Open = (0, 0, 0, [])
        self._wrapped_to = 0
        self._chars_per_line = 0.0
        self._groups: dict[int, list[VisualLine]] = {}

    # ----------------------------------------------------------------- public API

    @property
    def complete(self) -> bool:
        """Whether the whole paragraph has been wrapped (so `rows` is exact)."""
        return len(self._used) == len(self._starts)

    @property
    def rows_known(self) -> int:
        """Lines whose extent is known so far."""
        return len(self._used)

    def rows(self) -> int:
        """Lines of the paragraph: exact once `complete`, else the known ones plus an estimate
        of the rest from the characters per line seen so far."""
        if self.complete:
            return len(self._used)
        rest = len(self._visible) - self._wrapped_to
        per_line = self._chars_per_line or float(self.width)
        return len(self._used) + 1 + int(rest / per_line)

    def ensure_rows(self, count: int | None = None) -> None:
        """Wrap until `count` lines are known (None: the whole paragraph)."""
        while not self.complete and (count is None or len(self._used) < count):
            self._wrap_chunk()

    def line(self, row: int) -> VisualLine | None:
        """Line `row` (from 0), or None past the last line."""
        if row < 0:
            return None
        self.ensure_rows(row + 1)
        if row >= len(self._used):
            return None
        group = row // self._group
        lines = self._groups.get(group)
        if lines is None:
            lines = self._build(group)
        else:  # most recently used last
            del self._groups[group]
            self._groups[group] = lines
        return lines[row - group * self._group]

    def row_of(self, offset: int) -> int:
        """The line whose logical span holds `offset` (the last line for the end)."""
        while not self.complete and self._starts[-1] <= offset:
            self._wrap_chunk()
        return max(0, bisect_right(self._starts, offset) - 1)

    def lines(self) -> list[VisualLine]:
        """Every line (wraps and builds the whole paragraph: for tests and small texts)."""
        self.ensure_rows()
        return [line for row in range(len(self._used)) if (line := self.line(row)) is not None]

    # ------------------------------------------------------------------ wrapping

    def _wrap_chunk(self) -> None:
        """Wrap the next chunk of words (ending at a space or tab, or the end)."""
        visible = self._visible
        size = len(visible)
        pos = self._wrapped_to
        endpos = pos + self._chunk
        inside = False  # the chunk ends inside a long word
        if endpos >= size:
            endpos = size
        elif visible[endpos - 1] not in " \t" and visible[endpos] not in " \t":
            word_end = _word_end(visible, endpos)
            if word_end - _word_begin(visible, endpos) > LONG_WORD:
                inside = True
            else:
                endpos = word_end
        else:
            endpos = _word_end(visible, endpos)
        with _no_gc():
            ended, self._open = _wrap(
                visible, self.width, self.mode, self.harakat, pos, endpos, self._open, keep=False
            )
        for _start, line_end, used, _pieces in ended:
            self._starts.append(line_end)
            self._used.append(used)
        if inside:
            endpos = self._open[2]  # the glyph it stopped at, or the word's end
        self._wrapped_to = endpos
        if endpos == size:
            self._used.append(self._open[1])
        known = len(self._used)
        if not self._chars_per_line and known > 1:  # fixed once, so estimates move rarely
            self._chars_per_line = max(1.0, self._starts[known - 1] / (known - 1))

    def _word_start(self, row: int) -> bool:
        """Whether line `row` begins with a whole word (wrapping can restart there)."""
        start = self._starts[row]
        visible = self._visible
        if start == 0 or visible[start - 1] in " \t":
            return True
        # Inside a long word, any line start: it is shaped from a safe cut before it.
        return _word_end(visible, start) - _word_begin(visible, start) > LONG_WORD

    # ------------------------------------------------------------------ building

    def _build(self, group: int) -> list[VisualLine]:
        """Glyphs of the lines of `group`, from the nearest lines that start a word."""
        first = group * self._group
        self.ensure_rows(first + self._group)
        last = min(first + self._group, len(self._used))  # exclusive
        begin = first
        while not self._word_start(begin):
            begin -= 1
        finish = last
        while True:
            while finish < len(self._used) and not self._word_start(finish):
                finish += 1
            if finish < len(self._used) or self.complete:
                break
            self._wrap_chunk()
        visible = self._visible
        start = self._starts[begin]
        end = self._starts[finish] if finish < len(self._starts) else len(visible)
        with _no_gc():
            wrapped = _wrap_all(visible, self.width, self.mode, self.harakat, start, end)
            para = self._paragraph_level()
            if self.mode == "app":
                origin, classes, levels = self._levels(start, end)
            else:
                origin, classes, levels = start, "", None
            placed = _placed_lines(wrapped, visible, classes, levels, origin, para)
            built = _visual_lines(placed, para == 1, self.width)
        lines = built[first - begin : last - begin]
        self._groups[group] = lines
        while len(self._groups) > _GROUPS_KEPT:
            del self._groups[next(iter(self._groups))]
        return lines

    # ------------------------------------------------------------------ bidi

    def _paragraph_level(self) -> int:
        """P2, P3 from the first strong character, looking at as little text as needed."""
        if self._para is None:
            visible = self._visible
            if any(char in visible for char in _ISOLATE_CHARS):
                self._para = paragraph_level(bidi_classes(visible))
            else:
                self._para = 0
                step = 4096
                for at in range(0, len(visible), step):
                    found = _STRONG_RE.search(bidi_classes(visible[at : at + step]))
                    if found is not None:
                        self._para = 0 if found.group() == "L" else 1
                        break
        return self._para

    def _levels(self, start: int, end: int) -> tuple[int, str, bytearray]:
        """(origin, classes, levels) of a window holding [start, end): its levels equal the
        whole paragraph's (see the class docstring for why)."""
        visible = self._visible
        para = self._paragraph_level()
        blocked = self._bracket_pairs()
        if blocked is None:  # explicit codes, or bracket pairing that overflowed
            if self._whole_levels is None:
                classes = bidi_classes(visible)
                self._whole_levels = (classes, resolve_levels(visible, classes, para))
            return 0, *self._whole_levels
        low = self._cut(start, -1, blocked)
        high = self._cut(end, 1, blocked)
        stop = min(high + 1, len(visible))  # the strong character at the cut closes it
        if stop - low > _WHOLE_WINDOW:  # no cut for long: resolve it all once, not per group
            if self._whole_levels is None:
                classes = bidi_classes(visible)
                self._whole_levels = (classes, resolve_levels(visible, classes, para))
            return 0, *self._whole_levels
        window = visible[low:stop]
        classes = bidi_classes(window)
        return low, classes, resolve_levels(window, classes, para)

    def _cut(self, offset: int, step: int, blocked: tuple[list[int], list[int]]) -> int:
        """The nearest strong character at or before (step -1) or after (+1) `offset` that
        no blocked span holds; the paragraph's start or end when there is none.

        Blocked spans are stepped over whole, and each free stretch between them is searched
        in windows growing from `offset`: the cost follows the distance to the cut, not the
        length of the paragraph or of a span."""
        visible = self._visible
        size = len(visible)
        opens, closes = blocked
        position = offset
        while True:
            k = bisect_left(opens, position) - 1  # the last span opening before `position`
            if k >= 0 and closes[k] >= position:  # inside it: go to its edge
                position = opens[k] if step < 0 else closes[k] + 1
                if position >= size:
                    return size
                continue
            if step < 0:
                floor = closes[k] + 1 if k >= 0 else 0  # the free stretch is [floor, position]
                found = self._strong_near(floor, position, -1)
                if found is not None:
                    return found
                if floor == 0:
                    return 0
                position = floor - 1
            else:
                ceiling = opens[k + 1] if k + 1 < len(opens) else size - 1
                found = self._strong_near(position, ceiling, 1)
                if found is not None:
                    return found
                position = ceiling + 1
                if position >= size:
                    return size

    def _strong_near(self, low: int, high: int, step: int) -> int | None:
        """The last (step -1) or first (+1) strong character in [low, high], searched in
        windows growing from the end the search starts at."""
        visible = self._visible
        reach = 256
        while True:
            if step < 0:
                start, stop = max(low, high - reach + 1), high + 1
            else:
                start, stop = low, min(high + 1, low + reach)
            classes = bidi_classes(visible[start:stop])
            if step < 0:
                found = None
                for found in _STRONG_RE.finditer(classes):  # noqa: B007 - the last one
                    pass
                if found is not None:
                    return start + found.start()
                if start == low:
                    return None
            else:
                first = _STRONG_RE.search(classes)
                if first is not None:
                    return start + first.start()
                if stop == high + 1:
                    return None
            reach *= 4

    def _bracket_pairs(self) -> tuple[list[int], list[int]] | None:
        """Where windows may not be cut, as merged spans (opens, closes), sorted: offset `at`
        is blocked when opens[k] < at <= closes[k]. None when levels must be resolved whole.

        Without explicit codes: the bracket pairs of BD16 over the whole paragraph (None past
        63 open brackets). With them, see `_explicit_spans`."""
        if self._blocked is not None:
            return self._blocked
        visible = self._visible
        if any(char in visible for char in _EXPLICIT_CHARS):
            spans = self._explicit_spans()
            if spans is None:
                return None
            self._blocked = spans
            return spans
        neutral = _neutral_brackets()
        pairs, overflow = bracket_pairs(visible, lambda _index, char: char in neutral)
        if overflow:
            return None
        opens: list[int] = []
        closes: list[int] = []
        for open_at, close_at in pairs:
            if closes and open_at <= closes[-1]:
                closes[-1] = max(closes[-1], close_at)
            else:
                opens.append(open_at)
                closes.append(close_at)
        self._blocked = (opens, closes)
        return self._blocked

    def _explicit_spans(self) -> tuple[list[int], list[int]] | None:
        """Blocked spans of a paragraph with explicit codes: a window may be cut only where
        X1-X8 are back at the paragraph level with nothing open (every embedding and isolate
        opened before is closed, so the window resolves as the whole does), and only before
        the first bracket opened at that level (a pair of the paragraph-level sequence could
        span the cut, and its runs are not followed here: no cut after it). None (resolve
        whole) with an FSI, whose direction needs a look ahead, or nesting deep enough to
        overflow."""
        visible = self._visible
        if "\u2068" in visible:
            return None
        opens: list[int] = []
        closes: list[int] = []
        stack: list[bool] = []  # True for an isolate; empty: the paragraph level
        neutral = _neutral_brackets()
        for found in _explicit_or_opener_re().finditer(visible):
            char, at = found.group(), found.start()
            if char in _OPENERS:
                if not stack and char in neutral:
                    opens.append(at)
                    closes.append(len(visible))
                    break
                continue
            was_open = bool(stack)
            if char in "\u202a\u202b\u202d\u202e":  # LRE RLE LRO RLO
                stack.append(False)
            elif char in "\u2066\u2067":  # LRI RLI
                stack.append(True)
            elif char == "\u2069":  # PDI: closes the last isolate and what it holds
                if True in stack:
                    while not stack.pop():
                        pass
            elif stack and not stack[-1]:  # PDF closes an embedding, never an isolate
                stack.pop()
            if len(stack) > 60:  # levels could reach the limit (125): resolve it whole
                return None
            if stack and not was_open:
                opens.append(at)
                closes.append(len(visible))
            elif was_open and not stack:
                closes[-1] = at
        return opens, closes

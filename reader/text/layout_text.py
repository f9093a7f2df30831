"""The layout engine's lines as strings only, for callers that print them.

`layout_text` gives, for each line, the `indent`, `text`, `width` and `rtl` that
`reader.text.layout.layout` gives, without building a `Glyph` per character (most of a layout's
cost): `reader render` and the library list need nothing else. Same wrapping decisions, same
bidi levels and reordering, from the same word cache; property tests check the two agree
line for line. A module of its own so the UI, which needs glyphs, does not load it.
"""

from __future__ import annotations

from collections.abc import Sequence

from reader.text import layout as engine
from reader.text.bidi import MIRRORS, bidi_classes, paragraph_level, reorder, resolve_levels
from reader.text.layout import (
    _MIRRORED_RE,
    _WORD_RE,
    _Templates,
)
from reader.text.modes import BIDI_MODES, BidiMode
from reader.text.sanitize import TAB_SIZE, neutralize

#: One screen line without its glyphs: (indent, text, cells, rtl), the values of the
#: `VisualLine` fields `indent`, `text`, `width` and `rtl` that `layout` gives for it.
TextLine = tuple[int, str, int, bool]
#: A run of glyphs of one word (or gap) and the logical offset its templates count from: a
#: string is one one-cell glyph per character, as in `_Entry`. Never empty.
_Piece = tuple[_Templates | str, int]
#: A wrapped line before reordering: (start, end, cells, its pieces in logical order).
_TextLine = tuple[int, int, int, list[_Piece]]


def _wrap_text(text: str, width: int, mode: BidiMode, harakat: bool) -> list[_TextLine]:
    """`_wrap` without `Glyph` objects: each line as word-sized pieces (a cached word's
    templates and its offset), expanded to glyphs only for the lines that need reordering
    glyph by glyph. Same decisions as `_wrap`, line for line."""
    matches = list(_WORD_RE.finditer(text))
    entries = engine._WORDS.get_many([match.group() for match in matches], mode, harakat)
    tab_cells = min(TAB_SIZE, width)
    tab_text = " " * tab_cells
    lines: list[_TextLine] = []
    pieces: list[_Piece] = []
    append = pieces.append
    used = 0
    line_start = 0
    previous_end = 0
    tabs = "\t" in text
    for match, (templates, cells) in zip(matches, entries, strict=True):
        start, end = match.span()
        gap = start - previous_end
        if tabs and gap:
            gap_cells = gap + (tab_cells - 1) * text.count("\t", previous_end, start)
        else:
            gap_cells = gap
        if used + gap_cells + cells <= width and (pieces or not gap):
            if gap:
                if tabs and "\t" in text[previous_end:start]:
                    spaces = tuple(
                        [
                            (tab_text, tab_cells, at, at + 1)
                            if char == "\t"
                            else (" ", 1, at, at + 1)
                            for at, char in enumerate(text[previous_end:start])
                        ]
                    )
                    append((spaces, previous_end))
                else:
                    append((" " * gap, previous_end))
            if templates:
                append((templates, start))
            used += gap_cells + cells
        else:
            if pieces:
                lines.append((line_start, start, used, pieces))
                line_start = start
                pieces = []
                append = pieces.append
                used = 0
            if isinstance(templates, str):
                templates = tuple([(form, 1, at, at + 1) for at, form in enumerate(templates)])
            for template in templates:
                glyph_cells, glyph_start = template[1], template[2]
                if used + glyph_cells > width and pieces:  # a word wider than the line
                    lines.append((line_start, glyph_start + start, used, pieces))
                    line_start = glyph_start + start
                    pieces = []
                    append = pieces.append
                    used = 0
                append(((template,), start))
                used += glyph_cells
        previous_end = end
    lines.append((line_start, len(text), used, pieces))
    return lines


def _glyph_texts(pieces: list[_Piece]) -> tuple[list[str], list[int]]:
    """The pieces' glyph texts and logical starts, glyph by glyph, in logical order."""
    texts: list[str] = []
    starts: list[int] = []
    for content, base in pieces:
        if isinstance(content, str):
            texts.extend(content)
            starts.extend(range(base, base + len(content)))
        else:
            for glyph_text, _cells, glyph_start, _end in content:
                texts.append(glyph_text)
                starts.append(glyph_start + base)
    return texts, starts


def _logical_text(pieces: list[_Piece]) -> str:
    """The pieces' glyph texts in logical order, as one string."""
    return "".join(
        [
            content if isinstance(content, str) else "".join([t[0] for t in content])
            for content, _base in pieces
        ]
    )


def _reversed_text(pieces: list[_Piece]) -> str:
    """The pieces' glyphs in reverse order (a glyph's own characters keep theirs)."""
    return "".join(
        [
            content[::-1] if isinstance(content, str) else "".join([t[0] for t in content[::-1]])
            for content, _base in reversed(pieces)
        ]
    )


def _visual_text(
    texts: list[str],
    starts: list[int],
    levels: bytearray,
    classes: str,
    text: str,
    para: int,
    span: range,
) -> list[str]:
    """`_visual` on glyph texts and starts: L1 for tabs, L4 mirroring, L2 reordering."""
    line_levels = [levels[start] for start in starts]
    if text.find("\t", span.start, span.stop) >= 0:  # L1: tabs, and spaces before them
        reset = False
        for k in range(len(starts) - 1, -1, -1):
            code = classes[starts[k]]
            if code == "S":
                reset = True
            elif code != "w":
                reset = False
            if reset:
                line_levels[k] = para
    if _MIRRORED_RE.search(text, span.start, span.stop):  # L4
        for k, glyph_text in enumerate(texts):
            if line_levels[k] & 1 and glyph_text[0] in MIRRORS:
                texts[k] = MIRRORS[glyph_text[0]] + glyph_text[1:]
    return reorder(texts, line_levels)


def _mixed_text(
    pieces: list[_Piece], levels: bytearray, classes: str, text: str, para: int, span: range
) -> str:
    """A line whose glyphs are not all at one level, in visual order.

    When each piece's glyphs share one level (the common case: a number or a Latin name in
    Arabic) and the line holds no tab nor mirrored character, L2 moves each piece whole and
    reverses it exactly when its level is odd, so pieces are reordered instead of glyphs.
    Otherwise the line is expanded to glyphs for `_visual_text`.
    """
    if text.find("\t", span.start, span.stop) < 0 and not _MIRRORED_RE.search(
        text, span.start, span.stop
    ):
        piece_levels: list[int] = []
        parts: list[str] = []  # each piece in its own visual order
        for content, base in pieces:
            if isinstance(content, str):
                segment = levels[base : base + len(content)]
                level = segment[0]
                if segment.count(level) != len(segment):
                    break
                parts.append(content[::-1] if level & 1 else content)
            else:
                level = levels[content[0][2] + base]
                if any(levels[template[2] + base] != level for template in content):
                    break
                glyphs = content[::-1] if level & 1 else content
                parts.append("".join([template[0] for template in glyphs]))
            piece_levels.append(level)
        else:
            return "".join(reorder(parts, piece_levels))
    texts, starts = _glyph_texts(pieces)
    return "".join(_visual_text(texts, starts, levels, classes, text, para, span))


def layout_text(
    text: str, width: int, mode: BidiMode = "app", *, harakat: bool = True
) -> list[TextLine]:
    """`layout` as strings only: (indent, text, cells, rtl) of each line, equal to the
    `indent`, `text`, `width` and `rtl` of `layout`'s lines (a property test checks it).

    For callers that print lines and never map cells to offsets (`reader render`, the
    library list): no `Glyph` is built, which makes most of a layout's cost.
    """
    if mode not in BIDI_MODES:
        raise ValueError(f"bidi mode must be 'app' or 'terminal', not {mode!r}")
    visible = neutralize(text)
    classes = bidi_classes(visible)
    para = paragraph_level(classes)
    rtl = para == 1
    width = max(width, 1)
    wrapped = _wrap_text(visible, width, mode, harakat)
    result: list[TextLine] = []
    levels = resolve_levels(visible, classes, para) if mode == "app" else None
    for line_start, line_end, used, pieces in wrapped:
        if levels is None or not pieces:
            line_text = _logical_text(pieces)
        else:
            segment = levels[line_start:line_end]
            if (
                segment.count(segment[0]) == len(segment)
                and visible.find("\t", line_start, line_end) < 0
                and not (segment[0] & 1 and _MIRRORED_RE.search(visible, line_start, line_end))
            ):  # one level, nothing to mirror: the glyphs in (or against) logical order
                line_text = _reversed_text(pieces) if segment[0] & 1 else _logical_text(pieces)
            else:
                span = range(line_start, line_end)
                line_text = _mixed_text(pieces, levels, classes, visible, para, span)
        indent = width - used if rtl and used < width else 0
        result.append((indent, line_text, used, rtl))
    return result


def layout_text_many(
    paragraphs: Sequence[str], width: int, mode: BidiMode = "app", *, harakat: bool = True
) -> list[list[TextLine]]:
    """`layout_text` of each paragraph, shaping the new words of all of them in one batch."""
    if mode not in BIDI_MODES:
        raise ValueError(f"bidi mode must be 'app' or 'terminal', not {mode!r}")
    words: list[str] = []
    for paragraph in paragraphs:
        words.extend(_WORD_RE.findall(neutralize(paragraph)))
    engine._WORDS.prefetch(words, mode, harakat)
    return [layout_text(text, width, mode, harakat=harakat) for text in paragraphs]

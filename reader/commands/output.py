"""Terminal output for every command: shaped on a terminal, logical text on a pipe.

Every message and table cell a command prints goes through `Out`: first `printable` (no
escape sequence, control or bidi control from outside reaches the terminal), then, when the
stream is a terminal and the bidi mode is 'app', the layout engine's string path
(`reader.text.layout.layout_text`, as `reader list` and `reader render` use): Arabic shaped into
presentation forms and each screen line in visual order. On a pipe, or in 'terminal' mode
(a terminal that does its own bidi), the text stays logical.

Outside values inside an English sentence (a feed's title, a file name) go through `isolate`:
cleaned by `printable` and wrapped in a first-strong isolate, so "3 new articles" after an
Arabic title is not pulled into the title's right-to-left run. Messages are left-to-right
paragraphs (the sentences are English).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from functools import cache
from typing import IO, Any

from reader.text.modes import BIDI_ENV, BidiMode, resolve_bidi_mode
from reader.text.sanitize import printable

_FSI = "\u2068"
_PDI = "\u2069"
_LRM = "\u200e"
_ISOLATES_RE = re.compile(f"([{_FSI}{_PDI}])")
#: Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, NKo, their presentation forms):
#: a line holding none is printed as it is, without a layout.
_RTL_RE = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def isolate(value: str) -> str:
    """An outside value (title, path, URL) to put inside a message: cleaned, one line, and
    isolated so its direction does not spill into the sentence around it."""
    return _FSI + printable(value, line=True) + _PDI


def _clean_keeping_isolates(text: str) -> str:
    """`printable` on everything but the isolates `isolate` put there (an isolate cannot
    reverse letters, unlike the overrides and embeddings `printable` takes out)."""
    return "".join(
        part if part in (_FSI, _PDI) else printable(part) for part in _ISOLATES_RE.split(text)
    )


def visual_lines(text: str, width: int) -> list[str]:
    """One logical line of a message as screen lines: shaped, reordered, wrapped at `width`
    (a left-to-right paragraph), outside controls gone."""
    from reader.text.layout import layout_text

    lines = layout_text(_LRM + _clean_keeping_isolates(text), max(width, 1), "app")
    return [printable(line_text) for _indent, line_text, _cells, _rtl in lines] or [""]


@dataclass(frozen=True)
class Out:
    """Where a command prints and how: its bidi mode, and each stream's kind."""

    mode: BidiMode = "app"

    @classmethod
    def of(cls, args: Any = None) -> Out:
        """Printing in the mode `args.bidi`, else $READER_BIDI's, else 'app' (a bad
        $READER_BIDI is ignored here: `reader.cli.main` says so once for the run)."""
        mode, _warning = resolve_bidi_mode(getattr(args, "bidi", None), os.environ.get(BIDI_ENV))
        return cls(mode)

    def shapes(self, stream: IO[str]) -> bool:
        """True if text for `stream` is shaped and reordered here (a terminal, 'app' mode)."""
        return self.mode == "app" and _isatty(stream)

    def visual_mode(self, stream: IO[str]) -> BidiMode | None:
        """The mode table cells are drawn in: None on a pipe (logical, left-aligned)."""
        return self.mode if _isatty(stream) else None

    def text(self, text: str, stream: IO[str]) -> str:
        """`text` (one or more lines) as it should be written to `stream`."""
        if not self.shapes(stream) or _RTL_RE.search(text) is None:
            return printable(text)
        width = shutil.get_terminal_size((100, 24)).columns
        out: list[str] = []
        for line in text.split("\n"):
            if _RTL_RE.search(line) is None:
                out.append(printable(line))
            else:
                out.extend(visual_lines(line, width))
        return "\n".join(out)

    def say(self, text: str, *, err: bool = False) -> None:
        """Print one message (a line) to stdout, or stderr with `err`."""
        stream = sys.stderr if err else sys.stdout
        print(self.text(text, stream), file=stream)

    def write(self, text: str) -> None:
        """Write `text` to stdout without a newline of its own (a question, a table)."""
        sys.stdout.write(self.text(text, sys.stdout))


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# ------------------------------------------------------------------------ table cells

_ZERO_WIDTH = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf-\u05c7\u0610-\u061a\u061c"
    "\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u08d3-\u08e1\u08e3-\u08ff\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufe00-\ufe0f"
    "\ufe20-\ufe2f\ufeff"
)
_WIDE = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd"
)


@dataclass(frozen=True)
class _Patterns:
    """Character classes for cell widths; compiled on first use so `reader list --json`
    and the other commands do not pay for them at start-up."""

    zero: re.Pattern[str]
    wide: re.Pattern[str]
    special: re.Pattern[str]
    strong: re.Pattern[str]
    """A strong letter: the first one gives a title's direction (UAX #9 P2, no isolates)."""


@cache
def _patterns() -> _Patterns:
    return _Patterns(
        zero=re.compile(f"[{_ZERO_WIDTH}]"),
        wide=re.compile(f"[{_WIDE}]"),
        special=re.compile(f"[{_ZERO_WIDTH}{_WIDE}]"),
        strong=re.compile(
            "[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]"
        ),
    )


def cells(text: str) -> int:
    """Terminal cells `text` takes: combining marks and bidi controls 0, East Asian wide 2.

    A regex count rather than `rich.cells.cell_len`, which costs ~0.1 ms per Arabic string
    and made a 5,000-row list miss its half-second target.
    """
    patterns = _patterns()
    if not patterns.special.search(text):
        return len(text)
    return len(text) - len(patterns.zero.findall(text)) + len(patterns.wide.findall(text))


def cut(text: str, width: int) -> str:
    """The longest start of `text` within `width` cells (marks stay with their letter).

    Steps from one zero-width or wide character to the next (a regex), not a character at a
    time: the characters between them take one cell each."""
    patterns = _patterns()
    used = index = 0
    for special in patterns.special.finditer(text):
        plain = special.start() - index
        if used + plain > width:
            return text[: index + width - used]
        used += plain
        char_cells = 0 if patterns.zero.match(special.group()) else 2
        if used + char_cells > width:
            return text[: special.start()]
        used += char_cells
        index = special.end()
    return text[: index + width - used]


def fit(text: str, width: int, *, keep_end: bool = False) -> str:
    """Logical text cut (with "…") and padded to exactly `width` cells."""
    text_cells = cells(text)
    if text_cells > width:
        if keep_end:
            tail = cut(text[::-1], width - 1)[::-1]
            text = "…" + tail
        else:
            text = cut(text, width - 1) + "…"
        text_cells = cells(text)
    return text + " " * (width - text_cells)


def fit_visual(
    text: str, width: int, mode: str, memo: dict[tuple[str, bool], str] | None = None
) -> str:
    """A cell as the screen shows it: shaped and reordered by the layout engine (app mode),
    right-aligned when right-to-left, cut at its logical end with "…" on the side the text
    ends (the visual left for right-to-left text).

    `memo` (one per table, same width and mode) keeps the result per cut text: texts that
    differ only past the cut are laid out once."""
    was_cut = cells(text) > width
    if was_cut:
        text = cut(text, width - 1)
        space = text.rfind(" ")
        if space > width // 3:
            text = text[:space]
    if memo is not None:
        known = memo.get((text, was_cut))
        if known is None:
            known = memo[(text, was_cut)] = _fit_visual_cut(text, width, mode, was_cut)
        return known
    return _fit_visual_cut(text, width, mode, was_cut)


def _fit_visual_cut(text: str, width: int, mode: str, was_cut: bool) -> str:
    """`fit_visual` of a text already cut (`was_cut`: "…" goes at its end)."""
    if mode == "terminal":
        # The terminal shapes and reorders itself: only right-align right-to-left text.
        strong = _patterns().strong.search(text)
        rtl = strong is not None and strong.group() >= "\u0590"
        if was_cut:
            text += "…"
        padding = " " * (width - cells(text))
        return padding + text if rtl else text + padding
    from reader.text.layout import layout_text

    bidi: Any = mode
    # Strings only: the first line's text, cells and direction, without building glyphs.
    lines = layout_text(text, width - 1 if was_cut else width, bidi)
    if not lines:
        return " " * width
    _indent, body, used, rtl = lines[0]
    if was_cut or len(lines) > 1:
        body = "…" + body if rtl else body + "…"
        used += 1
    indent = width - used if rtl else 0
    return " " * indent + body + " " * (width - indent - used)


def cell(
    text: str, width: int, mode: str | None, memo: dict[tuple[str, bool], str] | None = None
) -> str:
    """An outside value as a table cell of exactly `width` cells: neutralised by `printable`,
    then logical (`mode` None: a pipe) or as the screen shows it (`fit_visual`)."""
    shown = printable(text, line=True)
    if mode is None:
        return fit(shown, width)
    return fit_visual(shown, width, mode, memo)

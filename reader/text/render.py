"""An article as the terminal should show it: the lines `reader render` prints.

Kept apart from the command so the UI's end-to-end test can compare the app's screen with
exactly these lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from reader.text.layout import layout_text_many
from reader.text.modes import BidiMode


def paragraphs_of(text: str) -> list[str]:
    """The paragraphs of a plain-text article: its non-blank lines."""
    return [line for line in text.splitlines() if line.strip()]


def render_lines(
    paragraphs: Iterable[str], width: int, mode: BidiMode = "app", harakat: bool = True
) -> list[str]:
    """Screen lines for `paragraphs` at `width`: each line is its indent then its glyphs
    (no trailing spaces), paragraphs separated by one blank line; blank paragraphs skipped.

    Laid out as strings only (`layout_text_many`): the same lines as the glyph layout the
    app draws, without building a `Glyph` per character.
    """
    kept = [paragraph for paragraph in paragraphs if paragraph.strip()]
    out: list[str] = []
    for lines in layout_text_many(kept, width, mode, harakat=harakat):
        if out:
            out.append("")
        out.extend((" " * indent + text).rstrip() for indent, text, _cells, _rtl in lines)
    return out

"""Raw text to `Block`s: cleaning, lines as candidate blocks, and which are sub-headings.

Every parser's blocks are logical Unicode with control characters and terminal escape
sequences removed and no newline inside a block (so `Article.text.split("\\n")` gives the
blocks back).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reader.models import Block, BlockKind
from reader.text.sanitize import sanitize

_LINE_BREAK_RE = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
_SPACE_CONTROL_RE = re.compile(r"[\x0b\x0c]")


def clean_text(text: str) -> str:
    """Logical text safe to store: escape sequences and control characters removed.

    `reader.text.sanitize.sanitize` does the removal (shared with the layout engine);
    before it, every kind of line break becomes "\\n" and vertical tab / form
    feed a space, so words they separated stay apart; stray byte-order marks go.
    Format characters that carry meaning in Arabic text (ZWJ, ZWNJ, bidi
    marks) are kept.
    """
    # `in` first: most text has none of these, and looking is far cheaper than substituting.
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        text = _LINE_BREAK_RE.sub("\n", text)
    if "\x0b" in text or "\x0c" in text:
        text = _SPACE_CONTROL_RE.sub(" ", text)
    return sanitize(text).replace("\ufeff", "")


def text_block(kind: BlockKind, text: str) -> Block | None:
    """One block from raw text: cleaned, newlines folded to spaces, trimmed; None if empty."""
    cleaned = clean_text(text).replace("\n", " ").strip()
    return Block(kind, cleaned) if cleaned else None


_CLOSERS = "\"'»”’)]}›"
_FINAL_PUNCTUATION = frozenset(".!?؟:;,،؛…۔")


def _ends_with_punctuation(line: str) -> bool:
    stripped = line.rstrip().rstrip(_CLOSERS).rstrip()
    return bool(stripped) and stripped[-1] in _FINAL_PUNCTUATION


_LIST_MARKER_RE = re.compile(r"^(?:[-*•·▪◦‣–]\s+)")
HEADING_MAX_CHARS = 100
HEADING_MAX_WORDS = 15


@dataclass(frozen=True, slots=True)
class Unit:
    """A candidate block from plain text before headings are decided."""

    kind: BlockKind
    text: str


def line_units(lines: Iterable[str]) -> list[Unit]:
    """Each non-blank line a paragraph, or a list item when it starts with a bullet."""
    units: list[Unit] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if _LIST_MARKER_RE.match(line):
            # The bullet is part of the text the author wrote: kept, so text survives exactly.
            units.append(Unit("list_item", line))
        else:
            units.append(Unit("paragraph", line))
    return units


def _is_heading_candidate(unit: Unit) -> bool:
    text = unit.text
    return (
        unit.kind == "paragraph"
        and len(text) <= HEADING_MAX_CHARS
        and len(text.split()) <= HEADING_MAX_WORDS
        and not _ends_with_punctuation(text)
        and any(ch.isalpha() for ch in text)
    )


def blocks_from_units(units: Sequence[Unit]) -> list[Block]:
    """Decide sub-headings: a short line without final punctuation between paragraphs.

    It must be followed by a paragraph that is not itself such a line, and
    preceded by a paragraph-like block or nothing, so runs of short lines
    (addresses, verse) stay paragraphs.
    """
    candidates = [_is_heading_candidate(unit) for unit in units]
    blocks: list[Block] = []
    for index, unit in enumerate(units):
        kind = unit.kind
        if candidates[index]:
            before_ok = index == 0 or not candidates[index - 1]
            after_ok = (
                index + 1 < len(units)
                and units[index + 1].kind == "paragraph"
                and not candidates[index + 1]
            )
            if before_ok and after_ok:
                kind = "heading"
        block = text_block(kind, unit.text)
        if block is not None:
            blocks.append(block)
    return blocks

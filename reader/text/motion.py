"""Word, sentence and paragraph boundaries in logical text, for the reading cursor.

Offsets are indices into an article's logical text (blocks joined by "\\n"), so
every motion is in reading order whatever the direction of the script; the UI
decides which key means "forward". Each function looks only at the paragraph
around the offset (or scans for the next "\\n"), so motions stay cheap on long
articles.

- A word is a run of letters, digits, combining marks (harakat), tatweel and
  joiners; a "." "," "٫" "٬" between digits (97.400) and an apostrophe between
  letters stay inside the word. Punctuation such as ، ؛ ؟ … is not part of words.
- A sentence ends after a run of . ! ? ؟ … ۔ (plus closing quotes or brackets)
  that is followed by white space or the end of the paragraph; a sentence never
  crosses a paragraph. The Arabic comma ، and semicolon ؛ separate clauses, not
  sentences.
- A paragraph is a block: the text between newlines. Empty paragraphs are skipped
  by motions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

Span = tuple[int, int]

_MARKS = (
    "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"
    "\u200c\u200d"
)
_WORD_CHAR = rf"[\w{_MARKS}]"
_WORD = re.compile(
    rf"{_WORD_CHAR}+(?:(?:(?<=\d)[.,\u066b\u066c](?=\d)|['\u2019](?=[^\W\d_])){_WORD_CHAR}+)*"
)
_TERMINATORS = ".!?\u061f\u2026\u06d4"
_CLOSERS = "\"'\u00bb\u201d\u2019)]}\u203a"
_SENTENCE_END = re.compile(rf"[{re.escape(_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*(?=\s|$)")


def _is_combining(char: str) -> bool:
    """A combining mark (Unicode Mn or Me: harakat, Quranic marks, Latin accents)."""
    return unicodedata.category(char) in ("Mn", "Me")


def char_end(text: str, offset: int) -> int:
    """End of the character at `offset` with the combining marks on it (`offset` at the end)."""
    if offset >= len(text):
        return len(text)
    end = offset + 1
    while end < len(text) and _is_combining(text[end]):
        end += 1
    return end


def char_start(text: str, offset: int) -> int:
    """Start of the character before `offset`, the combining marks on it included (0 at 0).

    A mark with no letter before it is a character of its own."""
    start = min(offset, len(text)) - 1
    while start > 0 and _is_combining(text[start]):
        start -= 1
    return max(start, 0)


def paragraph_at(text: str, offset: int) -> Span:
    """The paragraph [start, end) holding `offset` (a "\\n" belongs to the paragraph before it)."""
    offset = max(0, min(offset, len(text)))
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end == -1 else end


def paragraphs(text: str) -> list[Span]:
    """Every non-empty paragraph of `text`, in order."""
    spans: list[Span] = []
    start = 0
    for part in text.split("\n"):
        if part.strip():
            spans.append((start, start + len(part)))
        start += len(part) + 1
    return spans


def next_paragraph(text: str, offset: int) -> int:
    """Start of the next non-empty paragraph after the one at `offset` (else `offset`)."""
    _, end = paragraph_at(text, offset)
    while end < len(text):
        start = end + 1
        _, end = paragraph_at(text, start)
        if text[start:end].strip():
            return _skip_space(text, start, end)
    return offset


def prev_paragraph(text: str, offset: int) -> int:
    """Start of the paragraph at `offset` if past it, else of the previous non-empty one."""
    start, end = paragraph_at(text, offset)
    first = _skip_space(text, start, end)
    if offset > first and text[start:end].strip():
        return first
    while start > 0:
        start, end = paragraph_at(text, start - 1)
        if text[start:end].strip():
            return _skip_space(text, start, end)
    return offset


def _skip_space(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def words_in(text: str, start: int, end: int) -> list[Span]:
    """Word spans within text[start:end], as offsets into `text`."""
    return [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]


def word_at(text: str, offset: int) -> Span | None:
    """The word holding `offset`, or None when `offset` is on space or punctuation."""
    start, end = paragraph_at(text, offset)
    # No word holds a space: matching from the space before `offset` to the one after it
    # finds what matching the whole paragraph would (which a long paragraph cannot afford).
    start = max(start, text.rfind(" ", start, offset) + 1)
    after = text.find(" ", offset, end)
    end = end if after < 0 else after
    for span in words_in(text, start, end):
        if span[0] <= offset < span[1]:
            return span
        if span[0] > offset:
            break
    return None


def next_word(text: str, offset: int) -> int:
    """Start of the first word after `offset` (across paragraphs), else `offset`."""
    match = _WORD.search(text, offset)
    while match is not None and match.start() <= offset:
        # `offset` is inside (or at the start of) this word: look past its end.
        match = _WORD.search(text, match.end())
    return offset if match is None else match.start()


def prev_word(text: str, offset: int) -> int:
    """Start of the last word starting before `offset` (across paragraphs), else `offset`."""
    start, _ = paragraph_at(text, offset)
    while True:
        # Matching starts after a space (no word holds one), so a word cut by `offset` keeps
        # its start; each round matches the piece before the next space back (stepping over
        # a run of spaces whole), up to the paragraph start. A piece ends at a space, so no
        # word crosses from one round's piece into the last one's.
        high = offset
        while high > start:
            low = max(start, text.rfind(" ", start, _spaces_start(text, start, high - 1)) + 1)
            starts = [s for s, _ in words_in(text, low, high) if s < offset]
            if starts:
                return starts[-1]
            high = low
        if start == 0:
            return offset
        start, _ = paragraph_at(text, start - 1)


def _spaces_start(text: str, start: int, at: int) -> int:
    """Where the run of spaces ending at `at` begins (`at` itself when text[at - 1] is not a
    space), not before `start`."""
    while at > start and text[at - 1] == " ":
        piece = text[max(start, at - 1024) : at]
        kept = len(piece.rstrip(" "))
        if kept:
            return at - len(piece) + kept
        at -= len(piece)
    return max(at, start)


def sentences_in(text: str, start: int, end: int) -> list[Span]:
    """Sentence spans within one paragraph text[start:end] (no leading/trailing space)."""
    return list(_sentences(text, start, end))


def _sentences(text: str, start: int, end: int) -> Iterator[Span]:
    """`sentences_in`, one at a time (callers stop once past the offset they look for)."""
    position = _skip_space(text, start, end)
    while position < end:
        match = _SENTENCE_END.search(text, position, end)
        stop = end if match is None else match.end()
        trimmed = stop
        while trimmed > position and text[trimmed - 1].isspace():
            trimmed -= 1
        if trimmed > position:
            yield (position, trimmed)
        position = _skip_space(text, stop, end)


def _sentences_near(text: str, start: int, end: int, offset: int) -> Iterator[Span]:
    """The sentences of paragraph [start, end) from the one before the sentence holding
    `offset` on: matching restarts after the second-last sentence end before `offset`,
    found in a window that grows back from it, rather than at the paragraph start.

    Sentence ends are where matching from the start puts them once past a space (an end
    holds no space), so the window starts at its first space."""
    reach = 1024
    while True:
        low = max(start, offset - reach)
        if low == start:
            return _sentences(text, start, end)
        space = text.find(" ", low, offset)
        if space >= 0:
            stops = []
            for match in _SENTENCE_END.finditer(text, space, end):
                if match.end() > offset:
                    break
                stops.append(match.end())
            if len(stops) >= 2:
                return _sentences(text, stops[-2], end)
        reach *= 4


def sentence_at(text: str, offset: int) -> Span:
    """The sentence holding `offset`; on space between sentences, the one before it.

    On an empty paragraph, the empty span at `offset`.
    """
    start, end = paragraph_at(text, offset)
    chosen: Span | None = None
    for span in _sentences_near(text, start, end, offset):
        if chosen is None or span[0] <= offset:
            chosen = span
        else:
            break
    return (offset, offset) if chosen is None else chosen


def next_sentence(text: str, offset: int) -> int:
    """Start of the first sentence starting after `offset` (across paragraphs), else `offset`."""
    start, end = paragraph_at(text, offset)
    spans = _sentences_near(text, start, end, offset)
    while True:
        for span in spans:
            if span[0] > offset:
                return span[0]
        if end >= len(text):
            return offset
        start, end = paragraph_at(text, end + 1)
        spans = _sentences(text, start, end)


def prev_sentence(text: str, offset: int) -> int:
    """Start of the last sentence starting before `offset` (across paragraphs), else `offset`."""
    start, end = paragraph_at(text, offset)
    spans = _sentences_near(text, start, end, offset)
    while True:
        starts = []
        for span in spans:
            if span[0] >= offset:
                break
            starts.append(span[0])
        if starts:
            return starts[-1]
        if start == 0:
            return offset
        start, end = paragraph_at(text, start - 1)
        spans = _sentences(text, start, end)


def unit_at(text: str, offset: int, unit: str) -> Span:
    """The word, sentence or paragraph at `offset` (`unit` names it); a word falls back to
    the single character at `offset`, so a selection always covers something."""
    if unit == "sentence":
        span = sentence_at(text, offset)
    elif unit == "paragraph":
        start, end = paragraph_at(text, offset)
        span = (_skip_space(text, start, end), end)
    else:
        word = word_at(text, offset)
        span = word if word is not None else (offset, min(offset + 1, len(text)))
    if span[0] >= span[1]:
        return offset, min(offset + 1, len(text))
    return span

"""Reading JSON that may be big or hostile: a nesting limit, and one value at a time.

`json.loads` descends in C once per level of nesting, so 100,000 nested arrays end
in a `RecursionError`; and it builds the whole document before anything can be
used, so a 300 MB file of annotations becomes gigabytes of dicts. Here:

- `MAX_DEPTH` is how deeply the arrays and objects of any JSON reader reads may
  nest; deeper is a `ReaderError` naming the file (`loads`, and every value a
  `JsonStream` decodes).
- `JsonStream` reads a file in chunks and walks a document's outer arrays and
  objects itself (`elements`, `members`), decoding only the values inside them
  (`value`), so memory holds one chunk and one value, not the whole document.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from reader.errors import ReaderError

MAX_DEPTH = 100
"""How many arrays and objects may enclose each other in a JSON file reader reads."""

CHUNK_CHARS = 1 << 20
"""Characters read at a time by `JsonStream` (a value longer than that doubles it)."""

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def too_deep(label: str) -> ReaderError:
    """The sentence for JSON nested beyond `MAX_DEPTH`."""
    return ReaderError(
        f"{label} nests arrays or objects more than {MAX_DEPTH} levels deep, "
        "more than reader reads."
    )


def nesting(value: Any) -> int:
    """How many arrays and objects enclose each other at the deepest point of `value`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _within(value: Any, text: str, start: int, end: int, allowed: int) -> bool:
    """Whether `value`, decoded from `text[start:end]`, nests at most `allowed` levels.

    A value cannot nest deeper than the `[` and `{` in its text (those inside strings
    only over-count), so the walk over the value is only needed for the rare value
    that has more of them than it may nest.
    """
    if text.count("[", start, end) + text.count("{", start, end) <= allowed:
        return True
    return nesting(value) <= allowed


def loads(text: str, label: str) -> Any:
    """`json.loads`, refusing documents nested deeper than `MAX_DEPTH` with a sentence.

    `json.JSONDecodeError` passes through for the caller to word.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise too_deep(label) from None
    if not _within(value, text, 0, len(text), MAX_DEPTH):
        raise too_deep(label)
    return value


class JsonStream:
    """One JSON document read from a binary file a chunk at a time.

    The caller walks the outer structure: `peek` says what comes next, `elements`
    and `members` step through an array or an object, and `value` decodes one whole
    value (checked against `MAX_DEPTH`, given how deep it sits). `end` checks that
    nothing but whitespace follows the document. Syntax errors are `ReaderError`s
    naming the file, line and column, as `json.loads` would report them.
    """

    def __init__(self, handle: IO[bytes], label: str) -> None:
        self._handle = handle
        self._label = label
        self._decoder = json.JSONDecoder()
        self._incremental = codecs.getincrementaldecoder("utf-8-sig")()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._base_lines = 0
        """Newlines in the text already dropped from the buffer."""
        self._line_start = 0
        """Offset, counted from the start of the text, where the line at `_buf[0]` starts."""
        self._base = 0
        """Offset, counted from the start of the text, of `_buf[0]`."""

    # -- the buffer ---------------------------------------------------------------------------

    def _more(self) -> bool:
        """Append the next chunk (at least as much as is buffered); False at the end."""
        if self._eof:
            return False
        dropped = self._buf[: self._pos]
        newlines = dropped.count("\n")
        if newlines:
            self._base_lines += newlines
            self._line_start = self._base + dropped.rindex("\n") + 1
        self._base += self._pos
        kept = self._buf[self._pos :]
        raw = self._handle.read(max(CHUNK_CHARS, len(kept)))
        try:
            text = self._incremental.decode(raw, final=not raw)
        except UnicodeDecodeError:
            raise ReaderError(f"{self._label} is not UTF-8 text.") from None
        self._eof = not raw
        self._buf, self._pos = kept + text, 0
        return bool(raw)

    def _error(self, pos: int) -> ReaderError:
        """Where the text stops being JSON, in the words `json.loads` errors use."""
        line = self._base_lines + self._buf.count("\n", 0, pos) + 1
        last = self._buf.rfind("\n", 0, pos)
        column = pos - last if last >= 0 else self._base + pos - self._line_start + 1
        return ReaderError(f"{self._label} is not valid JSON (line {line}, column {column}).")

    # -- walking ------------------------------------------------------------------------------

    def peek(self) -> str:
        """The next character that is not whitespace ('' at the end of the file)."""
        while True:
            match = _WHITESPACE.match(self._buf, self._pos)
            assert match is not None  # the pattern matches the empty string
            self._pos = match.end()
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def _expect(self, char: str) -> None:
        if self.peek() != char:
            raise self._error(self._pos)
        self._pos += 1

    def value(self, depth: int) -> Any:
        """Decode the whole value that comes next; `depth` arrays and objects enclose it."""
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as error:
                if self._more():  # the value may go on past the buffer
                    continue
                raise self._error(error.pos) from None
            except RecursionError:
                raise too_deep(self._label) from None
            if end == len(self._buf) and self._more():  # a number may go on
                continue
            break
        if not _within(value, self._buf, self._pos, end, MAX_DEPTH - depth):
            raise too_deep(self._label)
        self._pos = end
        return value

    def elements(self, depth: int) -> Iterator[None]:
        """Step through the array that comes next (`depth` levels enclose it).

        Yields once per element with the stream at it; the caller must consume the
        element (with `value`, or by walking it) before asking for the next.
        """
        if depth + 1 > MAX_DEPTH:
            raise too_deep(self._label)
        self._expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield
            after = self.peek()
            self._pos += 1
            if after == "]":
                return
            if after != ",":
                raise self._error(self._pos - 1)

    def members(self, depth: int) -> Iterator[str]:
        """Step through the object that comes next, yielding each key with the stream at
        its value; as with `elements`, the caller consumes each value."""
        if depth + 1 > MAX_DEPTH:
            raise too_deep(self._label)
        self._expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self._error(self._pos)
            key = self.value(depth + 1)
            self._expect(":")
            yield key
            after = self.peek()
            self._pos += 1
            if after == "}":
                return
            if after != ",":
                raise self._error(self._pos - 1)

    def end(self) -> None:
        """Check that only whitespace is left after the document."""
        if self.peek():
            raise self._error(self._pos)

"""Annotations that survive change: making them, and re-anchoring them to new text.

An annotation remembers its logical span, the exact quote, up to 32 characters of
context on each side and a hash of the text it was made on. When the article text
changes, `reanchor` places it again: the old offsets if the quote is still there,
else the exact quote nearest the old position (context breaks ties), else a fuzzy
match of the quote with its context (bounded cost). What cannot be placed becomes
an orphan: kept with its quote and note, never attached to the wrong text.

Invariant: a returned annotation either has `new_text[start:end] == quote` or is
an orphan.
"""

from __future__ import annotations

import dataclasses
import difflib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from reader.errors import ReaderError
from reader.models import Annotation, Article, now_iso, text_hash

CONTEXT = 32
"""Characters of prefix and suffix kept around a quote."""

FUZZY_MIN_QUOTE = 4
"""Quotes shorter than this are never placed fuzzily: too easy to attach to wrong text."""

FUZZY_MIN_RATIO = 0.8
"""How similar (difflib ratio) the fuzzily found text must be to the old quote."""

FUZZY_MAX_QUOTE = 4000
"""Longer quotes are not fuzzily matched (cost bound); they are placed exactly or orphaned."""

_FUZZY_MAX_WINDOWS = 6
"""At most this many candidate windows are compared per annotation (cost bound)."""


class AnnotationStore(Protocol):
    """The part of `reader.store.database.Store` that re-anchoring needs."""

    def annotations_for(self, article_id: str) -> list[Annotation]: ...

    def update_annotation(self, annotation: Annotation) -> None: ...

    def add_annotations(self, annotations: Iterable[Annotation]) -> None: ...


@dataclass(slots=True)
class ReanchorReport:
    """What `reanchor_article` did: counts, and the re-anchored records."""

    placed: int = 0
    """Annotations left at their old offsets."""
    moved: int = 0
    """Annotations placed at new offsets (exact or fuzzy)."""
    orphaned: int = 0
    """Annotations that could not be placed (kept as orphans)."""
    annotations: list[Annotation] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many annotations were looked at."""
        return self.placed + self.moved + self.orphaned


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


def make_annotation(
    article: Article,
    start: int,
    end: int,
    *,
    color: int = 1,
    note: str = "",
    tags: Sequence[str] = (),
    text: str | None = None,
    digest: str | None = None,
) -> Annotation:
    """A new annotation on `article.text[start:end]` with its quote, context and text hash.

    `text` (`article.text`) and `digest` (its `text_hash`) may be passed by a caller that
    keeps them, to save joining and hashing a long article for every highlight.
    """
    if text is None:
        text = article.text
    if not 0 <= start < end <= len(text):
        raise ReaderError(
            f"The span {start}-{end} is not inside the text of article {article.id!r}."
        )
    if not 1 <= color <= 5:
        raise ReaderError(f"Highlight colour {color} is not one of 1 to 5.")
    prefix, suffix = _context(text, start, end)
    now = now_iso()
    return Annotation(
        id=uuid.uuid4().hex,
        article_id=article.id,
        start=start,
        end=end,
        quote=text[start:end],
        prefix=prefix,
        suffix=suffix,
        text_hash=digest if digest is not None else text_hash(text),
        color=color,
        note=note,
        tags=list(tags),
        created=now,
        updated=now,
    )


def _placed(annotation: Annotation, text: str, start: int, end: int, digest: str) -> Annotation:
    prefix, suffix = _context(text, start, end)
    return dataclasses.replace(
        annotation,
        start=start,
        end=end,
        quote=text[start:end],
        prefix=prefix,
        suffix=suffix,
        text_hash=digest,
        orphan=False,
        tags=list(annotation.tags),
    )


def _context_score(annotation: Annotation, text: str, start: int, end: int) -> int:
    """How many context characters agree next to a candidate span (prefix backwards, suffix on)."""
    score = 0
    prefix = annotation.prefix
    for i in range(1, min(len(prefix), start) + 1):
        if text[start - i] != prefix[-i]:
            break
        score += 1
    suffix = annotation.suffix
    for i in range(min(len(suffix), len(text) - end)):
        if text[end + i] != suffix[i]:
            break
        score += 1
    return score


def _exact(annotation: Annotation, text: str) -> int | None:
    """Start of the exact quote nearest the old start; context agreement breaks ties.

    Searches windows growing around the old position, so the cost follows the distance
    moved rather than the article's length.
    """
    quote = annotation.quote
    old = max(0, min(annotation.start, len(text)))
    reach = 256
    while True:
        lo = max(0, old - reach)
        hi = min(len(text), old + reach + len(quote))
        hits: list[int] = []
        pos = text.find(quote, lo, hi)
        while pos != -1:
            hits.append(pos)
            pos = text.find(quote, pos + 1, hi)
        if hits:
            nearest = min(abs(hit - old) for hit in hits)
            if nearest <= reach or (lo == 0 and hi == len(text)):
                tied = [hit for hit in hits if abs(hit - old) == nearest]
                return max(
                    tied,
                    key=lambda hit: (_context_score(annotation, text, hit, hit + len(quote)), -hit),
                )
        if lo == 0 and hi == len(text):
            return None
        reach *= 4


def _map_position(opcodes: Sequence[tuple[str, int, int, int, int]], pos: int, *, end: bool) -> int:
    """Where position `pos` of the first sequence lands in the second (difflib opcodes)."""
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "insert":
            continue
        if (i1 <= pos < i2) if not end else (i1 < pos <= i2):
            if tag == "equal":
                return j1 + (pos - i1)
            if tag == "delete":
                return j1 if not end else j2
            return j1 + min(pos - i1, j2 - j1)
    return opcodes[-1][4] if opcodes else 0


def _windows(annotation: Annotation, text: str) -> list[tuple[int, int]]:
    """Candidate regions of `text` for a fuzzy search: the old place, and where quote ends occur."""
    quote = annotation.quote
    before = len(annotation.prefix)
    after = len(annotation.suffix)
    slack = len(quote) // 4 + 16
    span = before + len(quote) + after
    starts = [annotation.start - before]
    piece = max(4, min(16, len(quote) // 3))
    head, tail = quote[:piece], quote[-piece:]
    for needle, shift in ((head, 0), (tail, len(quote) - piece)):
        hits: list[int] = []
        pos = text.find(needle)
        while pos != -1 and len(hits) < 64:
            hits.append(pos)
            pos = text.find(needle, pos + 1)
        hits.sort(key=lambda h: abs(h - shift - annotation.start))
        starts.extend(h - shift - before for h in hits[: _FUZZY_MAX_WINDOWS // 2])
    windows: list[tuple[int, int]] = []
    for s in starts:
        lo = max(0, s - slack)
        hi = min(len(text), s + span + slack)
        if hi > lo and not any(a <= lo and hi <= b for a, b in windows):
            windows.append((lo, hi))
        if len(windows) >= _FUZZY_MAX_WINDOWS:
            break
    return windows


def _fuzzy(annotation: Annotation, text: str) -> tuple[int, int] | None:
    """A span of `text` closely matching the quote in its context, or None."""
    quote = annotation.quote
    if not FUZZY_MIN_QUOTE <= len(quote) <= FUZZY_MAX_QUOTE:
        return None
    context = annotation.prefix + quote + annotation.suffix
    q0 = len(annotation.prefix)
    q1 = q0 + len(quote)
    best: tuple[float, int, int, int] | None = None
    for lo, hi in _windows(annotation, text):
        window = text[lo:hi]
        matcher = difflib.SequenceMatcher(None, context, window, autojunk=False)
        opcodes = matcher.get_opcodes()
        start = lo + _map_position(opcodes, q0, end=False)
        end = lo + _map_position(opcodes, q1, end=True)
        while start < end and text[start].isspace() and not quote[0].isspace():
            start += 1
        while end > start and text[end - 1].isspace() and not quote[-1].isspace():
            end -= 1
        if end <= start:
            continue
        ratio = difflib.SequenceMatcher(None, quote, text[start:end], autojunk=False).ratio()
        key = (-ratio, abs(start - annotation.start), start, end)
        if ratio >= FUZZY_MIN_RATIO and (best is None or key < best):
            best = key
    return None if best is None else (best[2], best[3])


def reanchor(annotation: Annotation, new_text: str, *, digest: str | None = None) -> Annotation:
    """A copy of `annotation` placed in `new_text`, or marked orphan when it cannot be placed.

    `digest` is `text_hash(new_text)` when the caller already has it (hashing a long text
    costs more than placing an annotation).
    """
    if digest is None:
        digest = text_hash(new_text)
    quote = annotation.quote
    start = annotation.start
    if quote and start >= 0 and new_text[start : start + len(quote)] == quote:
        return _placed(annotation, new_text, start, start + len(quote), digest)
    if quote:
        found = _exact(annotation, new_text)
        if found is not None:
            return _placed(annotation, new_text, found, found + len(quote), digest)
        span = _fuzzy(annotation, new_text)
        if span is not None:
            return _placed(annotation, new_text, span[0], span[1], digest)
    return dataclasses.replace(annotation, orphan=True, tags=list(annotation.tags))


def reanchor_article(store: AnnotationStore, old: Article, new: Article) -> ReanchorReport:
    """Re-anchor every annotation of `old` to `new`'s text and save the changed ones.

    Saved in one batch (`add_annotations`, which replaces by id) when the store has it and
    the article keeps its id; else one `update_annotation` each.
    """
    report = ReanchorReport()
    new_text = new.text
    digest = text_hash(new_text)
    changed: list[Annotation] = []
    for annotation in store.annotations_for(old.id):
        moved = reanchor(annotation, new_text, digest=digest)
        moved.article_id = new.id
        if moved.orphan:
            report.orphaned += 1
        elif (moved.start, moved.end, moved.quote) == (
            annotation.start,
            annotation.end,
            annotation.quote,
        ) and not annotation.orphan:
            report.placed += 1
        else:
            report.moved += 1
        if moved != annotation:
            changed.append(moved)
        report.annotations.append(moved)
    if changed and old.id == new.id:
        store.add_annotations(changed)  # one write for the article, not one per annotation
    else:
        for annotation in changed:
            store.update_annotation(annotation)
    return report

"""Importing Web Annotation files into the library: matching, placing and saving.

Each item `reader.notes.webanno` reads from a file is matched by its target source
to an article in the library and its quote placed through `reader.notes.anchors.reanchor`
(the same re-anchoring that keeps highlights across article edits); what cannot be
placed is kept as an orphan, and what cannot be used at all is skipped with a reason.

Re-importing is how notes edited in another tool come back: an annotation whose id
is already in the library, on the same article, is updated in place when the user's
part of it differs (note, tags, colour given by the file, and the quote and position
when the file's quote re-anchors), and left alone when nothing differs, so importing
the same file twice changes nothing. An id held by another article's annotation is
skipped. The store is reached only through what `ImportStore` names.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from reader.errors import ReaderError
from reader.ingest.jsonread import JsonStream, loads
from reader.models import Annotation, Article, ArticleSummary, now_iso, text_hash
from reader.notes.anchors import reanchor
from reader.notes.webanno import (
    Incoming,
    Skipped,
    annotation_iri,
    document_items,
    parse_annotation,
    stream_items,
)


class ImportStore(Protocol):
    """The part of `reader.store.database.Store` that importing needs."""

    def list_articles(self) -> list[ArticleSummary]: ...

    def get_article(self, article_id: str) -> Article | None: ...

    def get_annotation(self, article_id: str, annotation_id: str) -> Annotation | None: ...

    def all_annotations(self) -> list[Annotation]: ...

    def add_annotations(self, annotations: Iterable[Annotation]) -> None: ...


MAX_IMPORT_BYTES = 512 * 1024 * 1024
"""Annotation files larger than this are refused (512 MB)."""


def stream_document(path: Path) -> Iterator[Any]:
    """The items of a Web Annotation file, as `document_items` finds them, read a chunk at a time.

    A file larger than `MAX_IMPORT_BYTES`, nested deeper than `MAX_DEPTH`, not UTF-8
    or not valid JSON is a `ReaderError` naming it (raised when the reading gets there).
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError as error:
        raise ReaderError(f"There is no file {path}.") from error
    except OSError as error:
        raise ReaderError(f"Could not read {path}: {error.strerror or error}.") from error
    with handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_IMPORT_BYTES:
            raise ReaderError(
                f"{path} is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB, "
                "the most reader imports from one file (split it into smaller files)."
            )
        stream = JsonStream(handle, str(path))
        try:
            if not stream.peek():
                raise ReaderError(f"{path} is empty.")
            yield from stream_items(stream)
            stream.end()
        except OSError as error:
            raise ReaderError(f"Could not read {path}: {error.strerror or error}.") from error


def load_document(path: Path) -> Any:
    """Read a JSON(-LD) file whole; a missing or malformed file is a `ReaderError` naming it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as error:
        raise ReaderError(f"There is no file {path}.") from error
    except OSError as error:
        raise ReaderError(f"Could not read {path}: {error.strerror or error}.") from error
    try:
        return loads(raw.decode("utf-8-sig"), str(path))
    except UnicodeDecodeError as error:
        raise ReaderError(f"{path} is not UTF-8 text.") from error
    except json.JSONDecodeError as error:
        raise ReaderError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno})."
        ) from error


# --- matching and placing ------------------------------------------------------


def source_keys(source: str) -> list[str]:
    """Forms of a source that should find the same article (URL or file path variants)."""
    text = source.strip()
    keys = [text]
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "file":
        text = unquote(parts.path)
        keys.append(text)
        scheme = ""
    if scheme in ("http", "https"):
        host = (parts.hostname or "").lower().removeprefix("www.")
        path = parts.path.rstrip("/") or ""
        keys.append(f"web:{host}{path}" + (f"?{parts.query}" if parts.query else ""))
    elif not scheme or len(scheme) == 1:  # a path (or a Windows drive letter)
        keys.append("path:" + os.path.normpath(text))
    return keys


@dataclass(slots=True)
class ImportReport:
    """What `import_annotations` did: counts and, for skips, one reason each.

    `placed` and `orphaned` count new annotations; `updated` and `unchanged` count
    annotations already in the library (changed by the file, or equal to it).
    """

    placed: int = 0
    updated: int = 0
    unchanged: int = 0
    orphaned: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.placed + self.updated + self.unchanged + self.orphaned + len(self.skipped)

    def reasons(self) -> Counter[str]:
        """How many items were skipped for each reason."""
        return Counter(skip.reason for skip in self.skipped)


class _Library:
    """Finds articles by target source, loading each article once."""

    def __init__(self, store: ImportStore) -> None:
        self._store = store
        self._by_key: dict[str, str] = {}
        for summary in store.list_articles():
            for key in source_keys(summary.source):
                self._by_key.setdefault(key, summary.id)
        self._articles: dict[str, Article | None] = {}

    def find(self, source: str) -> Article | None:
        for key in source_keys(source):
            article_id = self._by_key.get(key)
            if article_id is not None:
                if article_id not in self._articles:
                    self._articles[article_id] = self._store.get_article(article_id)
                return self._articles[article_id]
        return None


def _start_hint(incoming: Incoming, quote: str, text: str) -> int:
    """Where to look for a quote with no position: where its context matches, else its first hit."""
    if incoming.start is not None:
        return incoming.start
    for needle, shift in (
        (incoming.prefix + quote + incoming.suffix, len(incoming.prefix)),
        (incoming.prefix + quote, len(incoming.prefix)),
        (quote + incoming.suffix, 0),
    ):
        if needle != quote:
            pos = text.find(needle)
            if pos != -1:
                return pos + shift
    pos = text.find(quote)
    return max(pos, 0)


def place(incoming: Incoming, article: Article, text: str, digest: str) -> Annotation | Skipped:
    """An `Incoming` annotation anchored in `article` (maybe as an orphan), or a skip.

    `text` is `article.text` and `digest` its `text_hash`, which the caller keeps per
    article rather than joining and hashing a long article for every annotation.
    """
    quote = incoming.exact
    if quote is None:
        start, end = incoming.start, incoming.end
        if start is None or end is None or end > len(text) or start == end:
            return Skipped(
                annotation_iri(incoming.id),
                "it has only a text position, and that position is not inside the article",
            )
        quote = text[start:end]
    if not quote:
        return Skipped(annotation_iri(incoming.id), "its quote is empty")
    start = _start_hint(incoming, quote, text)
    record = Annotation(
        id=incoming.id,
        article_id=article.id,
        start=start,
        end=start + len(quote),
        quote=quote,
        prefix=incoming.prefix,
        suffix=incoming.suffix,
        color=incoming.color or 1,
        note=incoming.note,
        tags=list(incoming.tags),
        created=incoming.created,
        updated=incoming.modified or incoming.created,
    )
    return reanchor(record, text, digest=digest)


def _owned(annotation: Annotation) -> tuple[object, ...]:
    """The part of an annotation the user made: what tells an edit from a repeat."""
    return (
        annotation.note,
        annotation.tags,
        annotation.color,
        annotation.quote,
        annotation.start,
        annotation.end,
        annotation.orphan,
    )


def _takes_anchor(current: Annotation, placed: Annotation, incoming: Incoming, text: str) -> bool:
    """Whether the file's placement should replace the stored one.

    Never when the file's quote does not re-anchor (an edit made against another version
    of the article must not orphan a highlight placed here). When the quote is the one
    already highlighted here, only if the file points exactly at another copy of it: a
    file without positions must not move a highlight to the quote's first occurrence.
    """
    if placed.orphan:
        return False
    if current.orphan or text[current.start : current.end] != current.quote:
        return True
    if placed.quote != current.quote:
        return True
    return incoming.start is not None and incoming.start == placed.start


def merge(current: Annotation, placed: Annotation, incoming: Incoming, text: str) -> Annotation:
    """`current` with what the file says of it, or `current` itself when nothing differs.

    Note and tags come from the file (an empty body means the note was removed); the
    colour only when the file names one (other tools have none); the quote and position
    when the file's quote re-anchors in `text`, the article's text (see `_takes_anchor`).
    """
    merged = dataclasses.replace(
        current,
        note=incoming.note,
        tags=list(incoming.tags),
        color=current.color if incoming.color is None else incoming.color,
    )
    if _takes_anchor(current, placed, incoming, text):
        merged.start, merged.end, merged.quote = placed.start, placed.end, placed.quote
        merged.prefix, merged.suffix = placed.prefix, placed.suffix
        merged.text_hash, merged.orphan = placed.text_hash, False
    if _owned(merged) == _owned(current):
        return current
    merged.created = current.created or incoming.created
    merged.updated = incoming.modified or now_iso()
    return merged


class _Existing:
    """The library's annotations, looked up one at a time, and which article holds an id."""

    def __init__(self, store: ImportStore) -> None:
        self._store = store
        self._owners: dict[str, str] | None = None

    def get(self, article_id: str, annotation_id: str) -> Annotation | None:
        """The annotation with this id on this article, if it has one."""
        return self._store.get_annotation(article_id, annotation_id)

    def owner(self, annotation_id: str) -> str | None:
        """The id of the article holding an annotation with this id (read on first need)."""
        if self._owners is None:
            self._owners = {a.id: a.article_id for a in self._store.all_annotations()}
        return self._owners.get(annotation_id)


def import_annotations(store: ImportStore, data: Any) -> ImportReport:
    """Add or update the annotations of a Web Annotation document; see the module doc."""
    return import_items(store, document_items(data))


def import_items(store: ImportStore, items: Iterable[Any]) -> ImportReport:
    """Add or update annotations from the items of a document (as `document_items` finds them).

    Items are read one at a time; everything is saved at the end in one
    `Store.add_annotations` (one atomic write per article), after the last item, so
    a document that turns out to be broken halfway adds nothing.
    """
    report = ImportReport()
    library = _Library(store)
    existing = _Existing(store)
    seen: set[str] = set()
    to_save: list[Annotation] = []
    texts: dict[str, tuple[str, str]] = {}
    for position, obj in enumerate(items, 1):
        item = parse_annotation(obj, position)
        del obj
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        label = annotation_iri(item.id)
        if item.id in seen:
            report.skipped.append(
                Skipped(label, "an earlier annotation in the file has the same id")
            )
            continue
        seen.add(item.id)
        article = library.find(item.source)
        if article is None:
            report.skipped.append(
                Skipped(label, f"no article in the library has the source {item.source}")
            )
            continue
        current = existing.get(article.id, item.id)
        if current is None and existing.owner(item.id) not in (None, article.id):
            report.skipped.append(
                Skipped(
                    label,
                    "an annotation with this id is already in the library on another article",
                )
            )
            continue
        if article.id not in texts:
            text = article.text
            texts[article.id] = (text, text_hash(text))
        text, digest = texts[article.id]
        placed = place(item, article, text, digest)
        if isinstance(placed, Skipped):
            report.skipped.append(placed)
            continue
        if current is not None:
            merged = merge(current, placed, item, text)
            if merged is current:
                report.unchanged += 1
            else:
                to_save.append(merged)
                report.updated += 1
            continue
        to_save.append(placed)
        if placed.orphan:
            report.orphaned += 1
        else:
            report.placed += 1
    if to_save:
        store.add_annotations(to_save)
    return report


def import_file(store: ImportStore, path: Path) -> ImportReport:
    """`import_items` on a JSON(-LD) file, read a chunk at a time (`stream_document`)."""
    return import_items(store, stream_document(path))

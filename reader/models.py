"""The core records every module shares: articles, annotations, feeds, corrections.

Plain dataclasses with no behaviour beyond what the text itself implies, so the
store, the library, export and the UI agree on one shape. All text is logical
Unicode; offsets are Python string indices into `Article.text`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

BlockKind = Literal["heading", "paragraph", "quote", "list_item"]
Direction = Literal["rtl", "ltr"]

#: Separator between blocks in `Article.text`; offsets count it as one character.
BLOCK_SEPARATOR = "\n"


def now_iso() -> str:
    """The current UTC time as records keep it (`created`, `updated`, `added`, exported-at):
    ISO 8601 to the second, `2026-01-31T12:00:00+00:00`."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def text_hash(text: str) -> str:
    """A short, stable hash of an article's logical text (sha256, 16 hex digits): what an
    annotation records of the text it was made on, and what recovery matches bodies by."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Block:
    """One block of an article body: a heading, paragraph, quote or list item."""

    kind: BlockKind
    text: str


@dataclass(slots=True)
class Article:
    """An article in the library, its body as logical-text blocks."""

    id: str
    """Stable id: derived from the source, so re-adding the same source finds it."""
    title: str
    source: str
    """File path or URL the article came from."""
    blocks: list[Block]
    author: str = ""
    published: str = ""
    """ISO 8601 date (or date-time) when known, else empty."""
    language: str = "ar"
    direction: Direction = "rtl"
    added: str = ""
    """ISO 8601 time the article entered the library."""
    feed_url: str = ""
    """The feed this article came from, if any."""
    entry_id: str = ""
    """The feed entry id (or link) used to detect duplicates."""
    read_at: str = ""
    """ISO 8601 time the article was (last) marked read; empty while it is unread. Records
    from before reading state existed have no such field and read as unread."""
    archived_at: str = ""
    """ISO 8601 time the article was archived (hidden from the library's default view, still
    searchable); empty when it is not. Records from before archiving have no such field and
    read as not archived, so they need no migration."""
    canonical_url: str = ""
    """The page's own address when it names one (`<link rel=canonical>`, `og:url`), normalised
    (reader.ingest.urls); with the source and entry id it tells a second arrival of the same
    story. Empty when unknown."""

    @property
    def read(self) -> bool:
        """Whether the article has been opened (or marked read)."""
        return bool(self.read_at)

    @property
    def archived(self) -> bool:
        """Whether the article is archived."""
        return bool(self.archived_at)

    @property
    def text(self) -> str:
        """The whole body as one logical string; annotation offsets index into it."""
        return BLOCK_SEPARATOR.join(block.text for block in self.blocks)

    def block_starts(self) -> list[int]:
        """Offset in `text` where each block starts."""
        starts: list[int] = []
        offset = 0
        for block in self.blocks:
            starts.append(offset)
            offset += len(block.text) + len(BLOCK_SEPARATOR)
        return starts


@dataclass(slots=True)
class ArticleSummary:
    """What the library list shows, without the body."""

    id: str
    title: str
    source: str
    published: str
    added: str
    highlights: int = 0
    direction: Direction = "rtl"
    feed_url: str = ""
    read_at: str = ""
    """When the article was marked read; empty while unread."""
    archived_at: str = ""
    """When the article was archived; empty when it is not."""

    @property
    def read(self) -> bool:
        """Whether the article has been opened (or marked read)."""
        return bool(self.read_at)

    @property
    def archived(self) -> bool:
        """Whether the article is archived (hidden from the library's default view)."""
        return bool(self.archived_at)


@dataclass(slots=True)
class Annotation:
    """A highlight (and optional note) anchored to a span of an article's text."""

    id: str
    article_id: str
    start: int
    end: int
    quote: str
    """The exact logical text of `article.text[start:end]` when it was made."""
    prefix: str = ""
    """Up to 32 characters before the quote, for re-anchoring."""
    suffix: str = ""
    """Up to 32 characters after the quote, for re-anchoring."""
    text_hash: str = ""
    """Hash of the article text the offsets refer to."""
    color: int = 1
    """Highlight colour, 1 to 5."""
    note: str = ""
    tags: list[str] = field(default_factory=list)
    created: str = ""
    updated: str = ""
    orphan: bool = False
    """True when re-anchoring could not place the quote in the current text."""


@dataclass(slots=True)
class Feed:
    """A subscribed RSS or Atom feed and what conditional GET needs."""

    url: str
    title: str = ""
    etag: str = ""
    modified: str = ""
    last_checked: str = ""
    seen: list[str] = field(default_factory=list)
    """Entry ids and links already imported."""
    folder: str = ""
    """The folder (category) the feed sits in, from an OPML import: nested folders' names
    outermost first, joined with "/" ("News/Arabic"); empty for none."""
    html_url: str = ""
    """The site the feed belongs to (OPML's htmlUrl), when known."""
    last_error: str = ""
    """Why the last refresh failed (one sentence); empty once a refresh succeeds."""


ENTITY_TYPE_LABELS: dict[str, str] = {
    "PERSON": "People",
    "ORG": "Organisations",
    "LOC": "Places",
    "MONEY": "Money",
    "DATE": "Dates",
    "MISC": "Other",
}
"""What each entity type is called in lists and exports, in the order they are shown."""


@dataclass(slots=True)
class EntityCorrection:
    """A reader's correction to entity extraction, applied to every article."""

    action: Literal["add", "retype", "merge", "rename", "hide"]
    name: str
    """The entity (canonical or surface name) the correction is about."""
    type: str = ""
    """The new or given type (PERSON, ORG, LOC, MONEY, DATE, MISC)."""
    target: str = ""
    """For merge: the entity to merge into; for rename: the new name."""
    id: str = ""
    created: str = ""

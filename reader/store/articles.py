"""Articles: their metadata in `library.json`, their bodies in content-addressed files."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reader.files import signature
from reader.models import Annotation, Article, ArticleSummary, now_iso
from reader.store.annotations import Annotations
from reader.store.bodies import Bodies
from reader.store.layout import Layout, shard_name
from reader.store.locking import WriteLock
from reader.store.records import article_doc, article_values, summary_from
from reader.store.recovery import Recovery

#: Fields of an article's record that the reader sets (not its source): re-adding the article
#: keeps them.
KEPT_STATE = ("read_at", "archived_at")


@dataclass(slots=True)
class RemovedArticle:
    """An article taken out of the library with everything that went with it: enough to put
    it back exactly (`Articles.restore`)."""

    article: Article
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ArticleIdentity:
    """What tells an article apart from another arriving (no body read): its addresses and
    the hash that names its body (the same text has the same hash)."""

    id: str
    title: str
    source: str
    entry_id: str
    canonical_url: str
    body: str


class Articles:
    """The library: one document per article in `library.json`, its body by hash."""

    def __init__(
        self,
        layout: Layout,
        lock: WriteLock,
        recovery: Recovery,
        bodies: Bodies,
        annotations: Annotations,
    ) -> None:
        self._layout = layout
        self._lock = lock
        self._recovery = recovery
        self._bodies = bodies
        self._annotations = annotations

    def _docs(self) -> dict[str, dict[str, Any]]:
        return self._recovery.valid_docs(self._layout.library, "articles", "article")

    def _article_from(self, doc: dict[str, Any]) -> Article:
        values = article_values(doc)
        label = f"'{values['title']}' (id {values['id']})"
        body = self._bodies.read(str(doc.get("body", "")), label)
        return Article(blocks=body, **values)

    def put_many(self, articles: Iterable[Article]) -> None:
        """Insert or replace articles (by id) in one write of the library index."""
        batch = list(articles)
        if not batch:
            return
        library = self._layout.library
        with self._lock.writing(library):
            docs = {a.id: article_doc(a, self._bodies.write(a.blocks)) for a in batch}
            table = library.keyed("articles")
            for key, doc in docs.items():
                # An updated article stays read (and archived): the reader's state is kept.
                if all(doc[name] for name in KEPT_STATE):
                    continue
                old = table.get_key(key)
                if old is None:
                    continue
                for name in KEPT_STATE:
                    if not doc[name] and isinstance(old.get(name), str):
                        doc[name] = old[name]
            table.put_many(docs)

    def set_read(self, article_id: str, read: bool) -> bool:
        """Mark an article read (now) or unread, changing only that field of its record.

        Records from before reading state have no `read_at` and read as unread, so they need
        no migration. Marking a read article read again keeps its first read time. False
        when the article is not in the library (deleted by another process).
        """
        library = self._layout.library
        with self._lock.writing(library):
            table = library.keyed("articles")
            doc = table.get_key(article_id)
            if doc is None:
                return False
            was = doc.get("read_at") or ""
            if bool(was) == read:
                return True
            table.put_key(article_id, {**doc, "read_at": now_iso() if read else ""})
        return True

    def set_archived(self, article_ids: Iterable[str], archived: bool) -> list[str]:
        """Archive (now) or unarchive articles in one write, changing only that field of each
        record; the ids found (the others were deleted meanwhile). Archiving an archived
        article keeps its first archive time."""
        wanted = list(dict.fromkeys(article_ids))
        library = self._layout.library
        found: list[str] = []
        with self._lock.writing(library):
            table = library.keyed("articles")
            changed: dict[str, dict[str, Any]] = {}
            stamp = now_iso()
            for key in wanted:
                doc = table.get_key(key)
                if doc is None:
                    continue
                found.append(key)
                if bool(doc.get("archived_at")) != archived:
                    changed[key] = {**doc, "archived_at": stamp if archived else ""}
            if changed:
                table.put_many(changed)
        return found

    def remove(self, article_ids: Iterable[str]) -> list[RemovedArticle]:
        """Take articles out of the library with their annotations, in one write of the
        library index; what was removed, to put back with `restore` (the ids not found are
        skipped). Bodies stay on disk until a backup sweep finds nothing naming them."""
        wanted = list(dict.fromkeys(article_ids))
        library = self._layout.library
        removed: list[RemovedArticle] = []
        with self._lock.writing(library):
            docs = self._docs()
            for key in wanted:
                doc = docs.get(key)
                if doc is None:
                    continue
                article = self._article_from(doc)
                removed.append(RemovedArticle(article, self._annotations.of(key)))
            for item in removed:
                self._annotations.delete_article(item.article.id)
            if removed:
                library.keyed("articles").remove_keys([item.article.id for item in removed])
        return removed

    def restore(self, removed: Iterable[RemovedArticle]) -> None:
        """Put removed articles back as they were: record, state, body and annotations."""
        items = list(removed)
        with self._lock.held():  # no other process sees an article without its notes
            self.put_many(item.article for item in items)
            self._annotations.add_many(a for item in items for a in item.annotations)

    def get(self, article_id: str) -> Article | None:
        """The article with its body, or None."""
        doc = self._docs().get(article_id)
        return None if doc is None else self._article_from(doc)

    def find(self, *, source: str | None = None, entry_id: str | None = None) -> Article | None:
        """The first article whose source (or feed entry id) matches, or None."""
        if source is None and entry_id is None:
            return None
        for doc in self._docs().values():
            if (source is not None and doc.get("source") == source) or (
                entry_id is not None and doc.get("entry_id") == entry_id
            ):
                return self._article_from(doc)
        return None

    def delete(self, article_id: str) -> None:
        """Remove an article and its annotations (its body goes at the next backup sweep)."""
        library = self._layout.library
        with self._lock.writing(library):
            self._annotations.delete_article(article_id)
            table = library.keyed("articles")
            if table.has_key(article_id):
                table.remove_keys([article_id])

    def summaries(self) -> list[ArticleSummary]:
        """Every article without its body, newest first (published, else added)."""
        counts = self._annotations.counts()
        summaries = [
            summary_from(key, doc, counts.get(key, 0)) for key, doc in self._docs().items()
        ]
        summaries.sort(key=lambda s: (s.published or s.added, s.added), reverse=True)
        return summaries

    def identities(self) -> list[ArticleIdentity]:
        """Every article's addresses and body hash, read from the library index alone."""
        return [
            ArticleIdentity(
                id=key,
                title=str(doc.get("title", "")),
                source=str(doc.get("source", "")),
                entry_id=str(doc.get("entry_id", "")),
                canonical_url=str(doc.get("canonical_url", "")),
                body=str(doc.get("body", "")),
            )
            for key, doc in self._docs().items()
        ]

    def count(self) -> int:
        """How many articles the library holds."""
        return len(self._layout.library.keyed("articles"))

    def body_hashes(self) -> set[str]:
        """The bodies the library names now (read as stored, without checking records)."""
        live = self._layout.library.atomic_storage.read() or {}
        return {str(doc.get("body", "")) for doc in live.get("articles", {}).values()}

    def stamps(self) -> dict[str, str]:
        """Per article id, a stamp that changes whenever its title, source, body or
        annotations change: read from the library index and the annotation files'
        signatures (inode, size, mtime), no body is read."""
        files: dict[str, str] = {}
        try:
            entries = list(os.scandir(self._layout.annotations_dir))
        except FileNotFoundError:
            entries = []
        for entry in entries:
            if entry.name.endswith(".json") and not entry.name.startswith("."):
                with contextlib.suppress(FileNotFoundError):
                    files[entry.name[:-5]] = ":".join(map(str, signature(entry.stat())))
        return {
            key: "\x1f".join(
                (
                    str(doc.get("body", "")),
                    str(doc.get("title", "")),
                    str(doc.get("source", "")),
                    files.get(shard_name(key), ""),
                )
            )
            for key, doc in self._docs().items()
        }

"""Subscribed feeds: `feeds.json`, one document per feed, keyed by url."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from reader.models import Feed
from reader.store.layout import Layout
from reader.store.locking import WriteLock
from reader.store.records import feed_from
from reader.store.recovery import Recovery


class Feeds:
    """The subscribed feeds."""

    def __init__(self, layout: Layout, lock: WriteLock, recovery: Recovery) -> None:
        self._layout = layout
        self._lock = lock
        self._recovery = recovery

    def _docs(self) -> dict[str, dict[str, Any]]:
        return self._recovery.valid_docs(self._layout.feeds, "feeds", "feed")

    def put(self, feed: Feed) -> None:
        """Insert or replace a feed (by url)."""
        db = self._layout.feeds
        with self._lock.writing(db):
            db.keyed("feeds").put_key(feed.url, asdict(feed))

    def add_new(self, feeds: Iterable[Feed]) -> list[Feed]:
        """Subscribe to those of `feeds` not subscribed yet (by url), in one write; the ones
        added, in order."""
        db = self._layout.feeds
        with self._lock.writing(db):
            table = db.keyed("feeds")
            fresh = {feed.url: feed for feed in feeds if not table.has_key(feed.url)}
            if fresh:
                table.put_many({url: asdict(feed) for url, feed in fresh.items()})
            return list(fresh.values())

    def update(self, url: str, change: Callable[[Feed], None]) -> Feed | None:
        """Apply `change` to the feed as saved now, under the lock; None if not subscribed."""
        db = self._layout.feeds
        with self._lock.writing(db):
            table = db.keyed("feeds")
            doc = table.get_key(url)
            if doc is None:
                return None
            feed = feed_from(doc)
            change(feed)
            feed.url = url
            table.put_key(url, asdict(feed))
            return feed

    def get(self, url: str) -> Feed | None:
        """The feed subscribed at `url`, or None."""
        doc = self._docs().get(url)
        return None if doc is None else feed_from(doc)

    def all(self) -> list[Feed]:
        """Every subscribed feed, by title then url."""
        feeds = [feed_from(doc) for doc in self._docs().values()]
        feeds.sort(key=lambda f: (f.title.casefold(), f.url))
        return feeds

    def remove(self, url: str) -> bool:
        """Unsubscribe; False when there was no such feed."""
        db = self._layout.feeds
        with self._lock.writing(db):
            table = db.keyed("feeds")
            if not table.has_key(url):
                return False
            table.remove_keys([url])
            return True

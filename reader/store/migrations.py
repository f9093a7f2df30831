"""Schema versions: which layout and record shapes a database has, and the steps forward.

A database records its version in the main file (`meta.schema`). Opening an older one
runs each step in MIGRATIONS under the write lock, after a backup; opening a newer one
turns the store read-only and leaves it untouched.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

from reader.models import Annotation, Article, Block, Feed
from reader.store.layout import Layout
from reader.store.locking import WriteLock
from reader.store.notices import Notices
from reader.store.records import (
    ARTICLE_FIELDS,
    annotation_from,
    correction_from,
    feed_from,
    pick,
)

#: The layout and record shapes this version writes. Bump it with a migration below.
SCHEMA_VERSION = 1


class Store(Protocol):
    """What a migration uses of `reader.store.database.Store`."""

    def make_backup(self) -> Path: ...

    def put_articles(self, articles: Iterable[Article]) -> None: ...

    def add_annotations(self, annotations: Iterable[Annotation]) -> None: ...

    def put_feed(self, feed: Feed) -> None: ...


def schema_version(layout: Layout) -> int:
    """The schema version recorded in the database (0 for a file from before versions)."""
    doc = layout.main.keyed("meta").get_key("schema")
    if doc is None:
        return 0
    version = doc.get("version", 0)
    return version if isinstance(version, int) else 0


def upgrade(store: Store, layout: Layout, lock: WriteLock, notices: Notices) -> None:
    """Run forward migrations, or go read-only for a newer schema (call under the lock
    when the database is older and writable)."""
    version = schema_version(layout)
    if version > SCHEMA_VERSION:
        notices.set_read_only(
            f"The database {layout.path} was written by a newer version of reader "
            f"(schema {version}, this version knows {SCHEMA_VERSION}), so it is open "
            "read-only and left unchanged."
        )
        return
    if notices.read_only or version == SCHEMA_VERSION:
        return
    if layout.path.exists():
        store.make_backup()  # the file as it was before migrating, in case a step fails
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](store, layout, lock)
        version += 1
        with lock.writing(layout.main):
            layout.main.keyed("meta").put_key("schema", {"version": version})


def _migrate_0_to_1(store: Store, layout: Layout, lock: WriteLock) -> None:
    """Schema 0 is a new or plain single-file TinyDB: move its tables into the sharded layout.

    A plain TinyDB JSONStorage file may hold `articles` (with `blocks`),
    `annotations`, `feeds`, `settings` ({key, value}) and `corrections` tables
    with TinyDB's integer ids; each document is re-keyed by its own id.
    """
    storage = layout.main.atomic_storage
    data = storage.read() or {}
    legacy = {name: data.get(name, {}) for name in ("articles", "annotations", "feeds")}
    old_settings = data.get("settings", {})
    old_corrections = data.get("corrections", {})
    articles = []
    for doc in legacy["articles"].values():
        blocks = [Block(kind, text) for kind, text in doc.get("blocks", [])]
        articles.append(Article(blocks=blocks, **pick(doc, ARTICLE_FIELDS)))
    store.put_articles(articles)
    if not layout.library.atomic_storage.exists:
        # A new database gets its library file now: once it exists, its absence means it was
        # lost (bodies are written before the library names them, so a writer killed in
        # between must not look like a lost library).
        with lock.writing(layout.library):
            layout.library.keyed("articles").put_many({})
    store.add_annotations(annotation_from(doc) for doc in legacy["annotations"].values())
    for doc in legacy["feeds"].values():
        store.put_feed(feed_from(doc))
    with lock.writing(layout.main):
        current = storage.read() or {}
        for name in ("articles", "annotations", "feeds"):
            current.pop(name, None)
        settings = {}
        for key, doc in old_settings.items():
            if isinstance(doc, dict) and "key" in doc:
                settings[str(doc["key"])] = {"value": doc.get("value")}
            elif isinstance(doc, dict):
                settings[str(key)] = {"value": doc.get("value")}
        current["settings"] = settings
        corrections = {}
        for doc in old_corrections.values():
            correction = correction_from(doc)
            correction.id = correction.id or uuid.uuid4().hex
            corrections[correction.id] = asdict(correction)
        current["corrections"] = corrections
        current.setdefault("meta", {})["schema"] = {"version": 1}  # same write: no half-done step
        storage.write(current)


#: MIGRATIONS[n] turns a schema-n database into schema n+1, in place, under the lock.
MIGRATIONS: dict[int, Callable[[Store, Layout, WriteLock], None]] = {0: _migrate_0_to_1}

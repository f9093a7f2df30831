"""The one place user data lives: library, annotations, feeds, settings, entity corrections.

`Store` is the door every caller uses; it composes the parts of `reader.store`, one job each:

    layout       where each kind of record lives (files, folders, TinyDB handles)
    storage      TinyDB through its Storage extension point: cached reads, atomic writes
    locking      the write lock every read-modify-write takes (portable, via `filelock`)
    notices      what the store tells the user; read-only state
    records      records <-> the JSON documents the files hold
    articles, annotations, feeds, settings   one repository per kind of record
    bodies       article bodies, content-addressed; collected when nothing names them
    counts       the annotation counts cache that keeps listing the library cheap
    backups      rolling backups, hard-linking unchanged files
    migrations   schema versions and the steps forward
    salvage, recovery   reading what is left of a damaged file; repairing in place

Every write is atomic (`reader.files.atomic_write`: temp file, fsync, `os.replace`,
folder fsync) and done under the lock after re-reading any file another process
changed, so two `reader` processes lose none of each other's writes. Reads need no
lock and cost one `stat` while a file is unchanged.

Damage is looked for at open (`reader.store.recovery`): a file that does not load
is kept aside as `NAME.corrupt-YYYYmmdd-HHMMSS`, restored from the newest good
backup with every record still readable in it merged back, and `Store.messages`
(then `Store.on_message`, for damage found later) says so in one sentence.
A database written by a newer schema is opened read-only (every write raises
StoreError) and left untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from reader.files import TMP_SUFFIX, signature
from reader.models import Annotation, Article, ArticleSummary, EntityCorrection, Feed
from reader.paths import resolve_db_path
from reader.store.annotations import Annotations
from reader.store.articles import ArticleIdentity, Articles, RemovedArticle
from reader.store.backups import Backups
from reader.store.bodies import Bodies
from reader.store.counts import SETTLED_NS, CountsCache
from reader.store.errors import (
    READ_ONLY_ERRNOS,
    CorruptFileError,
    StoreBusyError,
    StoreError,
    size_text,
)
from reader.store.feeds import Feeds
from reader.store.layout import Layout, shard_name
from reader.store.locking import WriteLock
from reader.store.migrations import SCHEMA_VERSION, schema_version, upgrade
from reader.store.notices import Notices
from reader.store.recovery import Recovery
from reader.store.settings import Corrections, Settings

__all__ = [
    "MIN_FREE_ENV",
    "SCHEMA_VERSION",
    "ArticleIdentity",
    "ChangeStamp",
    "RemovedArticle",
    "Store",
    "StoreBusyError",
    "StoreError",
    "shard_name",
]

#: Environment variable overriding `Store.min_free_bytes`.
MIN_FREE_ENV = "READER_MIN_FREE_BYTES"


@dataclass(frozen=True, slots=True)
class ChangeStamp:
    """Stamps of the parts of a database another process may change.

    Files are replaced on every write (a new inode), so their (inode, size, mtime_ns) always
    changes. The annotations folder's (inode, mtime_ns) changes whenever a file is written
    into it, but two writes within one tick of the file system's clock leave the same mtime:
    a folder changed less than `SETTLED_NS` ago has no stamp (None), which never compares
    equal, so a change made just then is not missed.
    """

    library: tuple[int, int, int] | None
    feeds: tuple[int, int, int] | None
    annotations: tuple[int, int] | None

    def same_library(self, other: ChangeStamp | None) -> bool:
        """Whether the library list (articles and their highlight counts) is unchanged."""
        return (
            other is not None
            and self.library == other.library
            and self.annotations is not None
            and self.annotations == other.annotations
        )


def _file_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        return signature(os.stat(path))
    except OSError:
        return None


def _folder_stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if time.time_ns() - stat.st_mtime_ns < SETTLED_NS:
        return None
    return (stat.st_ino, stat.st_mtime_ns)


class Store:
    """The reader's database: open it, call the methods, close it (or use `with`).

    `path` is the main file and `folder` (`path` + ".d") holds the rest.
    `messages` collects one-sentence notices for the UI/CLI: damaged files moved
    aside and restored, a newer schema or a read-only folder. `read_only` is True
    after either of the last two; every write then raises StoreError.
    Safe to share between threads; several processes may open the same database.
    """

    #: How long to wait for another process's write before giving up with a StoreError.
    lock_timeout_seconds: float = 15.0

    #: Make a rolling backup on open when the newest one is older than this.
    backup_interval_seconds: float = 3600.0
    #: How many rolling backups to keep.
    backups_kept: int = 3
    #: Below this much free space on the disk the database opens read-only (it is full).
    min_free_bytes: int = 64 * 1024

    def __init__(self, path: Path) -> None:
        """Use `Store.open`; this only sets up the parts."""
        # One re-entrant lock for this process's threads, shared by every TinyDB file.
        thread_lock = threading.RLock()
        self._layout = layout = Layout(path, thread_lock)
        self._notices = notices = Notices(thread_lock)
        self._lock = lock = WriteLock(
            layout.lock_file,
            path,
            thread_lock,
            timeout=lambda: self.lock_timeout_seconds,
            unavailable=notices.unavailable,
        )
        counts = CountsCache(layout.counts_file, thread_lock)
        self._backups = Backups(layout, lock, notices)
        self._recovery = recovery = Recovery(layout, lock, notices, self._backups, counts)
        layout.on_corrupt = recovery.recover
        self._bodies = Bodies(layout)
        self._annotations = Annotations(layout, lock, notices, recovery, counts)
        self._articles = Articles(layout, lock, recovery, self._bodies, self._annotations)
        self._feeds = Feeds(layout, lock, recovery)
        self._settings = Settings(layout, lock)
        self._corrections = Corrections(layout, lock, recovery)

    # -- opening and closing -----------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None) -> Store:
        """Open (creating if needed) the database at `path`, default `resolve_db_path()`."""
        store = cls(resolve_db_path(path) if path is None else Path(path).expanduser())
        store._open()
        return store

    @property
    def path(self) -> Path:
        """The main database file."""
        return self._layout.path

    @property
    def folder(self) -> Path:
        """The folder beside it that holds the rest (`path` + ".d")."""
        return self._layout.folder

    @property
    def annotations_dir(self) -> Path:
        """The folder of per-article annotation files."""
        return self._layout.annotations_dir

    @property
    def bodies_dir(self) -> Path:
        """The folder of content-addressed article bodies."""
        return self._layout.bodies_dir

    @property
    def backups_dir(self) -> Path:
        """The folder of rolling backups."""
        return self._layout.backups_dir

    @property
    def messages(self) -> list[str]:
        """One-sentence notices for the user, oldest first."""
        return self._notices.messages

    @property
    def on_message(self) -> Callable[[str], None] | None:
        """Called with each message added after opening (damage found on a later read)."""
        return self._notices.on_message

    @on_message.setter
    def on_message(self, listener: Callable[[str], None] | None) -> None:
        self._notices.on_message = listener

    @property
    def read_only(self) -> bool:
        """Whether every write raises StoreError (newer schema, read-only folder, full disk)."""
        return self._notices.read_only

    def _open(self) -> None:
        layout, notices = self._layout, self._notices
        if self.path.is_dir():
            raise StoreError(f"The database path {self.path} is a folder, not a database file.")
        try:
            for folder in (self.path.parent, layout.annotations_dir, layout.bodies_dir):
                folder.mkdir(parents=True, exist_ok=True)
            self._lock.open()
        except OSError as error:
            if error.errno not in READ_ONLY_ERRNOS:
                raise StoreError(
                    f"Cannot open the database {self.path}: {error.strerror}."
                ) from error
            if not self.path.exists():
                raise StoreError(
                    f"Cannot create the database {self.path} because the folder is read-only."
                ) from error
            notices.set_read_only(
                f"The database {self.path} is in a read-only folder, so it is open read-only "
                "and nothing can be saved."
            )
        try:
            if not notices.read_only:
                self._check_free_space()
                self._recovery.restore_missing()  # before anything is read
            if notices.read_only or self.schema_version() >= SCHEMA_VERSION:
                self._upgrade()  # no write: a newer schema only turns read-only
            else:
                with self._lock.held():  # a migration writes: wait for the lock like any write
                    self._upgrade()
            if not notices.read_only:
                self._housekeeping()
            self._recovery.check_at_open()
            self._annotations.counts()
        except CorruptFileError as error:
            raise StoreError(
                f"The database file {error.path} is damaged: {error.reason}."
            ) from error
        except OSError as error:
            raise StoreError(
                f"Cannot open the database {self.path}: {error.strerror or error}."
            ) from error

    def _upgrade(self) -> None:
        upgrade(self, self._layout, self._lock, self._notices)

    def close(self) -> None:
        """Release the lock file; the store must not be used afterwards."""
        self._lock.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _check_free_space(self) -> None:
        """Open read-only, saying why, when the disk has less than `min_free_bytes` free.

        `READER_MIN_FREE_BYTES` overrides the threshold (tests simulate a full disk with it).
        """
        threshold = self.min_free_bytes
        with contextlib.suppress(ValueError):
            threshold = int(os.environ.get(MIN_FREE_ENV, threshold))
        try:
            free = shutil.disk_usage(self.folder).free
        except OSError:
            return
        if free < threshold:
            self._notices.set_read_only(
                f"The disk holding {self.path} is full ({size_text(free)} free), so the "
                "database is open read-only: you can read, but nothing can be saved until you "
                "free some space."
            )

    def _housekeeping(self) -> None:
        """Sweep temp files of killed writers and make a due backup, only if the lock is free.

        Opening never waits for another process: when it holds the lock, this is skipped
        and done by a later open.
        """
        if not self._lock.acquire(wait=False):
            return
        try:
            self._sweep_temporary_files()
            if self._backups.due(self.backup_interval_seconds) and self.path.exists():
                try:
                    self.make_backup()
                except OSError as error:
                    self._notices.messages.append(
                        f"Could not make a backup in {self.backups_dir}: {error.strerror or error}."
                    )
        finally:
            self._lock.release()

    def _sweep_temporary_files(self) -> None:
        """Remove temp files left by killed writers (safe: writers hold the lock)."""
        layout = self._layout
        prefix = f".{self.path.name}."
        candidates = [p for p in self.path.parent.glob(prefix + "*") if p.name.endswith(TMP_SUFFIX)]
        for folder in (layout.folder, layout.annotations_dir, layout.bodies_dir):
            candidates.extend(folder.glob(".*" + TMP_SUFFIX))
        for candidate in candidates:
            with contextlib.suppress(OSError):
                candidate.unlink()
        for staging in layout.backups_dir.glob(".staging-*"):
            shutil.rmtree(staging, ignore_errors=True)

    # -- locking, schema, backups ------------------------------------------------------------

    @contextlib.contextmanager
    def without_waiting(self) -> Iterator[None]:
        """Writes on this thread inside the block raise StoreBusyError at once, rather than
        wait, while another process holds the lock (the UI tries this, then saves in a worker).
        """
        with self._lock.without_waiting():
            yield

    def schema_version(self) -> int:
        """The schema version recorded in the database (0 for a file from before versions)."""
        return schema_version(self._layout)

    def make_backup(self) -> Path:
        """Copy every database file except bodies into a new backup folder, prune old ones,
        and delete the bodies that neither the library nor any backup names any more."""
        with self._lock.held():
            final = self._backups.make(self.backups_kept)
            named = self._backups.library_bodies(strict=True)
            if named is not None:  # be safe: collect nothing while a library copy is unreadable
                named |= self._articles.body_hashes()
                named |= self._recovery.kept_body_references()
                self._bodies.collect(named)
            return final

    # -- articles ----------------------------------------------------------------------------

    def put_article(self, article: Article) -> None:
        """Insert or replace an article (by id); its body goes to a content-addressed file."""
        self._articles.put_many([article])

    def put_articles(self, articles: Iterable[Article]) -> None:
        """Insert or replace many articles in one write of the library index."""
        self._articles.put_many(articles)

    def get_article(self, article_id: str) -> Article | None:
        """The article with its body, or None."""
        return self._articles.get(article_id)

    def find_article(
        self, *, source: str | None = None, entry_id: str | None = None
    ) -> Article | None:
        """The first article whose source (or feed entry id) matches, or None."""
        return self._articles.find(source=source, entry_id=entry_id)

    def delete_article(self, article_id: str) -> None:
        """Remove an article and its annotations (its body goes at the next backup sweep)."""
        self._articles.delete(article_id)

    def remove_articles(self, article_ids: Iterable[str]) -> list[RemovedArticle]:
        """Take articles out of the library with their annotations (one write of the library
        index); what was removed, kept by the caller to undo with `restore_articles`. Ids not
        in the library are skipped."""
        return self._articles.remove(article_ids)

    def restore_articles(self, removed: Iterable[RemovedArticle]) -> None:
        """Put removed articles back exactly as they were: record, read and archived state,
        body and annotations."""
        self._articles.restore(removed)

    def set_archived(self, article_ids: Iterable[str], archived: bool = True) -> list[str]:
        """Archive (now) or unarchive articles, changing only that field of each record (one
        write); the ids that were in the library."""
        return self._articles.set_archived(article_ids, archived)

    def set_read(self, article_id: str, read: bool = True) -> bool:
        """Mark an article read (now) or unread, changing only that field of its record;
        False when it is not in the library."""
        return self._articles.set_read(article_id, read)

    def list_articles(self) -> list[ArticleSummary]:
        """Every article without its body, newest first (published, else added)."""
        return self._articles.summaries()

    def unread_by_feed(self) -> dict[str, int]:
        """Per feed URL, how many of its articles are unread; archived ones are not counted
        (they are out of the reader's list until unarchived)."""
        counts: dict[str, int] = {}
        for summary in self._articles.summaries():
            if summary.feed_url and not summary.read and not summary.archived:
                counts[summary.feed_url] = counts.get(summary.feed_url, 0) + 1
        return counts

    def article_stamps(self) -> dict[str, str]:
        """Per article id, a stamp that changes whenever the article's title, source, body
        or annotations change (for indexes kept beside the store, such as search's)."""
        return self._articles.stamps()

    def article_identities(self) -> list[ArticleIdentity]:
        """Every article's addresses and body hash (no body read), to recognise an article
        that arrives a second time under another id."""
        return self._articles.identities()

    def change_stamp(self) -> ChangeStamp:
        """What changes whenever any process changes the library, the feeds or any
        annotation: a few `stat` calls, no file read (the app compares it on a timer)."""
        layout = self._layout
        return ChangeStamp(
            library=_file_stamp(layout.library.atomic_storage.path),
            feeds=_file_stamp(layout.feeds.atomic_storage.path),
            annotations=_folder_stamp(layout.annotations_dir),
        )

    def annotations_stamp(self, article_id: str) -> tuple[int, int, int] | None:
        """The signature of one article's annotation file (None when it has none): it changes
        whenever any process saves an annotation of that article."""
        return _file_stamp(self._layout.annotations_dir / f"{shard_name(article_id)}.json")

    def article_count(self) -> int:
        """How many articles the library holds."""
        return self._articles.count()

    # -- annotations -------------------------------------------------------------------------

    def add_annotation(self, annotation: Annotation) -> None:
        """Save a new annotation (the caller sets its id); replaces one with the same id."""
        self._annotations.add(annotation)

    def add_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Save many annotations: one lock, one write per article (imports, migrations)."""
        self._annotations.add_many(annotations)

    def update_annotation(self, annotation: Annotation) -> None:
        """Save changes to an annotation (its note, colour, tags, anchor...)."""
        self._annotations.update(annotation)

    def update_annotation_fields(self, base: Annotation, **changes: Any) -> Annotation:
        """Change some fields of a saved annotation, leaving every other field as stored.

        `base` is the caller's copy (what it showed the user). Under the lock the record
        is read again and only `changes` are applied, so a note another process saved
        meanwhile is kept when this one recolours. A changed field that another process
        also changed, to something else, since `base` is refused with a StoreError, as is
        an annotation deleted meanwhile. Returns the annotation as saved.
        """
        return self._annotations.update_fields(base, **changes)

    def delete_annotation(self, annotation_id: str) -> Annotation | None:
        """Remove an annotation; returns what was removed, or None if it was not there."""
        return self._annotations.delete(annotation_id)

    def annotations_for(self, article_id: str) -> list[Annotation]:
        """An article's annotations, ordered by where they start."""
        return self._annotations.of(article_id)

    def get_annotation(self, article_id: str, annotation_id: str) -> Annotation | None:
        """One annotation of an article by id, without building the article's others
        (an import looks up each of its annotations: a million would be a second copy)."""
        return self._annotations.get(article_id, annotation_id)

    def annotation_counts(self) -> dict[str, int]:
        """Annotations per article id, articles without any left out (kept counts: while no
        annotation file changed, a folder `stat`)."""
        return self._annotations.counts()

    def all_annotations(self) -> list[Annotation]:
        """Every annotation in the library, grouped by article, each ordered by start."""
        return self._annotations.all()

    # -- feeds -------------------------------------------------------------------------------

    def put_feed(self, feed: Feed) -> None:
        """Insert or replace a feed (by url)."""
        self._feeds.put(feed)

    def add_feeds(self, feeds: Iterable[Feed]) -> list[Feed]:
        """Subscribe to those of `feeds` not subscribed yet (by url), under one lock and in one
        write (an OPML import of hundreds); the ones added, in order."""
        return self._feeds.add_new(feeds)

    def update_feed(self, url: str, change: Callable[[Feed], None]) -> Feed | None:
        """Apply `change` to the feed as saved now, under the lock; None if not subscribed.

        A refresh takes long; the feed is read again when it is saved, so an unsubscribe
        (or another refresh) in the meantime is not undone.
        """
        return self._feeds.update(url, change)

    def get_feed(self, url: str) -> Feed | None:
        """The feed subscribed at `url`, or None."""
        return self._feeds.get(url)

    def list_feeds(self) -> list[Feed]:
        """Every subscribed feed, by title then url."""
        return self._feeds.all()

    def remove_feed(self, url: str) -> bool:
        """Unsubscribe; False when there was no such feed."""
        return self._feeds.remove(url)

    # -- settings and entity corrections -----------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A saved setting (JSON value), or `default`."""
        return self._settings.get(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        """Save a JSON-serialisable setting (reading positions use "position:<article id>")."""
        self._settings.set(key, value)

    def update_setting(self, key: str, change: Callable[[Any], Any], default: Any = None) -> Any:
        """Save `change(the setting as saved now, or default)` under the write lock and return
        it, so that a list or count kept in a setting loses no other process's change."""
        return self._settings.update(key, change, default)

    def add_entity_correction(self, correction: EntityCorrection) -> None:
        """Save a correction, giving it an id and creation time when it has none."""
        self._corrections.add(correction)

    def entity_corrections(self) -> list[EntityCorrection]:
        """Every correction, oldest first (they apply in order)."""
        return self._corrections.all()

    def remove_entity_correction(self, correction_id: str) -> bool:
        """Forget a correction; False when there was no such correction."""
        return self._corrections.remove(correction_id)

"""Where a database's records live: its files and folders, and the TinyDB file of each kind.

reader.json              meta (schema_version), settings, entity corrections
reader.json.d/
    library.json         article metadata, one document per article (no bodies)
    feeds.json           subscribed feeds
    annotations/ID.json  one small TinyDB per article with annotations
    bodies/SHA256.json   article bodies, content-addressed, written once
    backups/STAMP/       rolling copies of everything except bodies
    counts-cache.json    annotation counts per file (a hint, rebuilt when wrong)
    set-aside.json       records with fields of the wrong type, taken out
    lock                 the write lock (`reader.store.locking`)
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from reader.store.errors import CorruptFileError
from reader.store.storage import KeyedTinyDB, open_tinydb

_SAFE_NAME = re.compile(r"[a-z0-9_-]{1,100}")

#: Which kind of record each table of each database file holds.
MAIN_TABLES = {"meta": "any", "settings": "setting", "corrections": "correction"}
LIBRARY_TABLES = {"articles": "article"}
FEEDS_TABLES = {"feeds": "feed"}
ANNOTATION_TABLES = {"annotations": "annotation"}


def shard_name(article_id: str) -> str:
    """The annotation file name for an article: its id when filename-safe, else a hash."""
    if _SAFE_NAME.fullmatch(article_id):
        return article_id
    return "~" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:40]


class Layout:
    """The paths of one database and its TinyDB files, opened lazily per article.

    `on_corrupt(path)` is called when a file does not load (the store sets it to
    `Recovery.recover`; without it CorruptFileError propagates). Every TinyDB file
    shares `thread_lock` with the rest of the store.
    """

    def __init__(self, path: Path, thread_lock: threading.RLock) -> None:
        self.path = path
        self.folder = path.with_name(path.name + ".d")
        self._thread_lock = thread_lock
        self.on_corrupt: Callable[[Path], None] | None = None
        self.main = self._tinydb(path)
        self.library = self._tinydb(self.folder / "library.json")
        self.feeds = self._tinydb(self.folder / "feeds.json")
        self._shards: dict[str, KeyedTinyDB] = {}

    def _tinydb(self, path: Path) -> KeyedTinyDB:
        return open_tinydb(path, self.recover, self._thread_lock)

    def recover(self, path: Path) -> None:
        """Repair `path`, which does not load, with `on_corrupt`."""
        if self.on_corrupt is None:
            raise CorruptFileError(path, "not a TinyDB database")
        self.on_corrupt(path)

    @property
    def annotations_dir(self) -> Path:
        """The folder of per-article annotation files."""
        return self.folder / "annotations"

    @property
    def bodies_dir(self) -> Path:
        """The folder of content-addressed article bodies."""
        return self.folder / "bodies"

    @property
    def backups_dir(self) -> Path:
        """The folder of rolling backups."""
        return self.folder / "backups"

    @property
    def lock_file(self) -> Path:
        """The file every write locks."""
        return self.folder / "lock"

    @property
    def counts_file(self) -> Path:
        """The annotation counts cache."""
        return self.folder / "counts-cache.json"

    @property
    def set_aside_file(self) -> Path:
        """Where records with fields of the wrong type are kept once taken out."""
        return self.folder / "set-aside.json"

    def shard(self, name: str) -> KeyedTinyDB:
        """The annotation file `name` (see `shard_name`), opened on first use."""
        db = self._shards.get(name)
        if db is None:
            db = self._tinydb(self.annotations_dir / f"{name}.json")
            self._shards[name] = db
        return db

    def shard_names(self) -> list[str]:
        """The names of the annotation files on disk."""
        try:
            return [
                entry.name[:-5]
                for entry in os.scandir(self.annotations_dir)
                if entry.name.endswith(".json") and not entry.name.startswith(".")
            ]
        except FileNotFoundError:
            return []

    def all_dbs(self) -> list[KeyedTinyDB]:
        """Every TinyDB file of this database opened so far."""
        return [self.main, self.library, self.feeds, *self._shards.values()]

    def tables_of(self, path: Path) -> tuple[dict[str, str], str]:
        """The tables (name -> record kind) a database file holds, and what it is called."""
        if path == self.path:
            return MAIN_TABLES, "setting"
        if path.name == "library.json" and path.parent == self.folder:
            return LIBRARY_TABLES, "article"
        if path.name == "feeds.json" and path.parent == self.folder:
            return FEEDS_TABLES, "feed"
        return ANNOTATION_TABLES, "annotation"

    def backup_relpath(self, path: Path) -> Path:
        """Where `path` sits inside a backup folder."""
        if path == self.path:
            return Path("db.json")
        return Path("d") / path.relative_to(self.folder)

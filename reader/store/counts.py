"""The annotation counts cache: how many highlights each annotation file holds.

`counts-cache.json` remembers, per annotation file, the signature it had and its
article id and count, so listing the library does not parse files that did not
change. It is only a hint: written without fsync, rebuilt when damaged or wrong.
Recovery also reads it to say how many highlights a damaged file held.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

from reader.files import atomic_write
from reader.store.errors import CorruptFileError
from reader.store.storage import encode_json, read_json_file

#: Per annotation file name: [inode, size, mtime_ns, article id, count].
Counts = dict[str, list[Any]]


class CountsCache:
    """The cache file, read once and kept in memory while this store is open."""

    def __init__(self, path: Path, thread_lock: threading.RLock) -> None:
        self.path = path
        #: Held while the cache is read or rebuilt (the store's thread lock).
        self.lock = thread_lock
        self._counts: Counts | None = None

    def hint(self) -> Counts:
        """The cache as last read or written (what recovery compares a damaged file against)."""
        with self.lock:
            if self._counts is None:
                try:
                    loaded = read_json_file(self.path)
                except (CorruptFileError, OSError):
                    loaded = None
                self._counts = loaded[0] if loaded and isinstance(loaded[0], dict) else {}
            return self._counts

    def article_of(self, name: str) -> str | None:
        """The article id the cache names for annotation file `name`, if it knows it."""
        entry = self.hint().get(name)
        return str(entry[3]) if is_entry(entry) and entry is not None else None

    def replace(self, fresh: Counts, *, save: bool) -> None:
        """Remember `fresh`, and write it when it changed and `save` (best effort)."""
        with self.lock:
            if fresh == self.hint():
                return
            self._counts = fresh
            if save:
                with contextlib.suppress(OSError):
                    atomic_write(self.path, encode_json(fresh), durable=False)


def is_entry(value: Any) -> bool:
    """Whether a cache value has the shape [inode, size, mtime_ns, article id, count]."""
    return isinstance(value, list) and len(value) == 5

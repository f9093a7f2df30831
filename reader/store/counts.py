"""The annotation counts cache: how many highlights each annotation file holds.

`counts-cache.json` remembers, per annotation file, the signature it had and its
article id and count, so listing the library does not parse files that did not
change. It is only a hint: written without fsync, rebuilt when damaged or wrong.
Recovery also reads it to say how many highlights a damaged file held.

It also remembers the annotations folder's own stamp (inode and mtime) when every
file in it was checked: every write of an annotation file is a rename into the
folder, which changes the folder's mtime, so while the stamp is the same no file
needs even a `stat` (10,000 of them cost a listing 40-80 ms). A stamp is only kept
when the folder had not changed for `SETTLED_NS` before the check began, so two
writes within one tick of the file system's clock cannot hide behind it.
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

#: The annotations folder's stamp: (inode, mtime_ns).
FolderStamp = tuple[int, int]

#: The key the folder's stamp is kept under in the file (no annotation file has a "/").
FOLDER_KEY = "/folder"

#: How long the folder must have been unchanged before a check for its stamp to be kept
#: (file system clocks tick coarsely: two renames within one tick leave the same mtime).
SETTLED_NS = 2_000_000_000


class CountsCache:
    """The cache file, read once and kept in memory while this store is open."""

    def __init__(self, path: Path, thread_lock: threading.RLock) -> None:
        self.path = path
        #: Held while the cache is read or rebuilt (the store's thread lock).
        self.lock = thread_lock
        self._counts: Counts | None = None
        self._folder: FolderStamp | None = None

    def hint(self) -> Counts:
        """The cache as last read or written (what recovery compares a damaged file against)."""
        with self.lock:
            if self._counts is None:
                try:
                    loaded = read_json_file(self.path)
                except (CorruptFileError, OSError):
                    loaded = None
                counts = dict(loaded[0]) if loaded and isinstance(loaded[0], dict) else {}
                folder = counts.pop(FOLDER_KEY, None)
                if (
                    isinstance(folder, list)
                    and len(folder) == 2
                    and all(isinstance(n, int) and not isinstance(n, bool) for n in folder)
                ):
                    self._folder = (folder[0], folder[1])
                self._counts = counts
            return self._counts

    def folder_stamp(self) -> FolderStamp | None:
        """The annotations folder's stamp when every file in it was last checked, if kept."""
        with self.lock:
            self.hint()
            return self._folder

    def article_of(self, name: str) -> str | None:
        """The article id the cache names for annotation file `name`, if it knows it."""
        entry = self.hint().get(name)
        return str(entry[3]) if is_entry(entry) and entry is not None else None

    def replace(self, fresh: Counts, *, folder: FolderStamp | None = None, save: bool) -> None:
        """Remember `fresh` (and the folder's stamp when every file was checked against a
        settled folder), and write them when they changed and `save` (best effort)."""
        with self.lock:
            if fresh == self.hint() and folder == self._folder:
                return
            self._counts = fresh
            self._folder = folder
            if save:
                document: dict[str, Any] = dict(fresh)
                if folder is not None:
                    document[FOLDER_KEY] = list(folder)
                with contextlib.suppress(OSError):
                    atomic_write(self.path, encode_json(document), durable=False)


def is_entry(value: Any) -> bool:
    """Whether a cache value has the shape [inode, size, mtime_ns, article id, count]."""
    return isinstance(value, list) and len(value) == 5

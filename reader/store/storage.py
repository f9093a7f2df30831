"""A TinyDB Storage that writes atomically and re-reads only when the file changed.

TinyDB's own JSONStorage rewrites the file in place (a crash mid-write leaves
half a file) and re-parses it on every query. `AtomicJSONStorage` plugs into
TinyDB's extension point instead:

- every write is `reader.files.atomic_write` (temporary file, fsync, `os.replace`,
  folder fsync);
- the parsed data is cached and reused while the file's signature (inode,
  size, nanosecond mtime) is unchanged, so reads cost one `stat`;
- inside `batch()` several TinyDB operations become one write.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import msgspec
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from reader.files import Signature, atomic_write, fsync_dir, signature
from reader.store.errors import CorruptFileError

Data = dict[str, dict[str, Any]]


def encode_json(value: Any) -> bytes:
    """Compact UTF-8 JSON: Arabic stays readable and half the size of \\u escapes.

    msgspec writes the same bytes as `json.dumps(ensure_ascii=False, separators=(",", ":"))`
    about ten times faster (a 5 MB annotation file: 150 -> 14 ms), which keeps a save
    within 50 ms however many annotations an article has; the standard library takes what
    msgspec refuses (NaN, lone surrogates...), as before.
    """
    try:
        return msgspec.json.encode(value)
    except (TypeError, ValueError, OverflowError, UnicodeError):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_json(raw: bytes) -> Any:
    """Parse JSON bytes (msgspec, else the standard library for what only it accepts, such
    as NaN); ValueError when neither can."""
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return json.loads(raw)


def is_tinydb_data(value: Any) -> bool:
    """Whether a parsed file has TinyDB's shape: an object of tables, each an object."""
    return isinstance(value, dict) and all(isinstance(table, dict) for table in value.values())


def read_json_file(path: Path) -> tuple[Any, Signature] | None:
    """Parse `path` and return (value, signature), or None when it does not exist.

    Raises CorruptFileError when the bytes are not valid UTF-8 JSON.
    """
    try:
        with open(path, "rb") as handle:
            sig = signature(os.fstat(handle.fileno()))
            raw = handle.read()
    except FileNotFoundError:
        return None
    try:
        return decode_json(raw), sig
    except (UnicodeDecodeError, ValueError) as error:
        raise CorruptFileError(path, f"not valid JSON ({error})") from error


def read_object(path: Path) -> dict[str, Any]:
    """The JSON object in `path`, or {} when it is missing, unreadable or not an object."""
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def read_records(path: Path, table: str) -> dict[str, Any]:
    """The records of `table` in the TinyDB file `path`, or {} (see `read_object`)."""
    records = read_object(path).get(table, {})
    return records if isinstance(records, dict) else {}


class AtomicJSONStorage(Storage):
    """TinyDB storage: cached reads, atomic fsynced writes, optional batching.

    `on_corrupt(path)` is called when the file is not a JSON object; it should
    move the file aside (and maybe restore a backup) and return, after which the
    file is read again. Without it, CorruptFileError propagates.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        on_corrupt: Callable[[Path], None] | None = None,
        mutex: threading.RLock | None = None,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self._on_corrupt = on_corrupt
        self._data: Data | None = None
        self._sig: Signature | None = None
        self._batch_depth = 0
        self._dirty = False
        # Shared with the owner (the Store) so its lock and ours can never be taken in two orders.
        self._mutex = mutex if mutex is not None else threading.RLock()

    # -- reading -----------------------------------------------------------------------------

    def _current_sig(self) -> Signature | None:
        try:
            return signature(os.stat(self.path))
        except FileNotFoundError:
            return None

    def _load(self) -> None:
        """Parse the file into the cache (recovering a corrupt file once per attempt)."""
        for _attempt in range(8):
            try:
                loaded = read_json_file(self.path)
                if loaded is not None and not is_tinydb_data(loaded[0]):
                    raise CorruptFileError(self.path, "not a TinyDB database")
            except CorruptFileError:
                if self._on_corrupt is None:
                    raise
                self._on_corrupt(self.path)
                continue
            if loaded is None:
                self._data, self._sig = None, None
            else:
                self._data, self._sig = loaded[0], loaded[1]
            return
        raise CorruptFileError(self.path, "still damaged after recovery")

    def refresh(self) -> None:
        """Re-read the file if its signature changed since we last read or wrote it."""
        current = self._current_sig()
        if current is None:
            self._data, self._sig = None, None
        elif current != self._sig or self._data is None:
            self._load()

    def read(self) -> Data | None:
        """The whole database, from cache when the file is unchanged (TinyDB may mutate it)."""
        with self._mutex:
            if self._batch_depth == 0:
                self.refresh()
            return self._data

    @property
    def signature(self) -> Signature | None:
        """The signature of the file version the cache holds (None when not loaded)."""
        return self._sig

    @property
    def exists(self) -> bool:
        """Whether the file is on disk."""
        return self.path.exists()

    # -- writing -----------------------------------------------------------------------------

    def write(self, data: Data) -> None:
        """Write now, or at the end of the batch; on failure forget the unsaved data."""
        self._data = data
        if self._batch_depth:
            self._dirty = True
            return
        self._flush()

    def _flush(self) -> None:
        data = self._data
        try:
            if data is None:
                return
            self._sig = atomic_write(self.path, encode_json(data))
        except BaseException:
            self.invalidate()
            raise
        finally:
            self._dirty = False

    def invalidate(self) -> None:
        """Drop the cache so the next read comes from disk."""
        self._data, self._sig = None, None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group TinyDB operations into one atomic write (the caller holds the file lock)."""
        with self._mutex:
            if self._batch_depth == 0:
                self.refresh()
            self._batch_depth += 1
            try:
                yield
            except BaseException:
                self._batch_depth -= 1
                if self._batch_depth == 0:
                    self._dirty = False
                    self.invalidate()
                raise
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._dirty:
                self._flush()

    def delete(self) -> None:
        """Remove the file (durably) and forget it."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        else:
            fsync_dir(self.path.parent)
        self.invalidate()


class KeyedTable(Table):
    """A TinyDB table whose document ids are our string keys (article id, annotation id, url).

    Built on TinyDB's public extension points: `document_id_class` (TinyDB's documented
    way to change the id type) and the table's `storage`, whose data our storage caches.
    """

    document_id_class = str  # type: ignore[assignment]

    # TinyDB annotates document ids as int; these typed helpers take our string keys.

    def get_key(self, key: str) -> dict[str, Any] | None:
        """The document stored under `key`, or None."""
        found: dict[str, Any] | None = self.get(doc_id=cast(Any, key))
        return found

    def has_key(self, key: str) -> bool:
        """Whether a document is stored under `key`."""
        return self.contains(doc_id=cast(Any, key))

    def put_key(self, key: str, doc: dict[str, Any]) -> None:
        """Insert or replace the document under `key`."""
        self.put_many({key: doc})

    def put_many(self, docs: dict[str, dict[str, Any]]) -> None:
        """Insert or replace several documents (one storage write per call).

        Straight into the storage's data rather than through `Table.upsert`, which
        copies the whole table twice per call (12 ms of a 25 ms save with 10,000
        annotations on one article).
        """
        tables = self.storage.read() or {}
        table = tables.setdefault(self.name, {})
        for key, doc in docs.items():
            table[str(key)] = dict(doc)
        self.storage.write(tables)
        self.clear_cache()

    def remove_keys(self, keys: list[str]) -> None:
        """Remove the documents under `keys` (all must exist; KeyError otherwise)."""
        tables = self.storage.read() or {}
        table = tables.get(self.name, {})
        for key in keys:
            del table[str(key)]
        self.storage.write(tables)
        self.clear_cache()


class KeyedTinyDB(TinyDB):
    """TinyDB with string-keyed tables and no query cache (other processes change the files)."""

    table_class = KeyedTable

    def keyed(self, name: str) -> KeyedTable:
        """The string-keyed table `name`."""
        table = self.table(name)
        assert isinstance(table, KeyedTable)
        return table

    @property
    def atomic_storage(self) -> AtomicJSONStorage:
        """The storage, typed."""
        storage = self.storage
        assert isinstance(storage, AtomicJSONStorage)
        return storage


def open_tinydb(
    path: Path,
    on_corrupt: Callable[[Path], None] | None = None,
    mutex: threading.RLock | None = None,
) -> KeyedTinyDB:
    """A TinyDB over `AtomicJSONStorage` at `path` (the file is created on first write)."""
    return KeyedTinyDB(path, on_corrupt=on_corrupt, mutex=mutex, storage=AtomicJSONStorage)

"""The one place user data lives: library, annotations, feeds, settings, entity corrections.

TinyDB is the engine (through `reader.store.storage.AtomicJSONStorage`), sharded so a
save rewrites only a small file:

    reader.json              meta (schema_version), settings, entity corrections
    reader.json.d/
        library.json         article metadata, one document per article (no bodies)
        feeds.json           subscribed feeds
        annotations/ID.json  one small TinyDB per article with annotations
        bodies/SHA256.json   article bodies, content-addressed, written once
        backups/STAMP/       rolling copies of everything except bodies
        lock                 `fcntl.flock` lock for every read-modify-write

Every write is atomic (temp file, fsync, `os.replace`, folder fsync) and done
under the lock after re-reading any file another process changed, so two
`reader` processes lose none of each other's writes. Reads need no lock and
cost one `stat` while a file is unchanged.

Damage is looked for at open (`reader.store.recovery`): a file that does not load
is kept aside as `NAME.corrupt-YYYYmmdd-HHMMSS`, restored from the newest good
backup with every record still readable in it merged back, and `Store.messages`
(then `Store.on_message`, for damage found later) says so in one sentence.
A database written by a newer schema is opened read-only (every write raises
StoreError) and left untouched.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from reader.errors import ReaderError
from reader.files import TMP_SUFFIX, Signature, atomic_write, signature
from reader.models import (
    Annotation,
    Article,
    ArticleSummary,
    Block,
    EntityCorrection,
    Feed,
    now_iso,
)
from reader.paths import resolve_db_path
from reader.store.recovery import Recovery
from reader.store.storage import (
    NO_SPACE_ERRNOS,
    READ_ONLY_ERRNOS,
    AtomicJSONStorage,
    CorruptFileError,
    KeyedTinyDB,
    encode_json,
    is_tinydb_data,
    open_tinydb,
    read_json_file,
)

#: The layout and record shapes this version writes. Bump it with a migration below.
SCHEMA_VERSION = 1

_SAFE_NAME = re.compile(r"[a-z0-9_-]{1,100}")
_ARTICLE_FIELDS = frozenset(f.name for f in fields(Article)) - {"blocks"}
_ANNOTATION_FIELDS = frozenset(f.name for f in fields(Annotation))
_FEED_FIELDS = frozenset(f.name for f in fields(Feed))
_CORRECTION_FIELDS = frozenset(f.name for f in fields(EntityCorrection))
_FIELD_WORDS = {"color": "colour", "start": "place", "end": "place", "quote": "text"}


class StoreError(ReaderError):
    """The database cannot be read or written: out of space, read-only, locked, newer, ..."""


class StoreBusyError(StoreError):
    """Another process held the database's write lock for longer than the store would wait."""


#: Environment variable overriding `Store.min_free_bytes`.
MIN_FREE_ENV = "READER_MIN_FREE_BYTES"


def _size(count: int) -> str:
    """A byte count for people: 0 bytes, 12 KB, 3.4 MB."""
    if count < 1000:
        return f"{count} bytes"
    if count < 1_000_000:
        return f"{count // 1000} KB"
    return f"{count / 1_000_000:.1f} MB"


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def shard_name(article_id: str) -> str:
    """The annotation file name for an article: its id when filename-safe, else a hash."""
    if _SAFE_NAME.fullmatch(article_id):
        return article_id
    return "~" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:40]


def _pick(doc: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Only the fields a record knows (files from other versions may carry more)."""
    return {key: value for key, value in doc.items() if key in allowed}


_ANNOTATION_ORDER = tuple(f.name for f in fields(Annotation))


def _annotation_doc(annotation: Annotation) -> dict[str, Any]:
    """`asdict(annotation)` without its generic deep copy (a tenth of the time, for imports)."""
    doc = {name: getattr(annotation, name) for name in _ANNOTATION_ORDER}
    doc["tags"] = list(annotation.tags)
    return doc


def _annotation_from(doc: dict[str, Any]) -> Annotation:
    values = _pick(doc, _ANNOTATION_FIELDS)
    values.setdefault("id", "")
    values.setdefault("quote", "")
    values["tags"] = list(values.get("tags", []))
    return Annotation(**values)


def _feed_from(doc: dict[str, Any]) -> Feed:
    values = _pick(doc, _FEED_FIELDS)
    values.setdefault("url", "")
    values["seen"] = list(values.get("seen", []))
    return Feed(**values)


def _summary_from(key: str, doc: dict[str, Any], highlights: int) -> ArticleSummary:
    return ArticleSummary(
        id=key,
        title=doc.get("title", ""),
        source=doc.get("source", ""),
        published=doc.get("published", ""),
        added=doc.get("added", ""),
        highlights=highlights,
        direction=doc.get("direction", "rtl"),
    )


def _article_doc(article: Article, body_hash: str) -> dict[str, Any]:
    doc = {name: getattr(article, name) for name in _ARTICLE_FIELDS}
    doc["body"] = body_hash
    return doc


def _body_payload(blocks: list[Block]) -> tuple[str, bytes]:
    payload = encode_json([[block.kind, block.text] for block in blocks])
    return hashlib.sha256(payload).hexdigest(), payload


def _describe_os_error(error: OSError, where: Path) -> str:
    """One plain sentence for a failed write."""
    if error.errno in NO_SPACE_ERRNOS:
        return (
            f"There is no room left on the disk to save to {where}; "
            "free some space and try again (nothing already saved was lost)."
        )
    if error.errno in READ_ONLY_ERRNOS:
        return (
            f"Cannot save to {where} because the folder is read-only or not writable "
            "(nothing already saved was lost)."
        )
    reason = error.strerror or str(error)
    return f"Could not save to {where}: {reason} (nothing already saved was lost)."


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
        """Use `Store.open`; this only sets up names."""
        self.path = path
        self.folder = path.with_name(path.name + ".d")
        self.messages: list[str] = []
        #: Called with each message added after opening (damage found on a later read).
        self.on_message: Callable[[str], None] | None = None
        self.read_only = False
        self._read_only_reason = ""
        self._lock_fd: int | None = None
        self._thread_lock = threading.RLock()
        # Serialises this process's threads on the lock file: an flock is per open file, so
        # two threads sharing `_lock_fd` would not exclude each other. Taken before the
        # flock and `_thread_lock`; waiting for the flock never holds `_thread_lock`, so
        # reads on other threads (the UI) go on while a worker waits to write.
        self._flock_mutex = threading.Lock()
        self._flock_owner: int | None = None
        self._no_wait = threading.local()
        self._counts: dict[str, list[Any]] | None = None
        self._main = self._tinydb(path)
        self._library = self._tinydb(self.folder / "library.json")
        self._feeds = self._tinydb(self.folder / "feeds.json")
        self._shards: dict[str, KeyedTinyDB] = {}
        self._annotation_home: dict[str, str] = {}
        self._recovery = Recovery(self)

    def _tinydb(self, path: Path) -> KeyedTinyDB:
        """A TinyDB file of this store: recovers damage, shares the store's thread lock."""
        return open_tinydb(path, self._recover, self._thread_lock)

    # -- opening and closing -----------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None) -> Store:
        """Open (creating if needed) the database at `path`, default `resolve_db_path()`."""
        store = cls(resolve_db_path(path) if path is None else Path(path).expanduser())
        store._open()
        return store

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

    def _open(self) -> None:
        if self.path.is_dir():
            raise StoreError(f"The database path {self.path} is a folder, not a database file.")
        try:
            for folder in (self.path.parent, self.annotations_dir, self.bodies_dir):
                folder.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            if error.errno not in READ_ONLY_ERRNOS:
                raise StoreError(
                    f"Cannot open the database {self.path}: {error.strerror}."
                ) from error
            if not self.path.exists():
                raise StoreError(
                    f"Cannot create the database {self.path} because the folder is read-only."
                ) from error
            self._set_read_only(
                f"The database {self.path} is in a read-only folder, so it is open read-only "
                "and nothing can be saved."
            )
        try:
            if not self.read_only:
                self._check_free_space()
                self._recovery.restore_missing()  # before anything is read
            if self.read_only or self.schema_version() >= SCHEMA_VERSION:
                self._check_schema()  # no write: a newer schema only turns read-only
            else:
                with self._locked():  # a migration writes: wait for the lock like any write
                    self._check_schema()
            if not self.read_only:
                self._housekeeping()
            self._recovery.check_at_open()
        except CorruptFileError as error:
            raise StoreError(
                f"The database file {error.path} is damaged: {error.reason}."
            ) from error
        except OSError as error:
            raise StoreError(
                f"Cannot open the database {self.path}: {error.strerror or error}."
            ) from error

    def close(self) -> None:
        """Release the lock file; the store must not be used afterwards."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _set_read_only(self, reason: str) -> None:
        self.read_only = True
        self._read_only_reason = reason
        self.messages.append(reason)

    def _check_free_space(self) -> None:
        """Open read-only, saying why, when the disk has less than `min_free_bytes` free.

        `READER_MIN_FREE_BYTES` overrides the threshold (tests simulate a full disk with it).
        """
        threshold = self.min_free_bytes
        with contextlib.suppress(ValueError):
            threshold = int(os.environ.get(MIN_FREE_ENV, threshold))
        try:
            stats = os.statvfs(self.folder)
        except OSError:
            return
        free = stats.f_bavail * stats.f_frsize
        if free < threshold:
            self._set_read_only(
                f"The disk holding {self.path} is full ({_size(free)} free), so the database "
                "is open read-only: you can read, but nothing can be saved until you free "
                "some space."
            )

    def _housekeeping(self) -> None:
        """Sweep temp files of killed writers and make a due backup, only if the lock is free.

        Opening never waits for another process: when it holds the lock, this is skipped
        and done by a later open.
        """
        if not self._acquire(wait=False):
            return
        try:
            self._sweep_temporary_files()
            self._backup_if_due()
        finally:
            self._release()

    def _tell(self, message: str) -> None:
        """Add a one-sentence notice (once), and pass it on when someone is listening."""
        with self._thread_lock:
            if message in self.messages:
                return
            self.messages.append(message)
        if self.on_message is not None:
            self.on_message(message)

    def _all_dbs(self) -> list[KeyedTinyDB]:
        """Every TinyDB file of this store opened so far."""
        return [self._main, self._library, self._feeds, *self._shards.values()]

    # -- schema ------------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The schema version recorded in the database (0 for a file from before versions)."""
        doc = self._main.keyed("meta").get_key("schema")
        if doc is None:
            return 0
        version = doc.get("version", 0)
        return version if isinstance(version, int) else 0

    def _check_schema(self) -> None:
        """Run forward migrations, or go read-only for a newer schema."""
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            self._set_read_only(
                f"The database {self.path} was written by a newer version of reader "
                f"(schema {version}, this version knows {SCHEMA_VERSION}), so it is open "
                "read-only and left unchanged."
            )
            return
        if self.read_only or version == SCHEMA_VERSION:
            return
        if self.path.exists():
            self.make_backup()  # the file as it was before migrating, in case a step fails
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](self)
            version += 1
            with self._writing(self._main):
                self._main.keyed("meta").put_key("schema", {"version": version})

    # -- locking and writing -----------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the database's lock file (re-entrant within one thread of this store)."""
        if self._flock_owner == threading.get_ident():
            with self._thread_lock:
                yield
            return
        if not self._acquire(wait=not getattr(self._no_wait, "on", False)):
            raise StoreBusyError(
                f"The database {self.path} is locked by another reader process; "
                "close it and try again."
            )
        try:
            yield
        finally:
            self._release()

    @contextlib.contextmanager
    def without_waiting(self) -> Iterator[None]:
        """Writes on this thread inside the block raise StoreBusyError at once, rather than
        wait, while another process holds the lock (the UI tries this, then saves in a worker).
        """
        before = getattr(self._no_wait, "on", False)
        self._no_wait.on = True
        try:
            yield
        finally:
            self._no_wait.on = before

    def _acquire(self, *, wait: bool) -> bool:
        """Take `_flock_mutex`, the lock file and `_thread_lock`, in that order.

        Waits up to `lock_timeout_seconds` (not at all unless `wait`); False when the
        lock stayed busy. `_thread_lock` is only tried briefly once the flock is held: a
        thread that holds it (a read recovering a damaged file) may be waiting for the
        flock, so on a miss everything is let go and tried again.
        """
        if self._lock_fd is None:
            if self.read_only:
                raise StoreError(self._read_only_reason)
            raise StoreError(f"The database {self.path} is closed.")
        deadline = time.monotonic() + (self.lock_timeout_seconds if wait else 0.0)
        while True:
            if not self._flock_mutex.acquire(timeout=max(0.0, deadline - time.monotonic())):
                return False
            fd = self._lock_fd
            if fd is None:
                self._flock_mutex.release()
                raise StoreError(f"The database {self.path} is closed.")
            if not self._flock(fd, deadline):
                self._flock_mutex.release()
                return False
            if self._thread_lock.acquire(timeout=0.05):
                self._flock_owner = threading.get_ident()
                return True
            fcntl.flock(fd, fcntl.LOCK_UN)
            self._flock_mutex.release()
            if time.monotonic() > deadline:
                return False
            time.sleep(0.001)

    def _release(self) -> None:
        """Undo `_acquire`."""
        self._flock_owner = None
        try:
            if self._lock_fd is not None:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()
            self._flock_mutex.release()

    @staticmethod
    def _flock(fd: int, deadline: float) -> bool:
        """Take the exclusive lock on the lock file, polling until `deadline`; False if busy."""
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.002)

    @contextlib.contextmanager
    def _writing(self, *dbs: KeyedTinyDB) -> Iterator[None]:
        """Lock, re-read `dbs` if changed, let the body modify them, write each once."""
        if self.read_only:
            raise StoreError(self._read_only_reason)
        try:
            with self._locked(), contextlib.ExitStack() as stack:
                for db in dbs:
                    stack.enter_context(db.atomic_storage.batch())
                yield
        except OSError as error:
            raise StoreError(_describe_os_error(error, self.path.parent)) from error

    def _sweep_temporary_files(self) -> None:
        """Remove temp files left by killed writers (safe: writers hold the lock)."""
        prefix = f".{self.path.name}."
        candidates = [p for p in self.path.parent.glob(prefix + "*") if p.name.endswith(TMP_SUFFIX)]
        for folder in (self.folder, self.annotations_dir, self.bodies_dir):
            candidates.extend(folder.glob(".*" + TMP_SUFFIX))
        for candidate in candidates:
            with contextlib.suppress(OSError):
                candidate.unlink()
        for staging in self.backups_dir.glob(".staging-*"):
            shutil.rmtree(staging, ignore_errors=True)

    # -- corruption and backups --------------------------------------------------------------

    def _backup_relpath(self, path: Path) -> Path:
        """Where `path` sits inside a backup folder."""
        if path == self.path:
            return Path("db.json")
        return Path("d") / path.relative_to(self.folder)

    def _backups(self) -> list[Path]:
        """Complete backup folders, newest first."""
        try:
            entries = [p for p in self.backups_dir.iterdir() if not p.name.startswith(".")]
        except FileNotFoundError:
            return []
        return sorted(entries, key=lambda p: p.name, reverse=True)

    def _recover(self, path: Path) -> None:
        """A file does not load: keep it aside, restore, merge back, say so (see Recovery)."""
        self._recovery.recover(path)

    def _backup_if_due(self) -> None:
        """Make a rolling backup when the newest is older than `backup_interval_seconds`."""
        backups = self._backups()
        if backups:
            try:
                newest = datetime.strptime(backups[0].name[:15], "%Y%m%d-%H%M%S").timestamp()
            except ValueError:
                newest = 0.0
            if time.time() - newest < self.backup_interval_seconds:
                return
        if not self.path.exists():
            return
        try:
            self.make_backup()
        except OSError as error:
            self.messages.append(
                f"Could not make a backup in {self.backups_dir}: {error.strerror or error}."
            )

    def make_backup(self) -> Path:
        """Copy every database file except bodies into a new backup folder; prune old ones.

        A file unchanged since the previous backup (same signature, per that
        backup's manifest) is hard-linked from it instead of copied, so a backup
        costs little when only a few files changed. Backup copies are never
        modified, so sharing them between backups is safe.
        """
        with self._locked():
            self.backups_dir.mkdir(exist_ok=True)
            previous = self._backups()
            reuse: dict[str, list[int]] = {}
            copies: dict[str, list[int]] = {}
            if previous:
                with contextlib.suppress(OSError, ValueError, AttributeError, KeyError):
                    old_manifest = json.loads((previous[0] / "manifest.json").read_bytes())
                    reuse = old_manifest["files"]
                    copies = old_manifest.get("copies", {})
            # Microseconds keep names unique and in time order.
            final = self.backups_dir / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            staging = self.backups_dir / f".staging-{final.name}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            (staging / "d" / "annotations").mkdir(parents=True)
            sources = [
                self.path,
                self._library.atomic_storage.path,
                self._feeds.atomic_storage.path,
            ]
            sources.extend(sorted(self.annotations_dir.glob("*.json")))
            manifest: dict[str, list[int]] = {}
            made: dict[str, list[int]] = {}
            for source in sources:
                rel = self._backup_relpath(source)
                try:
                    sig = list(signature(os.stat(source)))
                except FileNotFoundError:
                    continue
                target = staging / rel
                if reuse.get(str(rel)) == sig:
                    earlier = previous[0] / rel
                    if self._recovery.backup_copy_intact(earlier, sig, copies.get(str(rel))):
                        try:
                            os.link(earlier, target)
                            manifest[str(rel)] = sig
                            made[str(rel)] = copies.get(str(rel)) or [sig[1], 0]
                            continue
                        except OSError:
                            pass
                copied = self._copy_checked(source, target)
                if copied is not None:
                    manifest[str(rel)] = list(copied)
                    stat = os.stat(target)
                    made[str(rel)] = [stat.st_size, stat.st_mtime_ns]
            (staging / "manifest.json").write_bytes(
                encode_json({"files": manifest, "copies": made})
            )
            os.replace(staging, final)
            for old in self._backups()[self.backups_kept :]:
                shutil.rmtree(old, ignore_errors=True)
            self._collect_bodies()
            return final

    def _copy_checked(self, source: Path, target: Path) -> Signature | None:
        """Copy `source` if it parses (recovering it first if not); its signature, or None."""
        for _attempt in range(3):
            try:
                with open(source, "rb") as handle:
                    sig = signature(os.fstat(handle.fileno()))
                    raw = handle.read()
            except FileNotFoundError:
                return None
            try:
                if is_tinydb_data(json.loads(raw)):
                    target.write_bytes(raw)
                    return sig
            except ValueError:
                pass
            self._recover(source)
        return None

    def _collect_bodies(self) -> None:
        """Delete bodies no article refers to, in the library or in any backup of it."""
        referenced: set[str] = set()
        live = self._library.atomic_storage.read() or {}
        referenced.update(str(d.get("body", "")) for d in live.get("articles", {}).values())
        seen: set[int] = set()
        rel = self._backup_relpath(self._library.atomic_storage.path)
        for backup in self._backups():
            try:
                loaded = read_json_file(backup / rel)
            except CorruptFileError:
                return  # be safe: collect nothing while any library copy is unreadable
            if loaded is None or loaded[1][0] in seen:
                continue
            seen.add(loaded[1][0])
            for doc in loaded[0].get("articles", {}).values():
                referenced.add(str(doc.get("body", "")))
        referenced |= self._recovery.kept_body_references()
        for body in os.scandir(self.bodies_dir):
            if body.name.endswith(".json") and body.name[:-5] not in referenced:
                with contextlib.suppress(OSError):
                    os.unlink(body.path)

    # -- articles ----------------------------------------------------------------------------

    def _write_body(self, blocks: list[Block]) -> str:
        digest, payload = _body_payload(blocks)
        target = self.bodies_dir / f"{digest}.json"
        if not target.exists():
            atomic_write(target, payload)
        return digest

    def put_article(self, article: Article) -> None:
        """Insert or replace an article (by id); its body goes to a content-addressed file."""
        self.put_articles([article])

    def put_articles(self, articles: Iterable[Article]) -> None:
        """Insert or replace many articles in one write of the library index."""
        batch = list(articles)
        if not batch:
            return
        with self._writing(self._library):
            docs = {a.id: _article_doc(a, self._write_body(a.blocks)) for a in batch}
            table = self._library.keyed("articles")
            table.put_many(docs)

    def _read_body(self, digest: str, article: str) -> list[Block]:
        """The blocks in body file `digest`; `article` names the article in a StoreError."""
        path = self.bodies_dir / f"{digest}.json"
        damaged = (
            f"The saved text of the article {article} is damaged, so it cannot be shown "
            f"(the file {path} is kept); add the article again from its source."
        )
        try:
            loaded = read_json_file(path)
        except CorruptFileError as error:
            raise StoreError(damaged) from error
        if loaded is None:
            raise StoreError(
                f"The saved text of the article {article} is missing ({path}), so it cannot "
                "be shown; add the article again from its source."
            )
        try:
            return [Block(str(kind), str(text)) for kind, text in loaded[0]]  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            raise StoreError(damaged) from error

    def _valid_docs(self, db: KeyedTinyDB, table: str, kind: str) -> dict[str, dict[str, Any]]:
        """The records of `table` whose fields have the right types (bad ones are told)."""
        storage = db.atomic_storage
        docs: dict[str, dict[str, Any]] = (storage.read() or {}).get(table, {})
        return self._recovery.valid(kind, docs, storage, table)

    def _article_from(self, doc: dict[str, Any]) -> Article:
        values = _pick(doc, _ARTICLE_FIELDS)
        for name in ("id", "title", "source"):
            values.setdefault(name, "")
        label = f"'{values['title']}' (id {values['id']})"
        body = self._read_body(str(doc.get("body", "")), label)
        return Article(blocks=body, **values)

    def get_article(self, article_id: str) -> Article | None:
        """The article with its body, or None."""
        doc = self._valid_docs(self._library, "articles", "article").get(article_id)
        return None if doc is None else self._article_from(doc)

    def find_article(
        self, *, source: str | None = None, entry_id: str | None = None
    ) -> Article | None:
        """The first article whose source (or feed entry id) matches, or None."""
        if source is None and entry_id is None:
            return None
        for doc in self._valid_docs(self._library, "articles", "article").values():
            if (source is not None and doc.get("source") == source) or (
                entry_id is not None and doc.get("entry_id") == entry_id
            ):
                return self._article_from(doc)
        return None

    def delete_article(self, article_id: str) -> None:
        """Remove an article and its annotations (its body goes at the next backup sweep)."""
        shard = self._shard(shard_name(article_id))
        with self._writing(self._library):
            shard.atomic_storage.delete()
            table = self._library.keyed("articles")
            if table.has_key(article_id):
                table.remove_keys([article_id])

    def list_articles(self) -> list[ArticleSummary]:
        """Every article without its body, newest first (published, else added)."""
        counts = self._annotation_counts()
        summaries = [
            _summary_from(key, doc, counts.get(key, 0))
            for key, doc in self._valid_docs(self._library, "articles", "article").items()
        ]
        summaries.sort(key=lambda s: (s.published or s.added, s.added), reverse=True)
        return summaries

    def article_count(self) -> int:
        """How many articles the library holds."""
        return len(self._library.keyed("articles"))

    # -- annotations -------------------------------------------------------------------------

    def _shard(self, name: str) -> KeyedTinyDB:
        db = self._shards.get(name)
        if db is None:
            db = self._tinydb(self.annotations_dir / f"{name}.json")
            self._shards[name] = db
        return db

    def _shard_docs(self, name: str) -> dict[str, dict[str, Any]]:
        docs = self._valid_docs(self._shard(name), "annotations", "annotation")
        for key in docs:
            self._annotation_home[key] = name
        return docs

    def _shard_names(self) -> list[str]:
        try:
            return [
                entry.name[:-5]
                for entry in os.scandir(self.annotations_dir)
                if entry.name.endswith(".json") and not entry.name.startswith(".")
            ]
        except FileNotFoundError:
            return []

    @property
    def _counts_path(self) -> Path:
        return self.folder / "counts-cache.json"

    def _counts_hint(self) -> dict[str, list[Any]]:
        """The counts cache as last read or written: per annotation file, its signature,
        article id and count (what recovery compares a damaged file against)."""
        with self._thread_lock:
            if self._counts is None:
                try:
                    loaded = read_json_file(self._counts_path)
                except (CorruptFileError, OSError):
                    loaded = None
                self._counts = loaded[0] if loaded and isinstance(loaded[0], dict) else {}
            return self._counts

    def _annotation_counts(self) -> dict[str, int]:
        """Annotations per article id, without parsing files that did not change.

        `counts-cache.json` remembers, per annotation file, the signature it had
        and its article id and count. A file whose (inode, size, mtime_ns) still
        matches is not read; the cache is only a hint and is rebuilt if damaged.
        """
        with self._thread_lock:
            known = self._counts_hint()
            fresh: dict[str, list[Any]] = {}
            try:
                entries = list(os.scandir(self.annotations_dir))
            except FileNotFoundError:
                entries = []
            for entry in entries:
                if not entry.name.endswith(".json") or entry.name.startswith("."):
                    continue
                name = entry.name[:-5]
                try:
                    sig = list(signature(entry.stat()))
                except FileNotFoundError:
                    continue
                hint = known.get(name)
                if isinstance(hint, list) and len(hint) == 5 and hint[:3] == sig:
                    fresh[name] = hint
                    continue
                docs = self._shard_docs(name)
                read_sig = self._shard(name).atomic_storage.signature
                if read_sig is None:
                    continue
                first = next(iter(docs.values()), {})
                fresh[name] = [*read_sig, str(first.get("article_id", name)), len(docs)]
            if fresh != known:
                self._counts = fresh
                if not self.read_only:
                    with contextlib.suppress(OSError):
                        atomic_write(self._counts_path, encode_json(fresh), durable=False)
        counts: dict[str, int] = {}
        for _ino, _size, _mtime, article_id, count in fresh.values():
            if count:
                counts[article_id] = counts.get(article_id, 0) + count
        return counts

    def add_annotation(self, annotation: Annotation) -> None:
        """Save a new annotation (the caller sets its id); replaces one with the same id."""
        self._save_annotation(annotation)

    def add_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Save many annotations: one lock, one write per article (imports, migrations).

        Each article's file is written and then dropped from the read cache, so a big
        import does not keep a second copy of every annotation it saved in memory.
        """
        by_shard: dict[str, list[Annotation]] = {}
        for annotation in annotations:
            by_shard.setdefault(shard_name(annotation.article_id), []).append(annotation)
        with self._locked():
            for name, group in by_shard.items():
                docs = {annotation.id: _annotation_doc(annotation) for annotation in group}
                db = self._shard(name)
                with self._writing(db):
                    db.keyed("annotations").put_many(docs)
                db.atomic_storage.invalidate()
                for key in docs:
                    self._annotation_home[key] = name

    def update_annotation(self, annotation: Annotation) -> None:
        """Save changes to an annotation (its note, colour, tags, anchor...)."""
        home = self._annotation_home.get(annotation.id)
        if home is not None and home != shard_name(annotation.article_id):
            self.delete_annotation(annotation.id)
        self._save_annotation(annotation)

    def update_annotation_fields(self, base: Annotation, **changes: Any) -> Annotation:
        """Change some fields of a saved annotation, leaving every other field as stored.

        `base` is the caller's copy (what it showed the user). Under the lock the record
        is read again and only `changes` are applied, so a note another process saved
        meanwhile is kept when this one recolours. A changed field that another process
        also changed, to something else, since `base` is refused with a StoreError, as is
        an annotation deleted meanwhile. Returns the annotation as saved.
        """
        unknown = set(changes) - _ANNOTATION_FIELDS
        if unknown or {"id", "article_id"} & set(changes):
            raise ValueError(f"cannot change annotation fields {sorted(changes)}")
        name = self._annotation_home.get(base.id) or shard_name(base.article_id)
        db = self._shard(name)
        with self._writing(db):
            table = db.keyed("annotations")
            doc = table.get_key(base.id)
            if doc is None:
                raise StoreError(
                    "This highlight was deleted by another reader process, "
                    "so the change was not saved."
                )
            stored = _annotation_from(doc)
            clashes = [
                key
                for key, value in changes.items()
                if key != "updated"
                and getattr(stored, key) != getattr(base, key)
                and getattr(stored, key) != value
            ]
            if clashes:
                names = " and ".join(_FIELD_WORDS.get(key, key) for key in clashes)
                raise StoreError(
                    f"This highlight's {names} changed in another reader process after it "
                    "was shown here, so your change was not saved; look at it again and "
                    "redo the change."
                )
            for key, value in changes.items():
                setattr(stored, key, list(value) if key == "tags" else value)
            table.put_key(base.id, asdict(stored))
        self._annotation_home[base.id] = name
        return stored

    def _save_annotation(self, annotation: Annotation) -> None:
        name = shard_name(annotation.article_id)
        db = self._shard(name)
        with self._writing(db):
            table = db.keyed("annotations")
            table.put_key(annotation.id, asdict(annotation))
        self._annotation_home[annotation.id] = name

    def delete_annotation(self, annotation_id: str) -> Annotation | None:
        """Remove an annotation; returns what was removed, or None if it was not there."""
        home = self._annotation_home.get(annotation_id)
        names = ([home] if home else []) + [n for n in self._shard_names() if n != home]
        for name in names:
            if annotation_id not in self._shard_docs(name):
                continue
            db = self._shard(name)
            with self._writing(db):
                table = db.keyed("annotations")
                doc = table.get_key(annotation_id)
                if doc is None:
                    continue
                table.remove_keys([annotation_id])
            self._annotation_home.pop(annotation_id, None)
            return _annotation_from(doc)
        return None

    def annotations_for(self, article_id: str) -> list[Annotation]:
        """An article's annotations, ordered by where they start."""
        docs = self._shard_docs(shard_name(article_id))
        found = [_annotation_from(doc) for doc in docs.values()]
        found.sort(key=lambda a: (a.start, a.end, a.created, a.id))
        return found

    def get_annotation(self, article_id: str, annotation_id: str) -> Annotation | None:
        """One annotation of an article by id, without building the article's others
        (an import looks up each of its annotations: a million would be a second copy)."""
        data = self._shard(shard_name(article_id)).atomic_storage.read() or {}
        doc = data.get("annotations", {}).get(annotation_id)
        return None if doc is None else _annotation_from(doc)

    def all_annotations(self) -> list[Annotation]:
        """Every annotation in the library, grouped by article, each ordered by start."""
        found: list[Annotation] = []
        for name in sorted(self._shard_names()):
            docs = self._shard_docs(name)
            part = [_annotation_from(doc) for doc in docs.values()]
            part.sort(key=lambda a: (a.start, a.end, a.created, a.id))
            found.extend(part)
        return found

    # -- feeds -------------------------------------------------------------------------------

    def put_feed(self, feed: Feed) -> None:
        """Insert or replace a feed (by url)."""
        with self._writing(self._feeds):
            table = self._feeds.keyed("feeds")
            table.put_key(feed.url, asdict(feed))

    def add_feeds(self, feeds: Iterable[Feed]) -> list[Feed]:
        """Subscribe to those of `feeds` not subscribed yet (by url), under one lock and in one
        write (an OPML import of hundreds); the ones added, in order."""
        with self._writing(self._feeds):
            table = self._feeds.keyed("feeds")
            fresh = {feed.url: feed for feed in feeds if not table.has_key(feed.url)}
            if fresh:
                table.put_many({url: asdict(feed) for url, feed in fresh.items()})
            return list(fresh.values())

    def update_feed(self, url: str, change: Callable[[Feed], None]) -> Feed | None:
        """Apply `change` to the feed as saved now, under the lock; None if not subscribed.

        A refresh takes long; the feed is read again when it is saved, so an unsubscribe
        (or another refresh) in the meantime is not undone.
        """
        with self._writing(self._feeds):
            table = self._feeds.keyed("feeds")
            doc = table.get_key(url)
            if doc is None:
                return None
            feed = _feed_from(doc)
            change(feed)
            feed.url = url
            table.put_key(url, asdict(feed))
            return feed

    def get_feed(self, url: str) -> Feed | None:
        """The feed subscribed at `url`, or None."""
        doc = self._valid_docs(self._feeds, "feeds", "feed").get(url)
        return None if doc is None else _feed_from(doc)

    def list_feeds(self) -> list[Feed]:
        """Every subscribed feed, by title then url."""
        feeds = [_feed_from(doc) for doc in self._valid_docs(self._feeds, "feeds", "feed").values()]
        feeds.sort(key=lambda f: (f.title.casefold(), f.url))
        return feeds

    def remove_feed(self, url: str) -> bool:
        """Unsubscribe; False when there was no such feed."""
        with self._writing(self._feeds):
            table = self._feeds.keyed("feeds")
            if not table.has_key(url):
                return False
            table.remove_keys([url])
            return True

    # -- settings ----------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A saved setting (JSON value), or `default`."""
        doc = self._main.keyed("settings").get_key(key)
        return default if doc is None else doc.get("value", default)

    def set_setting(self, key: str, value: Any) -> None:
        """Save a JSON-serialisable setting (reading positions use "position:<article id>")."""
        value = json.loads(json.dumps(value))  # a private copy; TypeError for non-JSON values
        with self._writing(self._main):
            table = self._main.keyed("settings")
            table.put_key(key, {"value": value})

    # -- entity corrections ------------------------------------------------------------------

    def add_entity_correction(self, correction: EntityCorrection) -> None:
        """Save a correction, giving it an id and creation time when it has none."""
        if not correction.id:
            correction.id = uuid.uuid4().hex
        if not correction.created:
            correction.created = now_iso()
        with self._writing(self._main):
            table = self._main.keyed("corrections")
            table.put_key(correction.id, asdict(correction))

    def entity_corrections(self) -> list[EntityCorrection]:
        """Every correction, oldest first (they apply in order)."""
        found = [
            EntityCorrection(**_pick(doc, _CORRECTION_FIELDS))
            for doc in self._valid_docs(self._main, "corrections", "correction").values()
        ]
        found.sort(key=lambda c: (c.created, c.id))
        return found

    def remove_entity_correction(self, correction_id: str) -> bool:
        """Forget a correction; False when there was no such correction."""
        with self._writing(self._main):
            table = self._main.keyed("corrections")
            if not table.has_key(correction_id):
                return False
            table.remove_keys([correction_id])
            return True


# -- migrations ----------------------------------------------------------------------------------


def _migrate_0_to_1(store: Store) -> None:
    """Schema 0 is a new or plain single-file TinyDB: move its tables into the sharded layout.

    A plain TinyDB JSONStorage file may hold `articles` (with `blocks`),
    `annotations`, `feeds`, `settings` ({key, value}) and `corrections` tables
    with TinyDB's integer ids; each document is re-keyed by its own id.
    """
    data = store._main.atomic_storage.read() or {}
    legacy = {name: data.get(name, {}) for name in ("articles", "annotations", "feeds")}
    old_settings = data.get("settings", {})
    old_corrections = data.get("corrections", {})
    articles = []
    for doc in legacy["articles"].values():
        blocks = [Block(kind, text) for kind, text in doc.get("blocks", [])]
        articles.append(Article(blocks=blocks, **_pick(doc, _ARTICLE_FIELDS)))
    store.put_articles(articles)
    store.add_annotations(_annotation_from(doc) for doc in legacy["annotations"].values())
    for doc in legacy["feeds"].values():
        store.put_feed(_feed_from(doc))
    with store._writing(store._main):
        storage: AtomicJSONStorage = store._main.atomic_storage
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
            correction = EntityCorrection(**_pick(doc, _CORRECTION_FIELDS))
            correction.id = correction.id or uuid.uuid4().hex
            corrections[correction.id] = asdict(correction)
        current["corrections"] = corrections
        current.setdefault("meta", {})["schema"] = {"version": 1}  # same write: no half-done step
        storage.write(current)


#: MIGRATIONS[n] turns a schema-n database into schema n+1, in place, under the lock.
MIGRATIONS: dict[int, Callable[[Store], None]] = {0: _migrate_0_to_1}

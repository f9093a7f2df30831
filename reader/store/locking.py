"""The database's write lock: one lock file every process takes for each read-modify-write.

The lock is the `filelock` package's native lock on an open descriptor (`flock` on
Unix, `LockFileEx` on Windows), so it is portable, is released by the system when a
process dies (a SIGKILL mid-write leaves no stale lock), and contends with any
`filelock.FileLock` on the same file. Within one process the lock is shared by the
store's threads by the rules below; `writing` is how every write is done under it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import lock_descriptor, unlock_descriptor

from reader.store.errors import StoreBusyError, StoreError, describe_os_error
from reader.store.storage import KeyedTinyDB


class WriteLock:
    """The lock file of one database, shared by the threads of one store.

    Re-entrant within the thread that holds it. Safe to share between threads: a
    process-local mutex is taken before the lock file (a lock on one open file does
    not exclude two threads sharing it), and `thread_lock` (the store's, shared with
    its TinyDB storages) after it. Waiting for the file never holds `thread_lock`, so
    reads on other threads (the UI) go on while a worker waits to write.
    """

    def __init__(
        self,
        lock_file: Path,
        database: Path,
        thread_lock: threading.RLock,
        timeout: Callable[[], float],
        unavailable: Callable[[], str | None],
    ) -> None:
        """`timeout()` is how long to wait for another process; `unavailable()` is why
        nothing may be written (read-only), or None."""
        self.lock_file = lock_file
        self._database = database
        self._thread_lock = thread_lock
        self._timeout = timeout
        self._unavailable = unavailable
        self._fd: int | None = None
        self._file_mutex = threading.Lock()
        self._owner: int | None = None
        self._no_wait = threading.local()

    def open(self) -> None:
        """Open (creating) the lock file; OSError when the folder cannot be written."""
        self._fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)

    def close(self) -> None:
        """Close the lock file; writes afterwards raise StoreError."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock (re-entrant within one thread); StoreBusyError when another
        process keeps it longer than `timeout()` (at once inside `without_waiting`)."""
        if self._owner == threading.get_ident():
            with self._thread_lock:
                yield
            return
        if not self.acquire(wait=not getattr(self._no_wait, "on", False)):
            raise StoreBusyError(
                f"The database {self._database} is locked by another reader process; "
                "close it and try again."
            )
        try:
            yield
        finally:
            self.release()

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

    @contextlib.contextmanager
    def writing(self, *dbs: KeyedTinyDB) -> Iterator[None]:
        """Lock, re-read `dbs` if changed, let the body modify them, write each once.

        An OSError (full disk, read-only folder) becomes a StoreError in one sentence.
        """
        reason = self._unavailable()
        if reason is not None:
            raise StoreError(reason)
        try:
            with self.held(), contextlib.ExitStack() as stack:
                for db in dbs:
                    stack.enter_context(db.atomic_storage.batch())
                yield
        except OSError as error:
            raise StoreError(describe_os_error(error, self._database.parent)) from error

    def acquire(self, *, wait: bool) -> bool:
        """Take the process mutex, the lock file and `thread_lock`, in that order.

        Waits up to `timeout()` (not at all unless `wait`); False when the lock stayed
        busy. `thread_lock` is only tried briefly once the file is locked: a thread that
        holds it (a read recovering a damaged file) may be waiting for the file lock, so
        on a miss everything is let go and tried again.
        """
        if self._fd is None:
            raise StoreError(self._unavailable() or f"The database {self._database} is closed.")
        deadline = time.monotonic() + (self._timeout() if wait else 0.0)
        while True:
            if not self._file_mutex.acquire(timeout=max(0.0, deadline - time.monotonic())):
                return False
            fd = self._fd
            if fd is None:
                self._file_mutex.release()
                raise StoreError(f"The database {self._database} is closed.")
            if not _lock_until(fd, deadline):
                self._file_mutex.release()
                return False
            if self._thread_lock.acquire(timeout=0.05):
                self._owner = threading.get_ident()
                return True
            unlock_descriptor(fd)
            self._file_mutex.release()
            if time.monotonic() > deadline:
                return False
            time.sleep(0.001)

    def release(self) -> None:
        """Undo `acquire`."""
        self._owner = None
        try:
            if self._fd is not None:
                unlock_descriptor(self._fd)
        finally:
            self._thread_lock.release()
            self._file_mutex.release()


def _lock_until(fd: int, deadline: float) -> bool:
    """Lock the file, polling until `deadline`; False if another process keeps it."""
    while not lock_descriptor(fd, blocking=False):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True

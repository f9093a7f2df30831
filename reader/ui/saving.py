"""Saving from the app without ever waiting for another process on the UI thread.

A save is first tried at once on the UI thread with `Store.without_waiting`: when no other
`reader` process holds the database's lock (nearly always) it is done before the next key.
When one does, or when the caller says the save is big (`background`: an article with
tens of thousands of annotations), it goes to one background thread that keeps trying, in
order with any later saves; the change stays on screen meanwhile, a notification says so
once the wait passes `Store.lock_timeout_seconds`, and `on_saved` runs on the UI thread
when it is written.
A save that fails for another reason (full disk, read-only, a refused change) calls
`on_failed` with the one-sentence error. What is still unsaved when the app closes is
listed by `unsaved` so the command line can say what was lost.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from textual.app import App

from reader.errors import ReaderError
from reader.store.database import Store, StoreBusyError
from reader.ui.messages import SaveDone

#: How often the background thread tries again while the lock is busy.
RETRY_SECONDS = 0.05


T = TypeVar("T")


@dataclass(slots=True)
class _Job(Generic[T]):
    what: str
    """What is being saved, for messages: "the highlight", "the note"..."""
    operation: Callable[[], T]
    on_saved: Callable[[T], None]
    on_failed: Callable[[ReaderError], None]


class Saver:
    """The app's saves: at once when the database is free, else in order in the background."""

    def __init__(self, app: App[None], store: Store) -> None:
        self._app = app
        self._store = store
        self._executor: ThreadPoolExecutor | None = None
        self._last: Future[None] | None = None
        """The background save handed over last (the thread runs them in order)."""
        self._pending = 0
        """Jobs handed to the background thread and not finished (UI thread only)."""
        self._closing = threading.Event()
        self._unsaved: list[str] = []
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        """How many saves are waiting in the background."""
        return self._pending

    @property
    def unsaved(self) -> list[str]:
        """What could not be saved before `close` gave up (for a last message)."""
        with self._lock:
            return list(self._unsaved)

    def save(
        self,
        what: str,
        operation: Callable[[], T],
        on_saved: Callable[[T], None] | None = None,
        on_failed: Callable[[ReaderError], None] | None = None,
        *,
        background: bool = False,
    ) -> None:
        """Run `operation` (a store write) now if the lock is free, else in the background
        (always there when `background`: a write too big to make the UI wait for)."""
        job = _Job(what, operation, on_saved or _ignore, on_failed or self._notify_failure)
        if self._pending == 0 and not background and not self._closing.is_set():
            try:
                with self._store.without_waiting():
                    result = operation()
            except StoreBusyError:
                pass
            except ReaderError as error:
                job.on_failed(error)
                return
            else:
                job.on_saved(result)
                return
        self._pending += 1
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reader-save")
        self._last = self._executor.submit(self._run, job)

    async def idle(self) -> None:
        """Return once every background save handed over so far is written or has failed.
        Its callback is then on its way to the UI thread (the next message it handles)."""
        if self._last is not None:
            await asyncio.wrap_future(self._last)

    def _notify_failure(self, error: ReaderError) -> None:
        self._app.notify(str(error), severity="error")

    def _run(self, job: _Job[T]) -> None:
        """Background thread: try until saved, refused, or the app closes."""
        started = time.monotonic()
        told = False
        while True:
            try:
                with self._store.without_waiting():
                    result = job.operation()
            except StoreBusyError as busy:
                if self._closing.is_set():
                    with self._lock:
                        self._unsaved.append(job.what)
                    self._finish(job.on_failed, busy)
                    return
                waited = time.monotonic() - started
                if not told and waited >= self._store.lock_timeout_seconds:
                    told = True
                    self._call(
                        self._app.notify,
                        f"{job.what.capitalize()} is not saved yet: another reader process has "
                        f"held the database for {waited:.0f} seconds. It stays on screen and is "
                        "saved as soon as the database is free.",
                        severity="warning",
                        timeout=10,
                    )
                self._closing.wait(RETRY_SECONDS)
                continue
            except ReaderError as error:
                self._finish(job.on_failed, error)
                return
            except Exception as error:  # a bug must not kill the thread and every later save
                self._finish(job.on_failed, ReaderError(f"Could not save {job.what}: {error}."))
                return
            self._finish(job.on_saved, result)
            if told:
                self._call(self._app.notify, f"{job.what.capitalize()} is saved now.", timeout=3)
            return

    def _finish(self, callback: Callable[[T], None], value: T) -> None:
        def done() -> None:
            self._pending -= 1
            callback(value)

        self._call(done)

    def _call(self, callback: Callable[..., object], *args: object, **kwargs: object) -> None:
        """Run `callback` on the UI thread, without waiting for it (dropped once the app
        has stopped: `call_from_thread` would wait forever for a loop that is gone)."""
        self._app.post_message(SaveDone(partial(callback, *args, **kwargs)))

    def close(self, grace_seconds: float = 2.0) -> None:
        """Give background saves `grace_seconds` to finish, then stop; see `unsaved`."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        timer = threading.Timer(grace_seconds, self._closing.set)
        timer.start()
        try:
            executor.shutdown(wait=True)
        finally:
            timer.cancel()
            self._closing.set()


def _ignore(_result: object) -> None:
    return None

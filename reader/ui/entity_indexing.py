"""Indexing the library's entities in the background while the app runs.

The app pokes the `EntityIndexer` when it looks for changes (`check_for_changes`, every two
seconds by default) and once shortly after it starts: a poke starts a pass on a daemon thread
unless one is running (then another starts when it ends). A pass opens the
entity index beside the store (`reader.entities.index`), returns at once when nothing changed
(a few `stat` calls), and otherwise brings it up to date: new and changed articles extracted,
corrections re-applied, removed articles dropped. So an existing library is indexed on first
start, an article added by the app, a feed refresh or another process is indexed within a
tick of arriving, and a correction reaches the index at the next tick. Reading never waits:
the UI thread only starts threads and takes progress.

Progress goes to the app's `entity_indexing` reactive (`IndexingState`: screens watch it; the
library's title line shows "Indexing entities 120/300" while a pass with at least
`SHOWN_FROM` articles runs, and the Entities screen re-reads the index as batches land). The
model is the app's (`entity_extractor`, shared with the Entities panes): loaded on the first
pass that has something to extract, unless a pane loaded it first.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from reader.errors import ReaderError
from reader.ui.base import IndexingState, ReaderBase

#: Seconds after start-up before the first pass (the library is painted and usable first).
FIRST_PASS_DELAY = 1.0
#: Passes extracting fewer articles than this do not show in the library's title line.
SHOWN_FROM = 10


class EntityIndexer:
    """The app's background entity indexing: one pass at a time, on a daemon thread."""

    def __init__(self, app: ReaderBase) -> None:
        self._app = app
        self._running = False
        self._again = False
        self._stopping = False
        self._signature: str | None = None

    @property
    def running(self) -> bool:
        """Whether a pass is under way."""
        return self._running

    def poke(self) -> None:
        """Look for articles to index now, on a thread (UI thread; returns at once)."""
        app = self._app
        if self._stopping or app.store.read_only:
            return
        if self._running:
            self._again = True
            return
        self._running = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the app's loop (the app is closing)
            self._running = False
            return
        thread = threading.Thread(
            target=self._run_pass, args=(loop,), name="reader-entities", daemon=True
        )
        thread.start()

    def stop(self) -> None:
        """Stop after the batch being extracted (the app is closing)."""
        self._stopping = True

    def _run_pass(self, loop: asyncio.AbstractEventLoop) -> None:
        """One pass (on the indexing thread); the UI thread then decides whether another is due."""
        changed = 0
        try:
            changed = self._pass(loop)
        except (ReaderError, OSError) as error:
            _call_soon(loop, self._failed, str(error))
        except Exception as error:  # the index must never take the app down
            _call_soon(loop, self._failed, f"{type(error).__name__}: {error}")
        _call_soon(loop, self._ended, changed)

    def _ended(self, changed: int) -> None:
        """A pass is over (UI thread): its result in the app's state and `running` false in one
        step, so a screen that sees the indexer stopped also sees what it did; a poke that came
        during the pass starts the next one."""
        self._running = False
        again = self._again and not self._stopping
        self._again = False
        self._finished(changed)
        if again:
            self.poke()

    def _pass(self, loop: asyncio.AbstractEventLoop) -> int:
        from reader.entities.index import EntityIndex, model_signature

        if self._signature is None:
            self._signature = model_signature()
        store = self._app.store
        # The app's model, shared with its Entities panes, loaded when a pass first extracts.
        with EntityIndex.open(store, self._app.entity_extractor, self._signature) as index:
            if index.is_current():
                return 0

            def progress(done: int, total: int) -> None:
                _call_soon(loop, self._progress, done, total)

            index.update(progress, lambda: self._stopping)
            return index.last_changed

    def _progress(self, done: int, total: int) -> None:
        state = self._app.entity_indexing
        self._app.entity_indexing = IndexingState(True, done, total, state.runs, state.passes)

    def _finished(self, changed: int) -> None:
        state = self._app.entity_indexing
        runs = state.runs + (1 if changed else 0)
        self._app.entity_indexing = IndexingState(False, 0, 0, runs, state.passes + 1)

    def _failed(self, message: str) -> None:
        self._app.notify(
            f"The library's entities could not be indexed: {message}",
            severity="warning",
            timeout=10,
        )


def indexing_label(state: IndexingState) -> str:
    """What the library's title line adds while entities are being indexed ("" otherwise)."""
    if not state.running or state.total < SHOWN_FROM:
        return ""
    return f" — Indexing entities {state.done}/{state.total}…"


def _call_soon(
    loop: asyncio.AbstractEventLoop, callback: Callable[..., object], *args: object
) -> None:
    """`callback(*args)` on the loop's thread, unless the loop has closed (the app quit)."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback, *args)

"""Refreshing feeds while the app runs: on request (the feeds screen, the library, the palette)
and every `refresh_interval` seconds when that setting is on.

A refresh runs in a Textual worker that waits for a daemon thread doing the fetching and
saving (`reader.ingest.library.refresh_feeds`), so the UI thread never waits for the network
or the database, and quitting never waits for a stalled server. Progress goes to the app's
`feeds_refresh` reactive (screens watch it); the outcome is one notification, and screens are
told with `ArticlesArrived` when articles came in.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, TypeVar

from textual.timer import Timer

from reader.errors import ReaderError
from reader.ui.base import ReaderBase, RefreshState
from reader.ui.messages import ArticlesArrived

if TYPE_CHECKING:
    from reader.ingest.library import RefreshReport

T = TypeVar("T")

#: The setting that keeps the interval (seconds; 0 or missing: off).
INTERVAL_SETTING = "feeds.refresh_seconds"
#: The intervals the palette and the feeds screen offer: (seconds, name).
INTERVALS: tuple[tuple[float, str], ...] = (
    (0, "off"),
    (15 * 60, "every 15 min"),
    (60 * 60, "every hour"),
    (6 * 60 * 60, "every 6 hours"),
)


def interval_name(seconds: float) -> str:
    """How the interval is called on screen ("off", "every hour", or "every 90 s")."""
    for value, name in INTERVALS:
        if value == seconds:
            return name
    if seconds <= 0:
        return "off"
    if seconds % 60 == 0:
        return f"every {seconds / 60:.0f} min"
    return f"every {seconds:g} s"


def saved_interval(value: object) -> float:
    """The interval a saved setting holds (anything that is not a positive number: off)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return 0.0
    return float(value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


#: Failed feeds a refresh's notification names (one a line); the rest are counted.
NAMED_FAILURES = 3


def refresh_summary(report: RefreshReport) -> str:
    """One notification for a refresh: "5 new articles from 3 feeds; 1 failed: NAME: why.";
    several failed feeds are named one a line under it."""
    new = len(report.new_articles)
    if new:
        feeds = sum(1 for result in report.results if result.new)
        said = f"{_plural(new, 'new article')} from {_plural(feeds, 'feed')}"
    else:
        checked = len(report.results) - len(report.failed)
        said = f"No new articles ({_plural(checked, 'feed')} checked)"
    failed = report.failed
    if len(failed) == 1:
        name = failed[0].title or failed[0].url
        said += f"; 1 failed: {name}: {failed[0].error.rstrip('.')}"
    elif failed:  # each name on its own line: an Arabic and a Latin name in one line mix up
        names = "".join(f"\n{result.title or result.url}" for result in failed[:NAMED_FAILURES])
        more = len(failed) - NAMED_FAILURES
        said += f"; {len(failed)} failed (the feeds screen says why):{names}"
        if more > 0:
            said += f"\nand {more} more"
        return said
    return said + "."


async def in_thread(work: Callable[[], T]) -> T:
    """Run `work` on a daemon thread and wait for it without blocking the event loop.

    Not Textual's thread worker: its threads belong to the loop's executor, which the
    interpreter waits for at exit, so quitting during a stalled fetch would hang until its
    deadline. A daemon thread is dropped at exit (every store write is atomic)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def succeed(outcome: T) -> None:
        if not future.done():  # done: the worker was cancelled (the app is closing)
            future.set_result(outcome)

    def fail(error: BaseException) -> None:
        if not future.done():
            future.set_exception(error)

    def run() -> None:
        try:
            outcome = work()
        except BaseException as error:  # handed to the awaiting worker
            _call_soon(loop, fail, error)
        else:
            _call_soon(loop, succeed, outcome)

    threading.Thread(target=run, name="reader-feeds", daemon=True).start()
    return await future


def _call_soon(
    loop: asyncio.AbstractEventLoop, callback: Callable[..., object], *args: object
) -> None:
    """`callback(*args)` on the loop's thread, unless the loop has closed (the app quit)."""
    with contextlib.suppress(RuntimeError):  # a closed loop: the app has quit
        loop.call_soon_threadsafe(callback, *args)


class FeedRefresher:
    """The app's feed refreshes: one at a time, on request or on the interval timer."""

    def __init__(self, app: ReaderBase) -> None:
        self._app = app
        self._timer: Timer | None = None

    @property
    def running(self) -> bool:
        """Whether a refresh is under way."""
        return self._app.feeds_refresh.running

    def refresh(self, urls: Collection[str] = (), *, quiet: bool = False) -> bool:
        """Start refreshing the feeds at `urls` (none: every feed); False when nothing started
        (a refresh is running, or there is no feed). `quiet` (the interval's refreshes) says
        nothing unless articles arrived or a feed failed."""
        app = self._app
        state = app.feeds_refresh
        if state.running:
            if not quiet:
                app.notify(f"Feeds are being refreshed already ({state.done}/{state.total}).")
            return False
        try:
            feeds = [f for f in app.store.list_feeds() if not urls or f.url in urls]
        except ReaderError as error:
            if not quiet:
                app.notify(str(error), severity="error")
            return False
        if not feeds:
            if not quiet:
                app.notify("No feeds to refresh; add one on the feeds screen (f, then a).")
            return False
        if app.store.read_only:
            if not quiet:
                app.notify("The library is read-only; feeds cannot be refreshed.", severity="error")
            return False
        app.feeds_refresh = RefreshState(True, 0, len(feeds), state.runs)
        chosen = {feed.url for feed in feeds}
        app.run_worker(self._run(chosen, quiet), group="feeds", exit_on_error=False)
        return True

    async def _run(self, urls: set[str], quiet: bool) -> None:
        from reader.ingest.library import refresh_feeds

        app = self._app
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int, _label: str) -> None:  # on the refresh thread
            _call_soon(loop, self._progress, done, total)

        try:
            report = await in_thread(lambda: refresh_feeds(app.store, progress, urls=urls))
        except Exception as error:
            self._finished()
            message = str(error) if isinstance(error, ReaderError) else f"{error}."
            app.notify(f"The feeds could not be refreshed: {message}", severity="error")
            return
        self._finished()
        arrived = len(report.new_articles)
        if arrived:
            for screen in app.screen_stack:
                screen.post_message(ArticlesArrived(arrived))
        if quiet and not arrived and not report.failed:
            return
        app.notify(refresh_summary(report), severity="warning" if report.failed else "information")

    def _progress(self, done: int, total: int) -> None:
        state = self._app.feeds_refresh
        if state.running:
            self._app.feeds_refresh = RefreshState(True, done, total, state.runs)

    def _finished(self) -> None:
        runs = self._app.feeds_refresh.runs + 1
        self._app.feeds_refresh = RefreshState(False, 0, 0, runs)

    # ------------------------------------------------------------ the interval

    def schedule(self, seconds: float) -> None:
        """Refresh every feed every `seconds` from now on (0: stop)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if seconds > 0:
            self._timer = self._app.set_interval(seconds, self._tick, name="feeds-refresh")

    def _tick(self) -> None:
        if not self.running:
            self.refresh(quiet=True)

"""The search screen: search the whole library (titles, sources, text, notes, tags) as you type.

Opened from the library with `s` (or "Search the library" in the command palette). The query
is read by the same code as `reader search` (`reader.search`: Arabic folding, proclitics off
the front of words, every word needed, quotes for a phrase); results come from the same
index, best first, each with its title, source, where the hit is (the text, a highlight, a
note, a tag) and a snippet with the matches marked. Enter opens the article at the match
with every match in its text marked (`n`/`N` step through them, as after a find); Escape
goes back to the library.

Queries run in a thread worker a moment after the last key (DEBOUNCE), so typing never waits
for the index. The index is brought up to date from the store's per-article stamps when the
screen opens and again before a query once STAMP_CHECK seconds have passed, so articles and
notes that any process added or changed meanwhile are found.
"""

from __future__ import annotations

import asyncio
import time
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, ListItem, ListView, Static
from textual.worker import get_current_worker

from reader.errors import ReaderError
from reader.search import SearchIndex, parse_query
from reader.search.query import PLACES, SearchResult, search_index
from reader.text.layout import base_direction
from reader.text.modes import BidiMode
from reader.ui.base import ReaderBase, reader_app
from reader.ui.messages import OpenSearchResult
from reader.ui.screens.common import short_source
from reader.ui.shaped import display_lines
from reader.ui.widgets.footer import FittingFooter
from reader.ui.widgets.marked_text import MarkedText
from reader.ui.widgets.shaped_input import ShapedInput

#: Seconds after the last key before the query runs.
DEBOUNCE = 0.15
#: Seconds after which the index is checked against the store again before a query.
STAMP_CHECK = 2.0
#: Results shown at most (as `reader search` by default; the benchmark measures this many).
LIMIT = 20
HINT = 'Type words to find (every word is needed; "quotes" for a phrase).'


class ResultItem(ListItem):
    """One result: its title (matches marked), source and where the hit is, the snippet."""

    DEFAULT_CSS = """
    ResultItem {
        height: auto;
        padding: 0 1 1 1;
    }
    ResultItem .result-title {
        text-style: bold;
        color: $reader-heading;
    }
    ResultItem .result-meta {
        color: $reader-meta;
    }
    ResultItem .result-snippet {
        max-height: 2;
    }
    """

    def __init__(self, result: SearchResult, *, mode: BidiMode, harakat: bool) -> None:
        super().__init__()
        self.result = result
        self.mode: BidiMode = mode
        self.harakat = harakat

    def compose(self) -> ComposeResult:
        result = self.result
        title_spans = result.title_matches
        yield MarkedText(
            result.title or "(untitled)",
            title_spans if result.title else [],
            mode=self.mode,
            harakat=self.harakat,
            classes="result-title",
        )
        rtl = base_direction(result.title or result.snippet)
        yield MarkedText(
            self.meta(), mode=self.mode, harakat=self.harakat, right=rtl, classes="result-meta"
        )
        if result.snippet:
            yield MarkedText(
                result.snippet,
                result.snippet_matches,
                mode=self.mode,
                harakat=self.harakat,
                classes="result-snippet",
            )

    def meta(self) -> str:
        """The source and where the hit is: "aljazeera.net · in a note"."""
        parts = [short_source(self.result.source), PLACES[self.result.where]]
        return " · ".join(part for part in parts if part)


class SearchScreen(Screen[None]):
    """A search box over the list of results."""

    DEFAULT_CSS = """
    SearchScreen #search-top {
        height: auto;
    }
    SearchScreen #search-title {
        height: 1;
        padding: 0 2;
        text-style: bold;
        color: $reader-heading;
    }
    SearchScreen #search-input {
        margin: 0 1;
    }
    SearchScreen #search-status {
        height: 1;
        padding: 0 2;
        color: $reader-meta;
    }
    SearchScreen #search-results {
        height: 1fr;
        background: $background;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close_search", "Back", id="search.back"),
        Binding("enter", "open_result", "Open", id="search.open", priority=True),
        Binding("down", "move(1)", "Next result", show=False, id="search.down"),
        Binding("up", "move(-1)", "Previous result", show=False, id="search.up"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self._initial = query
        self._timer: Timer | None = None
        self._generation = 0
        """Counts queries asked for: results of an older one are not shown."""
        self._checked_at = -STAMP_CHECK
        """When the index was last brought up to date (time.monotonic)."""
        self._open_when_shown = False
        self.results: list[SearchResult] = []
        """The results on show, best first."""
        self.shown_query = ""
        """The query whose results are on show."""
        self._waiting: list[asyncio.Future[None]] = []
        """Callers of `answered`, told when results are shown."""

    @property
    def reader(self) -> ReaderBase:
        """The app, typed."""
        return reader_app(self)

    def compose(self) -> ComposeResult:
        reader = self.reader
        with Vertical(id="search-top"):
            yield Static(
                "Search the library: titles, sources, text, notes and tags",
                id="search-title",
                markup=False,
            )
            yield ShapedInput(
                self._initial,
                placeholder="Search titles, sources, text, notes and tags…",
                id="search-input",
                select_on_focus=False,
                mode=reader.bidi_mode,
                harakat=reader.harakat,
            )
            yield Static(HINT, id="search-status", markup=False)
        yield ListView(id="search-results")
        yield FittingFooter()

    def on_mount(self) -> None:
        for setting in ("bidi_mode", "harakat"):
            self.watch(self.reader, setting, self._settings_changed, init=False)
        self.query_one("#search-input", Input).focus()
        self._status("Bringing the search index up to date…")
        self._run(self._initial)

    def on_screen_resume(self) -> None:
        """Back from an article: notes may have changed; the query runs again."""
        self._checked_at = -STAMP_CHECK
        self.query_one("#search-input", Input).focus()
        if self.shown_query:
            self._run(self.shown_query, keep_cursor=True)

    def _settings_changed(self) -> None:
        box = self.query_one("#search-input", ShapedInput)
        box.mode = self.reader.bidi_mode
        box.harakat = self.reader.harakat
        self._show(self.shown_query, self.results, None, keep_cursor=True)

    # ------------------------------------------------------------------ querying

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, lambda: self._run(event.value))

    def pending(self) -> bool:
        """True while the box holds a query whose results are not on show yet."""
        return self.query_one("#search-input", Input).value != self.shown_query

    async def answered(self) -> None:
        """Return once the results of the query in the box are on show (past the debounce
        and the search thread); at once if they already are."""
        while self.pending():
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            await waiter

    def _run(self, query: str, *, keep_cursor: bool = False) -> None:
        """Ask for `query`'s results (in a thread); the newest query's are shown."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._generation += 1
        check = time.monotonic() - self._checked_at >= STAMP_CHECK
        if check:
            self._checked_at = time.monotonic()
        self._search(query, self._generation, check, keep_cursor)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str, generation: int, check: bool, keep_cursor: bool) -> None:
        """Bring the index up to date if it is time to, then answer `query` (a thread)."""
        results: list[SearchResult] = []
        error: str | None = None
        store = self.reader.store
        try:
            with SearchIndex.open(store) as index:
                if check:
                    index.update()
                if not parse_query(query).empty:
                    results = search_index(index, query, limit=LIMIT)
        except ReaderError as error_:
            error = str(error_)
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._answer, generation, query, results, error, keep_cursor)

    def _answer(
        self,
        generation: int,
        query: str,
        results: list[SearchResult],
        error: str | None,
        keep_cursor: bool,
    ) -> None:
        if generation != self._generation:
            return  # a newer query is on its way
        self._show(query, results, error, keep_cursor=keep_cursor)
        if self._open_when_shown:
            self._open_when_shown = False
            self.action_open_result()

    def _show(
        self, query: str, results: list[SearchResult], error: str | None, *, keep_cursor: bool
    ) -> None:
        listing = self.query_one("#search-results", ListView)
        chosen = self.selected()
        self.results = results
        self.shown_query = query
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            if not waiter.done():
                waiter.set_result(None)
        mode, harakat = self.reader.bidi_mode, self.reader.harakat
        listing.clear()
        listing.extend(ResultItem(r, mode=mode, harakat=harakat) for r in results)
        if results:
            ids = [r.article_id for r in results]
            keep = keep_cursor and chosen is not None and chosen.article_id in ids
            listing.index = ids.index(chosen.article_id) if keep and chosen else 0
        if error is not None:
            self._status(error)
        elif parse_query(query).empty:
            self._status(HINT)
        else:
            echo = display_lines(query.strip(), 40, mode, harakat=harakat)[0].strip()
            count = len(results)
            if not count:
                self._status(f"No article holds every word of “{echo}”.")
            else:
                more = "+" if count >= LIMIT else ""
                noun = "article" if count == 1 else "articles"
                self._status(f"{count}{more} {noun} for “{echo}”; Enter opens at the match.")

    def _status(self, text: str) -> None:
        self.query_one("#search-status", Static).update(text)

    # ------------------------------------------------------------------ choosing

    def selected(self) -> SearchResult | None:
        """The result under the cursor, if any."""
        listing = self.query_one("#search-results", ListView)
        item = listing.highlighted_child
        return item.result if isinstance(item, ResultItem) else None

    def action_open_result(self) -> None:
        """Open the result under the cursor at its match (once the query typed is answered)."""
        if self.pending():
            self._open_when_shown = True
            self._run(self.query_one("#search-input", Input).value)
            return
        result = self.selected()
        if result is not None:
            self.post_message(OpenSearchResult(result, self.shown_query))

    @on(ListView.Selected, "#search-results")
    def _chosen(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, ResultItem):
            self.post_message(OpenSearchResult(event.item.result, self.shown_query))

    def action_move(self, step: int) -> None:
        """Move through the results (also while typing)."""
        listing = self.query_one("#search-results", ListView)
        if self.results:
            index = listing.index or 0
            listing.index = max(0, min(len(self.results) - 1, index + step))

    def action_close_search(self) -> None:
        """Back to the library (or wherever the search was opened from)."""
        self.dismiss(None)

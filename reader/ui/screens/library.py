"""The library screen: every article, newest first, filtered as you type; Enter opens one.

Unread articles are marked with a dot (in the last column) and counted in the title line;
`m` marks the article under the cursor read or unread, `n` jumps to the next unread one and
`u` shows only unread articles. The read state is saved in the background (one field of one
record), so a keypress never waits for the write. Adding, deleting, archiving and undoing
(`a`, `D`, `x`, `z`, `X`) are the base class's (reader.ui.screens.manage). `f` shows the feeds
screen and `r` refreshes every feed in the background; the list reloads when articles arrive
(`ArticlesArrived`). Opened from the feeds screen, the library shows one feed's articles, and
Escape goes back."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import ClassVar, Literal

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Static

from reader.models import ArticleSummary, now_iso
from reader.store.database import ChangeStamp
from reader.text.arabic import fold_plain
from reader.text.modes import BidiMode
from reader.ui.base import IndexingState, ReaderBase, reader_app
from reader.ui.entity_indexing import indexing_label
from reader.ui.messages import (
    ArticlesArrived,
    CheckForChanges,
    MarkRead,
    OpenArticle,
    RefreshFeeds,
    ShowAllNotes,
    ShowEntities,
    ShowFeeds,
    ShowSearch,
)
from reader.ui.screens.common import short_source, type_into_filter
from reader.ui.screens.manage import ManagedLibrary
from reader.ui.shaped import display_lines, shaped_cell
from reader.ui.widgets.footer import FittingFooter
from reader.ui.widgets.shaped_input import ShapedInput

#: Cells the title column never goes below or above; it takes what the others leave.
TITLE_MIN, TITLE_MAX = 20, 80
#: The source column's widest and narrowest (hosts and file names are cut with "…").
SOURCE_MAX, SOURCE_MIN = 28, 10
DATE_WIDTH = 10
HIGHLIGHTS_HEADER = "Highlights"
#: What the first column shows for an unread article (read ones show nothing).
UNREAD_MARK = "•"
MARK_WIDTH = 1
#: Cells DataTable adds around each column (cell padding 1 each side).
CELL_PADDING = 2
#: Cells kept for the vertical scrollbar.
SCROLLBAR = 2
#: Rows added at once when the table is filled: enough for any screen (and the cursor's
#: row); the rest follow in chunks of FILL_CHUNK after each refresh, so a library of
#: 10,000 articles paints its first screen without waiting for the others.
FIRST_ROWS = 200
FILL_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Columns:
    """Widths of the library's columns for one table width."""

    title: int
    source: int
    date: int
    highlights: int


def column_widths(width: int, longest_source: int) -> Columns:
    """Fit the columns into `width` cells: date and highlights whole, the source up to its
    longest value (at most a fifth of the width, at least SOURCE_MIN), the title the rest."""
    highlights = len(HIGHLIGHTS_HEADER)
    fixed = MARK_WIDTH + DATE_WIDTH + highlights + 5 * CELL_PADDING + SCROLLBAR
    source = max(SOURCE_MIN, min(SOURCE_MAX, width // 5, longest_source))
    title = width - fixed - source
    if title < TITLE_MIN:  # narrow: the source gives way before the title does
        source = max(SOURCE_MIN, source - (TITLE_MIN - title))
        title = width - fixed - source
    return Columns(max(TITLE_MIN, min(TITLE_MAX, title)), source, DATE_WIDTH, highlights)


def title_cell(title: str, width: int, mode: BidiMode, rtl: bool) -> Text:
    """A title shaped for the screen in `width` cells. A long title is cut at its logical
    end, with "…" where that end is: at the visual left for right-to-left titles shown in
    app mode (right-aligned), at the right otherwise (the terminal places it in its mode)."""
    text = title or "(untitled)"
    lines = display_lines(text, width, mode)
    justify: Literal["left", "right"] = "right" if rtl else "left"
    if len(lines) == 1:
        return Text(lines[0].strip(), justify=justify)
    first = display_lines(text, max(1, width - 2), mode)[0].strip()
    if rtl and mode == "app":
        return Text("… " + first, justify=justify)
    return Text(first + " …", justify=justify)


def short_date(summary: ArticleSummary) -> str:
    """The published date (else the date added), as YYYY-MM-DD."""
    return (summary.published or summary.added)[:10]


class LazyCell:
    """A table cell built the first time it is drawn (or read): adding a row costs nothing,
    and only the rows scrolled into view have their titles shaped.

    It has no `__rich_measure__`: the library's columns have fixed widths, and DataTable
    measures every cell of every new row otherwise. `str()` is the cell's text."""

    __slots__ = ("_build", "_text")

    def __init__(self, build: Callable[[], Text]) -> None:
        self._build: Callable[[], Text] | None = build
        self._text: Text | None = None

    @property
    def built(self) -> bool:
        """Whether the cell has been built (drawn or read)."""
        return self._text is not None

    @property
    def text(self) -> Text:
        """The cell, built now if it was not yet."""
        if self._text is None:
            assert self._build is not None
            self._text, self._build = self._build(), None
        return self._text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text

    def __str__(self) -> str:
        return self.text.plain

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyCell | str):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


def _plain_cell(text: str, justify: Literal["left", "right"] = "left") -> LazyCell:
    return LazyCell(partial(Text, text, justify=justify, no_wrap=True, end=""))


@dataclass(slots=True)
class _Row:
    """One article's row, built once: its cells stay while the article's title, source and
    date stay and the columns and bidi mode do (filtering and reloading reuse them)."""

    summary: ArticleSummary
    short: str
    """The source as the Source column shows it (a host or a file name)."""
    cells: tuple[LazyCell, LazyCell, LazyCell] | None = None
    """Title, source and date, for `layout`."""
    layout: tuple[Columns, BidiMode] | None = None
    haystack: str | None = None
    """Title and source folded for the filter (on first use)."""
    drawn: tuple[int, bool] | None = None
    """The highlight count and read state the table shows for it."""

    def folded(self) -> str:
        if self.haystack is None:
            self.haystack = fold_plain(f"{self.summary.title} {self.summary.source}")
        return self.haystack


def _same_look(old: ArticleSummary, new: ArticleSummary) -> bool:
    """Whether an article's title, source and date cells stay as they are."""
    return (
        old.title == new.title
        and old.source == new.source
        and old.direction == new.direction
        and short_date(old) == short_date(new)
    )


@dataclass(slots=True)
class _Fill:
    """The rows still to be added to the table, in order (a fill in progress)."""

    generation: int
    rows: list[_Row] = field(default_factory=list)
    done: int = 0


class LibraryScreen(ManagedLibrary):
    """All articles in a table with a filter box above it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="library.open"),
        Binding("slash", "filter", "Filter", id="library.filter"),
        Binding("s", "search", "Search", id="library.search"),
        Binding("E", "entities", "Entities", id="library.entities"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear"),
        Binding("down,j", "cursor(1)", "Next article", show=False, id="library.down"),
        Binding("up,k", "cursor(-1)", "Previous article", show=False, id="library.up"),
        Binding("m", "toggle_read", "Read/unread", id="library.toggle_read"),
        Binding("n", "next_unread", "Next unread", id="library.next_unread"),
        Binding("u", "unread_only", "Unread only", id="library.unread_only"),
        Binding("A", "all_notes", "All notes", show=False, id="library.all_notes"),
        Binding("f", "feeds", "Feeds", id="library.feeds"),
        Binding("r", "refresh_feeds", "Refresh all feeds", id="library.refresh_feeds"),
    ]

    def __init__(self, *, feed_url: str = "", feed_title: str = "") -> None:
        """`feed_url`: show only the articles that feed brought (`feed_title` names it)."""
        super().__init__()
        self.feed_url = feed_url
        self.feed_title = feed_title
        self._summaries: list[ArticleSummary] = []
        self._columns: Columns | None = None
        self._unread_only = False
        self._rows: dict[str, _Row] = {}
        """Every article's row by id, built once (see `_Row`)."""
        self._shown: list[str] = []
        """The ids the table shows (or is being filled with), in order."""
        self._longest_source = 0
        self._fill_state = _Fill(0)
        self._stamp: ChangeStamp | None = None
        """The store's change stamp when the list was last read."""

    @property
    def reader(self) -> ReaderBase:
        """The app, typed."""
        return reader_app(self)

    def compose(self) -> ComposeResult:
        yield Static("Library", id="library-title")
        yield ShapedInput(
            placeholder="Type to filter by title or source…",
            id="filter",
            select_on_focus=False,
            mode=self.reader.bidi_mode,
            harakat=self.reader.harakat,
        )
        yield DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield FittingFooter()

    def on_mount(self) -> None:
        for setting in ("bidi_mode", "harakat"):
            self.watch(self.reader, setting, self._settings_changed, init=False)
        self.watch(self.reader, "feeds_refresh", self.feeds_refresh_changed, init=False)
        self.watch(self.reader, "entity_indexing", self._indexing_changed, init=False)
        self.reload()
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        """Columns follow the width: the table is laid out again when it changes."""
        if self._columns != self._fit_columns():
            self._fill(self.query_one("#filter", Input).value)

    def _fit_columns(self) -> Columns:
        width = self.size.width or self.app.size.width
        return column_widths(width, self._longest_source)

    def on_screen_resume(self) -> None:
        """Back from an article: counts may have changed; keys go to the list again."""
        self.reload_if_changed()
        self.query_one(DataTable).focus()

    def on_check_for_changes(self, message: CheckForChanges) -> None:
        """The app's timer: show what other processes added, changed or removed, if anything."""
        self.reload_if_changed()

    def reload_if_changed(self) -> bool:
        """Read the list again if any process changed the library since it was read (a few
        `stat` calls when nothing did); whether it was read."""
        if self.reader.store.change_stamp().same_library(self._stamp):
            return False
        self.reload()
        return True

    def reload(self) -> None:
        """Read the article list from the store and show it through the filter: rows of
        articles that did not change are kept as they are, the cursor stays on its article."""
        store = self.reader.store
        self._stamp = store.change_stamp()
        self._set_summaries(self.listed(store.list_articles()))
        self._fill(self.query_one("#filter", Input).value)

    def _set_summaries(self, summaries: list[ArticleSummary]) -> None:
        """Take a fresh list, keeping the built cells of every article that looks the same."""
        rows: dict[str, _Row] = {}
        old = self._rows
        for summary in summaries:
            row = old.get(summary.id)
            if row is not None and _same_look(row.summary, summary):
                row.summary = summary
            else:
                row = _Row(summary, short_source(summary.source))
            rows[summary.id] = row
        self._rows = rows
        self._summaries = summaries
        self._longest_source = max((cell_len(r.short) for r in rows.values()), default=0)

    def _settings_changed(self) -> None:
        """The bidi mode or harakat changed: titles and the filter box are shaped again."""
        box = self.query_one("#filter", ShapedInput)
        box.mode = self.reader.bidi_mode
        box.harakat = self.reader.harakat
        self._columns = None  # every title is shaped again
        self._fill(box.value)

    def _fill(self, query: str) -> None:
        """Show the summaries whose title or source contains `query` (Arabic-aware).

        When the same articles are shown in the same order, only the cells that changed (a
        highlight count, the unread mark) are redrawn. Otherwise the table is filled again:
        the first FIRST_ROWS rows (and any up to the cursor's article) at once, the rest in
        chunks after each refresh. Cells are built when first drawn (`LazyCell`)."""
        table = self.query_one(DataTable)
        selected = self.selected_id()
        columns = self._fit_columns()
        shown = self._matching(query)
        ids = [row.summary.id for row in shown]
        if columns == self._columns and ids == self._shown:
            self._update_cells(table, shown)
            self._fill_state.rows = shown  # rows still to come are added as they are now
            self._show_label(query, len(ids))
            return
        if columns != self._columns:
            self._columns = columns
            table.clear(columns=True)
            table.add_column("Title", key="title", width=columns.title)
            table.add_column("Source", key="source", width=columns.source)
            table.add_column("Date", key="date", width=columns.date)
            table.add_column(HIGHLIGHTS_HEADER, key="highlights", width=columns.highlights)
            table.add_column("", key="unread", width=MARK_WIDTH)  # • when unread
        else:
            table.clear()
        self._shown = ids
        fill = self._fill_state = _Fill(self._fill_state.generation + 1, shown)
        first = FIRST_ROWS
        if selected is not None and selected in ids:
            first = max(first, ids.index(selected) + FIRST_ROWS // 2)
        self._add_rows(table, fill, first)
        self._show_label(query, len(ids))
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))

    def _matching(self, query: str) -> list[_Row]:
        """The rows the filter and the unread-only switch let through, in library order."""
        needle = fold_plain(query.strip())
        rows: Iterable[_Row] = (self._rows[summary.id] for summary in self._summaries)
        if needle:
            rows = (row for row in rows if needle in row.folded())
        if self._unread_only:
            rows = (row for row in rows if not row.summary.read)
        if self.feed_url:
            rows = (row for row in rows if row.summary.feed_url == self.feed_url)
        return list(rows)

    def _cells(self, row: _Row, sources: dict[str, str]) -> tuple[LazyCell, LazyCell, LazyCell]:
        """The row's title, source and date cells for the table's columns and bidi mode,
        made (not yet built) when it has none for them."""
        assert self._columns is not None
        columns, mode = self._columns, self.reader.bidi_mode
        if row.cells is None or row.layout != (columns, mode):
            summary = row.summary
            rtl = summary.direction == "rtl"
            row.layout = (columns, mode)
            row.cells = (
                LazyCell(partial(title_cell, summary.title, columns.title, mode, rtl)),
                LazyCell(partial(shaped_cell, row.short, columns.source, mode, sources)),
                _plain_cell(short_date(summary)),
            )
        return row.cells

    def _add_rows(self, table: DataTable[object], fill: _Fill, count: int) -> None:
        """Add the next `count` rows of `fill`; schedule the rest after the next refresh."""
        sources: dict[str, str] = {}  # each source laid out once per fill
        end = min(len(fill.rows), fill.done + count)
        for row in fill.rows[fill.done : end]:
            summary = row.summary
            table.add_row(
                *self._cells(row, sources),
                _plain_cell(str(summary.highlights), "right"),
                "" if summary.read else UNREAD_MARK,
                key=summary.id,
            )
            row.drawn = (summary.highlights, summary.read)
        fill.done = end
        if fill.done < len(fill.rows):
            self.call_after_refresh(self._fill_more, fill.generation)

    def _fill_more(self, generation: int) -> None:
        fill = self._fill_state
        if generation == fill.generation and self.is_attached:
            self._add_rows(self.query_one(DataTable), fill, FILL_CHUNK)

    def _update_cells(self, table: DataTable[object], shown: list[_Row]) -> None:
        """Redraw the cells that changed in the rows the table has: every cell of an article
        whose title, source or date changed (its row is new), else its count and mark."""
        sources: dict[str, str] = {}
        for row in shown[: table.row_count]:
            summary = row.summary
            key = summary.id
            if row.drawn is None:  # a new row for this article: it looks different now
                cells = self._cells(row, sources)
                for column, cell in zip(("title", "source", "date"), cells, strict=True):
                    table.update_cell(key, column, cell)
                row.drawn = (-1, not summary.read)
            if row.drawn == (summary.highlights, summary.read):
                continue
            if row.drawn[0] != summary.highlights:
                table.update_cell(key, "highlights", _plain_cell(str(summary.highlights), "right"))
            if row.drawn[1] != summary.read:
                table.update_cell(key, "unread", "" if summary.read else UNREAD_MARK)
            row.drawn = (summary.highlights, summary.read)

    def _show_label(self, query: str, shown: int) -> None:
        """The title line: how many articles, how many unread, what the filter shows."""
        summaries = self._summaries
        label = "Archived articles" if self.show_archived else "Library"
        if self.feed_url:
            summaries = [s for s in summaries if s.feed_url == self.feed_url]
            name = display_lines(self.feed_title or self.feed_url, 50, self.reader.bidi_mode)
            label = f"Feed “{name[0].strip()}”"
        total = len(summaries)
        unread = sum(1 for summary in summaries if not summary.read)
        label += f" — {total} article{'s' if total != 1 else ''}, {unread} unread"
        if self._unread_only:
            label += f"; only unread shown ({shown})"
        if query.strip():
            echo = display_lines(query.strip(), 40, self.reader.bidi_mode)[0].strip()
            label += f", {shown} shown for “{echo}”"
        indexing = indexing_label(self.reader.entity_indexing)
        self.query_one("#library-title", Static).update(label + self.activity() + indexing)

    def _indexing_changed(self, before: IndexingState, now: IndexingState) -> None:
        """The title line says how far entity indexing is (only while a big pass runs)."""
        if indexing_label(before) != indexing_label(now):
            self.show_label()

    def show_label(self) -> None:
        """Write the title line again (an add in progress moved on)."""
        self._show_label(self.query_one("#filter", Input).value, len(self._shown))

    def selected_id(self) -> str | None:
        """Id of the article under the cursor, if any."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # an empty or changing table has no cursor row
            return None
        return key.value

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_open()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(OpenArticle(event.row_key.value))

    def action_open(self) -> None:
        """Open the article under the cursor."""
        article_id = self.selected_id()
        if article_id:
            self.post_message(OpenArticle(article_id))

    def _summary(self, article_id: str) -> ArticleSummary | None:
        row = self._rows.get(article_id)
        return None if row is None else row.summary

    def summary(self, article_id: str) -> ArticleSummary | None:
        """The listed article with this id."""
        return self._summary(article_id)

    def action_toggle_read(self) -> None:
        """Mark the article under the cursor read, or unread when it was read."""
        article_id = self.selected_id()
        summary = None if article_id is None else self._summary(article_id)
        if summary is None or article_id is None:
            return
        read = not summary.read
        summary.read_at = now_iso() if read else ""
        query = self.query_one("#filter", Input).value
        if self._unread_only:
            self._fill(query)
        else:  # one cell, not the whole table (thousands of rows)
            table = self.query_one(DataTable)
            table.update_cell(article_id, "unread", "" if read else UNREAD_MARK)
            row = self._rows[article_id]
            if row.drawn is not None:
                row.drawn = (row.drawn[0], read)
            self._show_label(query, len(self._shown))
        self.post_message(MarkRead(article_id, read))

    def action_next_unread(self) -> None:
        """Move the cursor to the next unread article below it (wrapping to the top)."""
        table = self.query_one(DataTable)
        count = table.row_count
        if not count:
            return
        unread = {s.id for s in self._summaries if not s.read}
        for step in range(1, count + 1):
            row = (table.cursor_row + step) % count
            key = table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value
            if key in unread:
                table.move_cursor(row=row)
                return
        self.notify("No unread articles.")

    def action_unread_only(self) -> None:
        """Show only unread articles, or every article again."""
        self._unread_only = not self._unread_only
        self._fill(self.query_one("#filter", Input).value)

    def action_all_notes(self) -> None:
        """Every highlight and note in the library (as A does in an article: the library is
        where the app opens, and an unbound A would start a filter instead)."""
        self.post_message(ShowAllNotes())

    def action_filter(self) -> None:
        """Focus the filter box now: the keys already queued behind "/" then go to it."""
        self.set_focus(self.query_one("#filter", Input))

    def action_search(self) -> None:
        """Search the whole library: titles, sources, text, notes and tags."""
        self.post_message(ShowSearch())

    def action_entities(self) -> None:
        """Every person, organisation and place the library names (the Entities screen)."""
        self.post_message(ShowEntities())

    def action_clear_filter(self) -> None:
        """Empty the filter and go back to the list; with none, a feed's list goes back to the
        feeds screen."""
        box = self.query_one("#filter", Input)
        if self.feed_url and not box.value and self.focused is not box:
            self.dismiss()
            return
        box.value = ""
        self.query_one(DataTable).focus()

    def action_feeds(self) -> None:
        """Show the feeds screen (from a feed's articles: back to it)."""
        if self.feed_url:
            self.dismiss()
        else:
            self.post_message(ShowFeeds())

    def action_refresh_feeds(self) -> None:
        """Refresh every feed in the background; the list reloads when articles arrive."""
        self.post_message(RefreshFeeds())

    def on_articles_arrived(self, message: ArticlesArrived) -> None:
        """A feed refresh (or a subscription) brought articles: show them."""
        self.reload()

    def action_cursor(self, step: int) -> None:
        """Move the list cursor (also while typing in the filter)."""
        table = self.query_one(DataTable)
        if table.row_count:
            row = max(0, min(table.row_count - 1, table.cursor_row + step))
            table.move_cursor(row=row)

    def on_key(self, event: events.Key) -> None:
        """ "/" focuses the filter at once; typing a letter on the list starts filtering."""
        box = self.query_one("#filter", Input)
        type_into_filter(self, event, self.query_one(DataTable), box)

"""The library screen: every article, newest first, filtered as you type; Enter opens one.

Unread articles are marked with a dot (in the last column) and counted in the title line;
`m` marks the article under the cursor read or unread, `n` jumps to the next unread one and
`u` shows only unread articles. The read state is saved in the background (one field of one
record), so a keypress never waits for the write. Adding, deleting, archiving and undoing
(`a`, `D`, `x`, `z`, `X`) are the base class's (reader.ui.screens.manage)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Static

from reader.models import ArticleSummary, now_iso
from reader.text.arabic import fold_plain
from reader.text.modes import BidiMode
from reader.ui.base import ReaderBase, reader_app
from reader.ui.messages import MarkRead, OpenArticle
from reader.ui.screens.common import short_source
from reader.ui.screens.manage import ManagedLibrary
from reader.ui.shaped import shaped_cell
from reader.ui.widgets.article_view import display_lines
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


class LibraryScreen(ManagedLibrary):
    """All articles in a table with a filter box above it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="library.open"),
        Binding("slash", "filter", "Filter", id="library.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear"),
        Binding("down,j", "cursor(1)", "Next article", show=False, id="library.down"),
        Binding("up,k", "cursor(-1)", "Previous article", show=False, id="library.up"),
        Binding("m", "toggle_read", "Read/unread", id="library.toggle_read"),
        Binding("n", "next_unread", "Next unread", id="library.next_unread"),
        Binding("u", "unread_only", "Unread only", id="library.unread_only"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._summaries: list[ArticleSummary] = []
        self._columns: Columns | None = None
        self._unread_only = False

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
        self.reload()
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        """Columns follow the width: the table is laid out again when it changes."""
        if self._columns != self._fit_columns():
            self._fill(self.query_one("#filter", Input).value)

    def _fit_columns(self) -> Columns:
        width = self.size.width or self.app.size.width
        longest = max((cell_len(short_source(s.source)) for s in self._summaries), default=0)
        return column_widths(width, longest)

    def on_screen_resume(self) -> None:
        """Back from an article: counts may have changed; keys go to the list again."""
        self.reload()
        self.query_one(DataTable).focus()

    def reload(self) -> None:
        """Read the article list from the store and show it through the filter."""
        self._summaries = self.listed(self.reader.store.list_articles())
        self._fill(self.query_one("#filter", Input).value)

    def _settings_changed(self) -> None:
        """The bidi mode or harakat changed: titles and the filter box are shaped again."""
        box = self.query_one("#filter", ShapedInput)
        box.mode = self.reader.bidi_mode
        box.harakat = self.reader.harakat
        self._fill(box.value)

    def _fill(self, query: str) -> None:
        """Show the summaries whose title or source contains `query` (Arabic-aware)."""
        table = self.query_one(DataTable)
        selected = self.selected_id()
        columns = self._fit_columns()
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
        needle = fold_plain(query.strip())
        mode = self.reader.bidi_mode
        sources: dict[str, str] = {}  # each source laid out once per fill
        shown = 0
        for summary in self._summaries:
            if needle and needle not in fold_plain(f"{summary.title} {summary.source}"):
                continue
            if self._unread_only and summary.read:
                continue
            table.add_row(
                title_cell(summary.title, columns.title, mode, summary.direction == "rtl"),
                shaped_cell(short_source(summary.source), columns.source, mode, sources),
                short_date(summary),
                Text(str(summary.highlights), justify="right"),
                "" if summary.read else UNREAD_MARK,
                key=summary.id,
            )
            shown += 1
        self._show_label(query, shown)
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))

    def _show_label(self, query: str, shown: int) -> None:
        """The title line: how many articles, how many unread, what the filter shows."""
        total = len(self._summaries)
        unread = sum(1 for summary in self._summaries if not summary.read)
        heading = "Archived articles" if self.show_archived else "Library"
        label = f"{heading} — {total} article{'s' if total != 1 else ''}, {unread} unread"
        if self._unread_only:
            label += f"; only unread shown ({shown})"
        if query.strip():
            echo = display_lines(query.strip(), 40, self.reader.bidi_mode)[0].strip()
            label += f", {shown} shown for “{echo}”"
        self.query_one("#library-title", Static).update(label + self.activity())

    def show_label(self) -> None:
        """Write the title line again (an add in progress moved on)."""
        self._show_label(
            self.query_one("#filter", Input).value, self.query_one(DataTable).row_count
        )

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
        return next((s for s in self._summaries if s.id == article_id), None)

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
            self._show_label(query, table.row_count)
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

    def action_filter(self) -> None:
        """Focus the filter box."""
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Empty the filter and go back to the list."""
        self.query_one("#filter", Input).value = ""
        self.query_one(DataTable).focus()

    def action_cursor(self, step: int) -> None:
        """Move the list cursor (also while typing in the filter)."""
        table = self.query_one(DataTable)
        if table.row_count:
            row = max(0, min(table.row_count - 1, table.cursor_row + step))
            table.move_cursor(row=row)

    def on_key(self, event: events.Key) -> None:
        """Typing a letter on the list starts filtering (unbound keys only)."""
        table = self.query_one(DataTable)
        if self.focused is not table or not event.is_printable or not event.character:
            return
        if event.key in self.active_bindings or event.character in self.active_bindings:
            return
        box = self.query_one("#filter", Input)
        box.focus()
        box.insert_text_at_cursor(event.character)
        event.stop()
        event.prevent_default()

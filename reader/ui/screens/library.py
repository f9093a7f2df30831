"""The library screen: every article, newest first, filtered as you type; Enter opens one."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from reader.arabic import fold_plain
from reader.models import ArticleSummary
from reader.ui.screens.common import short_source
from reader.ui.widgets.article_view import display_lines

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp

#: Cells given to the title column; titles are shaped and cut to this.
TITLE_WIDTH = 60


def short_date(summary: ArticleSummary) -> str:
    """The published date (else the date added), as YYYY-MM-DD."""
    return (summary.published or summary.added)[:10]


class LibraryScreen(Screen[None]):
    """All articles in a table with a filter box above it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="library.open"),
        Binding("slash", "filter", "Filter", id="library.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear"),
        Binding("down,j", "cursor(1)", "Next article", show=False, id="library.down"),
        Binding("up,k", "cursor(-1)", "Previous article", show=False, id="library.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._summaries: list[ArticleSummary] = []

    @property
    def reader(self) -> ReaderApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("Library", id="library-title")
        yield Input(
            placeholder="Type to filter by title or source…", id="filter", select_on_focus=False
        )
        yield DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Title", key="title", width=TITLE_WIDTH)
        table.add_column("Source", key="source")
        table.add_column("Date", key="date", width=10)
        table.add_column("Notes", key="highlights", width=5)
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        """Back from an article: counts may have changed; keys go to the list again."""
        self.reload()
        self.query_one(DataTable).focus()

    def reload(self) -> None:
        """Read the article list from the store and show it through the filter."""
        self._summaries = self.reader.store.list_articles()
        self._fill(self.query_one("#filter", Input).value)

    def apply_bidi(self) -> None:
        """The bidi mode changed: titles are shaped again."""
        self._fill(self.query_one("#filter", Input).value)

    def _fill(self, query: str) -> None:
        """Show the summaries whose title or source contains `query` (Arabic-aware)."""
        table = self.query_one(DataTable)
        selected = self.selected_id()
        table.clear()
        needle = fold_plain(query.strip())
        mode = self.reader.bidi_mode
        shown = 0
        for summary in self._summaries:
            if needle and needle not in fold_plain(f"{summary.title} {summary.source}"):
                continue
            lines = display_lines(summary.title or "(untitled)", TITLE_WIDTH, mode)
            title = lines[0].strip() + (" …" if len(lines) > 1 else "")
            table.add_row(
                Text(title, justify="right" if summary.direction == "rtl" else "left"),
                short_source(summary.source),
                short_date(summary),
                Text(str(summary.highlights), justify="right"),
                key=summary.id,
            )
            shown += 1
        total = len(self._summaries)
        label = f"Library — {total} article{'s' if total != 1 else ''}"
        if needle:
            # The filter box shows Arabic unjoined (Textual's Input); echo it shaped here.
            echo = display_lines(query.strip(), 40, mode)[0].strip()
            label += f", {shown} shown for “{echo}”"
        self.query_one("#library-title", Static).update(label)
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))

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

    def visible_ids(self) -> list[str]:
        """Ids in the order shown (for previous/next article)."""
        return [summary.id for summary in self._summaries]

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_open()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.reader.open_article(event.row_key.value)

    def action_open(self) -> None:
        """Open the article under the cursor."""
        article_id = self.selected_id()
        if article_id:
            self.reader.open_article(article_id)

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

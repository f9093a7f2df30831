"""The feeds screen: every subscription with its unread articles, last refresh and last error.

`a` subscribes to a feed (its URL, or a site's page that links one: the same service as
`reader feed add`), `D` unsubscribes (after asking; the articles stay), `r` refreshes the feed
under the cursor and `R` every feed, `i` steps through the background refresh intervals, and
Enter shows the feed's articles (the library filtered to it). Fetching runs in the background
(`reader.ui.feed_refresh`): the screen shows how far the refresh is and can be left meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, ProgressBar, Static

from reader.errors import ReaderError
from reader.models import Feed
from reader.text.modes import BidiMode
from reader.text.sanitize import printable
from reader.ui.base import ReaderBase, RefreshState, reader_app
from reader.ui.feed_refresh import INTERVALS, in_thread, interval_name
from reader.ui.messages import ArticlesArrived, CheckForChanges, RefreshFeeds, ShowFeedArticles
from reader.ui.shaped import shaped_cell
from reader.ui.widgets.footer import FittingFooter
from reader.ui.widgets.shaped_input import ShapedInput
from reader.ui.widgets.shaped_text import ShapedText

UNREAD_WIDTH = 6
REFRESHED_WIDTH = 12
#: The title column's narrowest and widest; the last error takes the rest.
TITLE_MIN, TITLE_MAX = 16, 48
ERROR_MIN = 10
#: Cells DataTable adds around each column (cell padding 1 each side), and the scrollbar's.
CELL_PADDING, SCROLLBAR = 2, 2
#: Until this old a refresh is said relatively ("12 min ago"); older, by its date.
RELATIVE_DAYS = 7


@dataclass(frozen=True, slots=True)
class FeedColumns:
    """Widths of the feeds table's columns for one screen width."""

    title: int
    error: int


def feed_columns(width: int) -> FeedColumns:
    """Unread and last refresh whole; the title up to TITLE_MAX (about 45%), the error the rest."""
    rest = width - UNREAD_WIDTH - REFRESHED_WIDTH - 4 * CELL_PADDING - SCROLLBAR
    title = max(TITLE_MIN, min(TITLE_MAX, rest * 45 // 100))
    return FeedColumns(title, max(ERROR_MIN, rest - title))


def relative_time(stamp: str, now: datetime) -> str:
    """When `stamp` (ISO 8601) was, as the list says it: "just now", "12 min ago", "3 h ago",
    "2 days ago"; older than RELATIVE_DAYS, its date; "never" when empty."""
    if not stamp:
        return "never"
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return printable(stamp[:10], line=True)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (now - when).total_seconds()
    if seconds < 0 or seconds >= RELATIVE_DAYS * 86400:
        return when.date().isoformat()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 86400:
        return f"{seconds // 3600:.0f} h ago"
    days = int(seconds // 86400)
    return f"{days} day{'s' if days != 1 else ''} ago"


def error_cell(error: str, url: str) -> str:
    """The last error as its cell says it: without the feed's URL, which the line under the
    table shows ("https://x/feed answered 404 Not Found." is "Answered 404 Not Found.")."""
    if url and error.startswith(url + " "):
        rest = error[len(url) + 1 :]
        return rest[:1].upper() + rest[1:]
    return error.replace(f" {url}:", ":") if url else error


class FeedsScreen(Screen[None]):
    """The subscriptions in a table, with what the last refresh did."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "show_articles", "Articles", id="feeds.open"),
        Binding("a", "add_feed", "Add feed", id="feeds.add"),
        Binding("D", "remove", "Remove feed", id="feeds.remove"),
        Binding("r", "refresh_one", "Refresh", id="feeds.refresh"),
        Binding("R", "refresh_all", "Refresh all feeds", id="feeds.refresh_all"),
        Binding("i", "interval", "Refresh interval", id="feeds.interval"),
        Binding("escape", "back_to_library", "Library", id="feeds.back"),
        Binding("down,j", "move(1)", "Next feed", show=False, id="feeds.down"),
        Binding("up,k", "move(-1)", "Previous feed", show=False, id="feeds.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._feeds: list[Feed] = []
        self._unread: dict[str, int] = {}
        self._columns: FeedColumns | None = None
        self._adding = ""
        """The URL being subscribed to in the background, if any."""
        self._stamp: tuple[object, object] = (None, None)
        """The feeds and library files as they were when last read."""

    @property
    def reader(self) -> ReaderBase:
        """The app, typed."""
        return reader_app(self)

    def compose(self) -> ComposeResult:
        yield Static("Feeds", id="feeds-title")
        yield DataTable(id="feeds", cursor_type="row", zebra_stripes=True)
        yield ShapedText(id="feed-detail", mode=self.reader.bidi_mode)
        with Horizontal(id="feeds-progress-row"):
            yield ProgressBar(id="feeds-progress", show_eta=False)
            yield Static("", id="feeds-status")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.watch(self.reader, "bidi_mode", self._bidi_changed, init=False)
        self.watch(self.reader, "feeds_refresh", self._refresh_changed, init=False)
        self.watch(self.reader, "refresh_interval", self._interval_changed, init=False)
        self.reload()
        self._refresh_changed(self.reader.feeds_refresh)
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        """Back from a feed's articles: unread counts may have changed."""
        self.reload()
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        """Columns follow the width."""
        if self._columns != feed_columns(self.size.width or self.app.size.width):
            self._fill()

    def on_articles_arrived(self, message: ArticlesArrived) -> None:
        """A refresh brought articles: unread counts changed."""
        self.reload()

    def on_check_for_changes(self, message: CheckForChanges) -> None:
        """The app's timer: another process (`reader refresh`, `reader feed add`, `reader
        feed remove`) changed the feeds or the articles: read them again."""
        stamp = self.reader.store.change_stamp()
        if (stamp.feeds, stamp.library) != self._stamp:
            self.reload()

    # ------------------------------------------------------------ the table

    def reload(self) -> None:
        """Read the feeds and unread counts from the store and show them."""
        stamp = self.reader.store.change_stamp()
        self._stamp = (stamp.feeds, stamp.library)
        try:
            self._feeds = self.reader.store.list_feeds()
            self._unread = self.reader.store.unread_by_feed()
        except ReaderError as error:
            self.notify(str(error), severity="error")
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        selected = self.selected_url()
        columns = feed_columns(self.size.width or self.app.size.width)
        if columns != self._columns:
            self._columns = columns
            table.clear(columns=True)
            table.add_column("Title", key="title", width=columns.title)
            table.add_column("Unread", key="unread", width=UNREAD_WIDTH)
            table.add_column("Last refresh", key="refreshed", width=REFRESHED_WIDTH)
            table.add_column("Last error", key="error", width=columns.error)
        else:
            table.clear()
        mode = self.reader.bidi_mode
        now = datetime.now(UTC)
        for feed in self._feeds:
            table.add_row(
                shaped_cell(feed.title or feed.url, columns.title, mode),
                Text(str(self._unread.get(feed.url, 0)), justify="right"),
                relative_time(feed.last_checked, now),
                shaped_cell(error_cell(feed.last_error, feed.url), columns.error, mode),
                key=feed.url,
            )
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        self._show_title()
        self._show_detail()

    def _show_title(self) -> None:
        count = len(self._feeds)
        unread = sum(self._unread.values())
        interval = interval_name(self.reader.refresh_interval)
        label = (
            f"Feeds — {count} subscription{'s' if count != 1 else ''}, {unread} unread; "
            f"background refresh {interval}"
        )
        self.query_one("#feeds-title", Static).update(label)

    def _show_detail(self) -> None:
        """Under the table: the selected feed's address, folder and whole last error."""
        detail = self.query_one("#feed-detail", ShapedText)
        feed = self.selected_feed()
        if feed is None:
            detail.update("No feeds yet: press a to subscribe to a feed or a site's page.")
            return
        lines = [printable(feed.url, line=True)]
        if feed.folder:
            lines[0] += f" · folder {printable(feed.folder, line=True)}"
        if feed.last_error:
            lines.append(f"Last refresh failed: {printable(feed.last_error, line=True)}")
        detail.update("\n".join(lines))

    def selected_url(self) -> str | None:
        """The URL of the feed under the cursor, if any."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # an empty or changing table has no cursor row
            return None
        return key.value

    def selected_feed(self) -> Feed | None:
        """The feed under the cursor, if any."""
        url = self.selected_url()
        return next((feed for feed in self._feeds if feed.url == url), None)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_show_articles()

    def _bidi_changed(self) -> None:
        self.query_one("#feed-detail", ShapedText).mode = self.reader.bidi_mode
        self._fill()

    def _interval_changed(self) -> None:
        self._show_title()

    # ------------------------------------------------------------ progress

    def _refresh_changed(self, state: RefreshState) -> None:
        """The background refresh moved on: show how far; reload when it finished."""
        row = self.query_one("#feeds-progress-row")
        bar = self.query_one("#feeds-progress", ProgressBar)
        status = self.query_one("#feeds-status", Static)
        if state.running:
            row.display = True
            bar.update(total=state.total, progress=state.done)
            total = state.total
            status.update(f"Refreshing: {state.done}/{total} feed{'s' if total != 1 else ''}")
        elif self._adding:
            row.display = True
            bar.update(total=None)
            status.update(f"Looking for a feed at {printable(self._adding, line=True)}…")
        else:
            row.display = False
            status.update("")
        if not state.running and state.runs:
            self.reload()

    # ------------------------------------------------------------ actions

    def action_move(self, step: int) -> None:
        """Move the cursor one feed down or up."""
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_show_articles(self) -> None:
        """Show the articles of the feed under the cursor."""
        feed = self.selected_feed()
        if feed is not None:
            self.post_message(ShowFeedArticles(feed.url, feed.title or feed.url))

    def action_back_to_library(self) -> None:
        """Back to the library."""
        self.dismiss()

    def action_refresh_one(self) -> None:
        """Refresh the feed under the cursor, in the background."""
        feed = self.selected_feed()
        if feed is not None:
            self.post_message(RefreshFeeds((feed.url,)))

    def action_refresh_all(self) -> None:
        """Refresh every feed, in the background."""
        self.post_message(RefreshFeeds())

    def action_interval(self) -> None:
        """Step to the next background refresh interval (off, 15 min, 1 h, 6 h, off...)."""
        values = [seconds for seconds, _ in INTERVALS]
        current = self.reader.refresh_interval
        following = next((value for value in values if value > current), values[0])
        self.reader.refresh_interval = following
        if following:
            self.notify(f"Feeds are refreshed {interval_name(following)} while reader runs.")
        else:
            self.notify("Background refresh is off; r and R refresh when you ask.")

    def action_add_feed(self) -> None:
        """Ask for a feed's or a site's URL and subscribe to it in the background."""
        if self._adding:
            self.notify(f"Still looking for a feed at {self._adding}.")
            return

        def chosen(url: str | None) -> None:
            if url:
                self._add(url)

        self.app.push_screen(AddFeedScreen(), chosen)

    @work(group="feed-add", exit_on_error=False)
    async def _add(self, url: str) -> None:
        """Subscribe to `url` (or the feed its page links) on a background thread."""
        from reader.commands.library import found_sentence
        from reader.ingest.library import add_found_feed, find_feed

        store = self.reader.store
        self._adding = url
        self._refresh_changed(self.reader.feeds_refresh)
        try:
            if store.read_only:
                raise ReaderError("The library is read-only; no feed can be added.")
            found = await in_thread(lambda: find_feed(url))
            feed, report = await in_thread(lambda: add_found_feed(store, found))
        except ReaderError as error:
            self.notify(str(error), severity="error", timeout=10)
            return
        except Exception as error:  # a parser's bug: said, the app goes on
            self.notify(f"Could not add {url}: {error}.", severity="error", timeout=10)
            return
        finally:
            self._adding = ""
            self._refresh_changed(self.reader.feeds_refresh)
        name = feed.title or feed.url
        said = found_sentence(found, name) if found.page else f"Subscribed to {name}."
        count = len(report.added)
        said += f" {count} new article{'s' if count != 1 else ''}."
        self.notify(said, timeout=10)
        self.reload()
        table = self.query_one(DataTable)
        if feed.url in table.rows:
            table.move_cursor(row=table.get_row_index(feed.url))
        if count:
            for screen in self.app.screen_stack:
                if screen is not self:
                    screen.post_message(ArticlesArrived(count))

    def action_remove(self) -> None:
        """Unsubscribe from the feed under the cursor, after asking (its articles stay)."""
        feed = self.selected_feed()
        if feed is None:
            return
        articles = sum(1 for s in self.reader.store.list_articles() if s.feed_url == feed.url)
        name = feed.title or feed.url

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(feed.url, name)

        self.app.push_screen(RemoveFeedScreen(name, articles, mode=self.reader.bidi_mode), answered)

    def _remove(self, url: str, name: str) -> None:
        from reader.ingest.library import remove_feed

        def removed(_: None) -> None:
            self.notify(f"Unsubscribed from {name}; its articles stay in the library.")
            self.reload()

        self.reader.saver.save(
            "the unsubscription", lambda: remove_feed(self.reader.store, url), removed
        )


class AddFeedScreen(ModalScreen[str | None]):
    """Asks for the URL of a feed, or of a site's page that links one."""

    DEFAULT_CSS = """
    AddFeedScreen {
        align: center middle;
    }
    AddFeedScreen > Vertical {
        width: 72;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $panel;
        padding: 0 1;
    }
    AddFeedScreen .dialog-title {
        text-style: bold;
    }
    AddFeedScreen .dialog-hint {
        width: 100%;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="add_feed.cancel"),
    ]

    def compose(self) -> ComposeResult:
        reader = reader_app(self)
        with Vertical():
            yield Label("Subscribe to a feed", classes="dialog-title")
            yield ShapedInput(  # typed Arabic (an IDN, a path) is drawn shaped, as everywhere
                placeholder="https://example.com/feed.xml or a site's page",
                id="feed-url",
                mode=reader.bidi_mode,
                harakat=reader.harakat,
            )
            yield Label(
                "A site's page will do: reader subscribes to the first feed it links. "
                "Enter subscribes, Escape cancels.",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        url = event.value.strip()
        if not url:
            self.dismiss(None)
            return
        if "://" not in url:
            url = "https://" + url  # "example.com" is what people type
        if not url.startswith(("http://", "https://")):
            self.notify(f"{url} is not an http or https URL.", severity="error")
            return
        self.dismiss(url)

    def action_cancel(self) -> None:
        """Close without subscribing."""
        self.dismiss(None)


class RemoveFeedScreen(ModalScreen[bool]):
    """Asks before unsubscribing: says that the feed's articles stay."""

    DEFAULT_CSS = """
    RemoveFeedScreen {
        align: center middle;
    }
    RemoveFeedScreen > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $panel;
        padding: 0 1;
    }
    RemoveFeedScreen .dialog-hint {
        width: 100%;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Unsubscribe", id="remove_feed.yes"),
        Binding("n,escape", "answer(False)", "Keep", id="remove_feed.no"),
    ]

    def __init__(self, name: str, articles: int, *, mode: BidiMode) -> None:
        super().__init__()
        self._feed_name = name
        self._articles = articles
        self._mode = mode

    def compose(self) -> ComposeResult:
        count = self._articles
        if count == 1:
            stay = "Its 1 article stays in the library."
        elif count:
            stay = f"Its {count} articles stay in the library."
        else:
            stay = "It has no articles in the library."
        with Vertical():
            yield ShapedText(f"Unsubscribe from {self._feed_name}?\n{stay}", mode=self._mode)
            yield Label("y unsubscribes; n or Escape keeps it.", classes="dialog-hint")

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)

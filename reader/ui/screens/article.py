"""The article screen: header, the article view, the side pane, find, and the footer."""

from __future__ import annotations

import webbrowser
from collections.abc import Iterator
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from reader.errors import ReaderError
from reader.ingest.metadata import byline_parts
from reader.ingest.teaser import full_text_tried, remember_full_text_try, wants_full_text
from reader.ingest.urls import original_link
from reader.models import Annotation, Article
from reader.notes.anchors import make_annotation, reanchor
from reader.text.arabic import find_all
from reader.text.modes import BidiMode
from reader.text.sanitize import printable
from reader.ui.base import ReaderBase, reader_app
from reader.ui.feed_refresh import in_thread
from reader.ui.messages import (
    AnnotationChosen,
    ArticleScrolled,
    AskEntityName,
    AskEntityType,
    AskPick,
    AskSelection,
    CheckForChanges,
    EditNote,
    EntitySelected,
    HighlightsChanged,
    MarkRead,
    MentionJump,
    NoteResult,
    ShowLibrary,
)
from reader.ui.shaped import display_lines, shaped_parts
from reader.ui.widgets.footer import FittingFooter
from reader.ui.widgets.highlight_view import ReadingView
from reader.ui.widgets.shaped_input import ShapedInput
from reader.ui.widgets.side_pane import SidePane

#: Narrowest screen on which the side pane sits beside the article (50 columns + the pane's 42).
PANE_OVERLAY_BELOW = 92

#: Seconds between saves of the reading position while scrolling.
POSITION_SAVE_INTERVAL = 1.0


def position_key(article_id: str) -> str:
    """The setting that remembers where the reader was in an article."""
    return f"position:{article_id}"


#: Characters from the reading position that carry it to a changed text (`carried_position`).
POSITION_CONTEXT = 40


def carried_position(old: Article, new: Article, offset: int) -> int:
    """Where `offset` in `old`'s text is in `new`'s: the passage there is anchored in the new
    text as a highlight would be (reader.notes.anchors); if it cannot be, the same fraction
    of the text."""
    text = old.text
    if not text or offset <= 0:
        return 0
    start = min(offset, len(text) - 1)
    end = min(len(text), start + POSITION_CONTEXT)
    moved = reanchor(make_annotation(old, start, end), new.text)
    if not moved.orphan:
        return moved.start
    return min(len(new.text), offset * len(new.text) // max(1, len(text)))


class ArticleHeader(Vertical):
    """Title, source and date of the open article."""

    def compose(self) -> ComposeResult:
        yield Static(id="article-title", markup=False)
        yield Static(id="article-meta", markup=False)

    def show(self, article: Article, mode: BidiMode, width: int, percent: int = 0) -> None:
        """Fill in the header for `article` (title shaped like the body) and how far into
        it the reading position is, as a percentage."""
        rtl = article.direction == "rtl"
        self.set_class(rtl, "-rtl")
        lines = display_lines(article.title or "(untitled)", max(10, width), mode)
        title = Text("\n".join(line.strip() for line in lines))
        for static in self.query(Static):
            static.styles.width = width
        self.query_one("#article-title", Static).update(title)
        self.query_one("#article-meta", Static).update(self._meta(article, mode, percent))

    @staticmethod
    def _meta(article: Article, mode: BidiMode, percent: int) -> Text:
        byline = shaped_parts(byline_parts(article), mode)
        return Text(f"{byline} · {percent}%" if byline else f"{percent}%")

    def show_percent(self, article: Article, mode: BidiMode, percent: int) -> None:
        """Only the reading percentage changed (a scroll): redraw the byline line. The screen
        is laid out again only when the line's length changed (9% to 10%): at the same width
        the same number of cells wraps the same, and a scroll by one line need not rearrange
        every widget."""
        meta = self.query_one("#article-meta", Static)
        text = self._meta(article, mode, percent)
        previous = meta.content
        if isinstance(previous, Text) and previous.plain == text.plain:
            return
        same_length = isinstance(previous, Text) and previous.cell_len == text.cell_len
        meta.update(text, layout=not same_length)


class FindBar(Horizontal):
    """The find box and its match count, docked at the bottom while finding."""

    def __init__(
        self,
        mode: BidiMode = "app",
        harakat: bool = True,
        *,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id)
        self.mode: BidiMode = mode
        self.harakat = harakat

    def compose(self) -> ComposeResult:
        yield Static("Find:", id="find-label")
        yield ShapedInput(
            placeholder="word or phrase (Arabic-aware)",
            id="find-input",
            mode=self.mode,
            harakat=self.harakat,
        )
        yield Static("", id="find-status", markup=False)


class ArticleScreen(Screen[None]):
    """Reads one article; `[` and `]` move through the library's order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="article.back"),
        Binding("slash", "find", "Find", id="article.find"),
        Binding("n", "find_next", "Next match", id="article.find_next"),
        Binding("N", "find_previous", "Previous match", id="article.find_previous"),
        Binding("left_square_bracket", "previous_article", "Prev", id="article.previous"),
        Binding("right_square_bracket", "next_article", "Next", id="article.next"),
        Binding("i", "toggle_pane", "Entities/Notes", id="article.pane"),
        Binding("I", "next_pane_tab", "Other pane tab", show=False, id="article.pane_tab"),
        Binding("e", "export", "Export", id="article.export"),
        Binding("o", "open_original", "Open original", show=False, id="article.open_original"),
        Binding("y", "copy_link", "Copy link", show=False, id="article.copy_link"),
        Binding("F", "fetch_full_text", "Full text", show=False, id="article.full_text"),
    ]

    #: Below PANE_OVERLAY_BELOW columns the article beside the 42-cell pane would get fewer
    #: than 50: the screen is then "-narrow" and the pane lies over the article (app.tcss).
    #: Only this screen has breakpoints: on every other screen (dialogs above all) the class
    #: change after the first layout would restyle and lay out the whole screen once more.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 - Screen declares it without ClassVar
        (0, "-narrow"),
        (PANE_OVERLAY_BELOW, "-wide"),
    ]

    def __init__(self, article: Article) -> None:
        super().__init__()
        self.article = article
        """The article on show."""
        self._matches: list[tuple[int, int]] = []
        self._match_index = -1
        self._position_dirty = False
        self._position = 0
        self._find_bar: FindBar | None = None
        self._annotations_stamp: tuple[int, int, int] | None = None
        """The article's annotation file as it was when its highlights were read."""
        self._library_stamp: tuple[int, int, int] | None = None
        """The library file as it was when the article was read."""

    @property
    def reader(self) -> ReaderBase:
        """The app, typed."""
        return reader_app(self)

    @property
    def view(self) -> ReadingView:
        """The article body widget."""
        return self.query_one(ReadingView)

    def compose(self) -> ComposeResult:
        reader = self.reader
        yield ArticleHeader(id="article-header")
        with Horizontal(id="article-body"):
            yield ReadingView(  # ArticleView + cursor, selection, highlights
                mode=reader.bidi_mode,
                harakat=reader.harakat,
                reading_width=reader.reading_width,
                store=reader.store,
                saver=reader.saver,
                id="article-view",
            )
            yield SidePane(mode=reader.bidi_mode, id="side-pane")
        yield FittingFooter()

    def on_mount(self) -> None:
        for setting in ("bidi_mode", "harakat", "reading_width"):
            self.watch(self.reader, setting, self._settings_changed, init=False)
        self._show(self.article)
        self.view.focus()
        self.set_interval(POSITION_SAVE_INTERVAL, self._save_position_if_moved)
        # The find bar is built just after the first paint, so the article shows sooner and
        # "/" followed by fast typing finds the box already there.
        self.call_after_refresh(self._prepare_find_bar)

    async def _prepare_find_bar(self) -> FindBar:
        """Mount the (hidden) find bar once."""
        if self._find_bar is None:
            self._find_bar = FindBar(self.reader.bidi_mode, self.reader.harakat, id="find-bar")
            await self.mount(self._find_bar, before=self.query_one(FittingFooter))
        return self._find_bar

    def _show(self, article: Article, offset: int | None = None) -> None:
        """Put `article` on screen at `offset`, else at its remembered position."""
        self.article = article
        if offset is None:
            saved = self.reader.store.get_setting(position_key(article.id), 0)
            offset = saved if isinstance(saved, int) else 0
        self._position = offset
        self._annotations_stamp = self.reader.store.annotations_stamp(article.id)
        self._library_stamp = self.reader.store.change_stamp().library
        self.view.set_article(article, offset=self._position)
        self._matches = []
        self._match_index = -1
        self._refresh_header()
        self.call_after_refresh(self._refresh_header)  # the percentage, once laid out
        self.post_message(MarkRead(article.id))
        self.query_one(SidePane).show_article(self.reader.store, article, self.reader.saver)
        self.sub_title = printable(article.title, line=True)
        query = self.find_query()
        if query and self._find_open():
            self._run_find(query, jump=False)
        self._fetch_if_teaser(article)

    def _fetch_if_teaser(self, article: Article) -> None:
        """A short feed entry (a teaser, reader.ingest.teaser) opened for the first time gets
        its full article in the background, as F does, when the setting is on; each entry is
        tried once, so an offline failure is not tried again on every open."""
        reader = self.reader
        if not reader.auto_full_text or reader.store.read_only or reader.saver.pending:
            return
        if not wants_full_text(article):
            return
        try:
            if full_text_tried(reader.store, article.id):
                return
        except ReaderError:
            return
        self._full_text_worker(article.id, auto=True)

    def on_check_for_changes(self, message: CheckForChanges) -> None:
        """The app's timer: when another process changed this article's text (`reader
        refresh`, `reader fulltext`), show the new text at the same passage; when it saved
        highlights of this article (`reader import`), show them as saved now; the cursor,
        selection and place stay. Not while a save of this app is still waiting: that is
        looked at again on the next tick."""
        if self.reader.saver.pending:
            return
        if self._article_changed_elsewhere():
            return
        stamp = self.reader.store.annotations_stamp(self.article.id)
        if stamp == self._annotations_stamp or self.reader.saver.pending:
            return
        self._annotations_stamp = stamp
        try:
            self.view.reload_annotations()
        except ReaderError as error:
            self.notify(str(error), severity="error")

    def _article_changed_elsewhere(self) -> bool:
        """Whether the library file moved and this article's text or title with it: then the
        new version is shown (`replace_article`)."""
        store = self.reader.store
        library = store.change_stamp().library
        if library is None or library == self._library_stamp:
            return False
        if any(
            w.node is self and w.group == "full-text" and not w.is_finished for w in self.workers
        ):
            return False  # this screen's own fetch is saving it: shown when it is done
        self._library_stamp = library
        try:
            fresh = store.get_article(self.article.id)
        except ReaderError:
            return False  # its body is being written or is damaged: the text on show stays
        if fresh is None or (fresh.text == self.article.text and fresh.title == self.article.title):
            return False
        self.replace_article(fresh)
        self.notify("This article changed on disk; it shows the new text at the same place.")
        return True

    def replace_article(self, article: Article) -> None:
        """The same article changed on disk: show the new text at the passage the reader was
        at (carried over as a highlight is), its highlights read again."""
        offset = carried_position(self.article, article, self._position)
        self._show(article, offset)
        self.save_position_now(offset)

    def save_position_now(self, offset: int) -> None:
        """Remember `offset` as the reading position (the text changed under it)."""
        self._position = offset
        self._position_dirty = True
        self.save_position()

    def _refresh_header(self) -> None:
        header = self.query_one(ArticleHeader)
        width = min(self.reader.reading_width, max(10, self.size.width - 4))  # padding 0 2
        header.show(self.article, self.reader.bidi_mode, width, self.percent_read())

    def percent_read(self) -> int:
        """How far into the article the reading position is: 100 at the end."""
        view = self.view
        laid_out = view.size.height > 0 and view.virtual_size.height > 0
        if laid_out and view.scroll_y >= view.max_scroll_y:  # the end is on screen
            return 100
        length = len(self.article.text)
        return min(99, 100 * self._position // length) if length else 100

    def on_resize(self) -> None:
        self._refresh_header()

    def _settings_changed(self) -> None:
        """A display setting of the app changed: lay out header, body and side pane again."""
        reader = self.reader
        self.view.configure(
            mode=reader.bidi_mode,
            harakat=reader.harakat,
            reading_width=reader.reading_width,
        )
        self.query_one(SidePane).mode = reader.bidi_mode
        self._refresh_header()
        if self._find_bar is not None:
            for box in self._find_bar.query("#find-input").results(ShapedInput):
                box.mode = self.reader.bidi_mode
                box.harakat = self.reader.harakat
        self._update_find_status()

    # ------------------------------------------------------------- position

    def on_article_scrolled(self, message: ArticleScrolled) -> None:
        """The reading position moved: saved within POSITION_SAVE_INTERVAL."""
        self._position_dirty = True
        self._position = self.view.top_offset()
        header = self.query_one(ArticleHeader)
        header.show_percent(self.article, self.reader.bidi_mode, self.percent_read())

    def _save_position_if_moved(self) -> None:
        if self._position_dirty:
            self.save_position()

    def save_position(self) -> None:
        """Remember the reading position of the open article."""
        self._position_dirty = False
        offset = self._position
        key = position_key(self.article.id)
        store = self.reader.store
        if store.read_only:
            return  # said once when the database was opened
        try:
            if store.get_setting(key, 0) == offset:
                return
        except ReaderError as error:
            self.notify(str(error), severity="error")
            return
        self.reader.saver.save("the reading position", lambda: store.set_setting(key, offset))

    def on_unmount(self) -> None:
        self.save_position()

    # ------------------------------------------------------------- actions

    def action_back(self) -> None:
        """End the find (bar, marks and "n Next match" go at once), else clear the entity
        marks, else go back to the library."""
        if self._find_open() or self._matches or self.view.marks("find"):
            if self._find_bar is not None:
                self._find_bar.display = False
                for box in self._find_bar.query("#find-input").results(Input):
                    box.value = ""  # the next find starts afresh, with no stale count
            self._clear_find()
            self.view.focus()
            self.refresh_bindings()
            return
        if self.view.marks("entity"):
            self.view.set_marks("entity", [])
            return
        self.save_position()
        self.post_message(ShowLibrary())

    def action_previous_article(self) -> None:
        """Open the article before this one in the library."""
        self._step_article(-1)

    def action_next_article(self) -> None:
        """Open the article after this one in the library."""
        self._step_article(1)

    def _step_article(self, step: int) -> None:
        summaries = self.reader.store.list_articles()
        here = next((s for s in summaries if s.id == self.article.id), None)
        if here is None:
            return
        # The library's view this article is in: archived ones step among archived ones.
        ids = [s.id for s in summaries if s.archived == here.archived]
        index = ids.index(self.article.id) + step
        if not 0 <= index < len(ids):
            self.notify("No more articles that way.", timeout=2)
            return
        try:
            article = self.reader.store.get_article(ids[index])
        except ReaderError as error:  # its saved text is damaged or missing
            self.notify(str(error), severity="error", timeout=10)
            return
        if article is None:
            return
        self.save_position()
        self._show(article)

    def action_toggle_pane(self) -> None:
        """Show or hide the side pane, from whichever tab; closing it gives the keys back to
        the article (a widget in a hidden pane would otherwise keep the focus and swallow them)."""
        pane = self.query_one(SidePane)
        pane.toggle()
        if not pane.is_open:
            self._focus_article_if_lost()

    def action_next_pane_tab(self) -> None:
        """Show the side pane's other tab (Entities or Notes), opening the pane if needed; the
        focus, if it was in the tab now hidden, goes back to the article."""
        self.query_one(SidePane).next_tab()
        self.call_after_refresh(self._focus_article_if_lost)

    def _focus_article_if_lost(self) -> None:
        """Focus the article when nothing, or something hidden, has the focus."""
        focused = self.focused
        if focused is None or not focused.is_on_screen or not focused.display:
            self.view.focus()
            return
        pane = self.query_one(SidePane)
        if not pane.is_open and pane in focused.ancestors:
            self.view.focus()

    def show_pane_tab(self, tab: str) -> None:
        """Open the side pane on `tab` (from the command palette)."""
        self.query_one(SidePane).show_tab(tab)

    def action_fetch_full_text(self) -> None:
        """Fetch the page the article links to and show its full text (in a worker)."""
        if self.reader.saver.pending:
            self.notify("Your highlights are still being saved; press F again in a moment.")
            return
        self.save_position()
        self.notify("Fetching the full article...", title="Full text", timeout=4)
        self._full_text_worker(self.article.id)

    @work(exclusive=True, group="full-text", exit_on_error=False)
    async def _full_text_worker(self, article_id: str, *, auto: bool = False) -> None:
        """Fetch on a daemon thread (quitting never waits for a stalled page); `auto`: on
        opening, remembered as tried first, any failure said once, mildly."""
        from reader.ingest.library import FullText, fetch_full_text

        store = self.reader.store

        def fetch() -> FullText:
            if auto:
                remember_full_text_try(store, article_id)
            return fetch_full_text(store, article_id)

        try:
            report = await in_thread(fetch)
        except Exception as error:
            reason = (
                str(error)
                if isinstance(error, ReaderError)
                else f"Could not fetch the full article: {error}."
            )
            if auto:
                reason = (
                    f"This entry is short, but its full article could not be fetched "
                    f"({reason.rstrip('.')}); F tries again."
                )
            self.notify(reason, severity="warning" if auto else "error", timeout=10)
            return
        self._full_text_arrived(report.article, report.sentence())

    def _full_text_arrived(self, article: Article, sentence: str) -> None:
        if article.id == self.article.id:
            self.replace_article(article)  # at the place the reader got to meanwhile
        self.notify(sentence, title="Full text", timeout=8)

    def full_text_commands(self) -> Iterator[SystemCommand]:
        """The palette's "Fetch the full article"."""
        yield SystemCommand(
            "Fetch the full article",
            "replace a feed entry's teaser with the page its link serves (F)",
            self.action_fetch_full_text,
        )

    def entity_commands(self) -> Iterator[SystemCommand]:
        """The Entities tab's corrections, for the command palette (those not bound to a key
        active now: the palette lists those already)."""
        from reader.ui.widgets.entities_pane import PALETTE_ACTIONS

        bound = {active.binding.description for active in self.active_bindings.values()}
        for name, help_text, action in PALETTE_ACTIONS:
            if name not in bound:
                yield SystemCommand(name, help_text, partial(self.run_entity_action, action))

    def run_entity_action(self, action: str, tries: int = 40) -> None:
        """Open the Entities tab and run its `action` once the article's entities are listed
        (the tab is built on first use: until it is there, try again shortly)."""
        from reader.ui.widgets.entities_pane import EntitiesPane

        pane = next(iter(self.query(EntitiesPane)), None)
        if pane is None:
            if tries == 40:
                self.show_pane_tab("entities")
            if tries > 0:
                self.set_timer(0.05, partial(self.run_entity_action, action, tries - 1))
            return
        self.show_pane_tab("entities")
        pane.when_ready(partial(pane.call_later, pane.run_action, action))

    def show_annotation(self, annotation: Annotation) -> None:
        """Put the reading cursor on a highlight and scroll to it."""
        self.view.jump_to_annotation(annotation)

    def action_export(self) -> None:
        """Export this article's highlights and notes as Markdown."""
        try:
            from reader.notes.export import export_article_file

            path = export_article_file(self.reader.store, self.article.id)
        except ReaderError as error:
            self.notify(str(error), severity="error")
            return
        except ImportError:
            self.notify("Export is not available in this build.", severity="error")
            return
        self.notify(f"Exported to {path}", title="Export")

    @property
    def link(self) -> str:
        """The article's web address, or "" when it came from a file (reader.ingest.urls)."""
        return original_link(self.article.source, self.article.canonical_url, self.article.entry_id)

    def action_open_original(self) -> None:
        """Open the article's web page in the browser (Python's `webbrowser`)."""
        link = self.link
        if not link:
            self.notify("This article has no web address to open.", severity="warning")
            return
        try:
            opened = webbrowser.open(link)
        except webbrowser.Error:
            opened = False
        if opened:
            self.notify(link, title="Opened in the browser", markup=False)
        else:
            self.notify("No web browser could be started here.", severity="warning")

    def action_copy_link(self) -> None:
        """Copy the article's web address to the clipboard (Textual's terminal clipboard)."""
        link = self.link
        if not link:
            self.notify("This article has no web address to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(link)
        self.notify(link, title="Link copied", markup=False)

    def link_commands(self) -> Iterator[SystemCommand]:
        """Palette commands for the article's web address, when it has one."""
        if self.link:
            yield SystemCommand(
                "Open the original in the browser",
                "the article's web page",
                self.action_open_original,
            )
            yield SystemCommand("Copy the link", "the article's web address", self.action_copy_link)

    # ------------------------------------------------------------- side pane messages

    def _reveal(self, offset: int) -> None:
        """Scroll `offset` into the middle of the view unless it is on screen already."""
        start, end = self.view.visible_range()
        if not start <= offset < end:
            self.view.scroll_to_offset(offset, center=True)

    def on_entity_selected(self, message: EntitySelected) -> None:
        """An entity was chosen in the Entities tab: mark every mention of it."""
        spans = message.spans
        self.view.set_marks("entity", [(start, end, "$reader-entity") for start, end in spans])
        if spans:
            self._reveal(spans[0][0])

    def on_mention_jump(self, message: MentionJump) -> None:
        """Next/previous mention of the chosen entity."""
        self._reveal(message.start)

    def on_annotation_chosen(self, message: AnnotationChosen) -> None:
        """A highlight was chosen in the Notes tab: show it."""
        if not message.annotation.orphan:
            self.view.jump_to_annotation(message.annotation)

    def on_ask_entity_type(self, message: AskEntityType) -> None:
        """The Entities tab asks for an entity type: the type dialog."""
        from reader.ui.screens.entity_edit import TypeScreen

        dialog = TypeScreen(
            message.title, message.name, message.current, mode=self.reader.bidi_mode
        )
        self.app.push_screen(dialog, message.then)

    def on_ask_entity_name(self, message: AskEntityName) -> None:
        """The Entities tab asks for a name: the name dialog."""
        from reader.ui.screens.entity_edit import NameScreen

        dialog = NameScreen(message.title, message.name, mode=self.reader.bidi_mode)
        self.app.push_screen(dialog, message.then)

    def on_ask_pick(self, message: AskPick) -> None:
        """The Entities tab asks the reader to pick an entity: the pick dialog."""
        from reader.ui.screens.entity_edit import PickScreen

        mode = self.reader.bidi_mode
        if message.hint is None:
            dialog = PickScreen(message.title, message.choices, mode=mode)
        else:
            dialog = PickScreen(message.title, message.choices, hint=message.hint, mode=mode)
        self.app.push_screen(dialog, message.then)

    def on_ask_selection(self, message: AskSelection) -> None:
        """The Entities tab asks what is selected in the article."""
        view = self.view
        selection = view.selection
        message.then(view.text[selection[0] : selection[1]] if selection is not None else "")

    def on_highlights_changed(self, message: HighlightsChanged) -> None:
        """The article's highlights changed: the Notes tab lists them again."""
        self.query_one(SidePane).show_annotations(message.annotations)

    def on_edit_note(self, message: EditNote) -> None:
        """Open the note dialog on a highlight; the reading view saves what it returns."""
        from reader.ui.screens.note import NoteScreen

        view = self.view
        annotation = message.annotation

        def done(result: NoteResult | None) -> None:
            if result is not None:
                view.apply_note(annotation, result)

        self.app.push_screen(
            NoteScreen(annotation, mode=self.reader.bidi_mode, focus=message.focus), done
        )

    # ------------------------------------------------------------- find

    async def action_find(self) -> None:
        """Open the find bar (built the first time it is needed)."""
        bar = self._find_bar or await self._prepare_find_bar()
        bar.display = True  # inline, at once: a box still hidden by CSS cannot take focus
        # Focus now, not after the queued keys: "/" then fast typing must land in the box.
        self.set_focus(bar.query_one("#find-input", Input))

    async def on_key(self, event: events.Key) -> None:
        """Open find on "/" at once, and send keys that reached the old focus to the box.

        Key bindings run only after a key has bubbled up to the app, by which time a fast typist
        (or a paste) has already sent the next keys to the article view; handling "/" here and
        moving those keys into the box keeps "/word" from running the view's key bindings.
        """
        bar = self._find_bar
        if bar is None:
            return
        box = bar.query_one("#find-input", Input)
        if event.key == "slash" and self.focused is not box:
            bar.display = True  # inline, at once: a box still hidden by CSS cannot take focus
            self.set_focus(box)
        elif self.focused is not box or not bar.display:
            return
        elif event.key == "enter":
            # The box stops the keys it handles itself, so this one came from elsewhere.
            await box.action_submit()
        elif event.is_printable and event.character:
            box.insert_text_at_cursor(event.character)
        else:
            return
        event.stop()
        event.prevent_default()

    def find_query(self) -> str:
        """What the find box holds ("" before it was ever opened, or is still being mounted)."""
        if self._find_bar is None:
            return ""
        boxes = self._find_bar.query("#find-input").results(Input)
        return next((box.value for box in boxes), "")

    def _find_open(self) -> bool:
        return self._find_bar is not None and self._find_bar.display

    @on(Input.Changed, "#find-input")
    def _find_changed(self, event: Input.Changed) -> None:
        self._run_find(event.value, jump=True)

    @on(Input.Submitted, "#find-input")
    def _find_submitted(self) -> None:
        self.view.focus()

    def _run_find(self, query: str, *, jump: bool) -> None:
        """Mark every match of `query` and go to the first at or after the reading position."""
        self._matches = find_all(self.article.text, query) if query.strip() else []
        self.view.set_marks("find", [(s, e, "$reader-find") for s, e in self._matches])
        self._match_index = -1
        if self._matches:
            top = self.view.top_offset()
            self._match_index = next(
                (i for i, (start, _) in enumerate(self._matches) if start >= top), 0
            )
            self._show_match(scroll=jump)
        else:
            self.view.set_marks("find-current", [])
        self._update_find_status()

    def show_matches(self, spans: list[tuple[int, int]], at: int | None = None) -> None:
        """Mark `spans` (a search's matches, an entity's mentions) as find does and go to the
        first (with `at`: to the one starting there): `n`/`N` step through them, Escape
        clears them."""
        self._matches = sorted(spans)
        self.view.set_marks("find", [(s, e, "$reader-find") for s, e in self._matches])
        starts = [start for start, _end in self._matches]
        self._match_index = starts.index(at) if at in starts else 0
        if self._matches:
            self._show_match()
        self.refresh_bindings()

    def _show_match(self, *, scroll: bool = True) -> None:
        start, end = self._matches[self._match_index]
        self.view.set_marks("find-current", [(start, end, "$reader-find-current")])
        visible_start, visible_end = self.view.visible_range()
        if scroll and not (visible_start <= start < visible_end):
            self.view.scroll_to_offset(start, center=True)
        self._update_find_status()

    def _update_find_status(self) -> None:
        if self._find_bar is None:
            return
        query = self.find_query()
        status = next(iter(self._find_bar.query("#find-status").results(Static)), None)
        if status is None:
            return  # the bar is still being mounted (a re-read file arrived first)
        if not query.strip():
            status.update("")
            return
        shaped = display_lines(query, 40, self.reader.bidi_mode)[0].strip()
        if self._matches:
            status.update(f"{shaped}  {self._match_index + 1}/{len(self._matches)}")
        else:
            status.update(f"{shaped}  no matches")

    def _clear_find(self) -> None:
        self._matches = []
        self._match_index = -1
        self.view.set_marks("find", [])
        self.view.set_marks("find-current", [])
        self._update_find_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Next/previous match only while there are matches."""
        if action in ("find_next", "find_previous"):
            return bool(self._matches)
        return True

    def action_find_next(self) -> None:
        """Go to the next match."""
        if self._matches:
            self._match_index = (self._match_index + 1) % len(self._matches)
            self._show_match()

    def action_find_previous(self) -> None:
        """Go to the previous match."""
        if self._matches:
            self._match_index = (self._match_index - 1) % len(self._matches)
            self._show_match()

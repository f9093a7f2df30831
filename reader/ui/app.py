"""The reader app: one factory (`make_app`) for the command line and the tests.

Settings it keeps in the store: `theme`, `bidi_mode`, `reading_width`, `harakat`, the reading
position of each article (`position:<id>`), `feeds.refresh_seconds` (the background feed
refresh; 0: off), and `watch_interval`: how often, in seconds, the app looks for changes other
processes made (default 2; 0 never; `READER_WATCH_SECONDS` overrides it).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from weakref import WeakSet

from textual.app import App, ScreenError, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.css.styles import Styles
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.notifications import Notify
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES, Theme
from textual.widget import Widget
from textual.widgets import Input

from reader.errors import ReaderError
from reader.ingest.teaser import AUTO_FULL_TEXT_SETTING
from reader.models import Article
from reader.paths import resolve_db_path
from reader.store.database import Store
from reader.text.modes import BIDI_ENV, BidiMode, resolve_bidi_mode
from reader.text.sanitize import printable
from reader.ui.base import DEFAULT_READING_WIDTH, MIN_READING_WIDTH, ReaderBase
from reader.ui.commands import READING_WIDTHS, BindingCommands
from reader.ui.entity_indexing import FIRST_PASS_DELAY, EntityIndexer
from reader.ui.feed_refresh import INTERVAL_SETTING, INTERVALS, FeedRefresher, saved_interval
from reader.ui.messages import (
    CheckForChanges,
    EntityCorrectionsChanged,
    MarkRead,
    OpenArticle,
    OpenEntityMention,
    OpenEntityNote,
    OpenSearchResult,
    RefreshFeeds,
    SaveDone,
    ShowAllNotes,
    ShowEntities,
    ShowFeedArticles,
    ShowFeeds,
    ShowLibrary,
    ShowSearch,
)
from reader.ui.saving import Saver
from reader.ui.screens.article import ArticleScreen
from reader.ui.shaped import ShapedNotification, shaped
from reader.ui.themes import (
    DEFAULT_THEME,
    MARK_STYLE_DEFAULTS,
    REQUIRED_VARIABLES,
    ThemeSet,
    derive_reader_variables,
    load_themes,
)
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.side_pane import SidePane

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from reader.entities.extractor import Extractor
    from reader.models import Annotation
    from reader.search.query import SearchResult
    from reader.ui.screens.library import LibraryScreen

APP_CSS = Path(__file__).with_name("app.tcss")

WATCH_ENV = "READER_WATCH_SECONDS"
WATCH_SETTING = "watch_interval"
#: Seconds between looks for changes made by other processes, unless the setting says otherwise.
WATCH_SECONDS = 2.0


def watch_interval(saved: object) -> float:
    """$READER_WATCH_SECONDS, else the saved setting, else WATCH_SECONDS; 0 turns watching off."""
    for value in (os.environ.get(WATCH_ENV), saved):
        if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        try:
            seconds = float(value)
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return WATCH_SECONDS


#: The class that hides a widget (SidePane): removing it makes Textual restyle the widget and
#: everything in it, so a theme switch can leave the inside of a hidden one alone.
HIDDEN_CLASS = "-hidden"


def styled_nodes(root: DOMNode) -> Iterator[DOMNode]:
    """`root` and its descendants (depth first, as Textual walks them) except what lies inside
    a widget hidden by HIDDEN_CLASS: each node restyled costs a refresh of all its descendants
    per colour that changed, and a closed side pane holds most of an article screen's nodes."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if node.has_class(HIDDEN_CLASS) and not node.display:
            continue
        stack.extend(reversed(node.children))


def restyle_once(stylesheet: Stylesheet, nodes: Iterable[DOMNode], *, animate: bool) -> None:
    """`stylesheet.update_nodes(nodes)`, each node refreshed once at the end.

    Textual refreshes a node and all its descendants for every colour rule that changes on it
    (`ColorProperty.__set__` -> `Styles.refresh(children=True)`): on a theme switch that is
    nodes x depth x colours refreshes (a pane row at depth ~9 got ~86 per switch). Here each
    node's base styles record what was asked while the rules are replaced, and then every node
    is refreshed once (the descendants are among `nodes`, so none is missed); layout is asked
    for when any change needed it."""
    listed = list(nodes)
    wanted_layout = False

    def record(*, layout: bool = False, **_: object) -> None:
        nonlocal wanted_layout
        wanted_layout = wanted_layout or layout

    patched: list[Styles] = []
    for node in listed:
        base = node.styles.base
        if "refresh" not in vars(base):
            base.refresh = record  # type: ignore[method-assign]
            patched.append(base)
    try:
        stylesheet.update_nodes(listed, animate=animate)
    finally:
        for base in patched:
            del base.refresh
    for node in listed:
        if isinstance(node, Widget) and node.is_mounted:
            node.refresh(layout=wanted_layout)
        elif isinstance(node, App):
            node.refresh()


#: Width of Textual's notification toasts (its Toast CSS: `width: 60; max-width: 50%`).
TOAST_WIDTH = 60


class ReaderApp(ReaderBase):
    """A terminal news reader built for Arabic first.

    The display settings (`bidi_mode`, `harakat`, `reading_width`, `theme`) are reactives:
    screens watch them, and the app saves each change in the store."""

    TITLE = "reader"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("b", "toggle_bidi", "Bidi mode", id="app.bidi"),
        Binding("ctrl+t", "next_theme", "Next theme", show=False, id="app.theme"),
    ]
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = App.COMMANDS | {
        BindingCommands
    }
    NOTIFICATION_TIMEOUT = 6

    def __init__(
        self,
        store: Store,
        *,
        themes: ThemeSet,
        theme: str,
        bidi_mode: BidiMode,
        article: Article | None = None,
        reading_width: int = DEFAULT_READING_WIDTH,
        harakat: bool = True,
        messages: list[str] | None = None,
        refresh_target: str | None = None,
        seed: bool = True,
        extractor: Extractor | None = None,
    ) -> None:
        self._derived: dict[tuple[bool, tuple[tuple[str, str], ...]], dict[str, str]] = {}
        """The reader's colours derived for each theme that lacks them, by its base colours
        (set before Textual's __init__, which asks for the variables)."""
        super().__init__(css_path=[APP_CSS, *themes.css_paths])
        self._ready_to_save = False
        """Settings are saved when they change, not while the app is being set up."""
        self._stale_css: WeakSet[Screen[object]] = WeakSet()
        """Screens under the current one not restyled at the last theme switch (refresh_css)."""
        self._refresh_target = refresh_target
        self._seed = seed
        self._extractor = extractor
        self.store = store
        self.bidi_mode = bidi_mode
        self.reading_width = reading_width
        self.harakat = harakat
        self.reader_themes: dict[str, Theme] = dict(themes.themes)
        """Our themes by name (registered with Textual)."""
        self._initial_article = article
        self._messages = list(messages or [])
        for definition in themes.themes.values():
            self.register_theme(definition)
        if theme not in self.available_themes:
            fallback = DEFAULT_THEME if DEFAULT_THEME in self.reader_themes else "textual-dark"
            if theme:
                self._messages.append(f"The theme '{theme}' is not available; using {fallback}.")
            theme = fallback
        self.saver = Saver(self, store)
        self.refresher = FeedRefresher(self)
        self.entity_indexer = EntityIndexer(self)
        self.theme = theme
        # Nothing is parsed yet: the stylesheet starts with the theme's variables, so the
        # refresh Textual queues for the theme set above need not parse it all again.
        self._parsed_variables = self.get_css_variables()
        self.stylesheet.set_variables(self._parsed_variables)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification (widgets' too: theirs come here) as plain, neutralised text.

        Messages quote titles, paths and names from the library: they are shown without
        markup, escape sequences, controls or bidi controls, and Arabic in them is shaped
        like the article's (`reader.ui.shaped`), wrapped to the toast's width."""
        logical = printable(message)
        width = self.toast_text_width()
        notification = ShapedNotification(
            shaped(logical, self.bidi_mode, width, harakat=self.harakat),
            shaped(printable(title, line=True), self.bidi_mode, harakat=self.harakat),
            severity,
            self.NOTIFICATION_TIMEOUT if timeout is None else timeout,
            markup=False,
            logical=logical,
        )
        self.post_message(Notify(notification))  # as App.notify does (thread-safe)

    def toast_text_width(self) -> int:
        """Cells of text in a toast: Textual's Toast is 60 cells wide but at most half its rack
        (the screen less the rack's 2-cell scroll bar), less its padding (1 each side) and its
        left border (1). (Measured on Textual 8: 36 at 80 columns, 57 from 124.)"""
        screen_width = self.size.width or 120
        return max(10, min(TOAST_WIDTH, (screen_width - 2) // 2) - 3)

    # ---------------------------------------------------------------- start-up

    @property
    def first_article(self) -> Article | None:
        """The article the app opens on (`reader PATH|URL`); None: it opens on the library."""
        return self._initial_article

    @property
    def pending_refresh(self) -> str | None:
        """The file or address read again just after its stored copy is first shown (until
        then): `reader FILE` of a file already in the library opens at once."""
        return self._refresh_target

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._restyle_if_stale)
        for message in self._messages:
            self.notify(message, title="reader", timeout=10)
        self.store.on_message = self._store_message
        self.refresh_interval = saved_interval(self.store.get_setting(INTERVAL_SETTING))
        self.auto_full_text = self.store.get_setting(AUTO_FULL_TEXT_SETTING, True) is not False
        if self._initial_article is not None:
            self.push_screen(ArticleScreen(self._initial_article))
        else:
            self.push_screen(_library_screen())
        self._ready_to_save = True
        if self._refresh_target is not None:
            self.set_timer(0.1, self._refresh_opened_article)
        interval = watch_interval(self.store.get_setting(WATCH_SETTING))
        if interval > 0:
            self.set_interval(interval, self.check_for_changes)
        self.set_timer(FIRST_PASS_DELAY, self.entity_indexer.poke)

    def on_unmount(self) -> None:
        self.entity_indexer.stop()

    def check_for_changes(self) -> None:
        """Ask the screen on show to look for changes other processes made (it compares the
        store's stamps, a few `stat` calls, and reads again only what changed), and the
        entity indexer to index what arrived."""
        if self.screen_stack:
            self.screen.post_message(CheckForChanges())
        self.entity_indexer.poke()

    def on_save_done(self, message: SaveDone) -> None:
        """A background save finished (or has news): run its callback here, on the UI thread."""
        message.callback()

    def _store_message(self, message: str) -> None:
        """Damage the store found after start-up (Textual's `notify` is thread-safe)."""
        self.notify(message, title="reader", severity="warning", timeout=10)

    def _refresh_opened_article(self) -> None:
        """After the first paint: seed a new library and re-read the file shown from the store."""
        from reader.ingest import library

        target, self._refresh_target = self._refresh_target, None
        if target is None:
            return
        try:
            if self._seed:
                library.ensure_seeded(self.store)
            fresh = library.open_target(self.store, target)
        except ReaderError as error:
            self.notify(str(error), severity="error")
            return
        for screen in self.screen_stack:
            if not isinstance(screen, ArticleScreen) or screen.article.id != fresh.id:
                continue
            if screen.article.text != fresh.text or screen.article.title != fresh.title:
                screen.replace_article(fresh)

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """An SVG screenshot whose text a viewer draws cell by cell, as the terminal did.

        Arabic on screen is already in visual order (app mode) or is meant to be shown as a
        plain terminal shows it (terminal mode); without `bidi-override` an SVG viewer would
        run the bidi algorithm again and reverse every Arabic run. Segments are never merged
        (`simplify` is ignored): a merged run of margin and Arabic text is stretched as a whole
        by the viewer and the text no longer lines up with its cells.
        """
        svg = super().export_screenshot(title=title, simplify=False)
        return svg.replace(
            "<style>", "<style>\n    text { unicode-bidi: bidi-override; direction: ltr; }", 1
        )

    # ---------------------------------------------------------------- screens

    def on_open_article(self, message: OpenArticle) -> None:
        """The library asks to open an article."""
        self.open_article(message.article_id)

    def on_show_library(self, message: ShowLibrary) -> None:
        """An article screen asks to go back to the library."""
        self.show_library()

    def on_show_all_notes(self, message: ShowAllNotes) -> None:
        """The reading view asks for the notes of every article."""
        self.show_all_notes()

    def on_show_feeds(self, message: ShowFeeds) -> None:
        """The library asks for the feeds screen."""
        self.show_feeds()

    def show_feeds(self) -> None:
        """Show the feeds screen (over the library, or over whatever is on screen)."""
        from reader.ui.screens.feeds import FeedsScreen

        if not isinstance(self.screen, FeedsScreen):
            self.push_screen(FeedsScreen())

    def on_show_feed_articles(self, message: ShowFeedArticles) -> None:
        """The feeds screen asks for one feed's articles: the library, filtered to it."""
        from reader.ui.screens.library import LibraryScreen

        self.push_screen(LibraryScreen(feed_url=message.url, feed_title=message.title))

    def on_entity_corrections_changed(self, message: EntityCorrectionsChanged) -> None:
        """A correction was saved or undone: the library's entity index applies it now."""
        self.entity_indexer.poke()

    def on_refresh_feeds(self, message: RefreshFeeds) -> None:
        """Refresh the feeds named (none: all) in the background."""
        self.refresher.refresh(message.urls)

    def refresh_all_feeds(self) -> None:
        """Refresh every feed in the background (the palette's command)."""
        self.refresher.refresh()

    def watch_refresh_interval(self, seconds: float) -> None:
        """Refresh feeds every `seconds` from now on (0: off), and remember it."""
        self.refresher.schedule(seconds)
        self._save_setting(INTERVAL_SETTING, seconds)

    def watch_auto_full_text(self, on: bool) -> None:
        """Remember whether short feed entries get their full article on opening."""
        self._save_setting(AUTO_FULL_TEXT_SETTING, on)

    def set_auto_full_text(self, on: bool) -> None:
        """Turn fetching the full article of short feed entries on opening on or off."""
        self.auto_full_text = on
        if on:
            self.notify(
                "A feed entry of fewer than 60 words gets its full article when you open it "
                "(once per entry; F fetches again)."
            )
        else:
            self.notify("Feed entries open as they came; F fetches the full article.")

    def set_refresh_interval(self, seconds: float) -> None:
        """Change the background refresh interval (the palette's commands)."""
        self.refresh_interval = seconds

    def on_show_search(self, message: ShowSearch) -> None:
        """The library asks for the search screen."""
        self.show_search()

    def show_search(self) -> None:
        """Open the search screen over the current one (once)."""
        from reader.ui.screens.search import SearchScreen

        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen())

    async def on_open_search_result(self, message: OpenSearchResult) -> None:
        """The search screen asks to open a result at its match."""
        await self.open_search_result(message.result, message.query)

    async def open_search_result(self, result: SearchResult, query: str) -> None:
        """Open a result's article over the search screen: at the first match in its text,
        every match there marked (`n`/`N` step through them); a hit only in a note or a tag
        opens at its highlight; a hit only in the title or source at the remembered place."""
        article = self.article_or_say(result.article_id)
        if article is None:
            return
        from reader.search.query import text_matches

        opened = ArticleScreen(article)
        await self.push_screen(opened)
        spans = text_matches(article.text, query)  # the text as it is now, by the same rules
        if spans:
            opened.show_matches(spans)
            return
        if result.snippet_annotation:
            annotation = self.store.get_annotation(article.id, result.snippet_annotation)
            if annotation is not None and not annotation.orphan:
                opened.show_annotation(annotation)

    def on_show_entities(self, message: ShowEntities) -> None:
        """The library (or an article's Entities tab, with a name) asks for the Entities
        screen."""
        self.show_entities(message.entity_name, message.entity_type)

    def show_entities(self, name: str = "", kind: str = "") -> None:
        """Open the Entities screen over the current one (with `name`: on that entity)."""
        from reader.ui.screens.entities import EntitiesScreen

        if name or not isinstance(self.screen, EntitiesScreen):
            self.push_screen(EntitiesScreen(name, kind))

    async def on_open_entity_mention(self, message: OpenEntityMention) -> None:
        """The Entities screen asks to open an article at a mention: every mention of the
        entity there is marked as a search's matches are (`n`/`N` step through them)."""
        article = self.article_or_say(message.article_id)
        if article is None:
            return
        opened = ArticleScreen(article)
        await self.push_screen(opened)
        size = len(article.text)
        spans = [(start, end) for start, end in message.spans if 0 <= start < end <= size]
        if spans:
            opened.show_matches(spans, at=message.start)
        if 0 <= message.start < size:
            opened.view.move_cursor(message.start)  # the reading cursor on the mention

    async def on_open_entity_note(self, message: OpenEntityNote) -> None:
        """The Entities screen asks to show a highlight in its article."""
        await self.open_annotation(message.annotation)

    def article_or_say(self, article_id: str) -> Article | None:
        """The article with `article_id`, or None after saying in one sentence why it cannot be
        opened (its saved text is damaged or missing, or it left the library)."""
        try:
            article = self.store.get_article(article_id)
        except ReaderError as error:
            self.notify(str(error), severity="error", timeout=10)
            return None
        if article is None:
            self.notify("That article is no longer in the library.", severity="error")
        return article

    def open_article(self, article_id: str) -> None:
        """Open an article from the library on top of it."""
        article = self.article_or_say(article_id)
        if article is None:
            return
        self.push_screen(ArticleScreen(article))

    def on_mark_read(self, message: MarkRead) -> None:
        """Mark an article read (or unread) in the background: a write of the library index
        that a keypress never waits for; the library is shown again once it is saved."""
        article_id, read = message.article_id, message.read
        if self.store.read_only:
            return
        self.saver.save(
            "the read state",
            lambda: self.store.set_read(article_id, read),
            lambda _saved: self._read_state_saved(),
            background=True,
        )

    def _read_state_saved(self) -> None:
        from reader.ui.screens.library import LibraryScreen

        if isinstance(self.screen, LibraryScreen):
            self.screen.reload()

    def show_library(self) -> None:
        """Back to the library (it is under the article, or replaces it when opened directly)."""
        if len(self.screen_stack) > 2:
            self.pop_screen()
        else:
            self.switch_screen(_library_screen())

    def show_all_notes(self) -> None:
        """Show the all-notes screen; the highlight chosen there is opened in its article."""
        from reader.ui.screens.all_notes import AllNotesScreen

        def done(annotation: Annotation | None) -> None:
            if annotation is not None:
                self.call_later(self.open_annotation, annotation)

        self.push_screen(AllNotesScreen(), done)

    async def open_annotation(self, annotation: Annotation) -> None:
        """Show `annotation` in its article: the open one, or its article opened on top."""
        screen = self.screen
        if isinstance(screen, ArticleScreen) and screen.article.id == annotation.article_id:
            screen.show_annotation(annotation)
            return
        article = self.article_or_say(annotation.article_id)
        if article is None:
            return
        opened = ArticleScreen(article)
        await self.push_screen(opened)
        opened.show_annotation(annotation)

    def help_sections(self) -> list[tuple[str, type[DOMNode]]]:
        """Sections of the help screen: (title, class whose bindings it lists)."""
        from reader.ui.screens.entities import EntitiesScreen
        from reader.ui.screens.feeds import FeedsScreen
        from reader.ui.screens.library import LibraryScreen
        from reader.ui.screens.search import SearchScreen
        from reader.ui.widgets.entities_pane import EntitiesPane

        sections: list[tuple[str, type[DOMNode]]] = [
            ("Everywhere", ReaderApp),
            ("Library", LibraryScreen),
            ("Feeds", FeedsScreen),
            ("Search", SearchScreen),
            ("Entities", EntitiesScreen),
            ("Article", ArticleScreen),
            ("Reading", ArticleView),
            ("Entities tab", EntitiesPane),  # listed before the pane is first opened
        ]
        for widget in self.screen.query("*"):
            cls = type(widget)
            known = {section[1] for section in sections}
            if cls.__module__.startswith("reader.") and cls not in known and cls is not SidePane:
                if issubclass(cls, Input):
                    continue  # a text box's editing keys are Textual's own, not the reader's
                sections.append((cls.__name__, cls))
        return sections

    def action_command_palette(self) -> None:
        """Textual's command palette, its search box drawing typed Arabic shaped."""
        from textual.command import CommandPalette

        from reader.ui.screens.palette import ShapedCommandPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            palette = ShapedCommandPalette(
                mode=self.bidi_mode, harakat=self.harakat, id="--command-palette"
            )
            self.push_screen(palette)

    def action_help(self) -> None:
        """Show every key binding."""
        from reader.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections()))

    # ---------------------------------------------------------------- settings

    def set_bidi_mode(self, mode: BidiMode) -> None:
        """Switch how Arabic is drawn, everywhere (screens watch `bidi_mode`), and say so."""
        self.bidi_mode = mode
        self.notify(f"Bidi mode: {mode}", timeout=2)

    def set_reading_width(self, width: int) -> None:
        """Change the widest text column (cells), everywhere."""
        self.reading_width = width

    def set_harakat(self, show: bool) -> None:
        """Show or hide Arabic diacritics, everywhere."""
        self.harakat = show

    def watch_bidi_mode(self, mode: BidiMode) -> None:
        """Remember the bidi mode."""
        self._save_setting("bidi_mode", mode)

    def watch_reading_width(self, width: int) -> None:
        """Remember the reading width."""
        self._save_setting("reading_width", width)

    def watch_harakat(self, show: bool) -> None:
        """Remember whether harakat are drawn."""
        self._save_setting("harakat", show)

    def action_toggle_bidi(self) -> None:
        """Flip between app and terminal bidi."""
        self.set_bidi_mode("terminal" if self.bidi_mode == "app" else "app")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own commands (Theme, Keys, Quit...), then the reader's settings and views;
        an article screen adds its entity corrections."""
        yield from super().get_system_commands(screen)
        modes: tuple[tuple[BidiMode, str], ...] = (
            ("app", "shape and reorder Arabic in the app"),
            ("terminal", "leave bidi to a bidi-aware terminal"),
        )
        for mode, help_text in modes:
            yield SystemCommand(f"Bidi mode: {mode}", help_text, partial(self.set_bidi_mode, mode))
        for width in READING_WIDTHS:
            yield SystemCommand(
                f"Reading width: {width}",
                "widest text column, in cells",
                partial(self.set_reading_width, width),
            )
        yield SystemCommand(
            "Harakat: hide" if self.harakat else "Harakat: show",
            "Arabic diacritics",
            partial(self.set_harakat, not self.harakat),
        )
        yield SystemCommand(
            "All notes", "highlights and notes of every article", self.show_all_notes
        )
        bound = {active.binding.description for active in screen.active_bindings.values()}
        if "Feeds" not in bound:  # the library offers them as its keys already
            yield SystemCommand("Feeds", "subscriptions: add, remove, refresh", self.show_feeds)
        if "Refresh all feeds" not in bound:
            yield SystemCommand(
                "Refresh all feeds", "fetch new articles in the background", self.refresh_all_feeds
            )
        yield SystemCommand(
            f"Full text on opening short entries: {'off' if self.auto_full_text else 'on'}",
            "fetch the full article of a feed entry under 60 words when it is opened"
            if not self.auto_full_text
            else "open short feed entries as they came (F still fetches)",
            partial(self.set_auto_full_text, not self.auto_full_text),
        )
        for seconds, name in INTERVALS:
            current = " (now)" if seconds == self.refresh_interval else ""
            yield SystemCommand(
                f"Feed refresh: {name}",
                f"refresh every feed in the background while reader runs{current}",
                partial(self.set_refresh_interval, seconds),
            )
        from reader.ui.screens.library import LibraryScreen
        from reader.ui.screens.search import SearchScreen

        if not isinstance(screen, LibraryScreen | SearchScreen):  # the library binds `s`
            yield SystemCommand(
                "Search the library",
                "titles, sources, text, notes and tags, Arabic-aware",
                self.show_search,
            )
        from reader.ui.screens.entities import EntitiesScreen

        if not isinstance(screen, LibraryScreen | EntitiesScreen):  # the library binds `E`
            yield SystemCommand(
                "Entities across the library",
                "people, organisations and places in every article",
                self.show_entities,
            )
        if isinstance(screen, ArticleScreen):
            yield from screen.link_commands()
            yield from screen.full_text_commands()
            yield from screen.entity_commands()

    # ---------------------------------------------------------------- themes

    def _visible_screens(self) -> list[Screen[object]]:
        """The screens a person sees now: the current one and those under see-through dialogs."""
        visible: list[Screen[object]] = []
        for screen in reversed(self.screen_stack):
            visible.append(screen)
            if not (screen.is_modal and screen.styles.background.a < 1):
                break
        return visible

    def refresh_css(self, animate: bool = True) -> None:
        """Textual's refresh_css (the new theme's variables, a reparse, a restyle), but the
        screens hidden under the current one (the library's table of every article, under the
        article) are restyled when they come back (`_restyle_if_stale`), not on every switch,
        and so is the inside of a closed side pane (`styled_nodes`). The CSS is parsed again
        only when the variables changed (not for the theme set at start-up)."""
        stylesheet = self.stylesheet
        variables = self.get_css_variables()
        if variables != self._parsed_variables:
            stylesheet.set_variables(variables)
            stylesheet.reparse()
            self._parsed_variables = variables
        restyle_once(stylesheet, styled_nodes(self), animate=animate)  # app, current screen
        visible = self._visible_screens()
        try:
            if self.screen.is_mounted:
                self.screen._refresh_layout(self.size)
                self.screen._css_update_count = self._css_update_count
        except ScreenError:
            pass
        for screen in self.screen_stack:
            if screen is self.screen:
                continue
            if screen in visible:
                restyle_once(stylesheet, styled_nodes(screen), animate=animate)
                screen._css_update_count = self._css_update_count
                self._stale_css.discard(screen)
            else:
                self._stale_css.add(screen)

    def _restyle_if_stale(self, screen: Screen[object]) -> None:
        """A screen that was hidden during a theme switch comes back: restyle it now."""
        if screen in self._stale_css:
            self._stale_css.discard(screen)
            self.stylesheet.update(screen, animate=False)
            screen._css_update_count = self._css_update_count

    def action_next_theme(self) -> None:
        """Cycle through our themes."""
        names = list(self.reader_themes)
        if not names:
            return
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]

    def watch_theme(self, name: str) -> None:
        """Remember the theme. (Its stylesheet rules key on Textual's own `-theme-NAME` class
        of the app, so switching restyles the screen once, not once more for our classes.)"""
        self._save_setting("theme", name)

    def get_css_variables(self) -> dict[str, str]:
        """Textual's variables for the current theme, plus the reader's own colours: a theme
        that does not define them (Textual's built-in ones) gets them derived from its base
        colours, so every theme Textual offers can be chosen."""
        variables = super().get_css_variables()
        if any(name not in variables for name in REQUIRED_VARIABLES):
            ansi = self.current_theme.ansi
            key = (ansi, tuple(sorted(variables.items())))
            derived = self._derived.get(key)
            if derived is None:  # a search over candidate colours: once per theme
                derived = self._derived[key] = derive_reader_variables(variables, ansi=ansi)
            variables = {**MARK_STYLE_DEFAULTS, **derived, **variables}
        else:
            variables = {**MARK_STYLE_DEFAULTS, **variables}
        self.theme_variables = variables
        return variables

    def _save_setting(self, key: str, value: object) -> None:
        """Save a setting that changed (not while the app is being set up)."""
        if not self._ready_to_save or self.store.read_only:
            return  # said once when the database was opened
        # After the screen shows the change: a write (with its fsync) must not delay the paint.
        self.call_after_refresh(self._save_setting_now, key, value)

    def _save_setting_now(self, key: str, value: object) -> None:
        try:
            if self.store.get_setting(key) == value:
                return
        except ReaderError as error:
            self.notify(str(error), severity="error")
            return
        self.saver.save("the setting", lambda: self.store.set_setting(key, value))


def _library_screen() -> LibraryScreen:
    """A new library screen (imported when first needed: opening an article skips it)."""
    from reader.ui.screens.library import LibraryScreen

    return LibraryScreen()


def make_app(
    db_path: str | os.PathLike[str] | None = None,
    target: str | None = None,
    bidi: str | None = None,
    theme: str | None = None,
    *,
    seed: bool = True,
    themes_folder: Path | None = None,
    extractor: Extractor | None = None,
) -> ReaderApp:
    """Open the store, seed a new library, resolve settings, and build the app.

    `target` (a path or URL) opens that article directly; `seed=False` skips importing the
    sample articles (tests that want a fixed library); `extractor` is an entity model already
    loaded (tests share one; else the first Entities pane loads it). Raises ReaderError for
    bad input.
    """
    store = Store.open(resolve_db_path(db_path))
    messages = list(store.messages)
    themes = load_themes(themes_folder)
    messages.extend(themes.problems)
    if theme and theme not in themes.themes and theme not in BUILTIN_THEMES:
        names = ", ".join([*themes.themes, *BUILTIN_THEMES]) or "none"
        store.close()
        raise ReaderError(f"There is no theme called '{theme}' (available: {names}).")
    article = _stored_local_article(store, target) if target else None
    refresh_target: str | None = None
    if article is not None:
        # Show the stored copy at once; re-reading the file (and first-run seeding) can wait
        # until the article is on screen: the library module is slow to import.
        refresh_target = target
    else:
        from reader.ingest import library

        if seed:
            library.ensure_seeded(store)
        article = library.open_target(store, target) if target else None
    bidi_mode, warning = resolve_bidi_mode(
        bidi, os.environ.get(BIDI_ENV), store.get_setting("bidi_mode")
    )
    if warning:  # (also on stderr, from reader.cli, where the app's screen covers it)
        messages.append(warning)
    saved_theme = store.get_setting("theme")
    chosen_theme = theme or (saved_theme if isinstance(saved_theme, str) else "") or DEFAULT_THEME
    width = store.get_setting("reading_width", DEFAULT_READING_WIDTH)
    harakat = store.get_setting("harakat", True)
    return ReaderApp(
        store,
        themes=themes,
        theme=chosen_theme,
        bidi_mode=bidi_mode,
        article=article,
        reading_width=width
        if isinstance(width, int) and width >= MIN_READING_WIDTH
        else DEFAULT_READING_WIDTH,
        harakat=harakat if isinstance(harakat, bool) else True,
        messages=messages,
        refresh_target=refresh_target,
        seed=seed,
        extractor=extractor,
    )


def _stored_local_article(store: Store, target: str) -> Article | None:
    """The library's copy of a local file named on the command line, if it has one."""
    if "://" in target:
        return None
    path = Path(target).expanduser()
    if not path.is_file():
        return None
    return store.find_article(source=str(path.resolve()))


def run_app(args: argparse.Namespace) -> int:
    """Entry point from the command line: `args` has target, bidi, theme and maybe db."""
    app = make_app(
        getattr(args, "db", None),
        target=getattr(args, "target", None),
        bidi=getattr(args, "bidi", None),
        theme=getattr(args, "theme", None),
    )
    try:
        app.run()
    finally:
        app.saver.close()
        app.store.close()
    lost = app.saver.unsaved
    if lost:
        from reader.commands import say

        say(
            f"reader: {', '.join(lost)} could not be saved: another reader process held the "
            "database until the app closed.",
            err=True,
        )
        return 1
    return 0

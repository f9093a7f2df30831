"""The side pane beside an article: two tabs, Entities (`EntitiesPane`) and Notes (`NotesPane`).

The tabs and their panes are built the first time the pane opens, so opening an article does
not pay for them. The article screen sets what the panes show (attributes down): which article
is open (`show_article`), its highlights as the reading view changes them (`show_annotations`),
and the bidi mode (`mode`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive, var
from textual.widget import Widget

from reader.models import Annotation, Article
from reader.text.modes import BidiMode
from reader.ui.messages import TabChosen

if TYPE_CHECKING:
    from reader.store.database import Store
    from reader.ui.saving import Saver

#: Tab ids, in order (`next_tab` goes through them).
TABS: tuple[str, ...] = ("entities", "notes")

#: The name shown for each tab.
TAB_NAMES = {"entities": "Entities", "notes": "Notes"}


class TabBar(Widget):
    """The pane's tab names, the one on show bold and underlined; a click shows a tab.

    One node (Textual's TabbedContent is seven, and nests each tab three levels deeper: a theme
    switch refreshes every node once per changed colour of each of its ancestors)."""

    DEFAULT_CSS = """
    TabBar {
        height: 2;
        padding: 0 1;
    }
    TabBar > .tab-bar--active {
        text-style: bold underline;
        color: $foreground;
    }
    TabBar > .tab-bar--inactive {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tab-bar--active", "tab-bar--inactive"}

    active: reactive[str] = reactive(TABS[0])
    """The id of the tab on show."""

    #: Cells between two tab names.
    GAP = 2

    def _spans(self) -> list[tuple[str, int, int]]:
        """(tab id, first cell, end cell) of each tab name, after the left padding."""
        spans: list[tuple[str, int, int]] = []
        x = 0
        for tab in TABS:
            width = len(TAB_NAMES[tab])
            spans.append((tab, x, x + width))
            x += width + self.GAP
        return spans

    def render(self) -> Content:
        parts: list[Content] = []
        for tab, _start, _end in self._spans():
            role = "active" if tab == self.active else "inactive"
            style = self.get_visual_style(f"tab-bar--{role}")
            if parts:
                parts.append(Content(" " * self.GAP))
            parts.append(Content.styled(TAB_NAMES[tab], style))
        return Content("").join(parts)

    def on_click(self, event: events.Click) -> None:
        x = event.x - self.styles.padding.left
        for tab, start, end in self._spans():
            if start <= x < end:
                self.post_message(TabChosen(tab))
                return


class SidePane(Vertical):
    """Entities and Notes tabs for the open article; hidden until toggled.

    The tabs are built the first time the pane opens, so opening an article stays fast.
    """

    DEFAULT_CLASSES = "-hidden"

    DEFAULT_CSS = """
    SidePane > ContentSwitcher {
        height: 1fr;
    }
    """

    TABS: ClassVar[tuple[str, ...]] = TABS

    mode: var[BidiMode] = var[BidiMode]("app")
    """The app's bidi mode, which the panes draw Arabic in."""

    def __init__(self, *, mode: BidiMode = "app", id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.set_reactive(SidePane.mode, mode)
        self._tab = TABS[0]
        self._built = False
        self._store: Store | None = None
        self._saver: Saver | None = None
        self._article: Article | None = None

    def compose(self) -> ComposeResult:
        return iter(())

    def _build(self) -> None:
        """Mount the tab bar and the two panes (once), then tell them which article is open."""
        # Imported here: the panes cost import time nobody should pay before opening the pane.
        from textual.widgets import ContentSwitcher

        from reader.ui.widgets.entities_pane import EntitiesPane
        from reader.ui.widgets.notes_pane import NotesPane

        self._built = True
        bar = TabBar(id="side-tab-bar")
        bar.active = self._tab
        switcher = ContentSwitcher(
            EntitiesPane(id="entities-pane", mode=self.mode),
            NotesPane(id="notes-pane", mode=self.mode),
            id="side-tabs",
            initial=f"{self._tab}-pane",
        )
        self.mount(bar, switcher)
        self.call_after_refresh(self._send_article)

    @property
    def is_open(self) -> bool:
        """Whether the pane is shown."""
        return not self.has_class("-hidden")

    @property
    def active_tab(self) -> str:
        """Id of the tab on show (or to show when the pane opens)."""
        return self._tab

    def show_tab(self, tab: str) -> None:
        """Open the pane on tab `tab`."""
        self._tab = tab
        self.remove_class("-hidden")
        if not self._built:
            self._build()
            return
        from textual.widgets import ContentSwitcher

        for bar in self.query(TabBar):
            bar.active = tab
        for switcher in self.query("#side-tabs").results(ContentSwitcher):
            switcher.current = f"{tab}-pane"

    def on_tab_chosen(self, message: TabChosen) -> None:
        """A click on a tab name: show that tab (the screen moves the focus if it was lost)."""
        message.stop()
        self.show_tab(message.tab)

    def hide(self) -> None:
        """Close the pane."""
        self.add_class("-hidden")

    def toggle(self) -> None:
        """Show the pane on the tab it last showed (Entities the first time), or hide it,
        whichever tab is on show."""
        if self.is_open:
            self.hide()
        else:
            self.show_tab(self.active_tab)

    def next_tab(self) -> None:
        """Show the other tab (the pane opens on it if it is hidden)."""
        index = TABS.index(self.active_tab) if self.active_tab in TABS else -1
        self.show_tab(TABS[(index + 1) % len(TABS)])

    def show_article(self, store: Store, article: Article, saver: Saver) -> None:
        """Tell each tab's widget which article is open (now, or when the tabs are built), and
        give them the store to read and the app's saver to save through."""
        self._store = store
        self._saver = saver
        self._article = article
        if self._built:
            self._send_article()

    def _send_article(self) -> None:
        from reader.ui.widgets.entities_pane import EntitiesPane
        from reader.ui.widgets.notes_pane import NotesPane

        if self._article is None or self._store is None:
            return
        for entities in self.query(EntitiesPane):
            entities.show_article(self._store, self._article, saver=self._saver)
        for notes in self.query(NotesPane):
            notes.show_article(self._store, self._article)

    def show_annotations(self, annotations: Sequence[Annotation]) -> None:
        """The open article's highlights changed: the Notes tab lists these (once built)."""
        if not self._built:
            return  # the tab reads them from the store when it is built
        from reader.ui.widgets.notes_pane import NotesPane

        for notes in self.query(NotesPane):
            notes.show_annotations(annotations)

    def watch_mode(self, mode: BidiMode) -> None:
        """The bidi mode changed: the panes draw in it from now on."""
        if not self._built:
            return
        from reader.ui.widgets.entities_pane import EntitiesPane
        from reader.ui.widgets.notes_pane import NotesPane

        for entities in self.query(EntitiesPane):
            entities.mode = mode
        for notes in self.query(NotesPane):
            notes.mode = mode
